"""ResourceTable: a line-virtualised table for big resource lists.

Textual's `DataTable` measures every cell with Rich on its first render (seconds at 10,000 rows).
`ResourceTable` is a `ScrollView` on the Line API: `render_line` draws only the rows on screen,
rows are plain tuples of strings, and column widths come from string lengths, so 20,000-50,000
rows paint at once and a refresh can replace the data every poll without losing the user's place.

Data model
----------
- `Column(key, title, width=None, min_width=1, max_width=48, align="left", sort_key=None)`:
  `width` pins the width; otherwise it is the longest cell (or the title plus room for the sort
  arrow) clamped to `min_width..max_width`; longer cells end in "…". `align` is "left", "right"
  or "center". `sort_key(row) -> value` overrides the row's sort value for this column.
- `Row(key, cells, sort_values=(), styles=(), obj=None, bad=False)`: `cells` are plain strings,
  one per column (never parsed as markup; `set_rows` makes each one line with
  `bcs_tui.ui.textsafe.one_line`: escape sequences and control characters removed, whitespace
  runs squeezed, so callers hand in raw text); `sort_values` a typed value per column (numbers sort numerically; a missing value
  falls back to the cell text); `styles` a style name per cell or None; `obj` the source object;
  `bad` marks a row in a fault status for `faults_only`.

API
---
- `set_columns(columns)`, `set_rows(rows)`: `set_rows` replaces the data *by key*. The cursor stays
  on the same row key (or the nearest position if that row vanished), the scroll offset stays,
  marks are kept for keys that still exist. Rows are shown in the given order unless sorted.
- `set_filter(text)`; `filter`, `filter_error`. The rule:
    * plain text: case-insensitive substring over all cells;
    * `/re/` (or `/re` while typing) or `~re`: case-insensitive regular expression searched in
      the row as shown: cells joined by a tab, so `nginx.*failed` spans cells and `^` anchors at
      the first cell;
    * a leading `!` inverts the match (`!running`, `!/^ok$/`);
    * an invalid regex never raises: the text is matched literally instead and `filter_error`
      holds the reason (also carried by `FilterChanged`).
- `faults_only` (property, `toggle_faults_only()`): show only rows with `bad=True`.
- `sort_by(column_key, reverse=False)` (stable; mixed types fall back to a typed order),
  `sort_column`, `sort_reverse`, `clear_sort()`. A click on a header sorts by that column.
- Marks: `toggle_mark()` (Space) on the cursor row, `mark_keys(keys)`, `clear_marks()`,
  `marked_keys` (a frozenset), `marked_rows`.
- Cursor: up/down/pageup/pagedown/home/end (`g`/`G` too), `cursor_key`, `cursor_index`,
  `current_row`, `move_cursor_to_key(key)`, `move_cursor(index)`. A mouse click selects a row,
  a double click activates it.
- Data access: `rows` (all rows, given order), `view_rows` (filtered and sorted, as shown),
  `row_count`, `view_count`, `get_row(key)`.
- `empty_text` ("No rows" by default; e.g. "No applications"); with a filter the empty view says
  "No rows match filter 'x'".

Messages (all have `.table` / `.control`, so `@on(ResourceTable.RowActivated, "#apps")` works):
`CursorMoved(row)` when the cursor lands on another row key, `RowActivated(row)` on Enter or a
double click, `SortChanged(column_key, reverse)`,
`FilterChanged(text, error, shown, total)`, `MarksChanged(count)`.

Styles: component classes, never hex codes. `resource-table--header`, `--cursor` (focused),
`--cursor-blurred`, `--marked`, `--empty`, and one per cell style name:

    Row.styles name      component class                     default colour
    status-running       resource-table--status-running      $success
    status-failed        resource-table--status-failed       $error
    status-warning       resource-table--status-warning      $warning
    status-pending       resource-table--status-pending      $accent
    status-unknown       resource-table--status-unknown      $text-muted
    status-disabled      resource-table--status-disabled     $text-disabled
    muted                resource-table--muted               $text-muted (secondary text, e.g. ages)

The defaults use Textual's standard theme variables so the widget works in any app; the app's
stylesheet overrides them with the theme's `$status-*` variables. A style name may be given with
or without the `resource-table--` prefix; unknown names are drawn unstyled.
"""

