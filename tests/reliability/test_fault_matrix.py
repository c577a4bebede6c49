"""The fault matrix (issue 8): each server fault against the real console and the simulator.

For every fault the console must stay up, keep the user's place (view and cursor row), say what
failed in words a person can act on, keep the last good rows on screen marked stale, back off,
and recover by itself (no key pressed) once the server is healthy again.
"""

from __future__ import annotations

import asyncio

import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.sim.chaos import ChaosSpec, Fault
from bcs_tui.sim.server import start_in_loop
from bcs_tui.ui.app import BcsApp
from tests.asgistream import StreamingASGITransport

from .conftest import (
    SIZE,
    TOKEN,
    assert_clean,
    clear_flashes,
    flashes,
    free_port,
    goto,
    make_settings,
    screen_text,
    settle,
    title_text,
    wait_for,
)

REFRESH = 0.05  # polls every 50 ms, so backoff and recovery happen within a short test


def assert_alive(app) -> None:
    assert app.is_running and app.return_code is None


def poll_delay(browser) -> float:
    """The delay of the armed poll (the backoff). None would mean polling stopped."""
    timer = browser._poll_timer
    assert timer is not None, "no poll armed: the view would never recover by itself"
    return timer._interval


async def fail_then_recover(pilot, app, break_server, heal_server, words: list[str], *,
                            view: str, key: str) -> None:
    """The common script: open `view`, put the cursor on `key`, break the server, check what the
    user sees while it fails, heal it, check it recovered without a key press."""
    await goto(pilot, app, view, key)
    browser = app.browser
    state = browser.state
    rows_before = [r.key for r in browser.table.rows]
    assert rows_before and state.loaded and not state.error

    break_server()
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: state.failures >= 3, what="three failed polls")

    assert_alive(app)
    assert app.screen is browser and browser.state is state, "the view changed under the user"
    assert browser.table.cursor_key == key, "the cursor moved"
    assert [r.key for r in browser.table.rows] == rows_before, "the last good rows are gone"
    title = title_text(app)
    assert "stale since" in title, title
    for word in words:
        assert word in state.error, (word, state.error)
    shown = screen_text(app)
    assert_clean(shown, "while failing")
    assert "stale since" in shown
    assert words[0] in shown, shown  # the reason is on screen, not only in a log
    assert "Traceback" not in shown and TOKEN not in shown
    # Said once (a flash), not once per poll; then the title keeps saying it.
    said = [m for m in flashes(app) if words[0] in m]
    assert len(said) == 1, said
    # Backoff: the next poll waits longer than the refresh interval, and longer after each failure.
    assert poll_delay(browser) >= REFRESH * 2 ** 3

    heal_server()
    await wait_for(pilot, lambda: not state.error and state.stale_since is None, what="recovery")
    assert_alive(app)
    assert browser.state is state and browser.table.cursor_key == key
    assert "stale" not in title_text(app)
    assert [r.key for r in browser.table.rows] == rows_before
    if browser._live(state) is not None:
        # A storage view is served by its table's change stream again: no poll, no backoff.
        assert browser._poll_timer is None and browser._feed.mode in ("live", "polling")
    else:
        assert poll_delay(browser) == state.poll_every  # back to the normal pace, no backoff


# ------------------------------------------------------------------ chaos answers (no socket)

CHAOS = {
    # fault: (chaos spec, words the user must see)
    "5xx": ("error=1,seed=1", ["HTTP 50"]),
    "5xx-html-502": ("error=1,seed=0", ["HTTP 50"]),
    "plain-text": ("text=1", ["route not found", "404: Page Not Found"]),
    "truncated-json": ("truncate=1", ["not valid JSON"]),
    "empty-body": ("empty=1", ["empty response", "not the master"]),
    "dropped-connection": ("drop=1", ["connection to http://sim failed"]),
    "no-mesos-master": ("business=1", ["no mesos master", "1405200"]),
}


@pytest.mark.parametrize("fault", list(CHAOS))
async def test_chaos_fault_keeps_place_and_stale_data_then_recovers(make_app, cluster, fault):
    """Applications come from the storage query (a POST that is a read)."""
    spec, words = CHAOS[fault]
    app = make_app(refresh=REFRESH)

    def break_server():
        cluster.chaos = ChaosSpec.parse(spec)

    def heal_server():
        cluster.chaos = None

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await fail_then_recover(pilot, app, break_server, heal_server, words,
                                view="app hero-prod", key="hero-prod/chat")


async def test_every_chaos_fault_in_turn_on_a_scheduler_view(make_app, cluster):
    """Agents come from two scheduler GETs; one session lives through several faults in turn."""
    app = make_app(refresh=REFRESH)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for fault in ("5xx-html-502", "empty-body", "dropped-connection"):
            spec, words = CHAOS[fault]
            clear_flashes(app)

            def break_server(spec=spec):
                cluster.chaos = ChaosSpec.parse(spec)

            def heal_server():
                cluster.chaos = None

            await fail_then_recover(pilot, app, break_server, heal_server, words, view="agent", key="10.12.1.13")


