"""Every client method against a mock transport: method, path, query, headers and body exactly."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pytest

from bcs_tui.api.client import BcsClient
from tests.api.conftest import CLUSTER, TOKEN, Recorder, fixture_json, ok

P = "/bcsapi/v4/scheduler/mesos"
SQ = f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CLUSTER}"
TG_FIELDS = ("data.metadata.name,data.metadata.namespace,data.status,data.message,data.kind,data.lastUpdateTime,"
             "data.rcname,data.hostIP,data.podIP,data.startTime,data.containerStatuses.restartCount,"
             "_isBcsObjectDeleted")
APP_FIELDS = ("data.metadata.name,data.metadata.namespace,data.status,data.message,data.kind,data.lastUpdateTime,"
              "data.instance,data.runningInstance,data.createTime,_isBcsObjectDeleted")
SI = f"/bcsapi/v4/storage/mesos/dynamic/namespace_resources/clusters/{CLUSTER}"

APP = fixture_json("manifest-application.json")
DEP = fixture_json("manifest-deployment.json")
CM = {"apiVersion": "v4", "kind": "configmap", "metadata": {"name": "cm1", "namespace": "prod", "labels": {}},
      "datas": {"item-one": {"type": "file", "content": "Y29uZmln"}}}
SECRET = {"apiVersion": "v4", "kind": "secret", "metadata": {"name": "s1", "namespace": "prod"}, "type": "",
          "datas": {"k": {"path": "SECRET_ENV", "content": "c2VjcmV0LXZhbHVl"}}}
SVC = {"apiVersion": "v4", "kind": "service", "metadata": {"name": "svc", "namespace": "prod", "labels": {"BCSGROUP": "external"}},
       "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "protocol": "tcp", "servicePort": 8080}]}}
HOOK = {"apiVersion": "v4", "kind": "admissionwebhook", "metadata": {"name": "hook", "namespace": "prod"},
        "resourcesRef": {"operation": "Create", "kind": "application"},
        "admissionWebhooks": [{"name": "sidecar", "failurePolicy": "Ignore",
                               "clientConfig": {"caBundle": "xx", "namespace": "wh", "name": "wh-svc"}}]}
CRD = {"apiVersion": "v4", "kind": "CustomResourceDefinition", "metadata": {"name": "bklogconfigs.bkbcs.tencent.com"},
       "spec": {"group": "bkbcs.tencent.com", "versions": [{"name": "v2", "served": True, "storage": True}],
                "scope": "Namespaced", "names": {"plural": "bklogconfigs", "kind": "BKLogConfig"}}}
CR = {"apiVersion": "bkbcs.tencent.com/v2", "kind": "BKLogConfig", "metadata": {"name": "cfg", "namespace": "prod"},
      "spec": {"stdout": False}}
SIGNAL = {"name": "web", "namespace": "prod", "msgtype": "signal", "msgdata": {"signal": 12, "processname": "nginx"}}
UPDATE = {"ips": ["10.0.0.5", "10.0.0.6"], "name": "City", "valuetype": 103, "text": {"value": "shanghai"}}
KUBE_OK = httpx.Response(200, json={"apiVersion": "v4", "kind": "CustomResourceDefinition", "metadata": {"name": "x"}})

# (method, args, kwargs, http method, path, query, body, response)
CASES: list[tuple[str, tuple, dict, str, str, dict, Any, Any]] = [
    # applications
    ("create_application", ("prod", APP), {}, "POST", f"{P}/namespaces/prod/applications", {}, APP, None),
    ("update_application", ("prod", APP), {}, "PUT", f"{P}/namespaces/prod/applications", {"instances": "2"}, APP, None),
    ("update_application", ("prod", APP), {"instances": 1}, "PUT", f"{P}/namespaces/prod/applications",
     {"instances": "1"}, APP, None),
    ("update_application", ("prod", APP), {"only_resource": True}, "PUT", f"{P}/namespaces/prod/applications",
     {"args": "resource"}, APP, None),
    ("delete_application", ("prod", "web"), {}, "DELETE", f"{P}/namespaces/prod/applications/web", {"enforce": "0"}, None, None),
    ("delete_application", ("prod", "web"), {"enforce": True}, "DELETE", f"{P}/namespaces/prod/applications/web",
     {"enforce": "1"}, None, None),
    ("scale_application", ("prod", "web", 5), {}, "PUT", f"{P}/namespaces/prod/applications/web/scale/5", {}, None, None),
    ("rollback_application", ("prod", APP), {}, "PUT", f"{P}/namespaces/prod/applications/rollback", {}, APP, None),
    ("fetch_application", ("prod", "web"), {}, "GET", f"{P}/namespaces/prod/applications/web", {}, None,
     ok(fixture_json("scheduler-applications.json")["data"][0])),
    ("list_applications", ("prod",), {}, "GET", f"{P}/namespaces/prod/applications", {}, None,
     fixture_json("scheduler-applications.json")),
    ("list_taskgroups", ("prod", "web"), {}, "GET", f"{P}/namespaces/prod/applications/web/taskgroups", {}, None,
     fixture_json("scheduler-taskgroups.json")),
    ("list_tasks", ("prod", "web"), {}, "GET", f"{P}/namespaces/prod/applications/web/tasks", {}, None,
     ok(fixture_json("scheduler-taskgroups.json")["data"][0]["Taskgroup"])),
    ("rescheduler_taskgroup", ("prod", "web", "0.web.prod.10001.17"), {}, "PUT",
     f"{P}/namespaces/prod/applications/web/taskgroups/0.web.prod.10001.17/rescheduler", {}, None, None),
    ("rescheduler_taskgroup", ("prod", "web", "0.web.prod.10001.17"), {"host_retain_time": 300}, "PUT",
     f"{P}/namespaces/prod/applications/web/taskgroups/0.web.prod.10001.17/rescheduler", {"hostRetainTime": "300"}, None, None),
    ("restart_taskgroup", ("prod", "proc", "0.proc.prod.10001.1"), {}, "POST",
     f"{P}/namespaces/prod/applications/proc/taskgroups/0.proc.prod.10001.1/restart", {}, None, None),
    ("reload_taskgroup", ("prod", "proc", "0.proc.prod.10001.1"), {}, "POST",
     f"{P}/namespaces/prod/applications/proc/taskgroups/0.proc.prod.10001.1/reload", {}, None, None),
    ("list_versions", ("prod", "web"), {}, "GET", f"{P}/namespaces/prod/applications/web/versions", {}, None,
     ok(["1486469930525129787", "1486469940000000000"])),
    ("fetch_version", ("prod", "web", "1486469930525129787"), {}, "GET",
     f"{P}/namespaces/prod/applications/web/versions/1486469930525129787", {}, None, fixture_json("scheduler-version.json")),
    ("send_application_message", ("prod", "web", SIGNAL), {}, "POST", f"{P}/namespaces/prod/applications/web/message",
     {}, SIGNAL, None),
    ("send_taskgroup_message", ("prod", "web", "0.web.prod.10001.17", SIGNAL), {}, "POST",
     f"{P}/namespaces/prod/applications/web/taskgroups/0.web.prod.10001.17/message", {}, SIGNAL, None),
    ("send_application_signal", ("prod", "web", 12, "nginx"), {}, "POST", f"{P}/namespaces/prod/applications/web/message",
     {}, SIGNAL, None),
    ("send_taskgroup_signal", ("prod", "web", "0.web.prod.10001.17", 15, "nginx"), {}, "POST",
     f"{P}/namespaces/prod/applications/web/taskgroups/0.web.prod.10001.17/message", {},
     {"name": "web", "namespace": "prod", "msgtype": "signal", "msgdata": {"signal": 15, "processname": "nginx"},
      "taskgroupid": "0.web.prod.10001.17"}, None),
    # configmap / secret / service
    ("create_configmap", ("prod", CM), {}, "POST", f"{P}/namespaces/prod/configmaps", {}, CM, None),
    ("update_configmap", ("prod", CM), {}, "PUT", f"{P}/namespaces/prod/configmaps", {}, CM, None),
    ("delete_configmap", ("prod", "cm1"), {}, "DELETE", f"{P}/namespaces/prod/configmaps/cm1", {}, None, None),
    ("create_secret", ("prod", SECRET), {}, "POST", f"{P}/namespaces/prod/secrets", {}, SECRET, None),
    ("update_secret", ("prod", SECRET), {}, "PUT", f"{P}/namespaces/prod/secrets", {}, SECRET, None),
    ("delete_secret", ("prod", "s1"), {}, "DELETE", f"{P}/namespaces/prod/secrets/s1", {}, None, None),
    ("create_service", ("prod", SVC), {}, "POST", f"{P}/namespaces/prod/services", {}, SVC, None),
    ("update_service", ("prod", SVC), {}, "PUT", f"{P}/namespaces/prod/services", {}, SVC, None),
    ("delete_service", ("prod", "svc"), {}, "DELETE", f"{P}/namespaces/prod/services/svc", {}, None, None),
    # cluster
    ("get_cluster_resources", (), {}, "GET", f"{P}/cluster/resources", {}, None, fixture_json("scheduler-cluster-resources.json")),
    ("get_cluster_endpoints", (), {}, "GET", f"{P}/cluster/endpoints", {}, None, fixture_json("scheduler-endpoints.json")),
    ("get_cluster_offers", (), {}, "GET", f"{P}/cluster/current/offers", {}, None, fixture_json("scheduler-offers.json")),
    # deployments
    ("create_deployment", ("prod", DEP), {}, "POST", f"{P}/namespaces/prod/deployments", {}, DEP, None),
    ("update_deployment", ("prod", DEP), {}, "PUT", f"{P}/namespaces/prod/deployments", {}, DEP, None),
    ("update_deployment", ("prod", DEP), {"only_resource": True}, "PUT", f"{P}/namespaces/prod/deployments",
     {"args": "resource"}, DEP, None),
    ("cancel_update_deployment", ("prod", "dep"), {}, "PUT", f"{P}/namespaces/prod/deployments/dep/cancelupdate", {}, None, None),
    ("pause_update_deployment", ("prod", "dep"), {}, "PUT", f"{P}/namespaces/prod/deployments/dep/pauseupdate", {}, None, None),
    ("resume_update_deployment", ("prod", "dep"), {}, "PUT", f"{P}/namespaces/prod/deployments/dep/resumeupdate", {}, None, None),
    ("scale_deployment", ("prod", "dep", 3), {}, "PUT", f"{P}/namespaces/prod/deployments/dep/scale/3", {}, None, None),
    ("delete_deployment", ("prod", "dep"), {}, "DELETE", f"{P}/namespaces/prod/deployments/dep", {"enforce": "0"}, None, None),
    ("delete_deployment", ("prod", "dep"), {"enforce": True}, "DELETE", f"{P}/namespaces/prod/deployments/dep",
     {"enforce": "1"}, None, None),
    # agent settings
    ("get_agent_setting_list", (), {}, "GET", f"{P}/agentsettings", {}, None, fixture_json("scheduler-agentsettings.json")),
    ("get_agent_setting_list", (["10.0.0.5", "10.0.0.6"],), {}, "GET", f"{P}/agentsettings",
     {"ips": "10.0.0.5,10.0.0.6"}, None, fixture_json("scheduler-agentsettings.json")),
    ("get_agent_settings", ("10.0.0.5",), {}, "GET", f"{P}/agentsettings", {"ips": "10.0.0.5"}, None, ok(None)),
    ("set_agent_setting_list", ([{"innerIP": "10.0.0.5", "disabled": False, "strings": {"City": {"value": "sz"}}}],), {},
     "POST", f"{P}/agentsettings", {}, [{"innerIP": "10.0.0.5", "disabled": False, "strings": {"City": {"value": "sz"}}}], None),
    ("delete_agent_setting_list", ("10.0.0.5,10.0.0.6",), {}, "DELETE", f"{P}/agentsettings", {"ips": "10.0.0.5,10.0.0.6"},
     None, None),
    ("update_agent_setting_list", (UPDATE,), {}, "POST", f"{P}/agentsettings/update", {}, UPDATE, None),
    ("disable_agent_list", (["10.0.0.5"],), {}, "POST", f"{P}/agentsettings/disable", {"ips": "10.0.0.5"}, None, None),
    ("enable_agent_list", ("10.0.0.5, 10.0.0.6",), {}, "POST", f"{P}/agentsettings/enable", {"ips": "10.0.0.5,10.0.0.6"},
     None, None),
    ("taint_agents", ([{"innerIP": "10.0.0.5", "noSchedule": {"dedicated": "db"}}, {"innerIP": "10.0.0.6", "noSchedule": {}}],),
     {}, "PUT", f"{P}/agentsettings/taint", {},
     [{"innerIP": "10.0.0.5", "noSchedule": {"dedicated": "db"}}, {"innerIP": "10.0.0.6", "noSchedule": {}}], None),
    ("update_agent_extended_resource", ({"InnerIP": "10.0.0.5", "Name": "bkbcs/cpuset", "Value": 2, "Capacity": 8},), {},
     "PUT", f"{P}/agentsettings/extendedresource", {}, {"InnerIP": "10.0.0.5", "Name": "bkbcs/cpuset", "Value": 2, "Capacity": 8},
     None),
    # CRDs and custom resources (kube proxy)
    ("create_crd", (CRD,), {}, "POST", f"{P}/customresourcedefinitions", {}, CRD, KUBE_OK),
    ("get_crd", ("bklogconfigs.bkbcs.tencent.com",), {}, "GET", f"{P}/customresourcedefinitions/bklogconfigs.bkbcs.tencent.com",
     {}, None, KUBE_OK),
    ("list_crds", (), {}, "GET", f"{P}/customresourcedefinitions", {}, None, httpx.Response(200, json=fixture_json("kube-crd-list.json"))),
    ("update_crd", ("bklogconfigs.bkbcs.tencent.com", CRD), {}, "PUT",
     f"{P}/customresourcedefinitions/bklogconfigs.bkbcs.tencent.com", {}, CRD, KUBE_OK),
    ("delete_crd", ("bklogconfigs.bkbcs.tencent.com",), {}, "DELETE",
     f"{P}/customresourcedefinitions/bklogconfigs.bkbcs.tencent.com", {}, None,
     httpx.Response(200, json={"kind": "Status", "apiVersion": "v1", "status": "Success"})),
    ("create_custom_resource", ("bkbcs.tencent.com", "v2", "bklogconfigs", "prod", CR), {}, "POST",
     f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/prod/bklogconfigs", {}, CR, httpx.Response(201, json=CR)),
    ("get_custom_resource", ("bkbcs.tencent.com", "v2", "bklogconfigs", "prod", "cfg"), {}, "GET",
     f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/prod/bklogconfigs/cfg", {}, None, httpx.Response(200, json=CR)),
    ("list_custom_resources", ("bkbcs.tencent.com", "v2", "bklogconfigs"), {"namespace": "prod"}, "GET",
     f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/prod/bklogconfigs", {}, None,
     httpx.Response(200, json={"kind": "BKLogConfigList", "items": [CR]})),
    ("list_custom_resources", ("bkbcs.tencent.com", "v2", "bklogconfigs"), {}, "GET",
     f"{P}/customresources/bkbcs.tencent.com/v2/bklogconfigs", {}, None, httpx.Response(200, json={"items": [CR]})),
    ("list_custom_resources", ("bkbcs.tencent.com/v2", "bklogconfigs"), {"namespace": "prod"}, "GET",
     f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/prod/bklogconfigs", {}, None, httpx.Response(200, json={"items": [CR]})),
    ("update_custom_resource", ("bkbcs.tencent.com", "v2", "bklogconfigs", "prod", "cfg", CR), {}, "PUT",
     f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/prod/bklogconfigs/cfg", {}, CR, httpx.Response(200, json=CR)),
    ("delete_custom_resource", ("bkbcs.tencent.com", "v2", "bklogconfigs", "prod", "cfg"), {}, "DELETE",
     f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/prod/bklogconfigs/cfg", {}, None,
     httpx.Response(200, json={"kind": "Status", "status": "Success"})),
    # definitions, image commit
    ("get_deployment_definition", ("prod", "dep"), {}, "GET", f"{P}/definition/deployment/prod/dep", {}, None, ok(DEP)),
    ("get_application_definition", ("prod", "web"), {}, "GET", f"{P}/definition/application/prod/web", {}, None, ok(APP)),
    ("commit_image", ("0.web.prod.10001.17", "hub/web:v1", "hub/web:v2"), {}, "POST", f"{P}/image/commit/0.web.prod.10001.17",
     {"image": "hub/web:v1", "url": "hub/web:v2"}, None, ok({"Id": 7, "Type": 9, "TaskGroupId": "0.web.prod.10001.17"})),
    # commands
    ("send_command", ("application", "test", "testapp", {"command": ["ps", "-ef"]}), {}, "POST",
     f"{P}/command/application/test/testapp", {},
     {"apiVersion": "v4", "kind": "Command", "spec": {"command": ["ps", "-ef"],
      "commandTargetRef": {"kind": "Application", "namespace": "test", "name": "testapp"}}},
     ok("Application-test-testapp-1547437542873435715")),
    ("send_command", ("deployment", "test", "dep", {"apiVersion": "v4", "kind": "Command", "spec": {
        "commandTargetRef": {"kind": "Deployment", "namespace": "test", "name": "dep"}, "taskgroups": ["0.dep.test.1.2"],
        "command": ["/bin/bash", "-c", "ps"], "env": ["A=1"], "user": "root", "workingDir": "", "privileged": False,
        "reserveTime": 60}}), {}, "POST", f"{P}/command/deployment/test/dep", {},
     {"apiVersion": "v4", "kind": "Command", "spec": {
         "commandTargetRef": {"kind": "Deployment", "namespace": "test", "name": "dep"}, "taskgroups": ["0.dep.test.1.2"],
         "command": ["/bin/bash", "-c", "ps"], "env": ["A=1"], "user": "root", "workingDir": "", "privileged": False,
         "reserveTime": 60}}, ok("deployment-test-dep-1")),
    ("get_command", ("application", "test", "testapp", "Application-test-testapp-1547437542873435715"), {}, "GET",
     f"{P}/command/application/test/testapp", {"id": "Application-test-testapp-1547437542873435715"}, None,
     fixture_json("scheduler-command.json")),
    ("delete_command", ("Deployment", "test", "dep", "deployment-test-dep-1"), {}, "DELETE", f"{P}/command/deployment/test/dep",
     {"id": "deployment-test-dep-1"}, None, None),
    # admission webhooks
    ("create_admission_webhook", ("prod", HOOK), {}, "POST", f"{P}/namespaces/prod/admissionwebhook", {}, HOOK, None),
    ("update_admission_webhook", ("prod", HOOK), {}, "PUT", f"{P}/namespaces/prod/admissionwebhook", {}, HOOK, None),
    ("get_admission_webhook", ("prod", "hook"), {}, "GET", f"{P}/namespaces/prod/admissionwebhook/hook", {}, None,
     fixture_json("scheduler-admissionwebhook.json")),
    ("list_admission_webhooks", (), {}, "GET", f"{P}/admissionwebhooks", {}, None,
     ok([fixture_json("scheduler-admissionwebhook.json")["data"]])),
    ("delete_admission_webhook", ("prod", "hook"), {}, "DELETE", f"{P}/namespaces/prod/admissionwebhook/hook", {}, None, None),
    # transactions
    ("list_transactions", ("prod",), {"obj_kind": "app", "obj_name": "web"}, "GET", f"{P}/transactions/prod",
     {"objKind": "app", "objName": "web"}, None, ok([{"transactionID": "t1", "objectKind": "app", "curOp": {"opType": "SCALE"}}])),
    ("delete_transaction", ("prod", "t1"), {}, "DELETE", f"{P}/transactions/prod/t1", {}, None, None),
    # bcs-storage
    # (storage_list_namespaces takes two requests: tests/api/test_storage_reads.py)
    ("storage_query", ("application",), {}, "POST", f"{SQ}/application", {}, {"limit": "50000"},
     fixture_json("storage-application.json")),
    ("storage_query", ("taskgroup", ["a", "b"], "10.0.0.5"), {}, "POST", f"{SQ}/taskgroup", {},
     {"namespace": "a,b", "hostIp": "10.0.0.5", "limit": "50000"}, fixture_json("storage-taskgroup.json")),
    ("storage_applications", (["prod", "dev"],), {}, "POST", f"{SQ}/application", {},
     {"namespace": "prod,dev", "limit": "50000"}, fixture_json("storage-application.json")),
    ("storage_processes", ("prod",), {}, "POST", f"{SQ}/process", {}, {"namespace": "prod", "limit": "50000"}, ok([])),
    ("storage_list", ("taskgroup", ["a", "b"], "10.0.0.5"), {}, "POST", f"{SQ}/taskgroup", {},
     {"namespace": "a,b", "hostIp": "10.0.0.5", "limit": "50000", "field": TG_FIELDS},
     fixture_json("storage-taskgroup.json")),
    ("storage_list", ("application",), {}, "POST", f"{SQ}/application", {},
     {"limit": "50000", "field": APP_FIELDS}, fixture_json("storage-application.json")),
    ("storage_taskgroups", (), {"host_ip": "10.0.0.5"}, "POST", f"{SQ}/taskgroup", {},
     {"hostIp": "10.0.0.5", "limit": "50000"}, fixture_json("storage-taskgroup.json")),
    ("storage_deployments", ("prod",), {}, "POST", f"{SQ}/deployment", {}, {"namespace": "prod", "limit": "50000"},
     fixture_json("storage-deployment.json")),
    ("storage_configmaps", ("prod",), {}, "POST", f"{SQ}/configmap", {}, {"namespace": "prod", "limit": "50000"},
     ok(None)),
    ("storage_secrets", ("prod",), {}, "POST", f"{SQ}/secret", {}, {"namespace": "prod", "limit": "50000"}, ok([])),
    ("storage_services", ("prod",), {}, "POST", f"{SQ}/service", {}, {"namespace": "prod", "limit": "50000"}, ok({})),
    ("storage_endpoints", ("prod",), {}, "POST", f"{SQ}/endpoints", {}, {"namespace": "prod", "limit": "50000"},
     ok(None)),
    ("check_cluster", (), {}, "GET", f"{P}/cluster/endpoints", {}, None, ok({})),
    ("storage_inspect", ("taskgroup", "prod", "0.web.prod.10001.1"), {}, "GET", f"{SI}/namespaces/prod/taskgroup/0.web.prod.10001.1",
     {}, None, ok(fixture_json("storage-taskgroup.json")["data"][0])),
]


def _response(spec: Any) -> httpx.Response:
    if spec is None:
        return ok(None)
    if isinstance(spec, httpx.Response):
        return httpx.Response(spec.status_code, content=spec.content, headers={"content-type": "application/json"})
    return httpx.Response(200, json=spec)


def _ids() -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for case in CASES:
        n = seen.get(case[0], 0)
        seen[case[0]] = n + 1
        out.append(f"{case[0]}-{n}" if n else case[0])
    return out


@pytest.mark.parametrize("name,args,kwargs,method,path,query,body,response", CASES, ids=_ids())
async def test_route(make_client, name, args, kwargs, method, path, query, body, response):
    rec = Recorder(lambda request: _response(response))
    client = make_client(transport=rec.transport, operator="alice")
    await getattr(client, name)(*args, **kwargs)
    assert len(rec.requests) == 1
    req = rec.last
    assert req.method == method
    assert req.url.scheme == "https" and req.url.host == "bcs.example.com" and req.url.port == 8443
    assert req.url.path == path
    assert dict(req.url.params) == query
    assert req.headers["BCS-ClusterID"] == CLUSTER
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    assert req.headers["X-BCS-Operator"] == "alice"
    assert req.headers["Content-Type"] == "application/json"
    assert req.headers["Accept"] == "application/json"
    if body is None:
        assert req.content == b""
    else:
        assert json.loads(req.content) == body


def test_every_public_method_has_a_route_case():
    """A new client method cannot escape the route table."""
    covered = {case[0] for case in CASES}
    public = {name for name, fn in inspect.getmembers(BcsClient, inspect.iscoroutinefunction)
              if not name.startswith("_")}
    public.discard("aclose")
    public.discard("send")  # sends any planned request: the methods above cover its routes
    public.discard("storage_list_namespaces")  # two requests: tests/api/test_storage_reads.py
    assert public - covered == set()


def test_every_public_method_names_its_endpoint():
    for name, fn in inspect.getmembers(BcsClient, inspect.iscoroutinefunction):
        if name.startswith("_") or name == "aclose":
            continue
        doc = inspect.getdoc(fn) or ""
        assert "/" in doc, f"{name} docstring must name its endpoint"


async def test_no_optional_headers_without_token_or_operator(make_client, recorder):
    client = make_client(token=None)
    await client.list_versions("prod", "web")
    headers = recorder.last.headers
    assert "Authorization" not in headers and "X-BCS-Operator" not in headers
    assert headers["BCS-ClusterID"] == CLUSTER


async def test_token_secret_object_is_revealed_only_into_the_header(make_client, recorder):
    class Secret:
        def reveal(self) -> str:
            return "tok-from-secret-000000000000000"

        def __str__(self) -> str:
            return "***"

    client = make_client(token=Secret())
    await client.list_versions("prod", "web")
    assert recorder.last.headers["Authorization"] == "Bearer tok-from-secret-000000000000000"
    assert "tok-from" not in repr(client)


@pytest.mark.parametrize("server,base", [
    ("bcs.example.com:8443", "https://bcs.example.com:8443"),
    ("http://10.0.0.1:8080/", "http://10.0.0.1:8080"),
    ("https://gw.example.com/bcsapi/v4", "https://gw.example.com"),
    ("  https://gw.example.com/bcsapi  ", "https://gw.example.com"),
])
async def test_server_address_like_bcs_client(make_client, recorder, server, base):
    client = make_client(server=server)
    assert client.server == base
    await client.get_cluster_endpoints()
    assert str(recorder.last.url) == base + "/bcsapi/v4/scheduler/mesos/cluster/endpoints"


async def test_path_segments_are_encoded_and_slashes_refused(make_client, recorder):
    from bcs_tui.api.errors import InvalidRequest

    client = make_client()
    await client.fetch_application("prod", "a b")
    assert recorder.last.url.raw_path.decode().endswith("/applications/a%20b")
    with pytest.raises(InvalidRequest):
        await client.fetch_application("prod", "../../x")
    with pytest.raises(InvalidRequest):
        await client.fetch_application("", "x")
    assert len(recorder.requests) == 1


async def test_stats_count_requests_and_bytes(make_client, recorder):
    client = make_client()
    await client.list_versions("prod", "a")
    await client.list_versions("prod", "b")
    assert client.stats.requests == 2
    assert client.stats.bytes > 0
    assert client.stats.errors == 0
