"""The Textual application: wiring only. Views live in ui/screens, widgets in ui/widgets."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from bcs_tui.actions import ACTIONS, ACTIONS_BY_ID, actions_for
from bcs_tui.resources import KINDS, KINDS_BY_NAME, FetchEnv, IssuedCommand, ResourceKind, Scope, lookup
from bcs_tui.ui.messages import OpenView
from bcs_tui.ui.textsafe import one_line
from bcs_tui.ui.themes import ThemeCommands

log = logging.getLogger(__name__)

DEFAULT_REFRESH = 2.0

# Theme variables the TCSS uses. A theme may override any of them; these defaults keep the CSS
# valid with Textual's built-in themes too.
THEME_VARIABLE_DEFAULTS = {
    "status-running": "#5fd75f",
    "status-failed": "#ff5f5f",
    "status-warning": "#ffaf00",
    "status-pending": "#5fafff",
    "status-unknown": "#af87ff",
    "status-disabled": "#808080",
    "banner-production": "#af0000",
    "badge-readonly": "#005f87",
    "stale": "#d7af00",
}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    value = getattr(obj, name, None) if obj is not None else None
    return default if value is None else value


class BcsApp(App):
    """bcs-tui. `settings` is the resolved run (bcs_tui.config.Settings); `client` a BcsClient to use
    instead of building one (tests); `sim` a running simulator to stop on exit; `now` the clock
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
        settings: Any = None,
        *,
        client: Any = None,
        sim: Any = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.client = client
        self.sim = sim
        self._own_client = client is None
        self._now = now or time.time
        self.commands: list[IssuedCommand] = []
        self.command_history: list[str] = []  # `:` lines typed, for Up/Down in the prompt
        self.namespaces: list[str] = []  # for completion, refreshed in the background
        self.namespace: str | None = self._context_attr("namespace") or None
        self._operations: Any = None
        self._allowed: dict[str, frozenset[str]] = {}
        self._theme_warnings: list[str] = []
        self._register_themes()

    # ------------------------------------------------------------------ settings access

    @property
    def context(self) -> Any:
        return _get(self.settings, "context")

    def _context_attr(self, name: str, default: Any = None) -> Any:
        return _get(self.context, name, default)

    @property
    def read_only(self) -> bool:
        return bool(_get(self.settings, "read_only", False) or self._context_attr("read_only", False))

    @property
    def production(self) -> bool:
        return bool(self._context_attr("production", False))

    @property
    def refresh_interval(self) -> float:
        value = _get(self.settings, "refresh", None)
        if value is None:
            value = self._context_attr("refresh", DEFAULT_REFRESH)
        try:
            return max(0.0, float(value))
        except (TypeError, ValueError):
            return DEFAULT_REFRESH

    def now(self) -> float:
        return self._now()

    def fetch_env(self) -> FetchEnv:
        return FetchEnv(
            client=self.client,
            settings=self.settings,
            commands=self.commands,
            contexts=list(self._contexts()),
            current_context=str(self._context_attr("name", "")),
        )

    def _contexts(self) -> Iterable[Any]:
        contexts = _get(self.settings, "contexts", None)
        if isinstance(contexts, dict):
            return list(contexts.values())
        if contexts:
            return list(contexts)
        return [self.context] if self.context is not None else []

    def allowed_action_ids(self, kind: str) -> frozenset[str]:
        if kind not in self._allowed:
            self._allowed[kind] = frozenset(a.id for a in actions_for(kind, self.read_only))
        return self._allowed[kind]

    # ------------------------------------------------------------------ themes and keys

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(THEME_VARIABLE_DEFAULTS)

    def _register_themes(self) -> None:
        from bcs_tui.ui.themes import install_themes

        wanted = _get(self.settings, "theme", None) or self._context_attr("theme", None)
        user_dir = _get(_get(self.settings, "paths", None), "themes_dir", None)
        try:
            self._theme_warnings = install_themes(self, wanted, user_dir)
        except Exception as exc:  # a broken theme must not stop the console
            self._theme_warnings = [f"themes: {exc}"]

    def _apply_keymap(self) -> None:
        keymap = _get(self.settings, "keymap", None) or self._context_attr("keymap", None)
        if keymap:
            try:
                self.set_keymap(dict(keymap))
            except Exception as exc:
                self.flash(f"keymap ignored: {exc}", "error")

    def key_for(self, action_id: str, screen: Screen | None = None) -> str:
        """The key an action is bound to now (after the user's keymap), for help and footer text."""
        # The binding chain carries the keys after the keymap (node._bindings has the defaults).
        for _node, bindings_map in (screen or self.screen)._binding_chain:
            for bindings in bindings_map.key_to_bindings.values():
                for b in bindings:
                    if b.id == action_id:
                        return b.key_display or self.get_key_display(b)
        action = ACTIONS_BY_ID.get(action_id)
        return action.key if action else ""

    # ------------------------------------------------------------------ lifecycle

    async def on_mount(self) -> None:
        from bcs_tui.ui.signals import install as install_signals

        install_signals(self)  # SIGTERM/SIGHUP/SIGQUIT/SIGUSR1: exit 128+n, terminal restored
        self._apply_keymap()
        for warning in list(_get(self.settings, "warnings", None) or []) + self._theme_warnings:
            self.flash(str(warning), "warning", timeout=10)
        if self.client is None:
            try:
                await self._connect()
            except Exception as exc:
                self.exit(return_code=2, message=f"bcs-tui: cannot start: {exc}")
                return
        from bcs_tui.ui.screens.browser import BrowserScreen

        kind, scope, special = self._initial_view()
        await self.push_screen(BrowserScreen(kind, scope))
        if special == "cluster":
            self.show_overview()
        self._load_namespaces()

    async def _connect(self) -> None:
        from bcs_tui.api.client import BcsClient

        if _get(self.settings, "demo", False):
            from bcs_tui.sim.clock import SimClock
            from bcs_tui.sim.cluster import SimCluster
            from bcs_tui.sim.server import start_in_loop

            if self.sim is None:
                scale = _get(self.settings, "scale", None) or "demo"
                # A wall clock: the demo cluster lives (and ages) in real time.
                self.sim = await start_in_loop(SimCluster(scale=scale, clock=SimClock(manual=False)))
            # Demo writes are audited too (context "demo"): rehearsals leave the same trail.
            self.client = BcsClient(self.sim.url, self.sim.cluster_id, self.sim.token,
                                    read_only=self.read_only, audit=self._audit_log(),
                                    context_name="demo")
        else:
            self.client = self._build_client(self.context, _get(self.settings, "token", None),
                                             _get(self.settings, "key_password", None))
        self._own_client = True

    def _build_client(self, ctx: Any, token: Any, key_password: Any = None) -> Any:
        """A BcsClient for a context; `token` already resolved (a config.Secret, or None)."""
        from bcs_tui.api.client import BcsClient

        audit = self._audit_log()
        verify = _get(ctx, "verify", True)
        return BcsClient(
            _get(ctx, "server", ""),
            _get(ctx, "cluster_id", ""),
            token,
            operator=_get(ctx, "operator", None),
            verify=verify,
            cert=_get(ctx, "cert", None),
            key_password=key_password,
            # --readonly (force_read_only) holds for every context of the run.
            read_only=bool(_get(ctx, "read_only", False) or _get(self.settings, "force_read_only", False)),
            audit=audit,
            context_name=_get(ctx, "name", ""),
        )

    def _audit_log(self) -> Any:
        """The audit log of this run (settings.audit_path), or None when the settings name none."""
        from bcs_tui.audit import AuditLog

        audit_path = _get(self.settings, "audit_path", None)
        return AuditLog(audit_path) if audit_path else None

    async def on_unmount(self) -> None:
        if self.client is not None and self._own_client:
            try:
                await self.client.aclose()
            except Exception:
                pass
        if self.sim is not None:
            try:
                await self.sim.stop()
            except Exception:
                pass

    def _initial_view(self) -> tuple[ResourceKind, Scope, str | None]:
        from bcs_tui.ui.screens.prompt import CommandError, parse_command

        text = _get(self.settings, "command", None)
        if text:
            try:
                cmd = parse_command(text, self)
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

    def _handle_exception(self, error: Exception) -> None:
        """The last guard for background workers (polls, loads, re-checks): a bug in one must not
        close the console in the middle of an incident. It is logged and said; anything else
        (compose, render) still ends the app as Textual does."""
        from textual.worker import WorkerFailed

        if isinstance(error, WorkerFailed) and self._running:
            cause = error.error
            log.error("background task failed", exc_info=(type(cause), cause, cause.__traceback__))
            self.flash(f"internal error in a background task ({type(cause).__name__}: {cause}); "
                       "the console keeps running, ctrl+r reloads the view", "error")
            return
        super()._handle_exception(error)

    def flash(self, message: str, severity: str = "information", timeout: float | None = None) -> None:
        """A short message in the corner: results and errors (never printed over the UI)."""
        sev = {"info": "information", "ok": "information", "success": "information"}.get(severity, severity)
        if sev not in ("information", "warning", "error"):
            sev = "information"
        self.notify(one_line(message, 400), severity=sev, markup=False,
                    timeout=timeout if timeout is not None else (8 if sev == "error" else 4))

    def update_header(self, header: Any, namespace: str | None) -> None:
        header.update_info(
            context_name=str(self._context_attr("name", "") or ("demo" if _get(self.settings, "demo") else "")),
            cluster_id=str(_get(self.client, "cluster_id", "") or self._context_attr("cluster_id", "")),
            server=str(_get(self.client, "server", "") or self._context_attr("server", "")),
            namespace=namespace or "all",
            read_only=self.read_only,
            production=self.production,
            demo=bool(_get(self.settings, "demo", False)),
            insecure=bool(self._context_attr("insecure", False)),
        )

    @property
    def browser(self) -> Any:
        from bcs_tui.ui.screens.browser import BrowserScreen

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
        try:
            ops = self.operations
        except ImportError:
            self.flash(f"{ACTIONS_BY_ID[action_id].description}: not available in this build", "error")
            return
        from bcs_tui.ui.operations import ActionContext

        ctx = ActionContext(kind=kind, namespace=namespace, targets=targets, screen=screen, parent=parent)
        try:
            await ops.run(action_id, ctx)
        except Exception as exc:  # ops report their own errors; this is the last guard
            log.exception("operation %s failed", action_id)
            self.flash(f"{action_id} failed: {exc}", "error")

    def record_command(self, command: IssuedCommand) -> None:
        """Ops call this after sending a command, so the commands view follows it."""
        self.commands.append(command)
        del self.commands[:-50]

    def push_describe(self, kind: ResourceKind, obj: Any, *, revealed: bool = False) -> None:
        from bcs_tui.ui.screens.describe import DescribeScreen

        self.push_screen(DescribeScreen(kind, obj, revealed=revealed))

    def push_copy(self, kind: ResourceKind, obj: Any, *, revealed: bool = False) -> None:
        from bcs_tui.ui.screens.copy import CopyScreen

        self.push_screen(CopyScreen(kind, obj, revealed=revealed))

    def show_overview(self) -> None:
        from bcs_tui.ui.screens.overview import OverviewScreen

        if not isinstance(self.screen, OverviewScreen):
            self._to_browser()
            self.push_screen(OverviewScreen())

    def switch_context(self, name: str) -> None:
        """Switch to the context called `name`: a new client, views start over in its namespace."""
        ctx = next((c for c in self._contexts() if _get(c, "name") == name), None)
        if ctx is None:
            self.flash(f"unknown context {name!r}", "error")
            return
        if _get(self.settings, "demo", False):
            self.flash("demo mode runs one simulated cluster: contexts cannot be switched", "warning")
            return
        # The token source may be a slow command (a password manager): off the event loop, so
        # the console keeps drawing and answering keys meanwhile.
        self.run_worker(self._switch_context(ctx, name), group="switch-context", exclusive=True)

    async def _switch_context(self, ctx: Any, name: str) -> None:
        from bcs_tui.config import resolve_key_password, resolve_token

        sources = (_get(ctx, "token_source"), _get(_get(ctx, "tls"), "key_password"))
        if any(_get(src, "kind") == "command" for src in sources):
            self.flash(f"switching to {name}: running its token command…", "information")
        try:
            token, key_password = await asyncio.to_thread(
                lambda: (resolve_token(ctx), resolve_key_password(ctx)))
            client = self._build_client(ctx, token, key_password)
        except Exception as exc:  # ConfigError (token source) or a bad server URL
            self.flash(f"cannot switch to {name}: {exc}", "error")
            return
        old = self.client
        self.client = client
        try:
            self.settings.context = ctx
            self.settings.token = token
            self.settings.key_password = key_password
        except AttributeError:
            pass
        self._allowed.clear()
        self.namespace = _get(ctx, "namespace", None) or None
        if old is not None and self._own_client:
            self.run_worker(old.aclose(), group="close-client")
        self._own_client = True
        self._to_browser()
        self.browser.open_view(KINDS_BY_NAME["applications"], Scope(namespace=self.namespace), replace=True)
        self.flash(f"context {name}", "information")
        self._load_namespaces()

    def _load_namespaces(self) -> None:
        async def load() -> None:
            try:
                names = (str(n) for n in (await self.client.storage_list_namespaces()) or [])
                # Completion text is drawn as typed: a name with control characters (which no
                # request could use anyway) must not reach the terminal through the prompt.
                self.namespaces = sorted(n for n in names if n == one_line(n))
            except Exception:
                pass  # only completion uses it

        self.run_worker(load(), group="namespaces", exclusive=True)

    # ------------------------------------------------------------------ actions

    def action_command_prompt(self) -> None:
        from bcs_tui.ui.screens.prompt import PromptScreen

        if isinstance(self.screen, PromptScreen):
            return
        self.push_screen(PromptScreen(self.command_history), self.run_command)

    def action_help(self) -> None:
        from bcs_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        browser = self.browser
        kind = browser.state.kind if browser is not None else None
        self.push_screen(HelpScreen(kind))

    def run_command(self, text: str | None) -> None:
        """Run a `:` command line."""
        from bcs_tui.ui.screens.prompt import CommandError, parse_command

        if not text or not text.strip():
            return
        try:
            cmd = parse_command(text, self)
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
            key = self.key_for(action.id, browser)
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
