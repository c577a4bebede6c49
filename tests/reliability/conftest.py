"""Reliability fixtures: the real BcsApp against the simulator, with a way to break the server.

`make_app` wires the app to the simulator over httpx.ASGITransport (no socket); a test breaks the
server mid-session with `cluster.chaos`, `cluster.token` (the gateway's token) or
`cluster.cluster_id`. Real loopback sockets (stop and restart, client timeouts) use
`start_in_loop` directly in the tests that need them.
"""

from __future__ import annotations

import asyncio
import io
import re
import socket
import time
from typing import Any, Callable

import pytest
from rich.console import Console

from bcs_tui.api.client import BcsClient
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import create_app
from bcs_tui.ui.app import BcsApp
from tests.asgistream import StreamingASGITransport
from tests.apptest import demo_cluster, make_settings  # noqa: F401 (re-exported)

SIZE = (140, 40)
TOKEN = "s3cr3t-T0KEN-0123456789abcdefABCD"  # long and unique: easy to grep for
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
SCHED = "/bcsapi/v4/scheduler/mesos"

# What must never reach the terminal from server text: ESC (CSI/OSC/...), BEL, the C1 controls
# (8-bit CSI/OSC/DCS/ST) and the other C0 controls except newline.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def cluster() -> SimCluster:
    return demo_cluster()


@pytest.fixture
def hostile_cluster() -> SimCluster:
    return demo_cluster(hostile=True)


@pytest.fixture
def sim_asgi(cluster):
    """The simulator's ASGI app for `cluster`, wanting the bearer token TOKEN."""
    return create_app(cluster, token=TOKEN)


@pytest.fixture
def make_app(cluster, sim_asgi, tmp_path):
    """make_app(client_kw=..., **settings overrides) -> BcsApp on the simulator (audit in tmp_path)."""
    from bcs_tui.audit import AuditLog

    def build(*, client_kw: dict | None = None, **over: Any) -> BcsApp:
        settings = make_settings(**over)
        kw = dict(read_only=settings.read_only, transport=StreamingASGITransport(sim_asgi),
                  get_retries=0, backoff=0.0, audit=AuditLog(tmp_path / "audit.jsonl"))
        kw.update(client_kw or {})
        client = BcsClient("http://sim", cluster.cluster_id, TOKEN, **kw)
        return BcsApp(settings, client=client, now=cluster.clock.now)

    return build


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ driving the app


async def settle(pilot, app) -> None:
    """Let view loads finish and the screen catch up (operation workers may wait on a modal)."""
    for _ in range(3):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "operations" and not w.is_finished]
        if busy:
            await asyncio.wait([asyncio.ensure_future(w.wait()) for w in busy], timeout=5)
    await pilot.pause()


async def finish(pilot, app) -> None:
    """Wait for the operation worker (after its last modal answered)."""
    for _ in range(4):
        await pilot.pause()
        ops = [w for w in app.workers if w.group == "operations" and not w.is_finished]
        if ops:
            await asyncio.wait([asyncio.ensure_future(w.wait()) for w in ops], timeout=5)
    await settle(pilot, app)


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    """Pump the app until `predicate()` holds (a hang guard, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


async def command(pilot, app, text: str) -> None:
    """Type a `:` command and run it."""
    await pilot.press("colon")
    await pilot.pause()
    app.screen.query_one("#command-input").value = text
    await pilot.press("enter")
    await settle(pilot, app)


async def goto(pilot, app, view: str, key: str | None = None) -> None:
    await command(pilot, app, view)
    if key is not None:
        assert app.browser.table.move_cursor_to_key(key), (key, [r.key for r in app.browser.table.rows][:20])
    await pilot.pause()


def writes(cluster) -> list:
    """The write requests the simulator received (storage queries are reads)."""
    return [r for r in cluster.requests if r.method in WRITE_METHODS and "/storage/" not in r.path]


@pytest.fixture(autouse=True)
def flash_log(monkeypatch):
    """Record every flash (App.notify) of every BcsApp: toasts expire after a few seconds, and a
    slow machine must not make a test miss one."""
    original = BcsApp.notify

    def notify(self, message, *args, **kwargs):
        self.__dict__.setdefault("flash_log", []).append(str(message))
        return original(self, message, *args, **kwargs)

    monkeypatch.setattr(BcsApp, "notify", notify)


def flashes(app) -> list[str]:
    """Every flash message the app showed (see `flash_log`)."""
    return list(app.__dict__.get("flash_log", []))


def clear_flashes(app) -> None:
    app.__dict__["flash_log"] = []


def screen_text(app) -> str:
    """The current screen as the terminal would get it (text only; cursor moves are not text)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def assert_clean(text: str, where: str = "") -> None:
    """No terminal control character and no Textual action link in what is drawn."""
    bad = CONTROL.search(text)
    assert bad is None, f"{where}: control character {bad.group()!r} on screen: {text[max(0, bad.start() - 40):bad.end() + 40]!r}"


def title_text(app) -> str:
    return str(app.browser.query_one("#view-title").render())


def screen_segments(app) -> list:
    """Every segment the compositor would send for the current screen."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return [seg for line in update.strips for strip in line for seg in strip]


def click_actions(app) -> set[str]:
    """The `@click` actions live on screen (Textual markup links)."""
    out = set()
    for seg in screen_segments(app):
        meta = seg.style.meta if seg.style is not None else {}
        if meta and "@click" in meta:
            out.add(str(meta["@click"]))
    return out
