"""The shared change stream of a storage table (bcs_tui/ui/feeds.py) against a storage that
follows §11.2: subscribe, list, apply; re-report churn changes nothing; reconnect and resync
after a cut; fall back to changed-since polling plus id lists without a stream."""

from __future__ import annotations

import asyncio

import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.ui.feeds import LIVE, POLLING, STALE, ResourceFeed

from .fakestorage import CID, FakeStorage, tg


async def until(cond, what: str, steps: int = 400) -> None:
    for _ in range(steps):
        if cond():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def make(storage: FakeStorage, **kw) -> tuple[BcsClient, ResourceFeed]:
    client = BcsClient("http://storage", CID, "t", transport=storage.transport, backoff=0.0)
    feed = ResourceFeed(client, "taskgroup", interval=kw.pop("interval", 0.5), backoff_start=0.01, **kw)
    return client, feed


async def test_live_feed_lists_after_subscribing_and_applies_events():
    storage = FakeStorage([tg(i) for i in range(5)])
    client, feed = make(storage)
    seen: list[int] = []
    feed.subscribe(lambda f: seen.append(f.version))
    await feed.wait_loaded()
    await until(lambda: feed.mode == LIVE, "live")
    assert storage.watches == 1 and len(storage.queries) == 1  # subscribed, then one complete list
    assert storage.queries[0]["limit"] == "50000" and "namespace" not in storage.queries[0]
    assert len(feed.rows) == 5
    version = feed.version
    storage.rereport()  # every record rewritten with a new reportTime only
    await until(lambda: feed.events >= 5, "re-report events")
    assert feed.version == version  # nothing a list shows changed: no view is told
    storage.change(tg(2, status="Lost"))
    await until(lambda: feed.rows[("prod", tg(2)["resourceName"])].status == "Lost", "the change")
    storage.change(tg(9))
    storage.delete(tg(0)["resourceName"])
    await until(lambda: len(feed.rows) == 5 and ("prod", tg(9)["resourceName"]) in feed.rows
                and ("prod", tg(0)["resourceName"]) not in feed.rows, "add and delete")
    assert len(storage.queries) == 1  # no polling while the stream is live
    feed.close()
    await client.aclose()


async def test_a_cut_stream_reconnects_and_lists_again():
    storage = FakeStorage([tg(i) for i in range(3)])
    client, feed = make(storage)
    feed.subscribe(lambda f: None)
    await until(lambda: feed.mode == LIVE, "live")
    storage.change(tg(1, status="Failed"))
    await until(lambda: feed.events == 1, "an event")
    storage.cut()
    # what changed while the stream was down is only seen by the resync
    storage.records[tg(2)["resourceName"]] = tg(2, status="Lost")
    await until(lambda: storage.watches == 2 and len(storage.queries) == 2 and feed.mode == LIVE, "reconnect")
    await until(lambda: feed.rows[("prod", tg(2)["resourceName"])].status == "Lost", "the resync")
    feed.close()
    await client.aclose()


@pytest.mark.parametrize("mode", ["break", "404"])
async def test_without_a_stream_the_feed_polls_changed_since_and_sees_deletions(mode):
    storage = FakeStorage([tg(i) for i in range(4)], mode=mode)
    client, feed = make(storage, interval=0.5, id_list_every=2)
    feed.subscribe(lambda f: None)
    await feed.wait_loaded()
    await until(lambda: feed.mode == POLLING, "polling")
    assert feed.stream_problem
    storage.records[tg(1)["resourceName"]] = tg(1, status="Lost", t=1_767_225_700.0)
    await until(lambda: feed.rows[("prod", tg(1)["resourceName"])].status == "Lost", "a polled change", 600)
    since = [q for q in storage.queries if "lastUpdateTimeBegin" in q]
    assert since and all(isinstance(q["lastUpdateTimeBegin"], str) for q in since)
    # from the newest lastUpdateTime seen, less the overlap
    assert int(since[0]["lastUpdateTimeBegin"]) == 1_767_225_600 - 2
    del storage.records[tg(3)["resourceName"]]
    await until(lambda: ("prod", tg(3)["resourceName"]) not in feed.rows, "a deletion seen by the id list", 800)
    ids = [q for q in storage.queries if q.get("field") == "data.metadata.name,data.metadata.namespace,_isBcsObjectDeleted"]
    assert ids and ids[0]["limit"] == "50000"
    assert storage.watches == 1  # a 404, or a break at once with no event: no stream here, poll
    feed.close()
    await client.aclose()


async def test_a_failing_list_makes_the_feed_stale_and_keeps_the_rows():
    storage = FakeStorage([tg(i) for i in range(2)], mode="404")
    client, feed = make(storage, interval=0.5)
    feed.subscribe(lambda f: None)
    await until(lambda: feed.mode == POLLING, "polling")
    storage.transport.handler = lambda request: (_ for _ in ()).throw(__import__("httpx").ConnectError("down"))
    await until(lambda: feed.mode == STALE, "stale", 600)
    assert len(feed.rows) == 2 and "cannot connect" in feed.error and feed.stale_since is not None
    feed.close()
    await client.aclose()


async def test_the_feed_journal_names_the_changed_keys_and_a_list_restarts_it():
    storage = FakeStorage([tg(i) for i in range(4)])
    client, feed = make(storage)
    feed.subscribe(lambda f: None)
    await until(lambda: feed.mode == LIVE, "live")
    seq = feed.seq
    assert feed.changes_since(seq) == set()
    storage.rereport()
    await until(lambda: feed.events >= 4, "re-report events")
    assert feed.changes_since(seq) == set()  # churn is no change
    storage.change(tg(1, status="Lost"))
    storage.delete(tg(2)["resourceName"])
    storage.change(tg(7))
    want = {("prod", tg(i)["resourceName"]) for i in (1, 2, 7)}
    await until(lambda: feed.changes_since(seq) == want, "the three changes")
    later = feed.seq
    assert feed.changes_since(later) == set()
    assert feed.changes_since(later + 1) is None  # a seq the feed never had
    await feed.refresh()  # a complete list equal to the kept rows changes nothing
    assert feed.changes_since(later) == set()
    storage.records[tg(3)["resourceName"]] = tg(3, status="Lost")  # a change the stream missed
    await feed.refresh()  # a complete list that changed something: views build everything
    assert feed.changes_since(seq) is None and feed.changes_since(later) is None
    feed.close()
    await client.aclose()
