"""A small form modal for operation input: scale, signal, command, reschedule, commit image,
taints, attributes. The caller describes the fields and passes a `validate` function; the form
only closes when `validate` accepts the values, otherwise it shows the message under the form
and puts the cursor on the field (and line) at fault. Nothing is sent from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from bcs_tui.ui.textsafe import safe_renderable, safe_text
from bcs_tui.ui.validators import InvalidInput


@dataclass
class Field:
    """One form field. `kind`: "input" (one line), "text" (multi-line), "check", "select"."""

    name: str
    label: str
    kind: str = "input"
    value: Any = ""
    options: list[tuple[str, Any]] = field(default_factory=list)
    placeholder: str = ""
    hint: str = ""
    height: int = 6


class _Fields(VerticalScroll, can_focus=False):
    """The scrolling field area: Tab goes from field to field, not to the container."""


class FormModal(ModalScreen[Any]):
    """Returns whatever `validate(values)` returned, or None when cancelled."""

    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 95%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    FormModal #form-title { text-style: bold; width: 100%; }
    FormModal #form-fields { height: auto; max-height: 40; }
    FormModal .form-label { margin-top: 1; text-style: bold; }
    FormModal .form-hint { color: $text-muted; }
    FormModal TextArea { height: 6; }
    FormModal #form-error { color: $error; text-style: bold; height: auto; }
    FormModal #form-buttons { height: auto; align-horizontal: right; }
    FormModal Button { margin-left: 2; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "submit", "Next", show=False, priority=True),
    ]

    def __init__(self, title: str, fields: list[Field], validate: Callable[[dict[str, Any]], Any], *,
                 intro: RenderableType | None = None, submit_label: str = "Next") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.validate = validate
        self.intro = intro
        self.submit_label = submit_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_text(self.title_text)), id="form-title")
            with _Fields(id="form-fields"):
                if self.intro is not None:
                    yield Static(safe_renderable(self.intro), id="form-intro")
                for f in self.fields:
                    if f.kind != "check":
                        yield Label(Text(safe_text(f.label)), classes="form-label")
                    if f.kind == "input":
                        yield Input(str(f.value or ""), placeholder=f.placeholder, id=f"field-{f.name}")
                    elif f.kind == "text":
                        area = TextArea(str(f.value or ""), id=f"field-{f.name}", soft_wrap=False,
                                        show_line_numbers=True)
                        area.styles.height = f.height
                        yield area
                    elif f.kind == "check":
                        yield Checkbox(f.label, bool(f.value), id=f"field-{f.name}")
                    elif f.kind == "select":
                        yield Select(f.options, value=f.value if f.value is not None else Select.BLANK,
                                     allow_blank=False, id=f"field-{f.name}")
                    if f.hint:
                        yield Label(Text(safe_text(f.hint)), classes="form-hint")
            yield Static("", id="form-error")
            yield Label(Text("ctrl+s / Enter next · Esc cancel"), classes="form-hint")
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="form-cancel")
                yield Button(self.submit_label, id="form-submit", variant="warning")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                out[f.name] = widget.text
            elif isinstance(widget, (Input, Checkbox, Select)):
                out[f.name] = widget.value
        return out

    def action_submit(self) -> None:
        try:
            result = self.validate(self.values())
        except InvalidInput as exc:
            self.show_error(exc)
            return
        self.dismiss(result)

    def show_error(self, exc: InvalidInput) -> None:
        self.query_one("#form-error", Static).update(Text(safe_text(exc.describe())))
        target = next((f for f in self.fields if exc.field in (f.name, f.label)), None)
        if target is None:
            return
        widget = self.query_one(f"#field-{target.name}")
        widget.focus()
        if isinstance(widget, TextArea) and exc.line is not None:
            widget.move_cursor((max(0, exc.line - 1), max(0, (exc.column or 1) - 1)))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
