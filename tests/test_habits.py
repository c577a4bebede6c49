"""Small habits: the User-Agent on every request, the per-context timeout reaching the client."""

from __future__ import annotations


import bcs_tui
from bcs_tui.compose import Backend
from bcs_tui.api.client import BcsClient
from bcs_tui.config import Context, Secret, Settings, paths
from bcs_tui.sim.server import create_app, start_in_loop
from tests.asgistream import StreamingASGITransport
from tests.apptest import demo_cluster


async def test_every_request_says_user_agent_bcs_tui_version():
    cluster = demo_cluster()
    async with BcsClient("http://sim", cluster.cluster_id, "t0ken-abcdef",
                         transport=StreamingASGITransport(create_app(cluster, token="t0ken-abcdef"))) as client:
        await client.storage_list_namespaces()
        await client.list_applications("hero-prod")
    assert len(cluster.requests) >= 2
    assert {r.headers.get("user-agent") for r in cluster.requests} == {f"bcs-tui/{bcs_tui.__version__}"}


async def test_a_context_timeout_reaches_the_client_the_app_builds(tmp_path, monkeypatch):
    """timeout = 0.3 in the context, a server that answers after 2 s: the view says 0.3 s."""
    from bcs_tui.ui.app import BcsApp

    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    cluster = demo_cluster()
    sim = await start_in_loop(cluster, chaos="latency=2s")
    try:
        ctx = Context(name="slow", server=sim.url, cluster_id=cluster.cluster_id, timeout=0.3)
        settings = Settings(context=ctx, token=Secret("x-token"), refresh=3600.0, contexts={"slow": ctx},
                            paths=paths())
        app = BcsApp(settings, backend=Backend(settings), now=cluster.clock.now)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(300):
                await pilot.pause(0.02)
                if app.browser.state.loaded or app.browser.state.error:
                    break
            assert app.browser.state.error and "within 0.3s" in str(app.browser.state.error)
    finally:
        await sim.stop()
