"""Reads benchmark (issue 17): `uv run python benchmarks/reads.py` (about 6 minutes; `--quick` ~2).

Not part of the package. It drives the real `BcsApp`, headless, against `bcs-tui sim` running in
a child process (so the simulator's CPU is not ours) over loopback HTTP, with the real storage
rules on: the 3,000 cap, projection, the watch stream (or none), re-report of every
application/taskgroup record every 240 s (phases spread, so any minute sees a quarter of them),
and the simulator's own churn (something changes every few seconds).

What each figure measures, as its name says:

- **first byte → painted** (`tg` opened on a fresh app): from the moment the response headers of
  the complete taskgroup list (`POST …/storage/query/…/taskgroup`) are in, through reading the
  body, msgspec decode, the feed, row building, `set_rows`, to the next composed and encoded frame
  (`FrameProbe` from bench.py). The watch stream is open meanwhile (the feed subscribes first).
  Floors of the same run, on the very bytes of that answer: `json.loads`, and msgspec into the
  row Structs.
- **idle minute** with `tg` (all namespaces) open: CPU of this process (`time.process_time`) as a
  share of one core, bytes read by the client, and events applied — stream on, and stream
  unavailable (`--stream-mode none`: changed-since polls plus an id list now and then).
- **filter keystroke** on the open list while the stream applies events: key press to the frame
  after the filter ran.
- **peak RSS** of this process (ru_maxrss) after the list is open (the simulator is in its child).

Options: `--runs N` (default 5) first-paint runs per size; `--idle S` (default 60) seconds per
idle measurement; `--quick` (3 runs, 20 s idle, no 50,000). Output: a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import FrameProbe, LoopStall, stop_child  # noqa: E402 (shared with bench.py)

SIZE = (160, 50)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def stats(values: list[float]) -> str:
    """min / median / p90 in ms."""
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return f"{ms(values[0])} / {ms(statistics.median(values))} / {ms(p90)}"


def say(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- the simulator child


class Sim:
    def __init__(self, scale: str, stream_mode: str = "stream") -> None:
        self.scale, self.stream_mode = scale, stream_mode
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> "Sim":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bcs_tui", "sim", "--port", str(port), "--scale", self.scale,
             "--stream-mode", self.stream_mode],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/bcsapi/v4/scheduler/mesos/cluster/endpoints", timeout=2)
                break
            except urllib.error.HTTPError:  # it answers: it is up
                break
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError("the simulator exited") from None
                time.sleep(0.2)
        else:
            stop_child(self.proc)  # __exit__ does not run when __enter__ raises
            raise RuntimeError("the simulator did not start")
        return self

    def __exit__(self, *exc: Any) -> None:
        stop_child(self.proc)


# ---------------------------------------------------------------------- first byte of the list


class _Timed(httpx.AsyncByteStream):
    def __init__(self, inner: Any, owner: "FirstByte", keep: bool) -> None:
        self.inner, self.owner, self.keep = inner, owner, keep

    async def __aiter__(self):  # type: ignore[override]
        async for chunk in self.inner:
            if self.keep:
                self.owner.chunks.append(chunk)
            yield chunk
        self.owner.last_byte = time.perf_counter()

    async def aclose(self) -> None:
        await self.inner.aclose()


class FirstByte(httpx.AsyncBaseTransport):
    """Records when the headers of the first complete taskgroup list arrive (and its bytes)."""

    def __init__(self, keep_body: bool = False) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.first_byte = self.last_byte = 0.0
        self.keep_body = keep_body
        self.chunks: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        path = request.url.path
        if (request.method == "POST" and "/storage/query/" in path and path.endswith("/taskgroup")
                and not self.first_byte and b"lastUpdateTimeBegin" not in request.content):
            self.first_byte = time.perf_counter()
            response.stream = _Timed(response.stream, self, self.keep_body)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def make_app(url: str, transport: Any) -> tuple[Any, Any]:
    from bcs_tui.api.client import BcsClient
    from bcs_tui.config import Context, Settings
    from bcs_tui.ui.app import BcsApp

    client = BcsClient(url, "BCS-MESOS-10001", None, get_retries=0, timeout=120.0, transport=transport)
    ctx = Context(name="bench", server=url, cluster_id="BCS-MESOS-10001")
    settings = Settings(context=ctx, contexts={"bench": ctx}, initial_command="tg")
    return BcsApp(settings, client=client), client


async def wait_rows(pilot: Any, app: Any, n: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        b = getattr(app, "browser", None)
        if b is not None and b.state.kind.name == "taskgroups" and b.table.row_count >= n:
            return
        await asyncio.sleep(0.01)
    raise RuntimeError(f"taskgroups never reached {n} rows")


async def first_paint(url: str, n: int, keep_body: bool) -> tuple[float, dict[str, float], bytes]:
    """One fresh app: first byte of the taskgroup list → the frame after set_rows with n rows."""
    transport = FirstByte(keep_body)
    app, client = make_app(url, transport)
    marks: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        probe = FrameProbe(app)
        while getattr(app, "browser", None) is None:
            await asyncio.sleep(0.005)
        table = app.browser.table
        original = table.set_rows
        done = asyncio.Event()

        def set_rows(rows: Any) -> None:
            rows = list(rows)
            original(rows)
            if len(rows) >= n and not done.is_set():
                marks["rows_set"] = time.perf_counter()
                probe.arm()
                done.set()

        table.set_rows = set_rows  # type: ignore[method-assign]
        await asyncio.wait_for(done.wait(), 300)
        painted = await probe.frame()
        marks["last_byte"] = transport.last_byte
        await app.workers.wait_for_complete()
        elapsed = painted - transport.first_byte
        marks = {k: v - transport.first_byte for k, v in marks.items()}
        body = b"".join(transport.chunks)
        await pilot.pause()
    await client.aclose()
    return elapsed, marks, body


def floors(body: bytes, runs: int = 7) -> tuple[list[float], list[float]]:
    from bcs_tui.api.client import decode_envelope
    from bcs_tui.api.records import TaskGroupRow, decode_records

    loads, structs = [], []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        json.loads(body)
        loads.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        decode_records(TaskGroupRow, 200, body, decode_envelope, "bench")
        structs.append(time.perf_counter() - t)
    return loads, structs


# ---------------------------------------------------------------------- idle and keystrokes


async def idle_and_keys(url: str, n: int, seconds: float, keys: bool) -> dict[str, Any]:
    from bcs_tui.ui.feeds import feeds_for

    app, client = make_app(url, None)
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        probe = FrameProbe(app)
        await wait_rows(pilot, app, n)
        await app.workers.wait_for_complete()
        await asyncio.sleep(3)  # the first list's garbage and the header settle
        gc.collect()
        feed = feeds_for(app).feed("taskgroup")
        out["mode"] = feed.mode
        cpu, wall, got, events = time.process_time(), time.perf_counter(), client.stats.bytes, feed.events
        requests = client.stats.requests
        await asyncio.sleep(seconds)
        wall = time.perf_counter() - wall
        out["cpu"] = (time.process_time() - cpu) / wall
        out["bytes_min"] = (client.stats.bytes - got) * 60 / wall
        out["events"] = feed.events - events
        out["requests"] = client.stats.requests - requests
        out["rows"] = app.browser.table.row_count
        out["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if keys:
            table = app.browser.table
            original = table.set_filter
            called = asyncio.Event()

            def wrapped(*a: Any, **kw: Any) -> Any:
                r = original(*a, **kw)
                probe.arm()
                called.set()
                return r

            table.set_filter = wrapped  # type: ignore[method-assign]
            stall = LoopStall()
            stall.start()
            await pilot.press("slash")
            await pilot.pause()
            times = []
            events = feed.events
            for key in ["r", "u", "n", "backspace", "backspace", "backspace"] * 3:
                called.clear()
                t = time.perf_counter()
                await pilot.press(key)
                await asyncio.wait_for(called.wait(), 30)
                times.append(await probe.frame() - t)
                await asyncio.sleep(0.3)  # a typist's pace: events keep arriving between keys
            out["keys"] = times
            out["key_events"] = feed.events - events
            out["stall"] = await stall.stop()
            await pilot.press("escape")
        await pilot.pause()
    await client.aclose()
    return out


# ---------------------------------------------------------------------- main


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    runs, idle = (3, 20.0) if args.quick else (args.runs, args.idle)
    lines = ["| figure | min / median / p90 | floor, same run | target |", "|---|---|---|---|"]
    load = os.getloadavg()
    sizes = [("large", 20_100)] + ([] if args.quick else [("xlarge", 50_700)])
    for scale, n in sizes:
        say(f"sim --scale {scale}: first byte → painted, {runs} runs")
        with Sim(scale) as sim:
            times, parts, body = [], [], b""
            for i in range(runs):
                elapsed, marks, b = await first_paint(sim.url, n, keep_body=(i == 0))
                body = body or b
                times.append(elapsed)
                parts.append(marks)
                say(f"  run {i + 1}: {ms(elapsed)} (body read {ms(marks['last_byte'])}, rows set {ms(marks['rows_set'])})")
            loads, structs = floors(body)
            target = "< 150 ms" if n < 30_000 else "< 400 ms"
            lines.append(f"| {n:,} taskgroups, first byte → painted | {stats(times)} | json.loads {stats(loads)}; "
                         f"msgspec rows {stats(structs)} ({len(body) / 1e6:.1f} MB projected) | {target} |")
            lines.append(f"| … of which: last byte read / rows handed to the table | "
                         f"{ms(statistics.median(p['last_byte'] for p in parts))} / "
                         f"{ms(statistics.median(p['rows_set'] for p in parts))} (medians) | | |")
            say(f"sim --scale {scale}: idle {idle:.0f} s, stream on, then keystrokes")
            r = await idle_and_keys(sim.url, n, idle, keys=(scale == "large"))
            lines.append(f"| idle CPU, `tg` at {n:,}, stream on ({r['mode']}; {r['events']} events, "
                         f"{r['requests']} requests in {idle:.0f} s) | {r['cpu']:.1%} of a core | | < 2 % |")
            lines.append(f"| bytes read per idle minute at {n:,}, stream | {r['bytes_min'] / 1e6:.1f} MB | | < 12 MB |")
            lines.append(f"| peak RSS with {n:,} taskgroups open | {r['rss']:.0f} MB | | "
                         f"{'< 150 MB' if n < 30_000 else '< 250 MB'} |")
            if "keys" in r:
                lines.append(f"| filter keystroke at {n:,}, stream applying events ({r['key_events']} during "
                             f"the {len(r['keys'])} keys) | {stats(r['keys'])} | longest loop stall "
                             f"{ms(r['stall'])} | p90 < 50 ms |")
        if scale == "large":
            say(f"sim --scale {scale} --stream-mode none: idle {idle:.0f} s (polling)")
            with Sim(scale, "none") as sim:
                r = await idle_and_keys(sim.url, n, idle, keys=False)
            lines.append(f"| idle CPU, `tg` at {n:,}, stream unavailable ({r['mode']}; {r['requests']} "
                         f"requests in {idle:.0f} s) | {r['cpu']:.1%} of a core | | < 5 % |")
            lines.append(f"| bytes read per idle minute at {n:,}, polling | {r['bytes_min'] / 1e6:.1f} MB | | < 12 MB |")
    print("\n".join(lines))
    print(f"\nload average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Python "
          f"{sys.version.split()[0]}; {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
