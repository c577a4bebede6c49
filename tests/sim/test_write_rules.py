"""The simulator refuses and does what the real scheduler and driver do with writes (bk-bcs
54bf466a, facts §11.3/§11.4): each rule driven over HTTP through BcsClient (or plain httpx for
a body or route the client does not send) against the simulator, asserting the answer and the
state it leaves."""

from __future__ import annotations

import copy
import json

import pytest

from bcs_tui.api import errors as E
from tests.sim.helpers import app_body, deployment_body

SCHED = "/bcsapi/v4/scheduler/mesos"
STORE = "/bcsapi/v4/storage"
CID = "BCS-MESOS-10001"


async def _running(sim_client, sim_cluster, body, ns="qa"):
    await sim_client.create_application(ns, body)
    sim_cluster.advance(4)
    app = await sim_client.fetch_application(ns, body["metadata"]["name"])
    assert app.status == "Running", app.message
    return app


async def _images(sim_client, name, ns="qa"):
    return [tg.taskgroup[0].image for tg in await sim_client.list_taskgroups(ns, name)]


async def _raw_taskgroups(sim_http, name, ns="qa"):
    r = await sim_http.get(f"{SCHED}/namespaces/{ns}/applications/{name}/taskgroups")
    return r.json()["data"]


async def _storage(sim_http, kind, name, ns="qa"):
    r = await sim_http.get(f"{STORE}/mesos/dynamic/namespace_resources/clusters/{CID}/"
                           f"namespaces/{ns}/{kind}/{name}")
    return r.json()["data"]


# ---------------------------------------------------------------- update / rollback after a scale


async def test_scale_rewrites_the_version_not_the_definition(sim_client, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=3))
    await sim_client.scale_application("qa", "web", 5)
    sim_cluster.advance(4)
    versions = await sim_client.list_versions("qa", "web")
    assert (await sim_client.fetch_version("qa", "web", max(versions))).instances == 5
    definition = await sim_client.get_application_definition("qa", "web")
    assert definition["spec"]["instance"] == 3  # what a console reading the definition sees


async def test_update_above_the_version_instances_is_refused(sim_client, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=5))
    await sim_client.scale_application("qa", "web", 2)
    sim_cluster.advance(4)
    before = await sim_client.list_versions("qa", "web")
    with pytest.raises(E.ApiError) as err:  # 3 from the definition, 2 live
        await sim_client.update_application("qa", app_body("web", instances=5,
                                                           image="hub.local/qa/web:2.0"), instances=3)
    assert err.value.code == 1405200
    assert err.value.server_message == "(bcs-scheduler):update instances num is more than version.Instances"
    assert await sim_client.list_versions("qa", "web") == before  # refused before the save
    assert await _images(sim_client, "web") == ["hub.local/qa/web:1.0"] * 2


async def test_update_below_the_running_count_rolls_only_the_first_n(sim_client, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=3))
    await sim_client.scale_application("qa", "web", 5)
    sim_cluster.advance(4)
    # the count from the stale definition (3), as a console reading it would send
    await sim_client.update_application("qa", app_body("web", instances=3, image="hub.local/qa/web:2.0"),
                                        instances=3)
    sim_cluster.advance(4)
    app = await sim_client.fetch_application("qa", "web")
    assert (app.status, app.define_instances, app.running_instances) == ("Running", 5, 5)
    assert await _images(sim_client, "web") == ["hub.local/qa/web:2.0"] * 3 + ["hub.local/qa/web:1.0"] * 2
    tgs = await sim_client.list_taskgroups("qa", "web")
    assert len({tg.version_name for tg in tgs}) == 2  # left on two versions, and no error
    # the body's spec.instance (3) does not change the count: the new version keeps 5
    versions = await sim_client.list_versions("qa", "web")
    assert (await sim_client.fetch_version("qa", "web", max(versions))).instances == 5
    # the live count rolls every taskgroup
    await sim_client.update_application("qa", app_body("web", instances=5, image="hub.local/qa/web:3.0"),
                                        instances=5)
    sim_cluster.advance(4)
    assert await _images(sim_client, "web") == ["hub.local/qa/web:3.0"] * 5


