"""Light storage records (bcs_tui.api.lite) and the list views built on them: the same answers as
the typed path, unchanged records and rows reused across refreshes, errors as before."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bcs_tui.api import models as m
from bcs_tui.api.client import BcsClient
from bcs_tui.api.errors import ApiError, AuthError, ProtocolError
from bcs_tui.api.lite import ApplicationStatusLite, PodStatusLite, decode_storage_lite
from bcs_tui.resources import (
    APPLICATIONS,
    TASKGROUPS,
    RenderContext,
    object_name,
    object_namespace,
    tg_host_ip,
    tg_restarts,
    to_jsonable,
)
from bcs_tui.ui.screens.browser import build_rows

CLUSTER = "BCS-MESOS-10001"


def taskgroup(i: int, *, status: str = "Running", message: str = "pod is running", restarts: int = 0,
              ns: str = "prod") -> dict[str, Any]:
    tg_id = f"{i % 3}.web-{i // 3:03d}.{ns}.10001.{1700000000000000000 + i}"
    return {
        "_id": "", "clusterId": CLUSTER, "namespace": ns, "resourceName": tg_id, "resourceType": "taskgroup",
        "createTime": "2025-10-03 02:18:04", "updateTime": "2025-10-03 02:18:24",
        "data": {
            "metadata": {"name": tg_id, "namespace": ns, "labels": {"app": f"web-{i // 3:03d}"}},
            "rcname": f"web-{i // 3:03d}", "status": status, "lastStatus": "Starting",
            "hostIP": f"10.0.{i // 250}.{i % 250 + 1}", "hostName": f"node-{i}", "podIP": f"172.17.0.{i % 250 + 2}",
            "message": message, "startTime": "2025-10-03T02:18:04+08:00", "kind": "application",
            "unknownKey": {"kept": True},
            "containerStatuses": [
                {"name": "c0", "containerID": f"abc{i}", "restartCount": restarts, "status": status,
                 "image": "registry/web:1.0", "healCheckStatus": None, "containerPort": None},
                {"name": "sidecar", "containerID": f"def{i}", "restartCount": 0, "status": "Running",
                 "image": "registry/log:2.0"},
            ],
        },
    }


def application(i: int, *, status: str = "Running", kind: str = "application") -> dict[str, Any]:
    name = f"web-{i:03d}"
    return {
        "_id": "", "clusterId": CLUSTER, "namespace": "prod", "resourceName": name, "resourceType": kind,
        "createTime": "2025-10-03 02:17:34", "updateTime": "2025-10-03 02:18:34",
        "data": {"metadata": {"name": name, "namespace": "prod"}, "instance": 3, "buildedInstance": 3,
                 "runningInstance": 2 if status != "Running" else 3, "createTime": "2025-10-03T02:17:34+08:00",
                 "status": status, "message": "", "pods": [{"name": f"0.{name}.prod.10001.1"}], "kind": kind},
    }


def envelope(records: list[Any], **kw: Any) -> bytes:
    return json.dumps({"code": 0, "message": "Success", "result": True, "data": records, **kw},
                      ensure_ascii=False).encode()


def typed(kind: str, body: bytes) -> list[Any]:
    """The typed path's answer, unwrapped: what list views used before."""
    from bcs_tui.api.client import _models, decode_envelope

    record = m.StorageRecord[m.STORAGE_DATA_MODELS[kind]]
    return [r.data for r in _models(record, decode_envelope(200, body), kind)]


# ------------------------------------------------------------------ decoding


def test_light_taskgroups_answer_like_the_typed_models():
    body = envelope([taskgroup(i, restarts=i % 4) for i in range(30)])
    lite = decode_storage_lite("taskgroup", 200, body)
    full = typed("taskgroup", body)
    assert [type(o) for o in lite] == [PodStatusLite] * 30
    for light, model in zip(lite, full):
        assert light.metadata.name == model.metadata.name and light.metadata.namespace == model.metadata.namespace
        assert (light.status, light.host_ip, light.pod_ip, light.message, light.rcname, light.start_time) == (
            model.status, model.host_ip, model.pod_ip, model.message, model.rcname, model.start_time)
        assert light.restart_count == model.restart_count
        assert light._full is None  # nothing parsed yet
    light, model = lite[7], full[7]
    # Any other attribute comes from the full typed object, parsed once on demand.
    assert light.container_statuses == model.container_statuses
    assert light.metadata.labels == {"app": "web-002"}
    assert light.full() is light.full()
    # describe / copy get the server's JSON, unknown keys included.
    assert to_jsonable(light) == to_jsonable(model)
    assert to_jsonable(light)["unknownKey"] == {"kept": True}


