"""bcs-storage as the simulator serves it: tables of records kept by a mesos-watch, the query
engine (3,000 cap, string-only paging, projection, filters), the watch stream, re-report churn.

What the real server does, read at bk-bcs 54bf466a (`STO` = bcs-services/bcs-storage/storage):

- Records live in Mongo tables (`taskgroup`, `application` with the processes in it,
  `deployment`, `service`, `configmap`, `secret`, `endpoint`). mesos-watch puts each object
  (upsert by cluster/namespace/type/name); storage sets `updateTime` on every put and
  `createTime` on the first (`STO/actions/lib/store.go:374-446`). A delete is soft: the record
  gets `_isBcsObjectDeleted: true` and stays in the table (`store.go:491-504`); queries leave such
  records out and strip the flag (`store.go:140-181`). A put of a soft-deleted record's key
  updates that record (same `_id`, same place, new `createTime`).
- Keys are stored with "." and "$" replaced by U+FF0E / U+FF04 (`lib/storereplace.go`); a query
  answer turns them back with a byte replace over the whole JSON, values included. The watch
  stream sends the stored form (keys with U+FF0E), not the recovered one.
- The query route reads `offset`/`limit`/`field` from a POST body only as JSON strings
  (`dynamicquery/utils.go:133-141`), from the query string for GET; no `limit` (or 0) means
  3,000 (`store.go:157-162`); paging is skip/limit in natural (insertion) order, no sort.
  `field` is split on "," into a Mongo inclusion projection (`store.go:95-101,148-150`); an empty
  `field` means the whole record. The filters are the typed filter structs of
  `dynamicquery/filter-*.go` decoded from the body (`filter.go:31-108`): "In" on comma parts,
  `int`, `bool`, and the `timeL`/`timeR` text comparisons against `T.Format("…-0700")`.
- The watch stream (`dynamicwatch/`, `lib/watch.go`, `store.go:515-680`): HTTP 200 and events
  written back to back with no separator (ugorji's JSON encoder, `TermWhitespace` off), one
  flush per event; `timeout` and `selfOnly` are decoded but never used; `maxEvents` ends the
  stream after that many database events (a soft delete, one database update, sends a delete
  and a change); every end writes `{"type":-1,"value":null}`; a body that does not decode
  writes only that break event.

The simulator's mesos-watch is `Storage.sync()`: on every cluster tick and before every storage
request it puts each object whose rendered record was invalidated (`touch()` drops the marker
this module leaves in the object's render cache), soft-deletes records whose object is gone, and
re-reports every application/taskgroup record each `rereport` seconds (phases spread over the
window) with a new `reportTime`/`updateTime` and nothing else changed.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import json
import random
import re
import zlib
from datetime import datetime
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Iterable

from bcs_tui.sim.model import CST, dumps, rfc3339, storage_time

if TYPE_CHECKING:  # pragma: no cover
    from bcs_tui.sim.cluster import SimCluster

DEFAULT_LIMIT = 3000  # STO/actions/lib/store.go:37
REREPORT_SECONDS = 240.0  # bcs-mesos-watch cluster/mesos/taskgroup.go:134,213
STREAM_MODES = ("stream", "break", "none")
DEPLOYMENT_RECHECK = 10.0  # deployments are not touched on change: fully re-rendered this often
TOMBSTONE_SECONDS = 3600.0  # soft-deleted records are forgotten after this long
MAX_BUFFERED = 32 << 20  # a watcher that does not read this much is cut (break event)

EVENT_NONE, EVENT_ADD, EVENT_DELETE, EVENT_CHANGE, EVENT_SELF_CHANGE, EVENT_BREAK = 0, 1, 2, 3, 4, -1
BREAK_BYTES = b'{"type":-1,"value":null}'

CODE_LIST_FAILED = 1405085  # bcs-common/common/errorCode.go:108
CODE_NOT_EXIST = 1405087  # errorCode.go:112
GATEWAY_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
               b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>openresty</center>\r\n"
               b"</body>\r\n</html>\r\n")

_ESC_DOLLAR, _ESC_DOT = "\uff04", "\uff0e"
_ESC_DOLLAR_B, _ESC_DOT_B = _ESC_DOLLAR.encode(), _ESC_DOT.encode()
_ESC_LEAD = b"\xef\xbc"  # the UTF-8 lead bytes both replacements share
_ATOI = re.compile(r"^[+-]?[0-9]+$")  # Go strconv.Atoi / ParseInt (no spaces, no "_")
_MISSING = object()


def escape_keys(value: Any) -> Any:
    """Mongo's stored form: "." and "$" in keys replaced (`lib/storereplace.go:34-63`)."""
    t = type(value)
    if t is dict:
        return {(k.replace("$", _ESC_DOLLAR).replace(".", _ESC_DOT) if ("." in k or "$" in k)
                 else k): (escape_keys(v) if type(v) in _CONTAINERS else v)
                for k, v in value.items()}
    if t is list:
        return [escape_keys(v) if type(v) in _CONTAINERS else v for v in value]
    return value


