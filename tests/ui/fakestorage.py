"""A bcs-storage for feed and UI tests on an `httpx.MockTransport`: the query route with the real
rules that matter to the feed (string limit, `field` projection, `lastUpdateTimeBegin`), and the
watch stream in one of three modes (live, break-only, 404), fed by the test.

(The simulator gets the same rules from the simreads work; this one lets a test hold the
stream, cut it, and count every request.)"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator

import httpx

from bcs_tui.sim.storage import project

CID = "BCS-MESOS-10001"
TZ = timezone(timedelta(hours=8))


def stamp(t: float) -> str:
    return datetime.fromtimestamp(t, TZ).isoformat(timespec="seconds")


def tg(i: int, ns: str = "prod", status: str = "Running", t: float = 1_767_225_600.0, **extra: Any) -> dict:
    name = f"{i}.web.{ns}.10001.17000000000{i:08d}"
    data = {"metadata": {"name": name, "namespace": ns}, "rcname": "web", "status": status,
            "hostIP": "10.0.0.5", "podIP": f"172.16.0.{i % 250}", "message": "",
            "startTime": stamp(t - 3600), "lastUpdateTime": stamp(t), "reportTime": stamp(t),
            "kind": "application", "containerStatuses": [{"restartCount": 0, "image": "x"}]}
    data.update(extra)
    return {"_id": name, "clusterId": CID, "namespace": ns, "resourceName": name, "resourceType": "taskgroup",
            "data": data}


def _project(rec: dict, fields: str) -> dict:
    """Storage's `field` projection, as the simulator does it (Mongo's inclusion projection)."""
    return project(rec, tuple(tuple(path.split(".")) for path in fields.split(",")))


class FakeStorage:
    def __init__(self, records: list[dict], mode: str = "live") -> None:
        self.records = {r["resourceName"]: r for r in records}
        self.mode = mode  # live | break | 404
        self.queries: list[dict] = []
        self.watches = 0
        self.streams: list[asyncio.Queue[bytes | None]] = []
        self.transport = httpx.MockTransport(self._handle)

    # --- what the test does to the cluster
    def change(self, rec: dict) -> None:
        """Someone else changed (or created) a record: stored, and sent to every open stream."""
        new = rec["resourceName"] not in self.records
        self.records[rec["resourceName"]] = rec
        self._send(1 if new else 3, rec)

    def delete(self, name: str) -> None:
        rec = self.records.pop(name)
        self._send(2, rec)
        self._send(3, dict(rec, _isBcsObjectDeleted=True))  # storage sends a change after the delete

    def rereport(self) -> None:
        """mesos-watch's 240 s re-report: every record rewritten, reportTime only."""
        for name, rec in list(self.records.items()):
            data = dict(rec["data"], reportTime=stamp(2_000_000_000))
            self.records[name] = dict(rec, data=data)
            self._send(3, self.records[name])

    def cut(self) -> None:
        for q in self.streams:
            q.put_nowait(None)
        self.streams.clear()

    def _send(self, kind: int, rec: dict) -> None:
        line = json.dumps({"type": kind, "value": rec}).encode() + b"\n"
        for q in self.streams:
            # split across two reads: the decoder must not assume one object per read
            q.put_nowait(line[:7])
            q.put_nowait(line[7:])

    # --- the server
    def _handle(self, request: httpx.Request) -> Any:
        path = request.url.path
        if "/storage/dynamic/watch/" in path:
            return self._watch()
        body = json.loads(request.content or b"{}")
        self.queries.append(body)
        limit = body.get("limit") if isinstance(body.get("limit"), str) else ""
        items = list(self.records.values())
        ns = body.get("namespace")
        if ns:
            items = [r for r in items if r["namespace"] in ns.split(",")]
        begin = body.get("lastUpdateTimeBegin")
        if isinstance(begin, str):
            mark = datetime.fromtimestamp(int(begin), TZ).strftime("%Y-%m-%dT%H:%M:%S%z")
            items = [r for r in items if r["data"].get("lastUpdateTime", "") >= mark]
        items = items[:int(limit or 0) or 3000]
        if isinstance(body.get("field"), str):
            items = [_project(r, body["field"]) for r in items]
        return httpx.Response(200, json={"result": True, "code": 0, "message": "success", "data": items})

    def _watch(self) -> httpx.Response:
        self.watches += 1
        if self.mode == "404":
            return httpx.Response(404, content=b"404 page not found")
        if self.mode == "break":
            return httpx.Response(200, content=b'{"type":-1,"value":null}\n')
        q: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.streams.append(q)

        async def body() -> AsyncIterator[bytes]:
            while True:
                chunk = await q.get()
                if chunk is None:
                    return
                yield chunk

        return httpx.Response(200, content=body())
