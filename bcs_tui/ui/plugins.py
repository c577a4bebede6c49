"""Running the config's plugins (bcs_tui/plugins.py) on the row under the cursor.

`install(app)` binds each plugin's key on the app (a writing plugin is not bound in a read-only
run); the binding calls `BcsApp.action_plugin(name)`, which starts `run(app, name)` in a worker.
`run` checks the view's kind, builds the argv from the row (refusing unsafe values), and for a
writing plugin refuses in read-only, asks for confirmation with the exact argv, and audits
before and after. `mode = "terminal"` suspends the app, runs the command on the terminal and
resumes; `mode = "background"` shows the output, as it arrives, in `PluginOutputScreen`. The
child's environment never holds the token.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from bcs_tui.plugins import Plugin, PluginError, build_argv, child_env
from bcs_tui.ui.textsafe import safe_text

log = logging.getLogger(__name__)
MAX_OUTPUT = 1_000_000  # characters kept in the pane; the rest is dropped with a note


def _settings_attr(app: Any, name: str, default: Any = None) -> Any:
    return getattr(getattr(app, "settings", None), name, default)


def plugins_of(app: Any) -> list[Plugin]:
    return list(_settings_attr(app, "plugins", None) or [])


def install(app: Any) -> None:
    """Bind every plugin's key (writing plugins are left out of a read-only run)."""
    for plugin in plugins_of(app):
        if plugin.writes and app.read_only:
            continue
        app.bind(plugin.key, f"plugin('{plugin.name}')", description=plugin.label, show=False)


def row_values(app: Any, browser: Any, obj: Any) -> dict[str, str]:
    """The variables a plugin's command line may use, from the row's object."""
    from bcs_tui.resources.base import object_name, object_namespace, tg_id
    from bcs_tui.resources.offers import offer_ip
    from bcs_tui.resources.taskgroups import tg_app, tg_host_ip, tg_pod_ip

    kind = browser.state.kind.name
    ctx = app.settings.context
    values = {
        "context": ctx.name,
        "cluster": ctx.cluster_id,
        "kind": kind,
        "namespace": str(object_namespace(obj) or browser.state.scope.namespace or ""),
        "name": str(object_name(obj) or ""),
        "id": str(browser.table.cursor_key or ""),
    }
    if kind == "taskgroups":
        values.update(taskgroup_id=tg_id(obj), application=tg_app(obj), host_ip=tg_host_ip(obj),
                      pod_ip=tg_pod_ip(obj), container_id=_first_container_id(obj))
    elif kind == "containers":
        values.update(taskgroup_id=str(getattr(obj, "taskgroup_id", "") or ""),
                      container_id=_container_id(getattr(obj, "source", None)))
    elif kind == "applications":
        values["application"] = values["name"]
    elif kind == "agents":
        values["host_ip"] = str(getattr(obj, "ip", "") or "")
    elif kind == "offers":
        values["host_ip"] = offer_ip(obj)
    return values


def _container_id(source: Any) -> str:
    """The full container ID of a scheduler Task (its StatusData) or a storage container status."""
    from bcs_tui.resources.base import g
    from bcs_tui.resources.taskgroups import task_info

    value = g(task_info(source), "id", "ID") or g(source, "container_id", "containerID")
    return str(value or "")


def _first_container_id(tg: Any) -> str:
    from bcs_tui.resources.base import g
    from bcs_tui.resources.taskgroups import tg_tasks

    for task in tg_tasks(tg):
        return _container_id(task)
    for status in g(tg, "container_statuses", "containerStatuses", default=[]) or []:
        return _container_id(status)
    return ""


def _audit(app: Any, plugin: Plugin, argv: list[str], outcome: str, message: str = "",
           code: int | None = None) -> None:
    from bcs_tui.audit import AuditLog

    path = _settings_attr(app, "audit_path", None)
    if not path:
        return
    ctx = app.settings.context
    AuditLog(path).record(
        context=ctx.name, cluster=ctx.cluster_id, method="PLUGIN", path=plugin.name, query={"argv": argv},
        outcome=outcome, code=code, message=message, operator=ctx.operator, operation=f"plugin {plugin.name}")


def _secrets(app: Any) -> list[str]:
    out = []
    for value in (_settings_attr(app, "token"), getattr(getattr(app, "client", None), "_token", None)):
        reveal = getattr(value, "reveal", None)
        text = reveal() if callable(reveal) else value
        if isinstance(text, str) and text:
            out.append(text)
    return out


async def run(app: Any, name: str) -> None:
    """Run plugin `name` on the row under the cursor of the current list."""
    from bcs_tui.ui.modals.confirm import ConfirmModal
    from bcs_tui.ui.screens.browser import BrowserScreen

    plugin = next((p for p in plugins_of(app) if p.name == name), None)
    browser = app.screen
    if plugin is None or not isinstance(browser, BrowserScreen):
        return
    kind = browser.state.kind.name
    if not plugin.applies_to(kind):
        app.flash(f"plugin {plugin.name} works on {', '.join(plugin.kinds)}, not {kind}", "warning")
        return
    obj = browser.current_object()
    if obj is None:
        app.flash(f"plugin {plugin.name}: the list is empty", "warning")
        return
    try:
        values = row_values(app, browser, obj)
        argv = build_argv(plugin, values)
    except PluginError as exc:
        inspect = browser.state.kind.inspect
        if not getattr(obj, "is_projected", False) or inspect is None:
            app.flash(str(exc), "error")
            return
        # A list row is projected (no container IDs in it): read the full record once.
        from bcs_tui.api.errors import BcsError

        try:
            full = await inspect(app.client, obj)
            values = row_values(app, browser, full)
            argv = build_argv(plugin, values)
        except BcsError as read_error:
            app.flash(f"plugin {plugin.name}: cannot read the full record:  {read_error.message}", "error")
            return
        except PluginError as exc2:
            app.flash(str(exc2), "error")
            return
    shown = " ".join(argv)
    if plugin.writes:
        if app.read_only:
            _audit(app, plugin, argv, "refused", "read-only")
            app.flash(f"plugin {plugin.name} writes: refused in a read-only context", "error")
            return
        details = Text()
        details.append(f"plugin {plugin.name} (writes)\n", style="bold")
        details.append(f"runs: {safe_text(shown)}\n")
        details.append(f"on: {safe_text(values['kind'])} {safe_text(values['namespace'])}/{safe_text(values['name'])}")
        ok = await app.push_screen_wait(ConfirmModal(f"Run plugin {plugin.name}?", [], details=details,
                                                     confirm_label="Run"))
        if not ok:
            app.flash(f"plugin {plugin.name}: cancelled", "information")
            return
        _audit(app, plugin, argv, "started")
    env = child_env(os.environ, _secrets(app), values)
    log.info("plugin %s (%s): %s", plugin.name, plugin.mode, argv)
    if plugin.mode == "terminal":
        await _run_on_terminal(app, plugin, argv, env)
    else:
        app.push_screen(PluginOutputScreen(plugin, argv, env))


async def _run_on_terminal(app: Any, plugin: Plugin, argv: list[str], env: dict[str, str]) -> None:
    from textual.app import SuspendNotSupported

    try:
        with app.suspend():
            try:
                code = subprocess.run(argv, env=env, check=False).returncode
            except OSError as exc:
                code = None
                error = exc.strerror or str(exc)
    except SuspendNotSupported:
        app.flash(f"plugin {plugin.name}: this terminal cannot be handed over (mode = \"background\" works)", "error")
        return
    if code is None:
        message = f"plugin {plugin.name}: cannot run {argv[0]}: {error}"
        app.flash(message, "error")
    else:
        message = f"plugin {plugin.name} exited with {code}"
        app.flash(message, "information" if code == 0 else "warning")
    if plugin.writes:
        _audit(app, plugin, argv, "ok" if code == 0 else "error", message, code)
    app.refresh()


class PluginOutputScreen(Screen[None]):
    """A background plugin's output as it arrives (untrusted text: control sequences stripped,
    never markup). Escape closes it and stops the command if it still runs."""

    BINDINGS = [Binding("escape,q", "close", "Close"), Binding("ctrl+r", "rerun", "Run again")]

    DEFAULT_CSS = """
    PluginOutputScreen #plugin-title { text-style: bold; padding: 0 1; }
    PluginOutputScreen #plugin-status { color: $text-muted; padding: 0 1; }
    PluginOutputScreen #plugin-scroll { padding: 0 1; }
    """

    def __init__(self, plugin: Plugin, argv: list[str], env: dict[str, str]) -> None:
        super().__init__()
        self.plugin = plugin
        self.argv = argv
        self.env = env
        self.output = ""
        self.exit_code: int | None = None
        self.truncated = False
        self._proc: asyncio.subprocess.Process | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(safe_text(f"plugin {self.plugin.name}: {' '.join(self.argv)}"), id="plugin-title")
            yield Label("running…", id="plugin-status")
            with VerticalScroll(id="plugin-scroll"):
                yield Static("", id="plugin-output")
        yield Footer()

    def on_mount(self) -> None:
        self._start()

    def action_rerun(self) -> None:
        if self.plugin.writes:  # a write is confirmed each time: run it again from the list
            self.app.flash(f"plugin {self.plugin.name} writes: run it again from the list (it asks first)", "warning")
            return
        if self._proc is None or self._proc.returncode is not None:
            self.output, self.exit_code, self.truncated = "", None, False
            self._start()

    def action_close(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            try:
                self._proc.terminate()
            except ProcessLookupError:
                pass
        self.dismiss(None)

    def _show(self) -> None:
        text = Text(safe_text(self.output))
        if self.truncated:
            text.append(f"\n… output beyond {MAX_OUTPUT} characters dropped", style="bold")
        self.query_one("#plugin-output", Static).update(text)
        self.query_one("#plugin-scroll", VerticalScroll).scroll_end(animate=False)

    @work(group="plugins", exclusive=True)
    async def _start(self) -> None:
        status = self.query_one("#plugin-status", Label)
        status.update("running…")
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, env=self.env, start_new_session=True)
        except OSError as exc:
            message = f"cannot run {self.argv[0]}: {exc.strerror or exc}"
            status.update(safe_text(message))
            self._finish(None, message)
            return
        assert self._proc.stdout is not None
        while True:
            chunk = await self._proc.stdout.read(65536)
            if not chunk:
                break
            if len(self.output) < MAX_OUTPUT:
                self.output += chunk.decode("utf-8", errors="replace")
                if len(self.output) > MAX_OUTPUT:
                    self.output, self.truncated = self.output[:MAX_OUTPUT], True
            else:
                self.truncated = True
            self._show()
        code = await self._proc.wait()
        self.exit_code = code
        self._show()
        status.update(f"exited with {code} · ctrl+r runs it again · esc closes")
        self._finish(code, f"exited with {code}")

    def _finish(self, code: int | None, message: str) -> None:
        if self.plugin.writes:
            _audit(self.app, self.plugin, self.argv, "ok" if code == 0 else "error", message, code)
