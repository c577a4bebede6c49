"""Retries (GET only), no retry on writes, write timeouts, read-only refusal, audit lines."""

from __future__ import annotations

import inspect
import json
import os
import stat
from typing import Any

import httpx
import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.api.errors import (
    ApiError,
    InvalidRequest,
    ReadOnlyError,
    TransportError,
    WriteOutcomeUnknown,
)
from bcs_tui.audit import AuditLog, default_audit_path
from tests.api.conftest import CLUSTER, TOKEN, Recorder, ok
from tests.api.test_client_routes import CASES

WRITE_CASES = [c for c in CASES if getattr(getattr(BcsClient, c[0]), "bcs_write", False)]


def flaky(failures: list[Any], final: httpx.Response | None = None):
    """A responder that raises/returns each of `failures` in turn, then `final`."""
    queue = list(failures)

    def respond(request: httpx.Request) -> httpx.Response:
        if queue:
            item = queue.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        return final or ok(["1"])

    return respond


# --- retries ----------------------------------------------------------------------------------


async def test_get_retries_transport_errors_then_succeeds(make_client):
    rec = Recorder(flaky([httpx.ConnectError("refused"), httpx.ReadTimeout("slow")]))
    client = make_client(transport=rec.transport, get_retries=2)
    assert await client.list_versions("prod", "web") == ["1"]
    assert len(rec.requests) == 3
    assert client.stats.retries == 2 and client.stats.requests == 3


async def test_get_retries_5xx_then_succeeds(make_client):
    rec = Recorder(flaky([httpx.Response(502, text="bad gateway"), httpx.Response(503, text="busy")]))
    client = make_client(transport=rec.transport, get_retries=2)
    assert await client.list_versions("prod", "web") == ["1"]
    assert len(rec.requests) == 3


async def test_get_retries_are_bounded(make_client):
    rec = Recorder(flaky([httpx.ConnectError("refused")] * 10))
    client = make_client(transport=rec.transport, get_retries=2)
    with pytest.raises(TransportError) as info:
        await client.get_cluster_offers()
    assert not isinstance(info.value, WriteOutcomeUnknown)
    assert len(rec.requests) == 3
    assert "cannot connect" in info.value.message
    assert client.stats.errors == 1


async def test_get_timeout_is_transport_error_with_timed_out(make_client):
    rec = Recorder(flaky([httpx.ReadTimeout("slow")] * 5))
    client = make_client(transport=rec.transport, get_retries=1)
    with pytest.raises(TransportError) as info:
        await client.get_cluster_offers()
    assert info.value.timed_out
    assert len(rec.requests) == 2


async def test_business_errors_and_4xx_are_not_retried(make_client):
    body = {"result": False, "code": 1405200, "message": "x", "data": {}}
    rec = Recorder(lambda r: httpx.Response(200, json=body))
    client = make_client(transport=rec.transport, get_retries=3)
    with pytest.raises(ApiError):
        await client.get_cluster_offers()
    assert len(rec.requests) == 1


async def test_storage_query_post_is_a_read_and_retries(make_client):
    rec = Recorder(flaky([httpx.ConnectError("refused")], ok([])))
    client = make_client(transport=rec.transport, get_retries=2, read_only=True)
    assert await client.storage_applications("prod") == []
    assert [r.method for r in rec.requests] == ["POST", "POST"]


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda c: c[0])
async def test_writes_never_retry_on_5xx(make_client, case):
    name, args, kwargs = case[0], case[1], case[2]
    rec = Recorder(lambda r: httpx.Response(503, text="Service Unavailable"))
    client = make_client(transport=rec.transport, get_retries=5)
    with pytest.raises(Exception):  # noqa: B017 -- any error, as long as nothing is retried
        await getattr(client, name)(*args, **kwargs)
    assert len(rec.requests) == 1


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("slow"), httpx.WriteTimeout("slow"), httpx.RemoteProtocolError("reset")])
async def test_write_without_answer_is_outcome_unknown_and_not_retried(make_client, audit, exc):
    rec = Recorder(flaky([exc] * 5))
    client = make_client(transport=rec.transport, get_retries=5)
    with pytest.raises(WriteOutcomeUnknown) as info:
        await client.delete_application("prod", "web")
    assert len(rec.requests) == 1
    assert "may or may not" in info.value.message
    assert isinstance(info.value, TransportError)
    intent, entry = audit.entries()
    assert intent["phase"] == "intent" and intent["id"] == entry["id"] and intent["time"] == entry["time"]
    assert entry["outcome"] == "unknown" and entry["method"] == "DELETE"


async def test_write_that_could_not_connect_says_nothing_was_sent(make_client, audit):
    rec = Recorder(flaky([httpx.ConnectError("refused")] * 5))
    client = make_client(transport=rec.transport)
    with pytest.raises(TransportError) as info:
        await client.scale_application("prod", "web", 3)
    assert not isinstance(info.value, WriteOutcomeUnknown)
    assert "nothing was sent" in info.value.message
    assert len(rec.requests) == 1
    assert outcomes(audit)[0]["outcome"] == "error"


