"""Writes under faults (never retried; a timeout means "outcome unknown" with a re-check) and
read-only mode proven from the keyboard: remapped keys, sub-screens and the command palette."""

from __future__ import annotations

import json

from textual.screen import ModalScreen

from bcs_tui.actions import ACTIONS, ACTIONS_BY_ID
from bcs_tui.api.client import BcsClient
from bcs_tui.sim.chaos import ChaosSpec
from bcs_tui.sim.server import start_in_loop
from bcs_tui.ui.app import BcsApp
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.results import ResultsModal

from .conftest import SCHED, SIZE, TOKEN, finish, flashes, goto, make_settings, screen_text, settle, writes

SCALE = f"{SCHED}/namespaces/hero-prod/applications/chat/scale/6"


async def scale_chat_to_6(pilot, app) -> None:
    await goto(pilot, app, "app hero-prod", "hero-prod/chat")
    await pilot.press("s")
    await settle(pilot, app)
    app.screen.query_one("#field-instances").value = "6"
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, ConfirmModal)
    assert f"PUT {SCALE}" in screen_text(app)  # says exactly what it sends


async def test_a_write_that_times_out_is_sent_once_reported_unknown_and_rechecked(cluster, tmp_path):
    """A real socket and a client timeout of 0.3 s against a 2 s answer: the scale may or may not
    have happened. The console says so, does not retry, and re-checks on request."""
    from bcs_tui.audit import AuditLog

    sim = await start_in_loop(cluster, token=TOKEN)
    audit = AuditLog(tmp_path / "audit.jsonl")
    client = BcsClient(sim.url, cluster.cluster_id, TOKEN, timeout=0.3, get_retries=2, audit=audit)
    app = BcsApp(make_settings(), client=client, now=cluster.clock.now)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await scale_chat_to_6(pilot, app)
            cluster.chaos = ChaosSpec.parse("latency=2s,route=/namespaces/*/applications/*/scale/*")
            await pilot.press("y")
            await finish(pilot, app)
            cluster.chaos = None
            assert [(r.method, r.path) for r in writes(cluster)] == [("PUT", SCALE)]  # never retried
            assert isinstance(app.screen, ResultsModal)
            shown = screen_text(app)
            assert "1 unknown" in shown and "may or may not" in shown
            assert "no answer" in shown or "timed out" in shown
            # The server applies it late (the 2 s answer); the re-check reads the object again.
            await pilot.pause(2.2)
            await pilot.press("r")
            await settle(pilot, app)
            assert "re-checked" in screen_text(app)
            assert len(writes(cluster)) == 1  # the re-check is a read
            entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
            # the intent line went out before the request, the outcome line after it
            assert [e["outcome"] for e in entries] == ["pending", "unknown"]
    finally:
        await sim.stop()
        await client.aclose()


async def test_a_write_answered_with_5xx_is_not_retried(make_app, cluster):
    app = make_app(client_kw={"get_retries": 3})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await scale_chat_to_6(pilot, app)
        cluster.chaos = ChaosSpec.parse("error=1,route=/namespaces/*/applications/*/scale/*")
        await pilot.press("y")
        await finish(pilot, app)
        cluster.chaos = None
        assert len(writes(cluster)) == 1
        assert any("failed" in m and "HTTP 50" in m for m in flashes(app)), flashes(app)


async def test_a_dropped_write_is_unknown_not_failed_and_not_retried(make_app, cluster):
    app = make_app(client_kw={"get_retries": 3})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await scale_chat_to_6(pilot, app)
        cluster.chaos = ChaosSpec.parse("drop=1,route=/namespaces/*/applications/*/scale/*")
        await pilot.press("y")
        await finish(pilot, app)
        cluster.chaos = None
        assert len(writes(cluster)) == 1
        assert isinstance(app.screen, ResultsModal) and "1 unknown" in screen_text(app)


# ------------------------------------------------------------------ read-only from the keyboard

VIEWS = ["app hero-prod", "dp hero-prod", "tg hero-prod", "agent", "cm hero-prod", "secret hero-prod",
         "svc hero-prod", "crd", "webhook", "offer"]


async def test_read_only_with_remapped_keys_sends_nothing(make_app, cluster):
    """The user's keymap moves the write keys; read-only must not depend on the default keys."""
    keymap = {a.id: k for a, k in zip([a for a in ACTIONS if a.dangerous], "ABEFGHIJKLMOPQTUVWXYZ")}
    app = make_app(read_only=True, keymap=keymap)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for view in ("app hero-prod", "dp hero-prod", "tg hero-prod", "agent", "secret hero-prod", "crd"):
            await goto(pilot, app, view)
            await pilot.press("space")
            for key in keymap.values():  # the default keys: tests/ops/test_ops_readonly.py
                await pilot.press(key)
                await pilot.pause()
                assert not isinstance(app.screen, ModalScreen), (view, key, app.screen)
        await settle(pilot, app)
    assert writes(cluster) == []
    assert app.client.read_only


async def test_read_only_versions_picker_cannot_roll_back(make_app, cluster):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("v")
        await settle(pilot, app)
        for key in ("b", "enter", "y"):
            await pilot.press(key)
            await settle(pilot, app)
        for _ in range(3):
            if not isinstance(app.screen, ModalScreen):
                break
            await pilot.press("escape")
            await settle(pilot, app)
        await finish(pilot, app)
        assert not isinstance(app.screen, ModalScreen)
    assert writes(cluster) == []


async def test_read_only_palette_offers_no_write(make_app, cluster):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for view in VIEWS:
            await goto(pilot, app, view)
            titles = [c.title for c in app.get_system_commands(app.browser)]
            for action in ACTIONS:
                if action.dangerous:
                    assert not any(t.endswith(f": {action.description}") for t in titles), (view, action.id)
            assert not any("writes to the cluster" in str(c.help) for c in app.get_system_commands(app.browser))
        # Even if a write were started by id (a stale palette entry), it is refused, nothing sent.
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await app.browser.action_act("scale")
        await finish(pilot, app)
    assert writes(cluster) == []
    assert ACTIONS_BY_ID["scale"].dangerous
