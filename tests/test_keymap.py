"""Keymaps: validation against the action table, conflict warnings, and a remap that is pressed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from bcs_tui.actions import ACTIONS, ACTIONS_BY_ID, actions_for
from bcs_tui.config import Context, Settings, load_config, resolve_settings
from bcs_tui.ui.keymap import (
    analyse_keymap,
    default_conflicts,
    key_problem,
    keymap_warnings,
    load_keymap,
    normalize_key,
)
from tests.asgistream import StreamingASGITransport


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("BCS_TOKEN", raising=False)


def settings_with(top: dict[str, str] | None = None, ctx: dict[str, str] | None = None) -> Settings:
    context = Context("prod", server="https://h", cluster_id="C", keymap=dict(ctx or {}))
    return Settings(context=context, keymap={**(top or {}), **(ctx or {})}, global_keymap=dict(top or {}))


def settings_from_file(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return resolve_settings(load_config(path))


# --------------------------------------------------------------------------- validation


def test_the_default_action_table_has_no_conflicts():
    assert default_conflicts() == []
    assert keymap_warnings(settings_with()) == []


def test_empty_keymap():
    assert load_keymap(settings_with()) == {}


def test_unknown_action_is_dropped_with_a_suggestion():
    report = analyse_keymap(settings_with({"scael": "S", "scale": "S"}))
    assert report.keymap == {"scale": "S"}
    assert report.warnings == ["[keymap]: unknown action 'scael' (did you mean 'scale'?); ignored"]


@pytest.mark.parametrize(
    "key, problem",
    [
        ("ctlr+x", "unknown modifier 'ctlr'"),
        ("ctrl+", "ends with '+'"),
        ("escpe", "unknown key name 'escpe' (did you mean 'escape'?)"),
        ("ctrl x", "cannot contain spaces"),
        ("", "an empty key"),
    ],
)
def test_key_problems(key, problem):
    assert problem in key_problem(key)


@pytest.mark.parametrize("key", ["S", "?", "ctrl+x", "f5", "shift+tab", "question_mark", "colon", "escape",
                                 "alt+enter", "pagedown", "slash", "ctrl+shift+up"])
def test_good_keys(key):
    assert key_problem(key) is None


def test_bad_key_name_is_dropped():
    report = analyse_keymap(settings_with({"scale": "ctrl+s,ctlr+x", "exec": "X"}))
    assert report.keymap == {"exec": "X"}
    assert report.warnings == [
        "[keymap]: scale = 'ctrl+s,ctlr+x': unknown modifier 'ctlr' "
        "(use ctrl, shift, alt, meta, super or hyper); ignored"
    ]


def test_normalize_key():
    assert normalize_key("?") == "question_mark"
    assert normalize_key("/") == "slash"
    assert normalize_key(":") == "colon"
    assert normalize_key("S") == "S"
    assert normalize_key("ctrl+d") == "ctrl+d"


# --------------------------------------------------------------------------- conflicts


def test_two_actions_on_one_key_in_the_same_scope():
    warnings = keymap_warnings(settings_with({"exec": "S", "reschedule": "S"}))
    assert warnings == [
        "keymap conflict: exec and reschedule are both on 'S' (taskgroups); give one of them another key"
    ]


def test_same_key_in_different_scopes_is_fine():
    # taint (agents) and reschedule (taskgroups) never share a list.
    assert keymap_warnings(settings_with({"taint": "Z", "reschedule": "Z"})) == []


def test_key_moved_onto_another_actions_default_key():
    warnings = keymap_warnings(settings_with({"scale": "d"}))
    assert warnings == [
        "keymap conflict: scale is remapped to 'd', which is already describe's key "
        "(applications, processes, deployments); remap describe too or pick another key"
    ]
    # Moving describe away as well resolves it.
    assert keymap_warnings(settings_with({"scale": "d", "describe": "D"})) == []


def test_symbol_keys_are_compared_in_their_long_form():
    # "/" and "slash" are the same key: filter is on "slash" by default.
    warnings = keymap_warnings(settings_with({"describe": "/"}))
    assert len(warnings) == 1 and "already filter's key" in warnings[0]


def test_reserved_keys_are_reported():
    warnings = keymap_warnings(settings_with({"help": "ctrl+p", "mark": "down"}))
    assert "keymap: help on 'ctrl+p' shadows the command palette" in warnings
    assert "keymap: mark on 'down' shadows cursor movement" in warnings


def test_context_keymap_wins_and_is_named_in_warnings():
    report = analyse_keymap(settings_with({"scale": "S", "delete": "X"}, {"scale": "Z", "nope": "q"}))
    assert report.keymap == {"scale": "Z", "delete": "X"}
    assert report.warnings == ["context 'prod' keymap: unknown action 'nope'; ignored"]


def test_from_the_config_file(tmp_path):
    s = settings_from_file(tmp_path, """
