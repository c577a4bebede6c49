"""Writes that are right on a real cluster (facts §11.3/§11.4), at the keyboard against a simulator
that refuses what the real scheduler refuses: after a scale, an edit and a rollback send the live
instance count and every taskgroup rolls; a legacy app keeps its volumes and network mode; process
apps go through their own routes; ^U takes resources only; read-only refuses every write."""

from __future__ import annotations

import io
import json

from rich.console import Console

from bcs_tui.actions import ACTIONS_BY_ID
from bcs_tui.resources import KINDS, g
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.form import FormModal
from bcs_tui.ui.modals.manifest import ManifestEditor
from bcs_tui.ui.modals.versions import VersionPicker

from .conftest import SIZE, command, finish, flashes, goto, settle, writes

SCHED = "/bcsapi/v4/scheduler/mesos"


def screen_text(app) -> str:
    from textual.widgets import Label, Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static)) + "\n".join(
        str(w.render()) for w in app.screen.query(Label))


def images(cluster, ns: str, name: str) -> list[str]:
    return sorted(tg.tasks[0].spec.image for tg in cluster.apps[(ns, name)].taskgroups if tg.alive)


async def scale(pilot, app, n: int) -> None:
    await pilot.press("s")
    await settle(pilot, app)
    assert isinstance(app.screen, FormModal)
    app.screen.query_one("#field-instances").value = str(n)
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, ConfirmModal)
    await pilot.press("y")
    await finish(pilot, app)


async def edit_text(pilot, app, change) -> None:
    """In the open manifest editor: rewrite the JSON with `change(obj)` and press ctrl+s."""
    assert isinstance(app.screen, ManifestEditor), type(app.screen)
    data = json.loads(app.screen.text)
    change(data)
    app.screen.set_text(json.dumps(data, indent=2))
    await pilot.pause()
    await pilot.press("ctrl+s")
    await settle(pilot, app)


def _set_image(image: str):
    def change(data):
        data["spec"]["template"]["spec"]["containers"][0]["image"] = image
    return change


