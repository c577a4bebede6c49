"""Operations on applications at the keyboard, against the simulator."""

from __future__ import annotations

from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.form import FormModal
from bcs_tui.ui.modals.results import ResultsModal

from .conftest import SIZE, finish, flashes, goto, settle, type_text, writes

SCHED = "/bcsapi/v4/scheduler/mesos"


def screen_text(app) -> str:
    from textual.widgets import Label, Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static)) + "\n".join(
        str(w.render()) for w in app.screen.query(Label))


async def test_scale_one_application(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        await pilot.press("ctrl+a", "backspace")  # clear the current count
        app.screen.query_one("#field-instances").value = ""
        await type_text(pilot, "5")
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "application hero-prod/chat" in text
        assert f"PUT {SCHED}/namespaces/hero-prod/applications/chat/scale/5" in text
        assert writes(cluster) == []  # nothing before the confirmation
        await pilot.press("y")
        await finish(pilot, app)
        sent = writes(cluster)
        assert [(r.method, r.path) for r in sent] == [("PUT", f"{SCHED}/namespaces/hero-prod/applications/chat/scale/5")]
        assert any("hero-prod/chat" in m and "scaled to 5" in m for m in flashes(app))
        assert cluster.apps[("hero-prod", "chat")].define_instances == 5


async def test_scale_rejects_bad_input_and_sends_nothing(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "0"
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        assert "at least 1" in str(app.screen.query_one("#form-error").render())
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []
        assert any("cancelled, nothing sent" in m for m in flashes(app))


async def test_scale_marked_applications_lists_every_target(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat", marks=("hero-prod/chat", "hero-prod/mail"))
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "3"
        await pilot.press("enter")
        await settle(pilot, app)
        text = screen_text(app)
        assert "applications/chat/scale/3" in text and "applications/mail/scale/3" in text
        await pilot.press("y")
        await finish(pilot, app)
        assert sorted(r.path for r in writes(cluster)) == [
            f"{SCHED}/namespaces/hero-prod/applications/chat/scale/3",
            f"{SCHED}/namespaces/hero-prod/applications/mail/scale/3"]
        assert isinstance(app.screen, ResultsModal)
        assert "2 ok" in str(app.screen.query_one("#results-title").render())