from __future__ import annotations

import re
from itertools import chain, zip_longest
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Literal, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bcs_tui.resources.base import STATUS_CLASSES
from bcs_tui.ui.textsafe import one_line
from bcs_tui.ui.textual_compat import scrollbars_exist, update_scrollbars

__all__ = ["Column", "Row", "ResourceTable", "parse_filter"]

Align = Literal["left", "right", "center"]

_PREFIX = "resource-table--"
# A style name per status class of the registry (its one list), and "muted" for secondary text.
STATUS_STYLES = (*(f"status-{cls}" for cls in STATUS_CLASSES), "muted")

_MARK_GLYPH = "*"
_ELLIPSIS = "…"


@dataclass(slots=True)
class Column:
    """A table column. `width` pins it; otherwise it fits the data within min/max."""

    key: str
    title: str
    width: int | None = None
    min_width: int = 1
    max_width: int = 48
    align: Align = "left"
    sort_key: Callable[["Row"], Any] | None = None


@dataclass(slots=True, eq=False)
class Row:
    """One table row: plain cell strings plus typed sort values and per-cell style names.

    Rows compare by identity (a table looks rows up by key; `list.index` stays C-speed).
    """

    key: str
    cells: tuple[str, ...]
    sort_values: tuple[Any, ...] = ()
    styles: tuple[str | None, ...] = ()
    obj: Any = None
    bad: bool = False
    # Lower-cased cells joined by tabs, computed on first filter and carried across refreshes.
    _search: str | None = field(default=None, init=False, repr=False, compare=False)


def _search_text(row: Row) -> str:
    text = row._search
    if text is None:
        text = row._search = "\t".join(row.cells).lower()
    return text


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """A parsed filter: `needle` (lower-case substring) or `regex`; `invert`; `error`."""

    text: str
    needle: str = ""
    regex: re.Pattern[str] | None = None
    invert: bool = False
    error: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.needle) or self.regex is not None

    def matches(self, search_text: str) -> bool:
        if self.regex is not None:
            hit = self.regex.search(search_text) is not None
        else:
            hit = self.needle in search_text
        return hit != self.invert


def parse_filter(text: str) -> FilterSpec:
    """Parse filter text by the rule in the module docstring; never raises."""
    raw = text
    text = text.strip()
    invert = text.startswith("!")
    if invert:
        text = text[1:].lstrip()
    pattern: str | None = None
    if text.startswith("/"):
        pattern = text[1:-1] if len(text) > 1 and text.endswith("/") else text[1:]
    elif text.startswith("~"):
        pattern = text[1:]
    if pattern is None:
        return FilterSpec(raw, needle=text.lower(), invert=invert)
    if not pattern:
        return FilterSpec(raw, invert=invert)
    try:
        regex = re.compile(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError) as error:
        return FilterSpec(
            raw, needle=pattern.lower(), invert=invert, error=f"invalid regex: {error}"
        )
    return FilterSpec(raw, regex=regex, invert=invert)


class _TypedKey:
    """Sort key for columns whose values mix types: numbers < text < other < None."""

    __slots__ = ("rank", "value")

    def __init__(self, value: Any) -> None:
        if value is None:
            self.rank, self.value = 3, 0
        elif isinstance(value, (int, float)):
            self.rank, self.value = 0, value if value == value else float("inf")  # NaN last
        elif isinstance(value, str):
            self.rank, self.value = 1, value
        else:
            self.rank, self.value = 2, str(value)

    def __lt__(self, other: "_TypedKey") -> bool:
        if self.rank != other.rank:
            return self.rank < other.rank
        return self.value < other.value


