"""Performance benchmark: `uv run python benchmarks/bench.py` (about 1-2 minutes).

Not part of the package (not in the wheel): it measures the installed `bcs_tui` from outside.

Options: `--quick` (fewer start-up runs), `--widget-only` (no simulator, no app),
`--no-datatable` (skip the slow DataTable comparison). Progress goes to stderr; stdout gets one
markdown table the README can paste. Wall clock is `time.perf_counter`, CPU `time.process_time`.

Three sections (the app's runs first, so the peak RSS it reports is the app's own):

1. The ResourceTable alone, headless, with synthetic rows shaped like the real lists (3,000
   applications, 20,000 taskgroups, 2,000 agents, 2,000 offers): `set_rows` to the next frame,
   a typed filter word (each keystroke = one `set_filter` to the next frame), a regex, sorts, an
   in-place refresh of 20,000 rows, and the peak RSS.
2. The real app (`BcsApp`) driven headless against the simulator at `--scale large`, which runs
   in a child process so its CPU is not counted as ours:
   - start-up: `bcs-tui --demo` in a child process (`python -c`, so only what the console
     imports is paid) until the first frame and until the applications list has rows;
   - data arrival (the view's fetch returned, parsed) to painted list for the polled views
     (agents, offers; the storage views follow the watch stream: benchmarks/reads.py), with what came before
     (requests, bytes, our CPU), the row building and `set_rows` → frame split out;
   - the longest event-loop stall during each load (what a key press would wait);
     (filter keystrokes, idle CPU and bytes with the stream running: benchmarks/reads.py);
   - the peak RSS.
3. A plain Textual `DataTable` and a ResourceTable fed the same synthetic rows,
   `rows → painted`, and the ratio.

"Painted" means: the compositor produced the frame and it was encoded as terminal output
(headless Textual composes frames but does not write them; the benchmark encodes them itself,
so the cost is the same as on a terminal). Textual 8.2 has no public hook for a composed frame
(headless apps, and so `run_test`/Pilot, render none), so the frame probes below wrap the
private `App._display` and import `textual._compositor`: acceptable here, outside the shipped
package; check them first on a Textual upgrade. Full (generation 2) GC pauses are counted, because
at tens of thousands of objects they, not the table, are the worst-case latencies. Timings on
a shared 2-core VM swing up to 2x; the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

from bcs_tui.ui.widgets.resource_table import Column, ResourceTable, Row

INTERVAL = 2.0  # the refresh interval the CPU target is stated for
SIZE = (160, 48)


# ---------------------------------------------------------------------- results


@dataclass
class Result:
    what: str
    value: str
    target: str = ""
    verdict: str = ""
    note: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, value: str, target: str = "", ok: bool | None = None, note: str = "") -> None:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        self.results.append(Result(what, value, target, verdict, note))
        print(f"  {what}: {value}" + (f"  ({verdict}, target {target})" if target else ""), file=sys.stderr)

    def section(self, title: str) -> None:
        self.results.append(Result(f"**{title}**", "", ""))
        print(title, file=sys.stderr)

    def markdown(self) -> str:
        lines = ["| measurement | result | target | |", "|---|---|---|---|"]
        for r in self.results:
            tail = " — ".join(part for part in (r.verdict, r.note) if part)
            lines.append(f"| {r.what} | {r.value} | {r.target} | {tail} |")
        if self.notes:
            lines.append("")
            lines.extend(f"- {n}" for n in self.notes)
        return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


# ---------------------------------------------------------------------- frame probe


class GcMonitor:
    """Counts the cyclic GC's pauses: at tens of thousands of live objects a full (generation 2)
    collection stops the event loop for tens of milliseconds, whatever the widget does."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._start))

    def mark(self) -> int:
        return len(self.pauses)

    def summary(self, since: int = 0) -> str:
        full = [d for g, d in self.pauses[since:] if g == 2]
        if not full:
            return "no full GC"
        return f"{len(full)} full GC, longest {ms(max(full))}"

    def close(self) -> None:
        gc.callbacks.remove(self._callback)



