"""Hostile text from the server or from containers: Textual markup (`[bold]`, `[@click=...]`),
ANSI CSI, OSC (an OSC 52 clipboard write), 8-bit C1 controls. None of it may reach the terminal
as a control sequence, be parsed as markup, or become a live action link.

Checked on what the compositor would send to the terminal (every segment of the screen), on every
list view, describe, breadcrumbs, header and title, flash messages carrying server errors, the
command output pane and the confirmation and results modals.
"""

from __future__ import annotations

import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.sim.chaos import ChaosSpec, Fault
from bcs_tui.sim.demo import rc_body
from bcs_tui.sim.server import create_app
from bcs_tui.ui.app import BcsApp
from bcs_tui.ui.modals.command_output import CommandOutputScreen
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.form import FormModal
from bcs_tui.ui.modals.manifest import ManifestEditor
from bcs_tui.ui.screens.describe import DescribeScreen
from tests.asgistream import StreamingASGITransport

from .conftest import (
    SIZE,
    TOKEN,
    assert_clean,
    click_actions,
    finish,
    flashes,
    goto,
    make_settings,
    screen_text,
    settle,
    wait_for,
    writes,
)

# No '.' (the simulator refuses dotted names, like the driver): `[@click=quit]` is still an action.
EVIL = "evil\x1b]52;c;ZXZpbA==\x07\x1b[31mred\x1b[0m\x9b2J[@click=quit]Q[/][b]B[/b]"
EVIL_NAME = "evil-esc" + EVIL[4:]
MARKUP = "[@click=quit]Q[/][b]B[/b]"  # what must show literally
MARKUP_NAME = "markup-[b]B[@click=quit]Q"  # a name the client can send (no '/', no '.')
MESSAGE = ("\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[31mboom\x1b[0m [@click=app.quit]quit[/] "
           "[bold]x[/bold] \x1bP1$qm\x1b\\ \x90dcs\x9c tail")


def assert_safe_screen(app, where: str) -> str:
    """The screen has no control character and no action link from server text; return its text."""
    text = screen_text(app)
    assert_clean(text, where)
    actions = click_actions(app)
    assert not {a for a in actions if "quit" in a}, (where, actions)
    assert app.is_running and app.return_code is None, f"{where}: the app stopped"
    return text


@pytest.fixture
def hostile(hostile_cluster):
    """The simulator's hostile demo, plus server text with escapes in more places."""
    c = hostile_cluster
    c.create_application("hostile", rc_body(EVIL_NAME, "hostile", "img/evil:1", 1,
                                            labels={"note": EVIL}))
    c.create_application("hostile", rc_body(MARKUP_NAME, "hostile", "img/evil:1", 1, labels={"note": EVIL}))
    for (ns, _), a in c.apps.items():
        if ns == "hostile":
            a.message = MESSAGE
    c.agents[1].hostname = "node-" + EVIL[4:]
    return c


@pytest.fixture
def make_hostile_app(hostile):
    def build(**over):
        client = BcsClient("http://sim", hostile.cluster_id, TOKEN, get_retries=0,
                           transport=StreamingASGITransport(create_app(hostile, token=TOKEN)))
        return BcsApp(make_settings(**over), client=client, now=hostile.clock.now)

    return build


VIEWS = ["app hostile", "tg hostile", "proc hostile", "dp", "cm hostile", "secret", "svc", "agent", "offer",
         "ns", "webhook", "crd", "cmd", "cluster"]


async def test_every_view_and_describe_of_hostile_rows(make_hostile_app, hostile):
    app = make_hostile_app()
    described = 0
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        for view in VIEWS:
            await goto(pilot, app, view)
            assert_safe_screen(app, view)
            if app.screen is not app.browser:  # the overview
                await pilot.press("escape")
                await settle(pilot, app)
                continue
            table = app.browser.table
            # Describe the rows of the view that carry server text with escapes or markup (a few).
            evil_rows = [r for r in table.view_rows
                         if any(m in repr(r.obj) for m in ("\\x1b", "[@click", "[bold", "\\x9b"))]
            for row in evil_rows[:3]:
                table.move_cursor_to_key(row.key)
                await pilot.press("d")
                await settle(pilot, app)
                assert isinstance(app.screen, DescribeScreen), view
                described += 1
                assert_safe_screen(app, f"describe {view} {row.key!r}")
                await pilot.press("escape")
                await settle(pilot, app)
        assert described >= 6  # apps, taskgroups, configmaps, agents ... with hostile text
        # The markup is shown as text, not applied.
        await goto(pilot, app, "app hostile")
        text = assert_safe_screen(app, "apps")
        assert MARKUP in text and "[@click=app.quit]quit[/]" in text
        assert "evil-[bold]app[/bold]" in text


