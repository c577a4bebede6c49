"""The cluster header: context, cluster, server, namespace, read-only badge, production banner."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from bcs_tui.ui.textsafe import one_line


class ClusterHeader(Static):
    """One line: who and where we are. Production contexts get a full-width banner colour
    (theme variable `banner-production`), read-only a badge (`badge-readonly`)."""

    DEFAULT_CSS = """
    ClusterHeader { height: 1; width: 1fr; background: $panel; color: $foreground; }
    ClusterHeader.-production { background: $banner-production; color: $text; text-style: bold; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.context_name = ""
        self.cluster_id = ""
        self.server = ""
        self.namespace = ""
        self.read_only = False
        self.production = False
        self.demo = False
        self.insecure = False
        self.mode = ""  # live / polling / stale / "" (a view that is not refreshed by itself)
        self.mode_detail = ""
        self.stale_since: float | None = None
        self.cluster_problem = ""

    def update_info(
        self,
        *,
        context_name: str,
        cluster_id: str,
        server: str,
        namespace: str,
        read_only: bool,
        production: bool,
        demo: bool = False,
        insecure: bool = False,
    ) -> None:
        self.context_name, self.cluster_id, self.server = context_name, cluster_id, server
        self.namespace, self.read_only, self.production, self.demo = namespace, read_only, production, demo
        self.insecure = insecure
        self.set_class(production, "-production")
        self.update(self.header_text())

    def set_mode(self, mode: str, detail: str = "", stale_since: float | None = None) -> None:
        """How the view under the header stays fresh: "live" (the storage change stream),
        "polling" (with `detail`, e.g. the interval and why there is no stream) or "stale"
        (since `stale_since`)."""
        if (mode, detail, stale_since) != (self.mode, self.mode_detail, self.stale_since):
            self.mode, self.mode_detail, self.stale_since = mode, detail, stale_since
            self.update(self.header_text())

    def set_cluster_problem(self, problem: str) -> None:
        """What is wrong with the cluster id (the check at start and on :ctx), "" when nothing."""
        if problem != self.cluster_problem:
            self.cluster_problem = problem
            self.set_class(bool(problem), "-wrong-cluster")
            self.update(self.header_text())

    def set_namespace(self, namespace: str) -> None:
        if namespace != self.namespace:
            self.namespace = namespace
            self.update(self.header_text())

    def header_text(self) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        if self.production:
            t.append(" PRODUCTION ", style="bold reverse")
            t.append(" ")
        t.append(" bcs-tui ", style="bold")
        fields = (
            ("ctx", self.context_name + (" (demo)" if self.demo else "")),
            ("cluster", self.cluster_id),
            ("ns", self.namespace or "all"),
            ("server", self.server),
        )
        for label, value in fields:
            if label == "server":
                # What is wrong and how fresh the view is come before the (long) server address.
                self._append_state(t)
            t.append(f" {label}:", style="dim")
            t.append(one_line(value) or "-", style="bold")
        if self.read_only:
            t.append("  ")
            t.append(" READ-ONLY ", style="bold reverse")
        if self.insecure:
            t.append("  ")
            t.append(" TLS NOT VERIFIED ", style="bold reverse")
        return t

    def _append_state(self, t: Text) -> None:
        if self.cluster_problem:
            t.append("  ")
            t.append(" WRONG CLUSTER ID ", style="bold reverse")
            t.append(" " + one_line(self.cluster_problem, 200), style="bold")
        if self.mode == "live":
            t.append("  ● live", style="bold")
        elif self.mode == "polling":
            t.append("  ◌ polling", style="bold")
            if self.mode_detail:
                t.append(" " + one_line(self.mode_detail, 80), style="dim")
        elif self.mode == "stale":
            since = time.strftime("%H:%M:%S", time.localtime(self.stale_since)) if self.stale_since else ""
            t.append("  ")
            t.append(f" STALE{' since ' + since if since else ''} ", style="bold reverse")
