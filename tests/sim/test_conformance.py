"""Every BcsClient method against the simulator: answer shapes and state changes, with the
clock advanced by hand."""

import base64

import pytest

from bcs_tui.api import errors as E
from tests.sim.helpers import app_body, deployment_body

CID = "BCS-MESOS-10001"


async def test_application_lifecycle(sim_client, sim_cluster):
    await sim_client.create_application("qa", app_body("web", instances=3))
    app = await sim_client.fetch_application("qa", "web")
    assert app.status == "Operating" and app.message == "application in launching"
    sim_cluster.advance(1)
    app = await sim_client.fetch_application("qa", "web")
    assert app.status == "Deploying"
    sim_cluster.advance(3)
    app = await sim_client.fetch_application("qa", "web")
    assert (app.status, app.message) == ("Running", "application is running")
    assert app.define_instances == app.instances == app.running_instances == 3
    tgs = await sim_client.list_taskgroups("qa", "web")
    assert [tg.name for tg in tgs] == ["web-0", "web-1", "web-2"]
    assert all(tg.status == "Running" for tg in tgs)
    apps = await sim_client.list_applications("qa")
    assert [a.id for a in apps] == ["web"]

    with pytest.raises(E.ApiError) as err:
        await sim_client.create_application("qa", app_body("web"))
    assert err.value.code == 1405201

    await sim_client.scale_application("qa", "web", 5)
    assert (await sim_client.fetch_application("qa", "web")).message == "application in scaling"
    sim_cluster.advance(4)
    app = await sim_client.fetch_application("qa", "web")
    assert app.status == "Running" and app.running_instances == 5
    versions = await sim_client.list_versions("qa", "web")
    assert len(versions) == 2 and versions == sorted(versions)
    v = await sim_client.fetch_version("qa", "web", versions[-1])
    assert v.instances == 5

    await sim_client.scale_application("qa", "web", 2)
    sim_cluster.advance(3)
    assert len(await sim_client.list_taskgroups("qa", "web")) == 2

    await sim_client.delete_application("qa", "web")
    app = await sim_client.fetch_application("qa", "web")
    assert (app.status, app.message) == ("Operating", "application in deleting")
    sim_cluster.advance(3)
    with pytest.raises(E.ApiError) as err:
        await sim_client.fetch_application("qa", "web")
    assert err.value.code == 1405200


async def test_scale_refusals(sim_client, sim_cluster):
    await sim_client.create_application("qa", app_body("web"))
    with pytest.raises(E.ApiError) as err:
        await sim_client.scale_application("qa", "web", 3)
    assert "Operation Not Allowed" in err.value.message
    with pytest.raises(E.ApiError) as err:
        await sim_client.scale_application("qa", "ghost", 3)
    assert err.value.code == 1405200


async def test_update_rolls_taskgroups_to_a_new_version(sim_client, sim_cluster):
    await sim_client.create_application("qa", app_body("web", instances=3))
    sim_cluster.advance(4)
    old_ids = [tg.id for tg in await sim_client.list_taskgroups("qa", "web")]
    await sim_client.update_application("qa", app_body("web", instances=3,
                                                       image="hub.local/qa/web:2.0"), instances=2)
    app = await sim_client.fetch_application("qa", "web")
    assert (app.status, app.message) == ("Operating", "application in updating")
    sim_cluster.advance(4)
    tgs = await sim_client.list_taskgroups("qa", "web")
    images = [tg.taskgroup[0].image for tg in tgs]
    assert images == ["hub.local/qa/web:2.0", "hub.local/qa/web:2.0", "hub.local/qa/web:1.0"]
    assert tgs[0].id != old_ids[0] and tgs[2].id == old_ids[2]
    assert (await sim_client.fetch_application("qa", "web")).status == "Running"
    with pytest.raises(E.ApiError) as err:
        await sim_client.update_application("qa", app_body("web", instances=3), instances=9)
    assert "more than version.Instances" in err.value.message
    # args=resource: in place, same taskgroup IDs (the body must match the current version,
    # image 2.0, in everything but resources: IsOnlyResourceIncreased)
    await sim_client.update_application("qa", app_body("web", instances=3, cpu="1.5",
                                                       image="hub.local/qa/web:2.0"),
                                        only_resource=True)
    sim_cluster.advance(2)
    tgs2 = await sim_client.list_taskgroups("qa", "web")
    assert [tg.id for tg in tgs2] == [tg.id for tg in tgs]
    assert tgs2[0].launch_resource.cpus == 1.5
    # rollback to the first definition
    await sim_client.rollback_application("qa", app_body("web", instances=3))
    sim_cluster.advance(4)
    tgs3 = await sim_client.list_taskgroups("qa", "web")
    assert {tg.taskgroup[0].image for tg in tgs3} == {"hub.local/qa/web:1.0"}
    assert len(await sim_client.list_versions("qa", "web")) == 4