def _fit(text: str, width: int, align: str) -> str:
    """Pad or truncate `text` to exactly `width` cells."""
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        if width <= 1:
            return set_cell_size(text, width)
        return set_cell_size(text, width - 1) + _ELLIPSIS
    pad = width - length
    if not pad:
        return text
    if align == "right":
        return " " * pad + text
    if align == "center":
        left = pad // 2
        return " " * left + text + " " * (pad - left)
    return text + " " * pad


def _column_width(values: Sequence[str]) -> int:
    """Widest cell in cells; C-speed for ASCII columns, cell_len only for the others."""
    if not values:
        return 0
    widest = len(max(values, key=len))
    if "".join(values).isascii():
        return widest
    return max(len(v) if v.isascii() else cell_len(v) for v in values)


class ResourceTable(ScrollView, can_focus=True):
    """A keyed, filterable, sortable, markable table that renders only visible rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="resource_table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="resource_table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="resource_table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="resource_table.page_down"),
        Binding("home,g", "cursor_home", "First row", show=False, id="resource_table.home"),
        Binding("end,G", "cursor_end", "Last row", show=False, id="resource_table.end"),
        Binding("enter", "activate", "Open", show=False, id="resource_table.activate"),
        Binding("space", "toggle_mark", "Mark", show=False, id="resource_table.mark"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--cursor-blurred",
        "resource-table--marked",
        "resource-table--empty",
        *(_PREFIX + name for name in STATUS_STYLES),
    }

    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .resource-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .resource-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .resource-table--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .resource-table--marked {
            background: $accent 35%;
            text-style: bold;
        }
        & > .resource-table--empty {
            color: $text-muted;
            text-style: italic;
        }
        & > .resource-table--status-running { color: $success; }
        & > .resource-table--status-failed { color: $error; }
        & > .resource-table--status-warning { color: $warning; }
        & > .resource-table--status-pending { color: $accent; }
        & > .resource-table--status-unknown { color: $text-muted; }
        & > .resource-table--status-disabled { color: $text-disabled; }
        & > .resource-table--muted { color: $text-muted; }
    }
    """

    class _TableMessage(Message):
        def __init__(self, table: "ResourceTable") -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> "ResourceTable":
            return self.table

    class CursorMoved(_TableMessage):
        """The cursor is on another row (`row` is None when the view is empty)."""

        def __init__(self, table: "ResourceTable", row: Row | None) -> None:
            super().__init__(table)
            self.row = row

    class RowActivated(_TableMessage):
        """Enter (or a double click) on a row."""

        def __init__(self, table: "ResourceTable", row: Row) -> None:
            super().__init__(table)
            self.row = row

    class SortChanged(_TableMessage):
        """The sort column or direction changed (`column_key` None: unsorted)."""

        def __init__(self, table: "ResourceTable", column_key: str | None, reverse: bool) -> None:
            super().__init__(table)
            self.column_key = column_key
            self.reverse = reverse

    class FilterChanged(_TableMessage):
        """The filter was set; `error` explains an invalid regex (then matched literally)."""

        def __init__(
            self, table: "ResourceTable", text: str, error: str | None, shown: int, total: int
        ) -> None:
            super().__init__(table)
            self.text = text
            self.error = error
            self.shown = shown
            self.total = total

    class MarksChanged(_TableMessage):
        """The set of marked rows changed."""

        def __init__(self, table: "ResourceTable", count: int) -> None:
            super().__init__(table)
            self.count = count

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        empty_text: str = "No rows",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.empty_text = empty_text
        self._columns: list[Column] = list(columns)
        self._rows: list[Row] = []
        self._by_key: dict[str, Row] = {}
        self._sorted: list[Row] = []
        self._view: list[Row] = []
        self._view_index: dict[str, int] | None = None
        self._filter = parse_filter("")
        # (generation of the sorted rows, faults_only, needle) of the last substring filter.
        self._narrow: tuple[int, bool, str] | None = None
        self._generation = 0  # bumped whenever `_sorted` is rebuilt
        self._faults_only = False
        self._sort_column: str | None = None
        self._sort_reverse = False
        self._marks: set[str] = set()
        self._cursor = -1
        self._cursor_key: str | None = None
        self._widths: list[int] = []
        self._offsets: list[int] = []  # x where each column starts (after its left pad)
        self._total_width = 0
        self._style_cache: dict[str, Style] | None = None
        self._line_cache: LRUCache[tuple[str, bool, bool], Strip] = LRUCache(512)
        self._header_cache: Strip | None = None
        self._measure()

    # ---------------------------------------------------------------- properties

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    @property
    def rows(self) -> list[Row]:
        """All rows in the order given to `set_rows`."""
        return list(self._rows)

    @property
    def view_rows(self) -> list[Row]:
        """The rows shown: faults-only and filter applied, sorted."""
        return list(self._view)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def view_count(self) -> int:
        return len(self._view)

    @property
    def filter(self) -> str:
        return self._filter.text

    @property
    def filter_error(self) -> str | None:
        return self._filter.error

    @property
    def faults_only(self) -> bool:
        return self._faults_only

    @faults_only.setter
    def faults_only(self, value: bool) -> None:
        if bool(value) != self._faults_only:
            self._faults_only = bool(value)
            self._rebuild_view(sort=False)

    @property
    def sort_column(self) -> str | None:
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._sort_reverse

    @property
    def marked_keys(self) -> frozenset[str]:
        return frozenset(self._marks)

    @property
    def marked_rows(self) -> list[Row]:
        """Marked rows in the given order (including rows hidden by the filter)."""
        return [row for row in self._rows if row.key in self._marks]

    @property
    def cursor_index(self) -> int:
        """Position of the cursor in `view_rows` (-1 when the view is empty)."""
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._cursor_key

    @property
    def current_row(self) -> Row | None:
        if 0 <= self._cursor < len(self._view):
            return self._view[self._cursor]
        return None

    def get_row(self, key: str) -> Row | None:
        return self._by_key.get(key)

    # ---------------------------------------------------------------- data

    def set_columns(self, columns: Iterable[Column]) -> None:
        """Replace the columns (keeps rows; an unknown sort column is dropped)."""
        self._columns = list(columns)
        if self._sort_column is not None and self._sort_column not in {
            c.key for c in self._columns
        }:
            self._sort_column = None
        self._measure()
        self._rebuild_view(sort=True)

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Replace the data by key, keeping cursor key, scroll offset and marks."""
        rows = list(rows)
        old = self._by_key
        # A row object the table already holds was sanitised when it came in (a refresh that
        # reuses unchanged rows only pays for the new ones).
        _sanitize([row for row in rows if old.get(row.key) is not row] if old else rows)
        if old:
            # Carry the filter text across refreshes when the cells did not change.
            for row in rows:
                if row._search is None:
                    previous = old.get(row.key)
                    if previous is not None and previous._search is not None:
                        if previous.cells == row.cells:
                            row._search = previous._search
        by_key = {row.key: row for row in rows}
        if len(by_key) != len(rows):
            # Duplicate keys: keep the last one of each, in first-seen position.
            rows = list(by_key.values())
        self._rows = rows
        self._by_key = by_key
        if self._marks:
            before = len(self._marks)
            self._marks.intersection_update(by_key)
            if len(self._marks) != before:
                self.post_message(self.MarksChanged(self, len(self._marks)))
        self._measure()
        self._rebuild_view(sort=True)

    def patch_rows(self, rows: Iterable[Row], new: Sequence[Row], removed: Iterable[str]) -> None:
        """`set_rows(rows)` for a few changes: `rows` is the whole new list, `new` the row
        objects in it that the table does not hold yet, `removed` the keys that left. Only the new
        rows are sanitised and measured (columns grow to fit them; they do not shrink until the
        next `set_rows`), and only their lines are drawn again: a change stream at 20,000 rows
        costs the changed rows, not the list."""
        rows = list(rows)
        by_key = self._by_key
        removed = list(dict.fromkeys(k for k in removed if k in by_key))
        _sanitize(list(new))
        for key in removed:
            del by_key[key]
        for row in new:
            by_key[row.key] = row
        if len(by_key) != len(rows) or any(by_key.get(row.key) is not row for row in new):
            self.set_rows(rows)  # the pieces do not add up (a duplicate key): the whole way
            return
        self._rows = rows
        if self._marks and removed:
            before = len(self._marks)
            self._marks.intersection_update(by_key)
            if len(self._marks) != before:
                self.post_message(self.MarksChanged(self, len(self._marks)))
        for key in chain(removed, (row.key for row in new)):
            self._forget_lines(key)
        if self._grows(new):
            self._measure()
        self._rebuild_view(sort=True)

    def _grows(self, rows: Sequence[Row]) -> bool:
        """Would a column fitted to the data be wider with these rows?"""
        if not rows:
            return False
        for i, (column, width) in enumerate(zip(self._columns, self._widths)):
            if column.width is not None or width >= max(column.max_width, 1):
                continue
            if _column_width([row.cells[i] for row in rows if i < len(row.cells)]) > width:
                return True
        return False

    def clear(self) -> None:
        """Remove all rows (marks too)."""
        self._marks.clear()
        self.set_rows([])

    # ---------------------------------------------------------------- filter / sort

    def set_filter(self, text: str) -> None:
        """Filter rows (see the module docstring for the rule); "" clears."""
        self._filter = parse_filter(text or "")
        self._rebuild_view(sort=False)
        self.post_message(
            self.FilterChanged(self, self._filter.text, self._filter.error, len(self._view), len(self._rows))
        )

    def toggle_faults_only(self) -> bool:
        self.faults_only = not self._faults_only
        return self._faults_only

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Sort by a column (stable); None restores the given order."""
        if column_key is not None and column_key not in {c.key for c in self._columns}:
            raise KeyError(f"no column {column_key!r}")
        changed = (column_key, reverse) != (self._sort_column, self._sort_reverse)
        self._sort_column = column_key
        self._sort_reverse = bool(reverse) if column_key is not None else False
        self._header_cache = None
        self._rebuild_view(sort=True)
        if changed:
            self.post_message(self.SortChanged(self, self._sort_column, self._sort_reverse))

    def clear_sort(self) -> None:
        self.sort_by(None)

    # ---------------------------------------------------------------- marks

    def toggle_mark(self, key: str | None = None) -> bool:
        """Mark or unmark a row (the cursor row by default); returns the new state."""
        key = self._cursor_key if key is None else key
        if key is None or key not in self._by_key:
            return False
        if key in self._marks:
            self._marks.discard(key)
            marked = False
        else:
            self._marks.add(key)
            marked = True
        self._refresh_key(key)
        self.post_message(self.MarksChanged(self, len(self._marks)))
        return marked

    def mark_keys(self, keys: Iterable[str]) -> None:
        """Mark these rows (unknown keys are ignored)."""
        self._marks.update(k for k in keys if k in self._by_key)
        self._line_cache.clear()
        self.refresh()
        self.post_message(self.MarksChanged(self, len(self._marks)))

    def clear_marks(self) -> None:
        if self._marks:
            self._marks.clear()
            self._line_cache.clear()
            self.refresh()
            self.post_message(self.MarksChanged(self, 0))

    # ---------------------------------------------------------------- cursor

    def move_cursor(self, index: int, *, scroll: bool = True) -> None:
        """Put the cursor on view position `index` (clamped)."""
        if not self._view:
            self._set_cursor(-1)
            return
        self._set_cursor(max(0, min(index, len(self._view) - 1)))
        if scroll:
            self._scroll_to_cursor()

    def move_cursor_to_key(self, key: str) -> bool:
        """Put the cursor on the row with this key; False if it is not shown."""
        index = self._index_of(key)
        if index is None:
            return False
        self.move_cursor(index)
        return True

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page_rows())

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page_rows())

    def action_cursor_home(self) -> None:
        self.move_cursor(0)

    def action_cursor_end(self) -> None:
        self.move_cursor(len(self._view) - 1)

    def action_activate(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.RowActivated(self, row))

    def action_toggle_mark(self) -> None:
        self.toggle_mark()

    # ---------------------------------------------------------------- internals

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _index_of(self, key: str) -> int | None:
        if self._view_index is None:
            self._view_index = {row.key: i for i, row in enumerate(self._view)}
        return self._view_index.get(key)

    def _set_cursor(self, index: int) -> None:
        old_index, old_key = self._cursor, self._cursor_key
        self._cursor = index
        self._cursor_key = self._view[index].key if index >= 0 else None
        if old_index != index:
            if 0 <= old_index < len(self._view):
                self.refresh_line(old_index + 1)
            if index >= 0:
                self.refresh_line(index + 1)
        if old_key != self._cursor_key:
            self.post_message(self.CursorMoved(self, self.current_row))

    def _scroll_to_cursor(self) -> None:
        if self._cursor < 0:
            return
        top = round(self.scroll_y)
        page = self._page_rows()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True)

    def _cursor_visible(self) -> bool:
        top = round(self.scroll_y)
        return top <= self._cursor < top + self._page_rows()

    def _sort_rows(self) -> None:
        self._generation += 1
        rows = self._rows
        key_name = self._sort_column
        if key_name is None:
            self._sorted = rows
            return
        index = next(i for i, c in enumerate(self._columns) if c.key == key_name)
        column = self._columns[index]
        values: list[Any] | None = None
        if column.sort_key is not None:
            try:
                values = [column.sort_key(row) for row in rows]
            except Exception:  # a bad sort key must not take the table down: sort by the text
                values = None
        if values is None:
            values = [
                row.sort_values[index]
                if index < len(row.sort_values)
                else (row.cells[index] if index < len(row.cells) else "")
                for row in rows
            ]
        order = range(len(rows))
        try:
            ranked = sorted(order, key=values.__getitem__, reverse=self._sort_reverse)
        except TypeError:
            keys = [_TypedKey(v) for v in values]
            ranked = sorted(order, key=keys.__getitem__, reverse=self._sort_reverse)
        self._sorted = [rows[i] for i in ranked]

    def _rebuild_view(self, *, sort: bool) -> None:
        """Recompute the shown rows, then restore cursor key and keep the scroll offset."""
        was_visible = self._cursor_visible() if self.is_mounted else True
        old_key, old_index = self._cursor_key, self._cursor
        if sort:
            self._sort_rows()
        spec = self._filter
        narrow = self._narrow
        base = (self._generation, self._faults_only)
        if (
            narrow is not None
            and narrow[:2] == base
            and spec.regex is None
            and not spec.invert
            and narrow[2] in spec.needle
        ):
            # Typing on: the new text contains the old, so only the rows shown can still match.
            rows = self._view
        else:
            rows = self._sorted
            if self._faults_only:
                rows = [row for row in rows if row.bad]
        if spec.active:
            invert = spec.invert
            if spec.regex is not None:
                search = spec.regex.search
                rows = [
                    row for row in rows
                    if (search(row._search or _search_text(row)) is None) == invert
                ]
            else:
                needle = spec.needle
                rows = [row for row in rows if (needle in (row._search or _search_text(row))) != invert]
        self._narrow = base + (spec.needle,) if spec.regex is None and not spec.invert else None
        self._view = rows if rows is not self._rows else list(rows)
        self._view_index = None
        # Strips are keyed by row key, cursor and mark: a new filter or order can reuse them.
        self._header_cache = None
        self._set_virtual_size(Size(self._total_width, len(self._view) + 1))
        index = None
        if old_key is not None:
            row = self._by_key.get(old_key)
            if row is not None:
                try:
                    index = self._view.index(row)  # identity compare: no key dict needed
                except ValueError:
                    index = None
        if index is None:
            index = min(max(old_index, 0), len(self._view) - 1)
        self._cursor = -2  # force the refresh of the new cursor line
        self._cursor_key = old_key
        self._set_cursor(index)
        if was_visible and self.is_mounted:
            self._scroll_to_cursor()
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Set the scrollable size without a screen layout when the scrollbars stay as they are.

        `virtual_size` is a layout reactive: assigning it re-lays out the whole screen (about as
        long as a frame), on every filter keystroke. Only the scrollbars depend on it here (the
        table's own height is set by CSS), so update them directly; a scrollbar that appears or
        goes away still triggers the layout it needs (`show_*_scrollbar` are layout reactives).
        The first time a scrollbar is needed, the normal (layout) path creates it.
        """
        old = self.virtual_size
        if size == old:
            return
        height = self.styles.height
        # A scrollbar widget that does not exist yet must be created by the layout, not here:
        # set_rows may run inside a worker, and a widget mounted there keeps that worker's
        # context (and so its arguments, e.g. the previous data) alive for the app's lifetime.
        vertical, horizontal = scrollbars_exist(self)
        scrollbars_ready = (
            vertical or (size.height <= old.height and not self.show_vertical_scrollbar)
        ) and (
            horizontal or (size.width <= old.width and not self.show_horizontal_scrollbar)
        )
        if not self.is_mounted or height is None or height.is_auto or not scrollbars_ready:
            self.virtual_size = size
            return
        self.set_reactive(ResourceTable.virtual_size, size)
        update_scrollbars(self, size)
        self.refresh()

    def _measure(self) -> None:
        """Column widths from string lengths (no Rich measuring per cell)."""
        widths: list[int] = []
        columns = self._columns
        transposed: list[tuple[str, ...]] = []
        if self._rows and any(column.width is None for column in columns):
            # One C-level transpose instead of a Python loop per column.
            transposed = list(
                zip_longest(*[row.cells for row in self._rows], fillvalue="")
            )
        for i, column in enumerate(columns):
            if column.width is not None:
                widths.append(max(1, column.width))
                continue
            values = transposed[i] if i < len(transposed) else ()
            width = max(cell_len(column.title) + 2, _column_width(values))
            widths.append(max(column.min_width, 1, min(width, max(column.max_width, 1))))
        offsets: list[int] = []
        x = 0
        for width in widths:
            offsets.append(x + 1)
            x += width + 2
        self._widths = widths
        self._offsets = offsets
        self._total_width = x
        self._line_cache.clear()
        self._header_cache = None

    def _styles(self) -> dict[str, Style]:
        # Full (not partial) component styles: Textual blends translucent colours such as
        # `$accent 35%` or `$text-muted` against the background only when resolving the full style.
        if self._style_cache is None:
            get = self.get_component_rich_style
            cursor = "resource-table--cursor" if self.has_focus else "resource-table--cursor-blurred"
            cache: dict[str, Style] = {
                "base": self.rich_style,
                "header": get("resource-table--header"),
                "cursor": get(cursor),
                "marked": get("resource-table--marked"),
                "empty": get("resource-table--empty"),
            }
            for name in STATUS_STYLES:
                # Only the foreground and text attributes: the row keeps its own background.
                full = get(_PREFIX + name)
                style = Style(
                    color=full.color,
                    bold=full.bold,
                    dim=full.dim,
                    italic=full.italic,
                    underline=full.underline,
                    strike=full.strike,
                    reverse=full.reverse,
                )
                cache[name] = style
                cache[_PREFIX + name] = style
            self._style_cache = cache
        return self._style_cache

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache = None
        self._line_cache.clear()
        self._header_cache = None

    def on_resize(self, event: events.Resize) -> None:
        # Rows set before the first layout (or a smaller terminal) may leave the cursor off screen.
        self.call_after_refresh(self._scroll_to_cursor)

    def _on_focus(self, event: events.Focus) -> None:
        self._style_cache = None
        self._line_cache.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._style_cache = None
        self._line_cache.clear()
        self.refresh()

    def _forget_lines(self, key: str) -> None:
        """Drop the cached strips of a row key (every cursor and mark state)."""
        for cursor in (False, True):
            for marked in (False, True):
                self._line_cache.discard((key, cursor, marked))

    def _refresh_key(self, key: str) -> None:
        index = self._index_of(key)
        self._forget_lines(key)
        if index is not None:
            self.refresh_line(index + 1)

    def _render_header(self) -> Strip:
        if self._header_cache is None:
            styles = self._styles()
            style = styles["base"] + styles["header"]
            parts: list[str] = []
            for column, width in zip(self._columns, self._widths):
                title = column.title
                if column.key == self._sort_column:
                    title = f"{title} {'▼' if self._sort_reverse else '▲'}"
                parts.append(" " + _fit(title, width, column.align) + " ")
            self._header_cache = Strip([Segment("".join(parts), style)], self._total_width)
        return self._header_cache

    def _render_row(self, row: Row, cursor: bool, marked: bool) -> tuple[Strip, Style]:
        cache_key = (row.key, cursor, marked)
        styles = self._styles()
        row_style = styles["base"]
        if marked:
            row_style = row_style + styles["marked"]
        fill = row_style + styles["cursor"] if cursor else row_style
        strip = self._line_cache.get(cache_key)
        if strip is None:
            cursor_style = styles["cursor"] if cursor else None
            cells = row.cells
            cell_styles = row.styles
            segments: list[Segment] = []
            for i, (column, width) in enumerate(zip(self._columns, self._widths)):
                text = cells[i] if i < len(cells) else ""
                style = row_style
                name = cell_styles[i] if i < len(cell_styles) else None
                if name:
                    extra = styles.get(name)
                    if extra is not None:
                        style = style + extra
                if cursor_style is not None:
                    style = style + cursor_style
                left = (_MARK_GLYPH if marked else " ") if i == 0 else " "
                segments.append(Segment(left + _fit(text, width, column.align) + " ", style))
            strip = Strip(segments, self._total_width)
            self._line_cache[cache_key] = strip
        return strip, fill

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        styles = self._styles()
        if y == 0:
            return self._render_header().crop_extend(
                scroll_x, scroll_x + width, styles["base"] + styles["header"]
            )
        index = scroll_y + y - 1
        if not self._view:
            if y == 1:
                text = " " + self._empty_message()
                return Strip([Segment(text, styles["empty"])]).crop_extend(
                    0, width, styles["base"]
                )
            return Strip.blank(width, styles["base"])
        if index >= len(self._view):
            return Strip.blank(width, styles["base"])
        row = self._view[index]
        strip, fill = self._render_row(row, index == self._cursor, row.key in self._marks)
        return strip.crop_extend(scroll_x, scroll_x + width, fill)

    def _empty_message(self) -> str:
        if not self._rows:
            return one_line(self.empty_text)
        if self._filter.active:
            suffix = " among rows in a fault status" if self._faults_only else ""
            return one_line(f"No rows match filter {self._filter.text.strip()!r}{suffix}")
        if self._faults_only:
            return "No rows in a fault status"
        return one_line(self.empty_text)

    def _column_at(self, x: int) -> Column | None:
        for column, start, width in zip(self._columns, self._offsets, self._widths):
            if start - 1 <= x < start + width + 1:
                return column
        return None

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            column = self._column_at(offset.x + round(self.scroll_x))
            if column is not None:
                reverse = not self._sort_reverse if column.key == self._sort_column else False
                self.sort_by(column.key, reverse)
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self._view):
            self.move_cursor(index)
            if event.chain >= 2:
                self.action_activate()


def _clean(cell: object) -> bool:
    # one_line's own test: printable (no control or format character) and no run of spaces
    return type(cell) is str and cell.isprintable() and "  " not in cell


def _sanitize(rows: list[Row]) -> None:
    """Cells as one-line, control-free strings (textsafe.one_line), in place. The rows' only
    sanitiser: callers hand in raw text. One C-level scan of all cells when they are clean."""
    try:
        blob = "".join(chain.from_iterable([row.cells for row in rows]))
    except TypeError:
        blob = None  # a non-string cell: check row by row
    if blob is not None and _clean(blob):
        for row in rows:
            if type(row.cells) is not tuple:
                row.cells = tuple(row.cells)
        return
    for row in rows:
        cells = row.cells
        if not all(_clean(c) for c in cells):
            row.cells = tuple(one_line(c) for c in cells)
        elif type(cells) is not tuple:
            row.cells = tuple(cells)
