"""bcs-client's /var/bcs/bcs.conf and bcsenv.conf: its rules, the fallback when the console has no
config of its own, and `config import-bcs-client`.

The end-to-end tests use real loopback servers: the simulator (it checks the bearer token like
the gateway) and, for the TLS files and the key password, the simulator behind uvicorn with
mutual TLS (certificates made with the openssl command line).
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import stat
import subprocess
from pathlib import Path

import pytest

from bcs_tui.compose import Backend
from bcs_tui import bcsclient_conf, cli
from bcs_tui.api.client import BcsClient
from bcs_tui.api.errors import AuthError, TransportError
from bcs_tui.config import ConfigError, load_config, resolve_settings
from bcs_tui.sim.server import create_app, start_in_loop
from tests.apptest import demo_cluster, wait_loaded

TOKEN = "bcsConfT0ken-9f8e7d6c5b4a"
KEY_PASSWORD = "k3y-Pa55w0rd"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "cfg" / "config.toml"))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("BCS_TOKEN", raising=False)
    monkeypatch.delenv("BCS_CLIENT_CONF", raising=False)


def write_conf(folder: Path, conf: dict | str, env: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bcs.conf"
    path.write_text(conf if isinstance(conf, str) else json.dumps(conf))
    path.chmod(0o600)
    if env is not None:
        (folder / "bcsenv.conf").write_text(json.dumps(env))
    return path


def environ(path: Path, tmp_path: Path) -> dict:
    return {"BCS_CLIENT_CONF": str(path), "BCS_TUI_CONFIG": str(tmp_path / "cfg" / "config.toml"),
            "BCS_TUI_STATE_DIR": str(tmp_path / "state")}


# --------------------------------------------------------------------------- bcs-client's rules


@pytest.mark.parametrize("apiserver, files, expected", [
    ("127.0.0.1:8081", {}, "http://127.0.0.1:8081"),
    ("bcs.example.com:8443", {"ca_file": "ca", "cert_file": "c", "key_file": "k"}, "https://bcs.example.com:8443"),
    # two of three TLS files: bcs-client sets up no TLS, so http://
    ("bcs.example.com:8443", {"ca_file": "ca", "cert_file": "c"}, "http://bcs.example.com:8443"),
    ("https://bcs.example.com", {}, "https://bcs.example.com"),
    ("http://bcs.example.com/", {"ca_file": "ca", "cert_file": "c", "key_file": "k"}, "http://bcs.example.com"),
])
def test_the_scheme_rule_is_bcs_clients(tmp_path, apiserver, files, expected):
    conf = bcsclient_conf.load(write_conf(tmp_path / "bcs", {"apiserver": apiserver, **files}))
    assert conf is not None and conf.server == expected
    assert "bcs-client's rule" in conf.origins["server"] or "://" in apiserver


def test_tls_files_only_when_all_three_are_set_and_custom_ones_win(tmp_path):
    conf = bcsclient_conf.load(write_conf(tmp_path / "bcs", {
        "apiserver": "h:1", "ca_file": "/etc/ca.pem", "cert_file": "/etc/c.pem", "key_file": "/etc/k.pem",
        "custom_ca_file": "myca.pem", "custom_cert_file": "my.pem", "custom_key_file": "my.key",
        "custom_key_password": KEY_PASSWORD}))
    assert conf is not None
    # relative paths are relative to bcs.conf's folder
    assert conf.tls.ca_file == str(tmp_path / "bcs" / "myca.pem")
    assert conf.tls.key_file == str(tmp_path / "bcs" / "my.key")
    assert conf.tls.key_password is not None and conf.tls.key_password.reveal() == KEY_PASSWORD
    assert KEY_PASSWORD not in repr(conf) and KEY_PASSWORD not in "\n".join(bcsclient_conf.describe(conf, True))

    partial = bcsclient_conf.load(write_conf(tmp_path / "p", {
        "apiserver": "h:1", "ca_file": "/etc/ca.pem", "cert_file": "/etc/c.pem", "key_file": "/etc/k.pem",
        "custom_ca_file": "myca.pem", "custom_key_password": KEY_PASSWORD}))
    assert partial is not None and partial.tls.ca_file == "/etc/ca.pem" and partial.tls.key_password is None
    assert any("custom_* files ignored" in n for n in partial.notes)
    assert any("custom_key_password ignored" in n for n in partial.notes)


def test_bcsenv_conf_gives_cluster_and_namespace(tmp_path):
    path = write_conf(tmp_path / "bcs", {"apiserver": "h:1"}, {"clusterid": "BCS-MESOS-20002", "namespace": "ns1"})
    conf = bcsclient_conf.load(path)
    assert conf is not None and (conf.cluster_id, conf.namespace) == ("BCS-MESOS-20002", "ns1")
    assert conf.origins["cluster_id"] == "clusterid in bcsenv.conf"
    # `bcs-client export` without -ns writes an empty namespace: all namespaces
    (tmp_path / "bcs" / "bcsenv.conf").write_text('{"clusterid":"BCS-MESOS-20002","namespace":""}')
    assert bcsclient_conf.load(path).namespace is None  # type: ignore[union-attr]
    (tmp_path / "bcs" / "bcsenv.conf").unlink()
    conf = bcsclient_conf.load(path)
    assert conf is not None and conf.cluster_id is None
    with pytest.raises(ConfigError, match="bcsenv.conf does not exist .*bcs-client export --clusterid"):
        conf.context()


@pytest.mark.parametrize("text, message", [
    ("{not json", "is not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"apiserver": 8081}', "'apiserver' must be a string"),
    ('{"bcs_token": "x"}', "'apiserver' is missing or empty"),
    ('{"apiserver": "h:1", "bcs_token": "two words"}', "'bcs_token' contains spaces"),
    ('{"apiserver": "h:1", "debug": "yes"}', "'debug' must be true or false"),
    ('{"apiserver": "h:99999"}', "not a valid URL"),
    ("\xff\xfe", "is not UTF-8"),
    ('{"apiserver": "h:1", "ca_file": "/x\\u001b[2J"}', "'ca_file' contains control characters"),
])
def test_bad_bcs_conf_is_one_clear_line(tmp_path, text, message):
    path = tmp_path / "bcs.conf"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError, match=message) as err:
        bcsclient_conf.load(path)
    assert "\n" not in str(err.value) and "two words" not in str(err.value)


def test_size_cap_and_non_files(tmp_path):
    big = tmp_path / "bcs.conf"
    big.write_text('{"apiserver": "h:1", "x": "' + "a" * 70_000 + '"}')
    with pytest.raises(ConfigError, match="more than 65536"):
        bcsclient_conf.load(big)
    with pytest.raises(ConfigError, match="not a regular file"):
        bcsclient_conf.load(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        bcsclient_conf.load(tmp_path / "missing.conf")
    # the default path missing is no error: there is simply no bcs-client config
    assert bcsclient_conf.load(environ={"BCS_CLIENT_CONF": "none"}) is None


def test_bcs_env_variable_names_the_file_and_a_missing_one_is_an_error(tmp_path):
    path = write_conf(tmp_path / "elsewhere", {"apiserver": "h:1"})
    assert bcsclient_conf.load(environ={"BCS_CLIENT_CONF": str(path)}).path == path  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match=r"nope.conf \(\$BCS_CLIENT_CONF\): bcs-client config does not exist"):
        bcsclient_conf.load(environ={"BCS_CLIENT_CONF": str(tmp_path / "nope.conf")})


def test_a_world_readable_bcs_conf_with_a_token_is_noted_not_refused(tmp_path):
    path = write_conf(tmp_path / "bcs", {"apiserver": "h:1", "bcs_token": TOKEN, "bcs_auth": ""})
    path.chmod(0o644)
    conf = bcsclient_conf.load(path)
    assert conf is not None and conf.token is not None and conf.token.reveal() == TOKEN
    assert any("mode 0644" in n for n in conf.notes)
    assert any("'bcs_auth'" in n for n in conf.notes)


# --------------------------------------------------------------------------- the fallback, end to end


async def test_with_only_a_bcs_conf_the_console_connects_to_the_simulator(tmp_path):
    from bcs_tui.ui.app import BcsApp

    cluster = demo_cluster()
    sim = await start_in_loop(cluster, token=TOKEN)
    try:
        host_port = sim.url.removeprefix("http://")
        path = write_conf(tmp_path / "bcs", {"apiserver": host_port, "bcs_token": TOKEN},
                          {"clusterid": cluster.cluster_id, "namespace": "hero-prod"})
        args = cli._console_parser().parse_args([])
        settings = cli.build_settings(args, environ(path, tmp_path))
        assert settings.context.name == "bcs-client" and settings.server == sim.url
        assert settings.namespace == "hero-prod" and settings.token is not None
        assert "using bcs-client's config" in settings.warnings[0]
        app = BcsApp(settings, backend=Backend(settings), now=cluster.clock.now)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(app, pilot)
            shown = [r.key for r in app.browser.table.rows]
            assert "hero-prod/gateway" in shown
            # `:ctx bcs-client` (the only context) builds a new client: it keeps bcs.conf's token
            before = app.client
            app.switch_context("bcs-client")  # the client is built off the event loop (a worker)
            for _ in range(200):
                await pilot.pause(0.02)
                if app.client is not before and (app.browser.state.loaded or app.browser.state.error):
                    break
            assert app.client is not before
            assert app.browser.state.loaded and not app.browser.state.error, app.browser.state.error
        # the simulator answers only with the right token (a wrong one is a 401); it logs it masked
        seen = [r for r in cluster.requests if "/storage/" in r.path]
        assert seen and all(r.headers.get("bcs-clusterid") == cluster.cluster_id for r in seen)
        assert all(r.headers.get("authorization") == "Bearer ***" for r in seen)
    finally:
        await sim.stop()


def test_own_contexts_come_first_and_flags_still_win(tmp_path):
    path = write_conf(tmp_path / "bcs", {"apiserver": "h:1", "bcs_token": TOKEN}, {"clusterid": "BCS-MESOS-1"})
    env = environ(path, tmp_path)
    args = cli._console_parser().parse_args(["--cluster", "BCS-MESOS-2", "-n", "other"])
    s = cli.build_settings(args, env)
    assert (s.cluster_id, s.namespace, s.context.name) == ("BCS-MESOS-2", "other", "bcs-client")
    cfg = Path(env["BCS_TUI_CONFIG"])
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[contexts.mine]\nserver = "https://mine:1"\ncluster_id = "BCS-MESOS-9"\n')
    s = cli.build_settings(cli._console_parser().parse_args([]), env)
    assert s.context.name == "mine" and s.token is None
    assert not any("bcs-client" in w for w in s.warnings)


# --------------------------------------------------------------------------- TLS and the key password


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate whose key is encrypted the
    way bcs-client reads it (legacy PEM encryption, `Proc-Type: 4,ENCRYPTED`)."""
    d = tmp_path_factory.mktemp("tls")

    def run(*argv: str) -> None:
        try:
            subprocess.run(["openssl", *argv], cwd=d, check=True, capture_output=True, timeout=60)
        except FileNotFoundError:
            pytest.skip("no openssl command to make test certificates")

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "3650", "-subj", "/CN=bcs-tui test CA")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for who in ("server", "client"):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{who}.key", "-out", f"{who}.csr",
            "-subj", f"/CN={who}")
        run("x509", "-req", "-in", f"{who}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{who}.pem", "-days", "3650", "-extfile", "san.ext")
    run("rsa", "-in", "client.key", "-aes256", "-traditional", "-passout", f"pass:{KEY_PASSWORD}",
        "-out", "client.enc.key")
    assert "ENCRYPTED" in (d / "client.enc.key").read_text()
    return d


