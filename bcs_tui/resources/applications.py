"""The applications and processes kinds (storage application / process records)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bcs_tui.resources.base import _app_kind, _namespaces_for, age_col, BAD_CLASSES, col, FetchEnv, g, NS_COL, object_name, object_namespace, ResourceKind, RUNNING, Scope, status_class, storage_inspector, storage_list, WARNING

# ---------------------------------------------------------------------------------------------
# Applications (storage BcsReplicaControllerStatus records; one query for any namespaces)


async def _fetch_apps(env: FetchEnv, scope: Scope, process: bool) -> list[Any]:
    namespaces = await _namespaces_for(env, scope)
    if not namespaces:
        return []
    apps = await storage_list(env, "application", namespaces)
    out = []
    for app in apps:
        kind = _app_kind(app).lower()
        # bcs-client: applications are Kind "" or "application"; processes Kind "process".
        if process != (kind == "process"):
            continue
        if scope.names and object_name(app) not in scope.names:
            continue
        out.append(app)
    return out


async def fetch_applications(env: FetchEnv, scope: Scope) -> list[Any]:
    """Storage namespace list (only for all namespaces) + one storage application query."""
    return await _fetch_apps(env, scope, process=False)


async def fetch_processes(env: FetchEnv, scope: Scope) -> list[Any]:
    """Storage namespace list (only for all namespaces) + one storage process query."""
    namespaces = await _namespaces_for(env, scope)
    if not namespaces:
        return []
    return [p for p in await storage_list(env, "process", namespaces)
            if _app_kind(p).lower() == "process"]


def _app_instances(o: Any) -> tuple[int, int]:
    running = int(g(o, "running_instance", "runningInstance", "running_instances", "RunningInstances", default=0) or 0)
    defined = int(g(o, "instance", "define_instances", "DefineInstances", default=0) or 0)
    return running, defined


def _app_status(o: Any) -> str:
    cls = status_class(g(o, "status", "Status"))
    if cls == RUNNING:
        running, defined = _app_instances(o)
        if running < defined:
            return WARNING
    return cls


async def _app_definition(client: Any, obj: Any) -> Any:
    return await client.get_application_definition(object_namespace(obj), object_name(obj))


def _drill_app(o: Any, scope: Scope) -> tuple[str, Scope]:
    ns = object_namespace(o)
    return "taskgroups", Scope(namespace=ns, parent_kind="applications", parent=o, label=f"{ns}/{object_name(o)}")


_APP_COLUMNS = (
    NS_COL,
    col("NAME", lambda o, rc: object_name(o)),
    col("STATUS", lambda o, rc: g(o, "status", "Status"), status=_app_status),
    col("RUNNING", lambda o, rc: "%d/%d" % _app_instances(o), status=_app_status,
        sort=lambda o, rc: (_app_instances(o)[0] - _app_instances(o)[1], _app_instances(o)[1]), numeric=True),
    col("MESSAGE", lambda o, rc: g(o, "message", "Message")),
    age_col(lambda o: g(o, "create_time", "createTime", "created", "Created")),
)

APPLICATIONS = ResourceKind(
    name="applications",
    title="Applications",
    aliases=("app", "apps", "application"),
    columns=_APP_COLUMNS,
    fetch=fetch_applications,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=_app_status,
    is_bad=lambda o: _app_status(o) in BAD_CLASSES,
    drill=_drill_app,
    namespaced=True,
    definition=_app_definition,
    copy_id=object_name,
    inspect=storage_inspector("application"),
)

# Process apps are applications listed apart (like bcs-client): same columns and behaviour.
PROCESSES = replace(
    APPLICATIONS,
    name="processes",
    title="Processes",
    aliases=("proc", "process"),
    fetch=fetch_processes,
    inspect=storage_inspector("process"),
)