async def test_scale_then_edit_the_image_rolls_every_taskgroup(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await scale(pilot, app, 5)
        cluster.advance(10)
        assert len(images(cluster, "hero-prod", "chat")) == 5
        await pilot.press("e")
        await settle(pilot, app)
        assert "The definition says 3 instances but 5 run" in screen_text(app)
        assert json.loads(app.screen.text)["spec"]["instance"] == 5
        await edit_text(pilot, app, _set_image("hub.example.com/hero/chat:1.4.0"))
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "5 taskgroup(s) will roll" in text
        assert f"PUT {SCHED}/namespaces/hero-prod/applications?instances=5" in text
        assert '-    "instance": 3' in text and '+    "instance": 5' in text  # the diff shows the live count
        await pilot.press("y")
        await finish(pilot, app)
        (sent,) = [r for r in writes(cluster) if r.path.endswith("/applications")]
        assert sent.query == {"instances": "5"} and sent.body["spec"]["instance"] == 5
        cluster.advance(60)
        assert images(cluster, "hero-prod", "chat") == ["hub.example.com/hero/chat:1.4.0"] * 5


async def test_scale_then_rollback_rolls_every_taskgroup(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        before = images(cluster, "hero-prod", "chat")[0]
        # a first image change makes a version to go back to
        await pilot.press("e")
        await settle(pilot, app)
        await edit_text(pilot, app, _set_image("hub.example.com/hero/chat:9.9.9"))
        await pilot.press("y")
        await finish(pilot, app)
        cluster.advance(60)
        await scale(pilot, app, 5)
        cluster.advance(30)
        await pilot.press("b")
        await settle(pilot, app)
        assert isinstance(app.screen, VersionPicker)
        await pilot.press("down")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        for _ in range(20):
            if isinstance(app.screen, ConfirmModal):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "5 taskgroup(s) will roll" in text
        await pilot.press("y")
        await finish(pilot, app)
        (sent,) = [r for r in writes(cluster) if r.path.endswith("/applications/rollback")]
        assert sent.body["spec"]["instance"] == 5
        cluster.advance(60)
        assert images(cluster, "hero-prod", "chat") == [before] * 5


async def test_a_legacy_app_edited_keeps_its_volumes_and_network_mode(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app ops", "ops/legacy-billing")
        await pilot.press("e")
        await settle(pilot, app)
        assert "rebuilt from the newest version" in screen_text(app)
        await edit_text(pilot, app, _set_image("hub.example.com/pay/billing:1.8.3"))
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await finish(pilot, app)
        (sent,) = [r for r in writes(cluster) if r.method == "PUT" and r.path.endswith("/namespaces/ops/applications")]
        pod = sent.body["spec"]["template"]["spec"]
        assert pod["networkMode"] == "HOST"
        container = pod["containers"][0]
        assert {"name": "volume-1", "volume": {"hostPath": "/data/billing/conf", "mountPath": "/app/conf",
                                               "readOnly": True}} in container["volumes"]
        assert container["imagePullPolicy"] == "Always" and container["hostname"] == "billing"
        assert isinstance(container["resources"]["limits"]["cpu"], str)
        cluster.advance(60)
        spec = cluster.apps[("ops", "legacy-billing")].taskgroups[0].tasks[0].spec
        assert spec.image.endswith("billing:1.8.3") and spec.force_pull and spec.hostname == "billing"
        assert any(v.get("HostPath") == "/data/billing/conf" or v.get("hostPath") == "/data/billing/conf"
                   for v in spec.volumes)


async def test_a_process_app_scales_and_deletes_through_processes_routes(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "proc ops", "ops/host-agent")
        await scale(pilot, app, 3)
        assert [(r.method, r.path) for r in writes(cluster)] == [
            ("PUT", f"{SCHED}/namespaces/ops/processes/host-agent/scale/3")]
        assert cluster.apps[("ops", "host-agent")].define_instances == 3
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)  # enforce?
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        assert f"DELETE {SCHED}/namespaces/ops/processes/host-agent?enforce=0" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path == f"{SCHED}/namespaces/ops/processes/host-agent"
        assert any("deleted" in m for m in flashes(app))


async def test_process_taskgroups_restart_from_the_keyboard(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "proc ops", "ops/host-agent")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.browser.state.kind.name == "taskgroups"
        await pilot.press("T")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        assert "/namespaces/ops/applications/host-agent/taskgroups/" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path.endswith("/restart")
        assert any("restart sent" in m for m in flashes(app))


async def test_update_resources_refuses_an_image_change_at_its_line(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        await edit_text(pilot, app, _set_image("hub.example.com/hero/chat:2.0.0"))
        assert isinstance(app.screen, ManifestEditor)  # still open: refused in the editor
        error = str(app.screen.query_one("#manifest-error").render())
        assert "image changed" in error and "resources only" in error and "line" in error
        line = app.screen.text.splitlines()[app.screen.editor.cursor_location[0]]
        assert '"image"' in line  # the cursor is on the changed line
        # a resource-only change passes and goes with ?args=resource
        app.screen.action_reset()
        await pilot.pause()

        def more_cpu(data):
            data["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "2"
        await edit_text(pilot, app, more_cpu)
        assert isinstance(app.screen, ConfirmModal)
        assert f"PUT {SCHED}/namespaces/hero-prod/applications?args=resource" in screen_text(app)
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []


async def test_numeric_resources_are_refused_in_the_editor(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("e")
        await settle(pilot, app)

        def numeric(data):
            data["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = 2
        await edit_text(pilot, app, numeric)
        assert isinstance(app.screen, ManifestEditor)
        assert "limits.cpu" in str(app.screen.query_one("#manifest-error").render())
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []


async def test_deployments_show_the_live_count_and_scale_starts_from_it(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp hero-prod", "hero-prod/gamesvr")
        row = app.browser.table.get_row("hero-prod/gamesvr")
        # storage says 0 outside a rolling update, as the real scheduler does (facts §11.4) ...
        assert g(g(row.obj, "application"), "curr_target_instances") == 0
        # ... so CUR is the application's DefineInstances
        titles = [c.title for c in app.browser.state.kind.visible_columns(False)]
        assert row.cells[titles.index("CUR")] == "6"
        await pilot.press("s")
        await settle(pilot, app)
        assert app.screen.query_one("#field-instances").value == "6"
        await pilot.press("escape")
        await finish(pilot, app)


async def test_read_only_hides_and_refuses_every_write_of_every_kind(make_app, cluster):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for kind in KINDS:
            allowed = app._allowed.get(kind.name) if hasattr(app, "_allowed") else None
            if allowed is not None:
                assert not (allowed & set(kind.writes)), kind.name
        from bcs_tui.ui.operations import ActionContext

        for kind in KINDS:
            for action_id in kind.writes:
                worker = await app.operations.run(action_id, ActionContext(kind.name, "hero-prod", [object()],
                                                                           app.browser))
                assert worker is None, (kind.name, action_id)
                await pilot.pause()
                assert "read-only" in flashes(app)[-1], (kind.name, action_id, flashes(app)[-1])
        await command(pilot, app, "app hero-prod")
        for action_id in ("scale", "edit", "delete"):
            await pilot.press(ACTIONS_BY_ID[action_id].key)
            await settle(pilot, app)
        assert writes(cluster) == []


async def test_an_audit_log_that_fails_is_shown_and_blocks_writes_until_acknowledged(make_app, cluster, tmp_path):
    from bcs_tui.ui.modals.audit_failure import AuditFailureModal

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        blocker = tmp_path / "not-a-dir"
        blocker.write_text("")
        app.client.audit.path = blocker / "audit.jsonl"  # the disk is full, the dir is gone ...
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "4"
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("y")
        for _ in range(50):  # the operation waits on this modal
            if isinstance(app.screen, AuditFailureModal):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, AuditFailureModal)
        assert "audit log" in screen_text(app) and "refused until you acknowledge" in screen_text(app)
        assert writes(cluster) == []  # never sent without its intent line
        await pilot.pause()
        assert any("was not sent" in m for m in flashes(app)), flashes(app)
        app.client.audit.path = tmp_path / "audit2.jsonl"
        await pilot.press("a")
        await finish(pilot, app)
        assert app.client.audit_failure is None
        await scale(pilot, app, 4)
        assert [r.path for r in writes(cluster)] == [f"{SCHED}/namespaces/hero-prod/applications/chat/scale/4"]


async def test_quitting_with_a_write_in_flight_says_its_outcome_is_unknown(make_app, cluster, tmp_path):
    from bcs_tui.sim.chaos import ChaosSpec

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        cluster.chaos = ChaosSpec.parse("latency=30s,route=/namespaces/*/applications/*/scale/*")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "4"
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("y")
        for _ in range(50):
            if app.client.writes_in_flight():
                break
            await pilot.pause(0.02)
        assert app.client.writes_in_flight()
        out = io.StringIO()
        app.error_console = Console(file=out, width=300)  # what the terminal shows on the way out
        await pilot.press("q")
        await pilot.pause()
    said = out.getvalue()
    assert "outcome is UNKNOWN" in said and "/applications/chat/scale/4" in said
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [e.get("phase") for e in entries] == ["intent"]  # the intent line stays; no outcome known


async def test_a_deployment_mid_rollout_is_edited_from_its_definition_not_a_rollout_step(make_app, cluster):
    """hero-prod/battle is paused mid-rollout: its applications run steps of the rollout (the
    new one growing, the old one shrinking); the deployment's target is its definition's count."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp hero-prod", "hero-prod/battle")
        assert app.browser.current_object().is_in_rolling
        target = (await app.client.get_deployment_definition("hero-prod", "battle"))["spec"]["instance"]
        for key in ("ctrl+u", "e"):
            await pilot.press(key)
            await settle(pilot, app)
            assert isinstance(app.screen, ManifestEditor), (key, flashes(app))
            assert json.loads(app.screen.text)["spec"]["instance"] == target, key
            await pilot.press("escape")
            await finish(pilot, app)
        assert writes(cluster) == []
