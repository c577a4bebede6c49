"""The console at the keyboard: open every view, drill down and back, filter, sort, mark, faults
only, live refresh in place, stale data while the server fails, describe, copy, help."""

from __future__ import annotations

import pytest

from bcs_tui.resources import object_name, object_namespace
from bcs_tui.ui.screens.browser import BrowserScreen
from bcs_tui.ui.screens.describe import DescribeScreen
from bcs_tui.ui.modals.help import HelpScreen
from bcs_tui.ui.screens.overview import OverviewScreen
from bcs_tui.ui.widgets.resource_table import ResourceTable
from tests.asgistream import StreamingASGITransport

from .conftest import SIZE, command, settle


def title_text(app) -> str:
    return str(app.browser.query_one("#view-title").render())


def rendered_help(app) -> str:
    from rich.console import Console

    from bcs_tui.ui.modals.help import help_tables

    console = Console(width=120, record=True, file=open("/dev/null", "w"))
    for table in help_tables(app, app.browser.state.kind):
        console.print(table)
    return console.export_text()


def cell(browser: BrowserScreen, row, title: str) -> str:
    keys = [c.key for c in browser.table.columns]
    return row.cells[keys.index(title)]


LIST_VIEWS = {
    "ns": "namespaces", "app": "applications", "proc": "processes", "tg": "taskgroups", "dp": "deployments",
    "offer": "offers", "agent": "agents", "cm": "configmaps", "secret": "secrets", "svc": "services",
    "crd": "crds", "webhook": "webhooks", "cmd": "commands", "ctx": "contexts",
}


