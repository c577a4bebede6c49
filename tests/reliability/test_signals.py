"""SIGTERM and SIGHUP (a dropped SSH session) restore the terminal and exit cleanly; a bug in a
worker ends the app with its error, an expected worker failure leaves the console usable.

The signal tests run the real console (`python -m bcs_tui --demo`) on a pseudo-terminal, the way
an SSH session or tmux pane does, and read everything it wrote to the terminal.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from bcs_tui.api.errors import BcsError

from .conftest import SIZE, finish, flashes, goto, settle, title_text

ALT_SCREEN_ON = b"\x1b[?1049h"
ALT_SCREEN_OFF = b"\x1b[?1049l"


class Console:
    """`bcs-tui --demo` on a pty of 120x40."""

    def __init__(self, tmp_path) -> None:
        env = dict(os.environ, TERM="xterm-256color", BCS_TUI_CONFIG=str(tmp_path / "config.toml"),
                   BCS_TUI_STATE_DIR=str(tmp_path / "state"), HOME=str(tmp_path))
        env.pop("NO_COLOR", None)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-m", "bcs_tui", "--demo"], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.out = bytearray()
        self.closed = False

    def read(self, until: bytes | None = None, timeout: float = 60.0) -> None:
        """Read what the console writes until `until` shows up, it exits, or `timeout` (a hang guard)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if until is not None and until in self.out:
                return
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: the process is gone and the pty closed
                    return
                if not data:
                    return
                self.out += data
            elif self.proc.poll() is not None:
                return
        if until is not None:
            raise AssertionError(f"the console did not write {until!r} in time: {bytes(self.out[-400:])!r}")

    def hang_up(self) -> None:
        """The SSH connection drops: the terminal side goes away."""
        os.close(self.master)
        self.closed = True

    def wait(self, timeout: float = 30.0) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("the console did not exit after the signal") from None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.closed:
            os.close(self.master)


@pytest.fixture
def console(tmp_path):
    c = Console(tmp_path)
    try:
        yield c
    finally:
        c.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1],
                         ids=["SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1"])
def test_signal_restores_the_terminal_and_exits_cleanly(console, sig):
    console.read(until=b"Applications")  # started, on the alternate screen, drawn
    assert ALT_SCREEN_ON in console.out
    start = len(console.out)
    console.proc.send_signal(sig)
    console.read()
    assert console.wait() == 128 + sig  # as a shell reports a process ended by the signal (issue 16: 9)
    tail = bytes(console.out[start:])
    assert ALT_SCREEN_OFF in tail, tail[-300:]
    assert b"\x1b[?25h" in tail  # the cursor is shown again
    assert b"Traceback" not in console.out


def test_a_dropped_ssh_session_ends_the_console(console):
    """The pty master closes, then SIGHUP: writes fail with EIO; the console still exits (no spin,
    no hang)."""
    console.read(until=b"Applications")
    console.hang_up()
    console.proc.send_signal(signal.SIGHUP)
    assert console.wait() in (128 + signal.SIGHUP, -signal.SIGHUP)


# ------------------------------------------------------------------ unexpected exceptions


@pytest.fixture
def patch_kind():
    """patch_kind(kind, field, value): replace a field of a (frozen) ResourceKind for one test."""
    saved = []

    def patch(kind, name, value):
        saved.append((kind, name, getattr(kind, name)))
        object.__setattr__(kind, name, value)

    yield patch
    for kind, name, value in reversed(saved):
        object.__setattr__(kind, name, value)


async def test_a_bug_in_a_fetch_is_reported_and_the_view_recovers(make_app, patch_kind):
    from bcs_tui.resources import KINDS_BY_NAME

    kind = KINDS_BY_NAME["agents"]
    original = kind.fetch
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "agent", "10.12.1.13")

        async def broken(env, scope):
            raise KeyError("InnerIP")

        patch_kind(kind, "fetch", broken)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert app.is_running and app.screen is app.browser
        assert "KeyError" in title_text(app) and "stale" in title_text(app)
        assert any("KeyError" in m for m in flashes(app))
        assert app.browser.table.cursor_key == "10.12.1.13"
        await pilot.press("down")  # still usable
        assert app.browser.table.cursor_key != "10.12.1.13"
        object.__setattr__(kind, "fetch", original)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert "stale" not in title_text(app)


async def test_a_bug_in_an_operation_is_reported_and_nothing_is_left_open(make_app, cluster, monkeypatch):
    from bcs_tui.ui.operations import Operations

    async def broken(self, *args):
        raise AttributeError("'NoneType' object has no attribute 'define_instances'")

    monkeypatch.setattr(Operations, "op_scale", broken)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await finish(pilot, app)
        assert app.is_running and app.screen is app.browser
        assert any("failed" in m and "define_instances" in m for m in flashes(app))
        await pilot.press("d")  # the console still works
        await settle(pilot, app)
        assert app.screen is not app.browser


async def test_a_bug_while_rendering_a_row_does_not_blank_the_view(make_app, patch_kind):
    """One odd object from the server must not take the whole list (or the app) down."""
    from bcs_tui.resources import KINDS_BY_NAME

    kind = KINDS_BY_NAME["applications"]
    original = kind.row_key

    def row_key(obj):
        if getattr(obj, "name", "") == "chat":
            raise BcsError("odd object")
        return original(obj)

    patch_kind(kind, "row_key", row_key)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod")
        keys = [r.key for r in app.browser.table.rows]
        assert keys and "hero-prod/chat" not in keys
        assert app.is_running


async def test_a_bug_in_describe_is_reported_and_the_console_stays(make_app, patch_kind):
    from bcs_tui.resources import KINDS_BY_NAME

    kind = KINDS_BY_NAME["applications"]

    def broken(obj, rc):
        raise ValueError("cannot render this object")

    patch_kind(kind, "describe", broken)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("d")
        await settle(pilot, app)
        assert app.is_running and app.return_code is None
        assert "cannot show this object: ValueError" in app.screen.query_one("#describe-text").text
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("w")  # the copy menu still offers the name
        await settle(pilot, app)
        assert app.is_running and app.screen is not app.browser
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("down")
        assert app.is_running and app.browser.table.cursor_key != "hero-prod/chat"


async def test_a_bug_in_a_background_worker_ends_the_app_with_its_error(make_app):
    # A bug must not hide in a toast: Textual ends the app and run_test re-raises it, so the test
    # that meets a worker bug fails.
    from textual.worker import WorkerFailed

    app = make_app()
    with pytest.raises(WorkerFailed) as failed:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await goto(pilot, app, "app hero-prod", "hero-prod/chat")

            async def poll():
                raise ZeroDivisionError("odd counter")

            app.run_worker(poll(), group="test-poll")  # exit_on_error=True, like every @work poll
            await settle(pilot, app)
    assert isinstance(failed.value.error, ZeroDivisionError) and "odd counter" in str(failed.value.error)
    assert app.return_code not in (None, 0)


async def test_an_expected_failure_of_a_background_worker_keeps_the_console(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        before = list(app.namespaces)

        async def refused():
            raise BcsError("storage unavailable")

        app.client.storage_list_namespaces = refused
        app._load_namespaces()  # completion only: exit_on_error=False, the app's handler says nothing
        await settle(pilot, app)
        assert app.is_running and app.return_code is None
        assert app.namespaces == before and before
        assert not any("storage unavailable" in m for m in flashes(app))
        await pilot.press("down")
        assert app.browser.table.cursor_key != "hero-prod/chat"
