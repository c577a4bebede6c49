"""The resource registry: one `ResourceKind` declaration per kind of BCS object.

A kind declares its name and aliases, its columns (title, value, sort key, status colour), how to
fetch it (a bounded number of requests per refresh, never one per application), its row key, what
Enter drills into, and which rows are "bad" (the faults-only toggle). The generic browser
(`bcs_tui/ui/screens/browser.py`) renders any kind from this declaration; the action table
(`bcs_tui/actions.py`) says which actions a kind has.

Row objects are the API models as the client returns them (storage records are unwrapped to their
`data`), except where a view merges two sources (agents, namespaces, commands, containers, versions,
contexts): those get a small dataclass below that keeps the source objects.
"""

from __future__ import annotations

import functools
import json
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Iterable

# ---------------------------------------------------------------------------------------------
# Status classes: every status of the facts document maps to one of these; the UI colours them
# with the theme variables status-running / -failed / -warning / -pending / -unknown / -disabled.

RUNNING = "running"
FAILED = "failed"
WARNING = "warning"
PENDING = "pending"
UNKNOWN = "unknown"
DISABLED = "disabled"
STATUS_CLASSES = (RUNNING, FAILED, WARNING, PENDING, UNKNOWN, DISABLED)

# Keys are lower-cased. Application, taskgroup/task, deployment, command, transaction and docker
# container states share names where they share meaning.
_STATUS_MAP: dict[str, str] = {
    # application (Staging Deploying Running Finish Error Operating RollingUpdate Unknown Abnormal)
    "staging": PENDING,
    "deploying": PENDING,
    "running": RUNNING,
    "finish": DISABLED,
    "error": FAILED,
    "operating": PENDING,
    "rollingupdate": PENDING,
    "unknown": UNKNOWN,
    "abnormal": FAILED,
    # taskgroup / task (Staging Starting Running Finish Error Killing Killed Failed Lost Restarting Unknown)
    "starting": PENDING,
    "killing": WARNING,
    "killed": DISABLED,
    "failed": FAILED,
    "lost": FAILED,
    "restarting": WARNING,
    # deployment (Deploying Running Update UpdatePaused UpdateSuspend Deleting UpdateResource)
    "update": PENDING,
    "updatepaused": WARNING,
    "updatesuspend": FAILED,
    "deleting": WARNING,
    "updateresource": PENDING,
    # command task status (staging running finish failed) and the aggregate we compute
    "partial": WARNING,
    # transactions (INIT FINISH FAIL TIMEOUT)
    "init": PENDING,
    "fail": FAILED,
    "timeout": FAILED,
    # docker container state from StatusData (paused restarting running dead created exited)
    "paused": WARNING,
    "dead": FAILED,
    "created": PENDING,
    "exited": DISABLED,
    # agents / health
    "disabled": DISABLED,
    "enabled": RUNNING,
    "healthy": RUNNING,
    "unhealthy": FAILED,
}

BAD_CLASSES = frozenset({FAILED, WARNING, UNKNOWN})


def status_class(status: object) -> str:
    """The status class (theme colour) of a status string from any kind; unknown strings -> unknown."""
    if not status:
        return UNKNOWN
    return _STATUS_MAP.get(str(status).strip().lower(), UNKNOWN)


# ---------------------------------------------------------------------------------------------
# Tolerant field access: models are pydantic (snake_case attributes, JSON aliases), CRDs and custom
# resources are raw dicts, and storage may leave a field out.


_KNOWN_ATTRS: dict[type, frozenset[str] | None] = {}


def _known_attrs(cls: type) -> frozenset[str] | None:
    """Attribute names a model or dataclass type answers without __getattr__ (None: unknown type).

    A miss on a pydantic model goes through its __getattr__ and an AttributeError, which costs
    microseconds; rows of 20,000 taskgroups ask for absent names a lot."""
    known = _KNOWN_ATTRS.get(cls, False)
    if known is False:
        fields = getattr(cls, "model_fields", None)
        declared = getattr(cls, "known_attributes", None)  # light storage records (api/lite.py)
        if isinstance(declared, frozenset):
            known = declared
        elif isinstance(fields, dict):
            known = frozenset(dir(cls)) | frozenset(fields)
        elif hasattr(cls, "__dataclass_fields__"):
            known = frozenset(dir(cls)) | frozenset(cls.__dataclass_fields__)
        else:
            known = None
        _KNOWN_ATTRS[cls] = known
    return known


