"""Storage reads at real scale (issue 17): complete queries with string limit/offset, projected
rows decoded by msgspec, bad records that do not lose the list, the body-size limit, the overall
read deadline, the cluster-id check and the watch stream decoder."""

from __future__ import annotations

import asyncio
import json
from typing import Any, AsyncIterator

import httpx
import pytest

from bcs_tui.api.client import DeadlineExceeded
from bcs_tui.api.errors import ApiError, ProtocolError
from bcs_tui.api.records import AppRow, TaskGroupRow, projection
from bcs_tui.api.watch import ADD, BREAK, CHANGE, DELETE, WatchCut, WatchDecoder, WatchUnavailable

from .conftest import CLUSTER, Recorder, ok

SQ = f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CLUSTER}"
WATCH = f"/bcsapi/v4/storage/dynamic/watch/{CLUSTER}"


def tg_record(i: int, ns: str = "prod", **data: Any) -> dict[str, Any]:
    name = f"{i}.web.{ns}.10001.1700000000{i:09d}"
    body = {"metadata": {"name": name, "namespace": ns}, "rcname": "web", "status": "Running",
            "hostIP": "10.0.0.5", "podIP": f"172.16.0.{i % 250}", "message": "",
            "startTime": "2026-01-01T00:00:00+08:00", "lastUpdateTime": "2026-01-01T00:00:00+08:00",
            "reportTime": "2026-01-01T00:04:00+08:00", "kind": "application",
            "containerStatuses": [{"restartCount": 1, "image": "x"}, {"restartCount": 3, "image": "y"}]}
    body.update(data)
    return {"_id": f"id{i}", "clusterId": CLUSTER, "namespace": ns, "resourceName": name,
            "resourceType": "taskgroup", "data": body}