async def test_enter_on_hostile_rows_drills_breadcrumbs_and_header_stay_clean(make_hostile_app, hostile):
    app = make_hostile_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hostile")
        keys = [r.key for r in app.browser.table.rows]
        evil_key = next(k for k in keys if "evil-esc" in k)
        for key in keys:
            await goto(pilot, app, "app hostile", key)
            await pilot.press("enter")  # into its taskgroups: the crumb names the application
            await settle(pilot, app)
            assert_safe_screen(app, f"taskgroups of {key!r}")
            assert app.browser.state.kind.name == "taskgroups"
            if key == evil_key:
                crumbs = str(app.browser.query_one("#crumbs").render())
                assert "evil-esc" in crumbs and MARKUP in crumbs, crumbs
            for tg in list(app.browser.table.rows):
                app.browser.table.move_cursor_to_key(tg.key)
                await pilot.press("enter")  # containers
                await settle(pilot, app)
                assert_safe_screen(app, f"containers of {tg.key!r}")
                await pilot.press("escape")
                await settle(pilot, app)


class ServerText(ChaosSpec):
    """Every scheduler and storage answer is an error envelope (or plain text) carrying MESSAGE."""

    def __init__(self, plain: bool = False) -> None:
        super().__init__([])
        self.plain = plain

    def decide(self, path: str) -> Fault | None:
        return _Hostile(self.plain)


class _Hostile(Fault):
    def __init__(self, plain: bool) -> None:
        super().__init__(latency=0.0, kind="business")
        self.plain = plain

    def answer(self) -> tuple[bytes, int, str]:
        if self.plain:
            return MESSAGE.encode(), 500, "text/plain"
        import json

        return json.dumps({"result": False, "code": 1405200, "message": MESSAGE, "data": None}).encode(), 200, \
            "application/json"


@pytest.mark.parametrize("plain", [False, True], ids=["envelope", "plain-text"])
async def test_server_error_text_in_flash_title_and_empty_list(make_hostile_app, hostile, plain):
    app = make_hostile_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hostile")
        hostile.chaos = ServerText(plain)
        await pilot.press("ctrl+r")  # stale title and a flash with the server's message
        await settle(pilot, app)
        assert app.browser.state.error
        text = assert_safe_screen(app, "stale title + flash")
        assert "boom" in text and "tail" in text
        assert all("\x1b" not in m and "\x9c" not in m for m in flashes(app))
        await goto(pilot, app, "agent")  # never loaded: the empty list says why
        assert assert_safe_screen(app, "empty list")
        await pilot.press("enter")  # nothing to open: still alive
        await settle(pilot, app)
        assert_safe_screen(app, "enter on an empty list")


async def test_confirmation_form_and_results_show_hostile_names_literally(make_hostile_app, hostile):
    app = make_hostile_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hostile")
        key = next(r.key for r in app.browser.table.rows if "evil-esc" in r.key)
        app.browser.table.move_cursor_to_key(key)
        await pilot.press("s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        assert_safe_screen(app, "scale form")
        app.screen.query_one("#field-instances").value = "2"
        await pilot.press("enter")
        await settle(pilot, app)
        # The client refuses a name with control characters (and a '/') when it plans the
        # request, before any confirmation: nothing leaves, and the message shows it escaped.
        assert not isinstance(app.screen, ConfirmModal)
        await finish(pilot, app)
        assert writes(hostile) == []
        assert any("evil-esc" in m and "must not" in m for m in flashes(app)), flashes(app)
        assert_safe_screen(app, "after the local refusal")
        # The server refuses with hostile text: the report shows it as text.
        await goto(pilot, app, "app hostile", f"hostile/{MARKUP_NAME}")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "3"
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal), flashes(app)
        assert MARKUP_NAME in assert_safe_screen(app, "markup name confirmation")
        hostile.chaos = ServerText()
        await pilot.press("y")
        await finish(pilot, app)
        hostile.chaos = None
        assert len(writes(hostile)) == 1
        assert_safe_screen(app, "after the server's refusal")
        assert any("boom [@click=app.quit]quit[/]" in m for m in flashes(app)), flashes(app)
        # A bulk action on hostile names: the results modal.
        await goto(pilot, app, "app hostile")
        for row in app.browser.table.rows:
            app.browser.table.toggle_mark(row.key)
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        assert_safe_screen(app, "bulk delete confirmation")
        await pilot.press("escape")
        await finish(pilot, app)
        assert len(writes(hostile)) == 1  # cancelled: nothing more sent


