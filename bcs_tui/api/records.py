"""Projected storage records for list views: one msgspec Struct per kind, spelled once.

A list view needs a handful of fields per record; bcs-storage can send only those (`field`, a comma
list of dotted paths, bcs-api-facts §11.1). Each record type below declares the fields a list of
its kind reads, under the model's snake_case attribute names with their JSON keys (`name=`); the
`field` value a query sends is derived from that declaration (`projection`), so a JSON key is
spelled in exactly one place. The full typed models (bcs_tui.api.models) stay what describe,
inspect and writes use: opening an object re-reads its full record.

Decoding is msgspec straight from the answer's bytes into these Structs (the numbers that chose it
are in docs/architecture.md). Structs compare by value in C (`==`), which is how a refresh or a
watch event that re-reports an unchanged record (mesos-watch rewrites every record every 240 s)
is recognised without rebuilding its row.

A body that does not decode as a whole (one record with an unexpected type, invalid UTF-8, JSON
nested too deeply) is split into its records and each is decoded alone: the records that decode
are kept and every one that does not is named in `RecordList.problems`.
"""

from __future__ import annotations

import re
from typing import Any, Callable, ClassVar, Generic, Iterable, Iterator, TypeVar

import msgspec
from msgspec import Struct, field

from bcs_tui.api.errors import ProtocolError

__all__ = [
    "AppRow", "ContainerRow", "NamespaceRow", "RecordList", "RowMeta", "StorageRow", "TaskGroupRow",
    "ROW_TYPES", "decode_records", "decode_record", "projection", "split_array",
]


def _known(cls: type) -> frozenset[str]:
    # What `resources.g` may ask for without falling into AttributeError handling.
    return frozenset(n for n in dir(cls) if not n.startswith("_")) | frozenset(getattr(cls, "__struct_fields__", ()))


class RowMeta(Struct, gc=False):
    """`metadata` of a projected record: name and namespace only."""

    name: str | None = None
    namespace: str | None = None
    known_attributes: ClassVar[frozenset[str]]


class StorageRow(Struct, gc=False):
    """Common part of the projected `data` of a storage record."""

    metadata: RowMeta = field(default_factory=RowMeta)
    status: str | None = None
    message: str | None = None
    kind: str | None = None
    # data.lastUpdateTime moves on a real change only (not on the 240 s re-report): polling
    # with lastUpdateTimeBegin starts from the newest one seen.
    last_update_time: str | None = field(name="lastUpdateTime", default=None)

    STORAGE_KIND: ClassVar[str] = ""
    known_attributes: ClassVar[frozenset[str]]
    # `resources.is_lite`: name, namespace (and the list fields) are plain attributes.
    is_lite: ClassVar[bool] = True
    is_projected: ClassVar[bool] = True

    @property
    def name(self) -> str:
        """`metadata.name` (as the full models' `name`)."""
        return self.metadata.name or ""

    @property
    def namespace(self) -> str:
        """`metadata.namespace` (as the full models' `namespace`)."""
        return self.metadata.namespace or ""

    def to_json(self) -> Any:
        """The projected fields under their JSON keys (describe shows this until the full record
        has been read)."""
        return msgspec.to_builtins(self)


class ContainerRow(Struct, gc=False):
    """One element of `containerStatuses`: only what a list shows."""

    restart_count: int | None = field(name="restartCount", default=None)
    known_attributes: ClassVar[frozenset[str]]


class TaskGroupRow(StorageRow, gc=False):
    """A storage taskgroup (BcsPodStatus) for lists: the columns, the row key (`metadata.name`, the
    taskgroup ID), drill and action targets (namespace, rcname, hostIP)."""

    rcname: str | None = None
    host_ip: str | None = field(name="hostIP", default=None)
    pod_ip: str | None = field(name="podIP", default=None)
    start_time: str | None = field(name="startTime", default=None)
    container_statuses: list[ContainerRow] | None = field(name="containerStatuses", default=None)

    STORAGE_KIND: ClassVar[str] = "taskgroup"

    @property
    def restart_count(self) -> int:
        """The highest restartCount of its containers (as PodStatus.restart_count)."""
        n = 0
        for c in self.container_statuses or ():  # a plain loop: 3x cheaper than max(genexpr)
            r = c.restart_count
            if r is not None and r > n:
                n = r
        return n


