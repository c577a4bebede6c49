"""The resource registry: status classes, prompt parsing, row helpers (no UI)."""

import pytest

from bcs_tui.actions import ACTIONS
from bcs_tui.resources import (
    BAD_CLASSES,
    KINDS,
    STATUS_CLASSES,
    containers_of,
    human_age,
    lookup,
    mask_secret,
    parse_taskgroup_id,
    status_class,
    tg_short_name,
    to_epoch,
)
from bcs_tui.ui.modals.command_prompt import CommandError, parse_command

APP_STATUSES = ["Staging", "Deploying", "Running", "Finish", "Error", "Operating", "RollingUpdate", "Unknown", "Abnormal"]
TG_STATUSES = ["Staging", "Starting", "Running", "Finish", "Error", "Killing", "Killed", "Failed", "Lost",
               "Restarting", "Unknown"]
DP_STATUSES = ["Deploying", "Running", "Update", "UpdatePaused", "UpdateSuspend", "Deleting", "UpdateResource"]
CMD_STATUSES = ["staging", "running", "finish", "failed"]
TRANSACTION = ["INIT", "FINISH", "FAIL", "TIMEOUT"]


@pytest.mark.parametrize("status", APP_STATUSES + TG_STATUSES + DP_STATUSES + CMD_STATUSES + TRANSACTION)
def test_every_documented_status_has_a_class(status):
    cls = status_class(status)
    assert cls in STATUS_CLASSES
    # "unknown" is only for the Unknown status itself, never a fall-through for a documented one.
    assert cls != "unknown" or status == "Unknown"


def test_bad_statuses():
    for status in ("Error", "Abnormal", "Failed", "Lost", "UpdateSuspend"):
        assert status_class(status) in BAD_CLASSES
    for status in ("Running", "Staging", "Deploying", "Finish"):
        assert status_class(status) not in BAD_CLASSES


def test_action_kinds_exist_in_registry():
    names = {k.name for k in KINDS} | {"rollout"}
    for action in ACTIONS:
        for kind in action.kinds:
            assert kind == "*" or kind in names, (action.id, kind)


def test_aliases_unique_and_lookup():
    seen = {}
    for kind in KINDS:
        for word in (kind.name, *kind.aliases):
            assert seen.setdefault(word, kind.name) == kind.name, word
    for alias, name in {"ns": "namespaces", "app": "applications", "tg": "taskgroups", "dp": "deployments",
                        "offer": "offers", "agent": "agents", "cm": "configmaps", "secret": "secrets",
                        "svc": "services", "crd": "crds", "cr": "customresources", "cmd": "commands",
                        "webhook": "webhooks", "ctx": "contexts"}.items():
        assert lookup(alias).name == name


def test_parse_command_forms():
    cmd = parse_command("app prod")
    assert cmd.kind.name == "applications" and cmd.scope.namespace == "prod" and cmd.namespace_set
    assert parse_command("app all").scope.namespace is None
    tg = parse_command("tg prod/web")
    assert tg.kind.name == "taskgroups" and tg.scope.parent_kind == "applications"
    assert parse_command(":cluster").special == "cluster"
    assert parse_command("ctx staging").special == "switch_context"
    assert parse_command("cr bklogconfigs.bkbcs.tencent.com").scope.parent == "bklogconfigs.bkbcs.tencent.com"
    assert parse_command("q").special == "quit"


@pytest.mark.parametrize("text,needle", [
    ("nope", "unknown view"), ("co", "taskgroup"), ("versions", "NAMESPACE/APPLICATION"),
    ("agent prod", "not namespaced"), ("cr", "CRD"), ("", "type a view"),
])
def test_parse_command_errors_say_what_is_valid(text, needle):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert needle in str(err.value)
    if needle == "unknown view":
        assert "app" in str(err.value) and "tg" in str(err.value)


def test_taskgroup_ids_and_short_names():
    tid = "0.app-test.defaultGroup.10001.1527839061316356269"
    assert parse_taskgroup_id(tid)["app"] == "app-test"
    assert tg_short_name({"metadata": {"name": tid}}) == "app-test-0"
    assert parse_taskgroup_id("junk") == {}


def test_times():
    assert to_epoch("2017-10-09T07:37:45.690518395Z") == pytest.approx(1507534665.690518, abs=1e-3)
    assert to_epoch("2017-10-09T15:37:44+08:00") == pytest.approx(1507534664)
    assert to_epoch("0001-01-01T00:00:00Z") is None
    assert to_epoch(1527839061316356269) == pytest.approx(1527839061.316, abs=1e-2)
    assert human_age(30) == "30s" and human_age(3 * 3600) == "3h" and human_age(None) == "-"


def test_secret_values_are_masked():
    data = {"metadata": {"name": "s"}, "datas": {"pw": {"content": "c2VjcmV0"}}}
    masked = mask_secret(data)
    assert "c2VjcmV0" not in str(masked) and masked["metadata"]["name"] == "s"


def test_containers_from_storage_record():
    tg = {"metadata": {"name": "1.web.prod.1.2", "namespace": "prod"}, "podIP": "172.1.1.1",
          "containerStatuses": [{"name": "c", "image": "nginx:1", "status": "Running", "containerID": "abcdef0123456789",
                                 "healCheckStatus": [{"type": "HTTP", "result": False}],
                                 "containerPort": [{"containerPort": 80, "hostPort": 31000, "protocol": "TCP"}]}]}
    [row] = containers_of(tg)
    assert row.image == "nginx:1" and row.container_id == "abcdef012345" and row.ip == "172.1.1.1"
    assert row.health == "HTTP:fail" and row.ports == "31000->80/TCP"
