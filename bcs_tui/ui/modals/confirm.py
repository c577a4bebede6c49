"""Confirmation before any write: names the target(s) and shows the exact request(s).

`typed` makes the user type a word first (the object's name, or the count for a bulk delete);
until it matches, nothing can be confirmed. The default answer is No: Escape and `n` cancel.

What is sent is always on screen before it can be confirmed: the title and the note are cut to
two lines (a 100 KB command must not push the targets and the request off the modal), the
targets and requests scroll (bodies and long lists are cut with a count by `render_requests`),
and a terminal too small to show them (below MIN_SIZE) gets a notice instead, with `y`, the
Send button and Enter refused until it is enlarged.
"""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from bcs_tui.ui.modals.plan import PlannedRequest, render_requests
from bcs_tui.ui.textsafe import one_line, safe_renderable, safe_text
from bcs_tui.ui.validators import confirm_matches

TITLE_CHARS = 240
# Title and note (2 lines each), hint, typed word (3), buttons (4), border (2), and at least 3
# lines of targets and requests, in a box of at most 90 % of the screen.
MIN_WIDTH = 50
MIN_HEIGHT = 16
MIN_HEIGHT_TYPED = 19


def _cut(text: str, limit: int) -> str:
    text = one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + f"… ({len(text)} chars)"


class ConfirmModal(ModalScreen[bool]):
    """Returns True to send, False to cancel."""

    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical {
        width: 90%; max-width: 130; height: auto; max-height: 90%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    ConfirmModal #confirm-title { text-style: bold; color: $error; width: 100%; max-height: 2; }
    ConfirmModal #confirm-note { max-height: 2; }
    ConfirmModal #confirm-main { height: auto; }
    ConfirmModal #confirm-too-small { color: $error; text-style: bold; display: none; }
    ConfirmModal.-too-small #confirm-too-small { display: block; }
    ConfirmModal.-too-small #confirm-main { display: none; }
    ConfirmModal.-too-small #confirm-title { display: none; }
    ConfirmModal #confirm-body { height: auto; min-height: 3; max-height: 30; }
    ConfirmModal #confirm-details { height: auto; }
    ConfirmModal #confirm-requests { height: auto; }
    ConfirmModal #confirm-typed { margin-top: 1; }
    ConfirmModal #confirm-hint { color: $text-muted; }
    ConfirmModal #confirm-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmModal Button { margin-left: 2; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("n", "answer_no", "No", show=False),
        Binding("y", "confirm", "Yes", show=False),
        Binding("ctrl+s", "confirm", "Send", show=False),
        Binding("down", "scroll_body('down')", show=False),
        Binding("up", "scroll_body('up')", show=False),
        Binding("pagedown", "scroll_body('page_down')", show=False),
        Binding("pageup", "scroll_body('page_up')", show=False),
        Binding("end", "scroll_body('end')", show=False),
        Binding("home", "scroll_body('home')", show=False),
    ]

    def __init__(self, title: str, requests: list[PlannedRequest], *, typed: str | None = None,
                 details: RenderableType | None = None, note: str = "", confirm_label: str = "Send") -> None:
        super().__init__()
        self.title_text = title
        self.requests = requests
        self.typed = typed
        self.details = details
        self.note = note
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(_cut(self.title_text, TITLE_CHARS)), id="confirm-title")
            yield Label(Text("Too small! Esc cancels; enlarge the terminal to see what would be "
                             "sent and to confirm."), id="confirm-too-small")
            with Vertical(id="confirm-main"):
                with VerticalScroll(id="confirm-body"):
                    if self.details is not None:
                        yield Static(safe_renderable(self.details), id="confirm-details")
                    yield Static(render_requests(self.requests), id="confirm-requests")
                if self.note:
                    yield Label(Text(_cut(self.note, TITLE_CHARS)), id="confirm-note")
                if self.typed is not None:
                    yield Label(Text(safe_text(f"Type {one_line(self.typed, 80)} to confirm:")), id="confirm-hint")
                    yield Input(placeholder=one_line(self.typed, 80), id="confirm-typed")
                else:
                    yield Label(Text("y send · n / Esc cancel · ↑↓ PgUp PgDn scroll"), id="confirm-hint")
                with Horizontal(id="confirm-buttons"):
                    yield Button("Cancel", id="confirm-no")
                    yield Button(self.confirm_label, id="confirm-yes", variant="error",
                                 disabled=self.typed is not None)

    @property
    def too_small(self) -> bool:
        """The screen cannot show the targets and requests with the answer line: no answer then."""
        size = self.app.size
        need = MIN_HEIGHT_TYPED if self.typed is not None else MIN_HEIGHT
        return size.width < MIN_WIDTH or size.height < need

    def _fit(self) -> None:
        self.set_class(self.too_small, "-too-small")
        self.query_one("#confirm-yes", Button).disabled = self.too_small or not self._typed_ok()

    def on_resize(self) -> None:
        self._fit()

    def action_scroll_body(self, how: str) -> None:
        body = self.query_one("#confirm-body", VerticalScroll)
        getattr(body, f"scroll_{how}")(animate=False)

    def on_mount(self) -> None:
        self._fit()
        if self.typed is not None:
            self.query_one("#confirm-typed", Input).focus()
        else:
            # Focus Cancel so a stray Enter does not send.
            self.query_one("#confirm-no", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While typing the confirmation word, `y` and `n` are letters, not answers.
        if action in ("confirm", "answer_no") and isinstance(self.focused, Input):
            return False
        if action == "confirm" and self.too_small:
            return False
        return True

    def _typed_ok(self) -> bool:
        if self.too_small:
            return False
        if self.typed is None:
            return True
        return confirm_matches(self.query_one("#confirm-typed", Input).value, self.typed)

    @on(Input.Changed, "#confirm-typed")
    def _typed_changed(self, event: Input.Changed) -> None:
        self.query_one("#confirm-yes", Button).disabled = not self._typed_ok()

    @on(Input.Submitted, "#confirm-typed")
    def _typed_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._typed_ok():
            self.dismiss(True)
        else:
            self.query_one("#confirm-hint", Label).update(
                Text(safe_text(f"That does not match. Type {self.typed} to confirm, Esc to cancel.")))

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm-no")
    def _no(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    def action_confirm(self) -> None:
        if self._typed_ok():
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_answer_no(self) -> None:
        self.dismiss(False)


def summary_title(verb: str, targets: list[Any], noun: str) -> str:
    """`Scale application web?` / `Delete 3 configmaps?`"""
    if len(targets) == 1:
        return f"{verb} {noun} {targets[0]}?"
    return f"{verb} {len(targets)} {noun}s?"
