"""Breadcrumbs: the path of views taken (drill-downs and `:` jumps), newest on the right."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from bcs_tui.ui.textsafe import one_line


class Breadcrumbs(Static):
    DEFAULT_CSS = """
    Breadcrumbs { height: 1; width: 1fr; color: $text-muted; background: $surface; }
    """

    def set_path(self, crumbs: list[str]) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        for i, crumb in enumerate(crumbs):
            if i:
                t.append(" › ", style="dim")
            last = i == len(crumbs) - 1
            t.append(f" {one_line(crumb)} ", style="bold reverse" if last else "")
        self.update(t)
