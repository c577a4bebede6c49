"""The contexts kind (from settings; Enter switches)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bcs_tui.resources.base import col, DISABLED, FetchEnv, g, ResourceKind, RUNNING, Scope, WARNING

# ---------------------------------------------------------------------------------------------
# Contexts (from settings; Enter switches)


@dataclass
class ContextRow:
    name: str
    server: str
    cluster_id: str
    namespace: str
    read_only: bool
    production: bool
    current: bool
    context: Any = None

    @property
    def object_name(self) -> str:
        return self.name

    def to_json(self) -> Any:
        # Never the token: only the descriptive fields.
        return {"name": self.name, "server": self.server, "cluster_id": self.cluster_id,
                "namespace": self.namespace, "read_only": self.read_only, "production": self.production}


async def fetch_contexts(env: FetchEnv, scope: Scope) -> list[Any]:
    """No request: the contexts of the config file."""
    out = []
    for ctx in env.contexts:
        name = str(g(ctx, "name", default=""))
        out.append(ContextRow(
            name=name,
            server=str(g(ctx, "server", default="")),
            cluster_id=str(g(ctx, "cluster_id", default="")),
            namespace=str(g(ctx, "namespace", default="") or ""),
            read_only=bool(g(ctx, "read_only", default=False)),
            production=bool(g(ctx, "production", default=False)),
            current=name == env.current_context,
            context=ctx,
        ))
    return out


CONTEXTS = ResourceKind(
    name="contexts",
    title="Contexts",
    aliases=("ctx", "context"),
    columns=(
        col("", lambda o, rc: "*" if o.current else ""),
        col("NAME", lambda o, rc: o.name),
        col("SERVER", lambda o, rc: o.server),
        col("CLUSTER", lambda o, rc: o.cluster_id),
        col("NAMESPACE", lambda o, rc: o.namespace),
        col("READ-ONLY", lambda o, rc: "yes" if o.read_only else ""),
        col("PRODUCTION", lambda o, rc: "yes" if o.production else "", status=lambda o: WARNING if o.production else None),
    ),
    fetch=fetch_contexts,
    row_key=lambda o: o.name,
    status=lambda o: RUNNING if o.current else DISABLED,
    is_bad=lambda o: False,
)