class PagedStorage:
    """A storage that applies limit/offset as the real one does: strings only, else the 3,000 cap."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        limit = body.get("limit") if isinstance(body.get("limit"), str) else ""
        offset = body.get("offset") if isinstance(body.get("offset"), str) else ""
        n = int(limit or 0) or 3000
        start = int(offset or 0)
        return ok(self.records[start:start + n])


async def test_a_list_is_complete_and_sends_limit_and_offset_as_strings(make_client):
    storage = PagedStorage([tg_record(i) for i in range(25)])
    client = make_client(transport=Recorder(storage).transport, storage_page=10)
    rows = await client.storage_list("taskgroup")
    assert len(rows) == 25 and len({r.name for r in rows}) == 25
    # all namespaces: no namespace key; limit/offset are JSON strings, never numbers
    assert [(b.get("limit"), b.get("offset")) for b in storage.bodies] == [("10", None), ("10", "10"), ("10", "20")]
    assert all("namespace" not in b for b in storage.bodies)
    assert storage.bodies[0]["field"] == projection(TaskGroupRow)


async def test_default_page_is_one_answer_of_50000(make_client):
    storage = PagedStorage([tg_record(i) for i in range(3500)])
    client = make_client(transport=Recorder(storage).transport)
    rows = await client.storage_list("taskgroup", ["prod", "dev"])
    assert len(rows) == 3500  # more than the 3,000 cap
    assert storage.bodies == [{"namespace": "prod,dev", "limit": "50000", "field": projection(TaskGroupRow)}]
    full = await client.storage_query("taskgroup")
    assert len(full) == 3500 and storage.bodies[-1] == {"limit": "50000"}


async def test_pages_that_overlap_are_deduplicated(make_client):
    records = [tg_record(i) for i in range(6)]
    pages = [records[0:4], records[2:6], []]

    def answer(request: httpx.Request) -> httpx.Response:
        return ok(pages.pop(0))

    client = make_client(transport=Recorder(answer).transport, storage_page=4)
    rows = await client.storage_list("taskgroup")
    assert [r.name for r in rows] == [r["resourceName"] for r in records]


def test_projection_paths_come_from_the_row_declaration():
    fields = projection(TaskGroupRow).split(",")
    assert "data.hostIP" in fields and "data.containerStatuses.restartCount" in fields
    assert "data.metadata.name" in fields and "_isBcsObjectDeleted" in fields
    assert all(f.startswith("data.") or f == "_isBcsObjectDeleted" for f in fields)
    assert "data.instance" in projection(AppRow).split(",")


async def test_projected_rows_decode_and_compare_by_value(make_client):
    records = [tg_record(1), tg_record(2, message="OOM"), dict(tg_record(3), _isBcsObjectDeleted=True)]
    client = make_client(transport=Recorder(lambda r: ok(records)).transport)
    rows = await client.storage_list("taskgroup")
    assert [r.name for r in rows] == [records[0]["resourceName"], records[1]["resourceName"]]  # soft-deleted left out
    tg = rows[1]
    assert (tg.namespace, tg.rcname, tg.status, tg.host_ip, tg.message, tg.restart_count) == \
        ("prod", "web", "Running", "10.0.0.5", "OOM", 3)
    # The 240 s re-report changes reportTime only: the row is equal, so its cells need no rebuild.
    again = await client.storage_list("taskgroup")
    assert again[0] == rows[0] and again[0] is not rows[0]


async def test_one_bad_record_does_not_lose_the_others(make_client):
    good = [tg_record(i) for i in range(3)]
    deep = b"[" * 100_000 + b"]" * 100_000
    body = (b'{"code":0,"result":true,"message":"success","data":[' + json.dumps(good[0]).encode()
            + b',{"resourceName":"deep.one","data":{"metadata":{"name":"d"},"message":' + deep + b'}},'
            + json.dumps(good[1]).encode().replace(b'"Running"', b'"Run\xffning"') + b","
            + json.dumps(tg_record(9, status=17)).encode() + b","
            + json.dumps(tg_record(10, status=["not", "text"])).encode() + b","
            + json.dumps(good[2]).encode() + b"]}")
    client = make_client(transport=Recorder(lambda r: httpx.Response(200, content=body)).transport)
    rows = await client.storage_list("taskgroup")
    names = [r.name for r in rows]
    assert names[0] == good[0]["resourceName"] and names[-1] == good[2]["resourceName"]
    assert good[1]["resourceName"] in names  # its one bad byte shown as U+FFFD
    assert next(r for r in rows if r.name == good[1]["resourceName"]).status == "Run\ufffdning"
    assert tg_record(9)["resourceName"] in names  # a number where text was expected: read leniently
    problems = " | ".join(rows.problems)
    assert "invalid UTF-8 at byte" in problems
    assert "(deep.one): JSON nested too deeply" in problems or "(deep.one)" in problems
    assert tg_record(10)["resourceName"] in problems and len(rows.problems) == 3
    assert "cut off in transit" not in problems


async def test_errors_are_still_errors(make_client):
    answers = [httpx.Response(200, json={"result": False, "code": 1405085, "message": "list resource failed.",
                                         "data": []}),
               httpx.Response(200, content=b'{"code":0,"data":[{"data":{'),
               httpx.Response(200, json={"result": True, "code": 0, "message": "success", "data": {"x": 1}})]
    client = make_client(transport=Recorder(lambda r: answers.pop(0)).transport)
    with pytest.raises(ApiError) as info:
        await client.storage_list("taskgroup")
    assert info.value.code == 1405085
    with pytest.raises(ProtocolError, match="not valid JSON"):
        await client.storage_list("taskgroup")
    with pytest.raises(ProtocolError, match="expected a JSON array"):
        await client.storage_list("taskgroup")


async def test_the_namespace_list_is_complete(make_client):
    # The GET route is built under the 3,000 cap: "late" is missing from it.
    apps = [{"_id": str(i), "data": {"metadata": {"name": f"a{i}", "namespace": ns}}}
            for i, ns in enumerate(["prod", "late", "prod"])]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return ok(["prod", "cm-only"])
        body = json.loads(request.content)
        assert body == {"limit": "50000", "field": "data.metadata.name,data.metadata.namespace,_isBcsObjectDeleted",
                        "kind": ",application,process"}  # process apps have namespaces too
        return ok(apps)

    client = make_client(transport=Recorder(answer).transport)
    assert await client.storage_list_namespaces() == ["cm-only", "late", "prod"]


async def test_a_body_over_the_limit_is_a_clear_error(make_client):
    records = [tg_record(i) for i in range(50)]
    client = make_client(transport=Recorder(lambda r: ok(records)).transport, max_body=4096)
    with pytest.raises(ProtocolError, match="larger than the 4 KB limit"):
        await client.storage_list("taskgroup")

    async def chunks() -> AsyncIterator[bytes]:  # no content-length: counted as it comes
        for _ in range(100):
            yield b" " * 1000

    client = make_client(transport=Recorder(lambda r: httpx.Response(200, content=chunks())).transport,
                         max_body=4096)
    with pytest.raises(ProtocolError, match="larger than"):
        await client.storage_list("taskgroup")


async def test_a_trickling_server_ends_at_the_read_deadline(make_client):
    async def trickle() -> AsyncIterator[bytes]:
        for b in b'{"code":0,"data":[' * 1000:
            await asyncio.sleep(0.01)
            yield bytes([b])

    rec = Recorder(lambda r: httpx.Response(200, content=trickle()))
    client = make_client(transport=rec.transport, read_deadline=0.2, get_retries=2)
    with pytest.raises(DeadlineExceeded) as info:
        await client.storage_list("taskgroup")
    assert info.value.timed_out and "within 0.2s" in info.value.message
    assert len(rec.requests) == 1  # the deadline is for the whole read: not retried


async def test_check_cluster_names_a_wrong_cluster_id(make_client):
    wrong = httpx.Response(400, json={"result": False, "code": 1405234, "data": None,
                                      "message": "http header BCS-ClusterID BCS-MESOS-1 don't exist"})
    rec = Recorder(lambda r: wrong)
    client = make_client(transport=rec.transport, cluster_id="BCS-MESOS-1")
    problem = await client.check_cluster()
    assert problem and "BCS-MESOS-1" in problem and "don't exist" in problem
    assert rec.last.url.path == "/bcsapi/v4/scheduler/mesos/cluster/endpoints"
    assert await make_client(transport=Recorder(lambda r: ok({})).transport).check_cluster() is None


# ---------------------------------------------------------------------------------------------
# Watch stream


def event(kind: int, record: Any) -> bytes:
    return json.dumps({"type": kind, "value": record}).encode()


STREAM = (event(ADD, tg_record(1)) + b"\n" + event(CHANGE, tg_record(2, status="Lost"))
          + event(DELETE, tg_record(1)) + b"\n\n" + event(CHANGE, dict(tg_record(1), _isBcsObjectDeleted=True))
          + event(BREAK, None) + b"\n")


@pytest.mark.parametrize("size", [1, 7, 64, len(STREAM)])
def test_the_stream_decoder_takes_any_split(size):
    decoder = WatchDecoder(TaskGroupRow)
    events = []
    for i in range(0, len(STREAM), size):
        events.extend(decoder.feed(STREAM[i:i + size]))
    assert [(e.type, e.row.status if e.row else None, e.removes) for e in events] == [
        (ADD, "Running", False), (CHANGE, "Lost", False), (DELETE, "Running", True),
        (CHANGE, "Running", True), (BREAK, None, False)]
    assert decoder.pending == 0


def test_a_string_split_across_reads_with_escapes_and_braces():
    tricky = tg_record(1, message='a "quoted" } { \\ and \\" more ' + "x" * 5000)
    raw = event(CHANGE, tricky)
    decoder = WatchDecoder(TaskGroupRow)
    out = []
    for i in range(0, len(raw), 100):
        out.extend(decoder.feed(raw[i:i + 100]))
    assert len(out) == 1 and out[0].row.message == tricky["data"]["message"]


def test_an_unreadable_event_is_named_and_the_stream_goes_on():
    decoder = WatchDecoder(TaskGroupRow)
    out = decoder.feed(b'{"type":3,"value":{"data":{"status":["x"]}}}' + event(ADD, tg_record(5)))
    assert out[0].row is None and "cannot be read" in out[0].problem
    assert out[1].row.name == tg_record(5)["resourceName"]
    with pytest.raises(ProtocolError, match="expected a JSON object"):
        decoder.feed(b"garbage")


def stream_answer(*parts: bytes, status: int = 200):
    async def body() -> AsyncIterator[bytes]:
        for p in parts:
            yield p

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body())

    return answer


async def collect(client, kind="taskgroup") -> list[Any]:
    return [e async for e in client.storage_watch(kind)]


async def test_watch_posts_an_object_and_ends_at_break(make_client):
    rec = Recorder(stream_answer(STREAM[:50], STREAM[50:]))
    client = make_client(transport=rec.transport)
    events = await collect(client)
    assert [e.type for e in events] == [ADD, CHANGE, DELETE, CHANGE, BREAK]
    assert rec.last.method == "POST" and rec.last.url.path == f"{WATCH}/taskgroup"
    assert json.loads(rec.last.content) == {}


async def test_watch_404_is_unavailable_and_a_cut_is_a_cut(make_client):
    client = make_client(transport=Recorder(stream_answer(b"404 page not found", status=404)).transport)
    with pytest.raises(WatchUnavailable, match="404"):
        await collect(client)
    client = make_client(transport=Recorder(stream_answer(event(ADD, tg_record(1)), b'{"type":3,')).transport)
    seen = []
    with pytest.raises(WatchCut, match="without a break"):
        async for e in client.storage_watch("taskgroup"):
            seen.append(e.type)
    assert seen == [ADD]
    client = make_client(transport=Recorder(lambda r: httpx.Response(
        200, json={"result": False, "code": 1405085, "message": "watch failed", "data": None})).transport)
    with pytest.raises(ApiError, match="watch failed"):  # an error envelope instead of events
        await collect(client)


async def test_the_whole_application_table_includes_the_process_apps(sim_client, sim_cluster):
    """The application route's default kind filter (`,application`) leaves process apps out; a
    feed keeps the whole table (its watch stream sends both), so it asks for every kind."""
    from bcs_tui.api.client import WHOLE_APPLICATION_TABLE

    apps = await sim_client.storage_list("application")
    procs = await sim_client.storage_list("process")
    table = await sim_client.storage_list("application", app_kinds=WHOLE_APPLICATION_TABLE)
    assert procs and all(r.kind == "process" for r in procs)
    assert not any(r.kind == "process" for r in apps)
    assert {(r.namespace, r.name) for r in table} == ({(r.namespace, r.name) for r in apps}
                                                       | {(r.namespace, r.name) for r in procs})
    with pytest.raises(Exception, match="kind"):
        await sim_client.storage_list("taskgroup", app_kinds=WHOLE_APPLICATION_TABLE)
