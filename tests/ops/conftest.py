"""Ops test fixtures: the real app against the simulator over httpx.ASGITransport (no socket).

The operation flows run in a worker that waits on modals, so `settle` here waits only for the
other workers (view loads), never for an operation still waiting for a key press."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import create_app
from bcs_tui.ui.app import BcsApp
from tests.asgistream import StreamingASGITransport
from tests.apptest import demo_cluster, make_settings  # noqa: F401 (re-exported)

SIZE = (130, 40)
WRITE_METHODS = ("POST", "PUT", "DELETE")


@pytest.fixture
def cluster() -> SimCluster:
    return demo_cluster()


@pytest.fixture
def make_app(cluster, tmp_path):
    """make_app(**settings overrides) -> BcsApp wired to `cluster` (audit log in tmp_path)."""
    from bcs_tui.audit import AuditLog

    def build(**over: Any) -> BcsApp:
        settings = make_settings(**over)
        client = BcsClient("http://sim", cluster.cluster_id, None, read_only=settings.read_only,
                           transport=StreamingASGITransport(create_app(cluster)), get_retries=0,
                           audit=AuditLog(tmp_path / "audit.jsonl"))
        return BcsApp(settings, client=client, now=cluster.clock.now)

    return build


async def settle(pilot, app) -> None:
    """Let view loads finish and the screen catch up (operation workers may wait on a modal)."""
    for _ in range(3):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "operations" and not w.is_finished]
        if busy:
            await asyncio.wait([asyncio.ensure_future(w.wait()) for w in busy], timeout=5)
    await pilot.pause()


async def command(pilot, app, text: str) -> None:
    """Type a `:` command and run it."""
    await pilot.press("colon")
    await pilot.pause()
    app.screen.query_one("#command-input").value = text
    await pilot.press("enter")
    await settle(pilot, app)


async def goto(pilot, app, view: str, key: str | None = None, marks: tuple[str, ...] = ()) -> None:
    """Open `view` (a `:` command) and put the cursor on the row `key`, marking `marks`."""
    await command(pilot, app, view)
    table = app.browser.table
    for mark in marks:
        assert table.get_row(mark) is not None, (mark, [r.key for r in table.rows][:20])
        table.toggle_mark(mark)
    if key is not None:
        assert table.move_cursor_to_key(key), (key, [r.key for r in table.rows][:20])
    await pilot.pause()


def writes(cluster) -> list:
    """The write requests the simulator received, in order."""
    return [r for r in cluster.requests if r.method in WRITE_METHODS and "/storage/" not in r.path]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", "/": "slash", ".": "full_stop", "-": "minus", "=": "equals_sign",
                         ":": "colon", "|": "vertical_line"}.get(ch, ch) for ch in text])


def flashes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def finish(pilot, app) -> None:
    """Wait for the operation worker (after its last modal answered)."""
    for _ in range(4):
        await pilot.pause()
        ops = [w for w in app.workers if w.group == "operations" and not w.is_finished]
        if ops:
            await asyncio.wait([asyncio.ensure_future(w.wait()) for w in ops], timeout=5)
    await settle(pilot, app)
