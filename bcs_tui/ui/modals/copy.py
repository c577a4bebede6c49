"""Copy (`w`): the name, the ID or the JSON of the row to the clipboard via OSC 52 (works over SSH
and in tmux with `set-clipboard on`)."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from bcs_tui.resources import RenderContext, ResourceKind, object_name
from bcs_tui.ui.textsafe import one_line, safe_text


def copy_choices(kind: ResourceKind, obj: Any, *, revealed: bool = False, now: float = 0.0) -> dict[str, str]:
    """label -> the text copied for it."""
    name = object_name(obj)
    ident = kind.copy_id(obj) if kind.copy_id else str(kind.row_key(obj))
    choices = {"name": safe_text(name)}
    if ident and ident != name:
        choices["id"] = safe_text(ident)
    try:
        data = kind.to_json(obj, RenderContext(now=now, revealed=revealed))
        choices["json"] = safe_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    except Exception:  # one odd object must not close the console: name and id are still offered
        pass
    return choices


class CopyScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    CopyScreen { align: center middle; }
    CopyScreen > Vertical { width: 70; height: auto; max-height: 14; border: round $primary; background: $panel; padding: 0 1; }
    CopyScreen OptionList { height: auto; max-height: 8; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("n", "pick('name')", "Name", show=False),
        Binding("i", "pick('id')", "ID", show=False),
        Binding("j", "pick('json')", "JSON", show=False),
    ]

    def __init__(self, kind: ResourceKind, obj: Any, *, revealed: bool = False) -> None:
        super().__init__()
        self.kind = kind
        self.obj = obj
        self.revealed = revealed
        self.choices: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        self.choices = copy_choices(self.kind, self.obj, revealed=self.revealed, now=self.app.now())
        labels = {"name": "[n] name", "id": "[i] ID", "json": "[j] JSON"}
        options = []
        for key, text in self.choices.items():
            preview = one_line(text, 50)
            options.append(Option(f"{labels[key]:10} {preview}", id=key))
        with Vertical():
            yield Static("Copy to the clipboard (OSC 52)")
            yield OptionList(*options, markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(event.option.id or "name")

    def action_pick(self, which: str) -> None:
        text = self.choices.get(which)
        if text is None:
            return
        self.app.copy_to_clipboard(text)
        what = "JSON" if which == "json" else which
        self.app.flash(f"copied {what}: {one_line(text, 60)}", "information")
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
