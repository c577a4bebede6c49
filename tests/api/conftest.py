"""Helpers for the api tests: a recording mock transport and a client factory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.audit import AuditLog

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"  # 32 alphanumerics, like the gateway's tokens
CLUSTER = "BCS-MESOS-10001"
SERVER = "https://bcs.example.com:8443"


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def ok(data: Any = None) -> httpx.Response:
    return httpx.Response(200, json={"result": True, "code": 0, "message": "success", "data": data})


class Recorder:
    """An `httpx.MockTransport` that records every request and answers from `responder`."""

    def __init__(self, responder: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.responder = responder or (lambda request: ok(None))
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.responder(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        content = self.requests[index].content
        return json.loads(content) if content else None


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "state" / "audit.jsonl")


@pytest.fixture
def make_client(recorder: Recorder, audit: AuditLog):
    clients: list[BcsClient] = []

    def factory(**kw: Any) -> BcsClient:
        kw.setdefault("transport", recorder.transport)
        kw.setdefault("audit", audit)
        kw.setdefault("context_name", "prod-ctx")
        kw.setdefault("backoff", 0.0)
        client = BcsClient(kw.pop("server", SERVER), kw.pop("cluster_id", CLUSTER), kw.pop("token", TOKEN), **kw)
        clients.append(client)
        return client

    yield factory


@pytest.fixture
def client(make_client) -> BcsClient:
    return make_client()