_CONTAINERS = (dict, list)


def recover(raw: bytes) -> bytes:
    """`dollarRecover`: a byte replace over the whole JSON (values too, as the real one does)."""
    if _ESC_LEAD not in raw:
        return raw
    return raw.replace(_ESC_DOLLAR_B, b"$").replace(_ESC_DOT_B, b".")


def _go_int(text: str) -> int | None:
    if not _ATOI.match(text):
        return None
    n = int(text)
    return n if -(1 << 63) <= n < (1 << 63) else None


def storage_param_time(unix: int) -> str:
    """`time.Unix(t, 0).Format("2006-01-02T15:04:05-0700")` on a storage server in CST."""
    return datetime.fromtimestamp(unix, CST).strftime("%Y-%m-%dT%H:%M:%S%z")


# ---------------------------------------------------------------------------------------------
# Filters (dynamicquery/filter-*.go): (json key, record path, op, allowNoExists)

_COMMON = [("clusterId", "clusterId", "in", False), ("name", "resourceName", "in", False),
           ("namespace", "namespace", "in", False)]
_TG_FILTER = _COMMON + [
    ("rcName", "data.rcname", "in", False), ("status", "data.status", "in", False),
    ("lastStatus", "data.lastStatus", "in", False), ("hostIp", "data.hostIP", "in", False),
    ("hostName", "data.hostName", "in", False), ("podIp", "data.podIP", "in", False),
    ("createTimeBegin", "data.metadata.creationTimestamp", "timeL", False),
    ("createTimeEnd", "data.metadata.creationTimestamp", "timeR", False),
    ("startTimeBegin", "data.startTime", "timeL", False),
    ("startTimeEnd", "data.startTime", "timeR", False),
    ("lastUpdateTimeBegin", "data.lastUpdateTime", "timeL", False),
    ("lastUpdateTimeEnd", "data.lastUpdateTime", "timeR", False)]


def _app_filter(allow_no_kind: bool) -> list[tuple[str, str, str, bool]]:
    return _COMMON + [
        ("kind", "data.kind", "in", allow_no_kind), ("instance", "data.instance", "int", False),
        ("buildedInstance", "data.buildedInstance", "int", False),
        ("runningInstance", "data.runningInstance", "int", False),
        ("status", "data.status", "in", False), ("lastStatus", "data.lastStatus", "in", False),
        ("podIp", "data.podIP", "in", False),
        ("createTimeBegin", "data.createTime", "timeL", False),
        ("createTimeEnd", "data.createTime", "timeR", False),
        ("lastUpdateTimeBegin", "data.lastUpdateTime", "timeL", False),
        ("lastUpdateTimeEnd", "data.lastUpdateTime", "timeR", False)]


_DEPLOYMENT_FILTER = _COMMON + [
    ("checkTime", "data.check_time", "int", False), ("status", "data.status", "in", False),
    ("applicationName", "data.application.name", "in", False),
    ("applicationExtName", "data.application_ext.name", "in", False),
    ("currRollingOperation", "data.curr_rolling_operation", "in", False),
    ("isInRolling", "data.is_in_rolling", "bool", False),
    ("lastRollingTimeBegin", "data.last_rolling_time", "timeL", False),
    ("lastRollingTimeEnd", "data.last_rolling_time", "timeR", False)]
_SIMPLE_FILTER = _COMMON + [("apiVersion", "data.apiVersion", "in", False)]

