"""bcs-storage's read rules as the simulator serves them (facts §11.1, §11.2, §9), through HTTP:
the 3,000 cap, string-only offset/limit/field, projection, the changed-since filters, wrong
cluster ids, the `endpoints` route, the watch stream and its modes, re-report churn."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import httpx
import pytest

from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.model import CST
from bcs_tui.sim.server import create_app, start_in_loop

from .helpers import app_body

CID = "BCS-MESOS-10001"
P = "/bcsapi/v4/scheduler/mesos"
Q = f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CID}"
W = f"/bcsapi/v4/storage/dynamic/watch/{CID}"
INSPECT = f"/bcsapi/v4/storage/mesos/dynamic/namespace_resources/clusters/{CID}/namespaces"
HEADERS = {"BCS-ClusterID": CID}


def _client(cluster: SimCluster) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(cluster)),
                             base_url="http://sim", headers=HEADERS, timeout=30)


def _records(r: httpx.Response) -> list[dict]:
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["result"] is True and body["code"] == 0 and body["message"] == "success", body
    return body["data"]


def decode_stream(raw: bytes) -> list[dict]:
    """Objects written back to back with nothing between them (the real server's framing)."""
    dec = json.JSONDecoder()
    text = raw.decode()
    out, i = [], 0
    while i < len(text):
        obj, i = dec.raw_decode(text, i)
        out.append(obj)
    return out


@pytest.fixture
def demo() -> SimCluster:
    return SimCluster(clock=SimClock(manual=True))


@pytest.fixture(scope="module")
def large() -> SimCluster:
    return SimCluster(scale="large", clock=SimClock(manual=True))


# --------------------------------------------------------------------------------- cap, paging


async def test_no_limit_or_limit_zero_caps_at_3000_and_a_string_limit_lifts_it(large):
    total = len(large.taskgroups)
    assert total > 20000
    async with _client(large) as h:
        assert len(_records(await h.post(f"{Q}/taskgroup", json={}))) == 3000
        assert len(_records(await h.post(f"{Q}/taskgroup", json={"limit": "0"}))) == 3000
        everything = _records(await h.post(f"{Q}/taskgroup", json={"limit": "50000"}))
        assert len(everything) == total
        assert len({r["resourceName"] for r in everything}) == total


async def test_a_number_in_the_body_is_ignored_and_the_cap_applies_again(large):
    async with _client(large) as h:
        assert len(_records(await h.post(f"{Q}/taskgroup", json={"limit": 50000}))) == 3000
        first = _records(await h.post(f"{Q}/taskgroup", json={"field": "resourceName"}))
        skipped = _records(await h.post(f"{Q}/taskgroup",
                                        json={"offset": 10, "field": "resourceName"}))
        assert skipped == first  # offset 10 as a number: no offset
        # a numeric field is ignored too: whole records
        whole = _records(await h.post(f"{Q}/taskgroup", json={"field": 5, "limit": "1"}))
        assert "data" in whole[0] and "clusterId" in whole[0]


async def test_paging_is_skip_limit_in_a_stable_natural_order(large):
    async with _client(large) as h:
        total = len(large.taskgroups)
        body = {"field": "resourceName", "limit": "100000"}
        all_names = [r["resourceName"] for r in _records(await h.post(f"{Q}/taskgroup", json=body))]
        again = [r["resourceName"] for r in _records(await h.post(f"{Q}/taskgroup", json=body))]
        assert all_names == again  # stable
        assert all_names != sorted(all_names)  # no sort: the order records were stored in
        pages: list[str] = []
        for offset in range(0, total, 7000):
            page = _records(await h.post(f"{Q}/taskgroup", json={
                "field": "resourceName", "offset": str(offset), "limit": "7000"}))
            pages += [r["resourceName"] for r in page]
        assert pages == all_names
        past = _records(await h.post(f"{Q}/taskgroup", json={"offset": str(total), "limit": "5"}))
        assert past == []


async def test_the_get_form_takes_paging_from_the_query_string(large):
    async with _client(large) as h:
        r = await h.get(f"{Q}/taskgroup", params={"limit": "5", "offset": "3",
                                                  "field": "resourceName"})
        got = [x["resourceName"] for x in _records(r)]
        ref = [x["resourceName"] for x in _records(await h.post(f"{Q}/taskgroup", json={
            "limit": "8", "field": "resourceName"}))]
        assert got == ref[3:8]
        assert len(_records(await h.get(f"{Q}/taskgroup"))) == 3000


async def test_namespace_list_is_built_under_the_cap_per_table(large):
    async with _client(large) as h:
        # one more application (the 3,001st record of its table) in a namespace of its own
        r = await h.post(f"{P}/namespaces/zz-late/applications",
                         json=app_body("late", "zz-late", instances=1))
        assert r.json()["result"] is True, r.text
        large.advance(1)
        capped = _records(await h.get(f"{Q}/namespace"))
        assert "zz-late" not in capped and capped
        full = _records(await h.get(f"{Q}/namespace", params={"limit": "100000"}))
        assert "zz-late" in full and set(capped) < set(full)
        # the application query itself finds it only past the cap too
        late = _records(await h.post(f"{Q}/application", json={"namespace": "zz-late"}))
        assert [x["resourceName"] for x in late] == ["late"]  # a filter runs before the cap


# --------------------------------------------------------------------------------- projection


async def test_field_projects_id_plus_the_listed_paths(demo):
    async with _client(demo) as h:
        recs = _records(await h.post(f"{Q}/taskgroup", json={
            "namespace": "pay", "field": "resourceName,data.status,data.hostIP"}))
        assert recs
        for r in recs:
            assert set(r) == {"_id", "resourceName", "data"}
            assert set(r["data"]) == {"status", "hostIP"}
            assert len(r["_id"]) == 24 and int(r["_id"], 16) >= 0
        only_data = _records(await h.post(f"{Q}/application", json={"field": "data.status"}))
        assert all(set(r) == {"_id", "data"} and set(r["data"]) == {"status"} for r in only_data)


async def test_a_path_into_an_array_projects_that_key_in_each_element(demo):
    async with _client(demo) as h:
        recs = _records(await h.post(f"{Q}/taskgroup", json={
            "namespace": "hero-prod", "field": "resourceName,data.containerStatuses.restartCount"}))
        gamesvr = [r for r in recs if ".gamesvr." in r["resourceName"]]
        assert gamesvr
        for r in gamesvr:
            statuses = r["data"]["containerStatuses"]
            assert len(statuses) == 2  # game server + sidecar, each with only restartCount
            assert all(set(s) == {"restartCount"} for s in statuses)


async def test_unknown_paths_and_empty_field(demo):
    async with _client(demo) as h:
        unknown = _records(await h.post(f"{Q}/application", json={"field": "nosuch,data.nosuch"}))
        # an unknown top-level path is left out; a missing sub-path leaves its parent empty
        assert unknown and all(r == {"_id": r["_id"], "data": {}} for r in unknown)
        whole = _records(await h.post(f"{Q}/application", json={"field": ""}))
        assert set(whole[0]) >= {"_id", "clusterId", "namespace", "resourceName", "resourceType",
                                 "createTime", "updateTime", "data"}
        assert "_isBcsObjectDeleted" not in whole[0]


@pytest.mark.parametrize("field", ["data,data.status", "data.status,data", "resourceName,",
                                   "a..b", "$where"])
async def test_a_projection_mongo_refuses_is_list_resource_failed(demo, field):
    async with _client(demo) as h:
        r = await h.post(f"{Q}/application", json={"field": field})
        assert r.status_code == 200
        assert r.json() == {"result": False, "code": 1405085, "message": "list resource failed.",
                            "data": []}


# --------------------------------------------------------------------------------- filters


async def test_namespace_filter_is_exact_comma_parts_and_must_be_a_string(demo):
    async with _client(demo) as h:
        pay = _records(await h.post(f"{Q}/taskgroup", json={"namespace": "pay"}))
        both = _records(await h.post(f"{Q}/taskgroup", json={"namespace": "pay,hero-prod"}))
        spaced = _records(await h.post(f"{Q}/taskgroup", json={"namespace": "pay, hero-prod"}))
        assert pay and {r["namespace"] for r in both} == {"pay", "hero-prod"}
        assert [r["resourceName"] for r in spaced] == [r["resourceName"] for r in pay]
        r = await h.post(f"{Q}/taskgroup", json={"namespace": 5})
        assert r.json()["code"] == 1405085 and r.json()["data"] == []


def _unix(rfc: str) -> int:
    return int(datetime.fromisoformat(rfc).timestamp())


@pytest.mark.parametrize("route", ["taskgroup", "application"])
async def test_last_update_time_begin_keeps_that_second_and_end_drops_it(demo, route):
    async with _client(demo) as h:
        demo.advance(30)
        r = await h.put(f"{P}/namespaces/pay/applications/order/scale/3")
        assert r.json()["result"] is True
        t = int(demo.now())
        demo.advance(0.5)  # the change reached storage, still in second t
        assert int(demo.now()) == t
        ns = {"namespace": "pay"}
        begin = _records(await h.post(f"{Q}/{route}", json={**ns, "lastUpdateTimeBegin": str(t)}))
        names = {x["resourceName"] for x in begin}
        assert names, "records changed in second t are kept by Begin=t"
        for x in begin:
            assert x["data"]["lastUpdateTime"] == datetime.fromtimestamp(t, CST).isoformat()
        older = _records(await h.post(f"{Q}/{route}", json={**ns, "lastUpdateTimeEnd": str(t)}))
        assert names.isdisjoint(x["resourceName"] for x in older)  # End=t drops second t
        assert older and all(_unix(x["data"]["lastUpdateTime"]) < t for x in older)
        after = _records(await h.post(f"{Q}/{route}", json={**ns, "lastUpdateTimeBegin": str(t + 1)}))
        assert after == []
        # not a number: the condition is left out
        junk = _records(await h.post(f"{Q}/{route}", json={**ns, "lastUpdateTimeBegin": "soon"}))
        assert len(junk) == len(_records(await h.post(f"{Q}/{route}", json=ns)))


async def test_last_update_time_does_not_move_on_a_re_report(demo):
    async with _client(demo) as h:
        before = {x["resourceName"]: x for x in _records(await h.post(f"{Q}/application", json={}))}
        t = int(demo.now())
        demo.advance(241)
        after = {x["resourceName"]: x for x in _records(await h.post(f"{Q}/application", json={}))}
        same = [n for n in before if before[n]["data"]["status"] == after[n]["data"]["status"]
                and before[n]["data"]["status"] in ("Running", "Finish")]
        assert same
        for n in same:
            b, a = before[n], after[n]
            assert a["data"]["reportTime"] != b["data"]["reportTime"]
            assert a["updateTime"] != b["updateTime"]
            assert a["data"]["lastUpdateTime"] == b["data"]["lastUpdateTime"]
            strip = {k: v for k, v in a["data"].items() if k != "reportTime"}
            assert strip == {k: v for k, v in b["data"].items() if k != "reportTime"}
            assert a["_id"] == b["_id"] and a["createTime"] == b["createTime"]
        changed = _records(await h.post(f"{Q}/application", json={
            "lastUpdateTimeBegin": str(t + 1)}))
        assert not set(same) & {x["resourceName"] for x in changed}


# --------------------------------------------------------------------------------- routes, ids


async def test_wrong_cluster_id_on_storage_is_an_empty_success(demo):
    async with _client(demo) as h:
        base = "/bcsapi/v4/storage/query/mesos/dynamic/clusters/BCS-MESOS-99999"
        assert _records(await h.post(f"{base}/taskgroup", json={})) == []
        assert _records(await h.post(f"{base}/application", json={"limit": "100"})) == []
        assert _records(await h.get(f"{base}/namespace")) == []
        r = await h.get("/bcsapi/v4/storage/mesos/dynamic/namespace_resources/clusters/"
                        "BCS-MESOS-99999/namespaces/pay/application/order")
        assert r.json() == {"result": False, "code": 1405087, "message": "resource does not exist.",
                            "data": {}}
        # the scheduler keeps refusing it
        r = await h.get(f"{P}/namespaces/pay/applications",
                        headers={"BCS-ClusterID": "BCS-MESOS-99999"})
        assert r.status_code == 400 and r.json()["code"] == 1405234


async def test_endpoints_is_the_route_and_endpoint_is_the_record_type(demo):
    async with _client(demo) as h:
        eps = _records(await h.post(f"{Q}/endpoints", json={}))
        assert eps and {r["resourceType"] for r in eps} == {"endpoint"}
        r = await h.post(f"{Q}/endpoint", json={})
        assert r.status_code == 404 and r.text == "404: Page Not Found"
        one = eps[0]
        r = await h.get(f"{INSPECT}/{one['namespace']}/endpoint/{one['resourceName']}")
        assert r.json()["data"]["resourceName"] == one["resourceName"]


async def test_inspect_reads_the_stored_record(demo):
    async with _client(demo) as h:
        listed = {x["resourceName"]: x for x in _records(await h.post(f"{Q}/application",
                                                                      json={"namespace": "pay"}))}
        r = (await h.get(f"{INSPECT}/pay/application/order")).json()
        assert r["result"] is True and r["data"] == listed["order"]
        r = (await h.get(f"{INSPECT}/pay/application/ghost")).json()
        assert r["code"] == 1405087 and r["message"] == "resource does not exist."


async def test_a_post_body_that_is_not_an_object_is_a_gateway_502(demo):
    async with _client(demo) as h:
        for content in (b"", b"null", b"[]", b'"x"'):
            r = await h.post(f"{Q}/taskgroup", content=content)
            assert r.status_code == 502, content
        r = await h.post(f"{Q}/taskgroup", content=b"{not json")
        assert r.status_code == 200 and r.json()["result"] is True


# --------------------------------------------------------------------------------- watch stream


async def _watch(h: httpx.AsyncClient, cluster: SimCluster, kind: str, body: dict,
                 action, *, settle: float = 1.0) -> list[dict]:
    """Open a watch (it must end by maxEvents), run `action` once subscribed, decode it all."""
    before = cluster.storage.watchers
    task = asyncio.create_task(h.post(f"{W}/{kind}", json=body))
    for _ in range(500):
        if cluster.storage.watchers > before:
            break
        await asyncio.sleep(0.001)
    assert cluster.storage.watchers > before, "the watch never subscribed"
    await action()
    for _ in range(int(settle / 0.5) * 20):
        if task.done():
            break
        cluster.advance(0.5)
        await asyncio.sleep(0.001)
    r = await asyncio.wait_for(task, 10)
    assert r.status_code == 200
    return decode_stream(r.content)


async def test_watch_sends_changes_only_no_snapshot_then_break_at_max_events(demo):
    async with _client(demo) as h:
        async def scale():
            assert (await h.put(f"{P}/namespaces/pay/applications/order/scale/3")).json()["result"]

        events = await _watch(h, demo, "application", {"maxEvents": 1}, scale)
        assert [e["type"] for e in events] == [3, -1]
        assert events[0]["value"]["resourceName"] == "order"  # not a snapshot of every app
        assert events[0]["value"]["_isBcsObjectDeleted"] is False
        assert events[-1] == {"type": -1, "value": None}


async def test_scale_reaches_the_taskgroup_stream_within_a_second(demo):
    async with _client(demo) as h:
        old = {x["resourceName"] for x in _records(await h.post(f"{Q}/taskgroup", json={
            "namespace": "pay", "rcName": "order"}))}

        async def scale():
            assert (await h.put(f"{P}/namespaces/pay/applications/order/scale/"
                                f"{len(old) + 2}")).json()["result"]

        events = await _watch(h, demo, "taskgroup", {"maxEvents": 2}, scale, settle=1.0)
        adds = [e["value"]["resourceName"] for e in events if e["type"] == 1]
        assert len(adds) == 2 and not set(adds) & old
        assert events[-1]["type"] == -1
        now = {x["resourceName"] for x in _records(await h.post(f"{Q}/taskgroup", json={
            "namespace": "pay", "rcName": "order"}))}
        assert set(adds) <= now


async def test_a_delete_is_a_delete_then_a_change_of_the_same_soft_deleted_record(demo):
    async with _client(demo) as h:
        tgs = _records(await h.post(f"{Q}/taskgroup", json={"namespace": "pay", "rcName": "order"}))
        victim = tgs[0]

        async def reschedule():
            r = await h.put(f"{P}/namespaces/pay/applications/order/taskgroups/"
                            f"{victim['resourceName']}/rescheduler")
            assert r.json()["result"] is True

        events = await _watch(h, demo, "taskgroup", {"maxEvents": 10}, reschedule, settle=6.0)
        mine = [e for e in events if e["value"] and e["value"]["resourceName"] == victim["resourceName"]]
        kinds = [e["type"] for e in mine]
        i = kinds.index(2)
        assert kinds[i:i + 2] == [2, 3]
        deleted, change = mine[i]["value"], mine[i + 1]["value"]
        assert deleted == change and deleted["_isBcsObjectDeleted"] is True
        assert deleted["_id"] == victim["_id"]
        gone = {x["resourceName"] for x in _records(await h.post(f"{Q}/taskgroup", json={
            "namespace": "pay"}))}
        assert victim["resourceName"] not in gone
        r = (await h.get(f"{INSPECT}/pay/taskgroup/{victim['resourceName']}")).json()
        assert r["code"] == 1405087


async def test_a_record_recreated_after_a_delete_arrives_as_a_change(demo):
    async with _client(demo) as h:
        assert (await h.post(f"{P}/namespaces/qa/applications",
                             json=app_body("again", instances=1))).json()["result"]
        demo.advance(5)
        first = (await h.get(f"{INSPECT}/qa/application/again")).json()["data"]
        assert (await h.delete(f"{P}/namespaces/qa/applications/again")).json()["result"]
        demo.advance(5)
        assert (await h.get(f"{INSPECT}/qa/application/again")).json()["code"] == 1405087

        async def create():
            r = await h.post(f"{P}/namespaces/qa/applications", json=app_body("again", instances=1))
            assert r.json()["result"] is True

        events = await _watch(h, demo, "application", {"maxEvents": 1}, create)
        assert events[0]["type"] == 3 and events[0]["value"]["resourceName"] == "again"
        assert events[0]["value"]["_isBcsObjectDeleted"] is False
        assert events[0]["value"]["_id"] == first["_id"]


async def test_stream_values_keep_mongo_escaped_keys_the_query_recovers_them(demo):
    async with _client(demo) as h:
        async def scale():
            assert (await h.put(f"{P}/namespaces/pay/applications/order/scale/3")).json()["result"]

        events = await _watch(h, demo, "application", {"maxEvents": 1}, scale)
        labels = events[0]["value"]["data"]["metadata"]["labels"]
        assert "io\uff0etencent\uff0ebcs\uff0ecluster" in labels and not any("." in k for k in labels)
        r = (await h.get(f"{INSPECT}/pay/application/order")).json()["data"]
        assert "io.tencent.bcs.cluster" in r["data"]["metadata"]["labels"]


async def test_only_the_cluster_id_filters_and_a_wrong_one_sees_nothing(demo):
    async with _client(demo) as h:
        wrong = asyncio.create_task(h.post("/bcsapi/v4/storage/dynamic/watch/BCS-MESOS-99999/"
                                           "application", json={"maxEvents": 1}))

        async def scale_two():
            for ns, name in (("pay", "order"), ("hero-prod", "gateway")):
                assert (await h.put(f"{P}/namespaces/{ns}/applications/{name}/scale/2")
                        ).json()["result"]

        events = await _watch(h, demo, "application", {"maxEvents": 2}, scale_two)
        assert {e["value"]["namespace"] for e in events if e["type"] == 3} == {"pay", "hero-prod"}
        assert not wrong.done()
        assert demo.storage.break_streams() == 1  # ends the wrong-id watcher with a break only
        r = await asyncio.wait_for(wrong, 5)
        assert decode_stream(r.content) == [{"type": -1, "value": None}]


async def test_re_report_every_n_seconds_spread_over_the_window_as_change_events():
    cluster = SimCluster(clock=SimClock(manual=True), rereport=20)
    async with _client(cluster) as h:
        tgs = _records(await h.post(f"{Q}/taskgroup", json={"limit": "10000"}))
        n = len(tgs)

        async def nothing():
            return None

        events = await _watch(h, cluster, "taskgroup", {"maxEvents": n}, nothing, settle=20.0)
        changes = [e for e in events if e["type"] == 3]
        assert len(changes) == n and events[-1]["type"] == -1
        assert len({e["value"]["resourceName"] for e in changes}) == n  # each record once
        stamps = sorted({e["value"]["data"]["reportTime"] for e in changes})
        assert len(stamps) >= 10  # spread over the 20 s window, not all in one tick
        by_name = {x["resourceName"]: x for x in tgs}
        for e in changes[:20]:
            v = e["value"]
            old = by_name[v["resourceName"]]
            assert v["data"]["lastUpdateTime"] == old["data"]["lastUpdateTime"]
            assert v["data"]["status"] == old["data"]["status"]


@pytest.mark.parametrize("mode,status,body", [
    ("break", 200, b'{"type":-1,"value":null}'),
    ("none", 404, b"404: Page Not Found")])
async def test_stream_modes_without_a_stream(mode, status, body):
    cluster = SimCluster(clock=SimClock(manual=True), stream_mode=mode)
    async with _client(cluster) as h:
        r = await h.post(f"{W}/taskgroup", json={})
        assert r.status_code == status and r.content == body
        # storage queries still answer
        assert _records(await h.post(f"{Q}/taskgroup", json={"namespace": "pay"}))


async def test_a_watch_body_that_does_not_decode_gets_the_break_event_only(demo):
    async with _client(demo) as h:
        for content in (b"", b"[]", b'{"maxEvents":"3"}', b'{"maxEvents":-1}', b'{"timeout":"30s"}'):
            r = await h.post(f"{W}/taskgroup", content=content)
            assert r.status_code == 200 and r.content == b'{"type":-1,"value":null}', content
        r = await h.get(f"{W}/taskgroup")
        assert r.status_code == 405


async def test_stream_over_a_socket_splits_objects_across_chunks_and_shares_chunks():
    cluster = SimCluster(clock=SimClock(manual=True), rereport=10)
    sim = await start_in_loop(cluster)
    try:
        async with httpx.AsyncClient(base_url=sim.url, headers=HEADERS, timeout=10) as h:
            n = len(cluster.taskgroups)
            async with h.stream("POST", f"{W}/taskgroup", json={"maxEvents": n}) as r:
                assert r.status_code == 200
                for _ in range(200):
                    if cluster.storage.watchers:
                        break
                    await asyncio.sleep(0.005)
                cluster.advance(10)  # every taskgroup is re-reported once
                dec = json.JSONDecoder()
                buf = ""
                pending = b""
                objects: list[dict] = []
                split_inside, shared = 0, 0
                async for chunk in r.aiter_raw():
                    data = pending + chunk
                    try:
                        text = data.decode()
                        pending = b""
                    except UnicodeDecodeError as e:  # a chunk ended inside a UTF-8 character
                        text, pending = data[:e.start].decode(), data[e.start:]
                    buf += text
                    found = 0
                    while buf:
                        try:
                            obj, end = dec.raw_decode(buf)
                        except ValueError:
                            break
                        objects.append(obj)
                        buf = buf[end:]
                        found += 1
                    split_inside += bool(buf or pending)
                    shared += found >= 2 or (found >= 1 and bool(buf))
        assert [o["type"] for o in objects] == [3] * n + [-1]
        assert split_inside > 0 and shared > 0
    finally:
        await sim.stop()


async def test_the_server_writes_objects_split_across_body_messages_and_sharing_them():
    """What the app itself sends (ASGI body messages, before any socket): pieces cut inside
    objects, and pieces holding the end of one object and the start of the next."""
    cluster = SimCluster(clock=SimClock(manual=True), rereport=10)
    app = create_app(cluster)
    n = len(cluster.taskgroups)
    body = json.dumps({"maxEvents": n}).encode()
    sent: list[bytes] = []
    finished = asyncio.Event()
    request_sent = False

    async def receive():
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            assert message["status"] == 200
        elif message["type"] == "http.response.body" and message.get("body"):
            sent.append(message["body"])

    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": "1.1", "method": "POST", "scheme": "http", "path": f"{W}/taskgroup",
             "raw_path": f"{W}/taskgroup".encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"sim"), (b"bcs-clusterid", CID.encode()),
                         (b"content-type", b"application/json")],
             "client": ("127.0.0.1", 1), "server": ("sim", 80)}
    task = asyncio.create_task(app(scope, receive, send))
    for _ in range(200):
        if cluster.storage.watchers:
            break
        await asyncio.sleep(0.005)
    cluster.advance(10)
    await asyncio.wait_for(task, 10)
    finished.set()
    objects = decode_stream(b"".join(sent))
    assert [o["type"] for o in objects] == [3] * n + [-1]
    text, dec, i, bounds = b"".join(sent).decode(), json.JSONDecoder(), 0, set()
    while i < len(text):  # where each object ends, in bytes
        _, i = dec.raw_decode(text, i)
        bounds.add(len(text[:i].encode()))
    cuts, pos = [], 0
    for piece in sent:
        start, pos = pos, pos + len(piece)
        cuts.append((start, pos))
    assert any(end not in bounds for _, end in cuts)  # a piece ends inside an object
    assert any(any(start < b < end for b in bounds) for start, end in cuts)  # spans a boundary


