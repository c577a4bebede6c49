"""TaskGroups and commands: reschedule, signal, commit image, run a command with live output,
reopen and delete it."""

from __future__ import annotations

from bcs_tui.ui.modals.command_output import CommandOutputScreen
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.form import FormModal

from .conftest import SIZE, finish, flashes, goto, settle, writes
from .test_ops_apps import SCHED, screen_text


def app_taskgroups(cluster, ns: str, app: str) -> list[str]:
    return sorted(t.id for t in cluster.taskgroups.values() if t.alive and t.app.name == app
                  and t.app.namespace == ns) if hasattr(next(iter(cluster.taskgroups.values())).app, "name") else sorted(
        t.id for t in cluster.taskgroups.values() if t.alive and t.id.split(".")[1] == app and t.id.split(".")[2] == ns)


async def test_reschedule_marked_taskgroups_with_host_retain(make_app, cluster):
    tgs = app_taskgroups(cluster, "hero-prod", "chat")[:2]
    assert len(tgs) == 2
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tgs[0], marks=tuple(tgs))
        await pilot.press("R")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        app.screen.query_one("#field-retain").value = "5m"
        await pilot.press("enter")
        await settle(pilot, app)
        text = screen_text(app)
        for tg in tgs:
            assert f"/applications/chat/taskgroups/{tg}/rescheduler?hostRetainTime=300" in text
        await pilot.press("y")
        await finish(pilot, app)
        sent = writes(cluster)
        assert sorted(r.path for r in sent) == sorted(
            f"{SCHED}/namespaces/hero-prod/applications/chat/taskgroups/{tg}/rescheduler" for tg in tgs)
        assert all(r.query == {"hostRetainTime": "300"} for r in sent)


async def test_signal_one_taskgroup(make_app, cluster):
    (tg, *_rest) = app_taskgroups(cluster, "hero-prod", "chat")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tg)
        await pilot.press("k")
        await settle(pilot, app)
        app.screen.query_one("#field-process").value = "chatsvr"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert req.path == f"{SCHED}/namespaces/hero-prod/applications/chat/taskgroups/{tg}/message"
        assert req.json["msgdata"] == {"signal": 15, "processname": "chatsvr"}


async def test_commit_image(make_app, cluster):
    (tg, *_rest) = app_taskgroups(cluster, "hero-prod", "chat")
    image = cluster.taskgroups[tg].tasks[0].spec.image
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tg)
        await pilot.press("i")
        await settle(pilot, app)
        form = app.screen
        if not form.query_one("#field-image").value:
            form.query_one("#field-image").value = image
        form.query_one("#field-url").value = "hub.example.com/hero/chat:debug"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert f"POST {SCHED}/image/commit/{tg}?image=" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("POST", f"{SCHED}/image/commit/{tg}")
        assert req.query == {"image": image, "url": "hub.example.com/hero/chat:debug"}
        assert not any("failed" in m for m in flashes(app)), flashes(app)


async def test_command_in_every_taskgroup_of_an_application_with_live_output(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("x")
        await settle(pilot, app)
        form = app.screen
        form.query_one("#field-command").value = "ps -ef | grep chat"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)  # a pipe needs the shell: said, not sent
        assert "shell" in str(form.query_one("#form-error").render())
        form.query_one("#field-shell").value = True
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        assert f"POST {SCHED}/command/application/hero-prod/chat" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("POST", f"{SCHED}/command/application/hero-prod/chat")
        spec = req.json["spec"]
        assert spec["commandTargetRef"] == {"kind": "Application", "namespace": "hero-prod", "name": "chat"}
        assert spec["command"] == ["/bin/sh", "-c", "ps -ef | grep chat"]
        assert spec["taskgroups"] == []
        screen = app.screen
        assert isinstance(screen, CommandOutputScreen)
        assert len(app.commands) == 1
        cluster.advance(10)
        screen.refresh_now()
        await settle(pilot, app)
        out = str(screen.query_one("#cmd-output").render())
        assert "finish" in out or "failed" in out
        assert "exit" in out
        for tg in app_taskgroups(cluster, "hero-prod", "chat"):
            assert tg in out
        # copy the output
        await pilot.press("c")
        assert any("copied" in m for m in flashes(app))
        # back, then reopen it from the commands view (Enter) and delete it there
        await pilot.press("escape")
        await goto(pilot, app, "cmd", app.commands[0].id)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, CommandOutputScreen) and app.screen.command is app.commands[0]
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        assert "DELETE" in screen_text(app) and f"?id={app.commands[0].id}" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].method == "DELETE"
        assert app.commands == []


async def test_command_in_marked_taskgroups_with_shell_env_and_user(make_app, cluster):
    tgs = app_taskgroups(cluster, "hero-prod", "chat")[:2]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tgs[0], marks=tuple(tgs))
        await pilot.press("x")
        await settle(pilot, app)
        form = app.screen
        form.query_one("#field-command").value = "ps -ef | grep chat"
        form.query_one("#field-shell").value = True
        form.query_one("#field-env").load_text("MODE=debug\n1BAD=x")
        form.query_one("#field-workdir").value = "/data"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "bad variable name" in str(form.query_one("#form-error").render())
        form.query_one("#field-env").load_text("MODE=debug")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        spec = req.json["spec"]
        assert spec["command"] == ["/bin/sh", "-c", "ps -ef | grep chat"]
        assert sorted(spec["taskgroups"]) == sorted(tgs)
        assert spec["env"] == ["MODE=debug"] and spec["workingDir"] == "/data" and spec["user"] == "root"