# --- read-only --------------------------------------------------------------------------------


def _dummy(param: inspect.Parameter) -> Any:
    name = param.name
    if name in ("body", "spec"):
        return {}
    if name in ("settings", "taints"):
        return [{}]
    if name == "instances":
        return 2
    if name == "signal":
        return 9
    if name == "ips":
        return "10.0.0.1"
    if name == "enforce" or name == "only_resource":
        return False
    if name == "kind":
        return "application"
    return "x"


async def test_read_only_refuses_every_write_method_with_zero_requests(make_client, audit):
    """Iterates over every public coroutine method: writes must refuse with no request; a
    method that is not marked as a write must not send anything but GET or a storage query."""
    rec = Recorder(lambda r: ok(None))
    client = make_client(transport=rec.transport, read_only=True)
    writes = set(BcsClient.write_methods())
    assert len(writes) >= 45
    for name, fn in inspect.getmembers(BcsClient, inspect.iscoroutinefunction):
        if name.startswith("_") or name == "aclose":
            continue
        params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
        args = [_dummy(p) for p in params if p.default is inspect.Parameter.empty]
        before = len(rec.requests)
        try:
            await getattr(client, name)(*args)
        except ReadOnlyError:
            assert name in writes
        except Exception:
            pass
        sent = rec.requests[before:]
        if name in writes:
            assert sent == [], f"{name} sent a request in read-only mode"
        for req in sent:
            assert req.method == "GET" or req.url.path.startswith("/bcsapi/v4/storage/query/"), \
                f"{name} sent {req.method} {req.url.path} in read-only mode but is not marked as a write"
    refused = [e for e in audit.entries() if e["outcome"] == "refused"]
    assert {e["operation"] for e in refused} == writes
    assert all(e["method"] == "-" and e["path"] == "" for e in refused)


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda c: c[0])
async def test_read_only_refuses_real_write_calls(make_client, case):
    rec = Recorder(lambda r: ok(None))
    client = make_client(transport=rec.transport, read_only=True)
    with pytest.raises(ReadOnlyError) as info:
        await getattr(client, case[0])(*case[1], **case[2])
    assert rec.requests == []
    assert "read-only" in info.value.message


async def test_read_only_still_reads(make_client, recorder):
    client = make_client(read_only=True)
    await client.list_applications("prod")
    await client.storage_list("taskgroup")
    assert len(recorder.requests) == 2


# --- local validation: bad input, nothing sent ------------------------------------------------


@pytest.mark.parametrize("call,path", [
    (lambda c: c.scale_application("prod", "web", 0), "instances"),
    (lambda c: c.scale_deployment("prod", "dep", -1), "instances"),
    (lambda c: c.scale_application("prod", "web", "many"), "instances"),
    (lambda c: c.create_application("prod", {"kind": "deployment"}), "kind"),
    (lambda c: c.create_application("dev", {"apiVersion": "v4", "kind": "application",
                                            "metadata": {"name": "w", "namespace": "prod"}}), "metadata.namespace"),
    (lambda c: c.create_application("prod", {"apiVersion": "v4", "kind": "application", "metadata": {"name": "a.b"},
                                             "spec": {"instance": 1, "template": {"spec": {"containers": [{"image": "i"}]}}}}),
     "metadata.name"),
    (lambda c: c.create_configmap("prod", {"apiVersion": "v4", "kind": "configmap", "metadata": {"name": "c"}}),
     "metadata.namespace"),
    (lambda c: c.disable_agent_list([]), "ips"),
    (lambda c: c.enable_agent_list("not-an-ip"), "ips"),
    (lambda c: c.taint_agents([{"innerIP": "10.0.0.1", "noSchedule": {"": "x"}}]), "[0].noSchedule"),
    (lambda c: c.send_application_signal("prod", "web", 0, "nginx"), "msgdata.signal"),
    (lambda c: c.send_command("pod", "prod", "web", {"command": ["ls"]}), "kind"),
    (lambda c: c.send_command("application", "prod", "web", {"command": []}), "spec.command"),
    (lambda c: c.send_command("application", "prod", "web",
                              {"command": ["ls"], "commandTargetRef": {"kind": "Application", "namespace": "x", "name": "web"}}),
     "spec.commandTargetRef.namespace"),
    (lambda c: c.commit_image("0.a.b.1.2", "", "hub/x:v2"), "image"),
    (lambda c: c.rescheduler_taskgroup("prod", "web", "0.web.prod.1.2", host_retain_time=-5), "hostRetainTime"),
    (lambda c: c.update_agent_setting_list({"ips": ["10.0.0.1"], "name": "k", "valuetype": 102}), "valuetype"),
])
async def test_bad_input_is_refused_before_sending(make_client, recorder, call, path):
    client = make_client()
    with pytest.raises(InvalidRequest) as info:
        await call(client)
    assert recorder.requests == []
    assert any(p.startswith(path) for p, _ in info.value.problems), info.value.problems