def test_helpers_and_rows_never_parse_the_full_objects():
    body = envelope([taskgroup(i, restarts=i % 2) for i in range(50)])
    lite = decode_storage_lite("taskgroup", 200, body)
    full = typed("taskgroup", body)
    rc = RenderContext(now=1800000000.0, all_namespaces=True)
    light_rows = build_rows(TASKGROUPS, lite, rc)
    model_rows = build_rows(TASKGROUPS, full, rc)
    assert [(r.key, r.cells, r.sort_values, r.styles, r.bad) for r in light_rows] == [
        (r.key, r.cells, r.sort_values, r.styles, r.bad) for r in model_rows]
    assert all(o._full is None for o in lite)
    assert (object_name(lite[1]), object_namespace(lite[1]), tg_host_ip(lite[1]), tg_restarts(lite[1])) == (
        object_name(full[1]), object_namespace(full[1]), tg_host_ip(full[1]), tg_restarts(full[1]))


def test_light_applications_rows_match():
    body = envelope([application(i, status="Running" if i % 4 else "Abnormal") for i in range(12)])
    lite = decode_storage_lite("application", 200, body)
    full = typed("application", body)
    assert all(type(o) is ApplicationStatusLite for o in lite)
    rc = RenderContext(now=1800000000.0, all_namespaces=True)
    assert [(r.key, r.cells, r.styles, r.bad) for r in build_rows(APPLICATIONS, lite, rc)] == [
        (r.key, r.cells, r.styles, r.bad) for r in build_rows(APPLICATIONS, full, rc)]
    assert lite[0].pods == full[0].pods


@pytest.mark.parametrize("dumps", [
    lambda d: json.dumps(d, indent=2),  # pretty-printed, newlines between records
    lambda d: json.dumps({"data": d["data"], "result": True, "message": "", "code": 0}),  # data first
    lambda d: json.dumps(d, ensure_ascii=False),  # raw UTF-8 text
])
def test_any_valid_json_layout_decodes(dumps):
    tgs = [taskgroup(i) for i in range(5)]
    # Text that looks like a record boundary inside a string must not confuse the walk.
    tgs[2]["data"]["message"] = 'oops},{"_id":"x", 容器退出 ] }'
    body = dumps({"code": 0, "message": "Success", "result": True, "data": tgs}).encode()
    lite = decode_storage_lite("taskgroup", 200, body)
    assert [o.message for o in lite] == [t["data"]["message"] for t in tgs]
    again = decode_storage_lite("taskgroup", 200, body, previous=lite)
    assert all(a is b for a, b in zip(lite, again))


@pytest.mark.parametrize("status,body,error", [
    (200, b'{"code": 4001, "message": "namespace not found", "result": false, "data": null}', ApiError),
    (200, b'not json at all', ProtocolError),
    (200, b'{"code":0,"data":[{"_id":"", "data": {"metadata": {"name": "x"}}}', ProtocolError),  # cut off
    (200, b'{"code":0,"data":[1, 2]}', ProtocolError),
    (200, b'{"code":0,"data":[{"_id":"","data":null}]}', ProtocolError),
    (401, b'{"code": 401, "message": "token expired"}', AuthError),
    (500, b'', ProtocolError),
])
def test_errors_are_those_of_the_typed_path(status, body, error):
    with pytest.raises(error):
        decode_storage_lite("taskgroup", status, body)


@pytest.mark.parametrize("data", [None, [], {}])
def test_empty_answers_are_empty_lists(data):
    body = json.dumps({"code": 0, "message": "", "result": True, "data": data}).encode()
    assert decode_storage_lite("application", 200, body) == []


def test_an_invalid_record_still_lists_and_describe_shows_its_raw_data():
    tg = taskgroup(1)
    tg["data"]["containerStatuses"] = "not a list"
    lite = decode_storage_lite("taskgroup", 200, envelope([tg]))
    assert lite[0].status == "Running"
    with pytest.raises(ProtocolError):
        lite[0].full()
    assert to_jsonable(lite[0])["containerStatuses"] == "not a list"


