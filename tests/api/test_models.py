"""Models: real shapes parse, null becomes empty, aliases round-trip, helpers, request validation."""

from __future__ import annotations

import copy
import json
from datetime import timezone

import pytest

from bcs_tui.api import models as m
from bcs_tui.api.errors import InvalidRequest
from tests.api.conftest import fixture_json


def data(name: str):
    return fixture_json(name)["data"]


# --- scheduler objects ------------------------------------------------------------------------


def test_application_parses_pascal_case_and_nulls():
    apps = [m.Application.model_validate(a) for a in data("scheduler-applications.json")]
    web, legacy, proc = apps
    assert web.id == "app-test" and web.define_instances == 2 and web.running_instances == 2
    assert web.object_meta.labels == {"podname": "app-test"}
    assert web.namespace == "defaultGroup" and web.cluster_id == "10001"
    assert web.created == 1527839061 and isinstance(web.created, int)
    assert [p.name for p in web.pods][0].startswith("0.app-test")
    assert legacy.pods == [] and legacy.object_meta.labels == {}
    assert legacy.is_application and web.is_application and not proc.is_application


def test_application_round_trips_by_alias():
    raw = data("scheduler-applications.json")[0]
    app = m.Application.model_validate(raw)
    dumped = app.model_dump(by_alias=True)
    for key in ("Kind", "ID", "DefineInstances", "RunningInstances", "ObjectMeta", "Pods", "ClusterId"):
        assert dumped[key] == raw[key] if key != "ObjectMeta" else dumped[key]["name"] == raw[key]["name"]
    assert m.Application.model_validate(dumped) == app


def test_unknown_fields_are_kept():
    raw = dict(data("scheduler-applications.json")[0], FutureField={"x": 1})
    app = m.Application.model_validate(raw)
    assert app.model_extra == {"FutureField": {"x": 1}}
    assert app.model_dump(by_alias=True)["FutureField"] == {"x": 1}


def test_taskgroup_tasks_and_status_info():
    tg = m.TaskGroup.model_validate(data("scheduler-taskgroups.json")[0])
    assert tg.app_id == "app-test" and tg.instance_id == 0 and tg.rescheded_times == 2
    assert tg.attributes == [] and tg.bcs_event_msg is None
    assert tg.launch_resource.mem == 114
    task = tg.taskgroup[0]
    assert task.hostame == "" and task.port_mappings[0].host_port == 31000
    assert task.health_checks == [] and task.health_check_status == [] and task.uris == []
    assert task.data_class.extended_resources == []
    info = task.status_info
    assert info is not None and info.ip_address == "172.32.27.6" and info.node_address == "10.0.0.5"
    assert info.ports[0].container_port == "8899"  # strings in StatusData
    assert tg.host_ip == "10.0.0.5" and tg.pod_ip == "172.32.27.6"
    assert tg.namespace == "defaultGroup"


@pytest.mark.parametrize("status_data", ["", "{not json", "[1,2]", "null", '"str"', '{"Pid":"abc"}', "[" * 5000])
def test_status_data_bad_json_is_none(status_data):
    task = m.Task.model_validate({"ID": "t", "StatusData": status_data})
    assert task.status_info is None


def test_status_data_null_key():
    assert m.Task.model_validate({"ID": "t", "StatusData": None}).status_info is None


def test_version_parses_containers():
    v = m.Version.model_validate(data("scheduler-version.json"))
    assert v.name == "1527839060000000000" and v.instances == 2
    assert v.images == ["docker_image:latest"]
    c = v.container[0]
    assert c.limit_resoures.cpus == 0.1 and c.docker.parameters == [] and c.config_maps == []
    assert v.process == [] and v.raw_json["kind"] == "application"


def test_command_info():
    info = m.CommandInfo.model_validate(data("scheduler-command.json"))
    assert info.spec.command_target_ref.kind == "Application"
    assert info.spec.taskgroups == [] and info.spec.env == []
    tasks = info.tasks
    assert [t.status for t in tasks] == ["finish", "staging"]
    assert tasks[0].comm_inspect.stdout.startswith("PID") and tasks[1].comm_inspect is None


def test_bcs_message_and_op_result():
    msg = m.BcsMessage.model_validate({"Id": 7, "Type": 9, "TaskGroupId": "tg", "Status": "success"})
    assert msg.type == 9 and msg.task_group_id == "tg"
    res = m.TaskGroupOpResult.model_validate({"ID": "tg", "Status": "Staging", "Err": "taskgroup tg must be running"})
    assert res.err.endswith("running")


# --- deployments ------------------------------------------------------------------------------


