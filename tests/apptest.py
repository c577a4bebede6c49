"""Shared by the app-level test packages (ui, ops, reliability): settings for the real app
against the simulator."""

from __future__ import annotations

from typing import Any

from bcs_tui.config import Context, Settings
from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster


def make_settings(**over: Any) -> Settings:
    """A plain test context (server http://sim); keyword overrides go onto the Settings."""
    ctx = Context(name="test", server="http://sim", cluster_id="BCS-MESOS-10001",
                  namespace=over.pop("namespace", None), read_only=over.pop("read_only", False),
                  production=over.pop("production", False))
    settings = Settings(context=ctx, refresh=over.pop("refresh", 0.0), contexts={"test": ctx})
    for key, value in over.items():
        setattr(settings, key, value)
    return settings


def demo_cluster(**kw: Any) -> SimCluster:
    """The demo cluster, seed 0, with a clock the test moves by hand."""
    return SimCluster(seed=0, scale="demo", clock=SimClock(manual=True), **kw)


async def wait_loaded(app: Any, pilot: Any, tries: int = 200) -> None:
    """Wait until the browser's first load finished (rows or an error), then assert it loaded."""
    for _ in range(tries):
        await pilot.pause(0.02)
        if app.browser.state.loaded or app.browser.state.error:
            break
    assert app.browser.state.loaded, app.browser.state.error
