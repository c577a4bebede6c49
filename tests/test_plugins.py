"""Plugins from the config: parsing, the argv built from a row (one value = one argument, no
shell), the child's environment without the token, and sessions at the keyboard — the README's
examples (with a stand-in `ssh` on PATH that prints what it got), output in the pane, a writing
plugin hidden in read-only, confirmed and audited otherwise."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bcs_tui import cli
from bcs_tui.api.client import BcsClient
from bcs_tui.audit import AuditLog
from bcs_tui.config import ConfigError
from bcs_tui.plugins import Plugin, PluginError, build_argv, child_env, parse_plugins
from bcs_tui.sim.server import create_app
from tests.asgistream import StreamingASGITransport
from tests.apptest import demo_cluster

TOKEN = "plug1n-t0ken-0a1b2c3d4e5f"

README_EXAMPLES = '''
[plugins.ssh-agent]
key = "ctrl+g"
description = "ssh to the taskgroup's agent"
kinds = ["taskgroups", "agents"]
command = "ssh -t {host_ip}"
mode = "terminal"

[plugins.tg-logs]
key = "ctrl+l"
description = "follow the first container's log on its agent"
kinds = ["taskgroups"]
command = "ssh {host_ip} tail -n 100 -f /var/lib/docker/containers/{container_id}/{container_id}-json.log"
'''


def plugin(command: str, **kw) -> Plugin:
    return parse_plugins({"p": {"key": "ctrl+g", "command": command, **kw}})[0]


# --------------------------------------------------------------------------- parsing and the argv


def test_the_readme_examples_parse():
    import tomllib

    plugins = parse_plugins(tomllib.loads(README_EXAMPLES)["plugins"])
    assert [(p.name, p.mode, p.kinds) for p in plugins] == [
        ("ssh-agent", "terminal", ("taskgroups", "agents")), ("tg-logs", "background", ("taskgroups",))]
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert README_EXAMPLES.strip() in readme  # the README shows exactly what is tested here


@pytest.mark.parametrize("table, message", [
    ({"key": "x"}, "'command' is missing"),
    ({"command": "ls"}, "'key' is missing"),
    ({"key": "ctrl+g", "command": "ssh {hostip}"}, "unknown variable {hostip}"),
    ({"key": "ctrl+g", "command": "{name} --help"}, "the program (first word of command) must be written out"),
    ({"key": "ctrl+g", "command": "ls 'unclosed"}, "cannot be split"),
    ({"key": "ctrl+g", "command": "ls", "mode": "popup"}, "mode must be 'background' or 'terminal'"),
    ({"key": "ctrl+g", "command": "ls", "writes": "yes"}, "'writes' must be true or false"),
    ({"key": "ctrl+g", "command": "ls", "kinds": ["pods"]}, "unknown kind 'pods'"),
    ({"key": "ctrl+g", "command": "ls", "shell": True}, "unknown key 'shell'"),
])
def test_bad_plugin_tables_are_one_clear_error(table, message):
    from bcs_tui.resources import KINDS_BY_NAME

    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{").replace("}", r"\}")):
        parse_plugins({"p": table}, known_kinds=KINDS_BY_NAME)


def test_values_stay_one_argument_and_unsafe_ones_are_refused():
    p = plugin("ssh {host_ip} tail -f /logs/{taskgroup_id}.log --label=x{name}")
    values = {"host_ip": "10.0.0.1", "taskgroup_id": "0.web.ns.10001.123", "name": "web"}
    assert build_argv(p, values) == ["ssh", "10.0.0.1", "tail", "-f", "/logs/0.web.ns.10001.123.log", "--label=xweb"]
    for bad in ("web; rm -rf /", "a b", "$(id)", "x\x1b[2J", "../../etc", "`id`"):
        with pytest.raises(PluginError, match="not run"):
            build_argv(p, {**values, "taskgroup_id": bad})
    with pytest.raises(PluginError, match="would start an option"):
        build_argv(p, {**values, "host_ip": "-oProxyCommand=touch=x"})
    with pytest.raises(PluginError, match="this row has no host_ip"):
        build_argv(p, {**values, "host_ip": ""})
    assert build_argv(plugin("echo {{literal}} {name}"), {"name": "w"}) == ["echo", "{literal}", "w"]


def test_the_child_environment_never_holds_the_token():
    env = child_env({"PATH": "/bin", "BCS_TOKEN": TOKEN, "BCS_PROD_TOKEN": TOKEN, "OTHER": f"Bearer {TOKEN}",
                     "HOME": "/home/a"}, [TOKEN], {"host_ip": "10.0.0.1", "name": "web"})
    assert TOKEN not in json.dumps(env)
    assert env["PATH"] == "/bin" and env["HOME"] == "/home/a"
    assert env["BCS_TUI_HOST_IP"] == "10.0.0.1" and env["BCS_TUI_NAME"] == "web"


def test_plugin_keys_must_be_free(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "config.toml"
    monkeypatch.setenv("BCS_TUI_CONFIG", str(cfg))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    base = '[contexts.a]\nserver = "https://h:1"\ncluster_id = "C"\n'
    for key, message in (("d", "is the describe action's key"), ("g", "is the first_row key"),
                         ("ctrl+c", "is reserved for quit")):
        cfg.write_text(base + f'[plugins.p]\nkey = "{key}"\ncommand = "ls"\n')
        monkeypatch.setattr(cli, "run_console", lambda s: 0)
        assert cli.main([]) == 2
        assert message in capsys.readouterr().err
    cfg.write_text(base + '[plugins.p]\nkey = "ctrl+g"\ncommand = "ls"\n[plugins.q]\nkey = "ctrl+g"\ncommand = "ls"\n')
    assert cli.main([]) == 2
    assert "is plugin 'p''s key" in capsys.readouterr().err


# --------------------------------------------------------------------------- at the keyboard


@pytest.fixture
def fake_ssh(tmp_path, monkeypatch):
    """An `ssh` on PATH that prints its arguments and whether the token is in its environment."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "ssh").write_text('#!/bin/sh\necho "ssh-args: $*"\necho "host from env: $BCS_TUI_HOST_IP"\n'
                                f'if env | grep -q "{TOKEN}"; then echo TOKEN-LEAKED; else echo "no token in env"; fi\n')
    (bindir / "ssh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    return bindir


def settings_for(tmp_path, monkeypatch, extra: str, *, read_only: bool = False):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[contexts.a]\nserver = "http://sim"\ncluster_id = "BCS-MESOS-10001"\nnamespace = "hero-prod"\n'
                   f'refresh = 3600\nread_only = {str(read_only).lower()}\n' + extra)
    monkeypatch.setenv("BCS_TUI_CONFIG", str(cfg))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    settings = cli.build_settings(cli._console_parser().parse_args(["--command", "tg hero-prod"]))
    cli.prepare_ui(settings)
    return settings


