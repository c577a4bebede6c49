"""Describe (`d`/`y`): the object as highlighted, searchable JSON, and its definition where the
server keeps one (application and deployment definitions, version objects)."""

from __future__ import annotations

import json
import logging
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea
from textual.widgets.text_area import Selection

from bcs_tui.api.errors import BcsError
from bcs_tui.redact import mask_secret
from bcs_tui.resources import RenderContext, ResourceKind, object_name, object_namespace, to_jsonable
from bcs_tui.ui.textsafe import one_line, safe_text
from bcs_tui.ui.widgets.header import ClusterHeader
from bcs_tui.ui.widgets.json_view import JsonView

log = logging.getLogger(__name__)


def _dumps(data: Any) -> str:
    if isinstance(data, str):
        # A plain-text answer (some server bodies are not JSON): show it as is, cleaned.
        return safe_text(data)
    return safe_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, default=str))


class DescribeScreen(Screen):
    """Read-only JSON of one object. `/` searches, `n`/`N` go to the next/previous match,
    `tab` switches between the object and its definition, `w` copies, Esc goes back."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="describe.back"),
        Binding("slash", "search", "Search", id="describe.search"),
        Binding("n", "next_match", "Next", id="describe.next"),
        Binding("N", "previous_match", "Previous", id="describe.previous"),
        Binding("tab", "toggle_definition", "Object/definition", id="describe.definition", priority=True),
        Binding("w", "copy", "Copy", id="describe.copy"),
        Binding("ctrl+v", "reveal", "Reveal/mask", id="describe.reveal", priority=True),
        Binding("ctrl+r", "reload", "Re-read", id="describe.reload", priority=True),
    ]

    def __init__(self, kind: ResourceKind, obj: Any, *, revealed: bool = False) -> None:
        super().__init__()
        self.kind = kind
        self.obj = obj
        self.revealed = revealed
        self.showing = "object"  # or "definition"
        self.definition: Any = None
        self.definition_error = ""
        self.definition_loaded = False
        self._query = ""

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="cluster-header")
        yield Static(id="describe-title")
        yield JsonView(self.current_text(), id="describe-text")
        yield Input(placeholder="search (Enter), then n / N", id="describe-search")
        yield Footer()

    def on_mount(self) -> None:
        self.app.update_header(self.query_one(ClusterHeader), object_namespace(self.obj) or None)
        self.query_one("#describe-search").display = False
        self._show(reload=False)
        self.query_one(JsonView).focus()
        if self.kind.definition is not None:
            self._load_definition()
        if self.kind.inspect is not None:
            self._reload_object()  # the row may be a poll old: show the object as it is now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self.kind.name == "secrets"
        if action == "toggle_definition":
            return self.kind.definition is not None
        if action == "reload":
            return self.kind.inspect is not None
        return True

    # ------------------------------------------------------------------ content

    def object_json(self) -> Any:
        return self.kind.to_json(self.obj, RenderContext(now=self.app.now(), revealed=self.revealed))

    def current_text(self) -> str:
        if self.showing == "definition":
            if self.definition_error:
                return f"// {self.definition_error}"
            if not self.definition_loaded:
                return "// loading the definition…"
            data = to_jsonable(self.definition)
            if self.kind.name == "secrets" and not self.revealed:
                data = mask_secret(data)
            return _dumps(data)
        try:
            return _dumps(self.object_json())
        except Exception as exc:  # a bug rendering one odd object must not close the console
            log.exception("describe %s failed", self.kind.name)
            return safe_text(f"// cannot show this object: {type(exc).__name__}: {exc}")

    def _show(self, reload: bool = True) -> None:
        if reload:
            self.query_one(JsonView).show(self.current_text())
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {self.kind.title[:-1] if self.kind.title.endswith('s') else self.kind.title} ", style="bold")
        t.append(one_line(object_name(self.obj)))
        t.append(f"  [{self.showing}]", style="bold")
        if self.kind.definition is not None:
            t.append("  tab: object/definition", style="dim")
        if self.kind.name == "secrets":
            t.append("  values REVEALED" if self.revealed else "  values masked (ctrl+v reveals)",
                     style="bold reverse" if self.revealed else "dim")
        if self._query:
            t.append(f"  search: {one_line(self._query, 40)}", style="dim")
        self.query_one("#describe-title", Static).update(t)

    @work(exclusive=True, group="describe-definition")
    async def _load_definition(self) -> None:
        try:
            self.definition = await self.kind.definition(self.app.client, self.obj)
        except BcsError as exc:
            self.definition_error = f"no definition: {exc.message}"
        except ValueError as exc:  # an answer that does not parse (pydantic's ValidationError)
            self.definition_error = f"no definition: {type(exc).__name__}: {exc}"
        self.definition_loaded = True
        if self.showing == "definition":
            self._show()

    @work(exclusive=True, group="describe-object")
    async def _reload_object(self, announce: bool = False) -> None:
        try:
            fresh = await self.kind.inspect(self.app.client, self.obj)
        except BcsError as exc:
            self.app.flash(f"re-read {object_name(self.obj)}: {exc.message}", "warning")
            return
        except ValueError as exc:  # an answer that does not parse (pydantic's ValidationError)
            self.app.flash(f"re-read {object_name(self.obj)}: {type(exc).__name__}: {exc}", "warning")
            return
        if fresh is None:
            return
        before = self.current_text()
        self.obj = fresh
        if self.showing == "object" and self.current_text() != before:
            area = self.query_one(JsonView)
            scroll, cursor = area.scroll_offset, area.cursor_location
            self._show()
            # Same place in the text: a re-read must not throw the reader back to the top.
            area.cursor_location = cursor
            area.scroll_to(scroll.x, scroll.y, animate=False)
        if announce:
            self.app.flash(f"re-read {object_name(self.obj)}", "information")

    # ------------------------------------------------------------------ actions

    def action_reload(self) -> None:
        if self.kind.inspect is not None:
            self._reload_object(True)

    def action_back(self) -> None:
        search = self.query_one("#describe-search", Input)
        if search.display:
            search.display = False
            self.query_one(TextArea).focus()
            return
        self.dismiss()

    def action_toggle_definition(self) -> None:
        if self.kind.definition is None:
            return
        self.showing = "definition" if self.showing == "object" else "object"
        self._show()

    def action_reveal(self) -> None:
        if self.kind.name != "secrets":
            return
        self.revealed = not self.revealed
        self._show()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.current_text())
        self.app.flash(f"copied the {self.showing} JSON of {object_name(self.obj)} (OSC 52)", "information")

    def action_search(self) -> None:
        search = self.query_one("#describe-search", Input)
        search.display = True
        search.value = self._query
        search.focus()

    @on(Input.Submitted, "#describe-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._query = event.value
        event.input.display = False
        self.query_one(TextArea).focus()
        self._show(reload=False)
        if self._query and not self._find(forward=True, from_start=True):
            self.app.flash(f"not found: {self._query}", "warning")

    def action_next_match(self) -> None:
        if self._query and not self._find(forward=True):
            self.app.flash(f"not found: {self._query}", "warning")

    def action_previous_match(self) -> None:
        if self._query and not self._find(forward=False):
            self.app.flash(f"not found: {self._query}", "warning")

    def _find(self, *, forward: bool, from_start: bool = False) -> bool:
        """Select the next (or previous) case-insensitive match, wrapping around."""
        area = self.query_one(TextArea)
        lines = area.text.split("\n")
        needle = self._query.lower()
        if not needle:
            return False
        # Flatten to (row, col) positions of every match.
        matches = []
        for row, line in enumerate(lines):
            low = line.lower()
            start = low.find(needle)
            while start != -1:
                matches.append((row, start))
                start = low.find(needle, start + 1)
        if not matches:
            return False
        here = (0, -1) if from_start else area.selection.start
        if forward:
            target = next((m for m in matches if m > tuple(here)), matches[0])
        else:
            target = next((m for m in reversed(matches) if m < tuple(here)), matches[-1])
        row, col = target
        area.selection = Selection((row, col), (row, col + len(needle)))
        area.scroll_cursor_visible(center=True)
        return True

    def matches(self) -> int:
        needle = self._query.lower()
        return self.query_one(TextArea).text.lower().count(needle) if needle else 0
