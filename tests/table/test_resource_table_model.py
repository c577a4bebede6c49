"""Property tests: the shown rows always equal a plain reference filter + stable sort."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bcs_tui.ui.widgets.resource_table import Column, ResourceTable, Row

COLUMNS = [Column("name", "NAME"), Column("status", "STATUS"), Column("n", "N", align="right")]

words = st.sampled_from(["web", "API", "db", "Running", "Failed", "x1", "a.b", "", "ünï", "[b]"])
row_data = st.lists(
    st.tuples(st.integers(0, 30), words, words, st.integers(-5, 5), st.booleans()),
    max_size=40,
)
filters = st.sampled_from(["", "a", "RUN", "!a", "/^w/", "~b$", "!/fail|db/", "/[/", "1", "!"])


def build(data) -> list[Row]:
    rows = []
    for key, name, status, n, bad in data:
        rows.append(Row(str(key), (name, status, str(n)), (name, status, n), bad=bad))
    return rows


def reference(rows: list[Row], text: str, faults: bool, sort: str | None, reverse: bool) -> list[str]:
    # Duplicate keys: the last row wins, in the position of the first.
    by_key: dict[str, Row] = {}
    for row in rows:
        by_key[row.key] = row
    shown = list(by_key.values())
    if sort is not None:
        index = [c.key for c in COLUMNS].index(sort)
        shown = sorted(shown, key=lambda r: r.sort_values[index], reverse=reverse)
    if faults:
        shown = [r for r in shown if r.bad]
    text = text.strip()
    invert = text.startswith("!")
    body = text[1:] if invert else text
    if body.startswith("/") or body.startswith("~"):
        pattern = body[1:]
        if body.startswith("/") and len(body) > 1 and body.endswith("/"):
            pattern = body[1:-1]
        try:
            regex = re.compile(pattern, re.IGNORECASE) if pattern else None
            match = (lambda s: regex.search(s) is not None) if regex else None
        except re.error:
            match = lambda s: pattern.lower() in s  # noqa: E731
    else:
        match = (lambda s: body.lower() in s) if body else None
    if match is not None:
        shown = [r for r in shown if match("\t".join(r.cells).lower()) != invert]
    return [r.key for r in shown]


@settings(max_examples=150, deadline=None)
@given(
    first=row_data,
    second=row_data,
    text=filters,
    faults=st.booleans(),
    sort=st.sampled_from([None, "name", "status", "n"]),
    reverse=st.booleans(),
    marks=st.lists(st.integers(0, 30).map(str), max_size=5),
)
def test_view_matches_reference_across_refresh(first, second, text, faults, sort, reverse, marks):
    table = ResourceTable(COLUMNS)
    table.set_rows(build(first))
    table.sort_by(sort, reverse)
    table.set_filter(text)
    table.faults_only = faults
    table.mark_keys(marks)
    before = set(table.marked_keys)
    assert before == {m for m in marks if m in {str(k) for k, *_ in first}}
    cursor = table.cursor_key
    second_rows = build(second)
    table.set_rows(second_rows)
    assert [r.key for r in table.view_rows] == reference(second_rows, text, faults, sort, reverse)
    assert table.marked_keys == before & {r.key for r in second_rows}
    shown = [r.key for r in table.view_rows]
    if cursor in shown:
        assert table.cursor_key == cursor
    assert (table.cursor_key is None) == (not shown)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("filter"), st.sampled_from(["", "a", "ap", "api", "w", "we", "web", "!a", "/a/", "1", "x1"])),
        st.tuples(st.just("rows"), row_data),
        st.tuples(st.just("faults"), st.booleans()),
        st.tuples(st.just("sort"), st.sampled_from([None, "name", "n"])),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(first=row_data, ops=operations)
def test_view_matches_reference_after_any_sequence(first, ops):
    """Typing a filter narrows incrementally; any mix of refresh/sort/faults must stay exact."""
    table = ResourceTable(COLUMNS)
    rows = build(first)
    table.set_rows(rows)
    text, faults, sort = "", False, None
    for op, value in ops:
        if op == "filter":
            text = value
            table.set_filter(text)
        elif op == "rows":
            rows = build(value)
            table.set_rows(rows)
        elif op == "faults":
            faults = value
            table.faults_only = faults
        else:
            sort = value
            table.sort_by(sort)
        assert [r.key for r in table.view_rows] == reference(rows, text, faults, sort, False)


def _unique(rows: list[Row]) -> list[Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        seen.setdefault(row.key, row)
    return list(seen.values())


@settings(max_examples=150, deadline=None)
@given(
    first=row_data,
    changes=st.lists(st.tuples(st.integers(0, 30), words, words, st.integers(-5, 5), st.booleans()), max_size=8),
    removed=st.lists(st.integers(0, 30).map(str), max_size=5),
    text=filters,
    faults=st.booleans(),
    sort=st.sampled_from([None, "name", "status", "n"]),
    marks=st.lists(st.integers(0, 30).map(str), max_size=5),
)
def test_patch_rows_shows_what_set_rows_shows(first, changes, removed, text, faults, sort, marks):
    """A live view's few changes (patch_rows) end in the very view, marks and cursor a complete
    set_rows of the same list would give."""
    old = _unique(build(first))
    new_rows = _unique(build(changes))
    changed = {r.key for r in new_rows}
    gone = [k for k in removed if k not in changed]
    rows = [r for r in old if r.key not in changed and r.key not in gone] + new_rows
    fresh = {r.key for r in old}
    added = [r for r in new_rows]
    tables = []
    for patch in (True, False):
        table = ResourceTable(COLUMNS)
        table.set_rows(old)
        table.sort_by(sort)
        table.set_filter(text)
        table.faults_only = faults
        table.mark_keys(marks)
        if table.view_count:
            table.move_cursor(table.view_count // 2, scroll=False)
        if patch:
            table.patch_rows(rows, added, [k for k in gone if k in fresh] + [r.key for r in new_rows if r.key in fresh])
        else:
            table.set_rows(rows)
        tables.append(table)
    a, b = tables
    assert [r.key for r in a.view_rows] == [r.key for r in b.view_rows]
    assert [r.cells for r in a.view_rows] == [r.cells for r in b.view_rows]
    assert a.marked_keys == b.marked_keys
    assert a.cursor_key == b.cursor_key
    assert a._widths == [max(x, y) for x, y in zip(a._widths, b._widths)]  # grown, never short