# query route type -> (table, filter, defaults of the filter struct) (dynamic-action.go:474-595)
QUERY_TYPES: dict[str, tuple[str, list, dict[str, str]]] = {
    "taskgroup": ("taskgroup", _TG_FILTER, {}),
    "application": ("application", _app_filter(True), {"kind": ",application"}),
    "process": ("application", _app_filter(False), {"kind": "process"}),
    "deployment": ("deployment", _DEPLOYMENT_FILTER, {}),
    "service": ("service", _SIMPLE_FILTER, {}),
    "configmap": ("configmap", _SIMPLE_FILTER, {}),
    "secret": ("secret", _SIMPLE_FILTER, {}),
    "endpoints": ("endpoint", _SIMPLE_FILTER, {}),  # the route is plural, the table singular
    "exportservice": ("exportservice", _COMMON, {}),
    "ippoolstatic": ("ippoolstatic", _COMMON, {}),
    "ippoolstaticdetail": ("ippoolstaticdetail", _COMMON, {}),
}
# the namespace list: these six queries, `field=namespace` (dynamicquery/utils.go:41-47,325-346)
NAMESPACE_SOURCES = ("application", "process", "deployment", "service", "configmap", "secret")
REREPORTED = ("taskgroup", "application")


class QueryError(Exception):
    """The query failed in Mongo or in decoding the filter: 1405085 with `data: []`."""


def _walk(doc: Any, parts: list[str]) -> Any:
    for p in parts:
        if not isinstance(doc, dict) or p not in doc:
            return _MISSING
        doc = doc[p]
    return doc


class _Cond:
    __slots__ = ("path", "op", "arg", "allow_missing")

    def __init__(self, path: str, op: str, arg: Any, allow_missing: bool) -> None:
        self.path, self.op, self.arg, self.allow_missing = path, op, arg, allow_missing

    def match(self, value: Any) -> bool:
        if value is _MISSING:
            return self.allow_missing
        op = self.op
        if op == "in":
            if isinstance(value, list):
                return any(isinstance(v, str) and v in self.arg for v in value)
            return isinstance(value, str) and value in self.arg
        if op == "int":
            return isinstance(value, (int, float)) and not isinstance(value, bool) and value == self.arg
        if op == "bool":
            return isinstance(value, bool) and value == self.arg
        # Mongo compares a string only with strings (type bracketing): a number never matches
        if op == "gt":
            return isinstance(value, str) and value > self.arg
        return isinstance(value, str) and value < self.arg


def build_conditions(spec: list, defaults: dict[str, str], params: dict[str, Any],
                     cluster_id: str) -> list[_Cond]:
    """The filter struct decoded from the body (`getQueryParamJSON`, `qGenerate`)."""
    values: dict[str, str] = dict(defaults)
    for key, _, _, _ in spec:
        if key not in params or params[key] is None:
            continue
        v = params[key]
        if not isinstance(v, str):
            raise QueryError(f"decode filter failed: {key} is not a string")
        values[key] = v
    values["clusterId"] = cluster_id  # the path parameter wins over the body
    out: list[_Cond] = []
    for key, path, op, allow in spec:
        value = values.get(key, "")
        if value == "":
            continue
        if op == "in":
            out.append(_Cond(path, "in", frozenset(value.split(",")), allow))
        elif op == "int":
            n = _go_int(value)
            if n is not None:
                out.append(_Cond(path, "int", n, allow))
        elif op == "bool":
            out.append(_Cond(path, "bool", value.upper() == "TRUE" or value == "1", allow))
        else:
            n = _go_int(value)
            if n is None:
                continue  # getTime failed: the condition is left out
            out.append(_Cond(path, "gt" if op == "timeL" else "lt", storage_param_time(n), allow))
    return out


def parse_fields(text: str) -> tuple[tuple[str, ...], ...] | None:
    """`field` -> projection paths (None: the whole record). Raises QueryError where Mongo does."""
    if not text:
        return None
    paths = []
    for item in text.split(","):
        parts = tuple(item.split("."))
        if any(p == "" for p in parts):
            raise QueryError("FieldPath cannot be constructed with empty string")
        if parts[0].startswith("$"):
            raise QueryError("FieldPath field names may not start with '$'")
        paths.append(parts)
    tree: dict = {}
    for parts in paths:
        node = tree
        for i, p in enumerate(parts):
            last = i == len(parts) - 1
            cur = node.get(p)
            if last:
                if isinstance(cur, dict):
                    raise QueryError(f"Path collision at {'.'.join(parts)}")
                node[p] = True
            else:
                if cur is True:
                    raise QueryError(f"Path collision at {'.'.join(parts)}")
                node = node.setdefault(p, {})
    return tuple(sorted(set(paths)))


def _tree(paths: Iterable[tuple[str, ...]]) -> dict:
    tree: dict = {}
    for parts in paths:
        node = tree
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = True
    return tree


