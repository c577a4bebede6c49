"""The client over real HTTP on loopback (uvicorn + a tiny Starlette fake of the gateway)."""

from __future__ import annotations

import asyncio
import json

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bcs_tui.api.client import BcsClient
from bcs_tui.api.errors import AuthError, ProtocolError, WriteOutcomeUnknown
from tests.api.conftest import CLUSTER, TOKEN

P = "/bcsapi/v4/scheduler/mesos"


def make_app(seen: list[dict]) -> Starlette:
    async def check_auth(request: Request) -> Response | None:
        seen.append({"method": request.method, "path": request.url.path, "query": dict(request.query_params),
                     "headers": dict(request.headers), "body": await request.body()})
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"code": 401, "result": False, "message": "Resource is Unauthorized"}, 401)
        return None

    async def apps(request: Request) -> Response:
        return await check_auth(request) or JSONResponse(
            {"result": True, "code": 0, "message": "success",
             "data": [{"Kind": "application", "ID": "web", "Name": "web", "Status": "Running"}]})

    async def scale(request: Request) -> Response:
        denied = await check_auth(request)
        if denied:
            return denied
        await asyncio.sleep(0.6)  # slower than the client's timeout
        return JSONResponse({"result": True, "code": 0, "message": "success", "data": None})

    async def create(request: Request) -> Response:
        return await check_auth(request) or PlainTextResponse("Name can't contains contains '.'")

    async def tasks(request: Request) -> Response:
        return await check_auth(request) or Response(b"", 200)

    return Starlette(routes=[
        Route(f"{P}/namespaces/{{ns}}/applications", apps, methods=["GET"]),
        Route(f"{P}/namespaces/{{ns}}/applications", create, methods=["POST"]),
        Route(f"{P}/namespaces/{{ns}}/applications/{{name}}/scale/{{n}}", scale, methods=["PUT"]),
        Route(f"{P}/namespaces/{{ns}}/applications/{{name}}/tasks", tasks, methods=["GET"]),
    ])


@pytest.fixture
async def server():
    seen: list[dict] = []
    config = uvicorn.Config(make_app(seen), host="127.0.0.1", port=0, log_level="error", lifespan="off")
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve())
    while not srv.started:
        await asyncio.sleep(0.01)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", seen
    srv.should_exit = True
    await task


async def test_real_http_round_trip(server):
    url, seen = server
    async with BcsClient(url, CLUSTER, TOKEN, operator="bob") as client:
        apps = await client.list_applications("prod")
    assert [a.name for a in apps] == ["web"]
    headers = seen[0]["headers"]
    assert headers["bcs-clusterid"] == CLUSTER and headers["x-bcs-operator"] == "bob"
    assert headers["content-type"] == "application/json" and headers["accept"] == "application/json"


async def test_real_http_auth_error(server):
    url, _ = server
    async with BcsClient(url, CLUSTER, "wrong-token-0000000000000000000") as client:
        with pytest.raises(AuthError):
            await client.list_applications("prod")


async def test_real_http_plain_text_and_empty_body(server):
    url, seen = server
    body = {"apiVersion": "v4", "kind": "application", "metadata": {"name": "web", "namespace": "prod"},
            "spec": {"instance": 1, "template": {"spec": {"containers": [{"image": "hub/web:1"}]}}}}
    async with BcsClient(url, CLUSTER, TOKEN) as client:
        with pytest.raises(ProtocolError) as info:
            await client.create_application("prod", body)
        assert "can't contains" in info.value.text
        with pytest.raises(ProtocolError) as info:
            await client.list_tasks("prod", "web")
        assert "master" in info.value.message
    assert json.loads(seen[0]["body"]) == body


async def test_real_http_write_timeout_is_outcome_unknown(server, tmp_path):
    from bcs_tui.audit import AuditLog

    url, seen = server
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with BcsClient(url, CLUSTER, TOKEN, timeout=0.2, audit=audit, get_retries=3) as client:
        with pytest.raises(WriteOutcomeUnknown):
            await client.scale_application("prod", "web", 3)
    assert len(seen) == 1  # reached the server once, never retried
    assert [e["outcome"] for e in audit.entries()] == ["pending", "unknown"]
    assert TOKEN not in audit.path.read_text()
