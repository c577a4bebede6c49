"""Light storage records for big list views (issue 7).

A storage taskgroup query for 20,000 taskgroups is ~37 MB of JSON. Validating it into pydantic
models costs seconds of CPU and ~500,000 live Python objects (full GC pauses of a second or more,
~700 MB RSS). A list view needs a handful of fields per record, so `decode_storage_lite` turns each
record's `data` into a `StorageLite` with `__slots__` holding just those fields, plus the record's
own JSON text. Anything else (describe, copy, actions reading containers, ...) gets the full typed
object: the first access to any other attribute of the model parses that one record into the
pydantic model (`.full()`) and answers from it, so callers see the same attributes as with
`BcsClient.storage_query` (record `data`, unwrapped). Keys the model does not declare (pydantic
`extra`) are only visible through `.full()` / `model_dump()`.

Refreshes are incremental: `decode_storage_lite(..., previous=...)` is given the last result and
reuses every object whose record text is byte-for-byte unchanged, checked with one `startswith` at
the record's position before any JSON parsing (a JSON object ends at its own closing brace, so an
equal prefix is the same value). Only new or changed records are parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, ClassVar, Iterable, Sequence

from bcs_tui.api.errors import ProtocolError

# bcs_tui.api.models is imported on first use of a full object: building its pydantic models
# costs ~100 ms that the first list (before the first paint) does not need.

__all__ = ["ApplicationStatusLite", "LiteMeta", "PodStatusLite", "StorageLite", "LITE_KINDS",
           "decode_storage_lite"]


def _str(value: Any) -> str:
    # As models.Str: null -> "", numbers -> their text; anything else shown as its text.
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value)


def _int(value: Any) -> int:
    # As models.Int, leniently: a value the full model would refuse reads 0 in the list.
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return 0


def _public_names(cls: type) -> frozenset[str]:
    return frozenset(n for n in dir(cls) if not n.startswith("_"))


class LiteMeta:
    """`metadata` of a light record: name and namespace; other ObjectMeta fields (labels, ...)
    come from the owner's full object. Made on each access and not kept by the owner: a kept one
    would be 20,000 more objects (and a reference cycle) for the cyclic GC to walk."""

    __slots__ = ("_owner",)
    known_attributes: ClassVar[frozenset[str]]

    def __init__(self, owner: "StorageLite") -> None:
        self._owner = owner

    @property
    def name(self) -> str:
        return self._owner._name

    @property
    def namespace(self) -> str:
        return self._owner._namespace

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._owner.full().metadata, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LiteMeta) and other._owner is self._owner

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LiteMeta(name={self.name!r}, namespace={self.namespace!r})"


# ObjectMeta's fields (tests check the list against the model).
OBJECT_META_FIELDS = ("name", "namespace", "creation_timestamp", "labels", "annotations", "cluster_name")
LiteMeta.known_attributes = _public_names(LiteMeta) | frozenset(OBJECT_META_FIELDS)


class StorageLite:
    """A storage record's `data` reduced to what list views read (see the module docstring).

    `known_attributes` (class) lists every public name the object answers: the light fields and,
    through the full object, the model's fields and properties. `resources.g` uses it so that
    probing for a name the model does not have never parses the full object."""

    # `_span` = (text, start, end): the record is text[start:end]. For an ASCII body `text` is the
    # whole body, shared by every record of the answer (no second copy of 37 MB); otherwise the
    # record's own slice (a 2-byte-per-character body would double). One tuple: a refresh thread
    # re-points it atomically while the UI may read it.
    __slots__ = ("_name", "_namespace", "status", "message", "kind", "_span", "_full")
    MODEL_NAME: ClassVar[str]  # the full model in bcs_tui.api.models
    MODEL_FIELDS: ClassVar[tuple[str, ...]]  # its fields (tests check the list against the model)
    STORAGE_KIND: ClassVar[str]
    known_attributes: ClassVar[frozenset[str]]
    is_lite: ClassVar[bool] = True
    # `resources.g` looks here for keys the model does not declare; they are only in `.full()`.
    __pydantic_extra__: ClassVar[None] = None

    def __init__(self, data: dict[str, Any], span: tuple[str, int, int]) -> None:
        md = data.get("metadata")
        if isinstance(md, dict):
            self._name, self._namespace = _str(md.get("name")), _str(md.get("namespace"))
        else:
            self._name = self._namespace = ""
        self.status = _str(data.get("status"))
        self.message = _str(data.get("message"))
        self.kind = _str(data.get("kind"))
        self._span = span
        self._full: Any = None

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if getattr(cls, "MODEL_FIELDS", None):
            cls.known_attributes = _public_names(cls) | frozenset(cls.MODEL_FIELDS)

    @classmethod
    def model(cls) -> Any:
        """The full model class (bcs_tui.api.models)."""
        from bcs_tui.api import models

        return getattr(models, cls.MODEL_NAME)

    @property
    def metadata(self) -> LiteMeta:
        return LiteMeta(self)

    @property
    def name(self) -> str:
        """`metadata.name` (as the models' `name` property)."""
        return self._name

    @property
    def namespace(self) -> str:
        """`metadata.namespace` (as the models' `namespace` property)."""
        return self._namespace

    @property
    def record_json(self) -> str:
        """The storage record this object came from, as the server sent it."""
        text, start, end = self._span
        return text if start == 0 and end == len(text) else text[start:end]

    def full(self) -> Any:
        """The full typed object (the record's `data` model), parsed on first use and kept."""
        from pydantic import ValidationError

        from bcs_tui.api import models as m

        if self._full is None:
            what = f"storage {self.STORAGE_KIND} {self._namespace}/{self._name}"
            try:
                record = m.StorageRecord[self.model()].model_validate(json.loads(self.record_json))
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0] if exc.errors() else {}
                where = ".".join(str(p) for p in err.get("loc", ()))
                raise ProtocolError(f"{what}: unexpected data ({where}: {err.get('msg')})") from None
            self._full = record.data  # type: ignore[attr-defined]
        return self._full  # type: ignore[return-value]

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not light fields: answer from the full object.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def model_dump(self, *args: Any, **kwargs: Any) -> Any:
        """The full object's `model_dump`; the raw `data` when the record does not validate
        (describe still shows what the server sent)."""
        try:
            full = self.full()
        except ProtocolError:
            data = json.loads(self.record_json).get("data")
            return data
        return full.model_dump(*args, **kwargs)

    def to_json(self) -> Any:
        return self.model_dump(by_alias=True, mode="json")

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(namespace={self._namespace!r}, name={self._name!r}, "
                f"status={self.status!r})")


class PodStatusLite(StorageLite):
    """A storage taskgroup (BcsPodStatus) for lists: the taskgroups view's columns, its row key
    (`metadata.name`, the taskgroup ID), drill and action targets (namespace, rcname, hostIP)."""

    __slots__ = ("rcname", "host_ip", "pod_ip", "start_time", "restart_count")
    MODEL_NAME = "PodStatus"
    MODEL_FIELDS = ("metadata", "rcname", "status", "last_status", "host_ip", "host_name", "pod_ip", "message",
                    "start_time", "last_update_time", "report_time", "kill_policy", "restart_policy",
                    "bcs_message", "kind", "container_statuses")
    STORAGE_KIND = "taskgroup"

    def __init__(self, data: dict[str, Any], span: tuple[str, int, int]) -> None:
        super().__init__(data, span)
        self.rcname = _str(data.get("rcname"))
        self.host_ip = _str(data.get("hostIP"))
        self.pod_ip = _str(data.get("podIP"))
        self.start_time = _str(data.get("startTime"))
        # As PodStatus.restart_count: the highest restartCount of its containers.
        restarts = 0
        containers = data.get("containerStatuses")
        if isinstance(containers, list):
            for c in containers:
                if isinstance(c, dict):
                    restarts = max(restarts, _int(c.get("restartCount")))
        self.restart_count = restarts


class ApplicationStatusLite(StorageLite):
    """A storage application or process (BcsReplicaControllerStatus) for lists."""

    __slots__ = ("instance", "running_instance", "create_time")
    MODEL_NAME = "ApplicationStatus"
    MODEL_FIELDS = ("metadata", "instance", "builded_instance", "running_instance", "create_time",
                    "last_update_time", "report_time", "status", "last_status", "message", "pods", "kind")
    STORAGE_KIND = "application"

    def __init__(self, data: dict[str, Any], span: tuple[str, int, int]) -> None:
        super().__init__(data, span)
        self.instance = _int(data.get("instance"))
        self.running_instance = _int(data.get("runningInstance"))
        self.create_time = _str(data.get("createTime"))


class ProcessStatusLite(ApplicationStatusLite):
    __slots__ = ()
    STORAGE_KIND = "process"


# Storage kinds with a light form.
LITE_KINDS: dict[str, type[StorageLite]] = {
    "application": ApplicationStatusLite,
    "process": ProcessStatusLite,
    "taskgroup": PodStatusLite,
}


# ----------------------------------------------------------------------------------------------
# Decoding

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _NotFast(Exception):
    """The body is not a plain success envelope: take the general path."""


def _record_key(rec: Any) -> tuple[str, str] | None:
    data = rec.get("data") if isinstance(rec, dict) else None
    md = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(md, dict):
        return None
    return _str(md.get("namespace")), _str(md.get("name"))


def _lite(cls: type[StorageLite], rec: Any, span: tuple[str, int, int], index: int, what: str) -> StorageLite:
    if not isinstance(rec, dict):
        raise ProtocolError(f"{what}[{index}]: expected a JSON object, got {type(rec).__name__}")
    data = rec.get("data")
    if not isinstance(data, dict):
        # The typed path refuses such a record too (StorageRecord.data is required).
        raise ProtocolError(f"{what}[{index}]: unexpected data (data: expected an object)")
    return cls(data, span)


class _Reuse:
    """The previous result, walked in order, to recognise unchanged records without parsing."""

    def __init__(self, previous: Sequence[StorageLite] | None, cls: type[StorageLite]) -> None:
        self.items = [p for p in previous or () if type(p) is cls]
        self.index = {(p._namespace, p._name): i for i, p in enumerate(self.items)}
        self.next = 0
        self.reused = 0

    def candidate(self) -> StorageLite | None:
        return self.items[self.next] if self.next < len(self.items) else None

    def resync(self, key: tuple[str, str] | None, record: str) -> StorageLite | None:
        """After a record that was not the expected one: continue after its previous position;
        the previous object when the record moved but did not change."""
        i = self.index.get(key) if key is not None else None
        if i is None:
            return None
        self.next = i + 1
        prev = self.items[i]
        return prev if prev.record_json == record else None


def _fast(cls: type[StorageLite], text: str, what: str, reuse: _Reuse) -> list[StorageLite]:
    """Walk `{..., "data": [records], ...}` with the JSON scanner, one record at a time."""
    ws = _WS.match
    decode = _DECODER.raw_decode
    shared = text.isascii()
    i = ws(text, 0).end()
    if text[i:i + 1] != "{":
        raise _NotFast
    i += 1
    envelope: dict[str, Any] = {}
    out: list[StorageLite] | None = None
    while True:
        i = ws(text, i).end()
        if text[i:i + 1] == "}" and not envelope and out is None:
            i += 1
            break
        key, i = decode(text, i)
        if not isinstance(key, str) or key in envelope or (key == "data" and out is not None):
            raise _NotFast
        i = ws(text, i).end()
        if text[i:i + 1] != ":":
            raise _NotFast
        i = ws(text, i + 1).end()
        if key == "data" and text[i:i + 1] == "[":
            out = []
            i = ws(text, i + 1).end()
            if text[i:i + 1] == "]":
                i += 1
            else:
                while True:
                    prev = reuse.candidate()
                    record = prev.record_json if prev is not None else None
                    if record is not None and text.startswith(record, i):
                        reuse.next += 1
                        end = i + len(record)
                    else:
                        rec, end = decode(text, i)
                        record = text[i:end]
                        prev = reuse.resync(_record_key(rec), record)
                        if prev is None:
                            out.append(_lite(cls, rec, (text, i, end) if shared else (record, 0, end - i),
                                             len(out), what))
                    if prev is not None:
                        # The same record: keep the object (and what it parsed), pointing at the new
                        # body so the previous one can be freed.
                        prev._span = (text, i, end) if shared else (record, 0, end - i)
                        out.append(prev)
                        reuse.reused += 1
                    i = ws(text, end).end()
                    sep = text[i:i + 1]
                    if sep == ",":
                        i = ws(text, i + 1).end()
                    elif sep == "]":
                        i += 1
                        break
                    else:
                        raise _NotFast
            envelope[key] = None
        else:
            value, i = decode(text, i)
            envelope[key] = value
        i = ws(text, i).end()
        sep = text[i:i + 1]
        if sep == ",":
            i += 1
        elif sep == "}":
            i += 1
            break
        else:
            raise _NotFast
    if ws(text, i).end() != len(text) or out is None:
        raise _NotFast
    code = envelope.get("code")
    if isinstance(code, bool) or not isinstance(code, (int, float)) or code != 0:
        raise _NotFast  # errors, odd codes: the general decoder words them
    return out


def decode_storage_lite(kind: str, status: int, content: bytes,
                        previous: Sequence[StorageLite] | None = None,
                        general: Callable[[int, bytes], Any] | None = None) -> list[StorageLite]:
    """A storage query answer as light objects (each record's `data`), reusing the objects of
    `previous` whose record text did not change. Errors are exactly those of the general
    envelope decoder `general` (`client.decode_envelope`), which also handles every body that is
    not a plain success envelope with a `data` array."""
    cls = LITE_KINDS[kind]
    what = f"storage {kind}"
    if status < 400:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            try:
                return _fast(cls, text, what, _Reuse(previous, cls))
            except (_NotFast, ValueError, RecursionError):
                pass
    if general is None:
        from bcs_tui.api.client import decode_envelope as general
    data = general(status, content)
    if data is None or data == {} or data == "":
        return []
    if not isinstance(data, list):
        raise ProtocolError(f"{what}: expected a JSON array, got {type(data).__name__}")
    out = []
    for i, rec in enumerate(data):
        record = json.dumps(rec, ensure_ascii=False)
        out.append(_lite(cls, rec, (record, 0, len(record)), i, what))
    return out


def lite_list(items: Iterable[Any]) -> list[StorageLite]:
    """The light objects among `items` (for `previous=`)."""
    return [i for i in items if isinstance(i, StorageLite)]