def test_deployment_rolling_keys_and_pascal_current_rolling():
    rec = m.StorageRecord[m.Deployment].model_validate(data("storage-deployment.json")[0])
    dep = rec.data
    assert dep.status == "Update" and dep.name == "dep" and dep.namespace == "prod"
    assert dep.strategy.rolling_update.rolling_manually is True  # the older `RollingManully` key
    assert dep.strategy.rolling_update.max_unavailable == 1
    assert dep.application.current_rolling_instances == 1
    assert dep.application_ext.name == "dep-v1589000000"
    dumped = dep.model_dump(by_alias=True)
    assert dumped["application"]["CurrentRollingInstances"] == 1
    assert dumped["strategy"]["rollingupdate"]["maxUnavilable"] == 1


def test_deployment_current_key_and_nulls():
    dep = m.Deployment.model_validate({"metadata": None, "selector": None, "application": None, "application_ext": None,
                                       "strategy": {"type": "RollingUpdate", "rollingupdate": {"rollingManually": True}}})
    assert dep.metadata.name == "" and dep.selector == {} and dep.application is None
    assert dep.strategy.rolling_update.rolling_manually


# --- cluster, offers, agents ------------------------------------------------------------------


def test_cluster_resources_nanoseconds():
    res = m.ClusterResource.model_validate(data("scheduler-cluster-resources.json"))
    agent = res.agents[0]
    assert agent.registered_time == 1510807765491093637
    assert agent.registered_at.tzinfo == timezone.utc and agent.registered_at.year == 2017
    assert agent.reregistered_at is None
    assert agent.disabled and agent.attributes[1].display_value() == "shenzhen"
    assert res.cpu_total == 16 and agent.mem_total == 30878


def test_endpoints():
    eps = m.ClusterEndpoints.model_validate(data("scheduler-endpoints.json"))
    assert eps.mesos_scheduler[0].metric_port == 9090 and eps.mesos_master[0].port == 5050
    assert eps.kube_nodes == []


def test_offer_helpers_after_delta():
    offer = m.Offer.model_validate(data("scheduler-offers.json")[0])
    assert offer.offer_id == "f136f5f2-O17911" and offer.agent_id_value == "6cd1b3e9-S0"
    assert offer.inner_ip == "10.0.0.5" and offer.city == "shenzhen" and offer.ip_resources == 10
    assert offer.ports == [(31000, 32000), (33000, 33010)]
    assert offer.no_schedule == {"dedicated": "db", "maint": ""}
    assert offer.cpus_free() == pytest.approx(3.5)
    assert offer.mem_free() == pytest.approx(30878 - 128)
    assert offer.disk_free() == pytest.approx(795945 - 64)
    assert offer.executor_ids == []
    assert offer.model_dump(by_alias=True)["deltaResource"] == {"Cpus": 0.5, "Mem": 128.0, "Disk": 64.0}


def test_offer_without_delta_like_the_doc_sample():
    raw = copy.deepcopy(data("scheduler-offers.json")[0])
    del raw["deltaResource"]
    raw["attributes"] = raw["attributes"][:1]
    offer = m.Offer.model_validate(raw)
    assert offer.cpus_free() == 4 and offer.city == "" and offer.ip_resources is None and offer.no_schedule == {}


def test_agent_settings_with_nulls_and_extended_resources():
    first, second = [m.AgentSetting.model_validate(a) for a in data("scheduler-agentsettings.json")]
    assert first.inner_ip == "10.0.0.5" and first.strings["City"].value == "shenzhen"
    assert first.scalars["ip-resources"].value == 10 and first.taints == {"dedicated": "db"}
    assert first.extended_resources["bkbcs/cpuset"].capacity == 8
    assert second.strings == {} and second.scalars == {} and second.no_schedule == {} and second.pods == []
    assert second.extended_resources == {} and second.disabled


def test_admission_webhook_old_pascal_keys():
    hook = m.AdmissionWebhook.model_validate(data("scheduler-admissionwebhook.json"))
    assert hook.resources_ref.kind == "Application"
    entry = hook.admission_webhooks[0]
    assert entry.failure_policy == "Ignore" and entry.client_config.ca_bundle == "xxxx"
    assert entry.client_config.name == "sidecar-svc"


def test_transaction():
    t = m.Transaction.model_validate({"transactionID": "t", "curOp": {"opType": "SCALE"}, "status": "INIT"})
    assert t.cur_op.op_type == "SCALE"


# --- storage ----------------------------------------------------------------------------------


def test_storage_application_record():
    rec = m.StorageRecord[m.ApplicationStatus].model_validate(data("storage-application.json")[0])
    assert rec.cluster_id == "BCS-MESOS-10001" and rec.resource_type == "application" and rec.record_id == ""
    app = rec.data
    assert app.name == "web" and app.namespace == "prod" and app.builded_instance == 1 and app.running_instance == 1
    assert app.create_time.startswith("2017-09-13")


