"""Command line: argv -> Settings -> the console, the simulator, or a small subcommand.

    bcs-tui [--context NAME] [--server URL --cluster ID] [--namespace NS] [--readonly] ...
    bcs-tui --demo
    bcs-tui sim [--host H] [--port P] [--cluster ID] [--token T] [--scale S] [--seed N] [--chaos SPEC]
                [--stream-mode stream|break|none] [--rereport SECONDS]
    bcs-tui config path | show
    bcs-tui --version

Start-up stays light: Textual is imported only to run the console (not for --help, --version or
`config`), the simulator only for --demo and `sim`. Every user error is one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Mapping, NoReturn, Sequence, TextIO

from bcs_tui import __version__
from bcs_tui.ui.textsafe import one_line, safe_text
from bcs_tui.config import (
    DEFAULT_THEME,
    DEMO_CLUSTER_ID,
    ConfigError,
    ConfigFile,
    Settings,
    load_config,
    parse_refresh,
    paths,
    resolve_settings,
    token_status,
    validate_cluster_id,
)

PROG = "bcs-tui"
EXIT_USAGE = 2


class UsageError(Exception):
    """A bad flag or a bad config: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors raised instead of printed, so main() decides the exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _console_parser() -> _Parser:
    p = _Parser(
        prog=PROG,
        description="A keyboard-driven terminal console for BCS mesos clusters.",
        epilog=(
            "other commands:\n"
            "  bcs-tui sim ...          run the BCS simulator on loopback (bcs-tui sim --help)\n"
            "  bcs-tui config path      print the config file location\n"
            "  bcs-tui config show      print the resolved contexts (tokens redacted)\n"
            "  bcs-tui config example   print a commented example config\n"
            "  bcs-tui completion bash|zsh|fish   print a shell completion script\n"
            "  bcs-tui config import-bcs-client [PATH]\n"
            "                           a context from bcs-client's bcs.conf + bcsenv.conf\n"
            "\n"
            "environment: BCS_TUI_CONFIG (config file), BCS_TUI_STATE_DIR (audit log dir),\n"
            "BCS_TOKEN (token when the context names no source), BCS_CLIENT_CONF (bcs-client's\n"
            "bcs.conf, default /var/bcs/bcs.conf: used when the config has no contexts)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument("--context", metavar="NAME", help="context from the config file")
    p.add_argument("--server", metavar="URL", help="apiserver address, e.g. https://bcs.example.com:8443")
    p.add_argument("--cluster", metavar="ID", help="cluster id (BCS-ClusterID), e.g. BCS-MESOS-10001")
    p.add_argument("-n", "--namespace", metavar="NS", help="start in this namespace")
    p.add_argument("--readonly", "--read-only", dest="readonly", action="store_true",
                   help="refuse every write (a read-only context stays read-only)")
    p.add_argument("--theme", metavar="NAME", help=f"colour theme (default {DEFAULT_THEME})")
    p.add_argument("--refresh", metavar="SECONDS", help="seconds between polls (default 2; 500ms works)")
    p.add_argument("--command", metavar="CMD", help='open the console at a prompt command, e.g. "app payments"')
    p.add_argument("--insecure", action="store_true", help="do not verify the server's TLS certificate")
    p.add_argument("--ca-file", metavar="F", help="CA bundle that signs the server certificate")
    p.add_argument("--cert-file", metavar="F", help="client certificate for mutual TLS (with --key-file)")
    p.add_argument("--key-file", metavar="F", help="client key for mutual TLS (with --cert-file)")
    p.add_argument("--demo", action="store_true",
                   help=f"run against a built-in simulated cluster ({DEMO_CLUSTER_ID})")
    p.add_argument("--debug", action="store_true",
                   help="write debug lines and one line per request to the log file (bcs-tui config show prints where)")
    return p


def _sim_parser() -> _Parser:
    p = _Parser(prog=f"{PROG} sim", description="Run the BCS mesos simulator on a loopback port.",
                allow_abbrev=False)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8899, help="port (default 8899; 0 picks a free one)")
    p.add_argument("--cluster", default=DEMO_CLUSTER_ID, metavar="ID",
                   help=f"cluster id the simulator answers to (default {DEMO_CLUSTER_ID})")
    p.add_argument("--token", metavar="T", default=None,
                   help="require this bearer token (default: accept any request)")
    p.add_argument("--scale", choices=("demo", "large", "xlarge", "empty"), default="demo",
                   help="cluster size: demo, large (20,100 taskgroups), xlarge (50,700), empty (default demo)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    p.add_argument("--chaos", metavar="SPEC", default=None,
                   help='fault injection, e.g. "latency=300ms,error=0.1,truncate=0.05,route=/cluster/*"')
    p.add_argument("--hostile", action="store_true",
                   help="add a namespace whose names, messages and command output carry markup and "
                        "terminal escapes (rehearse hostile text)")
    p.add_argument("--stream-mode", choices=("stream", "break", "none"), default="stream",
                   help="the storage watch route: stream (events flow, default), break (no Mongo "
                        "replica set: only the break event), none (an old storage: HTTP 404)")
    p.add_argument("--rereport", type=_rereport, default=240.0, metavar="SECONDS",
                   help="mesos-watch rewrites every application/taskgroup record this often "
                        "(default 240, as the real one; 0: never)")
    return p


def _rereport(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 86400 or value != value:
        raise argparse.ArgumentTypeError(f"must be 0..86400 seconds (got {text})")
    return value


def _config_parser() -> _Parser:
    p = _Parser(prog=f"{PROG} config", description="Inspect the configuration.", allow_abbrev=False)
    sub = p.add_subparsers(dest="action", metavar="{path,show,example,contexts,import-bcs-client}", parser_class=_Parser)
    sub.required = True
    sub.add_parser("path", help="print the config file location")
    sub.add_parser("show", help="print the resolved contexts, tokens redacted")
    sub.add_parser("example", help="print a commented example config file")
    sub.add_parser("contexts", help="print the context names, one a line (for shell completion)")
    imp = sub.add_parser("import-bcs-client", help="write a context from bcs-client's bcs.conf and bcsenv.conf")
    imp.add_argument("path", nargs="?", metavar="PATH",
                     help="bcs.conf to read (default $BCS_CLIENT_CONF, else /var/bcs/bcs.conf)")
    imp.add_argument("--name", default="bcs-client", help="context name (default bcs-client)")
    imp.add_argument("--cluster", metavar="ID", help="cluster id when bcsenv.conf names none")
    return p


def import_bcs_client(args: argparse.Namespace, out: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """`bcs-tui config import-bcs-client [PATH]`: a context from bcs-client's files, token in a 600 file."""
    from bcs_tui import bcsclient_conf

    env = os.environ if environ is None else environ
    conf = bcsclient_conf.load(args.path, environ=env)
    if conf is None:
        raise ConfigError(f"{bcsclient_conf.DEFAULT_CONF}: bcs-client config does not exist "
                          f"(give its path, or set ${bcsclient_conf.CONF_ENV})")
    result = bcsclient_conf.import_into_config(conf, paths(env).config_file, name=args.name, cluster_id=args.cluster)
    w = out.write
    w(f"wrote context '{result.name}' to {result.config_file}:\n\n{result.table}\n")
    if result.token_file:
        w(f"token:        {result.token_file} (mode 600; not in the config)\n")
    if result.key_password_file:
        w(f"key password: {result.key_password_file} (mode 600)\n")
    for note in conf.notes:
        w(f"note:         {note}\n")
    start = "bcs-tui" if result.made_current else f"bcs-tui --context {result.name}"
    w(f"start it with: {start}\n")
    return 0


def _completion_parser() -> _Parser:
    from bcs_tui.completion import SHELLS

    p = _Parser(prog=f"{PROG} completion", description="Print a shell completion script.",
                allow_abbrev=False)
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    return p


def completion_script(shell: str) -> str:
    """The completion script for `shell`, generated from the parsers above."""
    from bcs_tui.completion import describe, script

    from bcs_tui.ui.themes import packaged_themes_dir

    themes = {p.stem for d in (packaged_themes_dir(), paths().themes_dir) if d and d.is_dir() for p in d.glob("*.toml")}
    spec = describe(_console_parser(), extra={
        "sim": _sim_parser(), "config": _config_parser(), "completion": _completion_parser()},
        values={"--theme": sorted(themes)})
    return script(shell, spec)


EXAMPLE_CONFIG = '''\
# bcs-tui config: save as the file `bcs-tui config path` prints.
# Tokens never go in this file: use token_env, token_file (chmod 600) or token_command,
# or export BCS_TOKEN.

current_context = "prod-sh"
theme = "bcs-dark"            # bcs-dark, bcs-light, bcs-high-contrast, bcs-ansi, bcs-nord, ...

[keymap]                      # action id = key (ids: the `?` help); every context
# scale = "S"

[aliases]                     # extra words for the : prompt
# hp = "app hero-prod"

[contexts.prod-sh]
server = "https://bcs.example.com:8443"   # like bcs-client's apiserver
cluster_id = "BCS-MESOS-10001"
namespace = "hero-prod"       # start here (leave out for all namespaces)
read_only = true              # refuse every write
production = true             # red PRODUCTION banner on the lists; typed confirmations
refresh = 2                   # seconds between polls
timeout = 10                  # seconds per request
operator = "alice"            # sent as X-BCS-Operator
token_env = "BCS_PROD_TOKEN"
# ca_file = "/etc/bcs/ca.pem"
# cert_file = "/etc/bcs/client.pem"
# key_file = "/etc/bcs/client.key"
# key_password_file = "~/.config/bcs-tui/prod.keypass"   # an encrypted key's password (chmod 600)
[contexts.prod-sh.keymap]     # this context only
# delete = "ctrl+x"

[contexts.test]
server = "https://bcs-test.example.com:8443"
cluster_id = "BCS-MESOS-20002"
token_file = "~/.config/bcs-tui/test.token"
# token_command = "pass show bcs/test"

[contexts.local-sim]          # bcs-tui sim in another terminal
server = "http://127.0.0.1:8899"
cluster_id = "BCS-MESOS-10001"
'''


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range 0-65535")
    return port


# ---------------------------------------------------------------------------------------------


def build_settings(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    """Flags + config file -> Settings. Raises ConfigError on anything wrong."""
    env = os.environ if environ is None else environ
    run_paths = paths(env)
    config = load_config(run_paths.config_file)
    refresh = parse_refresh(args.refresh) if args.refresh is not None else None
    if args.cluster is not None and not args.demo:
        validate_cluster_id(args.cluster, "--cluster")
    config, bcs_conf = _bcs_client_fallback(args, config, env)
    remembered = _remembered_context(args, config, run_paths)
    settings = resolve_settings(
        config,
        context=args.context or remembered,
        server=args.server,
        cluster_id=args.cluster,
        namespace=args.namespace,
        read_only=args.readonly,
        theme=args.theme,
        refresh=refresh,
        command=args.command,
        insecure=args.insecure,
        ca_file=args.ca_file,
        cert_file=args.cert_file,
        key_file=args.key_file,
        demo=args.demo,
        environ=env,
        run_paths=run_paths,
    )
    if bcs_conf is not None:
        from bcs_tui.bcsclient_conf import finish_fallback

        finish_fallback(settings, bcs_conf)
    settings.plugins = _plugins(config)
    if not args.demo and not args.server:
        from bcs_tui import remember

        remember.apply(settings, namespace_given=bool(args.namespace), command_given=args.command is not None)
    return settings


def _plugins(config: ConfigFile) -> list[Any]:
    """The config's [plugins.NAME], checked: a bad one is a usage error, like any config error."""
    if not config.plugins:
        return []
    from bcs_tui.plugins import parse_plugins
    from bcs_tui.resources import KINDS_BY_NAME
    from bcs_tui.ui.keymap import plugin_key_problems

    plugins = parse_plugins(config.plugins, f"{config.path} [plugins]", known_kinds=KINDS_BY_NAME)
    problems = plugin_key_problems(plugins)
    if problems:
        raise ConfigError(f"{config.path}: {problems[0]}")
    return plugins


def _remembered_context(args: argparse.Namespace, config: ConfigFile, run_paths: Any) -> str | None:
    """The context of the last run, when the command line names none (and it still exists)."""
    if args.context or args.server or args.demo or len(config.contexts) < 2:
        return None
    from bcs_tui import remember

    return remember.remembered_context(run_paths.state_dir, config.contexts)


def _bcs_client_fallback(args: argparse.Namespace, config: ConfigFile, env: Mapping[str, str]) -> tuple[ConfigFile, Any]:
    """No contexts of our own and no --context/--server/--demo: bcs-client's bcs.conf, if any."""
    if config.contexts or args.demo or args.context or args.server:
        return config, None
    from bcs_tui import bcsclient_conf

    conf = bcsclient_conf.load(environ=env)
    if conf is None:
        return config, None
    return bcsclient_conf.fallback_config(config, conf, args.cluster), conf


def prepare_ui(settings: Settings, *, theme_from_flag: bool = False) -> None:
    """Check the theme and keymap against what the UI knows; problems become start-up warnings.

    An unknown `--theme` is a usage error; a theme named in the config file that is missing or
    broken falls back to the default with a warning (the console still starts).
    """
    from bcs_tui.ui.keymap import analyse_keymap
    from bcs_tui.ui.themes import DEFAULT_THEME as UI_DEFAULT, load_themes

    # Broken theme files are not reported here: the app's install_themes() reports them once.
    themes, _errors = load_themes(settings.paths.themes_dir)
    if settings.theme not in themes and settings.theme not in _builtin_theme_names():
        available = ", ".join(sorted(themes))
        if theme_from_flag:
            raise ConfigError(f"--theme: unknown theme '{settings.theme}' (available: {available})")
        settings.warnings.append(f"theme '{settings.theme}' not found or broken; using {UI_DEFAULT} (available: {available})")
        settings.theme = UI_DEFAULT
    report = analyse_keymap(settings)
    settings.keymap = report.keymap
    settings.warnings.extend(report.warnings)


def _builtin_theme_names() -> set[str]:
    from textual.theme import BUILTIN_THEMES

    return set(BUILTIN_THEMES)


COLOR_SYSTEM_ENV = "TEXTUAL_COLOR_SYSTEM"
# What people write (terminfo and COLORTERM words) -> what Textual hands to rich.Console, which
# knows only these four and raised KeyError on anything else ("16", "24bit", "256color").
_COLOR_SYSTEMS = {
    "auto": "auto", "standard": "standard", "16": "standard", "8": "standard", "ansi": "standard",
    "256": "256", "256color": "256", "256colors": "256", "8bit": "256",
    "truecolor": "truecolor", "24bit": "truecolor", "true": "truecolor", "rgb": "truecolor",
    "windows": "windows",
}


def normalize_color_system(environ: Any = None) -> str | None:
    """Make `TEXTUAL_COLOR_SYSTEM` a value rich knows (before Textual is imported, it reads it
    once); an unknown value is dropped (auto) and a warning returned."""
    env = os.environ if environ is None else environ
    raw = env.get(COLOR_SYSTEM_ENV)
    if raw is None:
        return None
    word = raw.strip().lower().replace("-", "").replace("_", "")
    if word in _COLOR_SYSTEMS:
        env[COLOR_SYSTEM_ENV] = _COLOR_SYSTEMS[word]
        return None
    del env[COLOR_SYSTEM_ENV]
    return (f"{COLOR_SYSTEM_ENV}={one_line(raw, 40)!r} is not a colour system (auto, standard or 16, "
            f"256, truecolor or 24bit); using auto")


def check_tls(settings: Settings) -> None:
    """Build the TLS context before the UI starts: an encrypted client key without a password
    (OpenSSL would prompt for it on the terminal, under the raw-mode screen), a missing or bad CA
    file or certificate is a one-line error here."""
    if settings.demo or not (settings.cert or isinstance(settings.verify, str)):
        return
    from bcs_tui.api.client import BcsClient
    from bcs_tui.api.errors import TransportError

    try:
        BcsClient._ssl_context(settings.verify, settings.cert)
    except TransportError as exc:
        raise ConfigError(f"context '{settings.context.name}': {exc.message}") from None


def run_console(settings: Settings) -> int:
    """Import the UI lazily and run it; its exit code is ours."""
    try:
        from bcs_tui.compose import Backend
        from bcs_tui.ui.app import BcsApp
        from bcs_tui.ui.signals import remember_terminal
    except ImportError as exc:  # a broken checkout, not a user error: say so in one line
        print(f"{PROG}: error: the console UI cannot be loaded ({exc})", file=sys.stderr)
        return 1
    app = BcsApp(settings, backend=Backend(settings))
    remember_terminal()
    try:
        result = app.run()
    except Exception as exc:
        import logging

        logging.getLogger("bcs_tui").critical("the console crashed", exc_info=True)
        print(f"{PROG}: internal error: {type(exc).__name__}; {_log_hint(settings)}", file=sys.stderr)
        return 1
    code = getattr(app, "return_code", None)
    if not isinstance(code, int):
        code = result if isinstance(result, int) else 0
    if code == 1:  # Textual's exit code after an unhandled error (it printed the traceback)
        print(f"{PROG}: the console stopped on an internal error; {_log_hint(settings)}", file=sys.stderr)
    elif code == 0:
        remember_run(settings, getattr(app, "last_view", None))
    return code


def remember_run(settings: Settings, last: Any) -> None:
    """Save the last context, namespace and view of a normal run (never of the demo)."""
    if settings.demo or not isinstance(last, dict) or not last.get("context"):
        return
    if last["context"] not in settings.contexts:
        return
    from bcs_tui import remember

    remember.save(settings.paths.state_dir, str(last["context"]), last.get("namespace"), last.get("view"))


def _log_hint(settings: Settings) -> str:
    """Where the details are, for every crash message."""
    from bcs_tui.logs import log_path

    path = log_path(settings.paths.state_dir)
    return f"details in the log {path}" if path.exists() else f"no log was written ({path})"


def start_log(settings: Settings, debug: bool) -> None:
    """The rotating log file for this run; a log that cannot be written is a start-up warning."""
    from bcs_tui import __version__ as version
    from bcs_tui.logs import log_start, setup_logging

    secrets = tuple(s.reveal() for s in (settings.token, settings.context.tls.key_password) if s)
    setup = setup_logging(settings.paths.state_dir, debug=debug, secrets=secrets)
    if setup.error:
        settings.warnings.append(setup.error)
        return
    log_start(settings.context.name, settings.server, settings.cluster_id, read_only=settings.read_only,
              debug=debug, version=version)
    for warning in settings.warnings:
        import logging

        logging.getLogger("bcs_tui").info("start-up note: %s", warning)


def run_sim_command(args: argparse.Namespace) -> int:
    """`bcs-tui sim`: validate, then hand over to the simulator's runner."""
    cluster = validate_cluster_id(args.cluster, "--cluster")
    if args.chaos:
        try:
            from bcs_tui.sim.chaos import ChaosSpec
        except ImportError:
            ChaosSpec = None  # type: ignore[assignment]
        if ChaosSpec is not None:
            try:
                ChaosSpec.parse(args.chaos)
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"--chaos: {str(exc).removeprefix('chaos: ')}") from None
    try:
        from bcs_tui.sim.runner import run_sim
    except ImportError as exc:
        print(f"{PROG}: error: the simulator cannot be loaded ({exc})", file=sys.stderr)
        return 1
    extra: dict = {"hostile": True} if args.hostile else {}
    if args.stream_mode != "stream":
        extra["stream_mode"] = args.stream_mode
    if args.rereport != 240.0:
        extra["rereport"] = args.rereport
    return int(run_sim(args.host, args.port, cluster, args.token, args.scale, args.seed, args.chaos, **extra) or 0)


def show_config(out: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """`bcs-tui config show`: every context resolved, tokens only as `***` and their source."""
    env = os.environ if environ is None else environ
    run_paths = paths(env)
    config: ConfigFile = load_config(run_paths.config_file)

    def w(text: str) -> None:
        # Names, key names and values come from a local file: no control sequence reaches the
        # terminal (an ESC in a [keymap] key name was printed raw).
        out.write(safe_text(text))
    state = "" if config.exists else "  (does not exist)"
    w(f"config file: {config.path}{state}\n")
    w(f"themes dir:  {run_paths.themes_dir}\n")
    w(f"audit log:   {run_paths.audit_file}\n")
    from bcs_tui.logs import log_path

    w(f"log file:    {log_path(run_paths.state_dir)}  (--debug for more)\n")
    w(f"theme:       {config.theme or DEFAULT_THEME}\n")
    if config.keymap:
        w("keymap:      " + ", ".join(f"{k}={v}" for k, v in config.keymap.items()) + "\n")
    if config.aliases:
        w("aliases:     " + ", ".join(f"{k}={v}" for k, v in config.aliases.items()) + "\n")
    _show_plugins(w, config)
    if _show_bcs_client(w, config, env) and not config.contexts:
        return 0
    if not config.contexts:
        w("\nno contexts: add [contexts.NAME] tables with server and cluster_id, or run bcs-tui --demo\n")
        return 0
    for name, ctx in config.contexts.items():
        current = "  (current)" if name == config.current_context else ""
        w(f"\n[{name}]{current}\n")
        rows: list[tuple[str, Any]] = [
            ("server", ctx.server),
            ("cluster_id", ctx.cluster_id),
            ("namespace", ctx.namespace or "(all)"),
            ("read_only", str(ctx.read_only).lower()),
            ("production", str(ctx.production).lower()),
            ("theme", ctx.theme or config.theme or DEFAULT_THEME),
            ("refresh", f"{ctx.refresh if ctx.refresh is not None else 2.0:g}s"),
            ("operator", ctx.operator or "(none)"),
            ("token", token_status(ctx, env)),
        ]
        if ctx.tls.insecure:
            rows.append(("tls", "INSECURE (certificate not verified)"))
        elif ctx.tls.ca_file:
            rows.append(("tls", f"verify with {ctx.tls.ca_file}"))
        else:
            rows.append(("tls", "verify with system CAs"))
        if ctx.tls.cert_file:
            rows.append(("client cert", f"{ctx.tls.cert_file} + {ctx.tls.key_file}"))
        if ctx.keymap:
            rows.append(("keymap", ", ".join(f"{k}={v}" for k, v in ctx.keymap.items())))
        for key, value in rows:
            w(f"  {key:<12} {value}\n")
        # The keymap checks need only the action table, not Textual: cheap enough to run here.
        from bcs_tui.ui.keymap import keymap_warnings

        view = Settings(context=ctx, keymap={**config.keymap, **ctx.keymap},
                        global_keymap=dict(config.keymap), paths=run_paths)
        for warning in keymap_warnings(view):
            w(f"  warning      {warning}\n")
        from bcs_tui.ui.keymap import keymap_notes

        for note in keymap_notes(view):
            w(f"  note         {note}\n")
    return 0


def _show_plugins(w: Any, config: ConfigFile) -> None:
    """`config show`: each plugin, its key, lists, mode and command (checked like at start)."""
    if not config.plugins:
        return
    try:
        plugins = _plugins(config)
    except ConfigError as exc:
        w(f"plugins:     unusable: {exc}\n")
        return
    for p in plugins:
        flags = ", ".join(x for x in (p.mode, "writes (hidden when read-only)" if p.writes else "") if x)
        w(f"plugin:      {p.key:<8} {p.name}: {p.command}  [{', '.join(p.kinds)}; {flags}]\n")


def _show_bcs_client(w: Any, config: ConfigFile, env: Mapping[str, str]) -> bool:
    """`config show`'s part on bcs-client's bcs.conf: used or not, and where each value comes from."""
    from bcs_tui import bcsclient_conf

    try:
        conf = bcsclient_conf.load(environ=env)
    except ConfigError as exc:
        w(f"\nbcs-client config: unusable: {exc}\n")
        return False
    if conf is None:
        if bcsclient_conf.disabled(env):
            w(f"\nbcs-client config: not used (${bcsclient_conf.CONF_ENV}=none)\n")
        else:
            w(f"\nbcs-client config: {bcsclient_conf.conf_path(env)[0]}  (does not exist)\n")
        return False
    w("\n")
    for line in bcsclient_conf.describe(conf, used=not config.contexts):
        w(line + "\n")
    if not config.contexts:
        w("  (keep it: bcs-tui config import-bcs-client)\n")
    return True


def _fail(message: str) -> int:
    # Messages quote local files and flags (theme names, key names): made safe for the terminal.
    print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """The `bcs-tui` entry point; returns the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] == ["sim"]:
            return run_sim_command(_sim_parser().parse_args(args_list[1:]))
        if args_list[:1] == ["completion"]:
            sys.stdout.write(completion_script(_completion_parser().parse_args(args_list[1:]).shell))
            return 0
        if args_list[:1] == ["config"]:
            cfg = _config_parser().parse_args(args_list[1:])
            if cfg.action == "path":
                print(paths().config_file)
                return 0
            if cfg.action == "example":
                sys.stdout.write(EXAMPLE_CONFIG)
                return 0
            if cfg.action == "contexts":
                for name in load_config(paths().config_file).contexts:
                    print(name)
                return 0
            if cfg.action == "import-bcs-client":
                return import_bcs_client(cfg, sys.stdout)
            return show_config(sys.stdout)
        args = _console_parser().parse_args(args_list)
        color_warning = normalize_color_system()
        settings = build_settings(args)
        if color_warning:
            settings.warnings.append(color_warning)
        prepare_ui(settings, theme_from_flag=args.theme is not None)
        check_tls(settings)
        start_log(settings, args.debug)
    except SystemExit as exc:  # --help / --version print and "exit" 0
        return exc.code if isinstance(exc.code, int) else 0
    except (UsageError, ConfigError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    return run_console(settings)


if __name__ == "__main__":
    sys.exit(main())
