"""`s` (shell) at the keyboard, the real app against the simulator served on loopback (the
websocket needs a socket). The terminal bridge is replaced by a scripted session here (it is
tested on a pty in tests/ui/test_shell_bridge.py); everything else is the real flow: the command
modal, the remembered command, the production confirmation, create/start over the wire, the
audit entries, the flash, and the view as it was."""

from __future__ import annotations

import asyncio
import json

import pytest

import bcs_tui.ui.shell as shell_mod
from bcs_tui.api.client import BcsClient
from bcs_tui.audit import AuditLog
from bcs_tui.config import Paths
from bcs_tui.sim.server import start_in_loop
from bcs_tui.sim.webconsole import webconsole_of
from bcs_tui.ui.app import BcsApp
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.form import FormModal
from bcs_tui.ui.shell import BridgeResult

from .conftest import SIZE, demo_cluster, finish, flashes, goto, make_settings, settle

WC = "/bcsapi/v4/scheduler/mesos/webconsole"


@pytest.fixture
async def served():
    cluster = demo_cluster()
    sim = await start_in_loop(cluster)
    yield sim
    await sim.stop()


@pytest.fixture
def build(served, tmp_path):
    def make(**over) -> BcsApp:
        settings = make_settings(**over)
        state = tmp_path / "state"
        settings.paths = Paths(config_file=tmp_path / "config.toml", config_dir=tmp_path, themes_dir=tmp_path / "t",
                               state_dir=state, audit_file=state / "audit.jsonl")
        client = BcsClient(served.url, served.cluster_id, None, read_only=settings.read_only, get_retries=0,
                           audit=AuditLog(state / "audit.jsonl"))
        return BcsApp(settings, client=client, now=served.cluster.clock.now)
    return make


class ScriptedTerminal:
    """Stands in for the real terminal: types `keys` line by line and keeps what came back."""

    def __init__(self, *keys: bytes) -> None:
        self.keys = keys
        self.output = b""
        self.banners: list[str] = []

    async def __call__(self, app, stream, resize, banner, recorder, result=None) -> BridgeResult:
        self.banners.append(banner)
        await resize(40, 130)
        for key in self.keys:
            await stream.send(key)
        while (item := await asyncio.wait_for(stream.recv(), 5)) is not None:
            self.output += item[1]
        assert stream.end is not None
        return BridgeResult("cut" if stream.end.cut else "ended", stream.end.detail, resizes=1,
                            output_bytes=stream.output_bytes)


def running_tg(cluster, ns="hero-prod", app="chat"):
    return next(t for t in sorted(cluster.taskgroups.values(), key=lambda t: t.id)
                if t.alive and t.status == "Running" and t.app.namespace == ns and t.app.name == app)


def exec_requests(cluster) -> list:
    return [r for r in cluster.requests if r.path.startswith(WC)]


async def test_s_on_a_taskgroup_opens_a_shell_and_comes_back_to_the_same_row(build, served, monkeypatch):
    cluster = served.cluster
    tg = running_tg(cluster)
    term = ScriptedTerminal(b"hostname\r", b"exit\r")
    monkeypatch.setattr(shell_mod, "attach", term)
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tg.id)
        browser = app.screen
        assert "Shell" in str(app.screen.active_bindings.get("s").binding.description)
        await pilot.press("s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#field-command").value == "/bin/sh"
        app.screen.query_one("#field-command").value = "/bin/bash -l"
        await pilot.press("enter")
        await finish(pilot, app)
        assert app.screen is browser and app.browser.table.cursor_key == tg.id
        said = " ".join(flashes(app))
        assert f"taskgroup hero-prod/{tg.name}: the session ended after" in said

        host = tg.tasks[0].container_id[:12]
        assert host.encode() + b"\r\n" in term.output  # hostname printed the container's host
        assert "Enter ~ . detaches" in term.banners[0]
        create, start, resize = exec_requests(cluster)
        assert create.body == {"container_id": tg.tasks[0].container_id, "cmd": ["/bin/bash", "-l"]}
        assert create.query == {"host_ip": tg.agent.ip}
        assert start.query["exec_id"] == resize.body["exec_id"]
        assert resize.body["height"] == 40 and resize.body["width"] == 130

        audit = app.client.audit
        entries = audit.entries()
        assert [e["operation"] for e in entries] == ["create_exec", "start_exec", "shell_opened", "shell_closed"]
        closed = entries[-1]
        assert closed["query"]["cmd"] == "/bin/bash -l" and "duration_s" in closed["query"]
        assert "ended" in closed["message"]
        assert "hostname" not in audit.path.read_text()  # never the keystrokes

        # the command is remembered for the application
        memory = json.loads((app.settings.state_dir / "shell_commands.json").read_text())
        assert memory == {"test/hero-prod/chat": "/bin/bash -l"}
        await pilot.press("s")
        await settle(pilot, app)
        assert app.screen.query_one("#field-command").value == "/bin/bash -l"
        await pilot.press("escape")
        await finish(pilot, app)
        assert len(exec_requests(cluster)) == 3
        assert "cancelled, nothing sent" in " ".join(flashes(app))