def _project_doc(doc: dict, tree: dict) -> dict:
    out = {}
    for k, v in doc.items():  # Mongo keeps the document's field order
        sub = tree.get(k)
        if sub is None:
            continue
        if sub is True:
            out[k] = v
            continue
        got = _project_value(v, sub)
        if got is not _MISSING:
            out[k] = got
    return out


def _project_value(v: Any, sub: dict) -> Any:
    if isinstance(v, dict):
        return _project_doc(v, sub)
    if isinstance(v, list):  # a path into an array projects each element; scalars drop out
        return [got for got in (_project_value(e, sub) for e in v
                                if isinstance(e, (dict, list))) if got is not _MISSING]
    return _MISSING


def project(doc: dict, paths: tuple[tuple[str, ...], ...]) -> dict:
    """Mongo inclusion projection: `_id` plus the listed paths."""
    out = _project_doc(doc, _tree(paths))
    if "_id" in doc and "_id" not in out:
        out = {"_id": doc["_id"], **out}
    return out


# ---------------------------------------------------------------------------------------------
# Tables


class Row:
    """One stored record. `core` is its stored JSON (keys escaped) without `updateTime` and
    `data.reportTime`, both kept apart so a re-report costs a few byte joins, not a render."""

    __slots__ = ("oid", "ns", "name", "created", "core", "rt", "ut", "index", "deleted",
                 "deleted_at", "next_rr", "_query", "_proj", "src")

    def __init__(self, oid: str, ns: str, name: str) -> None:
        self.oid, self.ns, self.name = oid, ns, name
        self.created = ""
        self.core = b""
        self.rt: str | None = None
        self.ut = ""
        self.index: dict[str, Any] = {}
        self.deleted = False
        self.deleted_at = 0.0
        self.next_rr = 0.0
        self._query: bytes | None = None
        self._proj: dict | None = None
        self.src: Any = None  # what the record was rendered from (objects: a revision)

    def stored(self) -> bytes:
        """The full record as Mongo holds it (keys escaped), without the deletion flag."""
        head = self.core[:-2]
        tail = b'},"updateTime":"' + self.ut.encode() + b'"}'
        if self.rt is not None:
            sep = b"" if head.endswith(b"{") else b","
            return head + sep + b'"reportTime":"' + self.rt.encode() + b'"' + tail
        return head + tail

    def event_value(self) -> bytes:
        return self.stored()[:-1] + (b',"_isBcsObjectDeleted":true}' if self.deleted
                                     else b',"_isBcsObjectDeleted":false}')

    def query_bytes(self) -> bytes:
        q = self._query
        if q is None:
            q = self._query = recover(self.stored())
        return q

    def projected(self, paths: tuple[tuple[str, ...], ...]) -> bytes:
        cache = self._proj
        if cache is None:
            cache = self._proj = {}
        got = cache.get(paths)
        if got is None:
            if len(cache) >= 4:
                cache.clear()
            got = cache[paths] = recover(dumps(project(json.loads(self.stored()), paths)))
        return got

    def invalidate(self, times_only: bool = False) -> None:
        self._query = None
        if not times_only or not self._proj:
            self._proj = None
            return
        # a re-report only moves updateTime and data.reportTime: other projections still hold
        for paths in list(self._proj):
            if any(p[0] == "updateTime" or (p[0] == "data" and (len(p) == 1 or p[1] == "reportTime"))
                   for p in paths):
                del self._proj[paths]


class Table:
    def __init__(self, name: str, filter_paths: Iterable[str]) -> None:
        self.name = name
        self.rows: dict[Any, Row] = {}
        self.alive: set = set()
        self.paths = sorted({p for p in filter_paths})


# ---------------------------------------------------------------------------------------------
# Watch stream


