"""The commands kind (commands issued from this console)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bcs_tui.resources.writes import Write
from bcs_tui.resources.base import age_col, col, FetchEnv, g, ResourceKind, Scope, status_class, to_jsonable

# ---------------------------------------------------------------------------------------------
# Commands issued from this console


@dataclass
class IssuedCommand:
    """A command this console sent (`POST /command/{kind}/{ns}/{name}`): kept in app state so
    the commands view can follow it. `info` is the last `BcsCommandInfo` read, `error` the last
    read failure."""

    id: str
    kind: str  # "application" | "deployment"
    namespace: str
    name: str
    command: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    info: Any = None
    error: str = ""

    @property
    def object_name(self) -> str:
        return self.id

    def task_statuses(self) -> list[str]:
        out = []
        for tg in g(g(self.info, "status"), "taskgroups", default=[]) or []:
            for task in g(tg, "tasks", default=[]) or []:
                out.append(str(g(task, "status", default="") or ""))
        return out

    def aggregate_status(self) -> str:
        if self.error:
            return "unknown"
        states = [s.lower() for s in self.task_statuses()]
        if not states:
            return "staging" if self.info is None else "finish"
        if "failed" in states:
            return "failed" if all(s in ("failed", "finish") for s in states) and "finish" not in states else "partial"
        if all(s == "finish" for s in states):
            return "finish"
        return "running"

    def to_json(self) -> Any:
        return {"id": self.id, "target": f"{self.kind}/{self.namespace}/{self.name}",
                "command": self.command, "info": to_jsonable(self.info), "error": self.error}


async def fetch_commands(env: FetchEnv, scope: Scope) -> list[Any]:
    """One get-command request per command issued from this console (the list is capped at 50)."""
    from bcs_tui.api.errors import BcsError

    commands = list(env.commands)[-50:]
    for cmd in commands:
        if cmd.info is not None and cmd.aggregate_status() in ("finish", "failed"):
            continue  # finished commands do not change
        try:
            cmd.info = await env.client.get_command(cmd.kind, cmd.namespace, cmd.name, cmd.id)
            cmd.error = ""
        except BcsError as exc:
            cmd.error = exc.message
    if scope.namespace:
        commands = [c for c in commands if c.namespace == scope.namespace]
    return commands


def _cmd_counts(o: IssuedCommand) -> str:
    states = [s.lower() for s in o.task_statuses()]
    if not states:
        return "-"
    done = sum(1 for s in states if s == "finish")
    failed = sum(1 for s in states if s == "failed")
    return f"{done}/{len(states)}" + (f" ({failed} failed)" if failed else "")


COMMANDS = ResourceKind(
    name="commands",
    title="Commands",
    aliases=("cmd", "command"),
    columns=(
        col("ID", lambda o, rc: o.id),
        col("TARGET", lambda o, rc: f"{o.kind}/{o.namespace}/{o.name}"),
        col("COMMAND", lambda o, rc: " ".join(o.command)),
        col("STATUS", lambda o, rc: o.aggregate_status(), status=lambda o: status_class(o.aggregate_status())),
        col("TASKS", lambda o, rc: _cmd_counts(o)),
        age_col(lambda o: o.created),
        col("ERROR", lambda o, rc: o.error),
    ),
    fetch=fetch_commands,
    row_key=lambda o: o.id,
    status=lambda o: status_class(o.aggregate_status()),
    namespaced=True,
    noun="command",
    writes={"delete": Write(lambda client, o, scope: client.plan_delete_command(o.kind, o.namespace, o.name, o.id))},
)
