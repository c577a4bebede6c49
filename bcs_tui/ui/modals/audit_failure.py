"""The audit log could not be written: said in a modal that stays until the user acknowledges it.

Until then the client refuses every write (a write whose intent line cannot be written is never
sent); acknowledging lets the next write try again, and it is refused again while the log still
fails. Never silent.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from bcs_tui.ui.textsafe import safe_text


class AuditFailureModal(ModalScreen[bool]):
    """Returns True once acknowledged (Enter / a); Escape closes without acknowledging."""

    DEFAULT_CSS = """
    AuditFailureModal { align: center middle; }
    AuditFailureModal > Vertical {
        width: 80%; max-width: 110; height: auto; border: thick $error; background: $surface; padding: 0 1;
    }
    AuditFailureModal #audit-title { text-style: bold; color: $error; }
    AuditFailureModal #audit-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape", "dismiss_no", "Close", show=False),
        Binding("a", "acknowledge", "Acknowledge", show=False),
    ]

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("The audit log could not be written", id="audit-title")
            yield Static(Text(safe_text(self.error)), id="audit-error")
            yield Static(Text("Writes are refused until you acknowledge this (a write is never sent without its "
                              "audit line). Fix the log (disk space, permissions) and acknowledge to try again."))
            with Horizontal(id="audit-buttons"):
                yield Button("Acknowledge (a)", id="audit-ack", variant="error")

    def on_mount(self) -> None:
        self.query_one("#audit-ack", Button).focus()

    @on(Button.Pressed, "#audit-ack")
    def _ack(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_acknowledge()

    def action_acknowledge(self) -> None:
        self.dismiss(True)

    def action_dismiss_no(self) -> None:
        self.dismiss(False)