class FrameProbe:
    """Timestamps every frame the app composes (headless frames are encoded too, see above)."""

    def __init__(self, app: App) -> None:
        from textual._compositor import CompositorUpdate

        self.app = app
        self.frames = 0
        self.last = 0.0
        self._event = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            self.frames += 1
            self.last = time.perf_counter()
            self._event.set()

        app._display = display  # type: ignore[method-assign]

    def arm(self) -> None:
        self._event.clear()

    async def frame(self, timeout: float = 60.0) -> float:
        """Wait for the next frame after `arm()`; returns its timestamp."""
        await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()
        return self.last


async def timed_frame(probe: FrameProbe, action: Callable[[], Any]) -> float:
    """Seconds from calling `action` to the next composed frame."""
    probe.arm()
    start = time.perf_counter()
    action()
    end = await probe.frame()
    return end - start


# ---------------------------------------------------------------------- synthetic data

STATUSES = ["Running"] * 17 + ["Failed", "Staging", "Lost"]
STATUS_STYLE = {"Running": "status-running", "Failed": "status-failed", "Staging": "status-pending",
                "Lost": "status-warning", "Deploying": "status-pending", "Abnormal": "status-failed"}


def synthetic(kind: str, n: int, seed: int = 7, generation: int = 0) -> tuple[list[Column], list[Row]]:
    """Rows shaped like the browser's: the same columns and cell types as the real kinds."""
    rnd = random.Random(seed)
    rows: list[Row] = []
    if kind == "applications":
        columns = [Column("ns", "NAMESPACE"), Column("name", "NAME"), Column("status", "STATUS"),
                   Column("inst", "INSTANCES", align="right"), Column("run", "RUNNING", align="right"),
                   Column("msg", "MESSAGE", max_width=40), Column("age", "AGE", align="right")]
        for i in range(n):
            status = rnd.choice(STATUSES)
            inst = rnd.randint(1, 12)
            run = inst if status == "Running" else rnd.randint(0, inst)
            age = rnd.randint(60, 90 * 86400)
            name = f"app-{i:05d}-{rnd.choice(['web', 'api', 'game', 'db', 'cache'])}"
            rows.append(Row(f"ns-{i % 60}/{name}",
                            (f"ns-{i % 60}", name, status, str(inst), str(run),
                             "" if status == "Running" else "application is not healthy", f"{age // 86400}d"),
                            (f"ns-{i % 60}", name, status, inst, run, "", age),
                            (None, None, STATUS_STYLE[status], None, None, None, None), None, status != "Running"))
    elif kind == "taskgroups":
        columns = [Column("ns", "NAMESPACE"), Column("name", "NAME"), Column("status", "STATUS"),
                   Column("host", "HOST IP"), Column("pod", "POD IP"), Column("restarts", "RESTARTS", align="right"),
                   Column("msg", "MESSAGE", max_width=40), Column("age", "AGE", align="right")]
        for i in range(n):
            status = rnd.choice(STATUSES)
            restarts = rnd.randint(0, 3) + generation
            age = rnd.randint(60, 30 * 86400)
            name = f"{i % 8}.app-{i // 8:05d}.ns-{i % 60}.10000.{1700000000 + i}"
            host = f"10.{i % 200}.{(i // 200) % 250}.{i % 250 + 1}"
            rows.append(Row(f"ns-{i % 60}/{name}",
                            (f"ns-{i % 60}", name, status, host, f"172.16.{i % 250}.{i % 199 + 2}", str(restarts),
                             "" if status == "Running" else "container exited with code 137", f"{age // 86400}d"),
                            (f"ns-{i % 60}", name, status, host, "", restarts, "", age),
                            (None, None, STATUS_STYLE[status], None, None, None, None, None), None, status != "Running"))
    elif kind == "agents":
        columns = [Column("ip", "IP"), Column("host", "HOSTNAME"), Column("cpu", "CPU", align="right"),
                   Column("mem", "MEM", align="right"), Column("disk", "DISK", align="right"),
                   Column("tg", "TASKGROUPS", align="right"), Column("sched", "SCHEDULING"), Column("taints", "TAINTS")]
        for i in range(n):
            disabled = rnd.random() < 0.03
            cpu, mem = rnd.randint(0, 32), rnd.randint(0, 128 * 1024)
            ip = f"10.{i % 200}.{(i // 200) % 250}.{i % 250 + 1}"
            rows.append(Row(ip, (ip, f"node-{i:05d}", f"{cpu}/32", f"{mem}/131072", "500000", str(rnd.randint(0, 40)),
                                 "disabled" if disabled else "enabled", "" if rnd.random() < 0.9 else "gpu=true"),
                            (ip, f"node-{i:05d}", cpu, mem, 500000, 0, disabled, ""),
                            (None, None, None, None, None, None, "status-disabled" if disabled else None, None),
                            None, disabled))
    else:  # offers
        columns = [Column("ip", "IP"), Column("host", "HOSTNAME"), Column("cpu", "CPU FREE", align="right"),
                   Column("mem", "MEM FREE", align="right"), Column("disk", "DISK FREE", align="right"),
                   Column("ports", "PORTS"), Column("city", "CITY")]
        for i in range(n):
            ip = f"10.{i % 200}.{(i // 200) % 250}.{i % 250 + 1}"
            cpu = round(rnd.random() * 32, 2)
            rows.append(Row(ip, (ip, f"node-{i:05d}", f"{cpu:.2f}", str(rnd.randint(0, 131072)), "400000",
                                 "31000-32000", rnd.choice(["shenzhen", "shanghai", "tianjin"])),
                            (ip, f"node-{i:05d}", cpu, 0, 0, "", ""), (), None, cpu == 0))
    return columns, rows


