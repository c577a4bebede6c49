"""The look of ResourceTable with fixed data: header with sort arrow, status colours, marks, cursor."""

from __future__ import annotations

from textual.app import App, ComposeResult

from bcs_tui.ui.widgets.resource_table import Column, ResourceTable, Row

STATUS_STYLE = {
    "Running": "status-running",
    "Failed": "status-failed",
    "Lost": "status-warning",
    "Staging": "status-pending",
    "Unknown": "status-unknown",
    "Finish": "status-disabled",
}


class SnapshotApp(App):
    def compose(self) -> ComposeResult:
        yield ResourceTable(
            [
                Column("ns", "NAMESPACE"),
                Column("name", "NAME"),
                Column("status", "STATUS"),
                Column("inst", "INST", align="right"),
                Column("msg", "MESSAGE", max_width=24),
            ],
            id="table",
        )

    def on_mount(self) -> None:
        table = self.query_one(ResourceTable)
        rows = []
        for i, status in enumerate(["Running", "Failed", "Lost", "Staging", "Unknown", "Finish", "Running"]):
            rows.append(
                Row(
                    key=f"k{i}",
                    cells=(f"ns-{i % 2}", f"app-{i}", status, str(i * 7), "[bold]not markup[/] and a long tail"),
                    sort_values=(f"ns-{i % 2}", f"app-{i}", status, i * 7, ""),
                    styles=(None, None, STATUS_STYLE[status], None, None),
                    bad=status != "Running",
                )
            )
        table.set_rows(rows)
        table.sort_by("inst", reverse=True)
        table.toggle_mark("k2")
        table.toggle_mark("k4")
        table.move_cursor_to_key("k3")
        table.focus()


def test_resource_table_snapshot(snap_compare):
    assert snap_compare(SnapshotApp(), terminal_size=(80, 12))
