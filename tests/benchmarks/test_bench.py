"""The benchmark's own parts work (numbers are not asserted: tests never assert timings)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bcs_tui.ui.widgets.resource_table import ResourceTable

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def test_the_benchmark_is_not_in_the_package():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("bcs_tui.bench")


def test_synthetic_rows_match_their_columns():
    for kind in ("applications", "taskgroups", "agents", "offers"):
        columns, rows = bench.synthetic(kind, 50)
        assert len(rows) == 50
        assert len({r.key for r in rows}) == 50
        for row in rows:
            assert len(row.cells) == len(columns)
            assert all(isinstance(c, str) for c in row.cells)


async def test_widget_section_runs_and_reports_every_measurement():
    report = bench.Report()
    sizes = {"applications": 30, "taskgroups": 200, "agents": 20, "offers": 20}
    data, ours = await bench.bench_lists(report, True, sizes)
    assert set(data) == set(sizes) == set(ours)
    names = [r.what for r in report.results]
    assert any("filter keystroke on 200 rows" in n for n in names)
    assert any("in-place refresh of 200 rows" in n for n in names)
    table = report.markdown()
    assert table.startswith("| measurement | result | target | |")
    assert all(line.count("|") == 5 for line in table.splitlines() if line.startswith("|"))


async def test_frame_probe_sees_the_frame_after_set_rows():
    app = bench.TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        columns, rows = bench.synthetic("offers", 100)
        table.set_columns(columns)
        await pilot.pause()
        probe = bench.FrameProbe(app)
        elapsed = await bench.timed_frame(probe, lambda: table.set_rows(rows))
        assert elapsed > 0 and probe.frames >= 1
        assert table.row_count == 100
