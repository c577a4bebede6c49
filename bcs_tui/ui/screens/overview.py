"""Cluster overview (`:cluster`): capacity and use, masters and schedulers, counts by status, and
the abnormal applications at the top (Enter opens an application's taskgroups)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from bcs_tui.resources import (
    APPLICATIONS,
    BAD_CLASSES,
    RenderContext,
    _app_status,
    fmt_num,
    g,
    status_class,
    unwrap,
)
from bcs_tui.ui.screens.browser import MAX_BACKOFF, build_columns, build_rows
from bcs_tui.ui.textsafe import one_line
from bcs_tui.ui.widgets.header import ClusterHeader
from bcs_tui.ui.widgets.resource_table import ResourceTable

log = logging.getLogger(__name__)

NARROW = 110

STATUS_STYLE = {
    "running": "status-running",
    "failed": "status-failed",
    "warning": "status-warning",
    "pending": "status-pending",
    "unknown": "status-unknown",
    "disabled": "status-disabled",
}


@dataclass
class ClusterSummary:
    resources: Any = None
    endpoints: Any = None
    namespaces: list[str] = field(default_factory=list)
    applications: list[Any] = field(default_factory=list)
    taskgroups: list[Any] = field(default_factory=list)
    deployments: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def fetch_cluster_summary(client: Any) -> ClusterSummary:
    """6 requests: cluster resources, cluster endpoints, the complete namespace list (2), then one
    complete storage query each for applications (projected), taskgroups (projected) and
    deployments over all namespaces (no `namespace` key: storage's own namespace list is capped,
    bcs-api-facts §11.1). A failing part is reported and the rest shown."""
    from bcs_tui.api.errors import BcsError

    out = ClusterSummary()

    async def part(name: str, coro: Any) -> Any:
        try:
            return await coro
        except BcsError as exc:
            out.errors.append(f"{name}: {exc.message}")
            return None

    rows = client.storage_list
    out.resources, out.endpoints, namespaces, apps, tgs, dps = await asyncio.gather(
        part("cluster resources", client.get_cluster_resources()),
        part("cluster endpoints", client.get_cluster_endpoints()),
        part("namespaces", client.storage_list_namespaces()),
        part("applications", rows("application")),
        part("taskgroups", rows("taskgroup")),
        part("deployments", client.storage_deployments()),
    )
    out.namespaces = sorted(str(n) for n in namespaces or [])
    out.applications = [a for a in unwrap(apps) if str(g(a, "kind", default="") or "").lower() != "process"]
    out.taskgroups = unwrap(tgs)
    out.deployments = unwrap(dps)
    if len(out.errors) >= 3 and out.resources is None and not out.namespaces:
        raise BcsError("; ".join(out.errors))
    return out


def _bar(used: float, total: float, width: int = 24) -> Text:
    ratio = used / total if total else 0.0
    filled = int(round(ratio * width))
    cls = "status-failed" if ratio >= 0.95 else "status-warning" if ratio >= 0.85 else "status-running"
    t = Text()
    t.append("█" * filled, style=cls)
    t.append("░" * (width - filled), style="dim")
    t.append(f" {ratio * 100:5.1f}%  {fmt_num(used)} / {fmt_num(total)}")
    return t


def _counts_text(statuses: list[str]) -> Text:
    t = Text()
    counts = Counter(s or "?" for s in statuses)
    bad_first = sorted(counts.items(), key=lambda kv: (status_class(kv[0]) not in BAD_CLASSES, kv[0]))
    for i, (status, n) in enumerate(bad_first):
        if i:
            t.append("  ")
        cls = status_class(status)
        t.append(f"{one_line(status)} {n}", style=f"bold {'' if cls not in BAD_CLASSES else 'reverse'}")
    if not counts:
        t.append("none", style="dim")
    return t


class OverviewScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="overview.back"),
        Binding("ctrl+r", "refresh_now", "Refresh", id="overview.refresh"),
        Binding("d", "describe", "Describe app", id="overview.describe"),
    ]

    AUTO_FOCUS = "#abnormal"

    def __init__(self) -> None:
        super().__init__()
        self.summary: ClusterSummary | None = None
        self.loaded_at = 0.0
        self.error = ""
        self.stale_since: float | None = None
        self.failures = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="cluster-header")
        yield Static(" Cluster overview", id="view-title")
        # What is broken comes first; capacity and endpoints below it.
        yield Static(" Abnormal applications (Enter: taskgroups, d: describe)", id="abnormal-title")
        yield ResourceTable(build_columns(APPLICATIONS, True), empty_text="loading…", id="abnormal")
        yield Static("", id="counts")
        with Horizontal(id="overview-top"):
            yield Static("loading…", id="capacity")
            yield Static("", id="endpoints")
        yield Footer()

    def on_mount(self) -> None:
        self.app.update_header(self.query_one(ClusterHeader), None)
        self._narrow = self.size.width < NARROW
        self.query_one("#overview-top").set_class(self._narrow, "-narrow")
        self.refresh_now()

    def on_resize(self, event) -> None:
        narrow = event.size.width < NARROW
        if narrow != getattr(self, "_narrow", None):
            self._narrow = narrow
            # Side by side needs ~110 columns; below that capacity and endpoints stack.
            self.query_one("#overview-top").set_class(narrow, "-narrow")
            self._show_summary()

    def on_screen_resume(self) -> None:
        self.app.update_header(self.query_one(ClusterHeader), None)
        interval = self.app.refresh_interval
        if interval and self.summary is not None and time.monotonic() - self.loaded_at >= interval:
            self.refresh_now()

    def refresh_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._load()

    def action_refresh_now(self) -> None:
        self.refresh_now()

    def _arm(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, self._tick) if delay else None

    def _tick(self) -> None:
        self._timer = None
        if self.app.screen is not self:
            self._arm(self.app.refresh_interval)
            return
        self._load()

    @work(exclusive=True, group="overview-load")
    async def _load(self) -> None:
        from bcs_tui.api.errors import BcsError

        try:
            summary = await fetch_cluster_summary(self.app.client)
        except (BcsError, Exception) as exc:
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            self.failures += 1
            self.error = message
            if self.summary is not None and self.stale_since is None:
                self.stale_since = self.app.now()
            if self.failures == 1:
                self.app.flash(f"cluster overview: {message}", "error")
            self._show_title()
            interval = self.app.refresh_interval
            if interval:
                self._arm(min(MAX_BACKOFF, interval * (2 ** min(self.failures, 5))))
            return
        self.summary = summary
        self.loaded_at = time.monotonic()
        self.failures = 0
        self.stale_since = None
        self.error = "; ".join(summary.errors)
        self._show_summary()
        self._arm(self.app.refresh_interval)

    # ------------------------------------------------------------------ rendering

    def _show_title(self) -> None:
        t = Text(" Cluster overview", style="bold")
        if self.summary is not None:
            t.append(f"  {len(self.summary.namespaces)} namespaces", style="dim")
        if self.stale_since is not None:
            since = time.strftime("%H:%M:%S", time.localtime(self.stale_since))
            t.append(f"  (stale since {since} — {one_line(self.error, 120)})", style="bold")
        elif self.error:
            t.append(f"  ({one_line(self.error, 160)})", style="bold")
        title = self.query_one("#view-title", Static)
        title.update(t)
        title.set_class(self.stale_since is not None or bool(self.error), "-stale")

    def _show_summary(self) -> None:
        s = self.summary
        if s is None:
            return
        self._show_title()
        res = s.resources
        cap = Table.grid(padding=(0, 1))
        cap.add_column(style="bold", no_wrap=True)
        cap.add_column(no_wrap=True)
        if res is not None:
            cap.add_row("CPU", self._bar(float(g(res, "cpu_used", "cpuused", default=0) or 0), float(g(res, "cpu_total", "cputotal", default=0) or 0)))
            cap.add_row("MEM MB", self._bar(float(g(res, "mem_used", "memused", default=0) or 0), float(g(res, "mem_total", "memtotal", default=0) or 0)))
            cap.add_row("DISK MB", self._bar(float(g(res, "disk_used", "diskused", default=0) or 0), float(g(res, "disk_total", "disktotal", default=0) or 0)))
            agents = list(g(res, "agents", default=[]) or [])
            disabled = sum(1 for a in agents if g(a, "disabled"))
            cap.add_row("Agents", Text(f"{len(agents)}" + (f"  ({disabled} disabled)" if disabled else "")))
        else:
            cap.add_row("Capacity", Text("unavailable", style="dim"))
        if getattr(self, "_narrow", False):
            # No room for the endpoint list (shown from 110 columns): one line of counts.
            masters = len(list(g(s.endpoints, "mesos_master", "mesosmaster", default=[]) or []))
            scheds = len(list(g(s.endpoints, "mesos_scheduler", "mesosscheduler", default=[]) or []))
            cap.add_row("Endpoints", Text(f"{masters} masters, {scheds} schedulers"))
        self.query_one("#capacity", Static).update(cap)

        ep = Table.grid(padding=(0, 1))
        ep.add_column(style="bold", no_wrap=True)
        ep.add_column(no_wrap=True, overflow="ellipsis")
        for label, key in (("Masters", "mesos_master"), ("Schedulers", "mesos_scheduler")):
            servers = list(g(s.endpoints, key, key.replace("_", ""), default=[]) or [])
            if not servers:
                ep.add_row(label, Text("none reported", style="dim"))
            for i, server in enumerate(servers):
                text = f"{g(server, 'ip', default='?')}:{g(server, 'port', default='?')}"
                host, version = g(server, "hostname"), g(server, "version")
                if host:
                    text += f"  {host}"
                if version:
                    text += f"  v{version}" if not str(version).startswith("v") else f"  {version}"
                ep.add_row(label if i == 0 else "", Text(one_line(text)))
        self.query_one("#endpoints", Static).update(ep)

        counts = Table.grid(padding=(0, 1))
        counts.add_column(style="bold", no_wrap=True)
        counts.add_column()
        counts.add_row(f"Applications {len(s.applications)}", _counts_text([str(g(a, "status", default="")) for a in s.applications]))
        counts.add_row(f"TaskGroups {len(s.taskgroups)}", _counts_text([str(g(t, "status", default="")) for t in s.taskgroups]))
        counts.add_row(f"Deployments {len(s.deployments)}", _counts_text([str(g(d, "status", default="")) for d in s.deployments]))
        self.query_one("#counts", Static).update(counts)

        bad = [a for a in s.applications if _app_status(a) in BAD_CLASSES]
        table = self.query_one("#abnormal", ResourceTable)
        table.empty_text = "No abnormal applications"
        table.set_rows(build_rows(APPLICATIONS, bad, RenderContext(now=self.app.now(), all_namespaces=True)))
        if table.cursor_key is None and table.view_count:
            table.move_cursor(0)
        self.query_one("#abnormal-title", Static).update(
            Text(f" Abnormal applications: {len(bad)}  (Enter: taskgroups, d: describe)", style="bold"))

    def _bar(self, used: float, total: float) -> Text:
        return _bar(used, total, 12 if getattr(self, "_narrow", False) else 24)

    # ------------------------------------------------------------------ actions

    @on(ResourceTable.RowActivated, "#abnormal")
    def _open(self, event: ResourceTable.RowActivated) -> None:
        kind_name, scope = APPLICATIONS.drill(event.row.obj, None)
        self.app.open_view(kind_name, scope)

    def action_describe(self) -> None:
        row = self.query_one("#abnormal", ResourceTable).current_row
        if row is not None:
            self.app.push_describe(APPLICATIONS, row.obj)

    def action_back(self) -> None:
        self.dismiss()
