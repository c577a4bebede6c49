"""Export of the list in view: ctrl+o, a path, the rows as shown (filter and sort applied) in
CSV or JSON; an existing file is not overwritten without a second Enter; formula-like cells are
defused in CSV."""

from __future__ import annotations

import csv
import json
import stat


from bcs_tui.api.client import BcsClient
from bcs_tui.sim.server import create_app
from bcs_tui.ui.export import ExportModal, render
from tests.asgistream import StreamingASGITransport
from tests.apptest import demo_cluster, make_settings


async def session(tmp_path):
    from bcs_tui.ui.app import BcsApp

    cluster = demo_cluster()
    client = BcsClient("http://sim", cluster.cluster_id, transport=StreamingASGITransport(create_app(cluster)))
    app = BcsApp(make_settings(namespace="hero-prod", refresh=3600.0), client=client, now=cluster.clock.now)
    return app


async def wait_loaded(pilot, app):
    for _ in range(200):
        await pilot.pause(0.02)
        if app.browser.state.loaded:
            return


async def export_to(pilot, app, path) -> None:
    await pilot.press("ctrl+o")
    await pilot.pause()
    assert isinstance(app.screen, ExportModal)
    field = app.screen.query_one("#export-path")
    field.value = str(path)
    await pilot.press("enter")
    await pilot.pause()


async def test_export_the_filtered_sorted_list_as_csv_and_json(tmp_path):
    app = await session(tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash")
        await pilot.press(*"battle")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("O")  # reverse sort by the first column
        await pilot.pause()
        table = app.browser.table
        shown = [r.cells for r in table.view_rows]
        assert 1 < len(shown) < len(table.rows)
        titles = [c.title for c in table.columns]

        await export_to(pilot, app, tmp_path / "apps.csv")
        assert not isinstance(app.screen, ExportModal)
        with open(tmp_path / "apps.csv", newline="") as fh:
            got = list(csv.reader(fh))
        assert got[0] == titles and [tuple(r) for r in got[1:]] == shown
        assert stat.S_IMODE((tmp_path / "apps.csv").stat().st_mode) == 0o600
        assert any(f"exported {len(shown)} rows as CSV to {tmp_path / 'apps.csv'}" in str(n.message)
                   for n in app._notifications)

        await export_to(pilot, app, tmp_path / "apps.json")
        data = json.loads((tmp_path / "apps.json").read_text())
        assert data == [dict(zip(titles, row)) for row in shown]

        # an existing file: not overwritten until Enter is pressed again
        (tmp_path / "old.csv").write_text("keep me")
        await export_to(pilot, app, tmp_path / "old.csv")
        assert isinstance(app.screen, ExportModal)
        assert "exists: press Enter again" in str(app.screen.query_one("#export-error").render())
        assert (tmp_path / "old.csv").read_text() == "keep me"
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "old.csv").read_text().startswith(",".join(titles))

        # a directory, or Esc: nothing written
        await export_to(pilot, app, tmp_path)
        assert "is a directory" in str(app.screen.query_one("#export-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportModal)


def test_csv_defuses_formulas_but_keeps_numbers():
    text = render("csv", ["NAME", "N"], [("=HYPERLINK(\"x\")", "-3"), ("@SUM(A1)", "-1.5"), ("-cmd", "+1"), ("ok", "2")])
    rows = list(csv.reader(text.splitlines()))
    assert rows[1] == ["'=HYPERLINK(\"x\")", "-3"]
    assert rows[2] == ["'@SUM(A1)", "-1.5"]
    assert rows[3] == ["'-cmd", "'+1"]
    assert rows[4] == ["ok", "2"]