def g(obj: Any, *names: str, default: Any = None) -> Any:
    """The first present, non-None attribute or key among `names` of `obj`."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        for name in names:
            value = obj.get(name)
            if value is not None:
                return value
        return default
    cls = type(obj)
    known = _KNOWN_ATTRS.get(cls, False)  # _known_attrs inline: g runs ~10 times per row
    if known is False:
        known = _known_attrs(cls)
    extra = getattr(obj, "__pydantic_extra__", None) if known is not None else None
    for name in names:
        if known is None or name in known:
            value = getattr(obj, name, None)
        elif extra:
            value = extra.get(name)
        else:
            continue
        if value is not None:
            return value
    return default


_LITE: dict[type, bool] = {}


def is_lite(obj: Any) -> bool:
    """A light storage record (`bcs_tui.api.lite`): name, namespace and the list fields are plain
    attributes, so the helpers below read them directly (20,000 rows per refresh)."""
    cls = type(obj)
    lite = _LITE.get(cls)
    if lite is None:
        lite = _LITE[cls] = bool(getattr(cls, "is_lite", False))
    return lite


def to_jsonable(obj: Any) -> Any:
    """A JSON-ready form of a row object: models dump by alias (the real server keys)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(by_alias=True, mode="json")
    to_json = getattr(obj, "to_json", None)
    if callable(to_json):
        return to_json()
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(obj, k)) for k in obj.__dataclass_fields__ if not k.startswith("_")}
    return str(obj)


def meta(obj: Any) -> Any:
    return g(obj, "metadata", "object_meta", "ObjectMeta")


def object_name(obj: Any) -> str:
    """The object's name (application name, taskgroup ID, configmap name, ...)."""
    if is_lite(obj):
        return obj.name
    value = g(obj, "object_name")
    if isinstance(value, str):
        return value
    md = meta(obj)
    name = g(md, "name")
    if name:
        return str(name)
    return str(g(obj, "name", "id", "ID", "Name", default=""))


def object_namespace(obj: Any) -> str:
    """The object's namespace (`metadata.namespace`, or RunAs for scheduler objects)."""
    if is_lite(obj):
        return obj.namespace
    md = meta(obj)
    return str(g(md, "namespace", default="") or g(obj, "namespace", "run_as", "RunAs", default=""))


# ---------------------------------------------------------------------------------------------
# Time helpers. Storage times are RFC3339 strings, scheduler times unix seconds, versions and
# agent registration unix nanoseconds.


def to_epoch(value: Any) -> float | None:
    """Seconds since the epoch from an int (s, ms or ns), an RFC3339 string or a datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _epoch_of_text(value)
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        ts = dt.timestamp()
        return ts if ts > 0 else None
    if isinstance(value, (int, float)):
        v = float(value)
        if v <= 0:
            return None
        if v > 1e17:  # nanoseconds
            return v / 1e9
        if v > 1e14:  # microseconds
            return v / 1e6
        if v > 1e11:  # milliseconds
            return v / 1e3
        return v
    return _epoch_of_text(str(value))


@functools.lru_cache(maxsize=65536)
def _epoch_of_text(text: str) -> float | None:
    # Cached: every refresh renders the same timestamps again.
    text = text.strip()
    if text.isdigit():
        return to_epoch(int(text))
    if text.startswith("0001-01-01"):
        return None
    # Python 3.11 fromisoformat takes RFC3339 but at most 6 fraction digits.
    m = re.match(r"^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?(?:\s.*)?$", text)
    if not m:
        return None
    base, frac, tz = m.group(1), m.group(2) or "", m.group(3) or ""
    frac = frac[:7]
    tz = "+00:00" if tz in ("Z", "") else tz
    try:
        return datetime.fromisoformat(base.replace(" ", "T") + frac + tz).timestamp()
    except ValueError:
        return None


def human_age(seconds: float | None) -> str:
    """k9s-style age: 45s, 12m, 3h, 5d, 2y."""
    if seconds is None:
        return "-"
    s = max(0, int(seconds))
    if s < 120:
        return f"{s}s"
    if s < 2 * 3600:
        return f"{s // 60}m"
    if s < 2 * 86400:
        return f"{s // 3600}h"
    if s < 2 * 365 * 86400:
        return f"{s // 86400}d"
    return f"{s // (365 * 86400)}y"


def fmt_num(value: Any, digits: int = 2) -> str:
    if value is None or value == "":
        return "-"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if f == int(f):
        return str(int(f))
    return f"{f:.{digits}f}"


# ---------------------------------------------------------------------------------------------
# Declarations


@dataclass
class RenderContext:
    """What cell values may depend on besides the object: the clock (ages) and reveal state."""

    now: float = field(default_factory=time.time)
    revealed: bool = False
    all_namespaces: bool = False


@dataclass(frozen=True)
class ColumnSpec:
    title: str
    value: Callable[[Any, RenderContext], str]
    sort: Callable[[Any, RenderContext], Any] | None = None  # default: the cell text
    status: Callable[[Any], str | None] | None = None  # status class of this cell
    width: int | None = None  # None: fit to content
    all_ns_only: bool = False  # shown only when the view spans several namespaces
    numeric: bool = False  # right aligned
    # Clock-dependent cells (ages): the cell text from this column's sort value at `rc.now`, so an
    # unchanged object's row is brought up to date without reading the object again.
    timed: Callable[[Any, RenderContext], str] | None = None


@dataclass(frozen=True)
class Scope:
    """Where a view looks: a namespace (None = all, or not namespaced) and an optional parent object.

    `parent_kind`/`parent` say what a drill came from (an application for its taskgroups, an agent
    for the taskgroups on it, a CRD for its custom resources). `names` restricts a list to those
    object names (a deployment's applications).
    """

    namespace: str | None = None
    parent_kind: str | None = None
    parent: Any = None
    names: tuple[str, ...] = ()
    label: str = ""

    def describe(self) -> str:
        if self.label:
            return self.label
        return self.namespace or "all"


@dataclass
class FetchEnv:
    """What a fetch may use: the client, settings, and app state (commands issued here).

    `previous` is the view's last objects: big storage lists reuse the unchanged ones."""

    client: Any
    settings: Any = None
    commands: list[Any] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)
    current_context: str = ""
    previous: list[Any] = field(default_factory=list, repr=False)