async def test_command_output_with_osc52_and_markup_is_inert(make_hostile_app, hostile):
    app = make_hostile_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # A hostile cluster appends markup, CSI and an OSC 52 clipboard write to every output.
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("x")
        await settle(pilot, app)
        app.screen.query_one("#field-command").value = "hostname"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal), flashes(app)
        assert_safe_screen(app, "exec confirmation")
        await pilot.press("y")
        await finish(pilot, app)
        screen = app.screen
        assert isinstance(screen, CommandOutputScreen)
        hostile.advance(10)
        screen.refresh_now()
        await settle(pilot, app)
        await wait_for(pilot, lambda: "pwned" in str(screen.query_one("#cmd-output").render()),
                       what="the hostile output")
        text = assert_safe_screen(app, "command output")
        assert "[bold red]pwned[/]" in text and "[@click=app.quit]click me[/]" in text
        # The copy is the one OSC 52 the console writes itself: the payload has no escapes in it.
        copied: list[str] = []
        app.copy_to_clipboard = copied.append
        await pilot.press("c")
        await pilot.pause()
        assert copied and "pwned" in copied[0]
        assert "\x1b" not in copied[0] and "\x07" not in copied[0]


async def test_the_manifest_editor_and_diff_show_hostile_values_inert(make_hostile_app, hostile):
    """Editing an object whose labels carry ESC, C1 (8-bit CSI) and markup: the editor holds
    them as JSON escapes, the diff shows them as text; saving keeps the values."""
    app = make_hostile_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hostile", f"hostile/{MARKUP_NAME}")
        await pilot.press("e")
        await settle(pilot, app)
        editor = app.screen
        assert isinstance(editor, ManifestEditor)
        assert_safe_screen(app, "manifest editor")
        import json

        data = json.loads(editor.text)
        assert data["metadata"]["labels"]["note"] == EVIL  # the JSON still means the same
        data["spec"]["instance"] = 2
        editor.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert_safe_screen(app, "edit diff confirmation")
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(hostile) == []


async def test_prompt_completion_never_offers_a_namespace_with_escapes(make_hostile_app, hostile):
    bad_ns = "evil\x1b[2J\x1b]52;c;ZXZpbA==\x07ns"
    hostile.create_application(bad_ns, rc_body("x", bad_ns, "img/x:1", 1))
    app = make_hostile_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        assert "hostile" in app.namespaces and not [n for n in app.namespaces if "\x1b" in n]
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press("a", "p", "p", "space", "e", "v")
        await pilot.pause()
        assert_safe_screen(app, "prompt completion")
        await pilot.press("escape")
        await goto(pilot, app, "ns")  # the list still shows it, cleaned
        assert "evil" in assert_safe_screen(app, "namespaces")


async def test_versions_picker_shows_hostile_version_ids_inert(make_hostile_app, hostile):
    app_obj = hostile.apps[("hero-prod", "chat")]
    vid, body = app_obj.versions[-1]
    app_obj.versions.append(("9" + EVIL[4:], dict(body)))
    app = make_hostile_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("v")
        await settle(pilot, app)
        assert app.screen is not app.browser
        assert_safe_screen(app, "versions picker")
        await pilot.press("escape")
        await finish(pilot, app)
    assert writes(hostile) == []
