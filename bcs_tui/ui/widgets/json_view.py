"""A read-only JSON viewer (TextArea with tree-sitter highlighting), safe to reload.

tree-sitter 0.26.1 (our lock) crashes the interpreter (SIGSEGV) when a second `Query` object is
freed, and Textual's TextArea builds a new highlight Query every time its document is replaced
(`load_text`, a language change). `install_query_cache()` makes `SyntaxAwareDocument.prepare_query`
return one cached Query per (language, query text), so no Query is ever freed. It is idempotent
and process-wide: any TextArea with a language (e.g. the manifest editor) should call it first.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea

_INSTALLED = False
_QUERIES: dict[tuple[int, str], Any] = {}
_LANGUAGES: list[Any] = []  # keep languages alive so their id() stays unique


def install_query_cache() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    try:
        from textual.document._syntax_aware_document import SyntaxAwareDocument
    except ImportError:  # tree-sitter not installed: TextArea falls back to plain text
        _INSTALLED = True
        return
    original = SyntaxAwareDocument.prepare_query

    def prepare_query(self: Any, query: str) -> Any:
        key = (id(self.language), query)
        cached = _QUERIES.get(key)
        if cached is None:
            cached = original(self, query)
            _QUERIES[key] = cached
            _LANGUAGES.append(self.language)
        return cached

    SyntaxAwareDocument.prepare_query = prepare_query  # type: ignore[method-assign]
    _INSTALLED = True


class JsonView(TextArea):
    """Read-only, line-numbered, highlighted JSON. Use `show(text)` to replace the content."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        install_query_cache()
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