async def test_create_validation_errors(sim_client, sim_http, sim_cluster):
    body = app_body("web")
    body["spec"]["instance"] = 0
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications", json=body)
    assert r.json()["code"] == 1405008 and "instances error" in r.json()["message"]
    body = app_body("web")
    body["kind"] = "deployment"
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications", json=body)
    assert r.json()["code"] == 1405008 and "Kind deployment is invalid" in r.json()["message"]
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications",
                            json=app_body("we.b"))
    assert r.status_code == 200 and r.text == "Name can't contains contains '.'"
    body = app_body("web")
    body["restartPolicy"]["policy"] = "Sometimes"
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications", json=body)
    assert r.json()["code"] == 1405231
    body = app_body("web")
    body["spec"]["template"]["spec"]["containers"][0]["configmaps"] = [{"name": "missing"}]
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications", json=body)
    assert r.json()["code"] == 1405008 and "bcsconfigmap(Namespace:qa Name:missing) not exist" \
        in r.json()["message"]
    body = app_body("web")
    body["spec"]["template"]["spec"]["containers"][0]["secrets"] = [{"secretName": "nope"}]
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications", json=body)
    assert r.json()["code"] == 1405008 and "bcssecret(Namespace:qa Name:nope) not exist" \
        in r.json()["message"]
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications",
                            content=b"{not json")
    assert r.json()["code"] == 1405008 and r.json()["data"] == {}
    assert ("qa", "web") not in sim_cluster.apps


async def test_delete_in_rolling_update_needs_enforce(sim_client, sim_cluster):
    with pytest.raises(E.ApiError) as err:
        await sim_client.delete_application("hero-prod", "battle")
    assert "rollingupdate" in err.value.message
    await sim_client.delete_application("hero-prod", "battle", enforce=True)
    sim_cluster.advance(3)
    assert ("hero-prod", "battle") not in sim_cluster.apps


async def test_reschedule_new_id_and_count(sim_client, sim_cluster):
    tgs = await sim_client.list_taskgroups("hero-prod", "rank")
    lost = next(tg for tg in tgs if tg.status == "Lost")
    await sim_client.rescheduler_taskgroup("hero-prod", "rank", lost.id)
    tgs = await sim_client.list_taskgroups("hero-prod", "rank")
    new = next(tg for tg in tgs if tg.instance_id == lost.instance_id)
    assert new.id != lost.id and new.id.split(".")[:4] == lost.id.split(".")[:4]
    assert new.rescheded_times == lost.rescheded_times + 1 and new.status == "Staging"
    sim_cluster.advance(4)
    app = await sim_client.fetch_application("hero-prod", "rank")
    assert app.status == "Running"
    with pytest.raises(E.ApiError):
        await sim_client.rescheduler_taskgroup("hero-prod", "rank", "0.rank.hero-prod.10001.1")