async def start_mtls_sim(certs: Path):
    """The simulator behind uvicorn with TLS that requires a client certificate signed by the CA."""
    import socket

    import uvicorn

    cluster = demo_cluster()
    config = uvicorn.Config(create_app(cluster, token=TOKEN), host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off", access_log=False, log_config=None,
                            ssl_certfile=str(certs / "server.pem"), ssl_keyfile=str(certs / "server.key"),
                            ssl_ca_certs=str(certs / "ca.pem"), ssl_cert_reqs=ssl.CERT_REQUIRED)
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    return cluster, server, task, sock.getsockname()[1]


def tls_conf(certs: Path, folder: Path, port: int, **extra: str) -> Path:
    return write_conf(folder, {"apiserver": f"127.0.0.1:{port}", "bcs_token": TOKEN,
                               "custom_ca_file": str(certs / "ca.pem"), "custom_cert_file": str(certs / "client.pem"),
                               "custom_key_file": str(certs / "client.enc.key"), **extra},
                      {"clusterid": "BCS-MESOS-10001"})


async def test_tls_files_and_key_password_from_bcs_conf_reach_the_tls_context(certs, tmp_path):
    cluster, server, task, port = await start_mtls_sim(certs)
    try:
        path = tls_conf(certs, tmp_path / "bcs", port, custom_key_password=KEY_PASSWORD)
        settings = cli.build_settings(cli._console_parser().parse_args([]), environ(path, tmp_path))
        assert settings.server == f"https://127.0.0.1:{port}"  # all three files: https
        async with BcsClient(settings.server, settings.cluster_id, settings.token,
                             verify=settings.verify, cert=settings.cert) as client:
            assert "hero-prod" in await client.storage_list_namespaces()

        # The import writes the password to a 600 file; the imported context connects too.
        env = environ(path, tmp_path)
        assert cli.main(["config", "import-bcs-client", str(path)]) == 0
        keypass = Path(env["BCS_TUI_CONFIG"]).parent / "bcs-client.keypass"
        assert stat.S_IMODE(keypass.stat().st_mode) == 0o600
        assert KEY_PASSWORD not in Path(env["BCS_TUI_CONFIG"]).read_text()
        imported = resolve_settings(load_config(env["BCS_TUI_CONFIG"]), environ={})
        assert imported.context.tls.key_password_file == str(keypass)
        async with BcsClient(imported.server, imported.cluster_id, imported.token,
                             verify=imported.verify, cert=imported.cert) as client:
            assert "hero-prod" in await client.storage_list_namespaces()

        # Without the password: one clear line, no prompt on the terminal, nothing sent.
        before = len(cluster.requests)
        no_pw = tls_conf(certs, tmp_path / "nopw", port)
        s = cli.build_settings(cli._console_parser().parse_args([]), environ(no_pw, tmp_path / "x"))
        with pytest.raises(TransportError, match="the client key is encrypted and no key password is configured"):
            BcsClient(s.server, s.cluster_id, s.token, verify=s.verify, cert=s.cert)
        wrong = tls_conf(certs, tmp_path / "wrong", port, custom_key_password="wrong-one")
        s = cli.build_settings(cli._console_parser().parse_args([]), environ(wrong, tmp_path / "y"))
        with pytest.raises(TransportError, match="TLS setup failed"):
            BcsClient(s.server, s.cluster_id, s.token, verify=s.verify, cert=s.cert)
        assert len(cluster.requests) == before
    finally:
        server.should_exit = True
        await task


