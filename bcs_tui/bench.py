"""Performance benchmark: `uv run python -m bcs_tui.bench` (about a minute; `--quick` is faster).

What is measured (wall clock with `time.perf_counter`, headless Textual, this process):

- *start to first frame*: a child process is started with a timestamp; it imports the app, runs it
  headless and reports when the first frame has been composed and encoded as terminal output
  (the same bytes a real terminal would get; headless Textual composes frames but does not write
  them, so the benchmark encodes them itself). Interpreter start and imports are included.
- *data arrival to painted list*: from the moment the rows for a list are handed to the table
  (rows already built from the API objects; building them is timed separately) to the next
  frame produced by the compositor.
- *filter keystroke*: one `set_filter` call (what the filter input does on each key) to the next
  frame, on 20,000 rows; the median and worst over a typed word.
- *sort*: `sort_by` a numeric column to the next frame.
- *refresh cycle*: one poll with the cluster changing: requests sent, CPU seconds of this process
  (`time.process_time`) for fetch + parse + rows + repaint, and that CPU as a share of one core at
  a 2 s refresh interval.
- *peak RSS*: `resource.getrusage` max RSS of this process, taken before the DataTable comparison.
- *DataTable*: the same rows fed to Textual's `DataTable` (3,000 and 20,000 rows), same clock,
  and the ratio.

Results go to stdout as a markdown table the README can paste. Timings vary up to 2x between
runs on a shared VM; targets are from issue 7.
"""

from __future__ import annotations

import argparse
import asyncio
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

    def markdown(self) -> str:
        lines = ["| measurement | result | target | |", "|---|---|---|---|"]
        for r in self.results:
            lines.append(f"| {r.what} | {r.value} | {r.target} | {r.verdict}{' — ' + r.note if r.note else ''} |")
        if self.notes:
            lines.append("")
            lines.extend(f"- {n}" for n in self.notes)
        return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


# ---------------------------------------------------------------------- frame probe


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
            [sys.executable, "-m", "bcs_tui.bench", "--child-startup", repr(t0)],
            capture_output=True, text=True, timeout=60, env={**os.environ},
        )
        try:
            values.append(float(out.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            report.notes.append(f"startup child failed: {out.stderr.strip()[-300:]}")
            return
    best, median = min(values), statistics.median(values)
    report.add("process start → first frame (list screen, 3,000 rows)", f"{ms(median)} (best {ms(best)})",
               "< 600 ms", median < 0.6)


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


async def bench_lists(report: Report, quick: bool) -> dict[str, tuple[list[Column], list[Row]]]:
    """Data arrival to painted list, filter keystrokes, sort, in-place refresh."""
    data: dict[str, tuple[list[Column], list[Row]]] = {}
    sizes = {"applications": 3000, "taskgroups": 20000, "agents": 2000, "offers": 2000}
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        await pilot.pause()
        probe = FrameProbe(app)
        for kind, n in sizes.items():
            start = time.perf_counter()
            columns, rows = synthetic(kind, n)
            data[kind] = (columns, rows)
            table.set_columns(columns)
            table.set_rows([])
            await pilot.pause()
            elapsed = await timed_frame(probe, lambda: table.set_rows(rows))
            target = 0.150 if n >= 20000 else None
            report.add(f"data → painted list, {n:,} {kind}", ms(elapsed),
                       "< 150 ms" if target else "", (elapsed < target) if target else None)
            await pilot.pause()

        columns, rows = data["taskgroups"]
        table.set_columns(columns)
        table.set_rows(rows)
        await pilot.pause()
        word = "app-0123"
        times = []
        for i in range(1, len(word) + 1):
            times.append(await timed_frame(probe, lambda: table.set_filter(word[:i])))
            await pilot.pause()
        shown = table.view_count
        for i in range(len(word) - 1, -1, -1):
            times.append(await timed_frame(probe, lambda: table.set_filter(word[:i])))
            await pilot.pause()
        report.add("filter keystroke on 20,000 rows (type and erase 'app-0123')",
                   f"median {ms(statistics.median(times))}, worst {ms(max(times))}", "< 50 ms",
                   max(times) < 0.05, note=f"{shown} rows match")
        regex = await timed_frame(probe, lambda: table.set_filter("/app-01[0-9]+.*failed/"))
        await pilot.pause()
        report.add("regex filter on 20,000 rows", ms(regex), "< 50 ms", regex < 0.05)
        table.set_filter("")
        await pilot.pause()
        sort_numeric = await timed_frame(probe, lambda: table.sort_by("restarts", reverse=True))
        await pilot.pause()
        sort_text = await timed_frame(probe, lambda: table.sort_by("name"))
        await pilot.pause()
        report.add("sort 20,000 rows (numeric / text column)", f"{ms(sort_numeric)} / {ms(sort_text)}")
        # A refresh with 5% of the rows changed, 1% gone and 1% new, in place (cursor and marks stay).
        table.move_cursor(10_000)
        table.toggle_mark()
        await pilot.pause()
        _, fresh = synthetic("taskgroups", 20200, generation=1)
        fresh = fresh[200:]
        refresh = await timed_frame(probe, lambda: table.set_rows(fresh))
        report.add("in-place refresh of 20,000 rows (sorted, 1 mark, cursor kept)", ms(refresh), "< 150 ms",
                   refresh < 0.15)
        await pilot.pause()
    return data


async def bench_datatable(report: Report, data: dict[str, tuple[list[Column], list[Row]]],
                          ours: dict[int, float]) -> None:
    for kind, n in (("applications", 3000), ("taskgroups", 20000)):
        columns, rows = data[kind]
        elapsed = await datatable_paint(columns, rows[:n])
        ratio = elapsed / ours[n] if ours.get(n) else float("nan")
        report.add(f"plain DataTable: {n:,} {kind} painted", ms(elapsed), note=f"{ratio:.0f}x slower than ResourceTable")


async def run(args: argparse.Namespace) -> Report:
    report = Report()
    print("bcs-tui benchmark (stderr: progress; stdout: the markdown table)", file=sys.stderr)
    bench_startup(report, runs=3 if args.quick else 5)
    data = await bench_lists(report, args.quick)
    ours = {}
    for r in report.results:
        if r.what.startswith("data → painted list, 3,000"):
            ours[3000] = float(r.value.split()[0]) / 1000
        if r.what.startswith("data → painted list, 20,000"):
            ours[20000] = float(r.value.split()[0]) / 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.add("peak RSS (lists loaded)", f"{peak:.0f} MB", "< 200 MB", peak < 200)
    if not args.no_datatable:
        await bench_datatable(report, data, ours)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bcs_tui.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-datatable", action="store_true", help="skip the DataTable comparison")
    parser.add_argument("--child-startup", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_startup is not None:
        return child_startup(args.child_startup)
    report = asyncio.run(run(args))
    print(report.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