async def open_app(settings):
    from bcs_tui.ui.app import BcsApp

    cluster = demo_cluster()
    client = BcsClient("http://sim", cluster.cluster_id, TOKEN,
                       transport=StreamingASGITransport(create_app(cluster, token=TOKEN)))
    return BcsApp(settings, client=client, now=cluster.clock.now)


async def wait(pilot, predicate, what=""):
    for _ in range(300):
        await pilot.pause(0.02)
        if predicate():
            return
    raise AssertionError(f"timed out: {what}")


async def test_readme_log_plugin_runs_on_a_taskgroup_and_its_output_shows(tmp_path, monkeypatch, fake_ssh):
    from bcs_tui.ui.plugins import PluginOutputScreen

    app = await open_app(settings_for(tmp_path, monkeypatch, README_EXAMPLES))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await wait(pilot, lambda: app.browser is not None and app.browser.state.loaded
                   and app.browser.state.kind.name == "taskgroups", "taskgroups")
        obj = app.browser.current_object()
        await pilot.press("ctrl+l")
        await wait(pilot, lambda: isinstance(app.screen, PluginOutputScreen) and app.screen.exit_code is not None,
                   "plugin output")
        out = app.screen.output
        from bcs_tui.resources.taskgroups import tg_host_ip
        from bcs_tui.ui.plugins import _first_container_id

        # the list row is projected (no container IDs): the plugin read the full record
        assert obj.is_projected and _first_container_id(obj) == ""
        obj = await app.browser.state.kind.inspect(app.client, obj)
        cid = _first_container_id(obj)
        assert len(cid) > 12 and tg_host_ip(obj)
        assert (f"ssh-args: {tg_host_ip(obj)} tail -n 100 -f /var/lib/docker/containers/{cid}/{cid}-json.log"
                in out)
        assert f"host from env: {tg_host_ip(obj)}" in out and "no token in env" in out
        assert app.screen.exit_code == 0
        shown = str(app.screen.query_one("#plugin-output").render())
        assert "no token in env" in shown
        await pilot.press("escape")
        await pilot.pause()
        # on a list it does not apply to: said, nothing run
        await pilot.press("colon")
        await pilot.pause()
        app.screen.query_one("#command-input").value = "app"
        await pilot.press("enter")
        await wait(pilot, lambda: app.browser.state.kind.name == "applications" and app.browser.state.loaded)
        await pilot.press("ctrl+l")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, PluginOutputScreen)
        assert any("plugin tg-logs works on taskgroups, not applications" in str(n.message) for n in app._notifications)


