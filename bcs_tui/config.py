"""Contexts, the settings file, token sources and paths.

The config file is TOML, at `platformdirs.user_config_dir("bcs-tui")/config.toml` unless the
`BCS_TUI_CONFIG` environment variable names another file::

    current_context = "prod-sh"
    theme = "bcs-dark"             # optional, the default theme for every context

    [keymap]                       # optional, binding id -> key (see bcs_tui/actions.py)
    scale = "S"

    [aliases]                      # optional, extra words for the `:` prompt
    pods = "tg"

    [contexts.prod-sh]
    server = "https://bcs.example.com:8443"
    cluster_id = "BCS-MESOS-10001"
    namespace = "payments"         # default namespace
    read_only = true
    production = true
    record_shells = true           # record each shell's output (asciicast, 0600) in the state dir
    refresh = 2                    # seconds between polls
    operator = "alice"             # sent as X-BCS-Operator
    token_file = "~/.config/bcs-tui/prod.token"   # or token_env = "VAR", token_command = "cmd"
    ca_file = "/etc/bcs/ca.pem"    # TLS: ca_file, cert_file + key_file, insecure
    [contexts.prod-sh.keymap]
    delete = "ctrl+x"

A token is never written in the config file itself; it comes from an environment variable, a
file only its owner can read, a command (a password manager), or `BCS_TOKEN`. Tokens are
wrapped in `Secret` so they cannot leak through repr, str, logs or exception messages.

This module imports nothing from the rest of bcs_tui (it is the bottom layer) and nothing heavy,
so `bcs-tui --help` and `bcs-tui config ...` start fast.
"""

from __future__ import annotations

import difflib
import hmac
import ipaddress
import os
import re
import shlex
import stat
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Mapping
from urllib.parse import urlsplit

from bcs_tui.children import ChildError, register_secret_env, run_captured
from bcs_tui.localfiles import CONFIG_LIMIT, TOKEN_LIMIT, LocalFile, LocalFileError, link_target, read_bounded
from bcs_tui.redact import register_secret

APP_NAME = "bcs-tui"
CONFIG_ENV = "BCS_TUI_CONFIG"
STATE_ENV = "BCS_TUI_STATE_DIR"
TOKEN_ENV = "BCS_TOKEN"
DEFAULT_REFRESH = 2.0
MAX_REFRESH = 3600.0
MIN_REFRESH = 0.5  # faster polling only loads the scheduler (1e-9 gave 12 requests a second)
DEFAULT_THEME = "bcs-dark"
DEMO_CONTEXT = "demo"
DEMO_CLUSTER_ID = "BCS-MESOS-10001"
TOKEN_COMMAND_TIMEOUT = 15.0

# Values that end up in HTTP headers (BCS-ClusterID, X-BCS-Operator): a newline here would be
# header injection, a space is always a typo.
_HEADER_SAFE = re.compile(r"^[A-Za-z0-9._:@+-]+$")
_NAME_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ConfigError(Exception):
    """A problem with the config file, a flag or a token source. The message is one line."""

    def __init__(self, message: str) -> None:
        # One line, always: the CLI prints it as is on stderr.
        message = " ".join(str(message).split())
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Secret:
    """A token. `repr`, `str` and formatting all give `***`; only `reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the Authorization header and nothing else."""
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", len(self._value)))

    def __reduce__(self) -> Any:
        # Pickling would write the token out in clear; nothing here needs it.
        raise TypeError("Secret cannot be pickled")


@dataclass(frozen=True)
class TokenSource:
    """Where a context's token comes from. `kind` is env, file, command or none."""

    kind: Literal["env", "file", "command", "none"] = "none"
    value: str = ""

    def describe(self) -> str:
        if self.kind == "env":
            return f"env ${self.value}"
        if self.kind == "file":
            return f"file {self.value}"
        if self.kind == "command":
            return f"command `{self.value}`"
        return f"${TOKEN_ENV} if set"


