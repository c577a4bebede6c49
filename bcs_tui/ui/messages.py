"""Messages between the console's screens and widgets."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class OpenView(Message):
    """Ask the browser to open a registry view (`kind` name or alias, and a `Scope` or None)."""

    def __init__(self, kind: str, scope: Any = None) -> None:
        super().__init__()
        self.kind = kind
        self.scope = scope