class Burst(ChaosSpec):
    """The next `n` requests get a 503 from the gateway, then the server is fine."""

    def __init__(self, n: int) -> None:
        super().__init__([])
        self.left = n

    def decide(self, path: str) -> Fault | None:
        if self.left <= 0:
            return None
        self.left -= 1
        return Fault(latency=0.0, kind="error", status=503)


async def test_a_short_burst_of_5xx_is_absorbed_by_get_retries(make_app, cluster):
    app = make_app(client_kw={"get_retries": 2})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        state = app.browser.state
        before = len(cluster.requests)
        cluster.chaos = Burst(2)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert len(cluster.requests) - before == 3  # two 503s, then the answer
        assert not state.error and "stale" not in title_text(app)
        assert not [m for m in flashes(app) if "503" in m]


async def test_a_long_5xx_burst_costs_a_bounded_number_of_requests(make_app, cluster):
    """Each failed poll costs 1 + get_retries requests; polls back off instead of hammering."""
    app = make_app(refresh=REFRESH, client_kw={"get_retries": 2})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        state = app.browser.state
        cluster.chaos = ChaosSpec.parse("error=1")
        before = len(cluster.requests)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: state.failures >= 2, what="two failed polls")
        await settle(pilot, app)
        sent = len(cluster.requests) - before
        assert sent <= 3 * (state.failures + 1), (sent, state.failures)
        cluster.chaos = None
        await wait_for(pilot, lambda: not state.error, what="recovery")


# ------------------------------------------------------------------ gateway refusals


async def test_token_expired_mid_session_says_so_and_recovers(make_app, cluster):
    """401: the gateway stops accepting the token (rotated); the console says which token to fix."""
    app = make_app(refresh=REFRESH, client_kw={"get_retries": 2})
    async with app.run_test(size=SIZE, notifications=True) as pilot:

        def break_server():
            cluster.token = "rotated-token"

        def heal_server():
            cluster.token = TOKEN

        await fail_then_recover(pilot, app, break_server, heal_server,
                                ["HTTP 401", "token is not valid", "token source"],
                                view="app hero-prod", key="hero-prod/chat")
        assert TOKEN not in " ".join(flashes(app))


async def test_401_is_not_retried(make_app, cluster):
    app = make_app(client_kw={"get_retries": 2})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        cluster.token = "rotated-token"
        before = len(cluster.requests)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert len(cluster.requests) - before == 1
        assert "HTTP 401" in app.browser.state.error


async def test_wrong_cluster_id_names_the_setting_to_fix(make_app, cluster):
    """400 / 1405234: the server no longer serves our BCS-ClusterID (re-registered cluster)."""
    app = make_app(refresh=REFRESH)

    def break_server():
        cluster.cluster_id = "BCS-MESOS-10002"

    def heal_server():
        cluster.cluster_id = "BCS-MESOS-10001"

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await fail_then_recover(pilot, app, break_server, heal_server,
                                ["wrong cluster id", "BCS-MESOS-10001", "cluster id"],
                                view="agent", key="10.12.1.13")


async def test_wrong_cluster_id_at_start_shows_why_the_list_is_empty(cluster, sim_asgi):
    client = BcsClient("http://sim", "BCS-MESOS-99999", TOKEN, get_retries=0,
                       transport=StreamingASGITransport(sim_asgi))
    app = BcsApp(make_settings(initial_command="agent"), client=client, now=cluster.clock.now)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        assert_alive(app)
        shown = screen_text(app)
        assert "Cannot load agents" in shown and "wrong cluster id" in shown
        await pilot.press("question_mark")  # still usable
        await pilot.pause()
        assert app.screen is not app.browser
        await pilot.press("escape")
    await client.aclose()


# ------------------------------------------------------------------ very large answers


async def test_very_large_responses_are_shown_clipped_and_the_console_stays_usable(make_app, cluster):
    huge = "x" * 200_000
    for (ns, _), a in cluster.apps.items():
        if ns == "hero-prod":
            a.message = huge + " end"
    for i in range(2500):
        cluster.create_object("ops", "configmap", {
            "apiVersion": "v4", "kind": "configmap",
            "metadata": {"name": f"cm-{i:05d}", "namespace": "ops", "labels": {"n": str(i)}},
            "datas": {"k": {"type": "file", "content": "y" * 200}}})
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        browser = app.browser
        assert browser.state.loaded and not browser.state.error
        row = browser.table.get_row("hero-prod/chat")
        assert max(len(c) for c in row.cells) <= 300  # clipped, not a 200 KB cell
        await goto(pilot, app, "cm ops", "ops/cm-01234")
        assert browser.state.loaded and len(browser.state.objects) >= 2500
        await pilot.press("down")
        assert browser.table.cursor_key == "ops/cm-01235"
        await pilot.press("slash")
        await pilot.press("0", "1", "2", "3", "4", "enter")
        await pilot.pause()
        assert browser.table.view_count == 1
        assert_clean(screen_text(app), "large")
        assert_alive(app)