class Watcher:
    """One open watch stream: its events wait here until the response generator writes them."""

    def __init__(self, hub: "Storage", table: str, cluster_id: str, max_events: int,
                 seed: int) -> None:
        self.hub, self.table, self.cluster_id = hub, table, cluster_id
        self.max_events = max_events
        self.count = 0
        self.buf: collections.deque[bytes] = collections.deque()
        self.size = 0
        self.done = False
        self.rng = random.Random(seed)
        self.loop = asyncio.get_running_loop()
        self.wake = asyncio.Event()

    def _wake(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.wake.set()
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.wake.set)

    def push(self, events: list[bytes]) -> None:
        """One database event (a soft delete brings two stream events)."""
        if self.done:
            return
        for e in events:
            self.buf.append(e)
            self.size += len(e)
        self.count += 1
        if (self.max_events and self.count >= self.max_events) or self.size > MAX_BUFFERED:
            self.end()
        self._wake()

    def end(self) -> None:
        if not self.done:
            self.done = True
            self.buf.append(BREAK_BYTES)
            self._wake()

    def cut(self) -> None:
        """End without the break event: what a client sees when the server goes away."""
        if not self.done:
            self.done = True
            self._wake()

    def _pieces(self, data: bytes) -> Iterable[bytes]:
        """Cut what is pending at arbitrary points: objects split across chunks (inside strings
        and multi-byte characters too) and several objects in one chunk, as a real network
        path between a Go server, a gateway and a client does."""
        rng = self.rng
        i, n = 0, len(data)
        while i < n:
            r = rng.random()
            size = rng.randint(1, 24) if r < 0.2 else rng.randint(25, 1400) if r < 0.7 \
                else rng.randint(1400, 9000)
            yield data[i:i + size]
            i += size

    async def stream(self) -> AsyncIterator[bytes]:
        try:
            while True:
                if not self.buf:
                    if self.done:
                        return
                    self.wake.clear()
                    await self.wake.wait()
                    continue
                data = b"".join(self.buf)
                self.buf.clear()
                self.size = 0
                for piece in self._pieces(data):
                    yield piece
                if self.done and not self.buf:
                    return
        finally:
            self.done = True
            self.hub.unsubscribe(self)


def parse_watch_options(raw: bytes) -> dict | None:
    """`bcstypes.WatchOptions` decoded from the body; None when it does not decode (the server
    then writes only the break event)."""
    try:
        body = json.loads(raw) if raw.strip() else _MISSING
    except (ValueError, UnicodeDecodeError):
        return None
    if body is None:
        body = {}
    if not isinstance(body, dict):
        return None
    out = {"selfOnly": False, "maxEvents": 0, "timeout": 0, "mustDiff": ""}
    for key, kind in (("selfOnly", bool), ("maxEvents", int), ("timeout", int), ("mustDiff", str)):
        if key not in body or body[key] is None:
            continue
        v = body[key]
        if kind is bool and not isinstance(v, bool):
            return None
        if kind is int and (isinstance(v, bool) or not isinstance(v, (int, float))
                            or v != int(v) or (key == "maxEvents" and v < 0)):
            return None
        if kind is str and not isinstance(v, str):
            return None
        out[key] = int(v) if kind is int else v
    return out


# ---------------------------------------------------------------------------------------------
# The storage of one simulated cluster


