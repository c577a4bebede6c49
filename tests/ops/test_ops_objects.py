"""Configmaps, secrets, services, admission webhooks, CRDs and custom resources: create, update
and delete through the editor. Plus a write whose outcome is unknown (connection dropped)."""

from __future__ import annotations

import json

import pytest

from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.manifest import ManifestEditor
from bcs_tui.ui.modals.results import ResultsModal

from .conftest import SIZE, finish, flashes, goto, settle, writes
from .test_ops_apps import SCHED, screen_text

OBJECTS = [
    ("cm", "configmaps", "configmap", "hero-prod", "gamesvr-config"),
    ("secret", "secrets", "secret", "hero-prod", "db-secret"),
    ("svc", "services", "service", "hero-prod", "gamesvr-svc"),
]


async def _edit(pilot, app, change) -> dict:
    await pilot.press("e")
    await settle(pilot, app)
    assert isinstance(app.screen, ManifestEditor), app.screen
    data = json.loads(app.screen.text)
    change(data)
    app.screen.set_text(json.dumps(data, indent=2))
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert isinstance(app.screen, ConfirmModal), str(app.screen.query_one("#manifest-error").render())
    return data


@pytest.mark.parametrize("alias,plural,kind,ns,name", OBJECTS)
async def test_update_object_through_the_editor(make_app, cluster, alias, plural, kind, ns, name):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, f"{alias} {ns}", f"{ns}/{name}")
        def change(d):
            d["metadata"].setdefault("labels", {}).update({"edited": "yes"})
            if kind == "secret":
                first = next(iter(d["datas"].values()))
                first["content"] = "bmV3LXNlY3JldC12YWx1ZQ=="

        data = await _edit(pilot, app, change)
        text = screen_text(app)
        assert f"PUT {SCHED}/namespaces/{ns}/{plural}" in text
        assert '"edited": "yes"' in text  # in the diff
        if kind == "secret":
            contents = [v.get("content") for v in data.get("datas", {}).values() if v.get("content")]
            assert contents and not any(c in text for c in contents)
            assert "sha256" in text  # the changed value shows as a fingerprint
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("PUT", f"{SCHED}/namespaces/{ns}/{plural}")
        assert req.json["kind"] == kind and req.json["metadata"]["name"] == name
        assert req.json["metadata"]["labels"]["edited"] == "yes"
        assert not any("failed" in m for m in flashes(app)), flashes(app)


@pytest.mark.parametrize("alias,plural,kind,ns,name", OBJECTS)
async def test_create_and_delete_object(make_app, cluster, alias, plural, kind, ns, name):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, f"{alias} {ns}")
        await pilot.press("c")
        await settle(pilot, app)
        editor = app.screen
        data = json.loads(editor.text)
        assert data["kind"] == kind
        data["metadata"]["name"] = f"new-{kind}"
        editor.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("POST", f"{SCHED}/namespaces/{ns}/{plural}")
        assert not any("failed" in m for m in flashes(app)), flashes(app)
        await goto(pilot, app, f"{alias} {ns}", f"{ns}/new-{kind}")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        assert f"DELETE {SCHED}/namespaces/{ns}/{plural}/new-{kind}" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert (writes(cluster)[-1].method, writes(cluster)[-1].path) == (
            "DELETE", f"{SCHED}/namespaces/{ns}/{plural}/new-{kind}")


async def test_webhook_update_and_delete(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "webhook", "hero-prod/image-policy")
        await _edit(pilot, app, lambda d: d["admissionWebhooks"][0].update({"failurePolicy": "Ignore"}))
        assert f"PUT {SCHED}/namespaces/hero-prod/admissionwebhook" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert req.json["kind"] == "admissionwebhook"
        assert not any("failed" in m for m in flashes(app)), flashes(app)
        await goto(pilot, app, "webhook", "hero-prod/image-policy")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path == f"{SCHED}/namespaces/hero-prod/admissionwebhook/image-policy"


async def test_crd_create_and_custom_resource_create_edit_delete(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "crd")
        await pilot.press("c")
        await settle(pilot, app)
        await pilot.press("ctrl+s")  # the template as is
        await settle(pilot, app)
        assert f"POST {SCHED}/customresourcedefinitions" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path == f"{SCHED}/customresourcedefinitions"
        assert not any("failed" in m for m in flashes(app)), flashes(app)
        # custom resources of the new CRD
        await goto(pilot, app, "crd", "crontabs.bkbcs.tencent.com")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.browser.state.kind.name == "customresources"
        await pilot.press("c")
        await settle(pilot, app)
        editor = app.screen
        data = json.loads(editor.text)
        assert data["apiVersion"] == "bkbcs.tencent.com/v1" and data["kind"] == "CronTab"
        data["metadata"]["namespace"] = "ops"
        data["spec"] = {"schedule": "* * * * *"}
        editor.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        req = writes(cluster)[-1]
        assert (req.method, req.path) == ("POST", f"{SCHED}/customresources/bkbcs.tencent.com/v1/namespaces/ops/crontabs")
        assert not any("failed" in m for m in flashes(app)), flashes(app)
        app.browser.refresh_now()
        await settle(pilot, app)
        assert app.browser.table.move_cursor_to_key("ops/crontab-example")
        await _edit(pilot, app, lambda d: d["spec"].update({"schedule": "0 * * * *"}))
        await pilot.press("y")
        await finish(pilot, app)
        req = writes(cluster)[-1]
        assert (req.method, req.path) == (
            "PUT", f"{SCHED}/customresources/bkbcs.tencent.com/v1/namespaces/ops/crontabs/crontab-example")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].method == "DELETE"
        # and the CRD itself
        await goto(pilot, app, "crd", "crontabs.bkbcs.tencent.com")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path == f"{SCHED}/customresourcedefinitions/crontabs.bkbcs.tencent.com"


async def test_write_with_unknown_outcome_offers_a_recheck(make_app, cluster):
    from bcs_tui.sim.chaos import ChaosSpec

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        cluster.chaos = ChaosSpec.parse("drop=1,route=/namespaces/*/applications/*/scale/*")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "6"
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        cluster.chaos = None
        assert isinstance(app.screen, ResultsModal)
        title = str(app.screen.query_one("#results-title").render())
        assert "1 unknown" in title
        assert "may or may not" in str(app.screen.query_one("#results-hint").render())
        await pilot.press("r")
        await settle(pilot, app)
        assert "re-checked: status" in str(app.screen.query_one("#results-list").render())


async def test_production_delete_needs_the_name_typed(make_app, cluster):
    app = make_app(production=True)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "cm hero-prod", "hero-prod/gamesvr-config")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and confirm.typed == "gamesvr-config"
        assert "PRODUCTION" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is confirm and writes(cluster) == []
        confirm.query_one("#confirm-typed").value = "gamesvr-config"
        await pilot.press("enter")
        await finish(pilot, app)
        assert writes(cluster)[-1].path == f"{SCHED}/namespaces/hero-prod/configmaps/gamesvr-config"
