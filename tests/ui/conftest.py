"""UI test fixtures: the real app against the simulator over httpx.ASGITransport (no socket)."""

from __future__ import annotations

from typing import Any

import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import create_app
from bcs_tui.ui.app import BcsApp
from tests.asgistream import StreamingASGITransport
from tests.apptest import demo_cluster, make_settings  # noqa: F401 (re-exported)

SIZE = (120, 36)


@pytest.fixture
def cluster() -> SimCluster:
    return demo_cluster()


@pytest.fixture
def make_app(cluster):
    """make_app(**settings overrides) -> BcsApp wired to `cluster`, clock pinned to the sim's."""
    clients: list[BcsClient] = []

    def build(**over: Any) -> BcsApp:
        settings = make_settings(**over)
        client = BcsClient("http://sim", cluster.cluster_id, None, read_only=settings.read_only,
                           transport=StreamingASGITransport(create_app(cluster)), get_retries=0)
        clients.append(client)
        return BcsApp(settings, client=client, now=cluster.clock.now)

    return build


async def settle(pilot, app) -> None:
    """Let workers finish and the screen catch up (twice: a load can start another)."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def command(pilot, app, text: str) -> None:
    """Type a `:` command and run it."""
    await pilot.press("colon")
    await pilot.pause()
    app.screen.query_one("#command-input").value = text
    await pilot.press("enter")
    await settle(pilot, app)