@dataclass(frozen=True)
class TLSConfig:
    """TLS options of a context. Paths are already expanded (`~`)."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    insecure: bool = False
    # The client key's password (an encrypted key): from bcs-client's bcs.conf in memory, or a
    # file only its owner can read (`key_password_file`). Read only when OpenSSL asks for it.
    key_password: Secret | None = None
    key_password_file: str | None = None

    @property
    def verify(self) -> bool | str:
        """httpx's `verify`: False when insecure, the CA file when set, else True."""
        if self.insecure:
            return False
        return self.ca_file or True

    @property
    def cert(self) -> tuple[str, str] | tuple[str, str, Any] | None:
        """(cert file, key file) for mutual TLS, plus a password callable when the key has one."""
        if self.cert_file and self.key_file:
            if self.key_password is not None or self.key_password_file:
                return (self.cert_file, self.key_file, self._key_password)
            return (self.cert_file, self.key_file)
        return None

    def _key_password(self) -> str:
        """OpenSSL's password callback: the configured password, never a terminal prompt."""
        if self.key_password is not None:
            value = self.key_password.reveal()
        else:
            try:
                value = _read_token_file(str(self.key_password_file), "key_password_file", "key password file")
            except ConfigError as exc:
                raise KeyPasswordError(exc.message) from None
        register_secret(value)  # no message, log or flash shows it
        return value


class KeyPasswordError(OSError):
    """The client key's password could not be read (the TLS setup reports it as one line)."""


@dataclass(frozen=True)
class Context:
    """One named context: where the cluster is and how to talk to it."""

    name: str
    server: str = ""
    cluster_id: str = ""
    namespace: str | None = None
    read_only: bool = False
    production: bool = False
    theme: str | None = None
    refresh: float | None = None
    operator: str | None = None
    token_source: TokenSource = field(default_factory=TokenSource)
    tls: TLSConfig = field(default_factory=TLSConfig)
    keymap: dict[str, str] = field(default_factory=dict)
    record_shells: bool = False  # record each shell's output to <state dir>/shells/ (0600)
    timeout: float | None = None  # seconds per request (the client's default when None)

    # Flat views of the TLS options, so callers can pass a Context straight to BcsClient.
    @property
    def ca_file(self) -> str | None:
        return self.tls.ca_file

    @property
    def cert_file(self) -> str | None:
        return self.tls.cert_file

    @property
    def key_file(self) -> str | None:
        return self.tls.key_file

    @property
    def insecure(self) -> bool:
        return self.tls.insecure

    @property
    def verify(self) -> bool | str:
        return self.tls.verify

    @property
    def cert(self) -> tuple[str, str] | None:
        return self.tls.cert


@dataclass(frozen=True)
class ConfigFile:
    """The parsed config file (empty when the file does not exist)."""

    path: Path
    exists: bool = False
    current_context: str | None = None
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, Context] = field(default_factory=dict)
    plugins: dict[str, Any] = field(default_factory=dict)  # [plugins.NAME] tables, checked by bcs_tui.plugins


@dataclass(frozen=True)
class Paths:
    """Where bcs-tui reads and writes files."""

    config_file: Path
    config_dir: Path
    themes_dir: Path
    state_dir: Path
    audit_file: Path


def paths(environ: Mapping[str, str] | None = None) -> Paths:
    """The platformdirs config/state locations, with `BCS_TUI_CONFIG` / `BCS_TUI_STATE_DIR` overrides."""
    import platformdirs

    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV):
        config_file = Path(env[CONFIG_ENV]).expanduser()
        config_dir = config_file.parent
    else:
        config_dir = Path(platformdirs.user_config_dir(APP_NAME))
        config_file = config_dir / "config.toml"
    if env.get(STATE_ENV):
        state_dir = Path(env[STATE_ENV]).expanduser()
    else:
        state_dir = Path(platformdirs.user_state_dir(APP_NAME))
    return Paths(
        config_file=config_file,
        config_dir=config_dir,
        themes_dir=config_dir / "themes",
        state_dir=state_dir,
        audit_file=state_dir / "audit.jsonl",
    )


# ---------------------------------------------------------------------------------------------
# Parsing and validation


_TOP_KEYS = ("current_context", "theme", "keymap", "aliases", "contexts", "plugins")
_CONTEXT_KEYS = (
    "server", "cluster_id", "namespace", "read_only", "production", "theme", "refresh",
    "operator", "token_env", "token_file", "token_command", "ca_file", "cert_file", "key_file",
    "insecure", "keymap", "record_shells", "key_password_file", "timeout",
)
_INLINE_TOKEN_KEYS = ("token", "bcs_token", "password")


def _unknown_key(where: str, key: str, known: tuple[str, ...]) -> ConfigError:
    if key in _INLINE_TOKEN_KEYS:
        return ConfigError(
            f"{where}: '{key}' is not allowed: keep tokens out of the config file; "
            f"use token_file (mode 600), token_env or token_command"
        )
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ConfigError(f"{where}: unknown key '{key}'{hint}; known keys: {', '.join(known)}")


def _type_name(value: Any) -> str:
    return {str: "a string", bool: "true/false", int: "a number", float: "a number",
            dict: "a table", list: "a list"}.get(type(value), type(value).__name__)


