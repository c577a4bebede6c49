"""The bcs-storage watch stream, decoded incrementally (bcs-api-facts §11.2).

`POST /bcsapi/v4/storage/dynamic/watch/{clusterId}/{resourceType}` answers HTTP 200 and then a
stream of JSON objects `{"type": N, "value": <full storage record>}`: 1 add, 2 delete, 3 change,
4 self change, 0 none, -1 break (`value` null, the stream ends). Objects arrive cut anywhere and
several to a read; `WatchDecoder.feed` takes whatever bytes came and returns the events that are
complete, scanning each byte once (a string split over many reads is not scanned again).

Each event's record is decoded into the same projected row type as the list it keeps fresh
(`bcs_tui.api.records`): events carry full records, the row keeps only the fields a list shows.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Generic, TypeVar

import msgspec
from msgspec import Struct

from bcs_tui.api.errors import BcsError, ProtocolError, TransportError
from bcs_tui.api.records import decode_record

__all__ = ["ADD", "BREAK", "CHANGE", "DELETE", "NONE", "SELF_CHANGE", "WatchCut", "WatchDecoder",
           "WatchEvent", "WatchUnavailable"]

NONE, ADD, DELETE, CHANGE, SELF_CHANGE, BREAK = 0, 1, 2, 3, 4, -1

R = TypeVar("R")


class WatchUnavailable(BcsError):
    """This storage has no watch stream (no route, or it only ever sends the break event)."""


class WatchCut(TransportError):
    """The watch stream ended, stalled or failed before its break event."""


class WatchEvent(Struct, Generic[R], gc=False):
    """One event: its type, the record's row (None for a break, or when the record could not be
    read: `problem` says why) and the record's soft-delete flag."""

    type: int
    row: R | None = None
    deleted: bool = False
    problem: str = ""

    @property
    def removes(self) -> bool:
        """Whether the event takes the record out of a list (a delete, or a soft-deleted record)."""
        return self.type == DELETE or self.deleted


class _RawEvent(Struct, gc=False):
    type: Any = None
    value: msgspec.Raw = msgspec.Raw(b"null")


_EVENT = msgspec.json.Decoder(_RawEvent)
_STRUCT = re.compile(rb'[{}\[\]"]')
_NOT_SPACE = re.compile(rb'[^ \t\r\n,\[\]]')  # between objects: whitespace (and array punctuation)


class WatchDecoder(Generic[R]):
    """Bytes in, complete events out (see the module docstring)."""

    def __init__(self, row: type[R], what: str = "storage watch", max_object: int = 256 * 1024 * 1024,
                 envelope: Callable[[int, bytes], Any] | None = None) -> None:
        self.row = row
        # raises the BcsError of an error envelope (the client's decode_envelope; passed in so
        # this module does not import the client, which imports it)
        self.envelope = envelope
        self.what = what
        self.max_object = max_object
        self._buf = bytearray()
        self._pos = 0  # next byte to scan
        self._start = -1  # where the current object began (-1: between objects)
        self._depth = 0
        self._in_string = False
        self.events = 0

    @property
    def pending(self) -> int:
        """Bytes of an incomplete object held back for the next read."""
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[WatchEvent[R]]:
        buf = self._buf
        buf += chunk
        out: list[WatchEvent[R]] = []
        pos, start, depth, in_string = self._pos, self._start, self._depth, self._in_string
        n = len(buf)
        while pos < n:
            if start < 0:
                m = _NOT_SPACE.search(buf, pos)
                if m is None:
                    pos = n
                    break
                start = m.start()
                if buf[start] != 0x7B:  # {
                    text = bytes(buf[start:start + 40]).decode("utf-8", "replace")
                    raise ProtocolError(f"{self.what}: expected a JSON object in the stream, got {text!r}")
                depth, pos = 1, start + 1
                continue
            if in_string:
                j = buf.find(b'"', pos)
                if j < 0:
                    pos = n
                    break
                k = j - 1
                while buf[k] == 0x5C:  # backslashes before the quote: an odd count escapes it
                    k -= 1
                pos = j + 1
                if (j - 1 - k) % 2 == 0:
                    in_string = False
                continue
            m = _STRUCT.search(buf, pos)
            if m is None:
                pos = n
                break
            i = m.start()
            c = buf[i]
            pos = i + 1
            if c == 0x22:
                in_string = True
            elif c in (0x7B, 0x5B):
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    out.append(self._event(bytes(buf[start:pos])))
                    start = -1
        # Keep only the incomplete object (or nothing).
        cut = start if start >= 0 else pos
        if cut:
            del buf[:cut]
            pos -= cut
            if start >= 0:
                start = 0
        if len(buf) > self.max_object:
            raise ProtocolError(f"{self.what}: one event is larger than the "
                                f"{self.max_object // (1024 * 1024)} MB limit")
        self._pos, self._start, self._depth, self._in_string = pos, start, depth, in_string
        return out

    def _event(self, raw: bytes) -> WatchEvent[R]:
        self.events += 1
        try:
            ev = _EVENT.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
            return WatchEvent(NONE, problem=f"{self.what}: an event that is not valid JSON ({exc})")
        kind = ev.type
        if kind is None and b'"code"' in raw[:4096]:
            # An error envelope instead of events: raise it as any answer's error.
            if self.envelope is not None:
                self.envelope(200, raw)
            raise ProtocolError(f"{self.what}: an error answer instead of events", raw[:200].decode("utf-8", "replace"))
        if isinstance(kind, str) and kind.strip().lstrip("-").isdigit():
            kind = int(kind)
        if not isinstance(kind, int) or isinstance(kind, bool):
            return WatchEvent(NONE, problem=f"{self.what}: an event without a numeric type")
        if kind in (NONE, BREAK) or bytes(ev.value) in (b"", b"null"):
            return WatchEvent(kind)
        try:
            row, deleted = decode_record(self.row, ev.value)
        except ValueError as exc:
            return WatchEvent(kind, problem=f"{self.what}: a record that cannot be read ({exc})")
        return WatchEvent(kind, row, deleted)