async def test_every_view_opens_from_the_prompt(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for alias, kind in LIST_VIEWS.items():
            await command(pilot, app, alias)
            browser = app.browser
            assert app.screen is browser
            state = browser.state
            assert state.kind.name == kind, alias
            assert state.loaded and not state.error, (alias, state.error)
            if kind not in ("commands", "processes"):
                assert state.objects, f"{alias}: the demo cluster has {kind}"
        # Custom resources of the first CRD, by name.
        await command(pilot, app, "crd")
        crd_name = object_name(app.browser.state.objects[0])
        await command(pilot, app, f"cr {crd_name}")
        assert app.browser.state.kind.name == "customresources"
        assert app.browser.state.loaded and not app.browser.state.error
        await command(pilot, app, "cluster")
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.summary is not None and app.screen.summary.applications
        # The breadcrumbs show the way taken.
        assert "crd" in str(app.browser.query_one("#crumbs").render())


async def test_unknown_command_says_what_is_valid(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        before = app.browser.state
        await command(pilot, app, "pods-of-doom")
        assert app.browser.state is before
        messages = [n.message for n in app._notifications]
        assert any("unknown view" in m and "app" in m and "agent" in m for m in messages), messages


async def test_drill_down_and_back_keeps_the_cursor(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "ns")
        browser = app.browser
        await pilot.press("down")
        ns_key = browser.table.cursor_key
        await pilot.press("enter")
        await settle(pilot, app)
        assert browser.state.kind.name == "applications" and browser.state.scope.namespace == ns_key
        assert all(object_namespace(o) == ns_key for o in browser.state.objects)
        await pilot.press("down", "down")
        app_key = browser.table.cursor_key
        await pilot.press("enter")
        await settle(pilot, app)
        assert browser.state.kind.name == "taskgroups"
        app_name = app_key.split("/", 1)[1]
        assert browser.state.objects and all(o.app_id == app_name for o in browser.state.objects)
        await pilot.press("enter")
        await settle(pilot, app)
        assert browser.state.kind.name == "containers" and browser.state.objects
        assert browser.state.objects[0].image
        await pilot.press("escape")
        await settle(pilot, app)
        assert browser.state.kind.name == "taskgroups"
        await pilot.press("escape")
        await settle(pilot, app)
        assert browser.state.kind.name == "applications"
        assert browser.table.cursor_key == app_key
        await pilot.press("escape")
        await settle(pilot, app)
        assert browser.state.kind.name == "namespaces"
        assert browser.table.cursor_key == ns_key


async def test_agent_drills_into_its_taskgroups(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "agent")
        browser = app.browser
        await pilot.press("enter")
        await settle(pilot, app)
        assert browser.state.kind.name == "taskgroups"
        ip = browser.state.scope.parent.ip
        assert all(o.host_ip == ip for o in browser.state.objects)
        # The agent's taskgroups come from the cluster's one taskgroup stream (all of them).
        on_agent = {t.id for t in cluster.taskgroups.values() if t.agent is not None and t.agent.ip == ip}
        assert {o.name for o in browser.state.objects} == on_agent and on_agent


async def test_filter_sort_marks_and_faults(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "app all")
        browser = app.browser
        table = browser.table
        total = table.view_count
        assert total > 3
        # Filter: substring, then inverted.
        name = cell(browser, table.view_rows[1], "NAME")
        await pilot.press("slash")
        await pilot.press(*name)
        await pilot.press("enter")
        assert 1 <= table.view_count < total
        assert all(name in "\t".join(r.cells) for r in table.view_rows)
        assert "filter" in title_text(app)
        await pilot.press("escape")  # clears the filter
        assert table.view_count == total and browser.state.filter == ""
        # Sort by NAME (o steps through the columns), then reverse with O.
        browser.sort_by("NAME")
        names = [cell(browser, r, "NAME") for r in table.view_rows]
        assert names == sorted(names, key=str.lower)
        await pilot.press("O")
        names_rev = [cell(browser, r, "NAME") for r in table.view_rows]
        assert names_rev == sorted(names, key=str.lower, reverse=True)
        await pilot.press("o")
        assert browser.state.sort_column == "STATUS"
        # Marks: two rows, kept across a refresh.
        await pilot.press("home", "space", "down", "space")
        marked = set(table.marked_keys)
        assert len(marked) == 2
        browser.refresh_now()
        await settle(pilot, app)
        assert set(table.marked_keys) == marked
        assert "2 marked" in title_text(app)
        assert len(browser.selected_objects()) == 2
        # Faults only shows the bad rows (the demo has abnormal applications).
        await pilot.press("f")
        assert 0 < table.view_count < total
        assert all(r.bad for r in table.view_rows)
        assert "faults only" in title_text(app)
        await pilot.press("f")
        assert table.view_count == total


async def test_refresh_updates_a_row_in_place(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "tg all")
        browser = app.browser
        table = browser.table
        await pilot.press("down", "down", "down")
        key = table.cursor_key
        index = table.cursor_index
        scroll = table.scroll_offset
        row = table.current_row
        assert cell(browser, row, "STATUS") == "Running"
        # The taskgroup fails on the server; the next poll shows it where it was.
        tg = cluster.find_taskgroup(key)
        cluster.set_tg_status(tg, "Failed", message="container exited 137")
        cluster.advance(1)
        browser.refresh_now()
        await settle(pilot, app)
        assert table.cursor_key == key and table.cursor_index == index
        assert table.scroll_offset == scroll
        row = table.current_row
        assert cell(browser, row, "STATUS") == "Failed"
        assert row.bad
        assert "container exited 137" in cell(browser, row, "MESSAGE")


async def test_stale_marker_while_the_server_fails_then_recovery(make_app, cluster):
    from bcs_tui.sim.chaos import ChaosSpec

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        browser = app.browser
        rows_before = browser.table.row_count
        assert rows_before
        cluster.chaos = ChaosSpec.parse("error=1.0")
        browser.refresh_now()
        await settle(pilot, app)
        assert browser.state.stale_since is not None
        assert "stale since" in title_text(app)
        assert browser.table.row_count == rows_before  # the last good data stays
        cluster.chaos = None
        browser.refresh_now()
        await settle(pilot, app)
        assert browser.state.stale_since is None and not browser.state.error
        assert "stale" not in title_text(app)


async def test_polls_rearm_only_after_the_previous_one(make_app, cluster):
    app = make_app(refresh=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "dp")  # a polled view (the big ones follow the change stream)
        browser = app.browser
        assert browser._poll_timer is not None  # armed after the first load finished
        # While a modal is open, the timer fires but no poll runs.
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        n = len(cluster.requests)
        await pilot.pause(0.3)
        assert len(cluster.requests) == n
        await pilot.press("escape")
        await settle(pilot, app)


async def test_describe_shows_json_search_and_definition(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "app all")
        obj = app.browser.current_object()
        await pilot.press("d")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, DescribeScreen)
        text = screen.query_one("#describe-text").text
        assert f'"name": "{object_name(obj)}"' in text
        await pilot.press("slash")
        await pilot.press(*"status")
        await pilot.press("enter")
        assert screen.matches() >= 1
        sel = screen.query_one("#describe-text").selected_text
        assert sel.lower() == "status"
        await pilot.press("n")
        await pilot.press("tab")  # the definition kept by the server
        await settle(pilot, app)
        assert screen.showing == "definition"
        await pilot.press("escape")
        assert app.screen is app.browser


async def test_secrets_are_masked_until_revealed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "secret all")
        obj = app.browser.current_object()
        secret_values = [item.content for item in obj.datas.values() if item.content]
        assert secret_values
        await pilot.press("d")
        await settle(pilot, app)
        text = app.screen.query_one("#describe-text").text
        assert not any(v in text for v in secret_values)
        await pilot.press("ctrl+v")
        text = app.screen.query_one("#describe-text").text
        assert any(v in text for v in secret_values)