async def test_reschedule_host_retain_keeps_the_host(sim_client, sim_cluster):
    tg = (await sim_client.list_taskgroups("pay", "order"))[0]
    await sim_client.rescheduler_taskgroup("pay", "order", tg.id, host_retain_time=60)
    new = (await sim_client.list_taskgroups("pay", "order"))[0]
    assert new.host_name == tg.host_name


async def test_messages_and_signals(sim_client, sim_cluster, sim_http):
    failures = await sim_client.send_application_signal("pay", "pay-callback", 15, "gunicorn")
    assert len(failures) == 1 and failures[0].status == "Failed"
    assert "must be running" in failures[0].err
    tgs = sim_cluster.apps[("pay", "pay-callback")].taskgroups
    assert tgs[0].event_msg["Type"] == 2 and tgs[0].event_msg["Sig"]["Signal"] == 15
    assert await sim_client.send_application_signal("pay", "order", 1, "nginx") == []
    ok = (await sim_client.list_taskgroups("pay", "order"))[0]
    await sim_client.send_taskgroup_signal("pay", "order", ok.id, 10, "worker")
    failed = tgs[1]
    with pytest.raises(E.ApiError) as err:
        await sim_client.send_taskgroup_signal("pay", "pay-callback", failed.id, 10, "x")
    assert err.value.code == 1405200 and "must be running" in err.value.message
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/pay/applications/order/message",
                            json={"msgtype": "bogus", "msgdata": {}})
    assert r.json()["code"] == 1405233


async def test_restart_reload_are_process_only(sim_client):
    tg = (await sim_client.list_taskgroups("pay", "order"))[0]
    with pytest.raises(E.ApiError) as err:
        await sim_client.restart_taskgroup("pay", "order", tg.id)
    assert "application type is not process" in err.value.message


async def test_list_tasks_is_a_protocol_error(sim_client):
    with pytest.raises(E.ProtocolError):
        await sim_client.list_tasks("pay", "order")


async def test_configmap_secret_service_crud(sim_client, sim_cluster):
    cm = {"apiVersion": "v4", "kind": "configmap", "metadata": {"name": "cfg", "namespace": "qa"},
          "datas": {"a.conf": {"type": "file", "content": "x=1"}}}
    await sim_client.create_configmap("qa", cm)
    with pytest.raises(E.ApiError) as err:
        await sim_client.create_configmap("qa", cm)
    assert err.value.code == 1405201 and "configmap already exist" in err.value.message
    cm["datas"]["a.conf"]["content"] = "x=2"
    await sim_client.update_configmap("qa", cm)
    recs = await sim_client.storage_configmaps("qa")
    assert recs[0].data.datas["a.conf"].content == "x=2"
    await sim_client.delete_configmap("qa", "cfg")
    await sim_client.delete_configmap("qa", "cfg")  # a missing object deletes fine
    with pytest.raises(E.ApiError) as err:
        await sim_client.update_configmap("qa", cm)
    assert err.value.code == 1405202
    secret = {"apiVersion": "v4", "kind": "secret", "metadata": {"name": "s", "namespace": "qa"},
              "datas": {"pw": {"content": base64.b64encode(b"hunter2").decode()}}}
    await sim_client.create_secret("qa", secret)
    await sim_client.update_secret("qa", secret)
    assert len(await sim_client.storage_secrets("qa")) == 1
    await sim_client.delete_secret("qa", "s")
    svc = {"apiVersion": "v4", "kind": "service",
           "metadata": {"name": "svc", "namespace": "qa", "labels": {"BCSGROUP": "external"}},
           "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "protocol": "http",
                                                          "servicePort": 80, "targetPort": 8080}]}}
    await sim_client.create_service("qa", svc)
    svc2 = {**svc, "metadata": {"name": "svc", "namespace": "qa", "labels": {}}}
    await sim_client.update_service("qa", svc2)
    rec = (await sim_client.storage_services("qa"))[0]
    assert rec.data.metadata.labels == {"BCSGROUP": "external"}  # update keeps the stored labels
    await sim_client.delete_service("qa", "svc")
    assert await sim_client.storage_services("qa") == []