class Storage:
    """bcs-storage plus the mesos-watch that fills it, for one SimCluster."""

    def __init__(self, cluster: "SimCluster", *, stream_mode: str = "stream",
                 rereport: float = REREPORT_SECONDS) -> None:
        if stream_mode not in STREAM_MODES:
            raise ValueError(f"unknown stream mode {stream_mode!r} (stream, break or none)")
        if rereport < 0:
            raise ValueError("rereport must be >= 0 seconds (0: never)")
        self.cluster = cluster
        self.stream_mode = stream_mode
        self.rereport = float(rereport)
        self.tables: dict[str, Table] = {}
        for table, spec, _ in QUERY_TYPES.values():
            t = self.tables.get(table)
            paths = [path for _, path, _, _ in spec]
            if t is None:
                self.tables[table] = Table(table, paths)
            else:
                t.paths = sorted(set(t.paths) | set(paths))
        self._seq = 0
        self._rr_heap: list[tuple[float, int, str, Any]] = []
        self._tombstones: collections.deque[tuple[float, str, Any]] = collections.deque()
        self._watchers: dict[str, list[Watcher]] = {}
        self._watch_seq = 0
        self._initial = True
        self._dep_checked = -1e18
        self._synced_once = False
        self.events_published = 0

    # -------------------------------------------------------------- mesos-watch side

    def _oid(self, now: float) -> str:
        self._seq += 1
        return "%08x%010x%06x" % (int(now) & 0xFFFFFFFF,
                                  zlib.crc32(self.cluster.cluster_id.encode()) & 0xFFFFFFFFFF,
                                  self._seq & 0xFFFFFF)

    def _put(self, tbl: Table, key: Any, record: dict, now: float, *, reported: bool,
             src: Any = None) -> bool:
        """Upsert one record (mesos-watch -> storage). False when nothing changed."""
        data = record.get("data") or {}
        rt = data.pop("reportTime", None) if reported else None
        row = tbl.rows.get(key)
        ns, name = record.get("namespace", ""), record.get("resourceName", "")
        kind = EVENT_CHANGE
        if row is None:
            row = Row(self._oid(now), ns, name)
            row.created = record.get("createTime") or storage_time(now)
            row.ut = record.get("updateTime") or storage_time(now)
            kind = EVENT_ADD
        elif row.deleted:
            row.created = storage_time(now)  # counted as absent: a new createTime (store.go:435-437)
        head = {"_id": row.oid, "clusterId": record.get("clusterId", ""), "namespace": ns,
                "resourceName": name, "resourceType": record.get("resourceType", tbl.name),
                "createTime": row.created, "data": escape_keys(data)}
        core = dumps(head)
        row.src = src
        if kind == EVENT_CHANGE and not row.deleted and core == row.core:
            return False
        row.core = core
        row.index = {p: _walk(record, p.split(".")) for p in tbl.paths}
        if rt is not None:
            row.rt = rt
        if kind == EVENT_CHANGE:
            row.ut = storage_time(now)  # storage stamps every put (store.go:438-440)
        recreated = row.deleted
        row.deleted = False
        row.invalidate()
        if kind == EVENT_ADD:
            tbl.rows[key] = row
        if (kind == EVENT_ADD or recreated) and tbl.name in REREPORTED and self.rereport > 0:
            # each object's own 240 s ticker starts when mesos-watch first sees it; the objects
            # of the initial list are spread over the window
            phase = (zlib.crc32(repr(key).encode()) % max(1, int(self.rereport * 1000))) / 1000
            row.next_rr = now + (phase if self._initial else self.rereport)
            heapq.heappush(self._rr_heap, (row.next_rr, self._next_seq(), tbl.name, key))
        tbl.alive.add(key)
        self._publish(tbl.name, row, [kind])
        return True

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _delete(self, tbl: Table, key: Any, now: float) -> None:
        row = tbl.rows.get(key)
        tbl.alive.discard(key)
        if row is None or row.deleted:
            return
        row.deleted = True
        row.deleted_at = now
        row.invalidate()
        self._tombstones.append((now, tbl.name, key))
        # the soft delete is one update: a delete event, then a change event (store.go:628-644)
        self._publish(tbl.name, row, [EVENT_DELETE, EVENT_CHANGE])

    def _rereport(self, now: float) -> None:
        heap = self._rr_heap
        period = self.rereport
        rt, ut = rfc3339(now), storage_time(now)
        while heap and heap[0][0] <= now:
            due, _, table, key = heapq.heappop(heap)
            tbl = self.tables[table]
            row = tbl.rows.get(key)
            if row is None or row.deleted or row.next_rr != due or period <= 0:
                continue
            if row.rt is not None:
                row.rt = rt
            row.ut = ut
            row.invalidate(times_only=True)
            nxt = due + period
            row.next_rr = nxt if nxt > now else now + period
            heapq.heappush(heap, (row.next_rr, self._next_seq(), table, key))
            self._publish(table, row, [EVENT_CHANGE])

    def sync(self, *, deployments: bool = False) -> None:
        """What mesos-watch does between two ticks: put what changed, delete what is gone,
        re-report what is due."""
        c = self.cluster
        now = c.now()
        cid = c.cluster_id
        touched_ns: set[str] = set()
        # taskgroups: a touch() since the last put dropped the marker. After the puts every live
        # key is in `alive`, so a longer `alive` means some objects are gone.
        tbl = self.tables["taskgroup"]
        live = c.taskgroups
        for tg in [tg for tg in live.values() if "_stored" not in tg._cache]:
            tg._cache["_stored"] = True
            if self._put(tbl, tg.id, tg.storage_json(cid, now), now, reported=True):
                touched_ns.add(tg.app.namespace)
        if len(tbl.alive) > len(live):
            for key in tbl.alive - live.keys():
                touched_ns.add(tbl.rows[key].ns)
                self._delete(tbl, key, now)
        # applications and processes
        tbl = self.tables["application"]
        for app in [a for a in c.apps.values() if "_stored" not in a._cache]:
            app._cache["_stored"] = True
            self._put(tbl, (app.namespace, app.name), app.storage_json(cid, now), now,
                      reported=True)
        if len(tbl.alive) > len(c.apps):
            for key in tbl.alive - c.apps.keys():
                self._delete(tbl, key, now)
        # deployments: the rollout code never touches them; a signature of what the record is
        # made of, and a full re-render now and then
        full = deployments or now - self._dep_checked >= DEPLOYMENT_RECHECK
        if full:
            self._dep_checked = now
        tbl = self.tables["deployment"]
        for key, d in c.deployments.items():
            sig = self._deployment_sig(d)
            row = tbl.rows.get(key)
            if not full and row is not None and not row.deleted and row.src == sig:
                continue
            if not self._put(tbl, key, c.deployment_record(d), now, reported=False, src=sig):
                row = tbl.rows.get(key)
                if row is not None:
                    row.src = sig
        if len(tbl.alive) > len(c.deployments):
            for key in tbl.alive - c.deployments.keys():
                self._delete(tbl, key, now)
        # configmaps, secrets, services, and the endpoints derived from services + taskgroups
        for kind in ("configmap", "secret", "service"):
            tbl = self.tables[kind]
            objs = c.objects[kind]
            for key, obj in objs.items():
                rev = (id(obj), id(obj.body), obj.updated)
                row = tbl.rows.get(key)
                if row is not None and not row.deleted and row.src == rev:
                    continue
                if self._put(tbl, key, c.storage_object_json(obj), now, reported=False, src=rev):
                    if kind == "service":
                        touched_ns.add(obj.namespace)
                elif kind == "service" and row is not None:
                    row.src = rev
            gone = tbl.alive - objs.keys()
            for key in gone:
                self._delete(tbl, key, now)
                if kind == "service":
                    touched_ns.add(key[0])
        tbl = self.tables["endpoint"]
        services = c.objects["service"]
        for key, svc in services.items():
            if key in tbl.alive and svc.namespace not in touched_ns and self._synced_once:
                continue
            self._put(tbl, key, c.endpoint_record(svc), now, reported=False)
        for key in tbl.alive - services.keys():
            self._delete(tbl, key, now)
        if self.rereport > 0:
            self._rereport(now)
        self._forget(now)
        self._synced_once = True
        self._initial = False

    def _deployment_sig(self, d: Any) -> tuple:
        app, ext = self.cluster.deployment_apps(d)
        return (d.status, d.message, d.is_in_rolling, d.curr_rolling_operation,
                d.last_rolling_time, d.check_time, d.update_time, d.target_instances,
                id(d.raw_json), id(d.raw_json_backup), id(d.strategy), id(d.labels),
                (id(app), app.define_instances, len(app.taskgroups)) if app else None,
                (id(ext), ext.define_instances, len(ext.taskgroups)) if ext else None)

    def _forget(self, now: float) -> None:
        tomb = self._tombstones
        while tomb and tomb[0][0] < now - TOMBSTONE_SECONDS:
            _, table, key = tomb.popleft()
            row = self.tables[table].rows.get(key)
            if row is not None and row.deleted and row.deleted_at < now - TOMBSTONE_SECONDS:
                del self.tables[table].rows[key]

    async def warm(self, chunk: int = 1000) -> None:
        """Render the records of a large cluster ahead of the first query, yielding to the loop
        (the first sync does it otherwise)."""
        c = self.cluster
        now = c.now()
        cid = c.cluster_id
        tbl = self.tables["taskgroup"]
        items = list(c.taskgroups.items())
        for i in range(0, len(items), chunk):
            if self._synced_once:
                return
            for tid, tg in items[i:i + chunk]:
                if "_stored" not in tg._cache and tg.alive:
                    tg._cache["_stored"] = True
                    self._put(tbl, tid, tg.storage_json(cid, now), now, reported=True)
            await asyncio.sleep(0)
        if not self._synced_once:
            self.sync()

    # -------------------------------------------------------------- watch side

    @property
    def watchers(self) -> int:
        """How many watch streams are open (tests wait on it)."""
        return sum(len(v) for v in self._watchers.values())

    def subscribe(self, table: str, cluster_id: str, options: dict) -> Watcher:
        self.sync()  # what happened before the watch is in the tables, not in the stream
        self._watch_seq += 1
        # selfOnly and timeout are decoded but never used by the real server; mustDiff drops
        # updates without changed fields, and every put changes updateTime: none here either
        w = Watcher(self, table, cluster_id, int(options.get("maxEvents") or 0),
                    self.cluster.seed * 1000003 + self._watch_seq)
        self._watchers.setdefault(table, []).append(w)
        return w

    def unsubscribe(self, w: Watcher) -> None:
        lst = self._watchers.get(w.table)
        if lst and w in lst:
            lst.remove(w)

    def break_streams(self) -> int:
        """End every open stream with the break event (a Mongo change stream that errored, a
        primary step-down). Returns how many were open."""
        return self._end_streams(Watcher.end)

    def cut_streams(self) -> int:
        """End every open stream without a break (the server stops: uvicorn would otherwise wait
        for these endless answers before it lets the port go). Returns how many were open."""
        return self._end_streams(Watcher.cut)

    def _end_streams(self, how: Callable[[Watcher], None]) -> int:
        n = 0
        for lst in list(self._watchers.values()):
            for w in list(lst):
                how(w)
                n += 1
        return n

    def _publish(self, table: str, row: Row, kinds: list[int]) -> None:
        watchers = self._watchers.get(table)
        if not watchers:
            return
        value = row.event_value()
        events = [b'{"type":%d,"value":' % k + value + b"}" for k in kinds]
        cid = self.cluster.cluster_id
        for w in list(watchers):
            if w.cluster_id != cid:
                continue  # watchMatch on clusterId: a wrong id sees nothing
            w.push(events)
        self.events_published += len(events)

    # -------------------------------------------------------------- query side

    def query(self, qtype: str, cluster_id: str, params: dict[str, Any], *, post: bool
              ) -> list[bytes]:
        """The records of one query route (raises QueryError like a failed Mongo query)."""
        table, spec, defaults = QUERY_TYPES[qtype]
        self.sync(deployments=table == "deployment")
        offset, limit, fields = self._paging(params)
        conds = build_conditions(spec, defaults, params, cluster_id)
        return self._run(self.tables[table], conds, offset, limit, fields)

    @staticmethod
    def _param(params: dict[str, Any], key: str) -> str:
        v = params.get(key)
        return v if isinstance(v, str) else ""  # r, _ = body[key].(string)

    def _paging(self, params: dict[str, Any]) -> tuple[int, int, tuple | None]:
        offset = _go_int(self._param(params, "offset")) or 0
        limit = _go_int(self._param(params, "limit")) or 0
        if offset < 0:
            raise QueryError("(BadValue) Skip value must be non-negative")
        fields = parse_fields(self._param(params, "field"))
        return offset, abs(limit) if limit else DEFAULT_LIMIT, fields

    def _run(self, tbl: Table, conds: list[_Cond], offset: int, limit: int,
             fields: tuple | None) -> list[bytes]:
        out: list[bytes] = []
        skip = offset
        for row in tbl.rows.values():
            if row.deleted:
                continue
            if conds:
                idx = row.index
                if not all(c.match(idx.get(c.path, _MISSING)) for c in conds):
                    continue
            if skip:
                skip -= 1
                continue
            out.append(row.query_bytes() if fields is None else row.projected(fields))
            if len(out) >= limit:
                break
        return out

    def namespaces(self, cluster_id: str, params: dict[str, Any]) -> list[str]:
        """`…/namespace`: the namespaces of six capped, projected queries."""
        self.sync(deployments=True)
        offset, limit, _ = self._paging({k: v for k, v in params.items() if k != "field"})
        seen: dict[str, None] = {}
        for qtype in NAMESPACE_SOURCES:
            table, spec, defaults = QUERY_TYPES[qtype]
            conds = build_conditions(spec, defaults, params, cluster_id)
            skip = offset
            n = 0
            for row in self.tables[table].rows.values():
                if row.deleted or (conds and not all(c.match(row.index.get(c.path, _MISSING))
                                                     for c in conds)):
                    continue
                if skip:
                    skip -= 1
                    continue
                seen.setdefault(row.ns, None)
                n += 1
                if n >= limit:
                    break
        # the real list comes in Go map order (random); sorted here, which no client may rely on
        return sorted(seen)

    def inspect(self, cluster_id: str, ns: str, kind: str, name: str) -> bytes | None:
        """`GET …/namespace_resources/clusters/{cid}/namespaces/{ns}/{kind}/{name}`: the stored
        record or None. `process` reads the application table with `data.kind == process`;
        `application` matches any record of that table (the `Ne` on kind is never applied,
        `dynamic/utils.go:137-151`)."""
        if cluster_id != self.cluster.cluster_id:
            return None
        table = "application" if kind == "process" else kind
        tbl = self.tables.get(table)
        if tbl is None:
            return None
        self.sync(deployments=table == "deployment")
        row = tbl.rows.get(name) if table == "taskgroup" else tbl.rows.get((ns, name))
        if row is None or row.deleted or row.ns != ns:
            return None
        if kind == "process" and row.index.get("data.kind") != "process":
            return None
        return row.query_bytes()