async def test_update_needs_instances_and_saves_its_version_even_when_not_allowed(
        sim_client, sim_http, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=2))
    r = await sim_http.put(f"{SCHED}/namespaces/qa/applications",
                           json=app_body("web", instances=2, image="hub.local/qa/web:2.0"))
    assert r.json()["code"] == 1405200
    assert r.json()["message"] == "(bcs-scheduler):instances must be specified"
    await sim_client.scale_application("qa", "web", 3)  # Operating now
    before = await sim_client.list_versions("qa", "web")
    with pytest.raises(E.ApiError) as err:
        await sim_client.update_application("qa", app_body("web", instances=3,
                                                           image="hub.local/qa/web:2.0"), instances=3)
    assert err.value.server_message == "(bcs-scheduler):Operation Not Allowed"
    after = await sim_client.list_versions("qa", "web")
    assert len(after) == len(before) + 1  # SaveVersion runs before UpdateApplication's check
    definition = await sim_client.get_application_definition("qa", "web")
    assert definition["spec"]["template"]["spec"]["containers"][0]["image"] == "hub.local/qa/web:2.0"
    sim_cluster.advance(4)
    assert await _images(sim_client, "web") == ["hub.local/qa/web:1.0"] * 3  # no taskgroup runs it


async def test_rollback_takes_n_from_the_body_spec_instance(sim_client, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=2, image="hub.local/qa/web:2.0"))
    await sim_client.scale_application("qa", "web", 4)
    sim_cluster.advance(4)
    await sim_client.rollback_application("qa", app_body("web", instances=2))  # the old definition
    sim_cluster.advance(4)
    assert await _images(sim_client, "web") == ["hub.local/qa/web:1.0"] * 2 + ["hub.local/qa/web:2.0"] * 2
    assert (await sim_client.fetch_application("qa", "web")).define_instances == 4
    with pytest.raises(E.ApiError) as err:
        await sim_client.rollback_application("qa", app_body("web", instances=6))
    assert err.value.server_message == "(bcs-scheduler):update instances num is more than version.Instances"
    await sim_client.rollback_application("qa", app_body("web", instances=4))
    sim_cluster.advance(4)
    assert await _images(sim_client, "web") == ["hub.local/qa/web:1.0"] * 4


# ---------------------------------------------------------------- ?args=resource


async def test_args_resource_refuses_anything_but_resources(sim_client, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=2))
    before = await sim_client.list_versions("qa", "web")
    with pytest.raises(E.ApiError) as err:
        await sim_client.update_application("qa", app_body("web", instances=2, cpu="1",
                                                           image="hub.local/qa/web:2.0"),
                                            only_resource=True)
    assert err.value.code == 1405200
    assert err.value.server_message == ("(bcs-scheduler):container 0: docker parameter cannot be changed, "
                                 "err Image cannot be changed")
    assert await sim_client.list_versions("qa", "web") == before


async def test_args_resource_changes_resources_in_place(sim_client, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=2, cpu="0.5"))
    old = await sim_client.list_taskgroups("qa", "web")
    await sim_client.update_application("qa", app_body("web", instances=2, cpu="1.5"),
                                        only_resource=True)
    sim_cluster.advance(2)
    new = await sim_client.list_taskgroups("qa", "web")
    assert [tg.id for tg in new] == [tg.id for tg in old]  # nothing restarted
    assert [tg.version_name for tg in new] == [tg.version_name for tg in old]
    assert all(tg.status == "Running" and tg.launch_resource.cpus == 1.5 for tg in new)
    # a decrease is accepted and recorded, but no taskgroup shrinks
    await sim_client.update_application("qa", app_body("web", instances=2, cpu="0.25"),
                                        only_resource=True)
    sim_cluster.advance(2)
    versions = await sim_client.list_versions("qa", "web")
    assert (await sim_client.fetch_version("qa", "web", max(versions))).container[0].resources.cpus == 0.25
    assert all(tg.launch_resource.cpus == 1.5 for tg in await sim_client.list_taskgroups("qa", "web"))