async def test_cluster_reads(sim_client):
    res = await sim_client.get_cluster_resources()
    assert len(res.agents) == 12 and res.cpu_total == 192
    eps = await sim_client.get_cluster_endpoints()
    assert eps.mesos_master and eps.mesos_scheduler[0].port == 8081
    offers = await sim_client.get_cluster_offers()
    assert len(offers) == 11


async def test_agent_settings(sim_client, sim_cluster):
    ip = "10.12.1.12"
    before = (await sim_client.get_agent_setting_list(ip))[0]
    await sim_client.disable_agent_list([ip])
    await sim_client.taint_agents([{"innerIP": ip, "noSchedule": {"maint": "yes"}}])
    await sim_client.set_agent_setting_list([{"innerIP": ip, "strings": {"zone": {"value": "b"}},
                                              "scalars": {"gpu": {"value": 2}},
                                              "disabled": False, "noSchedule": {}}])
    after = (await sim_client.get_agent_setting_list(ip))[0]
    # set replaces strings and scalars only; disabled and taints are kept
    assert after.disabled is True and after.no_schedule == {"maint": "yes"}
    assert set(after.strings) == {"zone"} and after.pods == before.pods
    await sim_client.enable_agent_list([ip])
    await sim_client.taint_agents([{"innerIP": ip, "noSchedule": {}}])
    final = (await sim_client.get_agent_setting_list(ip))[0]
    assert final.disabled is False and not final.no_schedule
    offer = next(o for o in await sim_client.get_cluster_offers() if o.hostname == "sz-mesos-node-02")
    assert any(a.name == "zone" for a in offer.attributes)
    await sim_client.update_agent_extended_resource({"InnerIP": ip, "Name": "bkbcs/cpuset",
                                                     "Value": 2, "Capacity": 8, "Socket": "/s"})
    assert (await sim_client.get_agent_setting_list(ip))[0].extended_resources


async def test_agent_settings_dead_routes(sim_client, sim_http):
    with pytest.raises(E.BcsError):
        await sim_client.delete_agent_setting_list(["10.12.1.12"])
    r = await sim_http.delete("/bcsapi/v4/scheduler/mesos/agentsettings/", params={"ips": "1.1.1.1"})
    assert r.status_code == 200 and r.text == "404: Page Not Found"
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/agentsettings/update", json={})
    assert r.status_code == 404


async def test_commit_image(sim_client):
    tg = (await sim_client.list_taskgroups("pay", "order"))[0]
    image = tg.taskgroup[0].image
    msg = await sim_client.commit_image(tg.id, image, "hub.local/snap/order:debug")
    assert msg is not None and msg.type == 9
    with pytest.raises(E.ApiError) as err:
        await sim_client.commit_image(tg.id, "other:1", "x:2")
    assert "not found in taskgroup" in err.value.message
    failed = next(t for t in await sim_client.list_taskgroups("pay", "pay-callback")
                  if t.status == "Failed")
    with pytest.raises(E.ApiError) as err:
        await sim_client.commit_image(failed.id, failed.taskgroup[0].image, "x:2")
    assert "cannot commit image under status(Failed)" in err.value.message


