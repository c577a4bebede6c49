"""Export the list in view: the rows as shown (filter, faults-only and sort applied; the columns
on screen), as CSV or JSON, to a file path the user types.

`rows_as_shown(table)` takes the titles and cells from the ResourceTable; `render(fmt, ...)`
makes the text; `write_export(path, text)` writes it (mode 600, never over an existing file
unless `overwrite`). `ExportModal` asks for the path (the format follows the extension:
`.json`, else CSV) and reports the outcome.

The cells are what the console drew (masked secrets stay masked). Server text is untrusted: a
CSV cell that a spreadsheet would run as a formula (`=`, `+`, `@`, a tab, or `-` not starting a
number) is prefixed with `'`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from bcs_tui.ui.textsafe import safe_text

FORMATS = ("csv", "json")
_NUMBER = re.compile(r"^-\d[\d.,:%]*$")


def format_for(path: str) -> str:
    return "json" if path.lower().endswith(".json") else "csv"


def rows_as_shown(table: Any) -> tuple[list[str], list[tuple[str, ...]]]:
    """(column titles, cells of every row shown) from a ResourceTable."""
    titles = [c.title for c in table.columns]
    return titles, [tuple(r.cells) for r in table.view_rows]


def _csv_cell(value: str) -> str:
    if value and (value[0] in "=+@\t\r" or (value[0] == "-" and not _NUMBER.match(value))):
        return "'" + value
    return value


def render(fmt: str, titles: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(titles, row)) for row in rows], ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(titles)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")


def write_export(path: Path, text: str, *, overwrite: bool = False) -> None:
    """Write `text` to `path` (mode 600). FileExistsError unless `overwrite`."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def default_path(kind_name: str, namespace: str | None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    where = f"-{namespace}" if namespace else ""
    return f"~/bcs-{kind_name}{where}-{stamp}.csv"


class ExportModal(ModalScreen[str | None]):
    """Asks for a file path; writes the rows there. Returns a one-line outcome, or None if cancelled."""

    DEFAULT_CSS = """
    ExportModal { align: center middle; }
    ExportModal > Vertical {
        width: 90%; max-width: 110; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    ExportModal #export-title { text-style: bold; width: 100%; }
    ExportModal #export-hint { color: $text-muted; }
    ExportModal #export-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, titles: list[str], rows: list[tuple[str, ...]], what: str, path: str) -> None:
        super().__init__()
        self.titles = titles
        self.rows = rows
        self.what = what
        self.initial_path = path
        self._overwrite_path: Path | None = None  # Enter twice on an existing file overwrites it

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(safe_text(f"Export the {len(self.rows)} {self.what} rows shown"), id="export-title")
            yield Input(self.initial_path, id="export-path")
            yield Static("Enter writes (.json for JSON, otherwise CSV) · Esc cancels", id="export-hint")
            yield Static("", id="export-error")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, text: str) -> None:
        self.query_one("#export-error", Static).update(safe_text(text))

    @on(Input.Submitted, "#export-path")
    def _submit(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        if not raw:
            self._error("type a file path")
            return
        if any(ord(c) < 0x20 for c in raw):
            self._error("the path contains control characters")
            return
        path = Path(raw).expanduser()
        fmt = format_for(raw)
        try:
            if path.is_dir():
                self._error(f"{path} is a directory: add a file name")
                return
            text = render(fmt, self.titles, self.rows)
            write_export(path, text, overwrite=self._overwrite_path == path)
        except FileExistsError:
            self._overwrite_path = path
            self._error(f"{path} exists: press Enter again to overwrite it")
            return
        except OSError as exc:
            self._error(f"cannot write {path}: {exc.strerror or exc}")
            return
        self.dismiss(f"exported {len(self.rows)} rows as {fmt.upper()} to {path}")