async def test_args_resource_records_an_uncompared_change_that_runs_nowhere(sim_client, sim_http,
                                                                             sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=2))
    body = app_body("web", instances=2, cpu="1")
    body["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"
    await sim_client.update_application("qa", body, only_resource=True)
    sim_cluster.advance(2)
    versions = await sim_client.list_versions("qa", "web")
    r = await sim_http.get(f"{SCHED}/namespaces/qa/applications/web/versions/{max(versions)}")
    assert r.json()["data"]["Container"][0]["Docker"]["ForcePullImage"] is True
    tasks = [tg["Taskgroup"][0] for tg in await _raw_taskgroups(sim_http, "web")]
    assert [t["ForcePullImage"] for t in tasks] == [False, False]


# ---------------------------------------------------------------- the driver's JSON decode


@pytest.mark.parametrize("where,key", [("limits", "cpu"), ("limits", "memory"),
                                       ("requests", "cpu"), ("limits", "storage")])
async def test_numeric_resources_fail_the_whole_body(sim_client, sim_http, where, key):
    body = app_body("num")
    body["spec"]["template"]["spec"]["containers"][0]["resources"][where] = {key: 1}
    r = await sim_http.post(f"{SCHED}/namespaces/qa/applications", json=body)
    assert r.status_code == 200
    assert r.json() == {"result": False, "code": 1405010,
                        "message": "(bcs-mesos-driver):json decode failed!", "data": {}}
    with pytest.raises(E.ApiError):
        await sim_client.fetch_application("qa", "num")


async def test_pascalcase_volumes_from_a_version_become_empty_mounts(sim_client, sim_http, sim_cluster):
    good = app_body("vol")
    good["spec"]["template"]["spec"]["containers"][0]["volumes"] = [
        {"name": "logs", "volume": {"hostPath": "/data/logs", "mountPath": "/app/logs", "readOnly": True}}]
    await _running(sim_client, sim_cluster, good)
    task = (await _raw_taskgroups(sim_http, "vol"))[0]["Taskgroup"][0]
    assert task["Volumes"] == [{"ContainerPath": "/app/logs", "HostPath": "/data/logs", "Mode": "R"}]
    # the same volume as a saved version spells it, copied into a definition
    bad = copy.deepcopy(good)
    bad["metadata"]["name"] = "vol2"
    bad["spec"]["template"]["spec"]["containers"][0].pop("volumes")
    bad["spec"]["template"]["spec"]["containers"][0]["Volumes"] = [
        {"ContainerPath": "/app/logs", "HostPath": "/data/logs", "Mode": "R"}]
    r = await sim_http.post(f"{SCHED}/namespaces/qa/applications", json=bad)
    assert r.json()["code"] == 0  # accepted: Go matches the key case-insensitively
    sim_cluster.advance(4)
    tg = (await _raw_taskgroups(sim_http, "vol2"))[0]
    assert tg["Taskgroup"][0]["Volumes"] == [{"ContainerPath": "", "HostPath": "", "Mode": "RW"}]
    record = await _storage(sim_http, "taskgroup", tg["ID"])
    assert record["data"]["containerStatuses"][0]["volumes"] == [
        {"hostPath": "", "mountPath": "", "readOnly": False}]


async def test_missing_network_mode_launches_network_none(sim_client, sim_http, sim_cluster):
    body = app_body("bare")
    spec = body["spec"]["template"]["spec"]
    spec.pop("networkMode")
    container = spec["containers"][0]
    assert "imagePullPolicy" not in container and "hostname" not in container
    await _running(sim_client, sim_cluster, body)
    tg = (await _raw_taskgroups(sim_http, "bare"))[0]
    task = tg["Taskgroup"][0]
    assert (task["Network"], task["ForcePullImage"], task["Hostame"]) == ("", False, "")
    status = json.loads(task["StatusData"])
    assert (status["NetworkMode"], status["IPAddress"]) == ("none", "")
    record = (await _storage(sim_http, "taskgroup", tg["ID"]))["data"]
    assert record["podIP"] == "" and "networkMode" not in record["containerStatuses"][0]
    versions = await sim_client.list_versions("qa", "bare")
    version = await sim_http.get(f"{SCHED}/namespaces/qa/applications/bare/versions/{max(versions)}")
    docker = version.json()["data"]["Container"][0]["Docker"]
    assert (docker["Network"], docker["ForcePullImage"], docker["Hostname"]) == ("", False, "")
    # with the fields set they are kept
    body = app_body("full")
    body["spec"]["template"]["spec"]["containers"][0].update(imagePullPolicy="Always", hostname="h1")
    await _running(sim_client, sim_cluster, body)
    task = (await _raw_taskgroups(sim_http, "full"))[0]["Taskgroup"][0]
    assert (task["Network"], task["ForcePullImage"], task["Hostame"]) == ("BRIDGE", True, "h1")
    assert json.loads(task["StatusData"])["IPAddress"].startswith("172.17.")


# ---------------------------------------------------------------- process apps


def process_body(name: str, ns: str = "qa", instances: int = 2, start: str = "./start.sh") -> dict:
    return {"apiVersion": "v4", "kind": "process",
            "restartPolicy": {"policy": "OnFailure"}, "killPolicy": {"gracePeriod": 5},
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"instance": instances, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"processes": [{
                    "procName": name, "workPath": "/data/proc", "startCmd": start,
                    "stopCmd": "./stop.sh", "pidFile": f"/data/proc/{name}.pid",
                    "resources": {"limits": {"cpu": "0.5", "memory": "128"}},
                    "ports": [{"name": "http", "containerPort": 9100, "protocol": "TCP"}]}]}}}}