# --------------------------------------------------------------------------- the import


async def test_import_writes_a_working_context_with_the_token_in_a_private_file(tmp_path):
    cluster = demo_cluster()
    sim = await start_in_loop(cluster, token=TOKEN)
    try:
        path = write_conf(tmp_path / "bcs", {"apiserver": sim.url.removeprefix("http://"), "bcs_token": TOKEN},
                          {"clusterid": cluster.cluster_id, "namespace": "hero-prod"})
        cfg = tmp_path / "cfg" / "config.toml"
        conf = bcsclient_conf.load(path)
        assert conf is not None
        result = bcsclient_conf.import_into_config(conf, cfg)
        text = cfg.read_text()
        assert TOKEN not in text and result.made_current
        assert 'current_context = "bcs-client"' in text and f'server = "{sim.url}"' in text
        assert stat.S_IMODE(result.token_file.stat().st_mode) == 0o600  # type: ignore[union-attr]
        settings = resolve_settings(load_config(cfg), environ={})
        assert (settings.context.name, settings.namespace) == ("bcs-client", "hero-prod")
        async with BcsClient(settings.server, settings.cluster_id, settings.token) as client:
            assert await client.storage_list_namespaces()
        # a wrong token would have been refused: the check is real
        async with BcsClient(settings.server, settings.cluster_id, "not-the-token", get_retries=0) as client:
            with pytest.raises(AuthError):
                await client.storage_list_namespaces()
    finally:
        await sim.stop()