class AppRow(StorageRow, gc=False):
    """A storage application or process (BcsReplicaControllerStatus) for lists."""

    instance: int | None = None
    running_instance: int | None = field(name="runningInstance", default=None)
    create_time: str | None = field(name="createTime", default=None)

    STORAGE_KIND: ClassVar[str] = "application"


class ProcessRow(AppRow, gc=False):
    STORAGE_KIND: ClassVar[str] = "process"


class NamespaceRow(Struct, gc=False):
    """The cheapest projection: a record's namespace and name only (complete namespace lists,
    counts, and the id list polling uses to see deletions)."""

    metadata: RowMeta = field(default_factory=RowMeta)
    known_attributes: ClassVar[frozenset[str]]
    is_lite: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return self.metadata.name or ""

    @property
    def namespace(self) -> str:
        return self.metadata.namespace or ""


for _cls in (RowMeta, ContainerRow, NamespaceRow, StorageRow, TaskGroupRow, AppRow, ProcessRow):
    _cls.known_attributes = _known(_cls)

# Storage kinds with a projected list form.
ROW_TYPES: dict[str, type[StorageRow]] = {
    "application": AppRow,
    "process": ProcessRow,
    "taskgroup": TaskGroupRow,
}

R = TypeVar("R")


class _Record(Struct, Generic[R], gc=False):
    """A storage record: its `data` and the soft-delete flag (record-level keys are only sent
    when listed in `field`)."""

    data: R | None = None
    deleted: bool = field(name="_isBcsObjectDeleted", default=False)


class _Envelope(Struct, Generic[R], gc=False):
    code: Any = None
    data: list[_Record[R]] | None = None


# ----------------------------------------------------------------------------------------------
# Projection


def _struct_of(tp: Any) -> type[Struct] | None:
    """The Struct type inside `tp` (`X`, `X | None`, `list[X] | None`), if any."""
    info = msgspec.inspect.type_info(tp)
    while True:
        if isinstance(info, msgspec.inspect.UnionType):
            inner = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
            if len(inner) != 1:
                return None
            info = inner[0]
        elif isinstance(info, msgspec.inspect.ListType):
            info = info.item_type
        elif isinstance(info, msgspec.inspect.StructType):
            return info.cls
        else:
            return None


def _paths(cls: type[Struct], prefix: str) -> Iterator[str]:
    for f in msgspec.structs.fields(cls):
        inner = _struct_of(f.type)
        if inner is not None:
            # A path through an array of objects projects that key in each element (§11.1).
            yield from _paths(inner, f"{prefix}{f.encode_name}.")
        else:
            yield f"{prefix}{f.encode_name}"


_PROJECTIONS: dict[type, str] = {}


def projection(row: type[Struct]) -> str:
    """The storage `field` value for a row type: `data.` + every declared leaf path, and the
    record-level soft-delete flag."""
    text = _PROJECTIONS.get(row)
    if text is None:
        paths = list(_paths(row, "data."))
        paths.append("_isBcsObjectDeleted")
        text = _PROJECTIONS[row] = ",".join(paths)
    return text


# ----------------------------------------------------------------------------------------------
# Decoding


class RecordList(list):
    """Decoded rows; `problems` names each record that could not be read (the others are kept);
    `total` is how many records the answer held (paging needs it: soft-deleted and unreadable
    records are not in the list)."""

    problems: list[str]
    total: int

    def __init__(self, items: Iterable[Any] = (), problems: list[str] | None = None,
                 total: int | None = None) -> None:
        super().__init__(items)
        self.problems = problems or []
        self.total = len(self) if total is None else total


