"""Deployments: scale, a rollout started by editing the image, pause / resume / cancel, the
rollout view, delete."""

from __future__ import annotations

import json

from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.manifest import ManifestEditor
from bcs_tui.ui.modals.rollout import RolloutScreen

from .conftest import SIZE, finish, flashes, goto, settle, writes
from .test_ops_apps import SCHED, screen_text


async def _start_rollout(pilot, app, cluster, ns="hero-test", name="gamesvr", image="hub.example.com/hero/gamesvr:v2"):
    await goto(pilot, app, f"dp {ns}", f"{ns}/{name}")
    await pilot.press("e")
    await settle(pilot, app)
    assert isinstance(app.screen, ManifestEditor)
    data = json.loads(app.screen.text)
    data["spec"]["template"]["spec"]["containers"][0]["image"] = image
    app.screen.set_text(json.dumps(data, indent=2))
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert isinstance(app.screen, ConfirmModal)
    assert f"PUT {SCHED}/namespaces/{ns}/deployments" in screen_text(app)
    await pilot.press("y")
    await finish(pilot, app)


async def test_rollout_by_editing_the_image_then_pause_resume_in_the_rollout_view(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _start_rollout(pilot, app, cluster)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("PUT", f"{SCHED}/namespaces/hero-test/deployments")
        assert req.json["spec"]["template"]["spec"]["containers"][0]["image"] == "hub.example.com/hero/gamesvr:v2"
        assert cluster.deployments[("hero-test", "gamesvr")].status == "Update", flashes(app)
        cluster.advance(3)
        await goto(pilot, app, "dp hero-test", "hero-test/gamesvr")
        await pilot.press("l")
        await settle(pilot, app)
        assert isinstance(app.screen, RolloutScreen)
        rollout = app.screen
        body = str(rollout.query_one("#rollout-body").render())
        assert "NEW      application gamesvr-v" in body and "CURRENT  application gamesvr" in body
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        assert f"PUT {SCHED}/namespaces/hero-test/deployments/gamesvr/pauseupdate" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path.endswith("/deployments/gamesvr/pauseupdate")
        assert cluster.deployments[("hero-test", "gamesvr")].status == "UpdatePaused"
        assert app.screen is rollout
        assert "UpdatePaused" in str(rollout.query_one("#rollout-body").render())
        await pilot.press("r")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path.endswith("/deployments/gamesvr/resumeupdate")
        # Follow it to the end.
        for _ in range(40):
            cluster.advance(10)
            if cluster.deployments[("hero-test", "gamesvr")].status == "Running":
                break
        rollout.refresh_now()
        await settle(pilot, app)
        body = str(rollout.query_one("#rollout-body").render())
        assert "status     Running" in body
        assert "no rolling update in progress" in body


async def test_cancel_update_from_the_deployments_list(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _start_rollout(pilot, app, cluster)
        cluster.advance(2)
        await goto(pilot, app, "dp hero-test", "hero-test/gamesvr")
        await pilot.press("C")
        await settle(pilot, app)
        assert "cancelupdate" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path == f"{SCHED}/namespaces/hero-test/deployments/gamesvr/cancelupdate"
        assert any("cancelled" in m for m in flashes(app))


async def test_pause_refused_by_the_server_is_reported(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp hero-test", "hero-test/gamesvr")
        await pilot.press("p")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path.endswith("/pauseupdate")
        assert any("failed" in m and "not in updating" in m for m in flashes(app)), flashes(app)


async def test_scale_deployment(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp match", "match/matchmaker")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "4"
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("PUT", f"{SCHED}/namespaces/match/deployments/matchmaker/scale/4")


async def test_delete_two_deployments_needs_the_count_typed(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp hero-prod", None, marks=("hero-prod/gamesvr", "hero-prod/battle"))
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and confirm.typed == "2"
        confirm.query_one("#confirm-typed").value = "2"
        await pilot.press("enter")
        await finish(pilot, app)
        assert sorted((r.method, r.path) for r in writes(cluster)) == [
            ("DELETE", f"{SCHED}/namespaces/hero-prod/deployments/battle"),
            ("DELETE", f"{SCHED}/namespaces/hero-prod/deployments/gamesvr")]


async def test_rollout_view_marks_taskgroups_coming_and_going(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _start_rollout(pilot, app, cluster, ns="hero-prod", name="gamesvr")
        await goto(pilot, app, "dp hero-prod", "hero-prod/gamesvr")
        await pilot.press("l")
        await settle(pilot, app)
        rollout = app.screen
        assert isinstance(rollout, RolloutScreen)
        seen_new = seen_gone = False
        for _ in range(30):
            cluster.advance(5)
            rollout.refresh_now()
            await settle(pilot, app)
            body = str(rollout.query_one("#rollout-body").render())
            seen_new = seen_new or "\n    + gamesvr-v" in body
            seen_gone = seen_gone or ("gone" in body and "\n    - gamesvr-" in body)
            if seen_new and seen_gone:
                break
        assert seen_new and seen_gone, body
        # requests per poll stay bounded: the deployment, and per app one fetch + one taskgroup list
        before = len(cluster.requests)
        rollout.refresh_now()
        await settle(pilot, app)
        assert len(cluster.requests) - before <= 5


async def test_update_resource_of_a_deployment(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp match", "match/matchmaker")
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        assert isinstance(app.screen, ManifestEditor)
        data = json.loads(app.screen.text)
        data["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "2", "memory": "2048"}}
        app.screen.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert f"PUT {SCHED}/namespaces/match/deployments?args=resource" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path, req.query) == ("PUT", f"{SCHED}/namespaces/match/deployments", {"args": "resource"})
        assert not any("failed" in m for m in flashes(app)), flashes(app)


async def test_command_in_a_deployment(make_app, cluster):
    from bcs_tui.ui.modals.command_output import CommandOutputScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp match", "match/matchmaker")
        await pilot.press("x")
        await settle(pilot, app)
        app.screen.query_one("#field-command").value = "uptime"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert f"POST {SCHED}/command/deployment/match/matchmaker" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert req.json["spec"]["commandTargetRef"]["kind"] == "Deployment"
        assert isinstance(app.screen, CommandOutputScreen)
        cluster.advance(10)
        app.screen.refresh_now()
        await settle(pilot, app)
        assert "(done)" in str(app.screen.query_one("#cmd-output").render())
        assert app.commands[0].kind == "deployment"
