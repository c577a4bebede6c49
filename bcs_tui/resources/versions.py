"""The versions kind (the saved definitions of one application)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bcs_tui.api.errors import InvalidRequest
from bcs_tui.resources.definitions import with_instances
from bcs_tui.resources.writes import Write, WriteScope
from bcs_tui.resources.base import g, _fmt_time, age_col, col, DISABLED, FetchEnv, object_name, object_namespace, ResourceKind, RUNNING, Scope, to_epoch

# ---------------------------------------------------------------------------------------------
# Versions of an application


@dataclass
class VersionRow:
    id: str
    namespace: str
    application: str
    newest: bool = False

    @property
    def object_name(self) -> str:
        return self.id


async def fetch_versions(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: list versions (an array of unixNano version-ID strings, unsorted)."""
    parent = scope.parent
    if parent is None:
        return []
    ns, app = object_namespace(parent), object_name(parent)
    ids = [str(v) for v in (await env.client.list_versions(ns, app)) or []]
    newest = max(ids) if ids else None
    return [VersionRow(v, ns, app, v == newest) for v in ids]


async def _version_definition(client: Any, obj: VersionRow) -> Any:
    return await client.fetch_version(obj.namespace, obj.application, obj.id)


def _rollback(client: Any, o: Any, scope: WriteScope, *, body: dict, instances: int | None = None) -> Any:
    """Roll the application the versions were opened from back to this version."""
    app = scope.parent
    if app is None:
        raise InvalidRequest([("application", "open the versions from an application to roll back")], "rollback")
    process = str(g(app, "kind", "Kind", default="") or "").lower() == "process"
    return client.plan_rollback_application(object_namespace(app), with_instances(body, instances), process=process)


VERSIONS = ResourceKind(
    name="versions",
    title="Versions",
    aliases=("ver", "version", "versions"),
    columns=(
        col("VERSION", lambda o, rc: o.id),
        col("SAVED", lambda o, rc: _fmt_time(to_epoch(int(o.id)) if o.id.isdigit() else None),
            sort=lambda o, rc: o.id),
        age_col(lambda o: int(o.id) if o.id.isdigit() else None),
        col("", lambda o, rc: "newest" if o.newest else ""),
    ),
    fetch=fetch_versions,
    row_key=lambda o: o.id,
    status=lambda o: RUNNING if o.newest else DISABLED,
    is_bad=lambda o: False,
    needs_parent="applications",
    default_sort="VERSION",
    definition=_version_definition,
    noun="version",
    writes={"rollback": Write(_rollback, recheck="application")},
)
