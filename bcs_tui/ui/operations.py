"""Write operations from the keyboard: one handler per dangerous action of bcs_tui/actions.py.

The browser calls `await app.operations.run(action_id, ActionContext(...))`. Every write goes
input modal -> validation (nothing sent on bad input) -> confirmation naming the targets and the
exact request(s) -> send -> a result per target. Read-only contexts are refused before any modal
opens (the client refuses as well).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from bcs_tui.actions import ACTIONS_BY_ID

log = logging.getLogger(__name__)


@dataclass
class ActionContext:
    """What the browser hands to `Operations.run`.

    `kind`: the ResourceKind name of the list; `namespace`: the view's namespace (None = all or
    not namespaced); `targets`: the model objects of the marked rows, or the cursor row;
    `screen`: the screen the action came from (has `refresh_now()`); `parent`: the object the
    list was opened from (the application of a taskgroup list ...), or None."""

    kind: str
    namespace: str | None
    targets: list
    screen: Any
    parent: Any = None


Handler = Callable[[ActionContext], Awaitable[None]]


class Operations:
    """Runs write actions (and `versions`, `rollout_view`) for the app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._handlers: dict[str, Handler] = {}

    async def run(self, action_id: str, ctx: ActionContext) -> None:
        """Run `action_id` on `ctx`; never raises (errors are flashed)."""
        action = ACTIONS_BY_ID.get(action_id)
        if action is None:
            self.app.notify(f"unknown action {action_id!r}", severity="error", markup=False)
            return
        if action.dangerous and self.app.read_only:
            self.app.notify(f"{action.description}: refused, this context is read-only",
                            severity="error", markup=False)
            return
        handler = self._handlers.get(action_id)
        if handler is None:
            self.app.notify(f"{action.description}: not available yet", severity="warning", markup=False)
            return
        await handler(ctx)
