"""The taskgroups kind (scheduler TaskGroups of an application, storage pods of an agent or all)."""

from __future__ import annotations

import json
from typing import Any

from bcs_tui.api.errors import InvalidRequest
from bcs_tui.resources.writes import SHELL_WRITES, Write, WriteScope
from bcs_tui.resources.base import in_namespace, LiveSource
from bcs_tui.resources.base import _namespaces_for, age_col, col, FetchEnv, g, is_lite, NS_COL, object_name, object_namespace, parse_taskgroup_id, ResourceKind, Scope, status_class, storage_inspector, storage_list, tg_id, WARNING

# ---------------------------------------------------------------------------------------------
# TaskGroups: scheduler TaskGroup (of an application) or storage BcsPodStatus (of an agent, all)


def tg_app(o: Any) -> str:
    return str(g(o, "app_id", "AppID", "rcname", default="") or parse_taskgroup_id(tg_id(o)).get("app", ""))


def tg_short_name(o: Any) -> str:
    name = g(o, "Name") if isinstance(o, dict) else getattr(o, "name", None)
    # Scheduler TaskGroup.Name is "app-0"; storage records only carry the ID.
    if isinstance(name, str) and name and "." not in name:
        return name
    parts = parse_taskgroup_id(tg_id(o))
    if parts:
        return f"{parts['app']}-{parts['index']}"
    return tg_id(o)


def tg_tasks(o: Any) -> list[Any]:
    """The scheduler Task list of a TaskGroup (`Taskgroup` key), empty for storage records."""
    tasks = g(o, "taskgroup", "Taskgroup")
    return list(tasks) if isinstance(tasks, (list, tuple)) else []


def task_info(task: Any) -> Any:
    """The parsed StatusData of a scheduler Task (ContainerInfo), or None."""
    info = g(task, "status_info")
    if info is not None:
        return info
    raw = g(task, "status_data", "StatusData")
    if isinstance(raw, str) and raw.strip().startswith("{"):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None


def tg_host_ip(o: Any) -> str:
    ip = g(o, "host_ip", "hostIP")
    if ip:
        return str(ip)
    for task in tg_tasks(o):
        ip = g(task, "agent_ip_address", "AgentIPAddress") or g(task_info(task), "node_address", "NodeAddress")
        if ip:
            return str(ip)
    return ""


def tg_pod_ip(o: Any) -> str:
    ip = g(o, "pod_ip", "podIP")
    if ip:
        return str(ip)
    for task in tg_tasks(o):
        ip = g(task_info(task), "ip_address", "IPAddress")
        if ip:
            return str(ip)
    return ""


def tg_restarts(o: Any) -> int:
    if is_lite(o):
        return int(o.restart_count)  # computed when the light record was read
    n = g(o, "rescheded_times", "ReschededTimes")
    if n is None:
        for c in g(o, "container_statuses", "containerStatuses", default=[]) or []:
            n = max(int(n or 0), int(g(c, "restart_count", "restartCount", default=0) or 0))
    return int(n or 0)


def tg_started(o: Any) -> Any:
    return g(o, "start_time", "startTime", "StartTime")


async def fetch_taskgroups(env: FetchEnv, scope: Scope) -> list[Any]:
    """Of an application: scheduler list taskgroups (1 request). Of an agent: one storage taskgroup
    query by hostIp. Otherwise one storage taskgroup query over the namespaces."""
    client = env.client
    if scope.parent_kind in ("applications", "processes") and scope.parent is not None:
        return list(await client.list_taskgroups(object_namespace(scope.parent), object_name(scope.parent)) or [])
    if scope.parent_kind == "agents" and scope.parent is not None:
        ip = getattr(scope.parent, "ip", None) or g(scope.parent, "ip")
        return await storage_list(env, "taskgroup", None, host_ip=ip)
    return await storage_list(env, "taskgroup", await _namespaces_for(env, scope))


def _live_taskgroups(scope: Scope, rows: Any) -> list[Any] | None:
    """All taskgroups, one namespace's or one agent's come from the taskgroup table's change
    stream; an application's from the scheduler (its `fetch`)."""
    if scope.parent_kind == "agents" and scope.parent is not None:
        ip = getattr(scope.parent, "ip", None) or g(scope.parent, "ip")
        return [t for t in rows if tg_host_ip(t) == ip]
    if scope.parent_kind:
        return None
    return in_namespace(scope, rows)


