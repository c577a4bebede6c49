"""The containers kind (the tasks of one taskgroup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from bcs_tui.resources.base import col, FAILED, FetchEnv, g, object_namespace, parse_taskgroup_id, ResourceKind, RUNNING, Scope, status_class, tg_id, to_jsonable, unwrap, WARNING
from bcs_tui.resources.taskgroups import task_info, tg_app, tg_pod_ip, tg_tasks
from bcs_tui.resources.writes import SHELL_WRITES

# ---------------------------------------------------------------------------------------------
# Containers of a taskgroup (scheduler Task + StatusData, or storage containerStatuses)


@dataclass
class ContainerRow:
    """One container of a taskgroup, from a scheduler Task (with its StatusData) or a storage
    containerStatuses entry; `source` keeps the original."""

    name: str
    image: str
    status: str
    ports: str
    health: str
    healthy: bool | None
    ip: str
    container_id: str
    message: str
    started: Any
    taskgroup_id: str
    task_id: str = ""
    source: Any = None

    @property
    def object_name(self) -> str:
        return self.name

    def to_json(self) -> Any:
        return to_jsonable(self.source)


def _health_text(checks: Iterable[Any]) -> tuple[str, bool | None]:
    parts, ok = [], None
    for chk in checks or []:
        result = g(chk, "result")
        kind = g(chk, "type", default="?")
        parts.append(f"{kind}:{'ok' if result else 'fail'}")
        ok = (ok is not False) and bool(result)
    return ", ".join(parts), ok


def _ports_text(ports: Iterable[Any]) -> str:
    out = []
    for p in ports or []:
        cport = g(p, "container_port", "containerPort", "ContainerPort")
        hport = g(p, "host_port", "hostPort", "HostPort")
        proto = g(p, "protocol", "Protocol", default="")
        text = f"{hport}->{cport}" if hport not in (None, "", 0, "0") else f"{cport}"
        out.append(f"{text}/{proto}" if proto else text)
    return " ".join(out)


def _task_short_name(task_id: str, index: int) -> str:
    """`{nano}.{container}.{instance}.{app}.{ns}.{cluster}` -> `app-instance.container`."""
    parts = task_id.split(".")
    if len(parts) >= 6:
        return f"{parts[3]}-{parts[2]}.{parts[1]}"
    return task_id or f"container-{index}"


def containers_of(tg: Any) -> list[ContainerRow]:
    rows: list[ContainerRow] = []
    tid = tg_id(tg)
    for task in tg_tasks(tg):
        info = task_info(task)
        health, healthy = _health_text(g(task, "health_check_status", "HealthCheckStatus") or [])
        ports = g(info, "ports", "Ports") or g(task, "port_mappings", "PortMappings") or []
        task_id = str(g(task, "id", "ID", default="") or g(task, "name", "Name", default=""))
        rows.append(ContainerRow(
            name=_task_short_name(task_id, len(rows)),
            task_id=task_id,
            image=str(g(task, "image", "Image", default="")),
            status=str(g(task, "status", "Status", default="")),
            ports=_ports_text(ports),
            health=health or ("healthy" if g(task, "healthy", "Healthy") else ""),
            healthy=healthy,
            ip=str(g(info, "ip_address", "IPAddress", default="") or ""),
            container_id=str(g(info, "id", "ID", default="") or "")[:12],
            message=str(g(task, "message", "Message", default="") or g(info, "message", "Message", default="")),
            started=g(info, "start_at", "StartAt") or g(task, "update_time", "UpdateTime"),
            taskgroup_id=tid,
            source=task,
        ))
    if rows:
        return rows
    pod_ip = tg_pod_ip(tg)
    for i, c in enumerate(g(tg, "container_statuses", "containerStatuses", default=[]) or []):
        health, healthy = _health_text(g(c, "heal_check_status", "healCheckStatus", "health_check_status") or [])
        rows.append(ContainerRow(
            name=str(g(c, "name", default="") or f"container-{i}"),
            image=str(g(c, "image", default="")),
            status=str(g(c, "status", default="")),
            ports=_ports_text(g(c, "container_port", "containerPort", default=[]) or []),
            health=health,
            healthy=healthy,
            ip=pod_ip,
            container_id=str(g(c, "container_id", "containerID", default="") or "")[:12],
            message=str(g(c, "message", default="")),
            started=g(c, "start_time", "startTime"),
            taskgroup_id=tid,
            source=c,
        ))
    return rows


async def fetch_containers(env: FetchEnv, scope: Scope) -> list[Any]:
    """Re-reads the parent taskgroup (1 request: its application's taskgroup list, or a storage
    inspect) so the containers stay live."""
    parent = scope.parent
    if parent is None:
        return []
    client = env.client
    tid = tg_id(parent)
    ns = object_namespace(parent) or parse_taskgroup_id(tid).get("namespace", "")
    fresh = None
    if tg_tasks(parent):
        for tg in await client.list_taskgroups(ns, tg_app(parent)) or []:
            if tg_id(tg) == tid:
                fresh = tg
                break
    else:
        fresh = unwrap([await client.storage_inspect("taskgroup", ns, tid)])[0]
    if fresh is None:
        from bcs_tui.api.errors import ApiError  # local: resources import api lazily

        raise ApiError(0, f"taskgroup {tid} no longer exists", 200)
    return containers_of(fresh)


def _container_status(o: ContainerRow) -> str:
    cls = status_class(o.status)
    if cls == RUNNING and o.healthy is False:
        return WARNING
    return cls


CONTAINERS = ResourceKind(
    name="containers",
    title="Containers",
    aliases=("co", "container", "containers", "task", "tasks"),
    columns=(
        col("NAME", lambda o, rc: o.name),
        col("STATUS", lambda o, rc: o.status, status=_container_status),
        col("HEALTH", lambda o, rc: o.health,
            status=lambda o: None if o.healthy is None else (RUNNING if o.healthy else FAILED)),
        col("IMAGE", lambda o, rc: o.image),
        col("IP", lambda o, rc: o.ip),
        col("PORTS", lambda o, rc: o.ports),
        col("CONTAINER ID", lambda o, rc: o.container_id),
        col("MESSAGE", lambda o, rc: o.message),
        col("TASK ID", lambda o, rc: o.task_id),
    ),
    fetch=fetch_containers,
    row_key=lambda o: o.task_id or o.name,
    status=_container_status,
    needs_parent="taskgroups",
    copy_id=lambda o: o.container_id or o.name,
    writes=SHELL_WRITES,
)