FetchFn = Callable[[FetchEnv, Scope], Awaitable[list[Any]]]


@dataclass(frozen=True)
class ResourceKind:
    name: str  # as in bcs_tui.actions kinds
    title: str
    aliases: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    fetch: FetchFn
    row_key: Callable[[Any], str]
    status: Callable[[Any], str] = lambda obj: UNKNOWN  # the row's status class
    is_bad: Callable[[Any], bool] | None = None  # default: status class in BAD_CLASSES
    drill: Callable[[Any, Scope], tuple[str, Scope] | None] | None = None
    namespaced: bool = False
    needs_parent: str | None = None  # e.g. "crds": a list that only makes sense under a parent
    default_sort: str | None = None  # column title
    describe: Callable[[Any, RenderContext], Any] | None = None  # JSON for `d`; default to_jsonable
    definition: Callable[[Any, Any], Awaitable[Any]] | None = None  # (client, obj) -> definition
    copy_id: Callable[[Any], str] | None = None  # the "ID" offered by copy; default row key
    inspect: Callable[[Any, Any], Awaitable[Any]] | None = None  # (client, obj) -> the object re-read

    def bad(self, obj: Any) -> bool:
        if self.is_bad is not None:
            return bool(self.is_bad(obj))
        return self.status(obj) in BAD_CLASSES

    def visible_columns(self, all_namespaces: bool) -> list[ColumnSpec]:
        return [c for c in self.columns if all_namespaces or not c.all_ns_only]


def storage_inspector(storage_kind: str) -> Callable[[Any, Any], Awaitable[Any]]:
    """Re-read one object from bcs-storage (1 request), for describe's refresh."""

    async def inspect(client: Any, obj: Any) -> Any:
        name = tg_id(obj) if storage_kind == "taskgroup" else object_name(obj)
        return unwrap([await client.storage_inspect(storage_kind, object_namespace(obj), name)])[0]

    return inspect


def col(title: str, value: Callable[[Any, RenderContext], Any], **kw: Any) -> ColumnSpec:
    def text(obj: Any, rc: RenderContext) -> str:
        v = value(obj, rc)
        return "-" if v is None or v == "" else str(v)

    return ColumnSpec(title, text, **kw)


def age_col(getter: Callable[[Any], Any], title: str = "AGE") -> ColumnSpec:
    def value(obj: Any, rc: RenderContext) -> str:
        ts = to_epoch(getter(obj))
        return human_age(None if ts is None else rc.now - ts)

    def sort(obj: Any, rc: RenderContext) -> float:
        ts = to_epoch(getter(obj))
        # Oldest first sorts "largest age" last when ascending: sort by -timestamp.
        return -(ts or 0.0)

    def timed(sort_value: Any, rc: RenderContext) -> str:
        return human_age(rc.now + sort_value) if sort_value else "-"

    return ColumnSpec(title, value, sort=sort, numeric=True, timed=timed)


NS_COL = col("NAMESPACE", lambda o, rc: object_namespace(o), all_ns_only=True)


# ---------------------------------------------------------------------------------------------
# Fetch helpers


def unwrap(records: Iterable[Any] | None) -> list[Any]:
    """Storage records -> their inner `data` objects (bcs-storage wraps each object)."""
    out = []
    for rec in records or []:
        inner = g(rec, "data")
        if inner is not None and not isinstance(rec, (str, int)) and (
            g(rec, "resource_type", "resourceType") is not None or g(rec, "cluster_id", "clusterId") is not None
        ):
            out.append(inner)
        else:
            out.append(rec)
    return out


async def storage_list(env: FetchEnv, kind: str, namespaces: list[str], host_ip: str | None = None) -> list[Any]:
    """One storage query (application, process or taskgroup) for a list view: light objects
    (`BcsClient.storage_query_lite`: no full models of 20,000 records; unchanged records reused
    from `env.previous`), unwrapped like `unwrap(client.storage_query(...))`."""
    client = env.client
    lite = getattr(client, "storage_query_lite", None)
    if lite is not None:
        return list(await lite(kind, namespaces=namespaces, host_ip=host_ip, previous=env.previous))
    return unwrap(await client.storage_query(kind, namespaces, host_ip))