_DECODERS: dict[type, Any] = {}


def _decoder(row: type[R]) -> "msgspec.json.Decoder[_Envelope[R]]":
    dec = _DECODERS.get(row)
    if dec is None:
        dec = _DECODERS[row] = msgspec.json.Decoder(_Envelope[row])  # type: ignore[valid-type]
    return dec


_REC_DECODERS: dict[type, Any] = {}


def decode_record(row: type[R], raw: bytes | memoryview) -> tuple[R | None, bool]:
    """One storage record (bytes of a JSON object) as `(row, deleted)`; raises ValueError with
    the reason when it does not fit (after a lenient second try: "3" for 3 and the like)."""
    dec = _REC_DECODERS.get(row)
    if dec is None:
        dec = _REC_DECODERS[row] = msgspec.json.Decoder(_Record[row])  # type: ignore[valid-type]
    try:
        rec = dec.decode(raw)
    except msgspec.ValidationError as exc:
        try:
            value = _lenient(msgspec.json.decode(raw), msgspec.inspect.type_info(_Record[row]))  # type: ignore[valid-type]
            rec = msgspec.convert(value, _Record[row], strict=False)  # type: ignore[valid-type]
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
            raise ValueError(_why(exc)) from None
    except msgspec.DecodeError as exc:
        raise ValueError(_why(exc)) from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return rec.data, rec.deleted


def _lenient(value: Any, info: Any) -> Any:
    """As the full models read a record: a number or a boolean where text is declared is its
    text (`msgspec.convert(strict=False)` then does the rest: "3" for 3)."""
    mi = msgspec.inspect
    if isinstance(info, mi.UnionType):
        if isinstance(value, (int, float)) and any(isinstance(t, mi.StrType) for t in info.types):
            return str(value).lower() if isinstance(value, bool) else str(value)
        for t in info.types:
            if isinstance(t, (mi.StructType, mi.ListType)):
                return _lenient(value, t)
        return value
    if isinstance(info, mi.StrType) and isinstance(value, (int, float)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(info, mi.StructType) and isinstance(value, dict):
        out = dict(value)
        for f in info.fields:
            if f.encode_name in out:
                out[f.encode_name] = _lenient(out[f.encode_name], f.type)
        return out
    if isinstance(info, mi.ListType) and isinstance(value, list):
        return [_lenient(v, info.item_type) for v in value]
    return value


def _why(exc: Exception) -> str:
    text = str(exc)
    return text[:1].lower() + text[1:] if text else type(exc).__name__


def decode_records(row: type[R], status: int, content: bytes,
                   general: Callable[[int, bytes], Any], what: str) -> RecordList:
    """A storage query answer as rows of type `row` (each record's `data`; soft-deleted records
    left out). Errors (HTTP status, `code != 0`, not an envelope) are those of the envelope
    decoder `general` (`client.decode_envelope`)."""
    if status < 400:
        try:
            env = _decoder(row).decode(content)
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
            env = None
        if env is not None and type(env.code) is int and env.code == 0:
            records = env.data or ()
            return RecordList((r.data for r in records if r.data is not None and not r.deleted),
                              total=len(records))
    return _decode_slowly(row, status, content, general, what)


def _decode_slowly(row: type[R], status: int, content: bytes, general: Callable[[int, bytes], Any],
                   what: str) -> RecordList:
    problems: list[str] = []
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        # One bad byte must not lose the whole list: replace it and say where it was.
        problems.append(f"{what}: invalid UTF-8 at byte {exc.start} of the answer (shown as \ufffd)")
        content = content.decode("utf-8", errors="replace").encode("utf-8")
    span = split_array(content, b"data") if status < 400 else None
    if span is None:
        data = general(status, content)  # raises for every error answer
        if data is None or data == {} or data == "" or data == []:
            return RecordList((), problems)
        if not isinstance(data, list):
            raise ProtocolError(f"{what}: expected a JSON array, got {type(data).__name__}")
        raise ProtocolError(f"{what}: the answer's data array could not be read")
    start, end, items = span
    # The envelope without its records: code, message, result are checked as for any answer.
    general(status, content[:start] + b"[]" + content[end:])
    out: list[Any] = []
    view = memoryview(content)
    for i, (a, b) in enumerate(items):
        if content[a:a + 1] != b"{":
            problems.append(f"{what}[{i}]: expected a JSON object")
            continue
        try:
            value, deleted = decode_record(row, view[a:b])
        except ValueError as exc:
            problems.append(f"{what}[{i}]{_label(content[a:b])}: {exc}")
            continue
        if value is not None and not deleted:
            out.append(value)
    return RecordList(out, problems, total=len(items))


_NAME = re.compile(rb'"resourceName"\s*:\s*"([^"\\]{1,200})"')


def _label(record: bytes) -> str:
    m = _NAME.search(record[:4096])
    return f" ({m.group(1).decode('utf-8', 'replace')})" if m else ""


# ----------------------------------------------------------------------------------------------
# A scanner for JSON structure that needs no parse (and so has no depth limit): it finds the
# records of an answer's data array when the answer as a whole does not decode.

_STRUCT = re.compile(rb'[{}\[\]"]')
_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.S)
_WS = re.compile(rb'[ \t\r\n]*')
_SCALAR = re.compile(rb'[^,\]\}\s]+')