WRITER = '''
[plugins.drain]
key = "ctrl+k"
description = "drain the agent"
kinds = ["taskgroups"]
command = "ssh {host_ip} drain"
writes = true
'''


async def test_a_writing_plugin_is_confirmed_and_audited(tmp_path, monkeypatch, fake_ssh):
    from bcs_tui.ui.modals.confirm import ConfirmModal
    from bcs_tui.ui.plugins import PluginOutputScreen

    settings = settings_for(tmp_path, monkeypatch, WRITER)
    app = await open_app(settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait(pilot, lambda: app.browser is not None and app.browser.state.loaded
                   and app.browser.state.kind.name == "taskgroups")
        await pilot.press("ctrl+k")
        await wait(pilot, lambda: isinstance(app.screen, ConfirmModal), "confirmation")
        await pilot.press("escape")  # No: nothing runs, nothing audited
        await pilot.pause(0.2)
        assert not AuditLog(settings.audit_path).entries()
        await pilot.press("ctrl+k")
        await wait(pilot, lambda: isinstance(app.screen, ConfirmModal), "confirmation")
        await pilot.press("y")
        await wait(pilot, lambda: isinstance(app.screen, PluginOutputScreen) and app.screen.exit_code is not None)
        assert "drain" in app.screen.output
    entries = AuditLog(settings.audit_path).entries()
    assert [e["outcome"] for e in entries] == ["started", "ok"]
    assert entries[0]["method"] == "PLUGIN" and entries[0]["query"]["argv"][0] == "ssh"
    assert TOKEN not in json.dumps(entries)


async def test_in_read_only_a_writing_plugin_is_hidden(tmp_path, monkeypatch, fake_ssh):
    from bcs_tui.ui.modals.confirm import ConfirmModal
    from bcs_tui.ui.plugins import PluginOutputScreen

    settings = settings_for(tmp_path, monkeypatch, WRITER + README_EXAMPLES, read_only=True)
    app = await open_app(settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait(pilot, lambda: app.browser is not None and app.browser.state.loaded
                   and app.browser.state.kind.name == "taskgroups")
        keys = {b.key for bindings in app._bindings.key_to_bindings.values() for b in bindings}
        assert "ctrl+k" not in keys and "ctrl+l" in keys  # the reading plugin stays
        await pilot.press("ctrl+k")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, (ConfirmModal, PluginOutputScreen))
    assert not AuditLog(settings.audit_path).entries()


def test_config_show_lists_the_plugins(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[contexts.a]\nserver = "https://h:1"\ncluster_id = "C"\n' + README_EXAMPLES)
    monkeypatch.setenv("BCS_TUI_CONFIG", str(cfg))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "plugin:      ctrl+g   ssh-agent: ssh -t {host_ip}  [taskgroups, agents; terminal]" in out
    assert "plugin:      ctrl+l   tg-logs: ssh {host_ip} tail" in out