async def _namespaces_for(env: FetchEnv, scope: Scope) -> list[str] | None:
    """The namespaces a storage query should cover: one, or every namespace storage knows."""
    if scope.namespace:
        return [scope.namespace]
    names = await env.client.storage_list_namespaces()
    return sorted(str(n) for n in names or [])


def _app_kind(obj: Any) -> str:
    return str(g(obj, "kind", "Kind", default="") or "")


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
    """3 requests: storage namespace list, one application query, one taskgroup query (all namespaces)."""
    names = sorted(str(n) for n in (await env.client.storage_list_namespaces()) or [])
    rows = {n: NamespaceSummary(n) for n in names}
    if not names:
        return []
    apps = await storage_list(env, "application", names)
    for app in apps:
        ns = rows.setdefault(object_namespace(app), NamespaceSummary(object_namespace(app)))
        ns.applications += 1
        if status_class(g(app, "status")) in BAD_CLASSES:
            ns.abnormal_applications += 1
    tgs = await storage_list(env, "taskgroup", names)
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


# ---------------------------------------------------------------------------------------------
# TaskGroups: scheduler TaskGroup (of an application) or storage BcsPodStatus (of an agent, all)


def parse_taskgroup_id(tg_id: str) -> dict[str, str]:
    """`{index}.{app}.{namespace}.{clusterId}.{unixNano}` -> its parts ({} when not in that form)."""
    parts = str(tg_id).split(".")
    if len(parts) < 5:
        return {}
    return {"index": parts[0], "app": parts[1], "namespace": parts[2], "cluster": parts[3], "stamp": parts[-1]}


def tg_id(o: Any) -> str:
    if is_lite(o):
        return o.name
    return str(g(o, "id", "ID", default="") or object_name(o))


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
        namespaces = await _namespaces_for(env, Scope())
        if not namespaces:
            return []
        return await storage_list(env, "taskgroup", namespaces, host_ip=ip)
    namespaces = await _namespaces_for(env, scope)
    if not namespaces:
        return []
    return await storage_list(env, "taskgroup", namespaces)


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
)


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
)


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
)