[keymap]
scale = "S"
[contexts.a]
server = "h"
cluster_id = "C"
[contexts.a.keymap]
delete = "ctrl+x"
""")
    assert load_keymap(s) == {"scale": "S", "delete": "ctrl+x"}


# --------------------------------------------------------------------------- pressing remapped keys


class ActionsApp(App):
    """A stand-in for a resource list: one binding per action, each with the action id as its id."""

    BINDINGS = [Binding(a.key, f"record('{a.id}')", a.description, id=a.id)
                for a in actions_for("applications")]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.ran: list[str] = []
        self._startup_keymap = keymap

    def compose(self) -> ComposeResult:
        yield Label("applications")

    def on_mount(self) -> None:
        self.set_keymap(self._startup_keymap)

    def action_record(self, action_id: str) -> None:
        self.ran.append(action_id)


async def test_remapped_key_from_config_is_pressed(tmp_path):
    s = settings_from_file(tmp_path, """
[keymap]
scale = "S"
help = "f1"
[contexts.a]
server = "h"
cluster_id = "C"
[contexts.a.keymap]
describe = "ctrl+o"
""")
    app = ActionsApp(load_keymap(s))
    async with app.run_test() as pilot:
        await pilot.press("s")  # the old key does nothing now
        await pilot.press("d")
        assert app.ran == []
        await pilot.press("S")
        await pilot.press("f1")
        await pilot.press("ctrl+o")
        await pilot.press("f")  # an action left alone keeps its key
        assert app.ran == ["scale", "help", "describe", "faults"]


async def test_without_a_keymap_defaults_apply():
    app = ActionsApp({})
    async with app.run_test() as pilot:
        await pilot.press("s", "d")
        assert app.ran == ["scale", "describe"]


def test_every_action_id_is_remappable():
    # The keymap ids are exactly the action ids (what the screens use as Binding ids).
    report = analyse_keymap(settings_with({a.id: f"f{i % 24 + 1}" for i, a in enumerate(ACTIONS)}))
    assert set(report.keymap) == set(ACTIONS_BY_ID)


# --------------------------------------------------------------------------- the real app


class EmptyCluster:
    """A client stand-in whose every read returns nothing: enough for the app to mount."""

    server = "http://sim"
    cluster_id = "BCS-MESOS-10001"

    def __getattr__(self, name: str):
        async def call(*args, **kwargs):
            return []

        return call

    async def storage_watch(self, *args, **kwargs):  # a stream that ends at once: the feed polls
        return
        yield

    async def aclose(self) -> None:
        pass


async def test_bcs_app_applies_the_config_keymap(tmp_path):
    from bcs_tui.cli import prepare_ui
    from bcs_tui.ui.app import BcsApp
    from bcs_tui.ui.modals.help import HelpScreen

    settings = settings_from_file(tmp_path, """
[keymap]
faults = "F"
help = "f1"
[contexts.a]
server = "http://sim"
cluster_id = "BCS-MESOS-10001"
""")
    settings.refresh = 3600.0  # no polling during the test
    prepare_ui(settings)
    assert settings.warnings == []
    app = BcsApp(settings, client=EmptyCluster())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        browser = app.screen
        table = browser.query_one("#table")
        await pilot.press("f")  # the old key is free now
        await pilot.pause()
        assert not table.faults_only
        await pilot.press("F")
        await pilot.pause()
        assert table.faults_only
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_bcs_app_shows_keymap_conflicts_at_start_up(tmp_path):
    from bcs_tui.cli import prepare_ui
    from bcs_tui.ui.app import BcsApp

    settings = settings_from_file(tmp_path, """