async def test_process_routes_and_application_routes_refusing_them(sim_client, sim_http, sim_cluster):
    r = await sim_http.post(f"{SCHED}/namespaces/qa/processes", json=process_body("agent"))
    assert r.json()["code"] == 0
    sim_cluster.advance(4)
    r = await sim_http.get(f"{SCHED}/namespaces/qa/processes/agent")
    assert (r.json()["data"]["Kind"], r.json()["data"]["Status"]) == ("process", "Running")
    # the application routes refuse it, with the kind in the text
    with pytest.raises(E.ApiError) as err:
        await sim_client.scale_application("qa", "agent", 3)
    assert err.value.server_message == "(bcs-scheduler):target is not application, can not be scale"
    with pytest.raises(E.ApiError) as err:
        await sim_client.delete_application("qa", "agent")
    assert err.value.server_message == "(bcs-scheduler):target is not application, can not be delete"
    as_app = app_body("agent", instances=2)
    with pytest.raises(E.ApiError) as err:
        await sim_client.update_application("qa", as_app, instances=2)
    assert err.value.server_message == "(bcs-scheduler):cannot update different kind application"
    with pytest.raises(E.ApiError) as err:
        await sim_client.rollback_application("qa", as_app)
    assert err.value.server_message == "(bcs-scheduler):cannot update different kind application"
    assert (await sim_client.fetch_application("qa", "agent")).status == "Running"
    # and the process routes do the work: scale, update, rollback, delete
    r = await sim_http.put(f"{SCHED}/namespaces/qa/processes/agent/scale/3")
    assert r.json()["code"] == 0
    sim_cluster.advance(4)
    assert (await sim_client.fetch_application("qa", "agent")).running_instances == 3
    r = await sim_http.put(f"{SCHED}/namespaces/qa/processes", params={"instances": "3"},
                           json=process_body("agent", start="./start.sh --v2"))
    assert r.json()["code"] == 0
    sim_cluster.advance(4)
    cmds = {tg["Taskgroup"][0]["Command"] for tg in await _raw_taskgroups(sim_http, "agent")}
    assert cmds == {"./start.sh --v2"}
    r = await sim_http.put(f"{SCHED}/namespaces/qa/processes/rollback",
                           json=process_body("agent", instances=3))
    assert r.json()["code"] == 0
    sim_cluster.advance(4)
    cmds = {tg["Taskgroup"][0]["Command"] for tg in await _raw_taskgroups(sim_http, "agent")}
    assert cmds == {"./start.sh"}
    # a process route refuses an application the same way
    await _running(sim_client, sim_cluster, app_body("web", instances=1))
    r = await sim_http.put(f"{SCHED}/namespaces/qa/processes/web/scale/2")
    assert r.json()["message"] == "(bcs-scheduler):target is not process, can not be scale"
    r = await sim_http.delete(f"{SCHED}/namespaces/qa/processes/agent", params={"enforce": "0"})
    assert r.json()["code"] == 0
    sim_cluster.advance(4)
    with pytest.raises(E.ApiError):
        await sim_client.fetch_application("qa", "agent")


