"""Live output of a command (`x`): polls getCommand about every second until every task is
finish or failed, and shows each taskgroup and task with its status, exit code, stdout and
stderr. Container output is untrusted: it is stripped of control sequences and never parsed
as markup. `c` copies the whole output (OSC 52), `ctrl+d` deletes the command record."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from bcs_tui.resources import IssuedCommand, g
from bcs_tui.ui.messages import RunAction
from bcs_tui.ui.textsafe import safe_text

POLL_SECONDS = 1.0
DONE = ("finish", "failed")
STATUS_STYLE = {"staging": "blue", "running": "yellow", "finish": "green", "failed": "bold red"}


def command_done(info: Any) -> bool:
    tasks = [t for tg in (g(g(info, "status"), "taskgroups", default=[]) or []) for t in (g(tg, "tasks", default=[]) or [])]
    return bool(tasks) and all(str(g(t, "status", default="")).lower() in DONE for t in tasks)


def render_command(cmd: IssuedCommand, info: Any, error: str = "") -> Text:
    out = Text()
    out.append(f"command {safe_text(cmd.id)}\n", style="bold")
    out.append(f"target  {cmd.kind} {safe_text(cmd.namespace)}/{safe_text(cmd.name)}\n")
    out.append(f"run     {safe_text(' '.join(cmd.command))}\n")
    if error:
        out.append(f"last read failed: {safe_text(error)}\n", style="bold red")
    groups = g(g(info, "status"), "taskgroups", default=[]) or []
    if info is None:
        out.append("\nwaiting for the first answer…\n", style="dim")
        return out
    if not groups:
        out.append("\nno taskgroup has reported yet (staging)\n", style="dim")
    counts: dict[str, int] = {}
    for tg in groups:
        out.append(f"\ntaskgroup {safe_text(g(tg, 'taskgroup_id', default=''))}\n", style="bold underline")
        for task in g(tg, "tasks", default=[]) or []:
            status = str(g(task, "status", default="") or "unknown").lower()
            counts[status] = counts.get(status, 0) + 1
            inspect = g(task, "comm_inspect")
            out.append("  task ", style="bold")
            out.append(safe_text(g(task, "task_id", default="")))
            out.append("  ")
            out.append(status, style=STATUS_STYLE.get(status, "bold"))
            if inspect is not None and status in DONE:
                code = g(inspect, "exit_code", default=0)
                out.append(f"  exit {code}", style="green" if code == 0 else "bold red")
            message = g(task, "message", default="")
            if message:
                out.append(f"  {safe_text(message)}", style="dim")
            out.append("\n")
            if inspect is not None:
                stdout = safe_text(g(inspect, "stdout", default=""))
                stderr = safe_text(g(inspect, "stderr", default=""))
                if stdout:
                    out.append("  stdout:\n", style="cyan")
                    out.append("".join(f"    {line}\n" for line in stdout.splitlines()))
                if stderr:
                    out.append("  stderr:\n", style="magenta")
                    out.append("".join(f"    {line}\n" for line in stderr.splitlines()), style="red")
    if counts:
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        out.append(f"\n{summary}" + ("  (done)" if command_done(info) else "  (polling every second)") + "\n",
                   style="bold")
    return out


def plain_output(cmd: IssuedCommand, info: Any) -> str:
    """What `c` copies: every task's status, exit code, stdout and stderr as plain text."""
    return render_command(cmd, info).plain


class CommandOutputScreen(Screen[None]):
    DEFAULT_CSS = """
    CommandOutputScreen #cmd-title { text-style: bold; background: $panel; width: 100%; }
    CommandOutputScreen #cmd-scroll { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back", show=False),
        Binding("c", "copy", "Copy output"),
        Binding("ctrl+r", "refresh_now", "Refresh"),
        Binding("ctrl+d", "delete", "Delete record"),
    ]

    def __init__(self, command: IssuedCommand) -> None:
        super().__init__()
        self.command = command
        self._timer: Any = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Command output: {safe_text(self.command.id)}"), id="cmd-title")
            with VerticalScroll(id="cmd-scroll"):
                yield Static(render_command(self.command, self.command.info, self.command.error), id="cmd-output")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cmd-scroll").focus()
        self.refresh_now()

    def refresh_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._poll()

    @work(exclusive=True, group="command-output")
    async def _poll(self) -> None:
        from bcs_tui.api.errors import BcsError

        cmd = self.command
        try:
            cmd.info = await self.app.client.get_command(cmd.kind, cmd.namespace, cmd.name, cmd.id)
            cmd.error = ""
        except BcsError as exc:
            cmd.error = exc.message
        self.query_one("#cmd-output", Static).update(render_command(cmd, cmd.info, cmd.error))
        # Poll again only after this answer (never overlapping) and only while tasks still run.
        if not command_done(cmd.info) and self.is_attached:
            self._timer = self.set_timer(POLL_SECONDS, self._poll)

    def action_refresh_now(self) -> None:
        self.refresh_now()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(plain_output(self.command, self.command.info))
        self.app.notify("command output copied to the clipboard (OSC 52)", markup=False)

    def action_delete(self) -> None:
        self.post_message(RunAction("delete", "commands", self.command.namespace, [self.command], self))

    def command_deleted(self) -> None:
        """The record is gone: nothing left to poll."""
        self.action_close()

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.dismiss(None)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