def test_storage_taskgroup_record_heal_check_status():
    pod = m.StorageRecord[m.PodStatus].model_validate(data("storage-taskgroup.json")[0]).data
    assert pod.host_ip == "127.0.0.3" and pod.pod_ip == "127.0.0.5" and pod.rcname == "web"
    c = pod.container_statuses[0]
    assert [h.type for h in c.heal_check_status] == ["HTTP", "REMOTE_TCP"]
    assert c.container_port[0].host_port == 31000 and c.volumes == [] and c.labels == {} and c.env == {} and c.args == []
    assert pod.restart_count == 3
    assert c.model_dump(by_alias=True)["healCheckStatus"][0]["message"] == "http check by executor"


def test_storage_models_for_every_kind():
    assert set(m.STORAGE_DATA_MODELS) == {"application", "process", "taskgroup", "deployment", "configmap", "secret",
                                          "service", "endpoint"}
    svc = m.Service.model_validate({"metadata": {"name": "s", "labels": {"BCSGROUP": "external"}},
                                    "spec": {"selector": {"a": "b"}, "clusterIP": None,
                                             "ports": [{"name": "p", "servicePort": 80, "targetPort": 8080}]}})
    assert svc.spec.cluster_ip == [] and svc.spec.ports[0].target_port == 8080
    cm = m.ConfigMap.model_validate({"metadata": {"name": "c"}, "datas": {"k": {"type": "file", "content": "eA==",
                                                                                 "RemoteUser": "u"}}})
    assert cm.datas["k"].remote_user == "u"
    sec = m.Secret.model_validate({"metadata": {"name": "s"}, "datas": None})
    assert sec.datas == {}


# --- request models ---------------------------------------------------------------------------


def test_application_manifest_valid_and_extra_fields_pass():
    raw = fixture_json("manifest-application.json")
    rc = m.validate_manifest(raw)
    assert isinstance(rc, m.ReplicaController) and rc.name == "web" and rc.namespace == "prod"
    body = rc.body()
    assert body["spec"]["template"]["spec"]["containers"][0]["someFutureField"] == {"kept": True}
    assert body["constraint"] == raw["constraint"]
    assert body["restartPolicy"]["maxtimes"] == 10


def _problems(model, raw):
    with pytest.raises(InvalidRequest) as info:
        m.validate_request(model, raw)
    return dict(info.value.problems)


