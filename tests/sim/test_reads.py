"""Read routes, storage, auth and cluster-id checks against the demo cluster (plain httpx)."""

import json

import httpx

from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import create_app

P = "/bcsapi/v4/scheduler/mesos"
S = "/bcsapi/v4/storage"
CID = "BCS-MESOS-10001"


async def test_list_applications_envelope_and_shape(sim_http):
    r = await sim_http.get(f"{P}/namespaces/hero-prod/applications")
    assert r.status_code == 200
    body = r.json()
    assert body["result"] is True and body["code"] == 0 and body["message"] == "success"
    names = {a["ID"] for a in body["data"]}
    assert {"gamesvr", "gateway", "rank", "battle"} <= names
    app = next(a for a in body["data"] if a["ID"] == "rank")
    for key in ("Kind", "ID", "Name", "ObjectMeta", "DefineInstances", "Instances",
                "RunningInstances", "RunAs", "ClusterId", "Status", "SubStatus", "LastStatus",
                "Created", "UpdateTime", "Mode", "LastUpdateTime", "Message", "Pods"):
        assert key in app
    assert app["ClusterId"] == "10001"
    assert app["Status"] == "Abnormal" and app["Message"] == "have some lost taskgroups"
    assert app["Pods"][0]["name"].startswith("0.rank.hero-prod.10001.")


async def test_empty_namespace_lists_nothing(sim_http):
    r = await sim_http.get(f"{P}/namespaces/nobody-here/applications")
    assert r.json()["result"] is True and not r.json()["data"]


async def test_fetch_missing_application_is_1405200(sim_http):
    r = await sim_http.get(f"{P}/namespaces/hero-prod/applications/ghost")
    assert r.status_code == 200
    assert r.json() == {"result": False, "code": 1405200,
                        "message": "(bcs-scheduler):store: Not Found", "data": {}}


async def test_taskgroups_have_tasks_with_status_data(sim_http):
    r = await sim_http.get(f"{P}/namespaces/hero-prod/applications/gamesvr/taskgroups")
    tgs = r.json()["data"]
    assert len(tgs) == 6
    tg = tgs[0]
    assert tg["Name"] == "gamesvr-0" and tg["Status"] == "Running"
    assert tg["LaunchResource"]["Mem"] == 4096 + 128 + 64  # two containers + the executor
    assert len(tg["Taskgroup"]) == 2  # game server + log sidecar
    task = tg["Taskgroup"][0]
    info = json.loads(task["StatusData"])
    assert info["Status"] == "running" and info["IPAddress"] and info["NodeAddress"] == \
        task["AgentIPAddress"]
    assert task["ID"].split(".")[1:] == ["0", "0", "gamesvr", "hero-prod", "10001"]


async def test_taskgroups_of_missing_app_is_null(sim_http):
    r = await sim_http.get(f"{P}/namespaces/hero-prod/applications/ghost/taskgroups")
    assert r.json()["result"] is True and r.json()["data"] is None


async def test_list_tasks_is_a_dead_route_with_plain_text(sim_http):
    r = await sim_http.get(f"{P}/namespaces/hero-prod/applications/gamesvr/tasks")
    assert r.status_code == 200
    assert r.text == "404: Page Not Found"


async def test_unknown_route_is_go_restful_404(sim_http):
    r = await sim_http.get(f"{P}/no/such/route")
    assert r.status_code == 404 and r.text == "404: Page Not Found"


async def test_cluster_resources_and_offers(sim_http):
    res = (await sim_http.get(f"{P}/cluster/resources")).json()["data"]
    assert len(res["agents"]) == 12
    disabled = [a for a in res["agents"] if a["disabled"]]
    assert [a["hostname"] for a in disabled] == ["sz-mesos-node-06"]
    assert res["agents"][0]["registered_time"] > 10 ** 18  # nanoseconds
    offers = (await sim_http.get(f"{P}/cluster/current/offers")).json()["data"]
    hosts = {o["hostname"] for o in offers}
    assert "sz-mesos-node-06" not in hosts and len(offers) == 11
    tainted = next(o for o in offers if o["hostname"] == "sh-mesos-node-06")
    taint = next(a for a in tainted["attributes"] if a["name"] == "NoSchedule")
    assert taint == {"name": "NoSchedule", "type": 2, "set": {"item": ["dedicated=battle-gpu"]}}
    assert tainted["deltaResource"] == {"Cpus": 0, "Mem": 0, "Disk": 0}
    assert tainted["attributes"][0]["name"] == "InnerIP"
    cpus = next(r for r in tainted["resources"] if r["name"] == "cpus")
    assert cpus["type"] == 0 and cpus["scalar"]["value"] == 12.0  # battle-replay takes 4 of 16


