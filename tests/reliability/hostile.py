"""A hostile gateway in front of the simulator: an httpx transport that passes requests on to the
simulator's ASGI app unless a rule answers (or breaks the connection) instead.

    gw = HostileGateway(sim_asgi)
    gw.answer("GET", "/applications", lambda request, upstream: httpx.Response(302, headers=...))
    app = make_app(client_kw={"transport": gw})

`upstream()` (async) gives the simulator's real answer, so a rule can tamper with it (duplicate
records, add a Set-Cookie). `gw.requests` holds every request the console sent.

The simulator is reached through the streaming transport (tests/asgistream.py): the storage watch
never ends by itself. A rule applies to the watch stream only when its `path_part` names it
("/watch"): the rules here rewrite whole JSON answers, which a stream of events is not.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

import httpx

from tests.asgistream import StreamingASGITransport

Rule = Callable[[httpx.Request, Callable[[], Awaitable[httpx.Response]]], Awaitable[httpx.Response]]


class HostileGateway(httpx.AsyncBaseTransport):
    def __init__(self, asgi: Any) -> None:
        self.inner = StreamingASGITransport(asgi)
        self.rules: list[tuple[str, str, Rule]] = []
        self.requests: list[httpx.Request] = []

    def answer(self, method: str, path_part: str, rule: Rule) -> None:
        """Requests whose method is `method` ("*" any) and whose path contains `path_part`."""
        self.rules.append((method, path_part, rule))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        await request.aread()

        async def upstream() -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        watch = "/watch/" in request.url.path
        for method, part, rule in self.rules:
            if method in ("*", request.method) and part in request.url.path and (not watch or "/watch" in part):
                return await rule(request, upstream)
        return await self.inner.handle_async_request(request)


def json_of(response: httpx.Response) -> Any:
    return json.loads(response.content)


def with_json(response: httpx.Response, data: Any, **headers: str) -> httpx.Response:
    """`response` with a new JSON body (and extra headers)."""
    h = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")]
    h += [(k.replace("_", "-"), v) for k, v in headers.items()]
    return httpx.Response(response.status_code, headers=h, content=json.dumps(data).encode())
