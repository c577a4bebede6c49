"""What every kind is built from: status classes, tolerant field access, time helpers, the
`ResourceKind` / `ColumnSpec` / `Scope` declarations and the fetch helpers."""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Iterable, Mapping

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


def list_order(obj: Any) -> tuple[Any, ...]:
    """The order a namespaced list shows before any sort key is pressed: namespace, then name;
    a taskgroup ID (`{instance}.{app}.{ns}.{cluster}.{stamp}`) by application, then instance
    as a number. Storage answers in its natural (insertion) order, which reads as random."""
    ns, name = object_namespace(obj), object_name(obj)
    head, _, rest = name.partition(".")
    if rest and head.isdigit():
        return (ns, rest.partition(".")[0], int(head), name)
    return (ns, name, 0, "")


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


def _fmt_time(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


# ---------------------------------------------------------------------------------------------
# Identity of a taskgroup (used by storage_inspector and the taskgroup kinds)


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

    `previous` is the view's last objects (no fetch needs them any more: projected rows compare
    by value, see build_rows)."""

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
    # Writes (bcs_tui/resources/writes.py): action id -> Write; the action table takes each write
    # action's kinds from here. `noun` names one object in titles ("application prod/web").
    noun: str = ""
    writes: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    manifest: Any = None  # a writes.ManifestSpec for kinds that are edited / created as manifests

    def to_json(self, obj: Any, rc: RenderContext) -> Any:
        """The object as JSON (describe, copy): the kind's `describe` (secrets mask their values
        unless `rc.revealed`), else every field of the model."""
        return self.describe(obj, rc) if self.describe is not None else to_jsonable(obj)
    # Kept fresh from the cluster's change stream of a storage table instead of polled (big views).
    live: "LiveSource | None" = None

    def bad(self, obj: Any) -> bool:
        if self.is_bad is not None:
            return bool(self.is_bad(obj))
        return self.status(obj) in BAD_CLASSES

    def visible_columns(self, all_namespaces: bool) -> list[ColumnSpec]:
        return [c for c in self.columns if all_namespaces or not c.all_ns_only]


@dataclass(frozen=True)
class LiveSource:
    """A view served by the shared change stream of one storage table (bcs_tui/ui/feeds.py): the
    stream keeps every record of the table (all namespaces, projected to the table's row type in
    bcs_tui.api.records); `select` picks the view's rows from them, or answers None for a scope
    the table does not serve (then the kind's `fetch` is used)."""

    # `select` must be a filter of each record on its own (no order, no record depending on the
    # others): a live view applies a change by selecting the changed record alone.
    storage_kind: str  # taskgroup, application, process
    select: Callable[[Scope, Iterable[Any]], list[Any] | None]


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


def in_namespace(scope: Scope, rows: Iterable[Any]) -> list[Any]:
    """The rows of the scope's namespace (all rows for all namespaces)."""
    ns = scope.namespace
    return [r for r in rows if object_namespace(r) == ns] if ns else list(rows)


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


async def storage_list(env: FetchEnv, kind: str, namespaces: list[str] | None,
                       host_ip: str | None = None) -> list[Any]:
    """One complete storage query (application, process or taskgroup) for a list view, all
    namespaces when `namespaces` is None: projected rows (`BcsClient.storage_list`: only the
    fields the lists show, bcs_tui.api.records), like `unwrap(client.storage_query(...))`."""
    client = env.client
    rows = getattr(client, "storage_list", None)
    if rows is not None:
        return list(await rows(kind, namespaces, host_ip))
    return unwrap(await client.storage_query(kind, namespaces, host_ip))


async def _namespaces_for(env: FetchEnv, scope: Scope) -> list[str] | None:
    """The namespaces a storage query should cover: one, or None for all. "All namespaces" leaves
    `namespace` out of the query: storage's own namespace list is built under its 3,000-record
    cap and can miss some (bcs-api-facts §11.1)."""
    if scope.namespace:
        return [scope.namespace]
    return None


def _app_kind(obj: Any) -> str:
    return str(g(obj, "kind", "Kind", default="") or "")
