"""The applications and processes kinds (storage application / process records)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bcs_tui.api import models as m
from bcs_tui.resources.definitions import application_editable, with_instances
from bcs_tui.resources.writes import SHELL_PICK_WRITES, body_namespace, ManifestSpec, ns_name, Write, WriteScope
from bcs_tui.resources.base import in_namespace, LiveSource
from bcs_tui.resources.base import _app_kind, _namespaces_for, age_col, BAD_CLASSES, col, FetchEnv, g, NS_COL, object_name, object_namespace, ResourceKind, RUNNING, Scope, status_class, storage_inspector, storage_list, WARNING

# ---------------------------------------------------------------------------------------------
# Applications (storage BcsReplicaControllerStatus records; one query for any namespaces)


async def _fetch_apps(env: FetchEnv, scope: Scope, process: bool) -> list[Any]:
    namespaces = await _namespaces_for(env, scope)
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
    """One complete storage application query (projected rows)."""
    return await _fetch_apps(env, scope, process=False)


async def fetch_processes(env: FetchEnv, scope: Scope) -> list[Any]:
    """One complete storage process query (projected rows)."""
    namespaces = await _namespaces_for(env, scope)
    return [p for p in await storage_list(env, "process", namespaces)
            if _app_kind(p).lower() == "process"]


def _live_apps(process: bool) -> LiveSource:
    """Applications and processes share the storage application table and its change stream."""

    def select(scope: Scope, rows: Any) -> list[Any] | None:
        if scope.parent_kind:
            return None
        out = [a for a in in_namespace(scope, rows) if process == (_app_kind(a).lower() == "process")]
        if scope.names:
            out = [a for a in out if object_name(a) in scope.names]
        return out

    return LiveSource("application", select)


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
    parent_kind = "processes" if is_process(o) else "applications"
    return "taskgroups", Scope(namespace=ns, parent_kind=parent_kind, parent=o, label=f"{ns}/{object_name(o)}")


# ---------------------------------------------------------------------------------------------
# Writes. Process apps have the same operations under their own processes routes (the
# /applications routes refuse them: facts §11.3); the row's kind picks the route.


def is_process(o: Any) -> bool:
    return _app_kind(o).lower() == "process"


def _scale(client: Any, o: Any, scope: WriteScope, *, instances: int) -> Any:
    ns, name = ns_name(o)
    return client.plan_scale_application(ns, name, instances, process=is_process(o))


def _update(client: Any, o: Any, scope: WriteScope, *, body: dict, only_resource: bool = False,
            instances: int | None = None) -> Any:
    # `instances` is the live DefineInstances: `?instances=N` rolls the first N taskgroups only.
    return client.plan_update_application(object_namespace(o), body, instances, only_resource, process=is_process(o))


def _create(client: Any, o: Any, scope: WriteScope, *, body: dict) -> Any:
    return client.plan_create_application(body_namespace(body), body,
                                          process=str(body.get("kind", "")) == "process")


def _delete(client: Any, o: Any, scope: WriteScope, *, enforce: bool = False) -> Any:
    ns, name = ns_name(o)
    return client.plan_delete_application(ns, name, enforce, process=is_process(o))


def _rollback(client: Any, o: Any, scope: WriteScope, *, body: dict, instances: int | None = None) -> Any:
    # The rollback rolls `spec.instance` taskgroups: the live count, not the version's.
    return client.plan_rollback_application(object_namespace(o), with_instances(body, instances),
                                            process=is_process(o))


def _signal(client: Any, o: Any, scope: WriteScope, *, signal: int, process_name: str) -> Any:
    ns, name = ns_name(o)
    return client.plan_send_application_signal(ns, name, signal, process_name)


def _exec(client: Any, targets: list[Any], scope: WriteScope, *, spec: dict) -> list[Any]:
    return [client.plan_send_command("application", object_namespace(t), object_name(t), dict(spec, taskgroups=[]))
            for t in targets]


def _current(o: Any) -> int | None:
    return _app_instances(o)[1] or None


APP_MANIFEST = ManifestSpec(kinds=("application",), model=m.ReplicaController, load=application_editable,
                            resource_only=True)
PROCESS_MANIFEST = ManifestSpec(kinds=("process",), model=m.ReplicaController, load=application_editable,
                                resource_only=True)

APP_WRITES = {
    "scale": Write(_scale, recheck="application", current=_current),
    "edit": Write(_update, recheck="application"),
    "update_resource": Write(_update, recheck="application"),
    "create": Write(_create, recheck="application"),
    "delete": Write(_delete, recheck="application", options=("enforce",)),
    "rollback": Write(_rollback, recheck="application"),
    "signal": Write(_signal),
    "exec": Write(_exec, whole=True),
}
PROCESS_WRITES = {
    "scale": Write(_scale, recheck="process", current=_current),
    "edit": Write(_update, recheck="process"),
    "update_resource": Write(_update, recheck="process"),
    "delete": Write(_delete, recheck="process", options=("enforce",)),
    "rollback": Write(_rollback, recheck="process"),
}


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
    noun="application",
    writes={**APP_WRITES, **SHELL_PICK_WRITES},
    manifest=APP_MANIFEST,
    live=_live_apps(process=False),
)

# Process apps are applications listed apart (like bcs-client): same columns and behaviour.
PROCESSES = replace(
    APPLICATIONS,
    name="processes",
    title="Processes",
    aliases=("proc", "process"),
    fetch=fetch_processes,
    inspect=storage_inspector("process"),
    noun="process",
    writes=PROCESS_WRITES,
    manifest=PROCESS_MANIFEST,
    live=_live_apps(process=True),
)
