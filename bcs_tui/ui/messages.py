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


class RunAction(Message):
    """Ask the app to run a write action (the operation pipeline) on `targets` of list `kind`:
    screens post this instead of importing the pipeline (the rollout view's p/r/C, the command
    output's delete). `screen` is refreshed afterwards (`refresh_now()`) when it still exists."""

    def __init__(self, action_id: str, kind: str, namespace: str | None, targets: list, screen: Any,
                 parent: Any = None) -> None:
        super().__init__()
        self.action_id = action_id
        self.kind = kind
        self.namespace = namespace
        self.targets = targets
        self.screen = screen
        self.parent = parent
