"""Version picker: the saved versions of an application, newest first, with a diff of the
highlighted version against the newest. Enter (or `b`) picks it for a rollback; the rollback
confirmation follows. Versions are loaded as they are highlighted (one request each, cached)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from bcs_tui.ui.modals.diff import render_diff
from bcs_tui.ui.textsafe import safe_text


def version_time(version_id: str) -> str:
    """Version ids are the unixNano time of the save."""
    try:
        return datetime.fromtimestamp(int(version_id) / 1e9, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    except (ValueError, OverflowError, OSError):
        return ""


class VersionPicker(ModalScreen[tuple[str, dict] | None]):
    DEFAULT_CSS = """
    VersionPicker { align: center middle; }
    VersionPicker > Vertical {
        width: 96%; height: 92%; border: thick $primary; background: $surface; padding: 0 1;
    }
    VersionPicker #versions-title { text-style: bold; }
    VersionPicker OptionList { width: 50; height: 1fr; }
    VersionPicker #versions-diff-scroll { height: 1fr; }
    VersionPicker .hint { color: $text-muted; }
    VersionPicker #versions-error { color: $error; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("b", "pick", "Roll back to this"),
    ]

    def __init__(self, title: str, version_ids: list[str], load: Callable[[str], Awaitable[dict]], *,
                 preselect: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.version_ids = version_ids  # newest first
        self.load = load
        self.preselect = preselect
        self.cache: dict[str, dict] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_text(self.title_text)), id="versions-title")
            with Horizontal():
                yield OptionList(*[Option(Text(safe_text(f"{v}  {version_time(v)}" + ("  newest" if i == 0 else ""))),
                                          id=f"v{v}")
                                   for i, v in enumerate(self.version_ids)], id="versions-list")
                with VerticalScroll(id="versions-diff-scroll"):
                    yield Static(Text("Highlight a version to see its diff against the newest."), id="versions-diff")
            yield Static("", id="versions-error")
            yield Label(Text("↑↓ choose · Enter / b roll back to the highlighted version · Esc cancel "
                             "(times are UTC)"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        index = self.version_ids.index(self.preselect) if self.preselect in self.version_ids else (
            1 if len(self.version_ids) > 1 else 0)
        options.highlighted = index

    @property
    def highlighted_id(self) -> str | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.version_ids):
            return None
        return self.version_ids[index]

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        version_id = self.highlighted_id
        if version_id is not None:
            self._show(version_id)

    @work(exclusive=True, group="version-diff")
    async def _show(self, version_id: str) -> None:
        diff = self.query_one("#versions-diff", Static)
        try:
            newest = await self._get(self.version_ids[0])
            chosen = await self._get(version_id)
        except Exception as exc:  # the picker stays usable; the message says why
            self.query_one("#versions-error", Static).update(Text(safe_text(f"cannot load version {version_id}: "
                                                                  f"{getattr(exc, 'message', None) or exc}")))
            return
        self.query_one("#versions-error", Static).update("")
        if version_id == self.version_ids[0]:
            diff.update(Text(f"{version_id} is the newest version (rolling back to it changes nothing)."))
        else:
            diff.update(render_diff(newest, chosen, old_label=f"newest {self.version_ids[0]}",
                                    new_label=f"version {version_id}"))

    async def _get(self, version_id: str) -> dict:
        if version_id not in self.cache:
            self.cache[version_id] = await self.load(version_id)
        return self.cache[version_id]

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick()

    def action_pick(self) -> None:
        self._pick()

    @work(exclusive=True, group="version-pick")
    async def _pick(self) -> None:
        version_id = self.highlighted_id
        if version_id is None:
            return
        if version_id == self.version_ids[0]:
            self.query_one("#versions-error", Static).update(
                Text(f"{version_id} is the newest version: pick an older one to roll back to"))
            return
        try:
            body = await self._get(version_id)
        except Exception as exc:
            self.query_one("#versions-error", Static).update(
                Text(safe_text(f"cannot load version {version_id}: {getattr(exc, 'message', None) or exc}")))
            return
        self.dismiss((version_id, body))

    def action_cancel(self) -> None:
        self.dismiss(None)