def _tg_drill(o: Any, scope: Scope) -> tuple[str, Scope]:
    return "containers", Scope(
        namespace=object_namespace(o) or scope.namespace,
        parent_kind="taskgroups",
        parent=o,
        label=tg_short_name(o),
    )


async def _inspect_taskgroup(client: Any, obj: Any) -> Any:
    if tg_tasks(obj):
        tid = tg_id(obj)
        for tg in await client.list_taskgroups(object_namespace(obj), tg_app(obj)) or []:
            if tg_id(tg) == tid:
                return tg
        from bcs_tui.api.errors import ApiError

        raise ApiError(0, f"taskgroup {tid} no longer exists", 200)
    return await storage_inspector("taskgroup")(client, obj)


# ---------------------------------------------------------------------------------------------
# Writes


def _ns(o: Any, scope: WriteScope) -> str:
    return object_namespace(o) or scope.namespace or parse_taskgroup_id(tg_id(o)).get("namespace", "")


def _signal(client: Any, o: Any, scope: WriteScope, *, signal: int, process_name: str) -> Any:
    return client.plan_send_taskgroup_signal(_ns(o, scope), tg_app(o), tg_id(o), signal, process_name)


def _exec(client: Any, targets: list[Any], scope: WriteScope, *, spec: dict) -> list[Any]:
    """One command per application; marked taskgroups are grouped by their application."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for t in targets:
        grouped.setdefault((_ns(t, scope), tg_app(t)), []).append(tg_id(t))
    return [client.plan_send_command("application", ns, app, dict(spec, taskgroups=ids))
            for (ns, app), ids in grouped.items()]


def _reschedule(client: Any, o: Any, scope: WriteScope, *, retain: int | None = None) -> Any:
    return client.plan_rescheduler_taskgroup(_ns(o, scope), tg_app(o), tg_id(o), retain or None)


def _commit(client: Any, o: Any, scope: WriteScope, *, image: str, url: str) -> Any:
    return client.plan_commit_image(tg_id(o), image, url)


def _process_only(op: str) -> Write:
    """restart / reload: the taskgroups of a process app only (the scheduler refuses others)."""

    def plan(client: Any, o: Any, scope: WriteScope) -> Any:
        parent = scope.parent
        if parent is None or str(g(parent, "kind", "Kind", default="") or "").lower() != "process":
            raise InvalidRequest([("taskgroup", f"{op} works on the taskgroups of a process app: open them "
                                   "from :proc (Enter on a process)")], op)
        method = client.plan_restart_taskgroup if op == "restart" else client.plan_reload_taskgroup
        return method(_ns(o, scope), tg_app(o), tg_id(o))

    return Write(plan)


TASKGROUP_WRITES = {
    "signal": Write(_signal),
    "exec": Write(_exec, whole=True),
    "reschedule": Write(_reschedule),
    "commit_image": Write(_commit),
    "restart": _process_only("restart"),
    "reload": _process_only("reload"),
}


TASKGROUPS = ResourceKind(
    name="taskgroups",
    title="TaskGroups",
    aliases=("tg", "taskgroup", "pod", "pods"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: tg_short_name(o)),
        col("STATUS", lambda o, rc: g(o, "status", "Status"), status=lambda o: status_class(g(o, "status", "Status"))),
        col("HOST IP", lambda o, rc: tg_host_ip(o)),
        col("POD IP", lambda o, rc: tg_pod_ip(o)),
        col("RESTARTS", lambda o, rc: tg_restarts(o), sort=lambda o, rc: tg_restarts(o), numeric=True,
            status=lambda o: WARNING if tg_restarts(o) else None),
        age_col(tg_started),
        col("MESSAGE", lambda o, rc: g(o, "message", "Message")),
        col("ID", lambda o, rc: tg_id(o)),
    ),
    fetch=fetch_taskgroups,
    row_key=tg_id,
    status=lambda o: status_class(g(o, "status", "Status")),
    drill=_tg_drill,
    namespaced=True,
    copy_id=tg_id,
    inspect=_inspect_taskgroup,
    noun="taskgroup",
    writes={**TASKGROUP_WRITES, **SHELL_WRITES},
    live=LiveSource("taskgroup", _live_taskgroups),
)
