"""bcs-client's own config: `/var/bcs/bcs.conf` and `/var/bcs/bcsenv.conf`.

Every BCS operator machine has them (facts §9; bcs-client `cmd/utils/utils.go` at 54bf466a):

- `bcs.conf` (JSON): `apiserver`, `bcs_token`, `ca_file`/`cert_file`/`key_file`,
  `custom_ca_file`/`custom_cert_file`/`custom_key_file`/`custom_key_password`, `debug`.
  When all three `custom_*` files are set they replace the other three and
  `custom_key_password` decrypts the key. TLS is used only when all three files are set.
  The scheme rule: an `apiserver` without a scheme gets `https://` when TLS is set, otherwise
  `http://` (bcs-client tests `strings.Contains(apiserver, "http")`; here: no `://`).
- `bcsenv.conf` (JSON, written by `bcs-client export`): `clusterid`, `namespace`; read from
  the folder of bcs.conf. bcs-client ignores a missing one, and so does this module.

bcs-client itself only knows `/var/bcs/bcs.conf`; `BCS_CLIENT_CONF` naming another file is
this console's own addition.

The console uses these files when it has no contexts of its own (`fallback_settings`), and
`import_into_config` turns them into a context: the token goes into a file only its owner can
read, never into the config. Both files are read with a size cap; their text is untrusted.
"""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from bcs_tui.config import (
    ConfigError,
    ConfigFile,
    Context,
    Secret,
    Settings,
    TLSConfig,
    load_config,
    parse_config,
    validate_cluster_id,
    validate_namespace,
    validate_server,
)

CONF_ENV = "BCS_CLIENT_CONF"
DEFAULT_CONF = "/var/bcs/bcs.conf"
ENV_FILE_NAME = "bcsenv.conf"
CONTEXT_NAME = "bcs-client"
MAX_BYTES = 64 * 1024  # a bcs.conf is a few hundred bytes; anything big is the wrong file

_STRING_KEYS = (
    "apiserver", "bcs_token", "ca_file", "cert_file", "key_file",
    "custom_ca_file", "custom_cert_file", "custom_key_file", "custom_key_password",
)
_ENV_KEYS = ("clusterid", "namespace")


@dataclass(frozen=True)
class BcsClientConf:
    """bcs.conf + bcsenv.conf, resolved with bcs-client's rules; `origins` says where each came from."""

    path: Path
    env_path: Path
    env_exists: bool
    apiserver: str  # as written
    server: str  # after the scheme rule
    token: Secret | None
    tls: TLSConfig
    cluster_id: str | None
    namespace: str | None
    origins: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # ignored keys, exposed token, ...

    def context(self, name: str = CONTEXT_NAME) -> Context:
        if not self.cluster_id:
            raise ConfigError(
                f"{self.path}: no cluster id: {self.env_path} "
                + ("has no clusterid" if self.env_exists else "does not exist")
                + " (bcs-client export --clusterid ID writes it), or pass --cluster ID"
            )
        return Context(name=name, server=self.server, cluster_id=self.cluster_id,
                       namespace=self.namespace, tls=self.tls)


def conf_path(environ: Mapping[str, str] | None = None) -> tuple[Path, bool]:
    """bcs.conf's path and whether `BCS_CLIENT_CONF` named it (then it must exist)."""
    env = os.environ if environ is None else environ
    named = env.get(CONF_ENV, "").strip()
    if named:
        return Path(named).expanduser(), True
    return Path(DEFAULT_CONF), False


def disabled(environ: Mapping[str, str] | None = None) -> bool:
    """`BCS_CLIENT_CONF=none`: never use bcs-client's files (tests, or a user who wants that)."""
    env = os.environ if environ is None else environ
    return env.get(CONF_ENV, "").strip().lower() == "none"