async def test_copy_puts_the_name_on_the_clipboard(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        obj = app.browser.current_object()
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.clipboard == object_name(obj)


async def test_read_only_hides_writes_and_help_follows_the_keymap(make_app):
    app = make_app(read_only=True, keymap={"faults": "F"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        browser = app.browser
        assert browser.check_action("act", ("scale",)) is False
        assert browser.check_action("act", ("describe",)) is True
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is browser  # nothing opened
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = rendered_help(app)
        assert "Scale" not in help_text and "Delete" not in help_text
        assert "Describe" in help_text
        faults_line = next(line for line in help_text.splitlines() if "faults only" in line)
        assert faults_line.split()[0] == "F"
        await pilot.press("escape")
        total = browser.table.view_count
        await pilot.press("F")
        assert browser.state.faults_only and browser.table.view_count < total


async def test_initial_command_and_header(make_app):
    app = make_app(initial_command="dp all", production=True, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.browser.state.kind.name == "deployments"
        header = str(app.browser.query_one("#cluster-header").render())
        assert "PRODUCTION" in header and "READ-ONLY" in header and "BCS-MESOS-10001" in header


async def test_overview_lists_abnormal_applications_and_opens_them(make_app):
    app = make_app(initial_command="cluster")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        table = screen.query_one("#abnormal", ResourceTable)
        assert table.view_count > 0
        assert all(r.bad for r in table.view_rows)
        key = table.cursor_key
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is app.browser
        assert app.browser.state.kind.name == "taskgroups"
        assert app.browser.state.scope.label == key


@pytest.mark.parametrize("evil", ["\x1b]52;c;ZXZpbA==\x07boom", "[bold red]markup[/]"])
async def test_server_text_is_shown_as_text(make_app, cluster, evil):
    ns, name = next(iter(cluster.apps))
    cluster.apps[(ns, name)].message = evil
    app = make_app(initial_command=f"app {ns}")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        row = app.browser.table.get_row(f"{ns}/{name}")
        msg = cell(app.browser, row, "MESSAGE")
        assert "\x1b" not in msg and "\x07" not in msg
        if evil.startswith("["):
            assert msg == evil


async def test_a_late_answer_for_a_view_that_is_gone_is_dropped(make_app, cluster):
    from bcs_tui.sim.chaos import ChaosSpec

    app = make_app(initial_command="app all")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        browser = app.browser
        apps_rows = browser.table.row_count
        cluster.chaos = ChaosSpec.parse("latency=400ms")
        await command_no_wait(pilot, app, "tg all")
        assert browser.state.kind.name == "taskgroups" and not browser.state.loaded
        await pilot.press("escape")  # back before the answer arrives
        cluster.chaos = None
        await settle(pilot, app)
        await pilot.pause(0.6)
        await settle(pilot, app)
        assert browser.state.kind.name == "applications"
        assert len(browser.stack) == 1
        assert browser.table.row_count == apps_rows
        assert all("/" in r.key for r in browser.table.rows)  # application keys, not taskgroup IDs


async def command_no_wait(pilot, app, text: str) -> None:
    await pilot.press("colon")
    await pilot.pause()
    app.screen.query_one("#command-input").value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_palette_offers_views_and_the_actions_of_the_list(make_app):
    app = make_app(initial_command="dp all")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "View: Applications" in titles and "View: Cluster overview" in titles
        assert any(t.startswith("Deployments: Pause") for t in titles)
        assert not any("taints" in t.lower() for t in titles)  # agents only
        run = next(c for c in app.get_system_commands(app.screen) if c.title == "View: Agents")
        run.callback()
        await settle(pilot, app)
        assert app.browser.state.kind.name == "agents"


async def test_context_switch_from_the_ctx_view(make_app, cluster):

    from bcs_tui.api.client import BcsClient
    from bcs_tui.config import Context
    from bcs_tui.sim.server import create_app

    app = make_app()
    other = Context(name="staging", server="http://sim2", cluster_id=cluster.cluster_id, namespace="pay",
                    read_only=True)
    app.settings.contexts["staging"] = other
    built = []

    class Backend:
        """The composition root's part the app uses on :ctx: a client for another context."""

        def client_for(self, ctx):
            built.append(ctx.name)
            return BcsClient("http://sim2", ctx.cluster_id, None, read_only=ctx.read_only,
                             transport=StreamingASGITransport(create_app(cluster)))

        async def aclose(self):
            pass

    app.backend = Backend()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "ctx")
        browser = app.browser
        assert sorted(browser.table.get_row(k).obj.name for k in ("test", "staging")) == ["staging", "test"]
        browser.table.move_cursor_to_key("staging")
        await pilot.press("enter")
        await settle(pilot, app)
        assert built == ["staging"]
        assert app.read_only and app.namespace == "pay"
        assert browser.state.kind.name == "applications" and len(browser.stack) == 1
        assert all(object_namespace(o) == "pay" for o in browser.state.objects)
        assert browser.check_action("act", ("scale",)) is False
        header = str(browser.query_one("#cluster-header").render())
        assert "staging" in header and "READ-ONLY" in header


async def test_prompt_history_and_completion(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "dp all")
        await command(pilot, app, "agent")
        await pilot.press("colon")
        await pilot.pause()
        field = app.screen.query_one("#command-input")
        await pilot.press("up")
        assert field.value == "agent"
        await pilot.press("up")
        assert field.value == "dp all"
        await pilot.press("down", "down")
        assert field.value == ""
        await pilot.press("o", "f")
        await pilot.pause()
        await pilot.press("tab")
        assert field.value == "offer"
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.browser.state.kind.name == "offers"


async def test_describe_rereads_the_object(make_app, cluster):
    ns, name = "pay", "pay-api"
    app = make_app(initial_command=f"app {ns}")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.browser.table.move_cursor_to_key(f"{ns}/{name}")
        await pilot.press("d")
        await settle(pilot, app)
        cluster.apps[(ns, name)].message = "freshly changed on the server"
        cluster.apps[(ns, name)].touch()  # the way the scheduler's own changes reach storage
        cluster.advance(1)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert "freshly changed on the server" in app.screen.query_one("#describe-text").text


async def test_open_view_message_and_ops_entry_point(make_app):
    from bcs_tui.resources import Scope
    from bcs_tui.ui.messages import OpenView

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.post_message(OpenView("cm", Scope(namespace="pay")))
        await settle(pilot, app)
        assert app.browser.state.kind.name == "configmaps" and app.browser.state.scope.namespace == "pay"
        app.open_view("versions", Scope(namespace="pay", parent_kind="applications",
                                        parent={"metadata": {"name": "pay-api", "namespace": "pay"}}))
        await settle(pilot, app)
        state = app.browser.state
        assert state.kind.name == "versions" and state.objects and not state.error
        assert sum(1 for v in state.objects if v.newest) == 1


async def test_polls_back_off_while_failing_and_recover_by_themselves(make_app, cluster):
    """A polled view (agents: scheduler GETs; storage views follow their table's stream)."""
    from bcs_tui.sim.chaos import ChaosSpec

    app = make_app(refresh=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, app, "agent")
        browser = app.browser
        assert browser.state.kind.name == "agents" and browser.table.row_count
        cluster.chaos = ChaosSpec.parse("error=1.0")
        for _ in range(100):
            await pilot.pause(0.05)
            if browser.state.failures >= 2:
                break
        assert browser.state.stale_since is not None and browser.state.failures >= 2
        assert browser.table.row_count  # still the last good rows
        cluster.chaos = None
        for _ in range(100):  # no key pressed: the next (backed-off) poll recovers
            await pilot.pause(0.05)
            if browser.state.stale_since is None:
                break
        assert browser.state.stale_since is None and browser.state.failures == 0


async def test_the_change_streams_end_with_the_app(make_app):
    import asyncio

    from bcs_tui.ui.feeds import feeds_for

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        tasks = [f._task for f in feeds_for(app).feeds.values()]
        assert tasks and all(t is not None and not t.done() for t in tasks)
    await asyncio.sleep(0.05)
    assert all(t.done() for t in tasks)  # no feed outlives the app (and its closed client)


async def test_a_live_view_shows_only_the_changed_records_again(make_app, cluster):
    """A stream change at a live view: only the changed rows are built and drawn again (the
    table's rows for the others are the same objects, set_rows is not called), a new taskgroup
    lands in list order, a gone one leaves, and the cursor stays on its row."""
    from bcs_tui.ui.widgets.resource_table import ResourceTable

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await command(pilot, app, "tg all")
        browser = app.browser
        table = browser.table
        assert browser._feed is not None and browser._feed.mode == "live"
        ns, name = next((a.namespace, a.name) for a in cluster.apps.values()
                        if a.status == "Running" and (a.kind or "application") == "application"
                        and len(a.taskgroups) >= 2)
        before = {row.key: row for row in table.rows}
        table.move_cursor(table.view_count - 1)
        cursor = table.cursor_key
        full: list[int] = []
        original = ResourceTable.set_rows

        def counting(self, rows):
            full.append(1)
            return original(self, rows)

        ResourceTable.set_rows = counting  # type: ignore[method-assign]
        try:
            count = len(cluster.get_app(ns, name).taskgroups)
            cluster.scale_application(ns, name, count + 1)
            for _ in range(40):
                cluster.advance(0.5)
                await pilot.pause(0.05)
                if table.row_count == len(before) + 1:
                    break
            await settle(pilot, app)
            assert table.row_count == len(before) + 1
            new = [row for row in table.rows if row.key not in before]
            assert len(new) == 1 and new[0].obj.rcname == name
            # In list order: right after the application's other taskgroups.
            keys = [row.key for row in table.rows]
            i = keys.index(new[0].key)
            assert table.rows[i - 1].obj.rcname == name and table.rows[i - 1].obj.namespace == ns
            unchanged = [row for row in table.rows if row.key in before and row is before[row.key]]
            assert len(unchanged) >= len(before) - 10  # the others were not built again
            assert table.cursor_key == cursor
            for _ in range(60):
                if cluster.get_app(ns, name).status == "Running":
                    break
                cluster.advance(0.5)
            cluster.scale_application(ns, name, count)
            for _ in range(40):
                cluster.advance(0.5)
                await pilot.pause(0.05)
                if table.row_count == len(before):
                    break
            await settle(pilot, app)
            assert new[0].key not in {row.key for row in table.rows}
            assert table.row_count == len(before)
            assert not full  # every change went the short way
            assert [r.obj for r in table.rows] == browser.state.objects
        finally:
            ResourceTable.set_rows = original  # type: ignore[method-assign]