def test_application_rules_with_field_paths():
    raw = fixture_json("manifest-application.json")
    bad = copy.deepcopy(raw)
    bad["kind"] = "Application"
    bad["metadata"]["name"] = "web.v2"
    bad["spec"]["instance"] = 0
    bad["restartPolicy"]["policy"] = "Sometimes"
    bad["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    bad["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = 70000
    problems = _problems(m.ReplicaController, bad)
    assert "kind" in problems
    assert "'.'" in problems["metadata.name"]
    assert "at least 1" in problems["spec.instance"] or ">= 1" in problems["spec.instance"] or "1" in problems["spec.instance"]
    assert "Never" in problems["restartPolicy.policy"]
    assert problems["spec.template.spec.containers[0].image"] == "must not be empty"
    assert "spec.template.spec.containers[0].ports[0].containerPort" in problems


def test_application_needs_containers():
    raw = fixture_json("manifest-application.json")
    raw["spec"]["template"]["spec"]["containers"] = []
    assert "spec.template.spec.containers" in _problems(m.ReplicaController, raw)
    raw["spec"]["template"]["spec"]["containers"] = None
    assert "spec.template.spec.containers" in _problems(m.ReplicaController, raw)


def test_empty_restart_policy_is_allowed():
    raw = fixture_json("manifest-application.json")
    raw["restartPolicy"]["policy"] = ""
    m.validate_request(m.ReplicaController, raw)


def test_missing_name_and_instance_are_required():
    raw = fixture_json("manifest-application.json")
    del raw["metadata"]["name"]
    del raw["spec"]["instance"]
    problems = _problems(m.ReplicaController, raw)
    assert problems["metadata.name"] == "is required" and problems["spec.instance"] == "is required"


def test_deployment_create_and_update_rules():
    raw = fixture_json("manifest-deployment.json")
    assert isinstance(m.validate_manifest(raw), m.DeploymentRequest)
    m.validate_request(m.DeploymentUpdateRequest, raw)
    no_strategy = copy.deepcopy(raw)
    del no_strategy["spec"]["strategy"]
    m.validate_request(m.DeploymentRequest, no_strategy)  # create may leave it out
    assert "spec.strategy.rollingupdate" in _problems(m.DeploymentUpdateRequest, no_strategy)
    bad = copy.deepcopy(raw)
    bad["spec"]["strategy"]["rollingupdate"]["rollingOrder"] = "Random"
    bad["spec"]["strategy"]["type"] = "Blue"
    problems = _problems(m.DeploymentRequest, bad)
    assert "spec.strategy.rollingupdate.rollingOrder" in problems and "spec.strategy.type" in problems


def test_configmap_secret_service_rules():
    cm = {"apiVersion": "v4", "kind": "configmap", "metadata": {"name": "c"}, "datas": {"k": {"type": "smb", "content": ""}}}
    assert "datas.k.type" in _problems(m.ConfigMapRequest, cm)
    svc = {"apiVersion": "v4", "kind": "service", "metadata": {"name": "s"}, "spec": {"ports": [{"name": "p", "servicePort": 0}]}}
    assert "spec.ports[0].servicePort" in _problems(m.ServiceRequest, svc)
    sec = {"apiVersion": "v4", "kind": "Secret", "metadata": {"name": "s"}}
    assert "kind" in _problems(m.SecretRequest, sec)


def test_message_request_signal_rules():
    ok = {"msgtype": "signal", "msgdata": {"signal": 15, "processname": "nginx"}}
    m.validate_request(m.MessageRequest, ok)
    assert "msgdata.signal" in _problems(m.MessageRequest, {"msgtype": "signal", "msgdata": {"signal": "15", "processname": "x"}})
    assert "msgdata.processname" in _problems(m.MessageRequest, {"msgtype": "signal", "msgdata": {"signal": 15}})
    assert "msgtype" in _problems(m.MessageRequest, {"msgtype": "shout", "msgdata": {}})


def test_command_request_rules():
    good = {"apiVersion": "v4", "kind": "Command", "spec": {"commandTargetRef": {"kind": "Application", "namespace": "n",
                                                                                 "name": "a"}, "command": ["ls"]}}
    m.validate_request(m.CommandRequest, good)
    bad = copy.deepcopy(good)
    bad["spec"]["commandTargetRef"]["kind"] = "application"  # case-sensitive on the server
    bad["spec"]["reserveTime"] = -1
    problems = _problems(m.CommandRequest, bad)
    assert "spec.commandTargetRef.kind" in problems and "spec.reserveTime" in problems


def test_taint_agent_setting_update_rules():
    assert "innerIP" in _problems(m.TaintRequest, {"innerIP": "host-1", "noSchedule": {}})
    assert m.validate_request(m.TaintRequest, {"innerIP": "10.0.0.1", "noSchedule": None}).no_schedule == {}
    problems = _problems(m.AgentSettingUpdate, {"ips": [], "name": "", "valuetype": 103})
    assert "ips" in problems and "name" in problems
    assert "text" in _problems(m.AgentSettingUpdate, {"ips": ["10.0.0.1"], "name": "k", "valuetype": 103})
    assert "scalar" in _problems(m.AgentSettingUpdate, {"ips": ["10.0.0.1"], "name": "k", "valuetype": 101})


def test_webhook_and_crd_rules():
    hook = {"apiVersion": "v4", "kind": "admissionwebhook", "metadata": {"name": "h"},
            "resourcesRef": {"operation": "Delete", "kind": "service"},
            "admissionWebhooks": [{"name": "w", "failurePolicy": "Maybe", "clientConfig": {}}]}
    problems = _problems(m.AdmissionWebhookRequest, hook)
    assert {"resourcesRef.operation", "resourcesRef.kind", "admissionWebhooks[0].failurePolicy",
            "admissionWebhooks[0].clientConfig.url"} <= set(problems)
    crd = {"apiVersion": "v4", "kind": "CustomResourceDefinition", "metadata": {},
           "spec": {"group": "g", "names": {"plural": "xs", "kind": "X"}}}
    problems = _problems(m.CrdRequest, crd)
    assert "metadata.name" in problems and "spec.versions" in problems


def test_validate_manifest_unknown_kind_and_non_object():
    with pytest.raises(InvalidRequest) as info:
        m.validate_manifest({"kind": "pod"})
    assert info.value.problems[0][0] == "kind"
    with pytest.raises(InvalidRequest):
        m.validate_manifest([1, 2])
    with pytest.raises(InvalidRequest):
        m.validate_request(m.ServiceRequest, "text")


def test_invalid_request_message_lists_paths():
    with pytest.raises(InvalidRequest) as info:
        m.validate_request(m.ReplicaController, {"kind": "application"})
    text = info.value.message
    assert text.startswith("invalid ") and "metadata: is required" in text and "spec: is required" in text
    assert json.loads(json.dumps(info.value.to_json()))[0]["path"]


def test_request_types_are_strict_like_the_go_decoder():
    raw = fixture_json("manifest-application.json")
    raw["spec"]["instance"] = "2"
    raw["metadata"]["labels"] = {"port": 8080}
    problems = _problems(m.ReplicaController, raw)
    assert "spec.instance" in problems and "metadata.labels.port" in problems
