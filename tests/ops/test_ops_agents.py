"""Agents: taints (replace, before/after), disable / enable (marks-aware), attributes."""

from __future__ import annotations

from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.form import FormModal

from .conftest import SIZE, finish, goto, settle, writes
from .test_ops_apps import SCHED, screen_text

A, B = "10.12.1.11", "10.12.1.12"


async def test_taint_an_agent_shows_before_and_after(make_app, cluster):
    cluster._setting(A).no_schedule = {"old": "x"}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "agent", A)
        await pilot.press("t")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        area = form.query_one("#field-taints")
        assert area.text == "old=x"
        area.load_text("dedicated=battle\nbad key=1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "line 2" in str(form.query_one("#form-error").render())
        area.load_text("dedicated=battle\nmaintenance=true")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "before: old=x" in text and "after:  dedicated=battle, maintenance=true" in text
        assert f"PUT {SCHED}/agentsettings/taint" in text
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("PUT", f"{SCHED}/agentsettings/taint")
        assert req.json == [{"innerIP": A, "noSchedule": {"dedicated": "battle", "maintenance": "true"}}]
        assert cluster.settings[A].no_schedule == {"dedicated": "battle", "maintenance": "true"}


async def test_clearing_taints_sends_an_empty_map(make_app, cluster):
    cluster._setting(A).no_schedule = {"old": "x"}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "agent", A)
        await pilot.press("t")
        await settle(pilot, app)
        app.screen.query_one("#field-taints").load_text("")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "after:  (none)" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[0].json == [{"innerIP": A, "noSchedule": {}}]


async def test_disable_and_enable_marked_agents(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "agent", A, marks=(A, B))
        await pilot.press("c")
        await settle(pilot, app)
        text = screen_text(app)
        assert f"POST {SCHED}/agentsettings/disable?ips={A}%2C{B}" in text or f"ips={A},{B}" in text
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path, req.query) == ("POST", f"{SCHED}/agentsettings/disable", {"ips": f"{A},{B}"})
        assert cluster.settings[A].disabled and cluster.settings[B].disabled
        await goto(pilot, app, "agent", A, marks=(A,))
        table = app.browser.table
        if B in table.marked_keys:
            table.toggle_mark(B)
        await pilot.press("u")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert writes(cluster)[-1].path == f"{SCHED}/agentsettings/enable"
        assert not cluster.settings[A].disabled


async def test_set_attributes_keeps_the_other_keys(make_app, cluster):
    setting = cluster._setting(A)
    setting.strings = {"City": "shenzhen"}
    setting.scalars = {"ip-resources": 10.0}
    setting.no_schedule = {"keep": "me"}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "agent", A)
        await pilot.press("a")
        await settle(pilot, app)
        area = app.screen.query_one("#field-attributes")
        assert "City=shenzhen" in area.text and "ip-resources=10" in area.text
        area.load_text("[strings]\nCity=shanghai\nrack=r12\n[scalars]\nip-resources=20\n")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "City=shanghai" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("POST", f"{SCHED}/agentsettings")
        (item,) = req.json
        assert item["innerIP"] == A
        assert item["strings"] == {"City": {"value": "shanghai"}, "rack": {"value": "r12"}}
        assert item["scalars"] == {"ip-resources": {"value": 20.0}}
        assert item["noSchedule"] == {"keep": "me"}
        assert cluster.settings[A].no_schedule == {"keep": "me"}
        assert cluster.settings[A].strings == {"City": "shanghai", "rack": "r12"}
