"""The one generic browser: renders any `ResourceKind` of the registry in a ResourceTable.

The screen keeps a stack of `ViewState`s (kind, scope, cursor, filter, sort, marks, last data):
Enter pushes one, Esc pops back to the previous view with the cursor where it was, `:` pushes the
view asked for. Kinds with a `LiveSource` (taskgroups, applications, processes: the big ones) are
not polled: they show the shared change stream of their storage table (bcs_tui/ui/feeds.py), which
lists once, applies the stream's events and falls back to polling by itself; a change rebuilds
only the rows whose object changed. Other views are polled every `settings.refresh` seconds: the
next poll is armed only after the previous one finished (no overlap), polls are skipped while
another screen or a modal is on top, and failures keep the last good rows on screen marked stale,
with backoff. The header says which mode the view is in (live / polling / stale).
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from bcs_tui.actions import ACTIONS, ACTIONS_BY_ID
from bcs_tui.resources import (
    KINDS_BY_NAME,
    STATUS_CLASSES,
    RenderContext,
    ResourceKind,
    Scope,
    list_order,
    object_name,
)
from bcs_tui.ui.feeds import LIVE, POLLING, STALE, ResourceFeed, feed_key, feeds_for
from bcs_tui.ui.textsafe import one_line
from bcs_tui.ui.widgets.breadcrumbs import Breadcrumbs
from bcs_tui.ui.widgets.header import ClusterHeader
from bcs_tui.ui.widgets.inputs import FilterInput
from bcs_tui.ui.widgets.resource_table import Column, ResourceTable, Row

log = logging.getLogger(__name__)

THREAD_ROWS = 2000  # build rows for bigger lists in a thread
MAX_STACK = 30  # views kept for Esc; the oldest are dropped beyond this
MAX_BACKOFF = 60.0
CELL_LIMIT = 300  # characters per cell: a huge server message must not cost a huge render
FEED_SETTLE = 0.25  # seconds: stream events arriving together rebuild the rows once
RETIME_LIVE = 30.0  # seconds between two re-timings (AGE cells) of a live view
PATCH_MAX = 2000  # changed records a live view applies one by one; more: the rows are built again

# Actions the browser runs itself; everything else goes to app.operations.
LOCAL_ACTIONS = frozenset({
    "command_prompt", "filter", "describe", "describe_alt", "drill", "back", "mark", "refresh", "faults",
    "sort", "sort_reverse", "copy", "reveal", "help", "quit", "export",
})


@dataclass
class ViewState:
    """Everything needed to show a view again exactly as the user left it."""

    kind: ResourceKind
    scope: Scope
    cursor_key: str | None = None
    filter: str = ""
    sort_column: str | None = None  # a column key (see _column_key)
    sort_reverse: bool = False
    faults_only: bool = False
    marked: set[str] = field(default_factory=set)
    revealed: bool = False
    # Never in repr: a view's repr must not walk 20,000 objects (logs, worker descriptions).
    objects: list[Any] = field(default_factory=list, repr=False)
    rows: list[Row] | None = field(default=None, repr=False)  # the table rows last built from `objects`
    loaded: bool = False
    loaded_at: float = 0.0
    stale_since: float | None = None
    error: str = ""
    failures: int = 0
    poll_every: float = 0.0  # the interval used after the last poll (longer for slow, big lists)
    # A live view: the feed's seq its rows show (-1: none yet), and its rows by feed key.
    feed_seq: int = field(default=-1, repr=False)
    feed_rows: dict[Any, Row] | None = field(default=None, repr=False)

    @property
    def all_namespaces(self) -> bool:
        return self.kind.namespaced and not self.scope.namespace

    def crumb(self) -> str:
        alias = self.kind.aliases[0] if self.kind.aliases else self.kind.name
        if self.scope.label:
            return f"{alias}({self.scope.label})"
        if self.kind.namespaced:
            return f"{alias}({self.scope.namespace or 'all'})"
        return alias


def column_key(index: int, title: str) -> str:
    return title or f"#{index}"


def build_columns(kind: ResourceKind, all_namespaces: bool) -> list[Column]:
    """The ResourceTable columns of a kind (the NAMESPACE column only across namespaces)."""
    out = []
    for i, c in enumerate(kind.visible_columns(all_namespaces)):
        kw: dict[str, Any] = {"align": "right" if c.numeric else "left"}
        if c.width:
            kw["width"] = c.width
        if c.title in ("MESSAGE", "ERROR", "ITEMS", "ATTRIBUTES", "ID", "ENDPOINT"):
            kw["max_width"] = 80
        out.append(Column(column_key(i, c.title), c.title, **kw))
    return out


def build_rows(kind: ResourceKind, objects: list[Any], rc: RenderContext,
               previous: list[Row] | None = None) -> list[Row]:
    """Table rows for `objects`: raw cell text (ResourceTable.set_rows sanitises it, once),
    typed sort values, status styles.

    `previous` (rows built for the same view and reveal state): an object whose row is there —
    the same object, or a projected row equal by value (a re-reported record) under the same key —
    keeps its row; only the clock-dependent cells (ages) are computed again."""
    specs = kind.visible_columns(rc.all_namespaces)
    timed = [i for i, spec in enumerate(specs) if spec.timed and spec.sort]
    old = {r.key: r for r in previous} if previous else {}
    funcs = [(spec.value, spec.sort, spec.status) for spec in specs]  # 20,000 rows: no lookups per cell
    row_key = kind.row_key
    rows = []
    for obj in objects:
        row = None
        if old:
            try:
                row = old.get(str(row_key(obj)))
            except Exception:
                row = None
            if row is not None and row.obj is not obj and not (
                    type(row.obj) is type(obj) and getattr(obj, "is_projected", False) and row.obj == obj):
                row = None
        if row is not None and len(row.cells) == len(specs):
            try:
                rows.append(_retimed(row, specs, timed, obj, rc))
                continue
            except Exception:  # fall through to a full build of this row
                log.exception("cannot re-time a %s row", kind.name)
        try:
            cells, sorts, classes = [], [], []
            for value, sort, status in funcs:
                text = value(obj, rc)
                if type(text) is not str:
                    text = "" if text is None else str(text)
                if len(text) > CELL_LIMIT:  # a cut escape sequence is still removed whole
                    text = text[: CELL_LIMIT - 1] + "…"
                cells.append(text)
                sorts.append(sort(obj, rc) if sort else text.lower())
                cls = status(obj) if status else None
                classes.append(_STATUS_STYLES.get(cls) or f"status-{cls}" if cls else None)
            rows.append(Row(
                key=str(kind.row_key(obj)),
                cells=tuple(cells),
                sort_values=tuple(sorts),
                styles=tuple(classes),
                obj=obj,
                bad=kind.bad(obj),
            ))
        except Exception:  # one odd object must not blank the whole view
            log.exception("cannot render a %s row", kind.name)
    return _unique_keys(rows)


def _unique_keys(rows: list[Row]) -> list[Row]:
    """Every record gets its row: the table keys rows, so records that share a key (a server
    answering two applications both called ns/name) are told apart as `ns/name #2`, ... instead
    of collapsing into one row (shown as `[1/7]` with no filter)."""
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row.key in seen:
            n = 2
            while f"{row.key} #{n}" in seen:
                n += 1
            row = rows[i] = replace(row, key=f"{row.key} #{n}")
        seen.add(row.key)
    return rows


_STATUS_STYLES = {cls: f"status-{cls}" for cls in STATUS_CLASSES}


def _retimed(row: Row, specs: list[Any], timed: list[int], obj: Any, rc: RenderContext) -> Row:
    # (the sort value of a timed column is what its cell is computed from: see ColumnSpec.timed)
    """`row` with its clock-dependent cells computed for `rc.now` (the same row if none changed)."""
    if not timed:
        return row
    cells = row.cells
    changed = None
    for i in timed:
        text = specs[i].timed(row.sort_values[i], rc)
        if text != cells[i]:
            changed = changed or list(cells)
            changed[i] = text
    if changed is None:
        return row
    return Row(key=row.key, cells=tuple(changed), sort_values=row.sort_values, styles=row.styles, obj=obj,
               bad=row.bad)


# Footer labels: the action table's descriptions are sentences (help and palette show them whole).
SHORT_LABELS = {
    "command_prompt": "Command", "filter": "Filter", "describe": "Describe", "faults": "Faults",
    "versions": "Versions", "rollout_view": "Rollout", "reveal": "Reveal", "help": "Help",
    "update_resource": "Resources", "commit_image": "Commit", "disable_agent": "Disable",
    "enable_agent": "Enable", "set_attributes": "Attributes", "rollback": "Rollback",
    "signal": "Signal", "exec": "Exec", "reschedule": "Reschedule", "scale": "Scale", "edit": "Edit",
    "create": "Create", "pause": "Pause", "resume": "Resume", "cancel": "Cancel", "taint": "Taint",
    "delete": "Delete", "copy": "Copy", "mark": "Mark", "refresh": "Refresh", "sort": "Sort",
    "sort_reverse": "Reverse", "drill": "Open", "back": "Back", "quit": "Quit", "describe_alt": "Describe",
}


def _binding_for(action) -> Binding:
    label = SHORT_LABELS.get(action.id) or action.description.split()[0]
    return Binding(action.key, f"act('{action.id}')", label, show=action.show, id=action.id,
                   tooltip=action.description)


class BrowserScreen(Screen):
    """The generic list screen. Ops and tests use: `state`, `refresh_now()`, `open_view()`,
    `selected_objects()`."""

    BINDINGS = [_binding_for(a) for a in ACTIONS]

    AUTO_FOCUS = "ResourceTable"

    def __init__(self, kind: ResourceKind, scope: Scope | None = None) -> None:
        super().__init__()
        self.stack: list[ViewState] = [ViewState(kind, scope or Scope())]
        self._poll_timer: Timer | None = None
        self._polling = False
        self._feed: ResourceFeed | None = None  # the change stream the current view follows
        self._feed_timer: Timer | None = None
        self._feed_dirty = False
        self._retime_due = False
        self._order_keys: dict[int, tuple[Any, tuple[Any, ...]]] = {}
        self._retime_timer: Timer | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="cluster-header")
        yield Breadcrumbs(id="crumbs")
        yield Static(id="view-title")
        yield ResourceTable(id="table")
        yield FilterInput(placeholder="/ filter: text · /regex/ · !text inverts — Enter keeps it, Esc clears",
                          id="filter")
        yield Footer()

    @property
    def state(self) -> ViewState:
        return self.stack[-1]

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.app.update_header(self.query_one(ClusterHeader), self.state.scope.namespace)
        self._show_state(self.state)
        self.refresh_now(force=False)

    def on_screen_resume(self) -> None:
        self.app.update_header(self.query_one(ClusterHeader), self.state.scope.namespace)
        self._show_mode()
        self.refresh_bindings()
        if self._feed is not None:
            # The feed's polls pause while nothing is on screen; the stream's rows may have moved.
            self._feed.subscribe(self._on_feed)
            if self._feed_dirty:
                self._schedule_feed()
            return
        interval = self.app.refresh_interval
        # Polls were skipped while something was on top: catch up now if the data is old.
        if self.state.loaded and interval and time.monotonic() - self.state.loaded_at >= interval:
            self.refresh_now()

    def on_screen_suspend(self) -> None:
        if self._feed is not None:
            self._feed.unsubscribe(self._on_feed)

    def on_unmount(self) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._follow(None)

    # ------------------------------------------------------------------ view stack

    def open_view(self, kind: ResourceKind, scope: Scope | None = None, *, replace: bool = False) -> None:
        """Push (or replace the stack with) a view of `kind` in `scope`, then load it."""
        self._save_state()
        new = ViewState(kind, scope or Scope())
        if replace:
            self.stack = [new]
        else:
            self.stack.append(new)
            if len(self.stack) > MAX_STACK:
                del self.stack[0]
        self._show_state(new)
        self.refresh_now(force=False)

    def go_back(self) -> bool:
        """Pop to the previous view; False when this is the first one."""
        if len(self.stack) <= 1:
            return False
        self.stack.pop()
        self._show_state(self.state)
        self.refresh_now(force=False)
        return True

    def _save_state(self) -> None:
        state = self.state
        table = self.table
        state.cursor_key = table.cursor_key
        state.marked = set(table.marked_keys)

    def _show_state(self, state: ViewState) -> None:
        """Put `state` on screen: its columns, its last rows, its cursor, filter, sort and marks."""
        table = self.table
        table.clear_marks()
        table.set_rows([])  # the old view's rows do not fit the new columns
        table.empty_text = "loading…" if not state.loaded else f"No {state.kind.title.lower()}"
        table.set_columns(self._columns(state))
        table.set_rows(self._rows(state))
        table.set_filter(state.filter)
        table.faults_only = state.faults_only
        keys = {c.key for c in table.columns}
        table.sort_by(state.sort_column if state.sort_column in keys else None, state.sort_reverse)
        if state.marked:
            table.mark_keys(state.marked)
        if state.cursor_key is None or not table.move_cursor_to_key(state.cursor_key):
            table.move_cursor(0)
        filt = self.query_one(FilterInput)
        filt.value = state.filter
        filt.display = bool(state.filter)
        self.query_one(Breadcrumbs).set_path([s.crumb() for s in self.stack])
        self.app.update_header(self.query_one(ClusterHeader), state.scope.namespace)
        self._update_title()
        self.refresh_bindings()
        self.table.focus()

    # ------------------------------------------------------------------ rows

    def render_context(self, state: ViewState | None = None) -> RenderContext:
        state = state or self.state
        return RenderContext(now=self.app.now(), revealed=state.revealed, all_namespaces=state.all_namespaces)

    def _columns(self, state: ViewState) -> list[Column]:
        return build_columns(state.kind, state.all_namespaces)

    def _rows(self, state: ViewState) -> list[Row]:
        if state.rows is None:
            state.rows = build_rows(state.kind, state.objects, self.render_context(state))
            state.feed_rows = None
        return state.rows

    def _update_title(self) -> None:
        state = self.state
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {state.kind.title}", style="bold")
        where = state.scope.label or (state.scope.namespace or "all" if state.kind.namespaced else "")
        if where:
            t.append(f" ({one_line(where)})")
        table = self.table
        shown, total = table.view_count, len(state.objects)
        t.append(f" [{shown}/{total}]" if shown != total else f" [{total}]", style="bold")
        if not state.loaded and not state.error:
            t.append("  loading…", style="italic")
        bad = sum(1 for r in table.rows if r.bad)
        if bad and not state.faults_only:
            t.append(f"  {bad} in a bad state (f shows only them)", style="bold")
        if state.filter:
            t.append("  filter: ", style="dim")
            t.append(one_line(state.filter))
        if state.faults_only:
            t.append("  faults only", style="bold")
        if state.sort_column is not None:
            t.append(f"  sort: {state.sort_column} {'↓' if state.sort_reverse else '↑'}", style="dim")
        if table.filter_error:
            t.append(f"  ({one_line(table.filter_error, 60)}: matched as text)", style="dim")
        marked = len(table.marked_keys)
        if marked:
            t.append(f"  {marked} marked", style="bold")
        if state.revealed:
            t.append("  SECRETS REVEALED", style="bold reverse")
        interval = self.app.refresh_interval
        if interval and state.poll_every > interval * 1.5:
            t.append(f"  refresh every {state.poll_every:.0f}s (big list)", style="dim")
        if state.stale_since is not None:
            since = time.strftime("%H:%M:%S", time.localtime(state.stale_since))
            t.append(f"  (stale since {since} — {one_line(state.error, 120)})", style="bold")
        elif state.error:
            t.append(f"  ({one_line(state.error, 120)})", style="bold")
        # Fixed height (app.tcss): no layout pass needed, which on every filter keystroke would
        # re-lay out the whole screen.
        self.query_one("#view-title", Static).update(t, layout=False)
        self.query_one("#view-title").set_class(state.stale_since is not None or bool(state.error), "-stale")

    # ------------------------------------------------------------------ polling

    def refresh_now(self, force: bool = True) -> None:
        """Load the current view now (ctrl+r; ops call it after a write). A live view lists its
        table again only when `force`d (opening a view shows what the stream keeps)."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        self._load(self.state, force)

    def _arm(self, delay: float | None) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        if delay:
            self._poll_timer = self.set_timer(delay, self._on_poll_timer)

    def _on_poll_timer(self) -> None:
        self._poll_timer = None
        if self.app.screen is not self:
            # Paused while a modal or another screen is on top: look again later.
            self._arm(self.app.refresh_interval or MAX_BACKOFF)
            return
        self._load(self.state, True)

    # ------------------------------------------------------------------ live views (change stream)

    def _live(self, state: ViewState) -> Any:
        """The kind's LiveSource when this view is served by a change stream, else None."""
        live = state.kind.live
        if live is None or not hasattr(self.app.client, "storage_watch"):
            return None
        return live if live.select(state.scope, ()) is not None else None

    def _follow(self, feed: ResourceFeed | None) -> None:
        if feed is self._feed:
            return
        if self._feed is not None:
            self._feed.unsubscribe(self._on_feed)
        self._feed = feed
        if feed is not None:
            feed.subscribe(self._on_feed)
        if self._retime_timer is not None:
            self._retime_timer.stop()
            self._retime_timer = None
        if feed is not None and self.is_mounted:
            self._retime_timer = self.set_interval(RETIME_LIVE, self._retime_live)

    def _on_feed(self, feed: ResourceFeed) -> None:
        """The feed changed rows or mode (called from its task, on the event loop)."""
        if feed is not self._feed:
            return
        self._feed_dirty = True
        if self.app.screen is self:
            self._schedule_feed()

    def _schedule_feed(self) -> None:
        if self._feed_timer is None:
            self._feed_timer = self.set_timer(FEED_SETTLE, self._feed_settled)

    def _feed_settled(self) -> None:
        self._feed_timer = None
        state = self.state
        live = self._live(state)
        if live is None or self._feed is None:
            return
        self._apply_feed(state, self._feed)

    def _retime_live(self) -> None:
        if self._feed is not None and self.app.screen is self and self.state.loaded:
            self._retime_due = True  # the ages: every row, the whole way
            self._feed_dirty = True
            self._schedule_feed()

    @work(group="browser-feed", description="show the change stream's rows")
    async def _apply_feed(self, state: ViewState, feed: ResourceFeed) -> None:
        self._feed_dirty = False
        live = self._live(state)
        if live is None or state is not self.state or not feed.loaded:
            return
        if feed.mode == STALE and not feed.rows and not state.loaded:
            self._failed(state, feed.error)
            return
        seq = feed.seq
        if not self._retime_due and self._patch_live(state, live, feed):
            state.feed_seq = seq
            self._feed_state(state, feed, retry=state.failures == 0)
            return
        self._retime_due = False
        objects = live.select(state.scope, feed.records()) or []
        if await self._show_objects(state, objects):
            state.feed_seq = seq
        self._feed_state(state, feed, retry=state.failures == 0)

    def _patch_live(self, state: ViewState, live: Any, feed: ResourceFeed) -> bool:
        """Show only the records the feed changed since the view's rows were built (the stream's
        usual case: a few changes at 20,000 rows); False when the whole list must be built
        again (a complete list came in, many changes, records sharing a name)."""
        changes = feed.changes_since(state.feed_seq) if state.loaded and state.rows is not None else None
        if changes is None or len(changes) > PATCH_MAX or feed.duplicates or not state.kind.namespaced:
            return False
        rc = self.render_context(state)
        if rc.revealed != state.revealed:
            return False
        rows = state.rows
        assert rows is not None
        index = state.feed_rows
        if index is None:
            index = {}
            for row in rows:
                try:
                    index[feed_key(row.obj)] = row
                except AttributeError:  # not a feed record: this view was not built from the feed
                    return False
            if len(index) != len(rows):
                return False
            state.feed_rows = index
        gone: list[Row] = []
        added: list[Any] = []
        for k in changes:
            old = index.get(k)
            obj = feed.rows.get(k)
            if obj is not None:
                picked = live.select(state.scope, [obj])
                if picked is None:
                    return False
                obj = picked[0] if picked else None
            if old is not None and obj is not None and (old.obj is obj or old.obj == obj):
                continue
            if old is not None:
                gone.append(old)
            if obj is not None:
                added.append(obj)
        if not gone and not added:
            return True
        new_rows = build_rows(state.kind, added, rc)
        gone_ids = {id(row) for row in gone}
        gone_keys = {row.key for row in gone}
        kept_keys = {row.key for row in rows if id(row) not in gone_ids} if new_rows else set()
        if len(new_rows) != len(added) or any(row.key in kept_keys for row in new_rows):
            return False  # a row that could not be built, or a key clash: the whole way
        order = self._order_keys
        for row in gone:
            del index[feed_key(row.obj)]
            order.pop(id(row.obj), None)
        kept = [row for row in rows if id(row) not in gone_ids] if gone else list(rows)
        for row in new_rows:
            key = list_order(row.obj)
            order[id(row.obj)] = (row.obj, key)
            kept.insert(bisect.bisect(kept, key, key=self._order_key), row)
            index[feed_key(row.obj)] = row
        state.rows = kept
        state.objects = [row.obj for row in kept]
        state.loaded_at = time.monotonic()
        if state is self.state:
            try:
                table = self.table
            except NoMatches:
                return True
            table.patch_rows(kept, new_rows, gone_keys - {row.key for row in new_rows})
            if table.cursor_key is None and table.view_count:
                table.move_cursor(0)
        return True

    async def _load_live(self, state: ViewState, live: Any, force: bool) -> None:
        from bcs_tui.api.errors import BcsError

        feed = feeds_for(self.app).feed(live.storage_kind)
        self._follow(feed)
        try:
            if force and feed.loaded:
                await feed.refresh()
            else:
                await feed.wait_loaded()
                if feed.mode == STALE and force:
                    await feed.refresh()
        except BcsError as exc:
            self._failed(state, exc.message or type(exc).__name__)
            return
        if state not in self.stack:
            return
        if feed.mode == STALE and not feed.rows:
            self._failed(state, feed.error)
            return
        seq = feed.seq
        objects = live.select(state.scope, feed.records()) or []
        if await self._show_objects(state, objects):
            state.feed_seq = seq
        self._feed_state(state, feed)

    def _feed_state(self, state: ViewState, feed: ResourceFeed, retry: bool = True) -> None:
        """The view's error / stale marks from its feed, then header and title."""
        if feed.mode == STALE:
            self._failed(state, feed.error, retry=retry)
        else:
            state.stale_since, state.failures = None, 0
            state.error = (f"{len(feed.problems)} record(s) could not be read: {feed.problems[0]}"
                           if feed.problems else "")
        self._show_mode()
        if state is self.state:
            self._update_title()

    def _show_mode(self) -> None:
        """The header's mode badge for the current view."""
        state = self.state
        header = self.query_one(ClusterHeader)
        feed = self._feed if self._live(state) is not None else None
        if feed is not None:
            detail = ""
            if feed.mode == POLLING:
                detail = f"every {feed.interval:g}s: {feed.stream_problem}" if feed.stream_problem else ""
            header.set_mode(feed.mode if feed.mode in (LIVE, POLLING, STALE) else "", detail,
                            feed.stale_since if feed.mode == STALE else None)
        elif state.stale_since is not None:
            header.set_mode(STALE, "", state.stale_since)
        elif self.app.refresh_interval:
            header.set_mode(POLLING, f"every {max(self.app.refresh_interval, state.poll_every):g}s")
        else:
            header.set_mode("", "")

    def _order_key(self, row: Row) -> tuple[Any, ...]:
        hit = self._order_keys.get(id(row.obj))
        return hit[1] if hit is not None else list_order(row.obj)

    def _put_in_order(self, objects: list[Any]) -> None:
        """Sort by `list_order`, computing the key only for objects not seen last time (a live
        view shows its feed's rows again on every change: 20,000 keys cost ~60 ms, a lookup
        ~5). The cache holds the objects it keys by id, so an id is never reused under it."""
        old = self._order_keys
        new: dict[int, tuple[Any, tuple[Any, ...]]] = {}
        for o in objects:
            hit = old.get(id(o))
            new[id(o)] = hit if hit is not None else (o, list_order(o))
        self._order_keys = new
        objects.sort(key=lambda o: new[id(o)][1])

    async def _show_objects(self, state: ViewState, objects: list[Any]) -> bool:
        """Build rows for `objects` (reusing the unchanged ones) and put them on screen."""
        objects = list(objects)
        if state.kind.namespaced:
            self._put_in_order(objects)
        rc = self.render_context(state)
        previous = state.rows if state.rows and state.revealed == rc.revealed else None
        if len(objects) > THREAD_ROWS:
            # Thousands of rows take a second or two of Python: keep the event loop (keys,
            # repaints) going while they are built.
            # Tens of thousands of new rows set off full cyclic collections over everything
            # (~40% of the build, measured): none while they are built.
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                rows = await asyncio.to_thread(build_rows, state.kind, objects, rc, previous)
            finally:
                if was_enabled:
                    gc.enable()
            if state not in self.stack:
                return False
        else:
            rows = build_rows(state.kind, objects, rc, previous)
        state.objects = objects
        state.rows = rows
        state.feed_rows = None
        state.loaded = True
        state.loaded_at = time.monotonic()
        if state is self.state:
            try:
                table = self.table
            except NoMatches:  # the screen is being torn down (the app exits mid-load)
                return False
            table.empty_text = f"No {state.kind.title.lower()}"
            if previous is None or len(rows) != len(previous) or any(a is not b for a, b in zip(rows, previous)):
                table.set_rows(rows)
            if table.cursor_key is None and table.view_count:
                table.move_cursor(0)
        return True

    # A fixed description: by default Textual reprs the arguments, i.e. the whole view state
    # with every object (seconds of blocked event loop for 20,000 taskgroups, on every poll).
    @work(exclusive=True, group="browser-load", description="load the current view")
    async def _load(self, state: ViewState, force: bool = True) -> None:
        from bcs_tui.api.errors import BcsError

        live = self._live(state)
        if live is not None:
            await self._load_live(state, live, force)
            return
        self._follow(None)
        started = time.monotonic()
        env = self.app.fetch_env()
        env.previous = state.objects  # big storage lists reuse the records that did not change
        try:
            objects = await state.kind.fetch(env, state.scope)
        except BcsError as exc:
            self._failed(state, exc.message or type(exc).__name__)
            return
        except Exception as exc:  # a bug or an odd answer: keep the app alive, say what happened
            log.exception("fetch %s failed", state.kind.name)
            self._failed(state, f"{type(exc).__name__}: {exc}")
            return
        if state not in self.stack:
            return  # a late answer for a view that is gone
        if not await self._show_objects(state, list(objects)):
            return
        state.stale_since = None
        problems = getattr(objects, "problems", None)
        state.error = f"{len(problems)} record(s) could not be read: {problems[0]}" if problems else ""
        state.failures = 0
        # A poll that takes seconds (tens of thousands of rows) must not run back to back:
        # leave the console idle at least twice as long as the poll took.
        interval = self.app.refresh_interval
        state.poll_every = max(interval, 2 * (time.monotonic() - started)) if interval else 0.0
        state.poll_every = min(state.poll_every, MAX_BACKOFF)
        if state is self.state:
            self._show_mode()
            self._update_title()
        self._arm(state.poll_every)

    def _failed(self, state: ViewState, message: str, retry: bool = True) -> None:
        """A load failed (or the view's feed went stale): keep the rows, mark them stale, say why
        once, and with `retry` arm the next attempt with backoff. Only a `retry` counts as a
        failure: a feed that says it is stale after a failed load is the same failure."""
        if state not in self.stack:
            return
        if retry or state.failures == 0:
            state.failures += 1
        state.error = message
        if state.loaded and state.stale_since is None:
            state.stale_since = self.app.now()
        if state is self.state:
            if not state.loaded:
                self.table.empty_text = f"Cannot load {state.kind.title.lower()}: {one_line(message, 200)}"
                self.table.refresh()
            self._show_mode()
            self._update_title()
            if state.failures == 1:
                self.app.flash(f"{state.kind.title}: {message}", "error")
        interval = self.app.refresh_interval
        if interval and retry:
            self._arm(min(MAX_BACKOFF, interval * (2 ** min(state.failures, 5))))

    def rerender(self) -> None:
        """Re-render the current rows (ages move on, reveal toggled) without a fetch."""
        self.state.rows = None
        self.table.set_rows(self._rows(self.state))
        self._update_title()

    # ------------------------------------------------------------------ table events

    @on(ResourceTable.RowActivated)
    def _row_selected(self, event: ResourceTable.RowActivated) -> None:
        event.stop()
        self.drill()

    @on(ResourceTable.CursorMoved)
    def _cursor_moved(self, event: ResourceTable.CursorMoved) -> None:
        self.state.cursor_key = self.table.cursor_key

    @on(ResourceTable.MarksChanged)
    def _marks_changed(self, event: ResourceTable.MarksChanged) -> None:
        self.state.marked = set(self.table.marked_keys)
        self._update_title()

    # ------------------------------------------------------------------ filter bar

    @on(FilterInput.Changed, "#filter")
    def _filter_changed(self, event: FilterInput.Changed) -> None:
        self.state.filter = event.value
        self.table.set_filter(event.value)
        self._update_title()

    @on(FilterInput.Submitted, "#filter")
    def _filter_submitted(self, event: FilterInput.Submitted) -> None:
        filt = self.query_one(FilterInput)
        filt.display = bool(filt.value)
        self.table.focus()

    def _open_filter(self) -> None:
        filt = self.query_one(FilterInput)
        filt.display = True
        filt.focus()

    def clear_filter(self) -> None:
        filt = self.query_one(FilterInput)
        filt.value = ""
        filt.display = False
        self.state.filter = ""
        self.table.set_filter("")
        self._update_title()
        self.table.focus()

    # ------------------------------------------------------------------ selection

    def current_object(self) -> Any:
        row = self.table.current_row
        return None if row is None else row.obj

    def selected_objects(self) -> list[Any]:
        """The marked rows' objects (in table order), or the cursor row's."""
        marked = self.table.marked_rows
        if marked:
            return [r.obj for r in marked]
        obj = self.current_object()
        return [] if obj is None else [obj]

    def drill(self) -> None:
        state = self.state
        obj = self.current_object()
        if obj is None:
            return
        if state.kind.name == "contexts":
            self.app.switch_context(obj.name)
            return
        if state.kind.name == "commands":  # reopen the command's live output pane (ops)
            self.app.operations.open_command_output(obj)
            return
        if state.kind.drill is None:
            self.app.push_describe(state.kind, obj, revealed=state.revealed)
            return
        target = state.kind.drill(obj, state.scope)
        if target is None:
            return
        kind_name, scope = target
        self.open_view(KINDS_BY_NAME[kind_name], scope)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "act" or not parameters:
            return True
        action_id = str(parameters[0])
        # (drill stays enabled where a kind has nothing to drill into: Enter describes there)
        return action_id in self.app.allowed_action_ids(self.state.kind.name)

    async def action_act(self, action_id: str) -> None:
        state = self.state
        if action_id in LOCAL_ACTIONS:
            handler = getattr(self, f"_do_{action_id}")
            result = handler()
            if hasattr(result, "__await__"):
                await result
            return
        action = ACTIONS_BY_ID.get(action_id)
        if action is None:
            return
        targets = self.selected_objects()
        if not targets and action_id not in ("create",):
            self.app.flash(f"{action.description}: no {state.kind.title.lower()} selected", "warning")
            return
        await self.app.run_operation(action_id, self, state.kind.name, state.scope.namespace, targets,
                                     state.scope.parent)

    def _do_export(self) -> None:
        from bcs_tui.ui.export import ExportModal, default_path, rows_as_shown

        titles, rows = rows_as_shown(self.table)
        path = default_path(self.state.kind.name, self.state.scope.namespace)
        self.app.push_screen(ExportModal(titles, rows, self.state.kind.title.lower(), path),
                             lambda outcome: self.app.flash(outcome, "information") if outcome else None)

    def _do_command_prompt(self) -> None:
        self.app.action_command_prompt()

    def _do_filter(self) -> None:
        self._open_filter()

    def _cursor_object(self, what: str) -> Any:
        """The object under the cursor, or None after saying there is nothing to `what`."""
        obj = self.current_object()
        if obj is None:
            self.app.flash(f"Nothing to {what}: the list is empty", "warning")
        return obj

    def _do_describe(self) -> None:
        if (obj := self._cursor_object("describe")) is not None:
            self.app.push_describe(self.state.kind, obj, revealed=self.state.revealed)

    _do_describe_alt = _do_describe

    def _do_drill(self) -> None:
        self.drill()

    def _do_back(self) -> None:
        if self.focused is self.query_one(FilterInput) or self.state.filter:
            self.clear_filter()
            return
        if self.table.marked_keys:
            self.table.clear_marks()
            self.state.marked = set()
            self._update_title()
            return
        if not self.go_back():
            self.app.flash("This is the first view: q quits, : opens another view", "information")

    def _do_mark(self) -> None:
        self.table.toggle_mark()
        self.state.marked = set(self.table.marked_keys)
        self._update_title()

    def _do_refresh(self) -> None:
        self.refresh_now()

    def _do_faults(self) -> None:
        state = self.state
        state.faults_only = not state.faults_only
        self.table.faults_only = state.faults_only
        self._update_title()
        if state.faults_only and self.table.cursor_key is None:
            self.table.move_cursor(0)

    def _do_sort(self) -> None:
        """Sort by the next column (unsorted -> first column -> ... -> last -> unsorted)."""
        keys = [c.key for c in self.table.columns]
        if not keys:
            return
        current = self.state.sort_column
        if current not in keys:
            nxt: str | None = keys[0]
        else:
            i = keys.index(current) + 1
            nxt = keys[i] if i < len(keys) else None
        self.sort_by(nxt, False)

    def _do_sort_reverse(self) -> None:
        keys = [c.key for c in self.table.columns]
        if not keys:
            return
        column = self.state.sort_column if self.state.sort_column in keys else keys[0]
        self.sort_by(column, not self.state.sort_reverse)

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        """Sort by the column with this key (its title), None for the server's order."""
        state = self.state
        state.sort_column = column
        state.sort_reverse = bool(reverse) if column is not None else False
        self.table.sort_by(column, state.sort_reverse)
        self._update_title()

    @on(ResourceTable.SortChanged)
    def _sort_changed(self, event: ResourceTable.SortChanged) -> None:
        # A click on a header sorts too: keep the view state in step.
        if (event.column_key, event.reverse) != (self.state.sort_column, self.state.sort_reverse):
            self.state.sort_column, self.state.sort_reverse = event.column_key, event.reverse
            self._update_title()

    def _do_copy(self) -> None:
        if (obj := self._cursor_object("copy")) is not None:
            self.app.push_copy(self.state.kind, obj, revealed=self.state.revealed)

    def _do_reveal(self) -> None:
        state = self.state
        state.revealed = not state.revealed
        self.app.flash("Secret values revealed in describe and copy" if state.revealed else "Secret values masked",
                       "warning" if state.revealed else "information")
        self.rerender()

    def _do_help(self) -> None:
        self.app.action_help()

    def _do_quit(self) -> None:
        self.app.exit()

    # ------------------------------------------------------------------ helpers for tests and ops

    def object_names(self) -> list[str]:
        return [object_name(r.obj) for r in self.table.view_rows]

    def describe_json(self, obj: Any) -> Any:
        return self.state.kind.to_json(obj, self.render_context())