async def test_commands(sim_client, sim_cluster):
    cid = await sim_client.send_command("application", "pay", "pay-callback",
                                        {"command": ["/bin/sh", "-c", "hostname"]})
    assert cid.startswith("Application-pay-pay-callback-")
    info = await sim_client.get_command("application", "pay", "pay-callback", cid)
    statuses = [t.status for tg in info.status.taskgroups for t in tg.tasks]
    assert sorted(statuses) == ["failed", "staging", "staging"]
    sim_cluster.advance(1)
    info = await sim_client.get_command("application", "pay", "pay-callback", cid)
    assert sorted(t.status for tg in info.status.taskgroups for t in tg.tasks) == \
        ["failed", "running", "running"]
    sim_cluster.advance(2)
    info = await sim_client.get_command("application", "pay", "pay-callback", cid)
    done = [t for tg in info.status.taskgroups for t in tg.tasks if t.status == "finish"]
    assert len(done) == 2 and done[0].comm_inspect.exit_code == 0
    assert done[0].comm_inspect.stdout.strip()
    failed = [t for tg in info.status.taskgroups for t in tg.tasks if t.status == "failed"]
    assert failed[0].message == "task not in running status"
    await sim_client.delete_command("application", "pay", "pay-callback", cid)
    with pytest.raises(E.ApiError):
        await sim_client.get_command("application", "pay", "pay-callback", cid)
    dcid = await sim_client.send_command("deployment", "pay", "pay-api",
                                         {"command": ["ps", "aux"]})
    assert dcid.startswith("deployment-pay-pay-api-")


async def test_deployment_create_scale_delete(sim_client, sim_cluster):
    await sim_client.create_deployment("qa", deployment_body("api", instances=2))
    sim_cluster.advance(4)
    (rec,) = await sim_client.storage_deployments("qa")
    assert rec.data.status == "Running" and rec.data.application.name == "api"
    assert (await sim_client.fetch_application("qa", "api")).status == "Running"
    with pytest.raises(E.ApiError) as err:
        await sim_client.create_deployment("qa", deployment_body("api"))
    assert err.value.code == 1405201 and "deployment(qa.api) already exist" in err.value.message
    await sim_client.scale_deployment("qa", "api", 3)
    sim_cluster.advance(4)
    assert (await sim_client.fetch_application("qa", "api")).running_instances == 3
    assert (await sim_client.get_deployment_definition("qa", "api"))["spec"]["instance"] == 3
    await sim_client.delete_deployment("qa", "api")
    (rec,) = await sim_client.storage_deployments("qa")
    assert rec.data.status == "Deleting" and rec.data.message == "waiting applications to be deleted"
    sim_cluster.advance(7)
    assert await sim_client.storage_deployments("qa") == []
    with pytest.raises(E.ApiError) as err:
        await sim_client.delete_deployment("qa", "api")
    assert err.value.code == 1405202


async def test_deployment_binds_existing_app(sim_client, sim_cluster):
    await sim_client.create_application("qa", app_body("legacy"))
    sim_cluster.advance(4)
    await sim_client.create_deployment("qa", deployment_body("legacy-dp", template=False,
                                                             selector={"app": "legacy"}))
    (rec,) = await sim_client.storage_deployments("qa")
    assert rec.data.status == "Running" and rec.data.application.name == "legacy"
    with pytest.raises(E.ApiError) as err:
        await sim_client.create_deployment("qa", deployment_body("nothing", template=False,
                                                                 selector={"app": "none"}))
    assert "version empty or namespace error" in err.value.message