async def test_restart_and_reload_only_for_process_taskgroups(sim_client, sim_http, sim_cluster):
    await sim_http.post(f"{SCHED}/namespaces/qa/processes", json=process_body("agent", instances=1))
    await _running(sim_client, sim_cluster, app_body("web", instances=1))
    sim_cluster.advance(4)
    proc_tg = (await sim_client.list_taskgroups("qa", "agent"))[0].id
    for op, mtype in (("restart", 11), ("reload", 10)):
        meth = getattr(sim_client, f"{op}_taskgroup")
        await meth("qa", "agent", proc_tg)
        msg = (await _raw_taskgroups(sim_http, "agent"))[0]["BcsEventMsg"]
        assert (msg["Type"], msg["Status"], msg["TaskID"]) == (mtype, "staging", None)
        assert msg["CommitTask"] == {"Tasks": None} and "Local" not in msg
    web_tg = (await sim_client.list_taskgroups("qa", "web"))[0].id
    with pytest.raises(E.ApiError) as err:
        await sim_client.restart_taskgroup("qa", "web", web_tg)
    assert err.value.server_message == "(bcs-scheduler):application type is not process"
    with pytest.raises(E.ApiError) as err:
        await sim_client.reload_taskgroup("qa", "web", web_tg)
    assert err.value.server_message == "(bcs-scheduler):application type is not process"
    assert (await _raw_taskgroups(sim_http, "web"))[0]["BcsEventMsg"] is None


async def test_a_sent_message_starts_staging_with_a_null_task_id(sim_client, sim_http, sim_cluster):
    await _running(sim_client, sim_cluster, app_body("web", instances=1))
    assert await sim_client.send_application_signal("qa", "web", 10, "web") == []
    msg = (await _raw_taskgroups(sim_http, "web"))[0]["BcsEventMsg"]
    assert (msg["Type"], msg["Status"], msg["TaskID"]) == (2, "staging", None)
    assert msg["Sig"] == {"Signal": 10, "ProcessName": "web"}
    assert not {"Local", "Env", "Remote", "ReloadTasks", "RestartTasks"} & set(msg)


# ---------------------------------------------------------------- admission webhooks


def webhook_body(name: str, kind: str, operation: str = "Create") -> dict:
    return {"apiVersion": "v4", "kind": "admissionwebhook",
            "metadata": {"name": name, "namespace": "qa"},
            "resourcesRef": {"operation": operation, "kind": kind},
            "admissionWebhooks": [{"name": f"{name}-hook", "failurePolicy": "Fail",
                                   "clientConfig": {"url": "https://policy.example.invalid/check",
                                                    "caBundle": ""}}]}


