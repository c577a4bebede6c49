"""The Textual application: wiring only. Views live in ui/screens, widgets in ui/widgets."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Iterable, Protocol

from textual import on, work
from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from bcs_tui.actions import ACTIONS, ACTIONS_BY_ID, actions_for
from bcs_tui.api.errors import BcsError
from bcs_tui.config import ConfigError, Context, Settings
from bcs_tui.resources import KINDS, KINDS_BY_NAME, FetchEnv, IssuedCommand, ResourceKind, Scope, lookup
from bcs_tui.ui.messages import OpenView, RunAction
from bcs_tui.ui.screens.browser import BrowserScreen
from bcs_tui.ui.modals.command_prompt import CommandError, PromptScreen, parse_command
from bcs_tui.ui.textsafe import one_line
from bcs_tui.ui.themes import CONSOLE_DEFAULTS_DARK, ThemeCommands, install_themes

log = logging.getLogger(__name__)

# Imported on first use, not above: the screens opened on demand (describe with its TextArea and
# tree-sitter, copy, overview, help) and the write pipeline (ui/operations.py with its modals and
# validators). Start-up pays only for the browser and the `:` prompt.


class Backend(Protocol):
    """What the app talks to, built by the composition root (bcs_tui.compose.Backend)."""

    async def connect(self) -> Any:
        """The client of the run's context (starts the simulator in --demo)."""

    def client_for(self, ctx: Context) -> Any:
        """A client for another context of the run (`:ctx`); raises ConfigError or ValueError."""

    async def aclose(self) -> None:
        """Stop what connect() started."""


class BcsApp(App):
    """bcs-tui. `settings` is the resolved run; `backend` builds the clients (bcs_tui.compose);
    `client` a BcsClient to use instead (tests; `:ctx` then needs a backend too); `now` the clock
    used for ages (tests pin it)."""

    TITLE = "bcs-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ThemeCommands}

    BINDINGS = [
        Binding("colon", "command_prompt", "Command", id="command_prompt", show=False),
        Binding("question_mark", "help", "Help", id="help", show=False),
        Binding("q", "quit", "Quit", id="quit", show=False),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+z", "suspend_process", "Suspend", show=False),  # Textual's SIGTSTP support
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        backend: Backend | None = None,
        client: Any = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        if client is None and backend is None:
            raise ValueError("BcsApp needs a backend (bcs_tui.compose.Backend) or a client")
        self.settings = settings
        self.backend = backend
        self.client = client
        self._own_client = client is None
        self._now = now or time.time
        self.commands: list[IssuedCommand] = []
        self.command_history: list[str] = []  # `:` lines typed, for Up/Down in the prompt
        self.namespaces: list[str] = []  # for completion, refreshed in the background
        self.namespace: str | None = settings.context.namespace or None
        self.last_view: dict[str, Any] | None = None  # set by exit(): where the user was
        self._operations: Any = None
        self._allowed: dict[str, frozenset[str]] = {}
        self._theme_warnings: list[str] = []
        self._keymap_applied: dict[str, str] = {}  # action id -> key(s), once set_keymap took it
        self._register_themes()

    # ------------------------------------------------------------------ settings access

    @property
    def read_only(self) -> bool:
        return self.settings.read_only

    @property
    def refresh_interval(self) -> float:
        return max(0.0, self.settings.refresh)

    def now(self) -> float:
        return self._now()

    def fetch_env(self) -> FetchEnv:
        return FetchEnv(
            client=self.client,
            settings=self.settings,
            commands=self.commands,
            contexts=self.contexts(),
            current_context=self.settings.context.name,
        )

    def contexts(self) -> list[Context]:
        """Every context of the run (for `:ctx`), the current one at least."""
        return list(self.settings.contexts.values()) or [self.settings.context]

    def allowed_action_ids(self, kind: str) -> frozenset[str]:
        if kind not in self._allowed:
            self._allowed[kind] = frozenset(a.id for a in actions_for(kind, self.read_only))
        return self._allowed[kind]

    # ------------------------------------------------------------------ themes and keys

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # The console's variables, so the TCSS stays valid with Textual's built-in themes too.
        return dict(CONSOLE_DEFAULTS_DARK)

    def _register_themes(self) -> None:
        try:
            self._theme_warnings = install_themes(self, self.settings.theme, self.settings.paths.themes_dir)
        except Exception as exc:  # a broken theme must not stop the console
            self._theme_warnings = [f"themes: {exc}"]

    def _apply_keymap(self) -> None:
        keymap = self.settings.keymap
        if keymap:
            try:
                self.set_keymap(dict(keymap))
                self._keymap_applied = dict(keymap)
            except Exception as exc:
                self.flash(f"keymap ignored: {exc}", "error")

    def key_for(self, action_id: str) -> str:
        """The key an action is bound to now (after the user's keymap), for help and palette text.

        Every screen binds an action's key with the action's id as the Binding id, so the applied
        keymap (or else the action table) says it; the first key when there are several."""
        key = self._keymap_applied.get(action_id) or getattr(ACTIONS_BY_ID.get(action_id), "key", "")
        first = key.split(",")[0].strip()
        return self.get_key_display(Binding(first, action_id)) if first else ""

    # ------------------------------------------------------------------ lifecycle

    async def on_mount(self) -> None:
        from bcs_tui.ui.signals import install as install_signals

        install_signals(self)  # SIGTERM/SIGHUP/SIGQUIT/SIGUSR1: exit 128+n, terminal restored
        self._apply_keymap()
        from bcs_tui.ui import plugins

        plugins.install(self)
        for warning in self.settings.warnings + self._theme_warnings:
            self.flash(str(warning), "warning", timeout=10)
        if self.client is None:
            assert self.backend is not None  # __init__ refuses neither
            try:
                self.client = await self.backend.connect()
            except (BcsError, ConfigError, OSError, ValueError) as exc:
                # a bad server URL, a port the simulator cannot bind
                self.exit(return_code=2, message=f"bcs-tui: cannot start: {exc}")
                return
        kind, scope, special = self._initial_view()
        await self.push_screen(BrowserScreen(kind, scope))
        if special == "cluster":
            self.show_overview()
        self._load_namespaces()
        self.check_cluster()

    def exit(self, result: Any = None, return_code: int = 0, message: Any = None) -> None:
        """Every way out (q, ctrl+c, SIGTERM, SIGHUP) says which writes were still in flight: their
        outcome is unknown (the audit log keeps their intent lines)."""
        # note where the user was (cli.py remembers it for the next run)
        browser = self.browser
        state = browser.state if browser is not None else None
        view = None
        if state is not None and state.scope.parent is None and not state.scope.names \
                and state.kind.name not in self._REMEMBERED_VIEWS_EXCLUDE:
            view = state.kind.name
        self.last_view = {"context": self.settings.context.name, "namespace": self.namespace, "view": view}
        unknown = self._in_flight_message()
        if unknown:  # plain text: object names are not markup
            message = Text(f"{message}\n{unknown}" if message else unknown)
        super().exit(result, return_code, message)

    def _in_flight_message(self) -> str:
        in_flight = getattr(self.client, "writes_in_flight", None)
        writes = in_flight() if callable(in_flight) else []
        if not writes:
            return ""
        lines = [f"bcs-tui: {len(writes)} write(s) were in flight when the console stopped; their outcome is "
                 "UNKNOWN (check the objects before trying again; the audit log has their intent lines):"]
        lines += [f"  {one_line(', '.join(w.targets) or w.op, 120)}: {one_line(w.line(), 200)}" for w in writes]
        return "\n".join(lines)

    def on_run_action(self, message: RunAction) -> None:
        """Screens post RunAction instead of importing the operation pipeline."""
        message.stop()
        self.run_worker(self.run_operation(message.action_id, message.screen, message.kind, message.namespace,
                                           message.targets, message.parent), exit_on_error=False)

    async def on_unmount(self) -> None:
        hub = getattr(self, "_bcs_feeds", None)
        if hub is not None:
            hub.close()  # the change streams and polls end with the app, before the client
            self._bcs_feeds = None
        if self.client is not None and self._own_client:
            try:
                await self.client.aclose()
            except Exception:
                pass
        if self.backend is not None:
            try:
                await self.backend.aclose()
            except Exception:
                log.exception("stopping the backend failed")

    def _initial_view(self) -> tuple[ResourceKind, Scope, str | None]:
        text = self.settings.initial_command
        if text:
            try:
                cmd = parse_command(text, aliases=self.settings.aliases, namespace=self.namespace)
                if cmd.special == "cluster":
                    return KINDS_BY_NAME["applications"], Scope(namespace=self.namespace), "cluster"
                if cmd.kind is not None:
                    if cmd.namespace_set:
                        self.namespace = cmd.scope.namespace
                    return cmd.kind, cmd.scope, None
            except CommandError as exc:
                self.call_later(self.flash, f"--command: {exc}", "error")
        return KINDS_BY_NAME["applications"], Scope(namespace=self.namespace), None

    # ------------------------------------------------------------------ services for screens and ops

    @property
    def operations(self) -> Any:
        if self._operations is None:
            from bcs_tui.ui.operations import Operations

            self._operations = Operations(self)
        return self._operations

    def action_plugin(self, name: str) -> None:
        """A config plugin's key: run it on the row under the cursor (bcs_tui/ui/plugins.py)."""
        from bcs_tui.ui import plugins

        async def guarded() -> None:
            try:
                await plugins.run(self, name)
            except (OSError, ValueError) as exc:  # the command could not start: said, not a bug
                log.warning("plugin %s failed", name, exc_info=True)
                self.flash(f"plugin {name} failed: {exc}", "error")

        self.run_worker(guarded(), group="plugins")

    # Views the next run can open from the `:` prompt word alone (no parent object, no argument).
    _REMEMBERED_VIEWS_EXCLUDE = ("contexts", "versions", "containers", "customresources")

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Failures of the app's own workers that are expected (exit_on_error=False): the server
        or the network said no. Anything else is a bug: raised, so it ends the app with its
        traceback (and fails the test) instead of hiding in a toast."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "namespaces" and isinstance(error, BcsError):
            log.info("namespaces for completion: %s", error.message)  # only completion uses them
        elif event.worker.group == "close-client" and isinstance(error, (BcsError, OSError)):
            log.info("closing the previous client: %s", error)
        elif error is not None:
            log.critical("the console stops on an error in %s", event.worker.name, exc_info=error)
            raise error

    def flash(self, message: str, severity: str = "information", timeout: float | None = None) -> None:
        """A short message in the corner: results and errors (never printed over the UI)."""
        sev = {"info": "information", "ok": "information", "success": "information"}.get(severity, severity)
        if sev not in ("information", "warning", "error"):
            sev = "information"
        self.notify(one_line(message, 400), severity=sev, markup=False,
                    timeout=timeout if timeout is not None else (8 if sev == "error" else 4))

    def update_header(self, header: Any, namespace: str | None) -> None:
        header.update_info(
            context_name=self.settings.context_name or ("demo" if self.settings.demo else ""),
            cluster_id=str(getattr(self.client, "cluster_id", "") or self.settings.cluster_id),
            server=str(getattr(self.client, "server", "") or self.settings.server),
            namespace=namespace or "all",
            read_only=self.read_only,
            production=self.settings.production,
            demo=self.settings.demo,
            insecure=self.settings.insecure,
        )
        header.set_cluster_problem(getattr(self, "cluster_problem", ""))

    @property
    def browser(self) -> Any:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, BrowserScreen):
                return screen
        return None

    def open_view(self, kind_name: str, scope: Any = None) -> None:
        """Show a registry view (name or alias) in the browser; `scope` a Scope, a namespace string,
        or None (the current namespace)."""
        kind = lookup(kind_name)
        if kind is None:
            self.flash(f"unknown view {kind_name!r}", "error")
            return
        if scope is None:
            scope = Scope(namespace=self.namespace if kind.namespaced else None)
        elif isinstance(scope, str):
            scope = Scope(namespace=None if scope in ("all", "") else scope)
        self._to_browser()
        self.browser.open_view(kind, scope)

    def on_open_view(self, message: OpenView) -> None:
        """Any widget or modal may post OpenView instead of calling open_view."""
        self.open_view(message.kind, message.scope)

    def _to_browser(self) -> None:
        browser = self.browser
        while self.screen is not browser and len(self.screen_stack) > 1:
            self.pop_screen()

    async def run_operation(self, action_id: str, screen: Any, kind: str, namespace: str | None,
                            targets: list, parent: Any = None) -> None:
        from bcs_tui.ui.operations import ActionContext

        ctx = ActionContext(kind=kind, namespace=namespace, targets=targets, screen=screen, parent=parent)
        # Operations report their own expected errors (in their worker); anything else is a bug.
        await self.operations.run(action_id, ctx)

    def record_command(self, command: IssuedCommand) -> None:
        """Ops call this after sending a command, so the commands view follows it."""
        self.commands.append(command)
        del self.commands[:-50]

    def push_describe(self, kind: ResourceKind, obj: Any, *, revealed: bool = False) -> None:
        from bcs_tui.ui.screens.describe import DescribeScreen

        self.push_screen(DescribeScreen(kind, obj, revealed=revealed))

    def push_copy(self, kind: ResourceKind, obj: Any, *, revealed: bool = False) -> None:
        from bcs_tui.ui.modals.copy import CopyScreen

        self.push_screen(CopyScreen(kind, obj, revealed=revealed))

    def show_overview(self) -> None:
        from bcs_tui.ui.screens.overview import OverviewScreen

        if not isinstance(self.screen, OverviewScreen):
            self._to_browser()
            self.push_screen(OverviewScreen())

    def switch_context(self, name: str) -> None:
        """Switch to the context called `name`: a new client, views start over in its namespace."""
        ctx = next((c for c in self.contexts() if c.name == name), None)
        if ctx is None:
            self.flash(f"unknown context {name!r}", "error")
            return
        if self.settings.demo:
            self.flash("demo mode runs one simulated cluster: contexts cannot be switched", "warning")
            return
        if self.backend is None:
            self.flash("this run has no backend to build clients: contexts cannot be switched", "error")
            return
        # The token source may be a slow command (a password manager): off the event loop, so
        # the console keeps drawing and answering keys meanwhile.
        self.run_worker(self._switch_context(ctx, name), group="switch-context", exclusive=True,
                        exit_on_error=False)

    async def _switch_context(self, ctx: Any, name: str) -> None:
        assert self.backend is not None
        if ctx.token_source.kind == "command":
            self.flash(f"switching to {name}: running its token command…", "information")
        try:
            client = await asyncio.to_thread(self.backend.client_for, ctx)
        except (ConfigError, BcsError, ValueError) as exc:  # the token source, a bad server URL
            self.flash(f"cannot switch to {name}: {exc}", "error")
            return
        if not self.is_running or self.browser is None:
            await client.aclose()  # the console ended while the token command ran
            return
        old = self.client
        self.client = client
        self.settings.context = ctx
        self._allowed.clear()
        self.namespace = ctx.namespace or None
        if old is not None and self._own_client:
            self.run_worker(old.aclose(), group="close-client", exit_on_error=False)
        self._own_client = True
        try:
            self._to_browser()
            self.browser.open_view(KINDS_BY_NAME["applications"], Scope(namespace=self.namespace), replace=True)
        except NoMatches:  # the console is being torn down: nothing left to show the view in
            return
        self.flash(f"context {name}", "information")
        self._load_namespaces()
        self.check_cluster()

    def check_cluster(self) -> None:
        """One scheduler call checks the cluster id (storage answers a wrong one with an empty
        success): a wrong id is said in every screen's header and flashed."""
        from bcs_tui.ui.widgets.header import ClusterHeader

        client = self.client
        self.cluster_problem = ""

        async def check() -> None:
            check = getattr(client, "check_cluster", None)
            problem = (await check()) if check is not None else None
            if client is not self.client:
                return  # the context changed meanwhile
            self.cluster_problem = problem or ""
            for screen in self.screen_stack:
                for header in screen.query(ClusterHeader):
                    header.set_cluster_problem(self.cluster_problem)
            if problem:
                self.flash(problem, "error", timeout=20)

        self.run_worker(check(), group="cluster-check", exclusive=True)

    @work(group="namespaces", exclusive=True, exit_on_error=False)
    async def _load_namespaces(self) -> None:
        names = (str(n) for n in (await self.client.storage_list_namespaces()) or [])
        # Completion text is drawn as typed: a name with control characters (which no request
        # could use anyway) must not reach the terminal through the prompt.
        self.namespaces = sorted(n for n in names if n == one_line(n))

    # ------------------------------------------------------------------ actions

    def action_command_prompt(self) -> None:
        if isinstance(self.screen, PromptScreen):
            return
        self.push_screen(PromptScreen(self.command_history), self.run_command)

    def action_help(self) -> None:
        from bcs_tui.ui.modals.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        browser = self.browser
        kind = browser.state.kind if browser is not None else None
        self.push_screen(HelpScreen(kind))

    def run_command(self, text: str | None) -> None:
        """Run a `:` command line."""
        if not text or not text.strip():
            return
        try:
            cmd = parse_command(text, aliases=self.settings.aliases, namespace=self.namespace)
        except CommandError as exc:
            self.flash(str(exc), "error", timeout=10)
            return
        if cmd.special == "quit":
            self.exit()
        elif cmd.special == "help":
            self.action_help()
        elif cmd.special == "cluster":
            self.show_overview()
        elif cmd.special == "switch_context":
            self.switch_context(cmd.argument)
        elif cmd.kind is not None:
            if cmd.namespace_set:
                self.namespace = cmd.scope.namespace
            self._to_browser()
            self.browser.open_view(cmd.kind, cmd.scope)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p): every view, and the actions of the current list."""
        yield from super().get_system_commands(screen)
        for kind in KINDS:
            if kind.needs_parent:
                continue
            alias = kind.aliases[0] if kind.aliases else kind.name
            yield SystemCommand(f"View: {kind.title}", f":{alias}", lambda a=alias: self.run_command(a))
        yield SystemCommand("View: Cluster overview", ":cluster", self.show_overview)
        browser = self.browser
        if browser is None:
            return
        kind_name = browser.state.kind.name
        for action in ACTIONS:
            if action.id not in self.allowed_action_ids(kind_name) or action.id in ("command_prompt", "quit"):
                continue
            key = self.key_for(action.id)
            yield SystemCommand(
                f"{browser.state.kind.title}: {action.description}",
                f"key {key}" + ("  (writes to the cluster)" if action.dangerous else ""),
                lambda a=action.id: self._palette_action(a),
            )

    def _palette_action(self, action_id: str) -> None:
        browser = self.browser
        if browser is None:
            return
        self._to_browser()
        self.call_later(browser.action_act, action_id)
