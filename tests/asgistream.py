"""An in-process ASGI transport that streams, like a socket does.

httpx.ASGITransport runs the app to the end and buffers the whole answer before it returns the
response. The storage watch (bcs-api-facts §11.2) never ends by itself: real bcs-storage writes
the 200 header and flushes it at once (lib/watch.go: WriteHeader + Flush before store.Watch), then
one event per flush. Through ASGITransport the console would wait forever for the header, so a
test would see a storage that never answers — a simulator harsher than the real server, in the
other direction. `StreamingASGITransport` returns the response when the app has sent its start
message and hands over body chunks as the app sends them; closing the response disconnects
(the app's `receive()` answers `http.disconnect`) and cancels the app.

Errors: an exception before the start message is raised by the request (as ASGITransport does);
one after it is raised while the body is read (a dropped connection mid-answer)."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

import httpx

_DONE = object()


class _Body(httpx.AsyncByteStream):
    def __init__(self, queue: asyncio.Queue[Any], task: asyncio.Task[None], gone: asyncio.Event) -> None:
        self._queue = queue
        self._task = task
        self._gone = gone

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            item = await self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    async def aclose(self) -> None:
        self._gone.set()
        if not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except BaseException:  # noqa: S110 — the app's own end after a disconnect
                pass


class StreamingASGITransport(httpx.AsyncBaseTransport):
    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self.app = app
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        body = b"".join([chunk async for chunk in request.stream])
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for (k, v) in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": self.client,
            "root_path": "",
        }
        loop = asyncio.get_running_loop()
        started: asyncio.Future[Any] = loop.create_future()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        gone = asyncio.Event()
        sent_request = False

        async def receive() -> dict[str, Any]:
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                if not started.done():
                    started.set_result(message)
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if chunk and request.method != "HEAD":
                    queue.put_nowait(chunk)
                if not message.get("more_body", False):
                    queue.put_nowait(_DONE)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:
                if not started.done():
                    started.set_exception(exc)
                else:
                    queue.put_nowait(exc)
            finally:
                queue.put_nowait(_DONE)
                if not started.done():
                    started.set_exception(httpx.RemoteProtocolError("the app ended without an answer"))

        task = loop.create_task(run(), name=f"asgi {request.method} {request.url.path}")
        try:
            start = await started
        except BaseException:
            task.cancel()
            raise
        return httpx.Response(start["status"], headers=start.get("headers", []),
                              stream=_Body(queue, task, gone))
