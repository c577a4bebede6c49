"""ResourceTable behaviour, driven through a real (headless) Textual app."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult

from bcs_tui.ui.widgets.resource_table import Column, ResourceTable, Row, parse_filter

COLUMNS = [
    Column("name", "NAME"),
    Column("status", "STATUS"),
    Column("instances", "INST", align="right"),
]


def app_row(i: int, status: str = "Running", instances: int | None = None, name: str | None = None) -> Row:
    name = name or f"app-{i:05d}"
    instances = i if instances is None else instances
    return Row(
        key=f"ns/{name}",
        cells=(name, status, str(instances)),
        sort_values=(name, status, instances),
        styles=(None, "status-running" if status == "Running" else "status-failed", None),
        obj={"name": name},
        bad=status != "Running",
    )


def make_rows(n: int) -> list[Row]:
    return [app_row(i, "Failed" if i % 10 == 3 else "Running") for i in range(n)]


class TableApp(App):
    def __init__(self, rows: list[Row] | None = None, columns=COLUMNS) -> None:
        super().__init__()
        self.initial_rows = rows or []
        self.columns = columns
        self.messages: list = []

    def compose(self) -> ComposeResult:
        yield ResourceTable(self.columns, empty_text="No applications", id="table")

    def on_mount(self) -> None:
        table = self.query_one(ResourceTable)
        table.set_rows(self.initial_rows)
        table.focus()

    def on_resource_table_row_activated(self, message: ResourceTable.RowActivated) -> None:
        self.messages.append(("activated", message.row.key))

    def on_resource_table_cursor_moved(self, message: ResourceTable.CursorMoved) -> None:
        self.messages.append(("moved", message.row.key if message.row else None))


def screen_lines(table: ResourceTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def keys(table: ResourceTable) -> list[str]:
    return [row.key for row in table.view_rows]


# ------------------------------------------------------------------ set_rows


async def test_rows_are_drawn_with_header_and_right_alignment():
    app = TableApp(make_rows(5))
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        lines = screen_lines(table)
        assert lines[0].split() == ["NAME", "STATUS", "INST"]
        assert lines[1].split() == ["app-00000", "Running", "0"]
        assert lines[4].split() == ["app-00003", "Failed", "3"]
        # INST is right aligned: the numbers end in the same column as the title.
        assert lines[0].rstrip().endswith("INST")
        assert len(lines[2].rstrip()) == len(lines[0].rstrip())
        assert table.row_count == 5 and table.view_count == 5


async def test_set_rows_updates_in_place_keeping_cursor_key_and_scroll():
    rows = make_rows(200)
    app = TableApp(rows)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.move_cursor(120)
        await pilot.pause()
        scroll = table.scroll_y
        assert scroll > 0
        assert table.cursor_key == "ns/app-00120"
        # New data: two rows earlier in the list vanish, one row changes status.
        fresh = [app_row(i, "Failed" if i == 120 else "Running") for i in range(200) if i not in (5, 6)]
        table.set_rows(fresh)
        await pilot.pause()
        assert table.cursor_key == "ns/app-00120"
        assert table.current_row.cells[1] == "Failed"
        assert table.cursor_index == 118
        assert table.scroll_y == scroll
        assert table.row_count == 198


async def test_cursor_goes_to_nearest_position_when_its_row_vanishes():
    app = TableApp(make_rows(10))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.move_cursor(4)
        table.set_rows([r for r in make_rows(10) if r.key != "ns/app-00004"])
        await pilot.pause()
        assert table.cursor_index == 4
        assert table.cursor_key == "ns/app-00005"
        table.move_cursor_to_key("ns/app-00009")
        table.set_rows(make_rows(3))
        assert table.cursor_key == "ns/app-00002"
        table.set_rows([])
        assert table.cursor_key is None and table.current_row is None


async def test_duplicate_keys_keep_one_row():
    app = TableApp([app_row(1), app_row(1, "Failed"), app_row(2)])
    async with app.run_test(size=(60, 8)):
        table = app.query_one(ResourceTable)
        assert keys(table) == ["ns/app-00001", "ns/app-00002"]
        assert table.get_row("ns/app-00001").cells[1] == "Failed"


# ------------------------------------------------------------------ filter


async def test_filter_substring_is_case_insensitive_over_all_cells():
    app = TableApp(make_rows(30))
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_filter("FAILED")
        await pilot.pause()
        assert keys(table) == ["ns/app-00003", "ns/app-00013", "ns/app-00023"]
        table.set_filter("app-0001")
        assert table.view_count == 10
        table.set_filter("")
        assert table.view_count == 30


async def test_filter_regex_and_inverted():
    app = TableApp(make_rows(30))
    async with app.run_test(size=(60, 10)):
        table = app.query_one(ResourceTable)
        table.set_filter("/app-0002[0-4]/")
        assert keys(table) == [f"ns/app-0002{i}" for i in range(5)]
        table.set_filter("~^app-0000[12]")
        assert keys(table) == ["ns/app-00001", "ns/app-00002"]
        # A regex spans cells: name then status.
        table.set_filter("/app-0000.*failed/")
        assert keys(table) == ["ns/app-00003"]
        table.set_filter("!running")
        assert keys(table) == ["ns/app-00003", "ns/app-00013", "ns/app-00023"]
        table.set_filter("!/running|app-00013/")
        assert keys(table) == ["ns/app-00003", "ns/app-00023"]
        assert table.filter_error is None


async def test_invalid_regex_falls_back_to_literal_and_reports():
    rows = make_rows(3) + [app_row(99, name="weird[name")]
    app = TableApp(rows)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_filter("/weird[/")
        await pilot.pause()
        assert keys(table) == ["ns/weird[name"]
        assert table.filter_error and "invalid regex" in table.filter_error
        table.set_filter("/(/")
        assert table.view_count == 0
        assert "No rows match filter '/(/'" in screen_lines(table)[1]
        table.set_filter("")
        assert table.filter_error is None and table.view_count == 4


def test_parse_filter_rule():
    assert parse_filter("Abc").needle == "abc" and parse_filter("Abc").regex is None
    assert parse_filter("/a.c/").regex.pattern == "a.c"
    assert parse_filter("/a.c").regex.pattern == "a.c"  # while typing
    assert parse_filter("~a.c").regex.pattern == "a.c"
    assert parse_filter("!x").invert and parse_filter("!x").needle == "x"
    assert not parse_filter("").active and not parse_filter("!").active and not parse_filter("/").active


async def test_filter_and_sort_keep_cursor_on_its_row():
    app = TableApp(make_rows(30))
    async with app.run_test(size=(60, 10)):
        table = app.query_one(ResourceTable)
        table.move_cursor_to_key("ns/app-00013")
        table.set_filter("failed")
        assert table.cursor_key == "ns/app-00013"
        table.sort_by("name", reverse=True)
        assert table.cursor_key == "ns/app-00013"
        table.set_filter("")
        assert table.cursor_key == "ns/app-00013"


async def test_faults_only():
    app = TableApp(make_rows(30))
    async with app.run_test(size=(80, 10)):
        table = app.query_one(ResourceTable)
        assert table.toggle_faults_only() is True
        assert keys(table) == ["ns/app-00003", "ns/app-00013", "ns/app-00023"]
        table.set_filter("app-0001")
        assert keys(table) == ["ns/app-00013"]
        table.set_rows(make_rows(12))
        assert keys(table) == []
        assert "No rows match filter 'app-0001' among rows in a fault status" in screen_lines(table)[1]
        table.set_filter("")
        assert keys(table) == ["ns/app-00003"]
        table.faults_only = False
        assert table.view_count == 12


async def test_empty_state_text():
    app = TableApp([])
    async with app.run_test(size=(60, 6)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        assert screen_lines(table)[1].strip() == "No applications"
        table.set_rows([app_row(1)])
        table.faults_only = True
        assert screen_lines(table)[1].strip() == "No rows in a fault status"


# ------------------------------------------------------------------ sort


async def test_sort_numeric_reverse_and_stable():
    rows = [
        app_row(1, instances=10),
        app_row(2, instances=9),
        app_row(3, instances=100),
        app_row(4, instances=9),
        app_row(5, instances=10),
    ]
    app = TableApp(rows)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.sort_by("instances")
        # Numeric (9 < 10 < 100, not "10" < "100" < "9"); ties keep the given order.
        assert keys(table) == ["ns/app-00002", "ns/app-00004", "ns/app-00001", "ns/app-00005", "ns/app-00003"]
        table.sort_by("instances", reverse=True)
        assert keys(table) == ["ns/app-00003", "ns/app-00001", "ns/app-00005", "ns/app-00002", "ns/app-00004"]
        await pilot.pause()
        assert "INST ▼" in screen_lines(table)[0]
        # New data keeps the sort.
        table.set_rows(rows + [app_row(6, instances=1000)])
        assert keys(table)[0] == "ns/app-00006"
        table.clear_sort()
        assert keys(table) == [f"ns/app-0000{i}" for i in range(1, 7)]
        assert "▼" not in screen_lines(table)[0]


async def test_sort_with_mixed_value_types_does_not_crash():
    rows = [app_row(1, instances=5), app_row(2), app_row(3, instances=1)]
    rows[1].sort_values = ("b", "Running", None)
    rows.append(Row("x", ("x", "?", "n/a"), ("x", "?", "n/a")))
    app = TableApp(rows)
    async with app.run_test(size=(60, 10)):
        table = app.query_one(ResourceTable)
        table.sort_by("instances")
        assert keys(table) == ["ns/app-00003", "ns/app-00001", "x", "ns/app-00002"]


async def test_click_on_header_sorts():
    app = TableApp([app_row(1, instances=3), app_row(2, instances=1)])
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        x = screen_lines(table)[0].index("INST")
        await pilot.click(ResourceTable, offset=(x, 0))
        assert table.sort_column == "instances" and not table.sort_reverse
        assert keys(table) == ["ns/app-00002", "ns/app-00001"]
        await pilot.click(ResourceTable, offset=(x, 0))
        assert table.sort_reverse


# ------------------------------------------------------------------ marks


async def test_marks_survive_refresh_filter_and_sort():
    app = TableApp(make_rows(20))
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.press("down", "space", "down", "down", "space")
        assert table.marked_keys == {"ns/app-00001", "ns/app-00003"}
        await pilot.pause()
        lines = screen_lines(table)
        assert lines[2].startswith("*app-00001") and lines[4].startswith("*app-00003")
        assert lines[3].startswith(" app-00002")
        table.set_filter("failed")
        table.sort_by("name", reverse=True)
        table.set_rows(make_rows(20))
        table.set_filter("")
        assert table.marked_keys == {"ns/app-00001", "ns/app-00003"}
        assert [r.key for r in table.marked_rows] == ["ns/app-00001", "ns/app-00003"]
        # A refresh without one of the rows drops its mark.
        table.set_rows([r for r in make_rows(20) if r.key != "ns/app-00003"])
        assert table.marked_keys == {"ns/app-00001"}
        table.move_cursor_to_key("ns/app-00001")
        await pilot.press("space")
        assert table.marked_keys == frozenset()
        table.mark_keys(["ns/app-00005", "nope"])
        assert table.marked_keys == {"ns/app-00005"}
        table.clear_marks()
        assert not table.marked_keys


# ------------------------------------------------------------------ cursor


async def test_cursor_keys_and_messages():
    app = TableApp(make_rows(100))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        assert table.cursor_index == 0
        await pilot.press("down", "down")
        assert table.cursor_key == "ns/app-00002"
        await pilot.press("up")
        assert table.cursor_index == 1
        await pilot.press("pagedown")
        page = table.scrollable_content_region.height - 1
        assert table.cursor_index == 1 + page
        await pilot.press("end")
        assert table.cursor_index == 99
        await pilot.pause()
        assert table.scroll_y == table.max_scroll_y
        assert screen_lines(table)[-1].split()[0] == "app-00099"
        await pilot.press("g")
        assert table.cursor_index == 0 and table.scroll_y == 0
        await pilot.press("G", "pageup")
        assert table.cursor_index == 99 - page
        await pilot.press("home", "up")
        assert table.cursor_index == 0
        await pilot.press("enter")
        await pilot.pause()
        assert ("activated", "ns/app-00000") in app.messages
        assert ("moved", "ns/app-00002") in app.messages


async def test_move_cursor_to_key_scrolls_into_view():
    app = TableApp(make_rows(1000))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        assert table.move_cursor_to_key("ns/app-00500")
        await pilot.pause()
        assert table.current_row.key == "ns/app-00500"
        assert any(line.startswith(" app-00500") for line in screen_lines(table))
        assert not table.move_cursor_to_key("missing")
        assert table.cursor_key == "ns/app-00500"


async def test_mouse_click_selects_and_double_click_activates():
    app = TableApp(make_rows(10))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.click(ResourceTable, offset=(3, 4))
        assert table.cursor_key == "ns/app-00003"
        await pilot.click(ResourceTable, offset=(3, 2), times=2)
        await pilot.pause()
        assert table.cursor_key == "ns/app-00001"
        assert ("activated", "ns/app-00001") in app.messages


# ------------------------------------------------------------------ scale and hostile text


async def test_fifty_thousand_rows_render_only_the_visible_window():
    app = TableApp(make_rows(50_000))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        assert table.row_count == 50_000
        assert table.virtual_size.height == 50_001
        lines = screen_lines(table)
        assert lines[1].split()[0] == "app-00000"
        assert lines[-1].split()[0] == f"app-{len(lines) - 2:05d}"
        # Only the visible rows were drawn (and cached).
        assert len(table._line_cache) <= table.size.height
        await pilot.press("end")
        await pilot.pause()
        assert screen_lines(table)[-1].split()[0] == "app-49999"
        table.set_filter("app-4999")
        assert table.view_count == 10


async def test_hostile_cell_text_is_shown_literally_and_escapes_are_stripped():
    hostile = [
        Row("a", ("[bold]x[/]", "[@click=app.quit]go", "1")),
        Row("b", ("\x1b[31mred\x1b[0m", "\x1b]0;title\x07ok\x07", "2")),
        Row("c", ("tab\there", "bell\x07\x9bX", "3")),
    ]
    app = TableApp(hostile, columns=[Column("a", "A"), Column("b", "B"), Column("c", "C")])
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        lines = screen_lines(table)
        assert "[bold]x[/]" in lines[1]
        assert "[@click=app.quit]go" in lines[1]
        assert lines[2].split() == ["red", "ok", "2"]
        assert lines[3].split() == ["tab", "here", "bell", "3"]
        for line in lines:
            assert "\x1b" not in line and "\x07" not in line
        # Clicking the text that looks like a click action does not quit.
        await pilot.click(ResourceTable, offset=(15, 1))
        assert app.is_running
        assert table.get_row("b").cells[0] == "red"


async def test_long_and_wide_cells_are_truncated_to_the_column():
    rows = [Row("a", ("x" * 100, "中文名字", "1")), Row("b", ("short", "ok", "2"))]
    columns = [Column("a", "A", max_width=10), Column("b", "B"), Column("c", "C", width=3)]
    app = TableApp(rows, columns=columns)
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        lines = screen_lines(table)
        assert lines[1].startswith(" " + "x" * 9 + "…")
        assert "中文名字" in lines[1]
        # Wide characters count double: the next column starts at the same place in both rows.
        assert cell_len(lines[1][: lines[1].index("1")]) == cell_len(lines[2][: lines[2].index("2")])


async def test_rows_set_before_mount_show_the_cursor_row():
    class EarlyApp(App):
        def compose(self) -> ComposeResult:
            table = ResourceTable(COLUMNS)
            table.set_rows(make_rows(300))
            table.move_cursor(250)
            yield table

    app = EarlyApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(ResourceTable)
        assert table.cursor_key == "ns/app-00250"
        assert any(line.startswith(" app-00250") for line in screen_lines(table))


async def test_unknown_style_names_are_ignored_and_prefixed_names_work():
    rows = [
        Row("cursor", ("c", "c", "0")),  # the cursor row takes the cursor colours
        Row("a", ("x", "y", "1"), styles=("no-such-style", "resource-table--status-failed", "muted")),
    ]
    app = TableApp(rows)
    async with app.run_test(size=(60, 6)) as pilot:
        await pilot.pause()
        table = app.query_one(ResourceTable)
        segments = list(table.render_line(2))
        failed = table.get_component_rich_style("resource-table--status-failed")
        y_segment = next(s for s in segments if "y" in s.text)
        assert y_segment.style.color == failed.color
        x_segment = next(s for s in segments if "x" in s.text)
        assert x_segment.style.color == table.rich_style.color


async def test_non_string_cells_become_text():
    rows = [Row("a", (None, 42, 1.5)), Row("b", ("x", True, "\x1b[1m"))]
    app = TableApp(rows)
    async with app.run_test(size=(60, 6)) as pilot:
        await pilot.pause()
        table = app.query_one(ResourceTable)
        assert table.get_row("a").cells == ("", "42", "1.5")
        assert table.get_row("b").cells == ("x", "True", "")
        assert screen_lines(table)[1].split() == ["42", "1.5"]


async def test_cells_become_one_line_as_textsafe_makes_them():
    from bcs_tui.ui.textsafe import one_line

    raw = ("two  spaces", "line\nbreak\r\n", "\x1b]8;;http://x\x07link\x1b]8;;\x07  end")
    app = TableApp([Row("a", raw), Row("b", ("ok", "ok", "ok"))])
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        table = app.query_one(ResourceTable)
        assert table.get_row("a").cells == tuple(one_line(c) for c in raw) == ("two spaces", "line break", "link end")
        assert table.get_row("b").cells == ("ok", "ok", "ok")


async def test_column_sort_key_is_used_and_a_failing_one_falls_back():
    def by_length(row: Row) -> int:
        return len(row.cells[0])

    def broken(row: Row) -> int:
        raise ValueError("bad")

    rows = [Row("a", ("ccc", "x", "1"), ("ccc", "x", 1)), Row("b", ("a", "x", "2"), ("a", "x", 2)),
            Row("c", ("bb", "x", "3"), ("bb", "x", 3))]
    columns = [Column("name", "NAME", sort_key=by_length), Column("s", "S", sort_key=broken), Column("n", "N")]
    app = TableApp(rows, columns=columns)
    async with app.run_test(size=(60, 8)):
        table = app.query_one(ResourceTable)
        table.sort_by("name")
        assert keys(table) == ["b", "c", "a"]
        table.sort_by("s", reverse=True)  # falls back to the sort values: all equal, order kept
        assert keys(table) == ["a", "b", "c"]


async def test_filter_updates_scrollbar_and_clamps_scroll():
    app = TableApp(make_rows(200))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.press("end")
        await pilot.pause()
        assert table.show_vertical_scrollbar and table.scroll_y == table.max_scroll_y > 100
        table.set_filter("app-000")  # 100 rows: more than fit, fewer than before
        await pilot.pause()
        assert table.scroll_y == table.max_scroll_y == 101 - table.scrollable_content_region.height
        assert table.show_vertical_scrollbar
        assert screen_lines(table)[-1].split()[0] == "app-00099"
        table.set_filter("app-00010")  # one row: no scrollbar
        await pilot.pause()
        assert not table.show_vertical_scrollbar and table.scroll_y == 0
        assert screen_lines(table)[1].split()[0] == "app-00010"
        table.set_filter("")
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert table.virtual_size.height == 201
        await pilot.press("end")
        await pilot.pause()
        assert screen_lines(table)[-1].split()[0] == "app-00199"