def _read_json(path: Path, what: str) -> dict[str, Any] | None:
    """A small JSON object file; None when missing. Size-capped, regular files only."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{path}: {what} is not a regular file")
        if st.st_size > MAX_BYTES:
            raise ConfigError(f"{path}: {what} is {st.st_size} bytes, more than {MAX_BYTES}: not a bcs-client config")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: {what} is more than {MAX_BYTES} bytes: not a bcs-client config")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {what} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: {what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {what} must be a JSON object like {{\"apiserver\": \"host:port\"}}")
    return data


def _string(path: Path, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        # bcs-client's decoder refuses it too (the fields are Go strings).
        raise ConfigError(f"{path}: '{key}' must be a string, not {type(value).__name__}")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        # never echoed: it would reach the terminal (config show), and it may be a secret
        raise ConfigError(f"{path}: '{key}' contains control characters")
    return value.strip()


def _check_secret(path: Path, key: str, value: str) -> Secret | None:
    if not value:
        return None
    if any(ord(c) < 0x20 or c == " " or 0x7F <= ord(c) <= 0x9F for c in value):
        # Never echo the value: it is a secret.
        raise ConfigError(f"{path}: '{key}' contains spaces or control characters")
    return Secret(value)


def load(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> BcsClientConf | None:
    """Read bcs.conf (and bcsenv.conf next to it). None when no bcs.conf exists and none was named.

    `path` (the import's argument) or `$BCS_CLIENT_CONF` name a file that must exist.
    """
    if path is not None:
        conf, named = Path(path).expanduser(), True
    elif disabled(environ):
        return None
    else:
        conf, named = conf_path(environ)
    data = _read_json(conf, "bcs-client config")
    if data is None:
        if named:
            where = f" (${CONF_ENV})" if path is None else ""
            raise ConfigError(f"{conf}{where}: bcs-client config does not exist")
        return None
    conf = conf.absolute()
    origins: dict[str, str] = {}
    notes: list[str] = []
    values = {key: _string(conf, data, key) for key in _STRING_KEYS}
    debug = data.get("debug", False)
    if not isinstance(debug, bool):
        raise ConfigError(f"{conf}: 'debug' must be true or false")
    unknown = sorted(k for k in data if k not in _STRING_KEYS and k != "debug")
    if unknown:
        shown = ", ".join(repr(k)[:40] for k in unknown[:5])
        notes.append(f"ignored keys {shown} (bcs-client does not read them either)")

    apiserver = values["apiserver"]
    if not apiserver:
        raise ConfigError(f"{conf}: 'apiserver' is missing or empty (e.g. \"apiserver\": \"127.0.0.1:8081\")")

    # TLS: the custom_* trio wins when complete; TLS only with all three files.
    custom = [values["custom_ca_file"], values["custom_cert_file"], values["custom_key_file"]]
    key_password: Secret | None = None
    if all(custom):
        ca, cert, key = custom
        key_password = _check_secret(conf, "custom_key_password", values["custom_key_password"])
        tls_from = "custom_ca_file, custom_cert_file, custom_key_file"
        origins["key password"] = ("custom_key_password in bcs.conf" if key_password
                                   else "none (custom_key_password is empty)")
    else:
        ca, cert, key = values["ca_file"], values["cert_file"], values["key_file"]
        tls_from = "ca_file, cert_file, key_file"
        if any(custom):
            notes.append("custom_* files ignored: bcs-client uses them only when all three are set")
        if values["custom_key_password"]:
            notes.append("custom_key_password ignored: bcs-client uses it only with all three custom_* files")
    base = conf.parent
    use_tls = bool(ca and cert and key)
    if use_tls:
        files = [str((base / Path(f).expanduser())) for f in (ca, cert, key)]
        tls = TLSConfig(ca_file=files[0], cert_file=files[1], key_file=files[2], key_password=key_password)
        origins["tls"] = f"{tls_from} in bcs.conf (all three set)"
        if key_password is None and "key password" not in origins:
            origins["key password"] = ("none (bcs-client's default key password is built into its "
                                       "binary; an encrypted key fails)")
        notes.append("bcs-client does not verify the server certificate; bcs-tui verifies it with the CA file")
    else:
        tls = TLSConfig()
        origins.pop("key password", None)
        if any((ca, cert, key)):
            notes.append(f"{tls_from}: not all three set, so no TLS files are used (as in bcs-client)")

    if "://" in apiserver:
        server_text = apiserver
        origins["server"] = f"apiserver {apiserver!r} in bcs.conf"
    else:
        scheme = "https://" if use_tls else "http://"
        server_text = scheme + apiserver
        why = "all three TLS files are set" if use_tls else "not all three TLS files are set"
        origins["server"] = f"apiserver {apiserver!r} in bcs.conf + {scheme} (bcs-client's rule: {why})"
    server = validate_server(server_text, f"{conf}: apiserver")

    token = _check_secret(conf, "bcs_token", values["bcs_token"])
    origins["token"] = "bcs_token in bcs.conf" if token else "none (bcs_token is empty or missing)"
    if token is not None:
        try:
            mode = stat.S_IMODE(os.stat(conf).st_mode)
        except OSError:
            mode = 0
        if mode & 0o077:
            notes.append(f"bcs.conf holds a token and is readable by group or others (mode {mode:04o})")

    env_path = conf.parent / ENV_FILE_NAME
    env = _read_json(env_path, "bcs-client env file")
    cluster_id = namespace = None
    if env is not None:
        cid = _string(env_path, env, "clusterid")
        if cid:
            cluster_id = validate_cluster_id(cid, f"{env_path}: clusterid")
            origins["cluster_id"] = "clusterid in bcsenv.conf"
        ns = _string(env_path, env, "namespace")
        if ns:
            namespace = validate_namespace(ns, f"{env_path}: namespace")
            origins["namespace"] = "namespace in bcsenv.conf"
    origins.setdefault("cluster_id", f"none ({env_path} " + ("has no clusterid)" if env is not None else "does not exist)"))
    origins.setdefault("namespace", "(all: bcsenv.conf names none)")
    return BcsClientConf(
        path=conf, env_path=env_path, env_exists=env is not None, apiserver=apiserver, server=server,
        token=token, tls=tls, cluster_id=cluster_id, namespace=namespace, origins=origins, notes=notes,
    )


# ---------------------------------------------------------------------------------------------
# Used when the console has no contexts of its own


def fallback_config(config: ConfigFile, conf: BcsClientConf, cluster_id: str | None = None) -> ConfigFile:
    """`config` (with its theme, keymap, aliases) plus one context made from bcs-client's files."""
    if cluster_id:
        conf = replace(conf, cluster_id=validate_cluster_id(cluster_id, "--cluster"))
    ctx = conf.context()
    return replace(config, current_context=ctx.name, contexts={ctx.name: ctx})


def finish_fallback(settings: Settings, conf: BcsClientConf) -> Settings:
    """The token from bcs.conf (BCS_TOKEN only when bcs.conf has none) and the on-screen notes."""
    from bcs_tui.config import _is_loopback

    if conf.token is not None:
        settings.token = conf.token
        if urlsplit(settings.server).scheme == "http" and not _is_loopback(settings.server):
            settings.warnings.append(f"the token is sent in clear over plain http to {settings.server}")
    settings.warnings.insert(0, (
        f"using bcs-client's config {conf.path}"
        + (f" and {conf.env_path}" if conf.env_exists else "")
        + " (bcs-tui has no contexts of its own; `bcs-tui config import-bcs-client` keeps one)"
    ))
    return settings


def describe(conf: BcsClientConf, used: bool) -> list[str]:
    """Lines for `config show`: each value and where it came from; secrets only as ***."""
    head = "used: bcs-tui has no contexts of its own" if used else "not used: bcs-tui's own contexts come first"
    lines = [f"bcs-client config: {conf.path}  ({head})",
             f"bcs-client env:    {conf.env_path}" + ("" if conf.env_exists else "  (does not exist)")]
    rows = [
        ("server", f"{conf.server}  <- {conf.origins['server']}"),
        ("cluster_id", f"{conf.cluster_id or '(none)'}  <- {conf.origins['cluster_id']}"),
        ("namespace", conf.namespace or conf.origins["namespace"]),
        ("token", ("***  <- " if conf.token else "") + conf.origins["token"]),
    ]
    if conf.namespace:
        rows[2] = ("namespace", f"{conf.namespace}  <- {conf.origins['namespace']}")
    if conf.tls.cert_file:
        rows.append(("tls", f"verify with {conf.tls.ca_file}  <- {conf.origins['tls']}"))
        rows.append(("client cert", f"{conf.tls.cert_file} + {conf.tls.key_file}"))
        rows.append(("key password", ("***  <- " if conf.tls.key_password else "") + conf.origins["key password"]))
    else:
        rows.append(("tls", "none (plain http unless apiserver says https://; then system CAs)"))
    out = lines + [f"  {k:<12} {v}" for k, v in rows]
    out += [f"  note         {n}" for n in conf.notes]
    return out


# ---------------------------------------------------------------------------------------------
# `bcs-tui config import-bcs-client`


def _toml_str(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def _write_private(path: Path, text: str) -> None:
    """Write a secret file mode 600 (also when it existed with a wider mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ImportResult:
    config_file: Path
    name: str
    token_file: Path | None
    key_password_file: Path | None
    made_current: bool
    table: str  # the TOML written (no secrets in it)


def import_into_config(
    conf: BcsClientConf, config_file: Path, *, name: str = CONTEXT_NAME, cluster_id: str | None = None,
) -> ImportResult:
    """Append `[contexts.NAME]` made from bcs-client's files to the config (created if missing).

    The token and key password go to `NAME.token` / `NAME.keypass` next to the config, mode 600.
    The new text is validated as a whole before anything is written.
    """
    import tomllib

    from bcs_tui.config import _NAME_SAFE

    if not _NAME_SAFE.match(name):
        raise ConfigError(f"--name: context names may only contain letters, digits and . _ -, not {name!r}")
    if cluster_id:
        conf = replace(conf, cluster_id=validate_cluster_id(cluster_id, "--cluster"))
    ctx = conf.context(name)
    existing = load_config(config_file)
    if name in existing.contexts:
        raise ConfigError(f"{config_file}: context '{name}' already exists; choose another with --name")
    old_text = config_file.read_text(encoding="utf-8") if existing.exists else ""

    token_file = config_file.parent / f"{name}.token" if conf.token else None
    keypass_file = config_file.parent / f"{name}.keypass" if conf.tls.key_password else None
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %z")
    source = "".join(c if c.isprintable() else "?" for c in str(conf.path))  # a comment is one line
    lines = [f"# imported from {source} on {stamp} (bcs-tui config import-bcs-client)",
             f"[contexts.{name}]",
             f"server = {_toml_str(ctx.server)}",
             f"cluster_id = {_toml_str(ctx.cluster_id)}"]
    if ctx.namespace:
        lines.append(f"namespace = {_toml_str(ctx.namespace)}")
    if token_file is not None:
        lines.append(f"token_file = {_toml_str(str(token_file))}")
    if ctx.tls.cert_file:
        lines += [f"ca_file = {_toml_str(str(ctx.tls.ca_file))}",
                  f"cert_file = {_toml_str(str(ctx.tls.cert_file))}",
                  f"key_file = {_toml_str(str(ctx.tls.key_file))}"]
    if keypass_file is not None:
        lines.append(f"key_password_file = {_toml_str(str(keypass_file))}")
    table = "\n".join(lines) + "\n"

    # The first context of a config becomes its current one (a top-level key: at the very top).
    made_current = (not existing.contexts and existing.current_context is None
                    and "current_context" not in old_text)
    prefix = f"current_context = {_toml_str(name)}\n" if made_current else ""
    if old_text and not old_text.endswith("\n"):
        old_text += "\n"
    new_text = prefix + old_text + ("\n" if prefix or old_text else "") + table
    try:
        parse_config(tomllib.loads(new_text), config_file)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - the text is built above
        raise ConfigError(f"{config_file}: the imported context would not parse ({exc})") from None

    if token_file is not None and conf.token is not None:
        _write_private(token_file, conf.token.reveal() + "\n")
    if keypass_file is not None and conf.tls.key_password is not None:
        _write_private(keypass_file, conf.tls.key_password.reveal() + "\n")
    config_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = config_file.with_name(config_file.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, config_file)
    return ImportResult(config_file, name, token_file, keypass_file, made_current, table)
