"""Requests are values and writes are audited ahead: plan -> Request (nothing sent), send(Request)
sends exactly that value once; an intent line before, an outcome line after; an audit log that
cannot be written refuses the write and every later one until acknowledged; a write in flight
when the task is cancelled (the console quits) leaves its intent line; writes have a deadline."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bcs_tui.api.errors import AuditFailure, ReadOnlyError, WriteOutcomeUnknown
from bcs_tui.api.routes import ROUTES, WRITE_ROUTES
from bcs_tui.audit import AuditLog

from .conftest import SERVER, TOKEN, ok

SCHED = "/bcsapi/v4/scheduler/mesos"


async def test_a_planned_request_is_what_is_sent(make_client, recorder):
    client = make_client()
    body = {"apiVersion": "v4", "kind": "application", "metadata": {"name": "web", "namespace": "prod"},
            "spec": {"instance": 3, "template": {"spec": {"containers": [{"image": "nginx:1"}]}}}}
    request = client.plan_update_application("prod", body, instances=5)
    assert recorder.requests == []  # planning sends nothing
    assert request.line() == f"PUT {SCHED}/namespaces/prod/applications?instances=5"
    assert request.targets == ("application prod/web",)
    assert TOKEN not in request.to_curl(SERVER) and "$BCS_TOKEN" in request.to_curl(SERVER)
    await client.send(request)
    sent = recorder.last
    assert f"{sent.method} {sent.url.raw_path.decode()}" == request.line()
    assert json.loads(sent.content) == request.body


def test_paths_are_quoted_once_by_the_route():
    path = ROUTES["delete_configmap"].path(ns="prod", name="a b")
    assert path == f"{SCHED}/namespaces/prod/configmaps/a%20b"
    assert all(r.method in ("POST", "PUT", "DELETE") for r in WRITE_ROUTES)


async def test_process_apps_have_their_own_routes(make_client, recorder):
    client = make_client()
    await client.scale_application("ops", "agent", 3, process=True)
    await client.delete_application("ops", "agent", process=True)
    assert [f"{r.method} {r.url.path}" for r in recorder.requests] == [
        f"PUT {SCHED}/namespaces/ops/processes/agent/scale/3", f"DELETE {SCHED}/namespaces/ops/processes/agent"]


async def test_intent_then_outcome_with_the_send_time(make_client, audit):
    client = make_client()
    await client.scale_application("prod", "web", 2)
    intent, outcome = audit.entries()
    assert (intent["phase"], intent["outcome"]) == ("intent", "pending")
    assert (outcome["phase"], outcome["outcome"]) == ("outcome", "ok")
    assert intent["id"] == outcome["id"] and intent["time"] == outcome["time"] <= outcome["finished"]
    assert intent["targets"] == ["application prod/web"]
    assert audit.open_intents() == []


async def test_an_audit_log_that_cannot_be_written_refuses_writes_until_acknowledged(make_client, recorder, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    client = make_client(audit=AuditLog(blocker / "audit.jsonl"))  # its parent is a file
    with pytest.raises(AuditFailure, match="was not sent"):
        await client.scale_application("prod", "web", 2)
    assert recorder.requests == []
    assert client.audit_failure
    client.audit.path = tmp_path / "ok" / "audit.jsonl"  # the disk is fixed ...
    with pytest.raises(AuditFailure, match="until this is acknowledged"):
        await client.scale_application("prod", "web", 2)  # ... but nobody has acknowledged yet
    assert recorder.requests == []
    client.acknowledge_audit_failure()
    await client.scale_application("prod", "web", 2)
    assert len(recorder.requests) == 1


async def test_a_write_in_flight_when_cancelled_leaves_its_intent_line(audit):
    from bcs_tui.api.client import BcsClient

    started = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(30)
        return ok(None)

    client = BcsClient(SERVER, "BCS-MESOS-10001", TOKEN, audit=audit, transport=httpx.MockTransport(slow))
    task = asyncio.create_task(client.scale_application("prod", "web", 4))
    await started.wait()
    (in_flight,) = client.writes_in_flight()
    assert in_flight.line() == f"PUT {SCHED}/namespaces/prod/applications/web/scale/4"
    task.cancel()  # the console quits (q, SIGTERM, SIGHUP)
    with pytest.raises(asyncio.CancelledError):
        await task
    (intent,) = audit.open_intents()
    assert intent["path"].endswith("/scale/4") and len(audit.entries()) == 1
    await client.aclose()


async def test_writes_have_an_overall_deadline(audit):
    from bcs_tui.api.client import BcsClient

    calls = []

    async def slow(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        await asyncio.sleep(5)
        return ok(None)

    client = BcsClient(SERVER, "BCS-MESOS-10001", TOKEN, audit=audit, transport=httpx.MockTransport(slow),
                       write_deadline=0.2)
    with pytest.raises(WriteOutcomeUnknown, match="write deadline"):
        await client.delete_application("prod", "web")
    assert len(calls) == 1  # never retried
    assert [e["outcome"] for e in audit.entries()] == ["pending", "unknown"]
    await client.aclose()


async def test_read_only_refuses_a_planned_request_too(make_client, recorder, audit):
    client = make_client(read_only=True)
    request = client.plan_scale_application("prod", "web", 2)  # planning is harmless
    with pytest.raises(ReadOnlyError):
        await client.send(request)
    assert recorder.requests == []
    assert [e["outcome"] for e in audit.entries()] == ["refused"]