# ------------------------------------------------------------------ real sockets: down, gone, slow


async def test_server_down_at_start_then_up(cluster):
    port = free_port()
    client = BcsClient(f"http://127.0.0.1:{port}", cluster.cluster_id, TOKEN, timeout=2.0, get_retries=0)
    app = BcsApp(make_settings(refresh=REFRESH), client=client, now=cluster.clock.now)
    sim = None
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: app.browser is not None and app.browser.state.failures >= 2,
                           what="failed loads")
            assert_alive(app)
            shown = screen_text(app)
            assert "Cannot load applications" in shown and f"cannot connect to http://127.0.0.1:{port}" in shown
            assert_clean(shown)
            sim = await start_in_loop(cluster, port=port, token=TOKEN)
            state = app.browser.state
            await wait_for(pilot, lambda: state.loaded and not state.error, timeout=10, what="first load")
            assert app.browser.table.view_count > 0
            assert "Cannot load" not in screen_text(app)
            assert "chat" in screen_text(app)
    finally:
        if sim is not None:
            await sim.stop()
        await client.aclose()


async def test_server_gone_mid_session_then_back_on_the_same_port(cluster):
    sim = await start_in_loop(cluster, token=TOKEN)
    port = int(sim.url.rsplit(":", 1)[1])
    client = BcsClient(sim.url, cluster.cluster_id, TOKEN, timeout=2.0, get_retries=0)
    app = BcsApp(make_settings(refresh=REFRESH), client=client, now=cluster.clock.now)
    holder = {"sim": sim}

    async def stop() -> None:
        await holder["sim"].stop()

    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            stopping: list[asyncio.Task] = []
            restarting: list[asyncio.Task] = []

            def break_server():
                stopping.append(asyncio.ensure_future(stop()))

            def heal_server():
                async def up():
                    holder["sim"] = await start_in_loop(cluster, port=port, token=TOKEN)
                restarting.append(asyncio.ensure_future(up()))

            await fail_then_recover(pilot, app, break_server, heal_server,
                                    [f"http://127.0.0.1:{port}"], view="app hero-prod", key="hero-prod/chat")
            assert any("cannot connect" in m or "failed" in m for m in flashes(app))
    finally:
        await holder["sim"].stop()
        await client.aclose()


async def test_two_second_latency_keeps_the_console_responsive(cluster):
    """A slow server: keys still work while a load is in flight; a client timeout becomes a stale
    view that says so; quitting does not wait for the slow answer."""
    sim = await start_in_loop(cluster, token=TOKEN)
    client = BcsClient(sim.url, cluster.cluster_id, TOKEN, timeout=0.3, get_retries=0)
    app = BcsApp(make_settings(refresh=REFRESH), client=client, now=cluster.clock.now)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await goto(pilot, app, "app hero-prod", "hero-prod/chat")
            browser = app.browser
            state = browser.state
            cluster.chaos = ChaosSpec.parse("latency=2s")
            await pilot.press("ctrl+r")
            await pilot.pause()
            # The load is in flight; the console still answers keys.
            await pilot.press("down")
            assert browser.table.cursor_key != "hero-prod/chat"
            await pilot.press("up")
            await pilot.press("question_mark")
            await pilot.pause()
            assert app.screen is not browser
            await pilot.press("escape")
            await pilot.pause()
            await wait_for(pilot, lambda: state.failures >= 1, what="the client timeout")
            assert "no answer from" in state.error and "0.3s" in state.error
            assert "stale since" in title_text(app)
            assert browser.table.cursor_key == "hero-prod/chat"
            cluster.chaos = None
            await wait_for(pilot, lambda: not state.error, timeout=10, what="recovery")
            assert browser.table.cursor_key == "hero-prod/chat"
    finally:
        cluster.chaos = None
        await sim.stop()
        await client.aclose()


async def test_quit_while_a_slow_answer_is_in_flight_does_not_wait_for_it(make_app, cluster):
    app = make_app()

    async def session() -> None:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await goto(pilot, app, "app hero-prod", "hero-prod/chat")
            cluster.chaos = ChaosSpec.parse("latency=60s")
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert any(not w.is_finished for w in app.workers)  # the load is waiting
            await pilot.press("q")

    await asyncio.wait_for(session(), timeout=20)  # a hang guard: the answer would take 60 s
    assert app.return_code == 0