[keymap]
exec = "S"
[contexts.a]
server = "http://sim"
cluster_id = "BCS-MESOS-10001"
[contexts.a.keymap]
reschedule = "S"
""")
    settings.refresh = 3600.0
    prepare_ui(settings)
    app = BcsApp(settings, client=EmptyCluster())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("exec and reschedule are both on 'S' (taskgroups)" in m for m in shown), shown


# --------------------------------------------------------------------------- cursor keys and the vim preset


def test_vim_preset_adds_cursor_keys_where_no_action_has_them():
    report = analyse_keymap(settings_with({"preset": "vim"}))
    assert report.warnings == []
    assert report.keymap == {
        "resource_table.cursor_down": "down,j",
        "resource_table.page_down": "pagedown,ctrl+f",
        "resource_table.page_up": "pageup,ctrl+b",
    }
    assert "vim preset: cursor_up on 'k' left out: it is signal's key (remap signal to free it)" in report.notes
    assert any("'ctrl+d' left out: it is delete's key" in n for n in report.notes)
    assert any("'ctrl+u' left out: it is update_resource's key" in n for n in report.notes)


def test_remapping_the_action_frees_the_key_for_the_preset():
    report = analyse_keymap(settings_with({"preset": "vim", "signal": "K"}))
    assert report.keymap["resource_table.cursor_up"] == "up,k"
    assert report.keymap["signal"] == "K"


def test_own_cursor_keys_and_their_problems():
    report = analyse_keymap(settings_with({"cursor_down": "n", "cursor_up": "d", "page_down": "ctrl+bogus",
                                           "preset": "emacs"}))
    assert report.keymap == {"resource_table.cursor_down": "down,n"}
    assert "[keymap]: cursor_up on 'd' left out: it is describe's key (remap describe to free it)" in report.warnings
    assert any("page_down = 'ctrl+bogus': unknown key name 'bogus'" in w for w in report.warnings)
    assert "[keymap]: unknown preset 'emacs' (presets: vim); ignored" in report.warnings


async def test_vim_keys_move_the_cursor_in_a_list(tmp_path):

    from bcs_tui.api.client import BcsClient
    from bcs_tui.cli import prepare_ui
    from bcs_tui.sim.server import create_app
    from bcs_tui.ui.app import BcsApp
    from tests.apptest import demo_cluster

    settings = settings_from_file(tmp_path, """
[keymap]
preset = "vim"
[contexts.a]
server = "http://sim"
cluster_id = "BCS-MESOS-10001"
refresh = 3600
""")
    prepare_ui(settings)
    assert settings.warnings == []
    cluster = demo_cluster()
    client = BcsClient("http://sim", cluster.cluster_id, transport=StreamingASGITransport(create_app(cluster)))
    app = BcsApp(settings, client=client, now=cluster.clock.now)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if app.browser.state.loaded:
                break
        table = app.browser.query_one("#table")
        assert len(table.view_rows) > 10 and table.cursor_index == 0
        await pilot.press("j", "j")
        assert table.cursor_index == 2
        await pilot.press("G")
        assert table.cursor_index == len(table.view_rows) - 1
        await pilot.press("g")
        assert table.cursor_index == 0
        await pilot.press("ctrl+f")
        assert table.cursor_index > 2
        await pilot.press("ctrl+b")
        assert table.cursor_index == 0
        await pilot.press("down")  # the arrows still work
        assert table.cursor_index == 1


def test_config_show_lists_what_the_preset_left_out(tmp_path, capsys):
    from bcs_tui import cli

    (tmp_path / "config.toml").write_text('[keymap]\npreset = "vim"\n[contexts.a]\nserver = "https://h"\ncluster_id = "C"\n')
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "note         vim preset: cursor_up on 'k' left out: it is signal's key" in out
    assert "warning" not in out
