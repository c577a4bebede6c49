"""One change stream per storage table for the whole cluster, shared by every view (list-watch).

A `ResourceFeed` keeps every record of one bcs-storage table (taskgroup, application — processes
are in it) of the client's cluster, as projected rows (bcs_tui.api.records), keyed by
(namespace, name). Views read it through their kind's `LiveSource.select`; however many views
show taskgroups, there is one stream and one list.

Like a client-go informer (bcs-api-facts §11.2: the stream has no initial snapshot):

1. subscribe: open the watch stream (`BcsClient.storage_watch`), reading it into a queue at once;
2. list: one complete projected query;
3. apply the queued events and then each one as it comes: add/change upsert unless the record is
   soft-deleted, delete removes. An event whose row equals the kept one (the 240 s re-report
   rewrites every record with only reportTime/updateTime new) changes nothing and tells no view.
4. When the stream ends or fails: reconnect with backoff, and list again after every reconnect.

Where storage has no stream — a 404, only the break event at once, or the stream failing again
and again — the feed polls by itself: every `interval` seconds the records whose
`data.lastUpdateTime` is at or after the newest one seen, less an overlap (second granularity,
and time zones: de-duplicated by key and value), and every `id_list_every` polls a cheap projected
list of names to see deletions. It tries the stream again every `stream_retry` seconds.

Every key changed one by one (an event, a changed-since poll, a deletion an id list found) goes
into a journal: `changes_since(seq)` gives a view the keys to show again, so a change at 20,000
rows costs the changed rows; a complete list that changed something restarts the journal (the
view builds everything again).

`mode` says what a view may claim: "loading", "live" (stream open and listed), "polling", or
"stale" (the last list or poll failed: rows are the last good ones, `error` says why).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any, Callable, Iterable

from bcs_tui.api.client import WHOLE_APPLICATION_TABLE
from bcs_tui.api.errors import BcsError
from bcs_tui.api.records import NamespaceRow
from bcs_tui.api.watch import BREAK, WatchEvent, WatchUnavailable

log = logging.getLogger(__name__)

LOADING, LIVE, POLLING, STALE = "loading", "live", "polling", "stale"

BACKOFF_START = 1.0
BACKOFF_MAX = 30.0
STREAM_ATTEMPTS = 3  # failed connections in a row before the feed polls instead
STREAM_RETRY = 300.0  # how long the feed polls before it tries the stream again
OVERLAP = 2.0  # seconds asked again by each changed-since poll
ID_LIST_EVERY = 2  # polls between two id lists: a deletion shows within two poll intervals
JOURNAL_MAX = 20_000  # changed keys a feed remembers for views that apply changes one by one
BREAK_ONLY_WINDOW = 5.0  # a break this soon after connecting, with no event: storage has no stream

Key = tuple[str, str]
_END = object()


def feed_key(row: Any) -> Key:
    """The key of a record in its feed: (namespace, name), as storage keys a table."""
    return (row.namespace, row.name)


_key = feed_key


def _epoch(text: Any) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class ResourceFeed:
    """The records of one storage table, kept fresh (see the module docstring)."""

    def __init__(self, client: Any, storage_kind: str, *, interval: float = 5.0,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time,
                 stream_retry: float = STREAM_RETRY, id_list_every: int = ID_LIST_EVERY,
                 backoff_start: float = BACKOFF_START) -> None:
        self.client = client
        self.kind = storage_kind
        # A feed keeps a whole table, as its stream sends it: the application route alone leaves
        # the process apps out (its default kind filter), so the lists ask for every kind.
        self._table: dict[str, Any] = ({"app_kinds": WHOLE_APPLICATION_TABLE}
                                       if storage_kind == "application" else {})
        self.interval = max(0.5, float(interval or 5.0))
        self.clock = clock
        self.wall = wall
        self.stream_retry = stream_retry
        self.id_list_every = max(1, int(id_list_every))
        self.backoff_start = backoff_start
        self.rows: dict[Key, Any] = {}
        # Records of the last complete list that share their (namespace, name) with an earlier one
        # (storage keys by both; a broken or hostile server answering twice): each still gets its
        # row (`records()`), none collapses into another. Kept until the next list; an event for
        # that name cannot say which of them it means, so it leaves them be (a delete drops them).
        self.duplicates: dict[Key, list[Any]] = {}
        self.mode = LOADING
        self.error = ""
        self.stream_problem = ""  # why the feed polls (for the header's detail)
        self.stale_since: float | None = None
        self.problems: list[str] = []
        self.loaded = False
        self.version = 0  # +1 whenever a row a view could show changed
        # The keys changed one by one (events, changed-since polls, deletions), so a view shows
        # only those again (`changes_since`); a complete list starts the journal afresh.
        self.seq = 0
        self._journal: list[Key] = []
        self._journal_base = 0  # the seq before the journal's first entry
        self.events = 0  # events applied (for tests and the benchmark)
        self._subscribers: list[Callable[["ResourceFeed"], None]] = []
        self._loaded = asyncio.Event()
        self._wake = asyncio.Event()
        self._resync = False
        self._task: asyncio.Task[None] | None = None
        self._streaming = False  # the watch stream is open and was listed after
        self.failures = 0  # failed lists and polls in a row
        self._newest: float | None = None  # newest data.lastUpdateTime seen (unix seconds)

    # ------------------------------------------------------------------ for views

    def subscribe(self, callback: Callable[["ResourceFeed"], None]) -> None:
        """Call `callback(feed)` after every batch that changed rows (or the mode); starts the
        feed on the first subscriber."""
        if callback not in self._subscribers:
            self._subscribers.append(callback)
        self._wake.set()  # polls paused while nobody looked: poll now
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"feed {self.kind}")

    def records(self) -> Iterable[Any]:
        """Every record kept, duplicates after the record whose name they share."""
        if not self.duplicates:
            return self.rows.values()
        out: list[Any] = []
        for k, row in self.rows.items():
            out.append(row)
            out.extend(self.duplicates.get(k, ()))
        return out

    def changes_since(self, seq: int) -> set[Key] | None:
        """The keys whose record changed, came or went after `seq` (a `seq` read earlier), or
        None when the feed cannot say (a complete list came in since, or the journal was cut):
        then show every record again."""
        if seq < self._journal_base or seq > self.seq:
            return None
        return set(self._journal[seq - self._journal_base:])

    def _changed(self, k: Key) -> None:
        self.seq += 1
        self._journal.append(k)
        if len(self._journal) > JOURNAL_MAX:
            cut = len(self._journal) // 2
            del self._journal[:cut]
            self._journal_base += cut

    def _restart_journal(self) -> None:
        self.seq += 1
        self._journal.clear()
        self._journal_base = self.seq

    def unsubscribe(self, callback: Callable[["ResourceFeed"], None]) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    async def wait_loaded(self) -> None:
        await self._loaded.wait()

    def resync(self) -> None:
        """List again soon, in the feed's own loop."""
        self._resync = True
        self._wake.set()

    async def refresh(self) -> None:
        """List again now and return when the rows are in (ctrl+r, after a write); raises the
        list's error (the feed is then stale)."""
        try:
            rows = await self.client.storage_list(self.kind, **self._table)
        except BcsError as exc:
            self._failed(exc)
            raise
        if self._replace(rows, list(getattr(rows, "problems", []) or [])):
            self._notify()
        if self.mode == STALE:
            self._set_mode(LIVE if self._streaming else POLLING)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._subscribers.clear()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # ------------------------------------------------------------------ state changes

    def _notify(self) -> None:
        for callback in list(self._subscribers):
            try:
                callback(self)
            except Exception:  # a view's bug must not stop the feed
                log.exception("feed %s subscriber failed", self.kind)

    def _set_mode(self, mode: str, error: str = "") -> None:
        changed = mode != self.mode or error != self.error
        self.mode, self.error = mode, error
        if mode == STALE:
            if self.stale_since is None:
                self.stale_since = self.wall()
        else:
            self.stale_since = None
        if changed:
            self._notify()

    def _failed(self, exc: BcsError) -> None:
        self.failures += 1
        if self.loaded:
            self._set_mode(STALE, exc.message)
        else:
            self.mode, self.error = STALE, exc.message
            self.stale_since = self.wall()
            self._loaded.set()  # a first load that failed: the view shows why
            self._notify()

    def _seen(self, row: Any) -> None:
        t = _epoch(getattr(row, "last_update_time", None))
        if t is not None and (self._newest is None or t > self._newest):
            self._newest = t

    def _replace(self, rows: Iterable[Any], problems: list[str]) -> bool:
        """A complete list: rows equal to the kept ones keep their objects (a view's rows stay)."""
        old = self.rows
        new: dict[Key, Any] = {}
        duplicates: dict[Key, list[Any]] = {}
        changed = False
        for row in rows:
            k = _key(row)
            if k in new:
                duplicates.setdefault(k, []).append(row)
                continue
            prev = old.get(k)
            if prev is not None and prev == row:
                new[k] = prev
            else:
                new[k] = row
                changed = True
            self._seen(row)
        if len(new) != len(old) or changed or not self.loaded or duplicates != self.duplicates:
            changed = True
        self.rows = new
        self.duplicates = duplicates
        self.failures = 0
        self.problems = list(problems)
        self.loaded = True
        self._loaded.set()
        if changed:
            self.version += 1
            self._restart_journal()
        return changed

    def apply(self, event: WatchEvent[Any]) -> bool:
        """One watch event; True when a row changed."""
        row = event.row
        if row is None:
            if event.problem:
                self.problems = (self.problems + [event.problem])[-20:]
            return False
        self.events += 1
        k = _key(row)
        if event.removes:
            self.duplicates.pop(k, None)
            if self.rows.pop(k, None) is None:
                return False
            self._changed(k)
            return True
        self._seen(row)
        if self.rows.get(k) == row:
            return False  # re-report churn: nothing a list shows changed
        self.rows[k] = row
        self._changed(k)
        return True

    def _upsert(self, rows: Iterable[Any]) -> bool:
        changed = False
        for row in rows:
            k = _key(row)
            self._seen(row)
            if self.rows.get(k) != row:
                self.rows[k] = row
                self._changed(k)
                changed = True
        return changed

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        attempts = 0
        retry_stream_at = 0.0
        while True:
            try:
                if self.clock() >= retry_stream_at:
                    try:
                        worked = await self._follow_stream()
                    except WatchUnavailable as exc:
                        self.stream_problem = exc.message
                        retry_stream_at = self.clock() + self.stream_retry
                        attempts = 0
                    except BcsError as exc:
                        if not self.loaded:
                            self._failed(exc)
                        worked = getattr(exc, "_feed_worked", False)
                        attempts = 1 if worked else attempts + 1
                        self.stream_problem = exc.message
                        if attempts >= STREAM_ATTEMPTS:
                            retry_stream_at = self.clock() + self.stream_retry
                            attempts = 0
                        else:
                            if self.mode == LIVE:
                                self._set_mode(STALE, f"change stream: {exc.message}; reconnecting")
                            await self._sleep(min(BACKOFF_MAX, self.backoff_start * 2 ** (attempts - 1)))
                            continue
                    else:
                        # The stream ended with its break event after it had worked: reconnect.
                        attempts = 0
                        await self._sleep(self.backoff_start if not worked else 0.0)
                        continue
                await self._poll_until(retry_stream_at)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug: keep the view alive and say it
                log.exception("feed %s failed", self.kind)
                self._failed(BcsError(f"{type(exc).__name__}: {exc}"))
                await self._sleep(BACKOFF_MAX)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, or wake early for a resync."""
        self._wake.clear()
        if self._resync:
            return
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            pass

    async def _list(self) -> None:
        rows = await self.client.storage_list(self.kind, **self._table)
        if self._replace(rows, list(getattr(rows, "problems", []) or [])):
            self._notify()

    async def _follow_stream(self) -> bool:
        """Subscribe, list, apply events until the stream ends. Returns True when it ended with a
        break after having worked; raises WatchUnavailable / BcsError otherwise."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        opened = asyncio.Event()

        async def reader() -> None:
            try:
                async for event in self.client.storage_watch(self.kind, on_open=opened.set):
                    queue.put_nowait(event)
                queue.put_nowait(_END)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # handed to the loop below
                queue.put_nowait(exc)

        task = asyncio.get_running_loop().create_task(reader(), name=f"watch {self.kind}")
        try:
            first = asyncio.get_running_loop().create_task(queue.get())
            waiter = asyncio.get_running_loop().create_task(opened.wait())
            try:
                await asyncio.wait({first, waiter}, return_when=asyncio.FIRST_COMPLETED)
            finally:  # cancelled (the feed closes): no helper task is left pending
                waiter.cancel()
                if not first.done():
                    first.cancel()
            pending: list[Any] = []
            if first.done():
                pending.append(first.result())
            else:
                first.cancel()
            if pending and isinstance(pending[0], BaseException):
                raise pending[0]
            connected = self.clock()
            self._resync = False
            await self._list()
            self._streaming = True
            self._set_mode(LIVE)
            applied = 0
            while True:
                if self._resync:
                    self._resync = False
                    await self._list()
                if pending:
                    batch, pending = pending, []
                else:
                    get = asyncio.get_running_loop().create_task(queue.get())
                    wake = asyncio.get_running_loop().create_task(self._wake.wait())
                    try:
                        await asyncio.wait({get, wake}, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        wake.cancel()
                        if not get.done():
                            get.cancel()
                    self._wake.clear()
                    if not get.done():
                        get.cancel()
                        continue
                    batch = [get.result()]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                changed = False
                for item in batch:
                    if isinstance(item, BaseException):
                        if applied and isinstance(item, BcsError):
                            item._feed_worked = True  # type: ignore[attr-defined]
                        raise item
                    if item is _END:
                        if changed:
                            self.version += 1
                            self._notify()
                        if not applied and self.clock() - connected < BREAK_ONLY_WINDOW:
                            raise WatchUnavailable(
                                f"storage sends no {self.kind} changes (the watch stream ends at once: "
                                "no MongoDB replica set?)")
                        return applied > 0
                    if item.type == BREAK:
                        continue
                    applied += 1
                    changed = self.apply(item) or changed
                if changed:
                    self.version += 1
                    self._notify()
        finally:
            self._streaming = False
            task.cancel()

    async def _poll_until(self, deadline: float) -> None:
        """Poll (changed-since plus an id list now and then) until `deadline` (monotonic)."""
        polls = 0
        while self.clock() < deadline:
            if not self._subscribers and self.loaded and not self._resync:
                # Nobody looks (a modal is open, the view changed): no polls until someone does.
                await self._sleep(self.stream_retry)
                continue
            try:
                if not self.loaded or self._resync or polls % self.id_list_every == 0 and polls:
                    if not self.loaded or self._resync:
                        self._resync = False
                        await self._list()
                    else:
                        await self._id_list()
                else:
                    since = self._newest if self._newest is not None else self.wall()
                    rows = await self.client.storage_list(self.kind, since=since - OVERLAP, **self._table)
                    if self._upsert(rows):
                        self.version += 1
                        self._notify()
                polls += 1
                self._set_mode(POLLING)
                await self._sleep(self.interval)
            except BcsError as exc:
                self._failed(exc)
                await self._sleep(min(BACKOFF_MAX, self.interval * 2))

    async def _id_list(self) -> None:
        """The cheap projected list of names: drop the rows that are gone; a name not kept means
        a change the changed-since polls missed, so list everything."""
        ids = await self.client.storage_list(self.kind, row=NamespaceRow, **self._table)
        names = {_key(r) for r in ids}
        if names - self.rows.keys():
            await self._list()
            return
        gone = self.rows.keys() - names
        if gone:
            for k in gone:
                del self.rows[k]
                self.duplicates.pop(k, None)
                self._changed(k)
            self.version += 1
            self._notify()


class FeedHub:
    """The feeds of one client (one cluster): one per storage table."""

    def __init__(self, client: Any, interval: float = 5.0) -> None:
        self.client = client
        self.interval = interval
        self.feeds: dict[str, ResourceFeed] = {}

    def feed(self, storage_kind: str) -> ResourceFeed:
        feed = self.feeds.get(storage_kind)
        if feed is None:
            feed = self.feeds[storage_kind] = ResourceFeed(self.client, storage_kind, interval=self.interval)
        return feed

    def close(self) -> None:
        for feed in self.feeds.values():
            feed.close()
        self.feeds.clear()


def feeds_for(app: Any) -> FeedHub:
    """The app's hub for its current client (a new one after `:ctx` switched the client)."""
    hub: FeedHub | None = getattr(app, "_bcs_feeds", None)
    if hub is None or hub.client is not app.client:
        if hub is not None:
            hub.close()
        hub = FeedHub(app.client, getattr(app, "refresh_interval", 5.0) or 5.0)
        app._bcs_feeds = hub
    return hub
