"""The cluster header: context, cluster, server, namespace, read-only badge, production banner."""

from __future__ import annotations

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
            t.append(f" {label}:", style="dim")
            t.append(one_line(value) or "-", style="bold")
        if self.read_only:
            t.append("  ")
            t.append(" READ-ONLY ", style="bold reverse")
        if self.insecure:
            t.append("  ")
            t.append(" TLS NOT VERIFIED ", style="bold reverse")
        return t