# ------------------------------------------------------------------ refreshes


def test_unchanged_records_are_reused_changed_ones_read_again():
    tgs = [taskgroup(i) for i in range(20)]
    first = decode_storage_lite("taskgroup", 200, envelope(tgs))
    first[3].full()  # a describe happened on this one
    # One changed, one deleted, one added, two swapped.
    tgs[5] = taskgroup(5, status="Failed", message="container exited with code 137")
    del tgs[9]
    tgs.insert(12, taskgroup(99))
    tgs[15], tgs[16] = tgs[16], tgs[15]
    second = decode_storage_lite("taskgroup", 200, envelope(tgs), previous=first)
    by_name = {o.metadata.name: o for o in first}
    assert [o.metadata.name for o in second] == [t["data"]["metadata"]["name"] for t in tgs]
    reused = [o for o in second if by_name.get(o.metadata.name) is o]
    assert len(reused) == 18  # all but the changed and the new one
    changed = second[5]
    assert changed is not by_name[changed.metadata.name]
    assert (changed.status, changed.message) == ("Failed", "container exited with code 137")
    assert second[3]._full is not None  # the reused object keeps what it knew
    assert second[12].metadata.name == taskgroup(99)["data"]["metadata"]["name"]


def test_rows_of_unchanged_objects_are_reused_and_ages_move_on():
    tgs = [taskgroup(i) for i in range(10)]
    first = decode_storage_lite("taskgroup", 200, envelope(tgs))
    start = m.PodStatus.model_validate(tgs[0]["data"]).start_time
    from bcs_tui.resources import to_epoch

    t0 = to_epoch(start)
    rc = RenderContext(now=t0 + 30, all_namespaces=True)
    rows = build_rows(TASKGROUPS, first, rc)
    age = [c.title for c in TASKGROUPS.visible_columns(True)].index("AGE")
    assert rows[0].cells[age] == "30s"
    tgs[4] = taskgroup(4, status="Lost")
    second = decode_storage_lite("taskgroup", 200, envelope(tgs), previous=first)
    same_clock = build_rows(TASKGROUPS, second, rc, rows)
    assert [a is b for a, b in zip(rows, same_clock)] == [True] * 4 + [False] + [True] * 5
    assert same_clock[4].cells[2] == "Lost" and same_clock[4].bad
    later = build_rows(TASKGROUPS, second, RenderContext(now=t0 + 300, all_namespaces=True), same_clock)
    assert {r.cells[age] for r in later} == {"5m"}
    fresh = build_rows(TASKGROUPS, second, RenderContext(now=t0 + 300, all_namespaces=True))
    assert [r.cells for r in later] == [r.cells for r in fresh]
    assert [r.sort_values for r in later] == [r.sort_values for r in fresh]


# ------------------------------------------------------------------ the client


async def test_client_light_query_sends_the_storage_query_and_reuses():
    tgs = [taskgroup(i) for i in range(6)]
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(200, content=envelope(tgs), headers={"content-type": "application/json"})

    client = BcsClient("http://bcs", CLUSTER, "t0ken-value", transport=httpx.MockTransport(handle))
    try:
        first = await client.storage_query_lite("taskgroup", ["prod", "dev"])
        tgs[2] = taskgroup(2, status="Failed")
        second = await client.storage_query_lite("taskgroup", ["prod", "dev"], previous=first)
        assert await client.storage_query_lite("taskgroup", []) == []  # explicit empty scope: no request
    finally:
        await client.aclose()
    assert len(sent) == 2
    assert sent[0].method == "POST"
    assert sent[0].url.path == f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CLUSTER}/taskgroup"
    assert json.loads(sent[0].content) == {"namespace": "prod,dev"}
    assert [a is b for a, b in zip(first, second)] == [True, True, False, True, True, True]
    assert second[2].status == "Failed"


@pytest.mark.parametrize("cls", [PodStatusLite, ApplicationStatusLite])
def test_declared_model_fields_are_the_models(cls):
    """The light classes list their model's fields without importing the models (start-up);
    `resources.g` reaches any of them through the full object."""
    from bcs_tui.api.lite import OBJECT_META_FIELDS

    assert set(cls.MODEL_FIELDS) == set(cls.model().model_fields)
    assert set(OBJECT_META_FIELDS) == set(m.ObjectMeta.model_fields)