async def test_webhook_kind_and_operation_are_matched_exactly(sim_client, sim_http, sim_cluster):
    # sent as they are (a console may refuse them locally): stored, and never fire
    for name, kind, op in (("cased", "Application", "Create"), ("lower-op", "application", "create")):
        r = await sim_http.post(f"{SCHED}/namespaces/qa/admissionwebhook",
                                json=webhook_body(name, kind, op))
        assert r.json()["code"] == 0
    await sim_client.create_application("qa", app_body("web"))  # neither fires
    sim_cluster.advance(4)
    assert (await sim_client.fetch_application("qa", "web")).status == "Running"
    await sim_client.create_admission_webhook("qa", webhook_body("exact", "application"))
    with pytest.raises(E.ApiError) as err:
        await sim_client.create_application("qa", app_body("web2"))
    assert err.value.code == 1405234 and "request webhoook exact-hook error" in err.value.message
    with pytest.raises(E.ApiError):
        await sim_client.fetch_application("qa", "web2")


# ---------------------------------------------------------------- deployments


async def test_curr_target_instances_only_while_rolling(sim_client, sim_http, sim_cluster):
    async def refs():
        data = (await _storage(sim_http, "deployment", "api"))["data"]
        return data["status"], data["application"], data["application_ext"]

    await sim_client.create_deployment("qa", deployment_body("api", instances=2, manual=True))
    sim_cluster.advance(4)
    status, app, ext = await refs()
    assert status == "Running" and ext is None
    assert app == {"name": "api", "curr_target_instances": 0, "CurrentRollingInstances": 0}
    assert (await sim_client.fetch_application("qa", "api")).define_instances == 2
    await sim_client.update_deployment("qa", deployment_body("api", instances=2, manual=True,
                                                             image="hub.local/qa/web:2.0"))
    sim_cluster.advance(6)
    status, app, ext = await refs()
    assert status == "UpdatePaused"
    assert (app["curr_target_instances"], app["CurrentRollingInstances"]) == (1, 1)
    assert (ext["curr_target_instances"], ext["CurrentRollingInstances"]) == (1, 1)
    await sim_client.cancel_update_deployment("qa", "api")
    status, app, ext = await refs()
    assert status == "Running" and ext is None
    assert app["curr_target_instances"] == 0  # cancel resets the target only
    sim_cluster.advance(6)
    await sim_client.update_deployment("qa", deployment_body("api", instances=2,
                                                             image="hub.local/qa/web:3.0"))
    for _ in range(40):
        sim_cluster.advance(1)
        status, app, ext = await refs()
        if status == "Running":
            break
    assert status == "Running" and ext is None and app["name"].startswith("api-v")
    assert (app["curr_target_instances"], app["CurrentRollingInstances"]) == (0, 0)


# ---------------------------------------------------------------- the demo shows both


async def test_demo_has_a_process_app_and_a_legacy_app(sim_client, sim_http):
    agent = await sim_client.fetch_application("ops", "host-agent")
    assert (agent.kind, agent.status) == ("process", "Running")
    tg = (await sim_client.list_taskgroups("ops", "host-agent"))[0]
    assert (await sim_client.restart_taskgroup("ops", "host-agent", tg.id)) is not None
    with pytest.raises(E.ApiError) as err:
        await sim_client.get_application_definition("ops", "legacy-billing")
    assert err.value.server_message == ("(bcs-scheduler):application's definition not exist, "
                                        "maybe the application was created by deployment")
    versions = await sim_client.list_versions("ops", "legacy-billing")
    r = await sim_http.get(f"{SCHED}/namespaces/ops/applications/legacy-billing/versions/{versions[0]}")
    version = r.json()["data"]
    assert "raw_json" not in version
    c = version["Container"][0]
    assert c["Volumes"][1] == {"ContainerPath": "/app/conf", "HostPath": "/data/billing/conf", "Mode": "R"}
    assert (c["Docker"]["Network"], c["Docker"]["ForcePullImage"], c["Docker"]["Hostname"]) == \
        ("HOST", True, "billing")