async def test_read_only_hides_and_refuses_the_shell(build, served, monkeypatch):
    cluster = served.cluster
    tg = running_tg(cluster)
    monkeypatch.setattr(shell_mod, "attach", ScriptedTerminal(b"exit\r"))
    app = build(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tg.id)
        assert "shell" not in app.allowed_action_ids("taskgroups")
        assert app.screen.check_action("act", ("shell",)) is False  # not in the footer, not bound
        assert app.screen.check_action("act", ("signal",)) is False
        await pilot.press("s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        await app.operations.run("shell", _ctx(app, "taskgroups", [tg]))
        await finish(pilot, app)
        assert "refused, this context is read-only" in " ".join(flashes(app))
    assert exec_requests(cluster) == []


def _ctx(app, kind, targets):
    from bcs_tui.ui.operations import ActionContext

    return ActionContext(kind=kind, namespace=None, targets=targets, screen=app.screen)


async def test_production_asks_first_and_no_sends_nothing(build, served, monkeypatch):
    cluster = served.cluster
    tg = running_tg(cluster)
    monkeypatch.setattr(shell_mod, "attach", ScriptedTerminal(b"exit\r"))
    app = build(production=True)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tg.id)
        await pilot.press("s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        text = " ".join(str(r.request_line) for r in app.screen.requests)
        assert "POST /bcsapi/v4/scheduler/mesos/webconsole/create_exec?host_ip=" in text
        assert app.screen.requests[0].body == {"container_id": tg.tasks[0].container_id, "cmd": ["/bin/sh"]}
        await pilot.press("n")
        await finish(pilot, app)
        assert exec_requests(cluster) == []
        await pilot.press("s")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert [r.path.rsplit("/", 1)[1] for r in exec_requests(cluster)] == ["create_exec", "start_exec", "resize_exec"]


async def test_errors_are_one_clear_line_and_the_console_stays(build, served, monkeypatch):
    cluster = served.cluster
    tg = running_tg(cluster)
    monkeypatch.setattr(shell_mod, "attach", ScriptedTerminal(b"exit\r"))
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "tg hero-prod", tg.id)
        browser = app.screen
        webconsole_of(cluster).no_proxy.add(tg.agent.ip)
        await pilot.press("s")
        await settle(pilot, app)
        await pilot.press("enter")
        await finish(pilot, app)
        assert app.screen is browser
        assert f"no console proxy answers on agent {tg.agent.ip}" in " ".join(flashes(app))
        webconsole_of(cluster).no_proxy.clear()

        failed = next(t for t in cluster.taskgroups.values() if t.alive and t.status == "Failed")
        await goto(pilot, app, f"tg {failed.app.namespace}", failed.id)
        before = len(exec_requests(cluster))
        await pilot.press("s")
        await finish(pilot, app)
        assert "a shell needs a running container" in " ".join(flashes(app))
        assert len(exec_requests(cluster)) == before  # refused before anything was sent


async def test_bang_on_an_application_picks_the_container(build, served, monkeypatch):
    cluster = served.cluster
    term = ScriptedTerminal(b"hostname\r", b"exit\r")
    monkeypatch.setattr(shell_mod, "attach", term)
    app = build()
    tgs = sorted((t for t in cluster.taskgroups.values() if t.alive and t.app.namespace == "hero-prod"
                  and t.app.name == "chat"), key=lambda t: t.id)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        assert "shell_pick" in app.allowed_action_ids("applications")
        await pilot.press("exclamation_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        select = app.screen.query_one("#field-container")
        assert len(select._options) == sum(len(t.tasks) for t in tgs)
        select.value = 1
        await pilot.press("ctrl+s")
        await finish(pilot, app)
        (create, *_rest) = exec_requests(cluster)
        assert create.body["container_id"] == tgs[1].tasks[0].container_id
        assert "session ended" in " ".join(flashes(app))