async def test_crd_and_custom_resource_crud(sim_client):
    crd = {"apiVersion": "v4", "kind": "CustomResourceDefinition",
           "metadata": {"name": "crontabs.qa.example.com"},
           "spec": {"group": "qa.example.com", "versions": [{"name": "v1", "served": True,
                                                             "storage": True}],
                    "scope": "Namespaced", "names": {"plural": "crontabs", "singular": "crontab",
                                                     "kind": "CronTab"}}}
    created = await sim_client.create_crd(crd)
    assert created["apiVersion"] == "v4"
    with pytest.raises(E.KubeError) as err:
        await sim_client.create_crd(crd)
    assert err.value.status == 409
    assert len(await sim_client.list_crds()) == 2
    got = await sim_client.get_crd("crontabs.qa.example.com")
    await sim_client.update_crd("crontabs.qa.example.com", got)
    cr = {"apiVersion": "qa.example.com/v1", "kind": "CronTab",
          "metadata": {"name": "nightly", "namespace": "qa"}, "spec": {"cron": "0 3 * * *"}}
    await sim_client.create_custom_resource("qa.example.com", "v1", "crontabs", "qa", cr)
    got = await sim_client.get_custom_resource("qa.example.com", "v1", "crontabs", "qa", "nightly")
    assert got["spec"]["cron"] == "0 3 * * *"
    got["spec"]["cron"] = "0 4 * * *"
    await sim_client.update_custom_resource("qa.example.com", "v1", "crontabs", "qa", "nightly", got)
    items = await sim_client.list_custom_resources("qa.example.com", "v1", "crontabs")
    assert [i["spec"]["cron"] for i in items] == ["0 4 * * *"]
    await sim_client.delete_custom_resource("qa.example.com", "v1", "crontabs", "qa", "nightly")
    with pytest.raises(E.KubeError) as err:
        await sim_client.get_custom_resource("qa.example.com", "v1", "crontabs", "qa", "nightly")
    assert err.value.status == 404
    await sim_client.delete_crd("crontabs.qa.example.com")
    with pytest.raises(E.KubeError):
        await sim_client.get_crd("crontabs.qa.example.com")


async def test_admission_webhooks(sim_client):
    hook = {"apiVersion": "v4", "kind": "admissionwebhook",
            "metadata": {"name": "sidecar", "namespace": "qa"},
            "resourcesRef": {"operation": "Create", "kind": "application"},
            "admissionWebhooks": [{"name": "inject", "failurePolicy": "Ignore",
                                   "clientConfig": {"url": "https://hook.local/inject"}}]}
    await sim_client.create_admission_webhook("qa", hook)
    with pytest.raises(E.ApiError) as err:
        await sim_client.create_admission_webhook("qa", hook)
    assert err.value.code == 1405201
    await sim_client.update_admission_webhook("qa", hook)
    got = await sim_client.get_admission_webhook("qa", "sidecar")
    assert got.metadata.name == "sidecar"
    assert len(await sim_client.list_admission_webhooks()) == 2
    await sim_client.delete_admission_webhook("qa", "sidecar")
    with pytest.raises(E.ApiError) as err:
        await sim_client.update_admission_webhook("qa", hook)
    assert err.value.code == 1405202


async def test_transactions(sim_client, sim_cluster):
    await sim_client.create_application("qa", app_body("web"))
    (trans,) = await sim_client.list_transactions("qa")
    assert trans.object_name == "web"
    await sim_client.delete_transaction("qa", "anything")
    sim_cluster.advance(2)
    assert await sim_client.list_transactions("qa") == []


async def test_storage_reads(sim_client):
    assert "hero-prod" in await sim_client.storage_list_namespaces()
    apps = await sim_client.storage_applications(["pay"])
    assert {r.data.metadata.name for r in apps} == {"pay-api", "order", "pay-callback",
                                                    "billing-db-proxy"}
    tgs = await sim_client.storage_taskgroups(host_ip="10.24.3.16")
    assert tgs and all(r.data.host_ip == "10.24.3.16" for r in tgs)
    eps = await sim_client.storage_endpoints("hero-prod")
    assert eps
    assert [r.resource_name for r in await sim_client.storage_processes()] == ["host-agent"]
    rec = await sim_client.storage_inspect("application", "pay", "order")
    assert rec.data.metadata.name == "order"
    tg = (await sim_client.list_taskgroups("pay", "order"))[0]
    rec = await sim_client.storage_inspect("taskgroup", "pay", tg.id)
    assert rec.data.rcname == "order"