async def test_endpoints(sim_http):
    data = (await sim_http.get(f"{P}/cluster/endpoints")).json()["data"]
    assert data["mesosmaster"][0]["scheme"] == "http" and data["mesosscheduler"]


async def test_agentsettings_with_and_without_slash(sim_http):
    a = (await sim_http.get(f"{P}/agentsettings", params={"ips": "10.24.3.16,1.2.3.4"})).json()
    b = (await sim_http.get(f"{P}/agentsettings/", params={"ips": "10.24.3.16"})).json()
    assert a == b
    (setting,) = a["data"]
    assert setting["innerIP"] == "10.24.3.16" and setting["noSchedule"] == {"dedicated": "battle-gpu"}
    none = (await sim_http.get(f"{P}/agentsettings", params={"ips": "1.2.3.4"})).json()
    assert none["result"] is True and none["data"] is None


async def test_versions_and_definitions(sim_http):
    vids = (await sim_http.get(f"{P}/namespaces/pay/applications/order/versions")).json()["data"]
    assert len(vids) == 1 and vids[0].isdigit()
    v = (await sim_http.get(f"{P}/namespaces/pay/applications/order/versions/{vids[0]}")).json()
    assert v["data"]["Name"] == vids[0] and v["data"]["ID"] == "order" and "raw_json" in v["data"]
    d = (await sim_http.get(f"{P}/definition/application/pay/order")).json()
    assert d["data"]["kind"] == "application"
    d = (await sim_http.get(f"{P}/definition/application/pay/pay-api")).json()
    assert d["code"] == 1405200 and "created by deployment" in d["message"]
    d = (await sim_http.get(f"{P}/definition/deployment/pay/pay-api")).json()
    assert d["data"]["kind"] == "deployment"


async def test_storage_namespaces_and_queries(sim_http):
    ns = (await sim_http.get(f"{S}/query/mesos/dynamic/clusters/{CID}/namespace")).json()
    assert ns["data"] == ["defaultGroup", "hero-prod", "hero-test", "login", "match", "ops", "pay"]
    r = await sim_http.post(f"{S}/query/mesos/dynamic/clusters/{CID}/application",
                            json={"namespace": "pay,login"})
    recs = r.json()["data"]
    assert {rec["namespace"] for rec in recs} == {"pay", "login"}
    rec = recs[0]
    assert set(rec) == {"_id", "clusterId", "namespace", "resourceName", "resourceType",
                        "createTime", "updateTime", "data"}
    assert rec["resourceType"] == "application" and rec["clusterId"] == CID
    assert {"instance", "buildedInstance", "runningInstance", "status", "pods"} <= set(rec["data"])
    all_apps = (await sim_http.post(f"{S}/query/mesos/dynamic/clusters/{CID}/application",
                                    json={})).json()["data"]
    assert len(all_apps) == 29


async def test_storage_taskgroup_host_filter(sim_http):
    r = await sim_http.post(f"{S}/query/mesos/dynamic/clusters/{CID}/taskgroup",
                            json={"hostIp": "10.24.3.16"})
    recs = r.json()["data"]
    assert recs and all(rec["data"]["hostIP"] == "10.24.3.16" for rec in recs)
    assert {rec["data"]["rcname"] for rec in recs} == {"battle-replay"}  # the only toleration
    cs = recs[0]["data"]["containerStatuses"][0]
    assert {"containerID", "restartCount", "status", "image", "containerPort", "resources"} <= set(cs)