def test_sim_command_flags_reach_the_served_storage():
    import os
    import socket
    import subprocess
    import sys
    import time

    from bcs_tui.cli import main

    assert main(["sim", "--stream-mode", "sometimes"]) == 2  # one line on stderr, nothing served
    assert main(["sim", "--rereport", "-3"]) == 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("import sys; from bcs_tui.cli import main; "
            f"sys.exit(main(['sim', '--port', '{port}', '--stream-mode', 'break', "
            f"'--rereport', '1']))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        line = proc.stdout.readline()
        assert "storage watch: break, re-report every 1 s" in line, line + proc.stderr.read()
        base = f"http://127.0.0.1:{port}/bcsapi/v4/storage"
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.post(f"{base}/dynamic/watch/{CID}/taskgroup", json={}, headers=HEADERS)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert r.status_code == 200 and r.content == b'{"type":-1,"value":null}'

        def report_times() -> dict[str, str]:
            recs = httpx.post(f"{base}/query/mesos/dynamic/clusters/{CID}/application",
                              json={"namespace": "pay"}).json()["data"]
            return {x["resourceName"]: x["data"]["reportTime"] for x in recs}

        first = report_times()
        time.sleep(2.2)
        later = report_times()
        assert first.keys() == later.keys() and all(later[k] > first[k] for k in first)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