# ---------------------------------------------------------------------- apps


class TableApp(App):
    """The list view reduced to what is measured: a ResourceTable under a footer."""

    def compose(self) -> ComposeResult:
        yield ResourceTable(id="table")
        yield Footer()


class DataTableApp(App):
    def compose(self) -> ComposeResult:
        yield DataTable(id="table")
        yield Footer()


async def datatable_paint(columns: list[Column], rows: list[Row]) -> float:
    """Seconds from add_rows to the frame showing them in a plain DataTable."""
    app = DataTableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns(*[c.title for c in columns])
        await pilot.pause()
        probe = FrameProbe(app)
        probe.arm()
        start = time.perf_counter()
        table.add_rows([row.cells for row in rows])
        # The rows show once the table has measured them (on idle); wait for that frame.
        end = await probe.frame()
        while table._require_update_dimensions or table._new_rows:
            end = await probe.frame()
        await pilot.pause()
        if table._require_update_dimensions or table._new_rows:  # pragma: no cover - defensive
            end = await probe.frame()
        return end - start


# ---------------------------------------------------------------------- sections


def bench_startup(report: Report, runs: int) -> None:
    """Process start to first frame, measured in child processes (median of `runs`)."""
    values = []
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--child-startup", repr(t0)],
            capture_output=True, text=True, timeout=60, env={**os.environ},
        )
        try:
            values.append(float(out.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            report.notes.append(f"startup child failed: {out.stderr.strip()[-300:]}")
            return
    best, median = min(values), statistics.median(values)
    report.add("widget: process start → first frame (list screen, 3,000 rows)", f"{ms(median)} (best {ms(best)})",
               "< 600 ms", median < 0.6)

# Run with `python -c`, so the measured start-up imports only what `bcs-tui --demo` imports.
STARTUP_CHILD = """
import os, sys, threading, time
t0 = float(sys.argv[1])
threading.Timer(60, os._exit, (3,)).start()
from textual.app import App
from textual._compositor import CompositorUpdate
display, run, first = App._display, App.run, []
def _display(self, screen, renderable):
    display(self, screen, renderable)
    if renderable is None:
        return
    if isinstance(renderable, CompositorUpdate):
        renderable.render_segments(self.console)
    now = time.time() - t0
    if not first:
        first.append(now)
    from bcs_tui.ui.widgets.resource_table import ResourceTable
    tables = self.screen.query(ResourceTable)
    if tables and tables.first().row_count > 0:
        print(first[0], now, flush=True)
        os._exit(0)
def _run(self, *args, **kwargs):
    kwargs.update(headless=True, size=(160, 48))
    return run(self, *args, **kwargs)
App._display, App.run = _display, _run
from bcs_tui.cli import main
main(["--demo"])
os._exit(4)
"""


def bench_startup_app(report: Report, runs: int) -> None:
    """`bcs-tui --demo`, headless: process start to first frame and to the applications list."""
    import compileall
    import tempfile

    # The target is "with bytecode": PYTHONDONTWRITEBYTECODE=1 is set machine-wide and uv compiles
    # only the dependencies, so compile bcs_tui itself once (into the ignored __pycache__ dirs).
    import bcs_tui

    compileall.compile_dir(os.path.dirname(os.path.abspath(bcs_tui.__file__)), quiet=1)
    firsts, lists = [], []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BCS_TUI_CONFIG": os.path.join(tmp, "none.toml"), "BCS_TUI_STATE_DIR": tmp,
               "XDG_CONFIG_HOME": tmp, "XDG_STATE_HOME": tmp}
        for _ in range(runs):
            t0 = time.time()
            out = subprocess.run([sys.executable, "-c", STARTUP_CHILD, repr(t0)], capture_output=True,
                                 text=True, timeout=90, env=env)
            try:
                first, listed = (float(v) for v in out.stdout.strip().splitlines()[-1].split())
            except (ValueError, IndexError):
                report.notes.append(f"start-up child failed (rc {out.returncode}): {out.stderr.strip()[-300:]}")
                return
            firsts.append(first)
            lists.append(listed)
    report.add("process start → first frame (`bcs-tui --demo`, headless)",
               f"{ms(statistics.median(firsts))} (best {ms(min(firsts))})")
    report.add("process start → applications list painted (demo cluster)",
               f"{ms(statistics.median(lists))} (best {ms(min(lists))})", "< 600 ms",
               statistics.median(lists) < 0.6)



def child_startup(t0: float) -> int:
    """Child: import, build, run headless; print seconds since t0 at the first frame."""
    from textual._compositor import CompositorUpdate

    columns, rows = synthetic("applications", 3000)

    class StartApp(TableApp):
        def on_mount(self) -> None:
            table = self.query_one(ResourceTable)
            table.set_columns(columns)
            table.set_rows(rows)
            table.focus()

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None and not getattr(self, "_seen", False):
                if isinstance(renderable, CompositorUpdate):
                    renderable.render_segments(self.console)
                self._seen = True
                print(time.time() - t0, flush=True)
                self.exit()

    StartApp().run(headless=True, size=SIZE)
    return 0


LIST_SIZES = {"applications": 3000, "taskgroups": 20000, "agents": 2000, "offers": 2000}


async def bench_lists(report: Report, quick: bool, sizes: dict[str, int] = LIST_SIZES
                      ) -> tuple[dict[str, tuple[list[Column], list[Row]]], dict[str, float]]:
    """Widget only: rows handed over to painted list, filter keystrokes, sort, in-place refresh."""
    data: dict[str, tuple[list[Column], list[Row]]] = {}
    ours: dict[str, float] = {}
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        await pilot.pause()
        probe = FrameProbe(app)
        for kind, n in sizes.items():
            columns, rows = synthetic(kind, n)
            data[kind] = (columns, rows)
            table.set_columns(columns)
            table.set_rows([])
            await pilot.pause()
            elapsed = await timed_frame(probe, lambda rows=rows: table.set_rows(rows))
            ours[kind] = elapsed
            target = 0.150 if n >= 20000 else None
            report.add(f"widget: rows → painted list, {n:,} {kind}", ms(elapsed),
                       "< 150 ms" if target else "", (elapsed < target) if target else None)
            await pilot.pause()

        columns, rows = data["taskgroups"]
        n_tg = len(rows)
        table.set_columns(columns)
        table.set_rows(rows)
        await pilot.pause()
        word = "app-0123"
        times = []
        for i in range(1, len(word) + 1):
            times.append(await timed_frame(probe, lambda i=i: table.set_filter(word[:i])))
            await pilot.pause()
        shown = table.view_count
        for i in range(len(word) - 1, -1, -1):
            times.append(await timed_frame(probe, lambda i=i: table.set_filter(word[:i])))
            await pilot.pause()
        report.add(f"widget: filter keystroke on {n_tg:,} rows (type and erase 'app-0123')",
                   f"median {ms(statistics.median(times))}, worst {ms(max(times))}", "< 50 ms",
                   max(times) < 0.05, note=f"{shown} rows match")
        regex = await timed_frame(probe, lambda: table.set_filter("/app-01[0-9]+.*failed/"))
        await pilot.pause()
        report.add(f"widget: regex filter on {n_tg:,} rows", ms(regex), "< 50 ms", regex < 0.05)
        table.set_filter("")
        await pilot.pause()
        sort_numeric = await timed_frame(probe, lambda: table.sort_by("restarts", reverse=True))
        await pilot.pause()
        sort_text = await timed_frame(probe, lambda: table.sort_by("name"))
        await pilot.pause()
        report.add(f"widget: sort {n_tg:,} rows (numeric / text column)", f"{ms(sort_numeric)} / {ms(sort_text)}")
        # A refresh in place: every row's RESTARTS changed, 1% of rows gone, 1% new; cursor and mark stay.
        table.move_cursor(n_tg // 2)
        table.toggle_mark()
        await pilot.pause()
        _, fresh = synthetic("taskgroups", n_tg + n_tg // 100, generation=1)
        fresh = fresh[n_tg // 100:]
        refresh = await timed_frame(probe, lambda: table.set_rows(fresh))
        report.add(f"widget: in-place refresh of {n_tg:,} rows (sorted, 1 mark, cursor kept)", ms(refresh), "< 150 ms",
                   refresh < 0.15)
        await pilot.pause()
    return data, ours


async def resource_table_paint(columns: list[Column], rows: list[Row]) -> float:
    """Seconds from set_rows to the frame showing them in a ResourceTable (same harness)."""
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResourceTable)
        table.set_columns(columns)
        await pilot.pause()
        probe = FrameProbe(app)
        return await timed_frame(probe, lambda: table.set_rows(rows))


async def bench_datatable(report: Report, data: dict[str, tuple[list[Column], list[Row]]]) -> None:
    """The same rows (cells) in a plain DataTable and in a ResourceTable, in the same harness."""
    for kind in ("applications", "taskgroups"):
        if kind not in data:
            continue
        columns, rows = data[kind]
        gc.collect()
        ours = await resource_table_paint(columns, rows)
        gc.collect()
        theirs = await datatable_paint(columns, rows)
        report.add(f"{len(rows):,} {kind}: DataTable / ResourceTable, rows → painted",
                   f"{ms(theirs)} / {ms(ours)}", note=f"ResourceTable {theirs / ours:.0f}x faster")


# ---------------------------------------------------------------------- the real app


def real_app_available() -> str | None:
    """None when the app and the simulator can be driven; otherwise why not."""
    try:
        import bcs_tui.sim.cluster  # noqa: F401
        import bcs_tui.sim.server  # noqa: F401
        import bcs_tui.ui.app  # noqa: F401
        import bcs_tui.ui.screens.browser  # noqa: F401
    except Exception as exc:  # any import problem: fall back to the widget benchmark
        return f"{type(exc).__name__}: {exc}"
    return None


class SimProcess:
    """The simulator at `--scale large` in its own process, so its CPU is not counted as ours."""

    def __init__(self, scale: str = "large") -> None:
        self.scale = scale
        self.proc: subprocess.Popen[str] | None = None
        self.url = self.cluster_id = self.token = ""

    def __enter__(self) -> "SimProcess":
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--child-sim", self.scale],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"simulator did not start: {err.strip()[-500:]}")
        info = json.loads(line)
        self.url, self.cluster_id, self.token = info["url"], info["cluster_id"], info.get("token") or ""
        return self

    def __exit__(self, *exc: Any) -> None:
        stop_child(self.proc)


def stop_child(proc: subprocess.Popen[Any] | None) -> None:
    """Terminate a child process, killing it when it does not end within 10 s."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def child_sim(scale: str) -> int:
    """Child: serve a SimCluster on a loopback port; print its address as one JSON line."""
    import signal

    import bcs_tui.sim.cluster as sim_cluster
    from bcs_tui.sim.cluster import SimCluster
    from bcs_tui.sim.server import start_in_loop

    # Something changes every second (default every 7 s), so each measured refresh sees changes.
    sim_cluster.CHURN_SECONDS = 1.0

    async def serve() -> None:
        cluster = SimCluster(seed=1, scale=scale)
        sim = await start_in_loop(cluster)
        print(json.dumps({"url": sim.url, "cluster_id": sim.cluster_id, "token": sim.token}), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        await stop.wait()
        await sim.stop()

    asyncio.run(serve())
    return 0


class LoopStall:
    """The longest time the event loop did not run a 5 ms ticker: what a key press would wait."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - before - 0.005)

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.worst


class LoadProbe:
    """Instruments one view's data path: fetch returned (data arrived) → rows handed to the table
    (`set_rows`) → next frame (painted). Works whether rows are built on the loop or in a thread."""

    def __init__(self, table: ResourceTable, probe: FrameProbe) -> None:
        self.probe = probe
        self.event = asyncio.Event()
        self.fetch_started = self.arrived = self.cpu_at_arrival = self.rows_set = 0.0
        self.count = 0
        self.last_rows: list[Row] = []  # the rows of the last load (see `snapshot`)
        self.kind = ""
        original = table.set_rows

        def set_rows(rows: Any) -> None:
            rows = list(rows)
            now = time.perf_counter()
            original(rows)
            if self.arrived and not self.rows_set:
                self.rows_set, self.count = now, len(rows)
                self.last_rows = rows
                probe.arm()
                self.event.set()

        table.set_rows = set_rows  # type: ignore[method-assign]

    def instrument(self, kind: Any) -> Any:
        """The same kind with a timed fetch."""
        fetch = kind.fetch

        async def timed_fetch(env: Any, scope: Any) -> Any:
            self.fetch_started, self.arrived, self.rows_set = time.perf_counter(), 0.0, 0.0
            self.kind = kind.name
            objects = await fetch(env, scope)
            self.arrived, self.cpu_at_arrival = time.perf_counter(), time.process_time()
            return objects

        return dataclasses.replace(kind, fetch=timed_fetch)

    async def loaded(self, app: Any) -> tuple[float, float, float, float, int]:
        """Wait for the load under way: (fetch started, arrived, rows set, painted, rows)."""
        self.event.clear()
        await asyncio.wait_for(self.event.wait(), 300)
        painted = await self.probe.frame()
        await app.workers.wait_for_complete()
        return self.fetch_started, self.arrived, self.rows_set, painted, self.count

    def snapshot(self) -> list[Row]:
        """The last load's rows, cells only (outside any measured interval: copying 20,000 rows
        costs ~0.2 s; keeping the source objects would inflate the RSS measured later)."""
        rows, self.last_rows = self.last_rows, []
        return [Row(r.key, r.cells, r.sort_values, r.styles, None, r.bad) for r in rows]


async def bench_real(report: Report) -> dict[str, tuple[list[Column], list[Row]]]:
    """The real BcsApp against the simulator at --scale large, over loopback HTTP."""
    from bcs_tui.api.client import BcsClient
    from bcs_tui.config import Context, Settings
    from bcs_tui.resources import KINDS_BY_NAME, Scope
    from bcs_tui.ui.app import BcsApp
    from bcs_tui.ui.screens.browser import BrowserScreen

    data: dict[str, tuple[list[Column], list[Row]]] = {}
    with SimProcess("large") as sim:
        client = BcsClient(sim.url, sim.cluster_id, sim.token or None, get_retries=0, timeout=120.0)
        ctx = Context(name="bench", server=sim.url, cluster_id=sim.cluster_id)
        settings = Settings(context=ctx, refresh=0.0, contexts={"bench": ctx})
        stall = LoopStall()
        try:
            app = BcsApp(settings, client=client)
            async with app.run_test(size=SIZE) as pilot:
                probe = FrameProbe(app)
                for _ in range(600):
                    await pilot.pause()
                    if isinstance(app.screen, BrowserScreen) and app.screen.state.loaded:
                        break
                screen = app.screen
                await app.workers.wait_for_complete()
                await pilot.pause()
                table = screen.table
                load = LoadProbe(table, probe)
                kinds = {name: load.instrument(KINDS_BY_NAME[name])
                         for name in ("agents", "offers")}  # polled views (storage ones: reads.py)
                gc.collect()
                for name, kind in kinds.items():
                    requests, received = client.stats.requests, client.stats.bytes
                    cpu = time.process_time()
                    stall.start()
                    screen.open_view(kind, Scope(), replace=True)
                    started, arrived, rows_set, painted, count = await load.loaded(app)
                    worst = await stall.stop()
                    cpu = load.cpu_at_arrival - cpu
                    data[name] = (table.columns, load.snapshot())
                    elapsed = painted - arrived
                    note = (f"{count:,} rows. Before: {client.stats.requests - requests} requests, "
                            f"{(client.stats.bytes - received) / 1e6:.1f} MB in {ms(arrived - started)} "
                            f"({ms(cpu)} our CPU, the rest the simulator). Rows built in "
                            f"{ms(rows_set - arrived)}, set_rows → frame {ms(painted - rows_set)}. "
                            f"Longest loop stall {ms(worst)}")
                    target = 0.150 if count >= 20000 else None
                    report.add(f"app: data arrival → painted list, {name}", ms(elapsed),
                               "< 150 ms" if target else "", (elapsed < target) if target else None, note=note)
                    await pilot.pause()

                # The storage views (applications, taskgroups) follow the watch stream, not
                # polls: their first paint, idle cost and keystrokes are in benchmarks/reads.py.
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                report.add("app: peak RSS (large cluster, agents and offers loaded)", f"{peak:.0f} MB",
                           "< 200 MB", peak < 200)
        finally:
            await client.aclose()
    return data


async def keys_to_repaint(pilot: Any, probe: FrameProbe, table: ResourceTable, method: str,
                          keys: list[str], before: list[str] = ()) -> list[float]:
    """Seconds from each key press to the frame after the table's `method` ran."""
    original = getattr(table, method)
    called = asyncio.Event()

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        probe.arm()
        called.set()
        return result

    shadowed = method in vars(table)
    setattr(table, method, wrapped)
    try:
        for key in before:
            await pilot.press(key)
        await pilot.pause()
        times = []
        for key in keys:
            called.clear()
            start = time.perf_counter()
            await pilot.press(key)
            await asyncio.wait_for(called.wait(), 30)
            times.append(await probe.frame() - start)
            await pilot.pause()
        return times
    finally:
        if shadowed:
            setattr(table, method, original)
        else:
            delattr(table, method)


async def run(args: argparse.Namespace) -> Report:
    report = Report()
    print("bcs-tui benchmark (progress on stderr; the markdown table on stdout)", file=sys.stderr)
    missing = "--widget-only" if args.widget_only else real_app_available()
    gc_monitor = GcMonitor()
    # The app first, in a clean process, so its peak RSS is the app's own (the peak RSS of a
    # process never goes down: measured after the widget section it would include the synthetic
    # lists' memory); then the widget alone.
    app_data = None
    if missing is None:
        report.section("the real app (BcsApp) against the simulator at --scale large, loopback HTTP")
        bench_startup_app(report, runs=3 if args.quick else 5)
        mark = gc_monitor.mark()
        app_data = await bench_real(report)
        report.notes.append(f"GC pauses during the app section: {gc_monitor.summary(mark)}")
        gc.collect()
    report.section("ResourceTable alone: synthetic rows shaped like the real ones (no HTTP, no row building)")
    if missing is not None:
        report.notes.append(f"widget benchmark only: the real app and simulator were not run ({missing})")
        bench_startup(report, runs=3 if args.quick else 5)
    mark = gc_monitor.mark()
    data, _ = await bench_lists(report, args.quick)
    report.notes.append(f"GC pauses during the widget section: {gc_monitor.summary(mark)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if missing is None:
        report.add("widget: peak RSS of the whole run (the app section came first)", f"{peak:.0f} MB")
    else:
        report.add("widget: peak RSS with the synthetic lists", f"{peak:.0f} MB", "< 200 MB", peak < 200)
    del _
    gc.collect()
    if app_data is not None:
        data = {**data, **app_data}  # the app's own agent/offer rows; synthetic storage lists
    load = os.getloadavg()
    report.notes.append(f"machine: {os.cpu_count()} CPUs, load average at the end {load[0]:.1f} / {load[1]:.1f} "
                        "(1 / 5 min); other processes' load slows every number here")
    if not args.no_datatable:
        source = "the synthetic rows"
        report.section(f"plain Textual DataTable vs ResourceTable, fed {source}")
        await bench_datatable(report, data)
    gc_monitor.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-datatable", action="store_true", help="skip the DataTable comparison")
    parser.add_argument("--widget-only", action="store_true",
                        help="only the table widget with synthetic rows (no simulator, no app)")
    parser.add_argument("--child-startup", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--child-sim", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_startup is not None:
        return child_startup(args.child_startup)
    if args.child_sim is not None:
        return child_sim(args.child_sim)
    report = asyncio.run(run(args))
    print(report.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
