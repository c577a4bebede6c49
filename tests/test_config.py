"""Config file parsing, token sources, validation and the resolved Settings."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import pytest

from bcs_tui.config import (
    DEFAULT_THEME,
    DEMO_CLUSTER_ID,
    ConfigError,
    Context,
    Secret,
    TokenSource,
    load_config,
    parse_refresh,
    paths,
    resolve_settings,
    resolve_token,
    token_status,
)

TOKEN = "Zk3u8QpLr2Vb7NcX1mWy9TaE4sHd6JgF"  # 32 alphanumerics, like a real BCS token


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Never read the real user's config or token, never write to their state dir."""
    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("BCS_TOKEN", raising=False)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def token_file(tmp_path: Path, mode: int = 0o600, content: str = TOKEN + "\n") -> Path:
    path = tmp_path / "prod.token"
    path.write_text(content)
    path.chmod(mode)
    return path


FULL = """
current_context = "prod"
theme = "bcs-nord"

[keymap]
scale = "S"

[aliases]
pods = "tg"

[contexts.prod]
server = "bcs.example.com:8443"
cluster_id = "BCS-MESOS-10001"
namespace = "payments"
read_only = true
production = true
theme = "bcs-high-contrast"
refresh = 5
operator = "alice"
token_env = "PROD_TOKEN"
[contexts.prod.keymap]
delete = "ctrl+x"
scale = "Z"

[contexts.test]
server = "http://127.0.0.1:8899/"
cluster_id = "BCS-MESOS-20002"
token_file = "prod.token"
"""


# --------------------------------------------------------------------------- parsing


def test_full_config_parses_every_field(tmp_path):
    cfg = load_config(write(tmp_path, FULL))
    assert cfg.exists and cfg.current_context == "prod" and cfg.theme == "bcs-nord"
    assert cfg.keymap == {"scale": "S"} and cfg.aliases == {"pods": "tg"}
    prod = cfg.contexts["prod"]
    # Like bcs-client's apiserver: a bare host:port gets a scheme (https: tokens never go in clear).
    assert prod.server == "https://bcs.example.com:8443"
    assert prod.cluster_id == "BCS-MESOS-10001"
    assert prod.namespace == "payments"
    assert prod.read_only and prod.production
    assert prod.theme == "bcs-high-contrast" and prod.refresh == 5.0 and prod.operator == "alice"
    assert prod.token_source == TokenSource("env", "PROD_TOKEN")
    assert prod.keymap == {"delete": "ctrl+x", "scale": "Z"}
    test = cfg.contexts["test"]
    assert test.server == "http://127.0.0.1:8899"  # trailing slash dropped
    assert not test.read_only and not test.production and test.namespace is None
    # A relative token_file is relative to the config file, not to wherever bcs-tui was started.
    assert test.token_source == TokenSource("file", str(tmp_path / "prod.token"))


def test_missing_config_file_is_an_empty_config(tmp_path):
    cfg = load_config(tmp_path / "nope.toml")
    assert not cfg.exists and cfg.contexts == {}


def test_default_paths_follow_env_overrides(tmp_path):
    p = paths()
    assert p.config_file == tmp_path / "config.toml"
    assert p.themes_dir == tmp_path / "themes"
    assert p.audit_file == tmp_path / "state" / "audit.jsonl"


def test_default_paths_use_platformdirs(monkeypatch):
    monkeypatch.delenv("BCS_TUI_CONFIG")
    monkeypatch.delenv("BCS_TUI_STATE_DIR")
    import platformdirs

    p = paths()
    assert p.config_file == Path(platformdirs.user_config_dir("bcs-tui")) / "config.toml"
    assert p.audit_file == Path(platformdirs.user_state_dir("bcs-tui")) / "audit.jsonl"