def _fmt_time(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


# ---------------------------------------------------------------------------------------------
# Deployments (storage: the scheduler Deployment object as is)


def _dp_ref(o: Any, which: str) -> Any:
    return g(o, which)


def _ref_name(ref: Any) -> str:
    return str(g(ref, "name", default="") or "")


def _ref_instances(ref: Any, in_rolling: bool = False) -> str:
    """Target instances; `rolling/target` while a rolling update moves them."""
    if ref is None:
        return ""
    target = g(ref, "curr_target_instances")
    rolling = g(ref, "current_rolling_instances", "CurrentRollingInstances")
    if in_rolling and rolling is not None and target is not None and rolling != target:
        return f"{rolling}/{target}"
    return "" if target is None else str(target)


def _dp_status(o: Any) -> str:
    return status_class(g(o, "status"))


async def fetch_deployments(env: FetchEnv, scope: Scope) -> list[Any]:
    """Storage namespace list (all namespaces only) + one storage deployment query."""
    namespaces = await _namespaces_for(env, scope)
    if not namespaces:
        return []
    return unwrap(await env.client.storage_deployments(namespaces=namespaces))


async def _dp_definition(client: Any, obj: Any) -> Any:
    return await client.get_deployment_definition(object_namespace(obj), object_name(obj))


def _dp_drill(o: Any, scope: Scope) -> tuple[str, Scope]:
    names = tuple(n for n in (_ref_name(_dp_ref(o, "application")), _ref_name(_dp_ref(o, "application_ext"))) if n)
    ns = object_namespace(o)
    return "applications", Scope(namespace=ns, names=names or ("\0",), parent_kind="deployments", parent=o,
                                 label=f"{ns}/{object_name(o)}")


DEPLOYMENTS = ResourceKind(
    name="deployments",
    title="Deployments",
    aliases=("dp", "deploy", "deployment"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("STATUS", lambda o, rc: g(o, "status"), status=_dp_status),
        col("CURRENT APP", lambda o, rc: _ref_name(_dp_ref(o, "application"))),
        col("CUR", lambda o, rc: _ref_instances(_dp_ref(o, "application"), bool(g(o, "is_in_rolling"))), numeric=True),
        col("NEW APP", lambda o, rc: _ref_name(_dp_ref(o, "application_ext"))),
        col("NEW", lambda o, rc: _ref_instances(_dp_ref(o, "application_ext"), bool(g(o, "is_in_rolling"))), numeric=True),
        col("ROLLING", lambda o, rc: g(o, "curr_rolling_operation")),
        col("STRATEGY", lambda o, rc: g(g(o, "strategy"), "type")),
        col("MESSAGE", lambda o, rc: g(o, "message")),
    ),
    fetch=fetch_deployments,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=_dp_status,
    drill=_dp_drill,
    namespaced=True,
    definition=_dp_definition,
    copy_id=object_name,
    inspect=storage_inspector("deployment"),
)


# ---------------------------------------------------------------------------------------------
# Offers


def _offer_attr(o: Any, name: str) -> Any:
    for attr in g(o, "attributes", default=[]) or []:
        if g(attr, "name") == name:
            text = g(attr, "text")
            if text is not None:
                return g(text, "value")
            scalar = g(attr, "scalar")
            if scalar is not None:
                return g(scalar, "value")
            st = g(attr, "set")
            if st is not None:
                return list(g(st, "item", default=[]) or [])
    return None


def _offer_call(o: Any, method: str, fallback: Callable[[], Any]) -> Any:
    fn = getattr(o, method, None)
    if callable(fn):
        return fn()
    if fn is not None:
        return fn
    return fallback()


def _offer_resource(o: Any, name: str) -> Any:
    for res in g(o, "resources", default=[]) or []:
        if g(res, "name") == name:
            return res
    return None


def _offer_scalar_free(o: Any, name: str, delta_key: str) -> float | None:
    res = _offer_resource(o, name)
    if res is None:
        return None
    value = float(g(g(res, "scalar"), "value", default=0) or 0)
    delta = g(g(o, "delta_resource", "deltaResource"), delta_key.lower(), delta_key, default=0) or 0
    return value - float(delta)


def _offer_ports(o: Any) -> str:
    ports = getattr(o, "ports", None)
    if isinstance(ports, list):
        return " ".join(f"{b}-{e}" for b, e in ports)
    res = _offer_resource(o, "ports")
    ranges = g(g(res, "ranges"), "range", default=[]) or []
    return " ".join(f"{g(r, 'begin')}-{g(r, 'end')}" for r in ranges)


def offer_ip(o: Any) -> str:
    return str(_offer_call(o, "inner_ip", lambda: _offer_attr(o, "InnerIP")) or "")


async def fetch_offers(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: get cluster offers (current offers with deltaResource)."""
    return list(await env.client.get_cluster_offers() or [])


def _offer_free(name: str, method: str, delta_key: str) -> Callable[[Any], float | None]:
    def free(o: Any) -> float | None:
        return _offer_call(o, method, lambda: _offer_scalar_free(o, name, delta_key))

    return free


_offer_cpus = _offer_free("cpus", "cpus_free", "Cpus")
_offer_mem = _offer_free("mem", "mem_free", "Mem")
_offer_disk = _offer_free("disk", "disk_free", "Disk")


def _taints_from_offer(o: Any) -> str:
    taints = getattr(o, "no_schedule", None)
    if isinstance(taints, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(taints.items()))
    items = _offer_attr(o, "NoSchedule")
    return ",".join(str(i) for i in items) if isinstance(items, list) else ""


OFFERS = ResourceKind(
    name="offers",
    title="Offers",
    aliases=("offer", "of"),
    columns=(
        col("HOST", lambda o, rc: g(o, "hostname")),
        col("IP", lambda o, rc: offer_ip(o)),
        col("CPUS", lambda o, rc: fmt_num(_offer_cpus(o)), sort=lambda o, rc: _offer_cpus(o) or 0, numeric=True),
        col("MEM", lambda o, rc: fmt_num(_offer_mem(o)), sort=lambda o, rc: _offer_mem(o) or 0, numeric=True),
        col("DISK", lambda o, rc: fmt_num(_offer_disk(o)), sort=lambda o, rc: _offer_disk(o) or 0, numeric=True),
        col("PORTS", lambda o, rc: _offer_ports(o)),
        col("CITY", lambda o, rc: _offer_call(o, "city", lambda: _offer_attr(o, "City"))),
        col("IP-RES", lambda o, rc: fmt_num(_offer_call(o, "ip_resources", lambda: _offer_attr(o, "ip-resources")))),
        col("TAINTS", lambda o, rc: _taints_from_offer(o)),
    ),
    fetch=fetch_offers,
    row_key=lambda o: str(g(g(o, "id"), "value", default="") or offer_ip(o)),
    status=lambda o: RUNNING,
    is_bad=lambda o: (_offer_cpus(o) or 0) <= 0.05,
    copy_id=offer_ip,
)


# ---------------------------------------------------------------------------------------------
# Agents: cluster resources merged with agent settings


@dataclass
class Agent:
    """One mesos agent: its cluster/resources entry and its agent setting (None when it has none)."""

    ip: str
    hostname: str
    resource: Any = None
    setting: Any = None

    @property
    def object_name(self) -> str:
        return self.ip

    @property
    def disabled(self) -> bool:
        return bool(g(self.setting, "disabled") or g(self.resource, "disabled"))

    @property
    def taints(self) -> dict[str, str]:
        return dict(g(self.setting, "no_schedule", "noSchedule", default={}) or {})

    def attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in (g(self.setting, "strings", default={}) or {}).items():
            out[k] = g(v, "value")
        for k, v in (g(self.setting, "scalars", default={}) or {}).items():
            out[k] = g(v, "value")
        return out

    def used_total(self, what: str) -> tuple[float, float]:
        used = float(g(self.resource, f"{what}_used", f"{what}used", default=0) or 0)
        total = float(g(self.resource, f"{what}_total", f"{what}total", default=0) or 0)
        return used, total

    def to_json(self) -> Any:
        return {"resource": to_jsonable(self.resource), "setting": to_jsonable(self.setting)}


async def fetch_agents(env: FetchEnv, scope: Scope) -> list[Any]:
    """2 requests: get cluster resources and get agent setting list (all records)."""
    resources = await env.client.get_cluster_resources()
    settings = await env.client.get_agent_settings()
    by_ip = {str(g(s, "inner_ip", "innerIP", default="")): s for s in settings or []}
    out = []
    for res in g(resources, "agents", default=[]) or []:
        ip = str(g(res, "ip", default=""))
        out.append(Agent(ip=ip, hostname=str(g(res, "hostname", default="")), resource=res, setting=by_ip.pop(ip, None)))
    # Settings for agents the master no longer reports still deserve a row (they may be the problem).
    for ip, setting in by_ip.items():
        if ip:
            out.append(Agent(ip=ip, hostname="", resource=None, setting=setting))
    return out


def _usage(what: str) -> ColumnSpec:
    def value(o: Agent, rc: RenderContext) -> str:
        used, total = o.used_total(what)
        if not total:
            return "-"
        return f"{fmt_num(used)}/{fmt_num(total)} {int(round(100 * used / total))}%"

    def sort(o: Agent, rc: RenderContext) -> float:
        used, total = o.used_total(what)
        return used / total if total else 0.0

    def status(o: Agent) -> str | None:
        used, total = o.used_total(what)
        if not total:
            return None
        ratio = used / total
        return FAILED if ratio >= 0.95 else WARNING if ratio >= 0.85 else None

    return ColumnSpec(what.upper(), value, sort=sort, status=status, numeric=True)


def _agent_status(o: Agent) -> str:
    if o.resource is None:
        return UNKNOWN
    return DISABLED if o.disabled else RUNNING


AGENTS = ResourceKind(
    name="agents",
    title="Agents",
    aliases=("agent", "node", "nodes", "as"),
    columns=(
        col("IP", lambda o, rc: o.ip),
        col("HOST", lambda o, rc: o.hostname),
        col("STATE", lambda o, rc: "missing" if o.resource is None else "disabled" if o.disabled else "enabled",
            status=_agent_status),
        _usage("cpu"),
        _usage("mem"),
        _usage("disk"),
        col("TAINTS", lambda o, rc: ",".join(f"{k}={v}" for k, v in sorted(o.taints.items()))),
        col("ATTRIBUTES", lambda o, rc: ",".join(f"{k}={fmt_num(v) if isinstance(v, float) else v}"
                                                  for k, v in sorted(o.attributes().items()))),
    ),
    fetch=fetch_agents,
    row_key=lambda o: o.ip,
    status=_agent_status,
    is_bad=lambda o: o.resource is None or o.disabled,
    drill=lambda o, scope: ("taskgroups", Scope(parent_kind="agents", parent=o, label=f"agent {o.ip}")),
    copy_id=lambda o: o.ip,
)


# ---------------------------------------------------------------------------------------------
# Configmaps, secrets, services (storage)


def _datas(o: Any) -> dict[str, Any]:
    return dict(g(o, "datas", "data", default={}) or {}) if not isinstance(g(o, "datas", "data"), str) else {}


async def _storage_list(env: FetchEnv, scope: Scope, method: str) -> list[Any]:
    namespaces = await _namespaces_for(env, scope)
    if not namespaces:
        return []
    return unwrap(await getattr(env.client, method)(namespaces=namespaces))


async def fetch_configmaps(env: FetchEnv, scope: Scope) -> list[Any]:
    """One storage configmap query (plus the namespace list for all namespaces)."""
    return await _storage_list(env, scope, "storage_configmaps")


async def fetch_secrets(env: FetchEnv, scope: Scope) -> list[Any]:
    """One storage secret query (plus the namespace list for all namespaces)."""
    return await _storage_list(env, scope, "storage_secrets")


async def fetch_services(env: FetchEnv, scope: Scope) -> list[Any]:
    """One storage service query (plus the namespace list for all namespaces)."""
    return await _storage_list(env, scope, "storage_services")


MASK = "••••••••"


def mask_secret(data: Any) -> Any:
    """A copy of a secret's JSON with every `content` value (and `data` values) masked."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if k in ("content", "value") and isinstance(v, (str, bytes)):
                out[k] = MASK
            elif k in ("datas", "data") and isinstance(v, dict):
                out[k] = {dk: mask_secret(dv) if isinstance(dv, dict) else MASK for dk, dv in v.items()}
            else:
                out[k] = mask_secret(v)
        return out
    if isinstance(data, list):
        return [mask_secret(v) for v in data]
    return data


def _keys(o: Any) -> str:
    return ",".join(sorted(_datas(o)))


CONFIGMAPS = ResourceKind(
    name="configmaps",
    title="ConfigMaps",
    aliases=("cm", "configmap"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("KEYS", lambda o, rc: len(_datas(o)), sort=lambda o, rc: len(_datas(o)), numeric=True),
        col("ITEMS", lambda o, rc: _keys(o)),
        age_col(lambda o: g(meta(o), "creation_timestamp", "creationTimestamp")),
    ),
    fetch=fetch_configmaps,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    copy_id=object_name,
    inspect=storage_inspector("configmap"),
)

SECRETS = ResourceKind(
    name="secrets",
    title="Secrets",
    aliases=("secret", "sec"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("TYPE", lambda o, rc: g(o, "type")),
        col("KEYS", lambda o, rc: len(_datas(o)), sort=lambda o, rc: len(_datas(o)), numeric=True),
        col("ITEMS", lambda o, rc: _keys(o)),
        age_col(lambda o: g(meta(o), "creation_timestamp", "creationTimestamp")),
    ),
    fetch=fetch_secrets,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    describe=lambda o, rc: to_jsonable(o) if rc.revealed else mask_secret(to_jsonable(o)),
    copy_id=object_name,
    inspect=storage_inspector("secret"),
)


def _svc_ports(o: Any) -> str:
    spec = g(o, "spec")
    out = []
    for p in g(spec, "ports", default=[]) or []:
        sp = g(p, "service_port", "servicePort")
        tp = g(p, "target_port", "targetPort")
        proto = g(p, "protocol", default="")
        txt = f"{sp}" + (f"->{tp}" if tp not in (None, 0, "", sp) else "")
        out.append(f"{txt}/{proto}" if proto else txt)
    return " ".join(out)


SERVICES = ResourceKind(
    name="services",
    title="Services",
    aliases=("svc", "service"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("TYPE", lambda o, rc: g(g(o, "spec"), "type")),
        col("CLUSTER IP", lambda o, rc: ",".join(str(x) for x in g(g(o, "spec"), "cluster_ip", "clusterIP", default=[]) or [])),
        col("PORTS", lambda o, rc: _svc_ports(o)),
        col("SELECTOR", lambda o, rc: ",".join(f"{k}={v}" for k, v in sorted((g(g(o, "spec"), "selector", default={}) or {}).items()))),
        age_col(lambda o: g(meta(o), "creation_timestamp", "creationTimestamp")),
    ),
    fetch=fetch_services,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    copy_id=object_name,
    inspect=storage_inspector("service"),
)


# ---------------------------------------------------------------------------------------------
# CRDs and custom resources (raw kube JSON through the driver's proxy)


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.get("items") or [])
    return list(value or [])


def crd_versions(crd: Any) -> list[str]:
    spec = g(crd, "spec", default={}) or {}
    versions = [str(g(v, "name")) for v in g(spec, "versions", default=[]) or [] if g(v, "name")]
    if not versions and g(spec, "version"):
        versions = [str(g(spec, "version"))]
    return versions


def crd_group(crd: Any) -> str:
    return str(g(g(crd, "spec"), "group", default="") or "")


def crd_plural(crd: Any) -> str:
    return str(g(g(g(crd, "spec"), "names"), "plural", default="") or "")


async def fetch_crds(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: list custom resource definitions (kube proxy)."""
    return _items(await env.client.list_crds())


async def fetch_custom_resources(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: the custom resources of one CRD (one namespace, or all)."""
    crd = scope.parent
    if crd is None:
        return []
    if isinstance(crd, str):  # typed at the prompt (`cr NAME`): find the CRD (1 more request)
        wanted = crd
        crd = next((c for c in _items(await env.client.list_crds())
                    if object_name(c) == wanted or crd_plural(c) == wanted
                    or str(g(g(g(c, "spec"), "names"), "kind", default="")).lower() == wanted.lower()), None)
        if crd is None:
            from bcs_tui.api.errors import ApiError

            raise ApiError(0, f"no CRD named {wanted!r} (see :crd)", 200)
    versions = crd_versions(crd)
    api_version = f"{crd_group(crd)}/{versions[0] if versions else 'v1'}"
    return _items(await env.client.list_custom_resources(api_version, crd_plural(crd), namespace=scope.namespace))


CRDS = ResourceKind(
    name="crds",
    title="CRDs",
    aliases=("crd", "customresourcedefinition", "customresourcedefinitions"),
    columns=(
        col("NAME", lambda o, rc: object_name(o)),
        col("GROUP", lambda o, rc: crd_group(o)),
        col("KIND", lambda o, rc: g(g(g(o, "spec"), "names"), "kind")),
        col("PLURAL", lambda o, rc: crd_plural(o)),
        col("SCOPE", lambda o, rc: g(g(o, "spec"), "scope")),
        col("VERSIONS", lambda o, rc: ",".join(crd_versions(o))),
        age_col(lambda o: g(meta(o), "creationTimestamp", "creation_timestamp")),
    ),
    fetch=fetch_crds,
    row_key=object_name,
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    drill=lambda o, scope: ("customresources", Scope(parent_kind="crds", parent=o, label=object_name(o))),
)

CUSTOM_RESOURCES = ResourceKind(
    name="customresources",
    title="Custom resources",
    aliases=("cr", "customresource"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("KIND", lambda o, rc: g(o, "kind")),
        col("API VERSION", lambda o, rc: g(o, "apiVersion")),
        age_col(lambda o: g(meta(o), "creationTimestamp", "creation_timestamp")),
    ),
    fetch=fetch_custom_resources,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    needs_parent="crds",
)


# ---------------------------------------------------------------------------------------------
# Admission webhooks


def _hooks(o: Any) -> list[Any]:
    return list(g(o, "admission_webhooks", "admissionWebhooks", "AdmissionWebhooks", default=[]) or [])


def _ref(o: Any) -> Any:
    return g(o, "resources_ref", "resourcesRef", "ResourcesRef")


async def fetch_webhooks(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: list admission webhooks."""
    hooks = list(await env.client.list_admission_webhooks() or [])
    if scope.namespace:
        hooks = [h for h in hooks if object_namespace(h) == scope.namespace]
    return hooks


def _hook_endpoint(hook: Any) -> str:
    """The webhook's URL, or the service it calls (`name.namespace:port/path`)."""
    cc = g(hook, "client_config", "clientConfig", "ClientConfig")
    url = g(cc, "url", "Url", default="")
    if url:
        return str(url)
    name, ns = g(cc, "name", "Name", default=""), g(cc, "namespace", "Namespace", default="")
    if not name:
        return ""
    port, path = g(cc, "port", "Port", default=0), g(cc, "path", "Path", default="")
    return f"{name}.{ns}" + (f":{port}" if port else "") + str(path or "")


WEBHOOKS = ResourceKind(
    name="webhooks",
    title="Admission webhooks",
    aliases=("webhook", "admissionwebhook", "wh"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("OPERATION", lambda o, rc: g(_ref(o), "operation", "Operation")),
        col("KIND", lambda o, rc: g(_ref(o), "kind", "Kind")),
        col("HOOKS", lambda o, rc: ",".join(str(g(h, "name", "Name", default="")) for h in _hooks(o))),
        col("FAILURE", lambda o, rc: ",".join(sorted({str(g(h, "failure_policy", "failurePolicy", "FailurePolicy", default=""))
                                                      for h in _hooks(o)}))),
        col("ENDPOINT", lambda o, rc: ",".join(_hook_endpoint(h) for h in _hooks(o))),
    ),
    fetch=fetch_webhooks,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
)


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
)


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


# ---------------------------------------------------------------------------------------------
# The registry

KINDS: tuple[ResourceKind, ...] = (
    NAMESPACES, APPLICATIONS, PROCESSES, TASKGROUPS, CONTAINERS, VERSIONS, DEPLOYMENTS, OFFERS, AGENTS,
    CONFIGMAPS, SECRETS, SERVICES, CRDS, CUSTOM_RESOURCES, WEBHOOKS, COMMANDS, CONTEXTS,
)
KINDS_BY_NAME: dict[str, ResourceKind] = {k.name: k for k in KINDS}

# Views that are screens of their own rather than registry lists.
SPECIAL_VIEWS: dict[str, tuple[str, ...]] = {"cluster": ("cluster", "overview", "cl")}


def lookup(word: str) -> ResourceKind | None:
    """The kind called `word` (its name or an alias, case-insensitive)."""
    w = word.strip().lower()
    for kind in KINDS:
        if w == kind.name or w in kind.aliases:
            return kind
    return None


def lookup_special(word: str) -> str | None:
    w = word.strip().lower()
    for name, aliases in SPECIAL_VIEWS.items():
        if w == name or w in aliases:
            return name
    return None


def prompt_words() -> list[str]:
    """Every word the `:` prompt accepts as a view: kind names, their aliases, the special views."""
    words: list[str] = []
    for kind in KINDS:
        words.extend((kind.aliases[0], kind.name) if kind.aliases else (kind.name,))
        words.extend(kind.aliases[1:])
    for name, aliases in SPECIAL_VIEWS.items():
        words.append(name)
        words.extend(aliases)
    seen: set[str] = set()
    return [w for w in words if not (w in seen or seen.add(w))]


def primary_aliases() -> list[str]:
    """The short names shown to the user when input is unknown."""
    return [k.aliases[0] for k in KINDS if k.aliases] + ["cluster"]