def test_import_appends_to_an_existing_config_and_refuses_a_taken_name(tmp_path):
    cfg = tmp_path / "cfg" / "config.toml"
    cfg.parent.mkdir()
    original = ('# my config\ncurrent_context = "mine"\ntheme = "bcs-nord"\n\n'
                '[contexts.mine]\nserver = "https://mine:1"\ncluster_id = "BCS-MESOS-9"')
    cfg.write_text(original)
    conf = bcsclient_conf.load(write_conf(tmp_path / "bcs", {"apiserver": "h:1"}, {"clusterid": "BCS-MESOS-1"}))
    assert conf is not None
    result = bcsclient_conf.import_into_config(conf, cfg, name="sh")
    loaded = load_config(cfg)
    assert loaded.current_context == "mine" and set(loaded.contexts) == {"mine", "sh"}
    assert cfg.read_text().startswith(original) and not result.made_current
    assert result.token_file is None and "token_file" not in result.table
    with pytest.raises(ConfigError, match="context 'sh' already exists"):
        bcsclient_conf.import_into_config(conf, cfg, name="sh")
    with pytest.raises(ConfigError, match="context names may only contain"):
        bcsclient_conf.import_into_config(conf, cfg, name="bad name")
    assert set(load_config(cfg).contexts) == {"mine", "sh"}


