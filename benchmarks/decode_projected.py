"""Decode cost of a projected storage taskgroup list: msgspec Structs vs pydantic vs json.loads.

    uv run python benchmarks/decode_projected.py [N ...]

Builds the simulator's large cluster, takes its taskgroup records (repeated to N), projects each
one to the list fields exactly as storage's `field` does (bcs_tui.api.records.projection), and
times, on the same bytes: json.loads (the floor), msgspec into the row Structs (what the client
does), and pydantic on a small model with the same fields. Prints min/median of 7 runs in ms and
the body sizes (full and projected).
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time

from pydantic import BaseModel, ConfigDict, Field

from bcs_tui.api.client import decode_envelope
from bcs_tui.api.records import TaskGroupRow, decode_records, projection
from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.storage import project as sim_project


def project(rec: dict, paths: list[str]) -> dict:
    """Storage's `field` projection, as the simulator does it (Mongo's inclusion projection)."""
    return sim_project(rec, tuple(tuple(path.split(".")) for path in paths))


class PMeta(BaseModel):
    name: str | None = None
    namespace: str | None = None


class PContainer(BaseModel):
    restart_count: int | None = Field(None, alias="restartCount")


class PRow(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    metadata: PMeta = PMeta()
    status: str | None = None
    message: str | None = None
    kind: str | None = None
    last_update_time: str | None = Field(None, alias="lastUpdateTime")
    rcname: str | None = None
    host_ip: str | None = Field(None, alias="hostIP")
    pod_ip: str | None = Field(None, alias="podIP")
    start_time: str | None = Field(None, alias="startTime")
    container_statuses: list[PContainer] | None = Field(None, alias="containerStatuses")


class PRecord(BaseModel):
    data: PRow | None = None


class PEnvelope(BaseModel):
    code: int
    data: list[PRecord] | None = None


def timed(fn, runs=7):
    out = []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return min(out), statistics.median(out)


def main(sizes: list[int]) -> None:
    cluster = SimCluster(scale="large", clock=SimClock(manual=True))
    records = [json.loads(b) for b in cluster.storage_query("taskgroup", None, None)]
    paths = projection(TaskGroupRow).split(",")
    for n in sizes:
        recs = (records * (n // len(records) + 1))[:n]
        full = json.dumps({"code": 0, "message": "success", "result": True, "data": recs},
                          separators=(",", ":")).encode()
        body = json.dumps({"code": 0, "message": "success", "result": True,
                           "data": [project(r, paths) for r in recs]}, separators=(",", ":")).encode()
        print(f"{n} taskgroups: full body {len(full) / 1e6:.1f} MB, projected {len(body) / 1e6:.1f} MB")
        for name, fn in (
            ("json.loads (floor)", lambda body=body: json.loads(body)),
            ("msgspec Structs", lambda body=body: decode_records(TaskGroupRow, 200, body, decode_envelope, "t")),
            ("pydantic small model", lambda body=body: PEnvelope.model_validate_json(body)),
            ("json.loads full body", lambda full=full: json.loads(full)),
        ):
            lo, med = timed(fn)
            print(f"  {name:24s} min {lo:7.1f} ms  median {med:7.1f} ms")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20000, 50000])