async def test_every_client_call_was_recorded(sim_client, sim_cluster):
    await sim_client.scale_application("pay", "order", 3)
    last = sim_cluster.requests[-1]
    assert (last.method, last.path) == (
        "PUT", "/bcsapi/v4/scheduler/mesos/namespaces/pay/applications/order/scale/3")
    await sim_client.create_configmap("qa", {"apiVersion": "v4", "kind": "configmap",
                                             "metadata": {"name": "c", "namespace": "qa"},
                                             "datas": {}})
    assert sim_cluster.requests[-1].body["metadata"]["name"] == "c"


async def test_failing_admission_webhook_refuses_app_writes(sim_client, sim_cluster, sim_http):
    hook = {"apiVersion": "v4", "kind": "admissionwebhook",
            "metadata": {"name": "guard", "namespace": "qa"},
            "resourcesRef": {"operation": "Create", "kind": "application"},
            "admissionWebhooks": [{"name": "image-guard", "failurePolicy": "Fail",
                                   "clientConfig": {"url": "https://guard.qa.invalid/check"},
                                   "namespaceSelector": {"operator": "In", "values": ["qa"]}}]}
    await sim_client.create_admission_webhook("qa", hook)
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications",
                            json=app_body("web"))
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == 1405234 and body["data"] is None
    assert "request webhoook image-guard error" in body["message"]
    assert ("qa", "web") not in sim_cluster.apps
    # other namespaces are not selected; Ignore policies never refuse
    await sim_client.create_application("pay", app_body("web", ns="pay"))
    hook["admissionWebhooks"][0]["failurePolicy"] = "Ignore"
    await sim_client.update_admission_webhook("qa", hook)
    await sim_client.create_application("qa", app_body("web"))
    assert ("qa", "web") in sim_cluster.apps


def process_body(name="gm-agent", ns="qa", instances=2):
    return {"apiVersion": "v4", "kind": "process",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "restartPolicy": {"policy": "Always"},
            "spec": {"instance": instances, "template": {"spec": {"processes": [{
                "procName": name, "workPath": f"/data/{name}", "startCmd": f"./bin/{name} start",
                "stopCmd": f"./bin/{name} stop", "reloadCmd": f"./bin/{name} reload",
                "resources": {"limits": {"cpu": "0.5", "memory": "256"}},
                "ports": [{"name": "http", "hostPort": 18080, "protocol": "TCP"}]}]}}}}


async def test_process_apps_restart_reload_and_kind_filter(sim_client, sim_cluster, sim_http):
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/processes",
                            json=process_body())
    assert r.json()["code"] == 0
    r = await sim_http.post("/bcsapi/v4/scheduler/mesos/namespaces/qa/applications",
                            json=process_body("other"))
    assert "Kind process is invalid" in r.json()["message"]
    sim_cluster.advance(4)
    # the scheduler lists process apps with applications; the client keeps only applications
    assert await sim_client.list_applications("qa") == []
    (proc,) = await sim_client.list_applications("qa", kind="process")
    assert proc.status == "Running"
    tgs = await sim_client.list_taskgroups("qa", "gm-agent")
    assert len({tg.host_name for tg in tgs}) == 2  # the fixed host port keeps them apart
    msg = await sim_client.restart_taskgroup("qa", "gm-agent", tgs[0].id)
    assert msg is not None and msg.type == 11
    msg = await sim_client.reload_taskgroup("qa", "gm-agent", tgs[1].id)
    assert msg is not None and msg.type == 10
    assert [r.data.metadata.name for r in await sim_client.storage_processes("qa")] == ["gm-agent"]
    assert await sim_client.storage_applications("qa") == []
    r = await sim_http.put("/bcsapi/v4/scheduler/mesos/namespaces/qa/processes/gm-agent/scale/3")
    assert r.json()["code"] == 0
    r = await sim_http.delete("/bcsapi/v4/scheduler/mesos/namespaces/qa/processes/gm-agent")
    assert r.json()["code"] == 0
    sim_cluster.advance(3)
    assert ("qa", "gm-agent") not in sim_cluster.apps
