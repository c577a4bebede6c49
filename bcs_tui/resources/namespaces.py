"""The namespaces kind (storage namespaces with their application counts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bcs_tui.resources.base import BAD_CLASSES, col, FAILED, FetchEnv, g, object_namespace, ResourceKind, RUNNING, Scope, status_class, storage_list

# ---------------------------------------------------------------------------------------------
# Namespaces


@dataclass
class NamespaceSummary:
    name: str
    applications: int = 0
    taskgroups: int = 0
    abnormal_applications: int = 0
    bad_taskgroups: int = 0

    @property
    def object_name(self) -> str:
        return self.name


async def fetch_namespaces(env: FetchEnv, scope: Scope) -> list[Any]:
    """Storage's complete namespace list (2 requests), one complete application query and one
    complete taskgroup query over all namespaces (projected rows)."""
    names = sorted(str(n) for n in (await env.client.storage_list_namespaces()) or [])
    rows = {n: NamespaceSummary(n) for n in names}
    apps = await storage_list(env, "application", None)
    for app in apps:
        ns = rows.setdefault(object_namespace(app), NamespaceSummary(object_namespace(app)))
        ns.applications += 1
        if status_class(g(app, "status")) in BAD_CLASSES:
            ns.abnormal_applications += 1
    tgs = await storage_list(env, "taskgroup", None)
    for tg in tgs:
        ns = rows.setdefault(object_namespace(tg), NamespaceSummary(object_namespace(tg)))
        ns.taskgroups += 1
        if status_class(g(tg, "status")) in BAD_CLASSES:
            ns.bad_taskgroups += 1
    return list(rows.values())


NAMESPACES = ResourceKind(
    name="namespaces",
    title="Namespaces",
    aliases=("ns", "namespace"),
    columns=(
        col("NAME", lambda o, rc: o.name),
        col("APPS", lambda o, rc: o.applications, sort=lambda o, rc: o.applications, numeric=True),
        col("ABNORMAL", lambda o, rc: o.abnormal_applications, sort=lambda o, rc: o.abnormal_applications,
            status=lambda o: FAILED if o.abnormal_applications else RUNNING, numeric=True),
        col("TASKGROUPS", lambda o, rc: o.taskgroups, sort=lambda o, rc: o.taskgroups, numeric=True),
        col("BAD TG", lambda o, rc: o.bad_taskgroups, sort=lambda o, rc: o.bad_taskgroups,
            status=lambda o: FAILED if o.bad_taskgroups else RUNNING, numeric=True),
    ),
    fetch=fetch_namespaces,
    row_key=lambda o: o.name,
    status=lambda o: FAILED if (o.abnormal_applications or o.bad_taskgroups) else RUNNING,
    drill=lambda o, scope: ("applications", Scope(namespace=o.name)),
)
