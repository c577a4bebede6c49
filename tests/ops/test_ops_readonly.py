"""Read-only: every write key on every list does nothing, opens no modal, sends nothing; and
the operations refuse even when called directly."""

from __future__ import annotations

from textual.screen import ModalScreen

from bcs_tui.actions import ACTIONS
from bcs_tui.ui.operations import ActionContext

from .conftest import SIZE, command, finish, flashes, goto, settle, writes

VIEWS = ["app hero-prod", "dp hero-test", "tg hero-prod", "agent", "cm hero-prod", "secret hero-prod",
         "svc hero-prod", "crd", "webhook", "cmd", "ver", "offer", "ns"]
WRITE_KEYS = sorted({a.key for a in ACTIONS if a.dangerous})


async def test_every_write_key_on_every_list_sends_nothing(make_app, cluster):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        for view in VIEWS:
            await command(pilot, app, view)
            await pilot.press("space")  # a mark, so bulk paths would apply too
            for key in WRITE_KEYS:
                await pilot.press(key)
                await pilot.pause()
                assert not isinstance(app.screen, ModalScreen), (view, key, app.screen)
            await settle(pilot, app)
        assert writes(cluster) == []


async def test_operations_refuse_when_called_directly(make_app, cluster):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        obj = app.browser.current_object()
        for action in ACTIONS:
            if not action.dangerous:
                continue
            worker = await app.operations.run(action.id, ActionContext("applications", "hero-prod", [obj],
                                                                        app.browser))
            assert worker is None, action.id
            await pilot.pause()
            assert not isinstance(app.screen, ModalScreen), action.id
        await finish(pilot, app)
        assert writes(cluster) == []
        assert sum("read-only" in m for m in flashes(app)) >= 1


async def test_the_rollout_view_hides_pause_resume_cancel_when_read_only(make_app, cluster):
    from bcs_tui.ui.modals.rollout import RolloutScreen

    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "dp hero-prod", "hero-prod/gamesvr")
        await pilot.press("l")
        await settle(pilot, app)
        assert isinstance(app.screen, RolloutScreen)
        for key in ("p", "r", "C"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, RolloutScreen)
        assert writes(cluster) == []