def test_import_without_a_cluster_id_says_how_to_give_one(tmp_path, capsys):
    path = write_conf(tmp_path / "bcs", {"apiserver": "h:1"})
    assert cli.main(["config", "import-bcs-client", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no cluster id" in err and "--cluster ID" in err
    assert not (tmp_path / "cfg" / "config.toml").exists()
    assert cli.main(["config", "import-bcs-client", str(path), "--cluster", "BCS-MESOS-7"]) == 0
    assert load_config(tmp_path / "cfg" / "config.toml").contexts["bcs-client"].cluster_id == "BCS-MESOS-7"


def test_key_password_file_must_be_private(tmp_path):
    pw = tmp_path / "k.pass"
    pw.write_text(KEY_PASSWORD)
    pw.chmod(0o644)
    for name in ("c.pem", "k.pem"):
        (tmp_path / name).write_text("x")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[contexts.a]\nserver = "https://h:1"\ncluster_id = "C"\ncert_file = "{tmp_path}/c.pem"\n'
                   f'key_file = "{tmp_path}/k.pem"\nkey_password_file = "{pw}"\n')
    ctx = load_config(cfg).contexts["a"]
    cert = ctx.cert
    assert cert is not None and len(cert) == 3
    with pytest.raises(OSError, match="readable by group or others"):
        cert[2]()
    os.chmod(pw, 0o600)
    assert cert[2]() == KEY_PASSWORD


def test_a_strange_bcs_conf_path_cannot_add_lines_to_the_config(tmp_path):
    folder = tmp_path / "a\n[contexts.evil]\nserver = \"http://x\""
    path = write_conf(folder, {"apiserver": "h:1"}, {"clusterid": "BCS-MESOS-1"})
    cfg = tmp_path / "cfg" / "config.toml"
    bcsclient_conf.import_into_config(bcsclient_conf.load(path), cfg)  # type: ignore[arg-type]
    assert set(load_config(cfg).contexts) == {"bcs-client"}