async def test_storage_deployment_mid_rollout(sim_http):
    r = await sim_http.post(f"{S}/query/mesos/dynamic/clusters/{CID}/deployment",
                            json={"namespace": "hero-prod"})
    deps = {rec["resourceName"]: rec["data"] for rec in r.json()["data"]}
    battle = deps["battle"]
    assert battle["status"] == "UpdatePaused" and battle["is_in_rolling"] is True
    assert battle["application"]["name"] == "battle"
    assert battle["application_ext"]["name"].startswith("battle-v")
    assert battle["strategy"]["rollingupdate"]["rollingManually"] is True
    assert deps["gamesvr"]["status"] == "Running" and deps["gamesvr"]["application_ext"] is None


async def test_storage_inspect(sim_http):
    r = await sim_http.get(f"{S}/mesos/dynamic/namespace_resources/clusters/{CID}/namespaces/"
                           f"pay/application/order")
    assert r.json()["data"]["data"]["metadata"]["name"] == "order"
    r = await sim_http.get(f"{S}/mesos/dynamic/namespace_resources/clusters/{CID}/namespaces/"
                           f"pay/application/ghost")
    assert r.json()["result"] is False


async def test_crd_and_custom_resources_are_raw_kube_json(sim_http):
    r = await sim_http.get(f"{P}/customresourcedefinitions/bklogconfigs.bkbcs.tencent.com")
    assert r.status_code == 200 and r.json()["apiVersion"] == "v4" and "result" not in r.json()
    r = await sim_http.get(f"{P}/customresourcedefinitions/nope.example.com")
    assert r.status_code == 404 and r.json()["kind"] == "Status"
    r = await sim_http.get(f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/pay/bklogconfigs")
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["pay-api-log"]
    r = await sim_http.get(f"{P}/customresources/bkbcs.tencent.com/v2/bklogconfigs")
    assert len(r.json()["items"]) == 3 and r.json()["kind"] == "BKLogConfigList"
    r = await sim_http.get(f"{P}/customresources/bkbcs.tencent.com/v2/watch/bklogconfigs")
    assert r.status_code == 404


async def test_gateway_and_cluster_id_checks(sim_cluster):
    app = create_app(sim_cluster, token="t0k3n")
    url = f"{P}/cluster/resources"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:
        r = await c.get(url, headers={"BCS-ClusterID": CID})
        assert r.status_code == 400 and r.json() == {"code": 400, "result": False,
                                                     "message": "Bad Request: lost Authorization"}
        r = await c.get(url, headers={"Authorization": "Token t0k3n", "BCS-ClusterID": CID})
        assert r.status_code == 400 and "format error" in r.json()["message"]
        r = await c.get(url, headers={"Authorization": "Bearer wrong", "BCS-ClusterID": CID})
        assert r.status_code == 401 and r.json()["message"] == "Resource is Unauthorized"
        r = await c.get(url, headers={"Authorization": "bearer t0k3n", "BCS-ClusterID": "BCS-X"})
        assert r.status_code == 400
        assert r.json() == {"result": False, "code": 1405234,
                            "message": "http header BCS-ClusterID BCS-X don't exist", "data": None}
        r = await c.get(url, headers={"Authorization": "Bearer t0k3n"})
        assert r.status_code == 400 and "BCS-ClusterID" in r.json()["message"]
        r = await c.get(url, headers={"Authorization": "Bearer t0k3n", "BCS-ClusterID": CID})
        assert r.status_code == 200
    # every request was recorded, refused ones too, and the token never is
    assert len(sim_cluster.requests) == 6
    assert all("t0k3n" not in str(req) for req in sim_cluster.requests)


async def test_no_token_mode_still_checks_cluster_id():
    cluster = SimCluster(clock=SimClock(manual=True))
    app = create_app(cluster)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:
        r = await c.get(f"{P}/cluster/resources")
        assert r.status_code == 400 and r.json()["code"] == 1405234
        r = await c.get(f"{P}/cluster/resources", headers={"BCS-ClusterID": CID})
        assert r.status_code == 200


def test_demo_is_deterministic():
    a = SimCluster(seed=0)
    b = SimCluster(seed=0)
    assert [tg.id for tg in a.taskgroups.values()] == [tg.id for tg in b.taskgroups.values()]
    assert a.cluster_resources() == b.cluster_resources()
    c = SimCluster(seed=1)
    assert [ag.agent_id for ag in a.agents] != [ag.agent_id for ag in c.agents]