def _skip_ws(content: bytes, i: int) -> int:
    m = _WS.match(content, i)
    return i if m is None else m.end()


def _value_end(content: bytes, i: int) -> int:
    """The end of the JSON value that starts at `i` (-1 when it does not end)."""
    c = content[i:i + 1]
    if c == b'"':
        s = _STRING_REST.match(content, i + 1)
        return -1 if s is None else s.end()
    if c in (b"{", b"["):
        depth = 0
        pos = i
        search = _STRUCT.search
        while True:
            m = search(content, pos)
            if m is None:
                return -1
            j = m.start()
            ch = content[j]
            if ch == 0x22:
                s = _STRING_REST.match(content, j + 1)
                if s is None:
                    return -1
                pos = s.end()
                continue
            depth += 1 if ch in (0x7B, 0x5B) else -1
            pos = j + 1
            if depth == 0:
                return pos
    m = _SCALAR.match(content, i)
    return -1 if m is None else m.end()


def split_array(content: bytes, key: bytes) -> tuple[int, int, list[tuple[int, int]]] | None:
    """For a JSON object whose `key` member is an array: `(start, end, elements)`, the array's
    span and each element's `(start, end)`. None when there is no such array or the text is not
    well-formed enough to tell."""
    ws = _skip_ws
    i = ws(content, 0)
    if content[i:i + 1] != b"{":
        return None
    i += 1
    while True:
        i = ws(content, i)
        if content[i:i + 1] != b'"':
            return None
        k_end = _value_end(content, i)
        if k_end < 0:
            return None
        name = content[i + 1:k_end - 1]
        i = ws(content, k_end)
        if content[i:i + 1] != b":":
            return None
        i = ws(content, i + 1)
        if name == key and content[i:i + 1] == b"[":
            start = i
            elements: list[tuple[int, int]] = []
            i = ws(content, i + 1)
            if content[i:i + 1] == b"]":
                return start, i + 1, elements
            while True:
                end = _value_end(content, i)
                if end < 0:
                    return None
                elements.append((i, end))
                i = ws(content, end)
                sep = content[i:i + 1]
                if sep == b"]":
                    return start, i + 1, elements
                if sep != b",":
                    return None
                i = ws(content, i + 1)
        end = _value_end(content, i)
        if end < 0:
            return None
        i = ws(content, end)
        if content[i:i + 1] != b",":
            return None
        i += 1
