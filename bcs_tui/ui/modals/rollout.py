"""Follow one deployment's rolling update live: the old and the new application with their
instances, the current operation, status and message, and the taskgroups coming and going.
`p` / `r` / `C` pause, resume and cancel right here (a RunAction message: the same confirmed operations).

Each poll costs at most five requests (the deployment from storage; each application and its
taskgroups from the scheduler) and the next poll is armed only after the previous one answered.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from bcs_tui.resources import g, tg_id, tg_short_name
from bcs_tui.ui.messages import RunAction
from bcs_tui.ui.textsafe import one_line, safe_text

DEFAULT_POLL = 2.0
GONE_KEEP_SECONDS = 30.0
STATUS_STYLE = {
    "running": "green", "update": "yellow", "updatepaused": "bold yellow", "updatesuspend": "bold red",
    "deploying": "blue", "staging": "blue", "starting": "blue", "rollingupdate": "yellow",
    "failed": "bold red", "error": "bold red", "lost": "bold red", "abnormal": "bold red",
    "killing": "magenta", "killed": "magenta", "finish": "dim", "deleting": "magenta", "operating": "yellow",
}


def _style(status: Any) -> str:
    return STATUS_STYLE.get(str(status or "").lower(), "bold")


class RolloutScreen(Screen[None]):
    DEFAULT_CSS = """
    RolloutScreen #rollout-title { text-style: bold; background: $panel; width: 100%; }
    RolloutScreen #rollout-scroll { height: 1fr; }
    RolloutScreen #rollout-error { color: $error; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back", show=False),
        Binding("p", "op('pause')", "Pause", id="pause"),
        Binding("r", "op('resume')", "Resume", id="resume"),
        Binding("C", "op('cancel')", "Cancel update", id="cancel"),
        Binding("ctrl+r", "refresh_now", "Refresh"),
    ]

    def __init__(self, namespace: str, name: str, *, initial: Any = None) -> None:
        super().__init__()
        self.namespace = namespace
        self.deployment_name = name
        self.deployment: Any = initial
        self.apps: dict[str, Any] = {}
        self.taskgroups: dict[str, list[Any]] = {}
        self.seen: dict[str, str] = {}  # taskgroup id -> app, of the last poll
        self.arrived: dict[str, float] = {}
        self.gone: dict[str, tuple[str, float]] = {}
        self.error = ""
        self._timer: Any = None
        self._first = True

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_text(f"Rollout: deployment {self.namespace}/{self.deployment_name}")), id="rollout-title")
            yield Static("", id="rollout-error")
            with VerticalScroll(id="rollout-scroll"):
                yield Static(self.render_state(), id="rollout-body")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Writes are hidden in read-only mode, like everywhere else.
        if action == "op" and getattr(self.app, "read_only", False):
            return False
        return True

    def on_mount(self) -> None:
        self.query_one("#rollout-scroll").focus()
        self.refresh_now()

    @property
    def poll_seconds(self) -> float:
        value = getattr(self.app, "refresh_interval", DEFAULT_POLL)
        try:
            return max(0.5, float(value or DEFAULT_POLL))
        except (TypeError, ValueError):
            return DEFAULT_POLL

    def refresh_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._poll()

    def _arm(self) -> None:
        if self.is_attached:
            self._timer = self.set_timer(self.poll_seconds, self._poll)

    @work(exclusive=True, group="rollout-poll")
    async def _poll(self) -> None:
        from bcs_tui.api.errors import BcsError

        client = self.app.client
        try:
            record = await client.storage_inspect("deployment", self.namespace, self.deployment_name)
            self.deployment = g(record, "data", default=record)
            apps: dict[str, Any] = {}
            taskgroups: dict[str, list[Any]] = {}
            for which in ("application", "application_ext"):
                app_name = str(g(g(self.deployment, which), "name", default="") or "")
                if not app_name:
                    continue
                try:
                    apps[app_name] = await client.fetch_application(self.namespace, app_name)
                    taskgroups[app_name] = list(await client.list_taskgroups(self.namespace, app_name) or [])
                except BcsError as exc:  # the old app disappears at the end of a rollout
                    apps[app_name] = None
                    taskgroups[app_name] = []
                    if not getattr(exc, "not_found", False):
                        raise
            self._track(taskgroups)
            self.apps, self.taskgroups = apps, taskgroups
            self.error = ""
        except BcsError as exc:
            self.error = f"last refresh failed: {exc.message} (showing the previous state)"
        if self.is_attached:
            self.query_one("#rollout-error", Static).update(Text(safe_text(self.error)))
            self.query_one("#rollout-body", Static).update(self.render_state())
        self._arm()

    def _track(self, taskgroups: dict[str, list[Any]]) -> None:
        now = time.monotonic()
        current = {tg_id(tg): app for app, tgs in taskgroups.items() for tg in tgs}
        if not self._first:
            for tid in current:
                if tid not in self.seen:
                    self.arrived[tid] = now
            for tid, app in self.seen.items():
                if tid not in current:
                    self.gone[tid] = (app, now)
        self._first = False
        self.seen = current
        self.gone = {t: v for t, v in self.gone.items() if now - v[1] < GONE_KEEP_SECONDS and t not in current}
        self.arrived = {t: v for t, v in self.arrived.items() if now - v < GONE_KEEP_SECONDS and t in current}

    def render_state(self) -> Text:
        out = Text()
        dp = self.deployment
        if dp is None:
            out.append("loading…", style="dim")
            return out
        status = g(dp, "status", default="")
        out.append("status     ")
        out.append(safe_text(status) or "-", style=_style(status))
        op = g(dp, "curr_rolling_operation", default="")
        out.append(f"\noperation  {safe_text(op) or '-'}" + ("  (rolling)" if g(dp, "is_in_rolling") else ""))
        out.append(f"\nmessage    {one_line(g(dp, 'message', default='')) or '-'}")
        rolling = g(g(dp, "strategy"), "rolling_update")
        if rolling is not None:
            out.append(f"\nstrategy   maxSurge {g(rolling, 'max_surge', default='?')}, maxUnavailable "
                       f"{g(rolling, 'max_unavailable', default='?')}, "
                       f"{'manual steps' if g(rolling, 'rolling_manually') else 'automatic'}", style="dim")
        for label, which in (("CURRENT", "application"), ("NEW    ", "application_ext")):
            ref = g(dp, which)
            if ref is None:
                if which == "application_ext":
                    out.append("\n\nNEW      (no rolling update in progress)", style="dim")
                continue
            app_name = str(g(ref, "name", default=""))
            target = g(ref, "curr_target_instances", default="?")
            app = self.apps.get(app_name)
            out.append(f"\n\n{label}  application {safe_text(app_name)}", style="bold")
            out.append(f"  target {target}")
            if app is not None:
                out.append(f"  running {g(app, 'running_instances', default='?')}/{g(app, 'define_instances', default='?')}")
                app_status = g(app, "status", default="")
                out.append("  ")
                out.append(safe_text(app_status), style=_style(app_status))
                sub = g(app, "sub_status", default="")
                if sub and sub != "Unknown":
                    out.append(f" ({safe_text(sub)})", style="dim")
            elif app_name in self.apps:
                out.append("  gone", style="magenta")
            for tg in sorted(self.taskgroups.get(app_name, []), key=tg_id):
                tid = tg_id(tg)
                tg_status = g(tg, "status", default="")
                out.append("\n    + " if tid in self.arrived else "\n      ",
                           style="bold green" if tid in self.arrived else "")
                out.append(f"{safe_text(tg_short_name(tg)):<24} ")
                out.append(f"{safe_text(tg_status):<11}", style=_style(tg_status))
                host = g(tg, "host_name", default="")
                out.append(f" {safe_text(host)}  {one_line(g(tg, 'message', default=''), 60)}", style="dim")
            for tid, (app_of, _when) in sorted(self.gone.items()):
                if app_of == app_name:
                    out.append(f"\n    - {safe_text(tg_short_name({'ID': tid})):<24} gone", style="magenta")
        out.append("\n\np pause · r resume · C cancel the update · ctrl+r refresh · Esc back", style="dim")
        return out

    def action_op(self, action_id: str) -> None:
        if self.deployment is None:
            return
        self.post_message(RunAction(action_id, "deployments", self.namespace, [self.deployment], self))

    def action_refresh_now(self) -> None:
        self.refresh_now()

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.dismiss(None)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
