"""The manifest editor: JSON with syntax highlighting, validated before anything is sent.

ctrl+s validates (JSON syntax, kind, name, namespace, the request model) and closes with the
parsed object; an error is shown with its line and field and the cursor jumps there. ctrl+e opens
the text in $EDITOR (the app is suspended meanwhile). ctrl+f reformats, ctrl+r restores the
starting text. The diff against the live definition comes in the confirmation that follows.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from bcs_tui.children import run_interactive
from bcs_tui.localfiles import MIB, LocalFileError, read_text
from bcs_tui.ui.textsafe import one_line, safe_text
from bcs_tui.ui.validators import InvalidInput, ManifestRules, validate_manifest


MANIFEST_FILE_LIMIT = 8 * MIB


@dataclass
class ManifestResult:
    data: dict
    text: str


class ManifestEditor(ModalScreen[ManifestResult | None]):
    DEFAULT_CSS = """
    ManifestEditor { align: center middle; }
    ManifestEditor > Vertical {
        width: 96%; height: 94%; border: thick $warning; background: $surface; padding: 0 1;
    }
    ManifestEditor #manifest-title { text-style: bold; width: 100%; }
    ManifestEditor TextArea { height: 1fr; }
    ManifestEditor #manifest-error { color: $error; text-style: bold; height: auto; }
    ManifestEditor .hint { color: $text-muted; }
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Validate & review", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True),
        Binding("ctrl+f", "format", "Format", priority=True),
        Binding("ctrl+r", "reset", "Reset", priority=True),
        # priority: the JSON editor indents with tab, and its escape only moves the focus (to
        # itself: nothing else here takes focus), so without priority Esc could never cancel.
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, title: str, text: str, rules: ManifestRules, *, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial_text = inert_json_text(text)
        self.rules = rules
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_text(self.title_text)), id="manifest-title")
            if self.note:
                yield Label(Text(safe_text(self.note)), classes="hint", id="manifest-note")
            yield json_text_area(self.initial_text, id="manifest-text")
            yield Static("", id="manifest-error")
            yield Label(Text("ctrl+s validate & review diff · ctrl+e $EDITOR · ctrl+f format · "
                             "ctrl+r reset · Esc cancel"), classes="hint")

    def on_mount(self) -> None:
        self.editor.focus()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#manifest-text", TextArea)

    @property
    def text(self) -> str:
        return self.editor.text

    def set_text(self, text: str) -> None:
        self.editor.load_text(inert_json_text(text))

    def action_submit(self) -> None:
        try:
            data = validate_manifest(self.text, self.rules)
        except InvalidInput as exc:
            self.show_error(exc)
            return
        self.dismiss(ManifestResult(data=data, text=self.text))

    def show_error(self, exc: InvalidInput) -> None:
        self.query_one("#manifest-error", Static).update(Text(safe_text(exc.describe())))
        if exc.line is not None:
            self.editor.move_cursor((exc.line - 1, max(0, (exc.column or 1) - 1)), center=True)
        self.editor.focus()

    def action_format(self) -> None:
        try:
            data = json.loads(self.text)
        except json.JSONDecodeError as exc:
            self.show_error(InvalidInput(f"JSON syntax error: {exc.msg}", line=exc.lineno, column=exc.colno))
            return
        self.set_text(json.dumps(data, indent=2, ensure_ascii=False))
        self.query_one("#manifest-error", Static).update("")

    def action_reset(self) -> None:
        self.set_text(self.initial_text)
        self.query_one("#manifest-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_external_editor(self) -> None:
        """Round-trip the text through $VISUAL / $EDITOR. The file lives in a private temporary
        directory that is removed afterwards, whatever the editor left there (swap files, or a
        directory where the file was). What comes back must be a UTF-8 text file; anything else
        (deleted, a directory, invalid UTF-8, too big, the editor exited with an error) leaves
        the text here unchanged and says so."""
        note = self.query_one("#manifest-error", Static)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        shown = one_line(editor, 80)
        try:
            argv = shlex.split(editor)
        except ValueError as exc:
            note.update(Text(f"cannot run $EDITOR ({shown}): {exc}"))
            return
        if not argv:
            note.update(Text("$EDITOR is empty"))
            return
        tmpdir = tempfile.mkdtemp(prefix="bcs-tui-edit-")
        path = os.path.join(tmpdir, "manifest.json")
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self.text)
            try:
                with self.app.suspend():
                    # No token in its environment; SIGINT/SIGQUIT are the editor's meanwhile.
                    code = run_interactive([*argv, path])
            except Exception as exc:  # SuspendNotSupported (no terminal), editor not found ...
                note.update(Text(f"cannot run $EDITOR ({shown}): {one_line(str(exc), 200)}"))
                return
            unchanged = "your edit is discarded; the text here is unchanged"
            if code != 0:
                note.update(Text(f"$EDITOR ({shown}) exited with code {code}: {unchanged}"))
                return
            try:
                edited, _ = read_text(path, limit=MANIFEST_FILE_LIMIT, what="the edited file")
            except LocalFileError as exc:
                what = "was deleted" if exc.missing else one_line(exc.message.replace(f"the edited file {path}", "").strip(), 200)
                note.update(Text(f"the file from $EDITOR {what}: {unchanged}"))
                return
            self.set_text(edited)
            note.update(Text("text loaded back from $EDITOR; ctrl+s validates"))
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)


def json_text_area(text: str, **kwargs: Any) -> TextArea:
    """A JSON code editor with highlighting (tree-sitter-json; pinned tree-sitter < 0.26, whose
    0.26.1 segfaults in TextArea). Without a grammar it still edits as plain text."""
    area = TextArea.code_editor(text, soft_wrap=False, tab_behavior="indent", **kwargs)
    try:
        area.language = "json"
    except Exception:  # no tree-sitter grammar: plain text still edits fine
        pass
    return area


_RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def inert_json_text(text: str) -> str:
    """Control characters as JSON `\\u` escapes, so the editor never sends them to the terminal.
    json.dumps escapes C0 but not DEL and the C1 range (an 8-bit CSI from a server label would
    reach the terminal); inside a JSON string the escape means the same character."""
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def manifest_text(obj: Any) -> str:
    """Starting text of the editor for a definition."""
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)
