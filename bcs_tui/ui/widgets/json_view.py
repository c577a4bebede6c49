"""A read-only JSON viewer (TextArea with tree-sitter highlighting), safe to reload.

tree-sitter is pinned below 0.26 in pyproject.toml: 0.26.1 crashes the interpreter (SIGSEGV)
when Textual 8.2's TextArea frees a highlight Query (every `load_text`); 0.25 does not, so no
patch of Textual's private document classes is needed.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea


class JsonView(TextArea):
    """Read-only, line-numbered, highlighted JSON. Use `show(text)` to replace the content."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("show_line_numbers", True)
        kwargs.setdefault("soft_wrap", False)
        super().__init__(text, **kwargs)
        self.cursor_blink = False  # steady cursor: calmer, and snapshots stay deterministic

    def on_mount(self) -> None:
        try:
            self.language = "json"
        except Exception:
            pass  # no grammar available: plain text is still readable

    def show(self, text: str) -> None:
        self.load_text(text)