# --- audit ------------------------------------------------------------------------------------


def outcomes(audit):
    """The outcome lines (each sent write also has an intent line written before it went out)."""
    return [e for e in audit.entries() if e.get("phase") != "intent"]


async def test_every_write_is_audited_without_token_or_secret_contents(make_client, audit, tmp_path):
    secret = {"apiVersion": "v4", "kind": "secret", "metadata": {"name": "db", "namespace": "prod"},
              "datas": {"password": {"content": "c3VwZXItc2VjcmV0LXBhc3N3b3Jk"}}}
    failing = {"result": False, "code": 1405202, "message": "(bcs-scheduler):secret not exist", "data": {}}
    responses = [ok(None), httpx.Response(200, json=failing), ok(None)]
    rec = Recorder(lambda r: responses.pop(0))
    client = make_client(transport=rec.transport, operator="alice")
    await client.create_secret("prod", secret)
    with pytest.raises(ApiError):
        await client.update_secret("prod", secret)
    await client.disable_agent_list(["10.0.0.5", "10.0.0.6"])

    entries = outcomes(audit)
    assert len(entries) == 3
    assert [e["phase"] for e in audit.entries()] == ["intent", "outcome"] * 3
    first, second, third = entries
    assert first["method"] == "POST" and first["path"] == "/bcsapi/v4/scheduler/mesos/namespaces/prod/secrets"
    assert first["outcome"] == "ok" and first["code"] == 0
    assert first["context"] == "prod-ctx" and first["cluster"] == CLUSTER and first["operator"] == "alice"
    assert first["time"].endswith("+00:00") and first["operation"] == "create_secret"
    assert second["outcome"] == "error" and second["code"] == 1405202 and "secret not exist" in second["message"]
    assert third["query"] == {"ips": "10.0.0.5,10.0.0.6"} and third["path"].endswith("/agentsettings/disable")
    raw = audit.path.read_text()
    assert TOKEN not in raw
    assert "c3VwZXItc2VjcmV0LXBhc3N3b3Jk" not in raw and "super-secret" not in raw
    assert "password" not in raw


async def test_reads_are_not_audited(make_client, audit):
    client = make_client()
    await client.list_applications("prod")
    await client.storage_applications("prod")
    assert audit.entries() == []


def test_audit_file_and_dir_permissions(tmp_path):
    log = AuditLog(tmp_path / "new" / "dir" / "audit.jsonl")
    log.record(context="c", cluster="k", method="PUT", path="/p", outcome="ok", code=0, message="success")
    log.record(context="c", cluster="k", method="PUT", path="/p", outcome="error", code=1, message="x")
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log.path.parent).st_mode) == 0o700
    lines = log.path.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["path"] == "/p" for line in lines)


def test_audit_failure_does_not_raise(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    log = AuditLog(blocker / "audit.jsonl")  # parent is a file: cannot create
    log.record(context="c", cluster="k", method="PUT", path="/p", outcome="ok")
    assert log.last_error


def test_default_audit_path_is_in_the_state_dir():
    path = default_audit_path()
    assert path.name == "audit.jsonl" and "bcs-tui" in str(path)


async def test_large_bodies_are_decoded_correctly(make_client):
    apps = [{"Kind": "application", "ID": f"app-{i}", "Name": f"app-{i}", "ObjectMeta": {"name": f"app-{i}",
             "namespace": "prod", "labels": {"k": "v" * 50}}, "Status": "Running", "Message": "x" * 100}
            for i in range(3000)]
    rec = Recorder(lambda r: ok(apps))
    client = make_client(transport=rec.transport)
    got = await client.list_applications("prod")
    assert len(rec.last.content) == 0 and client.stats.bytes > 256 * 1024
    assert len(got) == 3000 and got[-1].name == "app-2999"


# --- TLS settings -----------------------------------------------------------------------------


def test_tls_verify_by_default_and_insecure_switch():
    import ssl

    ctx = BcsClient._ssl_context(True, None)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    ctx = BcsClient._ssl_context(False, None)
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname


def test_tls_missing_ca_or_cert_file_is_a_clear_error(tmp_path):
    with pytest.raises(TransportError) as info:
        BcsClient._ssl_context(str(tmp_path / "missing-ca.pem"), None)
    assert "TLS setup failed" in info.value.message
    with pytest.raises(TransportError):
        BcsClient._ssl_context(True, (str(tmp_path / "c.pem"), str(tmp_path / "k.pem")))


async def test_client_without_transport_builds_tls_and_closes():
    client = BcsClient("bcs.example.com", CLUSTER, TOKEN, verify=False)
    assert client.server == "https://bcs.example.com"
    await client.aclose()


async def test_refused_connection_on_loopback_is_transport_error():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    async with BcsClient(f"http://127.0.0.1:{port}", CLUSTER, TOKEN, get_retries=1, backoff=0.0, timeout=2.0) as client:
        with pytest.raises(TransportError) as info:
            await client.get_cluster_resources()
    assert "cannot connect" in info.value.message and TOKEN not in info.value.message