@pytest.mark.parametrize(
    "text, expected",
    [
        ('curent_context = "x"\n', "unknown key 'curent_context' (did you mean 'current_context'?)"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nread_onyl=true\n',
         "context 'a': unknown key 'read_onyl' (did you mean 'read_only'?)"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\ntoken="abc"\n', "keep tokens out of the config file"),
        ('[contexts.a]\ncluster_id="C"\n', "'server' is missing"),
        ('[contexts.a]\nserver="h"\n', "'cluster_id' is missing"),
        ('[contexts.a]\nserver="h"\ncluster_id=""\n', "the cluster id is empty"),
        ('[contexts.a]\nserver="h"\ncluster_id="BCS MESOS"\n', "may only contain"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nrefresh=0\n', "refresh must be more than 0"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nrefresh=-1\n', "refresh must be more than 0"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nrefresh="2"\n', "refresh must be a number"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nrefresh=true\n', "refresh must be a number"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nrefresh=99999\n', "at most 3600"),
        ('[contexts.a]\nserver="ftp://h"\ncluster_id="C"\n', "must use http:// or https://"),
        ('[contexts.a]\nserver="https://"\ncluster_id="C"\n', "has no host name"),
        ('[contexts.a]\nserver="https://h:99999"\ncluster_id="C"\n', "is not a valid URL"),
        ('[contexts.a]\nserver="https://u:p@h"\ncluster_id="C"\n', "must not carry credentials"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nread_only="yes"\n', "'read_only' must be true or false"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nnamespace="a b"\n', "namespace 'a b' may only contain"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\noperator="bob\\nX-Evil: 1"\n', "control characters"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\ntoken_env="A"\ntoken_file="f"\n',
         "choose one token source, not token_env and token_file"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\ntoken_env="1BAD"\n', "not an environment variable name"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\ntoken_command="\'unclosed"\n', "token_command cannot be parsed"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\ncert_file="/etc/hostname"\n', "cert_file and key_file go together"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\nca_file="/no/such/ca.pem"\n', "ca_file /no/such/ca.pem does not exist"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\ninsecure=true\nca_file="/etc/hostname"\n', "contradict"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\n[contexts.a.keymap]\nscale=1\n', "'scale' must be a string"),
        ('current_context = "b"\n[contexts.a]\nserver="h"\ncluster_id="C"\n', "current_context 'b' is not defined (contexts: a)"),
        ('contexts = 3\n', "'contexts' must be tables"),
        ('theme = "x"\ntheme = "y"\n', "invalid TOML"),
        ('[contexts.a]\nserver = \n', "invalid TOML"),
    ],
)
def test_bad_config_gives_one_clear_line(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert expected in message
    assert "\n" not in message
    assert str(path) in message  # the user knows which file to fix


def test_unreadable_config_is_a_config_error(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path / "dir.toml")


def test_tls_files_are_checked_and_expanded(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("c")
    key.write_text("k")
    cfg = load_config(write(tmp_path, f"""
[contexts.a]
server = "h"
cluster_id = "C"
ca_file = "{ca}"
cert_file = "c.pem"
key_file = "k.pem"
"""))
    ctx = cfg.contexts["a"]
    assert ctx.tls.verify == str(ca)
    assert ctx.tls.cert == (str(cert), str(key))
    # Flat views so the UI can hand a Context straight to BcsClient.
    assert ctx.ca_file == str(ca) and ctx.cert == (str(cert), str(key)) and not ctx.insecure


# --------------------------------------------------------------------------- tokens


def test_token_from_env(monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", TOKEN)
    token = resolve_token(Context("p", token_source=TokenSource("env", "PROD_TOKEN")))
    assert isinstance(token, Secret) and token.reveal() == TOKEN


def test_token_env_not_set_names_the_variable():
    with pytest.raises(ConfigError, match=r"token_env \$PROD_TOKEN is not set"):
        resolve_token(Context("p", token_source=TokenSource("env", "PROD_TOKEN")))


def test_token_from_private_file(tmp_path):
    path = token_file(tmp_path)
    token = resolve_token(Context("p", token_source=TokenSource("file", str(path))))
    assert token.reveal() == TOKEN  # surrounding whitespace / newline stripped


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o700 | 0o040])
def test_token_file_readable_by_others_is_refused(tmp_path, mode):
    path = token_file(tmp_path, mode)
    with pytest.raises(ConfigError) as err:
        resolve_token(Context("p", token_source=TokenSource("file", str(path))))
    message = str(err.value)
    assert "readable by group or others" in message
    assert f"mode {mode:04o}" in message
    assert "chmod 600" in message
    assert TOKEN not in message


def test_token_file_missing_or_empty(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_token(Context("p", token_source=TokenSource("file", str(tmp_path / "none"))))
    path = token_file(tmp_path, content="\n")
    with pytest.raises(ConfigError, match="empty token"):
        resolve_token(Context("p", token_source=TokenSource("file", str(path))))


def test_token_file_with_two_lines_is_refused_without_echoing_it(tmp_path):
    path = token_file(tmp_path, content=f"{TOKEN}\nsecond line\n")
    with pytest.raises(ConfigError) as err:
        resolve_token(Context("p", token_source=TokenSource("file", str(path))))
    assert "several lines" in str(err.value) and TOKEN not in str(err.value)


def _py(code: str) -> str:
    import shlex

    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


def test_token_from_command():
    ctx = Context("p", token_source=TokenSource("command", _py(f"print({TOKEN!r})")))
    assert resolve_token(ctx).reveal() == TOKEN


def test_token_command_runs_once_per_process(tmp_path):
    counter = tmp_path / "runs"
    code = f"import pathlib; p = pathlib.Path({str(counter)!r}); p.write_text(p.read_text() + 'x' if p.exists() else 'x'); print({TOKEN!r})"
    ctx = Context("p", token_source=TokenSource("command", _py(code)))
    assert resolve_token(ctx).reveal() == TOKEN
    assert resolve_token(ctx).reveal() == TOKEN
    assert counter.read_text() == "x"


def test_token_command_failure_shows_stderr_never_stdout():
    code = f"import sys; print({TOKEN!r}); print('vault is sealed', file=sys.stderr); sys.exit(3)"
    ctx = Context("p", token_source=TokenSource("command", _py(code)))
    with pytest.raises(ConfigError) as err:
        resolve_token(ctx)
    message = str(err.value)
    assert "exit code 3" in message and "vault is sealed" in message
    assert TOKEN not in message


def test_token_command_not_found():
    ctx = Context("p", token_source=TokenSource("command", "/no/such/bcs-token-helper --get"))
    with pytest.raises(ConfigError, match="was not found"):
        resolve_token(ctx)


def test_bcs_token_env_is_the_fallback(monkeypatch):
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    assert resolve_token(Context("p")).reveal() == TOKEN
    # An explicit source in the context wins over BCS_TOKEN.
    monkeypatch.setenv("OTHER", "A" * 32)
    assert resolve_token(Context("p", token_source=TokenSource("env", "OTHER"))).reveal() == "A" * 32


def test_no_token_at_all_is_none():
    assert resolve_token(Context("p")) is None


def test_token_status_never_shows_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", TOKEN)
    assert token_status(Context("p", token_source=TokenSource("env", "PROD_TOKEN"))) == \
        "*** (from env $PROD_TOKEN, set)"
    loose = token_file(tmp_path, 0o644)
    status = token_status(Context("p", token_source=TokenSource("file", str(loose))))
    assert "REFUSED" in status and TOKEN not in status
    # A command is described, not run.
    status = token_status(Context("p", token_source=TokenSource("command", "/no/such/helper")))
    assert status.startswith("*** (from command")


# --------------------------------------------------------------------------- Secret


def test_secret_never_prints():
    s = Secret(TOKEN)
    assert repr(s) == "'***'"
    assert str(s) == "***" and f"{s}" == "***" and f"{s!r}" == "'***'" and "%s" % s == "***"
    assert TOKEN not in repr([s, {"t": s}])
    with pytest.raises(TypeError):
        pickle.dumps(s)
    assert s == Secret(TOKEN) and s != Secret("other")
    assert bool(s) and not Secret("")


def test_settings_repr_hides_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", TOKEN)
    settings = resolve_settings(load_config(write(tmp_path, FULL)))
    assert settings.token.reveal() == TOKEN
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert "token='***'" in repr(settings)


# --------------------------------------------------------------------------- Settings


def test_settings_from_current_context(tmp_path, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", TOKEN)
    s = resolve_settings(load_config(write(tmp_path, FULL)))
    assert s.context_name == "prod" and s.cluster_id == "BCS-MESOS-10001"
    assert s.server == "https://bcs.example.com:8443" and s.namespace == "payments"
    assert s.read_only and s.production and s.operator == "alice"
    assert s.theme == "bcs-high-contrast"  # context theme over the top-level one
    assert s.refresh == 5.0
    assert s.keymap == {"scale": "Z", "delete": "ctrl+x"}  # context keymap over [keymap]
    assert s.global_keymap == {"scale": "S"}
    assert s.aliases == {"pods": "tg"}
    assert s.audit_file == tmp_path / "state" / "audit.jsonl" == s.audit_path
    assert s.paths.config_file == tmp_path / "config.toml"
    assert set(s.contexts) == {"prod", "test"}
    assert not s.demo and not s.insecure and s.verify is True and s.cert is None
    assert s.warnings == []


def test_flags_win_over_the_context(tmp_path, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", TOKEN)
    s = resolve_settings(
        load_config(write(tmp_path, FULL)),
        namespace="web", theme="bcs-light", refresh=0.5, command=":dp web",
    )
    assert s.namespace == "web" and s.theme == "bcs-light" and s.refresh == 0.5
    assert s.initial_command == "dp web" == s.command


def test_read_only_flag_only_tightens(tmp_path):
    token_file(tmp_path)
    cfg = load_config(write(tmp_path, FULL))
    assert not resolve_settings(cfg, context="test").read_only
    assert resolve_settings(cfg, context="test", read_only=True).read_only


def test_read_only_flag_survives_a_context_switch(tmp_path, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", TOKEN)
    token_file(tmp_path)
    cfg = load_config(write(tmp_path, FULL.replace("read_only = true", "read_only = false")))
    s = resolve_settings(cfg, context="prod", read_only=True)
    s.context = s.contexts["test"]  # what the app does on :ctx test
    assert s.read_only
    s = resolve_settings(cfg, context="prod")
    s.context = s.contexts["test"]
    assert not s.read_only


def test_defaults_when_nothing_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    s = resolve_settings(load_config(tmp_path / "none.toml"), server="https://bcs:8443", cluster_id="BCS-MESOS-1")
    assert s.context_name == "cli" and s.theme == DEFAULT_THEME and s.refresh == 2.0
    assert s.token.reveal() == TOKEN and s.namespace is None and not s.read_only


def test_single_context_is_used_without_current_context(tmp_path):
    cfg = load_config(write(tmp_path, '[contexts.only]\nserver="h"\ncluster_id="C"\n'))
    assert resolve_settings(cfg).context_name == "only"


@pytest.mark.parametrize(
    "text, kwargs, expected",
    [
        ("", {}, "no cluster chosen (no contexts in"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\n[contexts.b]\nserver="h"\ncluster_id="D"\n', {},
         "several contexts and no current_context"),
        ('[contexts.a]\nserver="h"\ncluster_id="C"\n', {"context": "zz"}, "no context 'zz' in"),
        ("", {"server": "https://h"}, "--server needs --cluster"),
        ("", {"server": "ftp://h", "cluster_id": "C"}, "--server: server 'ftp://h' must use"),
        ("", {"server": "h", "cluster_id": "C D"}, "--cluster: cluster id 'C D'"),
        ("", {"demo": True, "server": "h"}, "cannot be combined"),
        ("", {"demo": True, "insecure": True}, "TLS flags do not apply"),
        ("", {"server": "h", "cluster_id": "C", "insecure": True, "ca_file": "/etc/hostname"}, "contradict"),
        ("", {"server": "h", "cluster_id": "C", "cert_file": "/etc/hostname"}, "go together"),
        ("", {"server": "h", "cluster_id": "C", "ca_file": "/no/ca.pem"}, "does not exist"),
        ("", {"server": "h", "cluster_id": "C", "command": " : "}, "--command is empty"),
        ("", {"server": "h", "cluster_id": "C", "namespace": "a/b"}, "--namespace"),
    ],
)
def test_resolution_errors(tmp_path, text, kwargs, expected):
    cfg = load_config(write(tmp_path, text))
    with pytest.raises(ConfigError) as err:
        resolve_settings(cfg, **kwargs)
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_insecure_sets_the_flag_and_a_warning(tmp_path):
    s = resolve_settings(load_config(tmp_path / "none.toml"), server="https://h", cluster_id="C", insecure=True)
    assert s.insecure and s.verify is False
    assert any("verification is OFF" in w for w in s.warnings)


def test_plain_http_with_a_token_to_a_remote_host_warns(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    cfg = load_config(tmp_path / "none.toml")
    remote = resolve_settings(cfg, server="http://bcs.example.com:8000", cluster_id="C")
    assert any("in clear" in w for w in remote.warnings)
    local = resolve_settings(cfg, server="http://127.0.0.1:8899", cluster_id="C")
    assert local.warnings == []


def test_demo_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    s = resolve_settings(load_config(tmp_path / "none.toml"), demo=True, read_only=True)
    assert s.demo and s.context_name == "demo" and s.cluster_id == DEMO_CLUSTER_ID
    assert s.read_only and s.token is None and s.server == ""


def test_loose_token_file_fails_settings(tmp_path):
    token_file(tmp_path, 0o644)
    cfg = load_config(write(tmp_path, FULL))
    with pytest.raises(ConfigError, match="readable by group or others"):
        resolve_settings(cfg, context="test")


@pytest.mark.parametrize("text, seconds", [("2", 2.0), ("0.5", 0.5), ("2s", 2.0), ("500ms", 0.5), (" 10 ", 10.0)])
def test_parse_refresh(text, seconds):
    assert parse_refresh(text) == seconds


@pytest.mark.parametrize("text", ["0", "-1", "abc", "", "nan", "1h"])
def test_parse_refresh_rejects(text):
    with pytest.raises(ConfigError, match="--refresh"):
        parse_refresh(text)


def test_config_error_is_always_one_line():
    assert str(ConfigError("a\nb\n  c")) == "a b c"


def test_state_dir_not_created_by_resolving(tmp_path):
    resolve_settings(load_config(tmp_path / "none.toml"), demo=True)
    assert not os.path.exists(tmp_path / "state")


def test_record_shells_is_a_per_context_switch(tmp_path):
    text = ('[contexts.a]\nserver="h"\ncluster_id="C"\nrecord_shells=true\n'
            '[contexts.b]\nserver="h"\ncluster_id="C"\n')
    cfg = load_config(write(tmp_path, text))
    assert cfg.contexts["a"].record_shells and not cfg.contexts["b"].record_shells
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[contexts.a]\nserver="h"\ncluster_id="C"\nrecord_shells="yes"\n'))
    assert "'record_shells' must be true or false" in str(err.value)