def _want_str(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: '{key}' must be a string, not {_type_name(value)}")
    if _CONTROL.search(value):
        raise ConfigError(f"{where}: '{key}' contains control characters")
    return value


def _want_bool(where: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false, not {_type_name(value)}")
    return value


def _want_str_table(where: str, key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: '{key}' must be a table of strings, not {_type_name(value)}")
    out: dict[str, str] = {}
    for k, v in value.items():
        if _CONTROL.search(k):
            raise ConfigError(f"{where} [{key}]: the key {k!r} contains control characters")
        out[k] = _want_str(f"{where} [{key}]", k, v).strip()
        if not out[k]:
            raise ConfigError(f"{where} [{key}]: '{k}' is empty")
    return out


def validate_server(server: str, where: str = "server") -> str:
    """Normalise a server address like bcs-client's `apiserver`.

    `bcs.example.com:8443` becomes `https://bcs.example.com:8443` (https, so a token is never
    sent in clear unless `http://` is written out); a trailing `/` is dropped.
    """
    server = server.strip()
    if not server:
        raise ConfigError(f"{where}: the server address is empty")
    shown = _without_credentials(server)
    if shown != server:
        # Checked first, and the address is never echoed with its user:password part.
        raise ConfigError(f"{where}: server {shown!r} must not carry credentials (user:password@); "
                          f"use a token source")
    if _CONTROL.search(server) or " " in server:
        raise ConfigError(f"{where}: server {_CONTROL.sub('?', server)!r} contains spaces or control characters")
    if "://" not in server:
        server = "https://" + server
    try:
        parts = urlsplit(server)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(f"{where}: server {server!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{where}: server {server!r} must use http:// or https://")
    if not parts.hostname:
        raise ConfigError(f"{where}: server {server!r} has no host name")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: server {server!r} must not have a query or fragment")
    if port == 0:
        raise ConfigError(f"{where}: server {server!r} has port 0")
    return server.rstrip("/")


def _without_credentials(server: str) -> str:
    """`server` with a `user:password@` part replaced by `***@` (the authority ends at the first
    / ? or #; its last @ ends the credentials)."""
    rest = server.split("://", 1)[1] if "://" in server else server
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" not in authority:
        return server
    at = server.index(authority) + authority.rindex("@")
    head = server[: server.index(authority)]
    return head + "***" + server[at:]


def validate_cluster_id(cluster_id: str, where: str = "cluster_id") -> str:
    cluster_id = cluster_id.strip()
    if not cluster_id:
        raise ConfigError(f"{where}: the cluster id is empty")
    if not _HEADER_SAFE.match(cluster_id):
        raise ConfigError(
            f"{where}: cluster id {cluster_id!r} may only contain letters, digits and . _ - : @ +"
        )
    return cluster_id


def validate_refresh(value: Any, where: str = "refresh") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: refresh must be a number of seconds, not {_type_name(value)}")
    seconds = float(value)
    if not (seconds > 0):  # also catches nan
        raise ConfigError(f"{where}: refresh must be more than 0 seconds, got {value}")
    if seconds < MIN_REFRESH:
        raise ConfigError(f"{where}: refresh must be at least {MIN_REFRESH:g} seconds, got {value}")
    if seconds > MAX_REFRESH:
        raise ConfigError(f"{where}: refresh must be at most {MAX_REFRESH:g} seconds, got {value}")
    return seconds


def parse_refresh(text: str, where: str = "--refresh") -> float:
    """Parse `2`, `0.5`, `2s` or `500ms` from the command line."""
    raw = text.strip().lower()
    scale = 1.0
    if raw.endswith("ms"):
        raw, scale = raw[:-2], 0.001
    elif raw.endswith("s"):
        raw = raw[:-1]
    try:
        value = float(raw) * scale
    except ValueError:
        raise ConfigError(f"{where}: {text!r} is not a number of seconds") from None
    return validate_refresh(value, where)


def validate_namespace(namespace: str, where: str = "namespace") -> str:
    namespace = namespace.strip()
    if not namespace:
        raise ConfigError(f"{where}: the namespace is empty")
    if not _NAME_SAFE.match(namespace):
        raise ConfigError(f"{where}: namespace {namespace!r} may only contain letters, digits and . _ -")
    return namespace


def validate_operator(operator: str, where: str = "operator") -> str:
    operator = operator.strip()
    if not operator or not _HEADER_SAFE.match(operator):
        raise ConfigError(f"{where}: operator {operator!r} may only contain letters, digits and . _ - : @ +")
    return operator


def _expand_file(where: str, key: str, value: str, base: Path | None) -> str:
    path = Path(value).expanduser()
    if not path.is_absolute() and base is not None:
        # Relative paths in the config file are relative to the file, not to the cwd.
        path = base / path
    return str(path)


def _check_file(where: str, key: str, path: str) -> None:
    if not os.path.isfile(path):
        raise ConfigError(f"{where}: {key} {path} does not exist or is not a file")
    if not os.access(path, os.R_OK):
        raise ConfigError(f"{where}: {key} {path} is not readable")


def _validate_tls(where: str, tls: TLSConfig) -> TLSConfig:
    if bool(tls.cert_file) != bool(tls.key_file):
        raise ConfigError(f"{where}: cert_file and key_file go together (mutual TLS needs both)")
    if tls.insecure and tls.ca_file:
        raise ConfigError(f"{where}: insecure and ca_file contradict each other; choose one")
    for key in ("ca_file", "cert_file", "key_file"):
        value = getattr(tls, key)
        if value:
            _check_file(where, key, value)
    return tls


def _parse_source(where: str, raw: Mapping[str, Any], prefix: str, base: Path | None) -> TokenSource:
    """`<prefix>_env`, `<prefix>_file` or `<prefix>_command` (at most one) as a TokenSource."""
    sources = [k for k in (f"{prefix}_env", f"{prefix}_file", f"{prefix}_command") if k in raw]
    if len(sources) > 1:
        raise ConfigError(f"{where}: choose one {prefix.replace('_', ' ')} source, not {' and '.join(sources)}")
    if not sources:
        return TokenSource()
    key = sources[0]
    value = _want_str(where, key, raw[key]).strip()
    if not value:
        raise ConfigError(f"{where}: '{key}' is empty")
    if key.endswith("_env"):
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
            raise ConfigError(f"{where}: {key} {value!r} is not an environment variable name")
        return TokenSource("env", value)
    if key.endswith("_file"):
        return TokenSource("file", _expand_file(where, key, value, base))
    try:
        if not shlex.split(value):
            raise ValueError("empty")
    except ValueError as exc:
        raise ConfigError(f"{where}: {key} cannot be parsed ({exc})") from None
    return TokenSource("command", value)


def _parse_context(name: str, raw: Any, base: Path | None, where_file: str) -> Context:
    where = f"{where_file}: context '{name}'"
    if not _NAME_SAFE.match(name):
        raise ConfigError(f"{where}: context names may only contain letters, digits and . _ -")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table ([contexts.{name}]), not {_type_name(raw)}")
    for key in raw:
        if key not in _CONTEXT_KEYS:
            raise _unknown_key(where, key, _CONTEXT_KEYS)

    if "server" not in raw:
        raise ConfigError(f"{where}: 'server' is missing")
    if "cluster_id" not in raw:
        raise ConfigError(f"{where}: 'cluster_id' is missing")
    server = validate_server(_want_str(where, "server", raw["server"]), where)
    cluster_id = validate_cluster_id(_want_str(where, "cluster_id", raw["cluster_id"]), where)
    namespace = None
    if "namespace" in raw:
        namespace = validate_namespace(_want_str(where, "namespace", raw["namespace"]), where)
    refresh = validate_refresh(raw["refresh"], where) if "refresh" in raw else None
    theme = _want_str(where, "theme", raw["theme"]).strip() or None if "theme" in raw else None
    operator = None
    if "operator" in raw:
        operator = validate_operator(_want_str(where, "operator", raw["operator"]), where)

    token_source = _parse_source(where, raw, "token", base)

    tls_values: dict[str, Any] = {}
    for key in ("ca_file", "cert_file", "key_file"):
        if key in raw:
            value = _want_str(where, key, raw[key]).strip()
            if not value:
                raise ConfigError(f"{where}: '{key}' is empty")
            tls_values[key] = _expand_file(where, key, value, base)
    if "insecure" in raw:
        tls_values["insecure"] = _want_bool(where, "insecure", raw["insecure"])
    tls_values.update(_parse_key_password_file(where, raw, base))
    tls = _validate_tls(where, TLSConfig(**tls_values))

    return Context(
        name=name,
        server=server,
        cluster_id=cluster_id,
        namespace=namespace,
        read_only=_want_bool(where, "read_only", raw.get("read_only", False)),
        production=_want_bool(where, "production", raw.get("production", False)),
        theme=theme,
        refresh=refresh,
        operator=operator,
        token_source=token_source,
        tls=tls,
        keymap=_want_str_table(where, "keymap", raw["keymap"]) if "keymap" in raw else {},
        record_shells=_want_bool(where, "record_shells", raw.get("record_shells", False)),
        timeout=validate_timeout(raw["timeout"], where) if "timeout" in raw else None,
    )


MAX_TIMEOUT = 600.0


def validate_timeout(value: Any, where: str = "timeout") -> float:
    """A context's request timeout in seconds: more than 0, at most 600."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: timeout must be a number of seconds, not {_type_name(value)}")
    seconds = float(value)
    if not (0 < seconds <= MAX_TIMEOUT):  # also catches nan
        raise ConfigError(f"{where}: timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {value}")
    return seconds


def _parse_key_password_file(where: str, raw: Mapping[str, Any], base: Path | None) -> dict[str, str]:
    """`key_password_file`: the client key's password in a file (mode 600), with cert/key files."""
    if "key_password_file" not in raw:
        return {}
    value = _want_str(where, "key_password_file", raw["key_password_file"]).strip()
    if not value:
        raise ConfigError(f"{where}: 'key_password_file' is empty")
    if "key_file" not in raw:
        raise ConfigError(f"{where}: key_password_file needs cert_file and key_file")
    return {"key_password_file": _expand_file(where, "key_password_file", value, base)}


def parse_config(data: Mapping[str, Any], path: Path) -> ConfigFile:
    """Validate a decoded TOML document. Raises ConfigError naming the file and the key."""
    where = str(path)
    for key in data:
        if key not in _TOP_KEYS:
            raise _unknown_key(where, key, _TOP_KEYS)
    current = None
    if "current_context" in data:
        current = _want_str(where, "current_context", data["current_context"]).strip() or None
    theme = None
    if "theme" in data:
        theme = _want_str(where, "theme", data["theme"]).strip() or None
    keymap = _want_str_table(where, "keymap", data["keymap"]) if "keymap" in data else {}
    aliases = _want_str_table(where, "aliases", data["aliases"]) if "aliases" in data else {}
    for alias in aliases:
        if not _NAME_SAFE.match(alias):
            raise ConfigError(f"{where} [aliases]: alias {alias!r} may only contain letters, digits and . _ -")

    contexts: dict[str, Context] = {}
    raw_contexts = data.get("contexts", {})
    if not isinstance(raw_contexts, dict):
        raise ConfigError(f"{where}: 'contexts' must be tables like [contexts.NAME], not {_type_name(raw_contexts)}")
    for name, raw in raw_contexts.items():
        contexts[name] = _parse_context(name, raw, path.parent, where)
    if current is not None and current not in contexts:
        raise ConfigError(
            f"{where}: current_context '{current}' is not defined"
            + (f" (contexts: {', '.join(contexts)})" if contexts else " (no [contexts.NAME] tables)")
        )
    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict) or not all(isinstance(v, dict) for v in plugins.values()):
        raise ConfigError(f"{where}: 'plugins' must be tables like [plugins.NAME]")
    return ConfigFile(
        path=path, exists=True, current_context=current, theme=theme, keymap=keymap,
        aliases=aliases, contexts=contexts, plugins=dict(plugins),
    )


def load_config(path: Path | str | None = None) -> ConfigFile:
    """Read and validate the config file; a missing file is an empty config, not an error."""
    path = Path(path) if path is not None else paths().config_file
    try:
        f = read_bounded(path, limit=CONFIG_LIMIT, what="the config file")
    except LocalFileError as exc:
        if exc.missing:
            return ConfigFile(path=path, exists=False)
        raise ConfigError(f"{path}: {exc}") from None
    _check_config_owner(path, f)
    try:
        data = loads_toml(f.data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text") from None
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_config(data, path)


def loads_toml(text: str) -> dict[str, Any]:
    """tomllib.loads, with nesting too deep for the parser (`a = [[[...]]]` 2000 levels in 4 KB)
    a ValueError with one line, not a RecursionError traceback."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("arrays or tables are nested too deeply") from None


def _check_config_owner(path: Path, f: LocalFile) -> None:
    """Refuse a config file that someone else could have written: its token_command would run
    as this user, its server would get the token. Checked before anything in it is used."""
    if not hasattr(os, "getuid"):
        return
    uid = os.getuid()
    shown = _advice_path(path)
    if f.st.st_uid not in (uid, 0):
        raise ConfigError(f"{path}: the config file belongs to another user (uid {f.st.st_uid}); "
                          f"refusing to use it: use a config file of your own")
    if f.mode & 0o022:
        who = "anyone" if f.mode & 0o002 else "its group"
        raise ConfigError(f"{path}: the config file can be changed by {who} (mode {f.mode:04o}); "
                          f"refusing to use it (its token_command would run): {shown}")
    real_dir = os.path.dirname(os.path.realpath(path))
    try:
        dst = os.stat(real_dir)
    except OSError:
        return
    if dst.st_mode & 0o002 and not dst.st_mode & stat.S_ISVTX:
        raise ConfigError(f"{path}: the config file is in a directory anyone can write ({real_dir}, "
                          f"mode {stat.S_IMODE(dst.st_mode):04o}), so anyone can replace it; refusing "
                          f"to use it: move it to a directory of your own")


def _advice_path(path: Path | str) -> str:
    """What to tell the user to fix a file's mode. A symbolic link is not chmod'ed (that changes
    its target, which may be any file): name the target and say to point at a file of one's own."""
    target = link_target(path)
    if target is not None:
        return (f"it is a symbolic link to {target}; point it at a file only you can read and "
                f"write instead of changing the target's mode")
    return f"run chmod 600 {shlex.quote(str(path))}"


# ---------------------------------------------------------------------------------------------
# Tokens


def _read_token_file(path: str, who: str, what: str = "token file") -> str:
    try:
        # Bounded, no FIFOs or devices; the mode is the one of the file actually read.
        f = read_bounded(path, limit=TOKEN_LIMIT, what=what)
    except LocalFileError as exc:
        raise ConfigError(f"{who}: {exc}") from None
    if f.mode & 0o077:
        raise ConfigError(
            f"{who}: {what} {path} is readable by group or others (mode {f.mode:04o}); "
            f"refusing to use it: {_advice_path(path)}"
        )
    try:
        return f.data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{who}: {what} {path} is not UTF-8 text") from None


def _run_token_command(command: str, who: str, key: str = "token_command") -> str:
    argv = shlex.split(command)
    try:
        # Own session (no terminal to prompt on), no token in its environment, killed with its
        # process group on a timeout or when a background child holds its output open.
        proc = run_captured(argv, timeout=TOKEN_COMMAND_TIMEOUT)
    except FileNotFoundError:
        raise ConfigError(f"{who}: {key} program {_CONTROL.sub('?', argv[0])!r} was not found") from None
    except ChildError as exc:
        raise ConfigError(f"{who}: {key} {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{who}: {key} could not run ({exc.strerror})") from None
    if proc.returncode != 0:
        # stderr only, never stdout: stdout is where the token would be.
        err = proc.stderr.decode("utf-8", "replace")
        lines = [ln.strip() for ln in err.splitlines() if ln.strip()]
        detail = f": {_CONTROL.sub('', lines[-1])[:200]}" if lines else ""
        raise ConfigError(f"{who}: {key} failed with exit code {proc.returncode}{detail}")
    try:
        return proc.stdout.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{who}: {key} wrote something that is not UTF-8 text") from None


def _check_token(token: str, who: str, source: str) -> Secret:
    if not token:
        raise ConfigError(f"{who}: {source} gave an empty token")
    if _CONTROL.search(token) or " " in token:
        # It goes into an HTTP header; a multi-line value is a wrong file or a chatty command.
        raise ConfigError(f"{who}: {source} gave a token with spaces or several lines")
    register_secret(token)  # from now on no message, log or child environment shows it
    return Secret(token)


_COMMAND_TOKENS: dict[str, Secret] = {}


def resolve_token(ctx: Context, environ: Mapping[str, str] | None = None) -> Secret | None:
    """The context's token from its source, else `BCS_TOKEN`, else None (no Authorization)."""
    env = os.environ if environ is None else environ
    who = f"context '{ctx.name}'"
    src = ctx.token_source
    if src.kind == "env":
        if src.value not in env:
            raise ConfigError(f"{who}: token_env ${src.value} is not set")
        return _check_token(env[src.value], who, f"${src.value}")
    if src.kind == "file":
        return _check_token(_read_token_file(src.value, who), who, f"token file {src.value}")
    if src.kind == "command":
        # Run once per process: a password manager may prompt, and the app builds a client for
        # a context more than once (start-up, switching back and forth).
        cached = _COMMAND_TOKENS.get(src.value)
        if cached is None:
            cached = _check_token(_run_token_command(src.value, who), who, "token_command")
            _COMMAND_TOKENS[src.value] = cached
        return cached
    if env.get(TOKEN_ENV):
        return _check_token(env[TOKEN_ENV], who, f"${TOKEN_ENV}")
    return None


def register_token_variables(contexts: Mapping[str, Context]) -> None:
    """Every variable a context reads a token from: kept out of every child's environment
    (bcs_tui.children), like BCS_TOKEN."""
    for ctx in contexts.values():
        if ctx.token_source.kind == "env":
            register_secret_env(ctx.token_source.value)


def token_status(ctx: Context, environ: Mapping[str, str] | None = None) -> str:
    """A short, secret-free description of the token for `config show` (never runs commands)."""
    env = os.environ if environ is None else environ
    src = ctx.token_source
    if src.kind == "env":
        state = "set" if env.get(src.value) else "NOT SET"
        return f"*** (from {src.describe()}, {state})"
    if src.kind == "file":
        try:
            mode = stat.S_IMODE(os.stat(src.value).st_mode)
        except OSError:
            return f"*** (from {src.describe()}, MISSING)"
        if mode & 0o077:
            return f"*** (from {src.describe()}, REFUSED: mode {mode:04o}, run chmod 600)"
        return f"*** (from {src.describe()})"
    if src.kind == "command":
        return f"*** (from {src.describe()}, run at start-up)"
    if env.get(TOKEN_ENV):
        return f"*** (from env ${TOKEN_ENV})"
    return f"none (no token source; ${TOKEN_ENV} is not set)"


# ---------------------------------------------------------------------------------------------
# The resolved run


@dataclass
class Settings:
    """Everything one run of the console needs, resolved from flags, the context and defaults.

    In demo mode `context.server` is empty: the app starts the simulator and uses its URL.
    """

    context: Context
    token: Secret | None = None
    demo: bool = False
    initial_command: str | None = None
    paths: Paths = field(default_factory=paths)
    theme: str = DEFAULT_THEME
    refresh: float = DEFAULT_REFRESH
    keymap: dict[str, str] = field(default_factory=dict)  # top-level merged with the context's
    global_keymap: dict[str, str] = field(default_factory=dict)  # the top-level [keymap] only
    aliases: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # shown by the app at start-up
    contexts: dict[str, Context] = field(default_factory=dict)  # every context, for `:ctx`
    # --readonly: sticks when the user switches context inside the app (a promise for the run).
    force_read_only: bool = False
    plugins: list[Any] = field(default_factory=list)  # bcs_tui.plugins.Plugin, parsed by the cli

    @property
    def command(self) -> str | None:
        """The `--command` text (what the `:` prompt takes), or None."""
        return self.initial_command

    @property
    def context_name(self) -> str:
        return self.context.name

    @property
    def server(self) -> str:
        return self.context.server

    @property
    def cluster_id(self) -> str:
        return self.context.cluster_id

    @property
    def namespace(self) -> str | None:
        return self.context.namespace

    @property
    def read_only(self) -> bool:
        return self.force_read_only or self.context.read_only

    @property
    def production(self) -> bool:
        return self.context.production

    @property
    def operator(self) -> str | None:
        return self.context.operator

    @property
    def tls(self) -> TLSConfig:
        return self.context.tls

    @property
    def insecure(self) -> bool:
        """TLS verification is off: the app keeps a warning on screen."""
        return self.context.tls.insecure

    @property
    def verify(self) -> bool | str:
        return self.context.tls.verify

    @property
    def cert(self) -> tuple[str, str] | None:
        return self.context.tls.cert

    @property
    def audit_file(self) -> Path:
        return self.paths.audit_file

    @property
    def audit_path(self) -> Path:
        return self.paths.audit_file

    @property
    def state_dir(self) -> Path:
        return self.paths.state_dir


def _is_loopback(server: str) -> bool:
    host = urlsplit(server).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_settings(
    config: ConfigFile,
    *,
    context: str | None = None,
    server: str | None = None,
    cluster_id: str | None = None,
    namespace: str | None = None,
    read_only: bool = False,
    theme: str | None = None,
    refresh: float | None = None,
    command: str | None = None,
    insecure: bool = False,
    ca_file: str | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
    demo: bool = False,
    environ: Mapping[str, str] | None = None,
    run_paths: Paths | None = None,
) -> Settings:
    """Build the Settings of a run: flags win over the context, the context over the top level.

    Resolves the token (reads the file, runs the command) so a bad source fails before the UI.
    """
    env = os.environ if environ is None else environ
    if run_paths is None:
        run_paths = paths(env)
        if config.path != run_paths.config_file:
            run_paths = replace(run_paths, config_file=config.path, config_dir=config.path.parent,
                                themes_dir=config.path.parent / "themes")
    warnings: list[str] = []

    if demo:
        if context or server or cluster_id:
            raise ConfigError("--demo runs the built-in simulator; it cannot be combined with --context, --server or --cluster")
        ctx = Context(name=DEMO_CONTEXT, cluster_id=DEMO_CLUSTER_ID)
    else:
        name = context or (None if server else config.current_context)
        if name is not None:
            if name not in config.contexts:
                known = ", ".join(config.contexts) or "none"
                where = str(config.path) if config.exists else f"{config.path} (missing)"
                raise ConfigError(f"no context '{name}' in {where}; contexts: {known}")
            ctx = config.contexts[name]
        elif server:
            ctx = Context(name="cli")
        elif len(config.contexts) == 1:
            ctx = next(iter(config.contexts.values()))
        else:
            why = (f"several contexts and no current_context in {config.path}"
                   if config.contexts else f"no contexts in {config.path}")
            raise ConfigError(
                f"no cluster chosen ({why}): use --context NAME, --server URL --cluster ID, or --demo"
            )
        if server:
            ctx = replace(ctx, server=validate_server(server, "--server"))
        if cluster_id:
            ctx = replace(ctx, cluster_id=validate_cluster_id(cluster_id, "--cluster"))
        if not ctx.cluster_id:
            raise ConfigError("--server needs --cluster ID (the BCS-ClusterID, e.g. BCS-MESOS-10001)")

    if namespace:
        ctx = replace(ctx, namespace=validate_namespace(namespace, "--namespace"))
    if read_only:
        # A flag can make a context read-only, never the other way round.
        ctx = replace(ctx, read_only=True)

    if insecure or ca_file or cert_file or key_file:
        if demo:
            raise ConfigError("--demo talks to the local simulator over http; TLS flags do not apply")
        tls = ctx.tls
        if ca_file:
            tls = replace(tls, ca_file=str(Path(ca_file).expanduser()), insecure=False)
        if insecure:
            tls = replace(tls, insecure=True, ca_file=None)
        if cert_file or key_file:
            tls = replace(
                tls,
                cert_file=str(Path(cert_file).expanduser()) if cert_file else None,
                key_file=str(Path(key_file).expanduser()) if key_file else None,
            )
        if insecure and ca_file:
            raise ConfigError("--insecure and --ca-file contradict each other; choose one")
        if bool(cert_file) != bool(key_file):
            raise ConfigError("--cert-file and --key-file go together (mutual TLS needs both)")
        ctx = replace(ctx, tls=_validate_tls("flags", tls))

    if ctx.tls.insecure:
        if urlsplit(ctx.server).scheme == "http":
            warnings.append(f"insecure: {ctx.server} is plain http, there is no TLS at all")
        else:
            warnings.append(
                f"insecure: TLS certificate verification is OFF for {ctx.server}; "
                f"anyone in the path can pose as the server and read the token"
            )

    register_token_variables({**config.contexts, ctx.name: ctx})
    token: Secret | None = None
    if not demo:
        token = resolve_token(ctx, env)
        if token is not None and urlsplit(ctx.server).scheme == "http" and not _is_loopback(ctx.server):
            warnings.append(f"the token is sent in clear over plain http to {ctx.server}")

    initial = None
    if command is not None:
        initial = command.strip().lstrip(":").strip()
        if not initial:
            raise ConfigError("--command is empty (give what the : prompt takes, e.g. --command 'app payments')")
        if _CONTROL.search(initial):
            raise ConfigError("--command contains control characters")

    return Settings(
        context=ctx,
        token=token,
        demo=demo,
        initial_command=initial,
        paths=run_paths,
        theme=(theme or ctx.theme or config.theme or DEFAULT_THEME).strip(),
        refresh=refresh if refresh is not None else (ctx.refresh or DEFAULT_REFRESH),
        keymap={**config.keymap, **ctx.keymap},
        global_keymap=dict(config.keymap),
        aliases=dict(config.aliases),
        warnings=warnings,
        contexts=({ctx.name: ctx} if demo else {**config.contexts, ctx.name: ctx}),
        force_read_only=read_only,
    )


def demo_settings(
    *, read_only: bool = False, run_paths: Paths | None = None, **overrides: Any
) -> Settings:
    """Settings for a demo run against the built-in simulator (also handy in tests)."""
    ctx = Context(name=DEMO_CONTEXT, cluster_id=DEMO_CLUSTER_ID, read_only=read_only)
    settings = Settings(context=ctx, demo=True, paths=run_paths or paths(), force_read_only=read_only,
                        contexts={ctx.name: ctx})
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings
