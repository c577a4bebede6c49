"""Secrets: secret values masked until revealed; the bearer token never on screen, in logs, in the
audit log, in exceptions or in `config show`; loose token files refused; TLS verification on by
default and `--insecure` flagged on screen for the whole session.

The session test runs the console the way a user does: a config file with a token file, the
settings resolved by bcs_tui.config, the app building its own client against the simulator on a
loopback socket (which checks the token like the gateway).
"""

from __future__ import annotations

import base64
import io
import json
import logging

import pytest

from bcs_tui.compose import Backend
from bcs_tui.config import ConfigError, load_config, resolve_settings
from bcs_tui.sim.server import start_in_loop
from bcs_tui.ui.app import BcsApp
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.manifest import ManifestEditor
from bcs_tui.ui.screens.describe import DescribeScreen

from .conftest import SIZE, TOKEN, assert_clean, finish, flashes, goto, screen_text, settle

PASSWORD = "Hx7!pQ2v"  # hero-prod/db-secret mysql-password in the demo cluster
PASSWORD_B64 = base64.b64encode(PASSWORD.encode()).decode()


def write_config(tmp_path, server: str, *, token_mode: int = 0o600, insecure: bool = False) -> dict:
    token_file = tmp_path / "prod.token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(token_mode)
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        'current_context = "prod"\n\n[contexts.prod]\n'
        f'server = "{server}"\ncluster_id = "BCS-MESOS-10001"\n'
        f'token_file = "{token_file}"\nrefresh = 3600\n' + ("insecure = true\n" if insecure else ""))
    return {"BCS_TUI_CONFIG": str(cfg), "BCS_TUI_STATE_DIR": str(tmp_path / "state"), "HOME": str(tmp_path)}


def settings_for(env: dict, **kw):
    return resolve_settings(load_config(env["BCS_TUI_CONFIG"]), environ=env, **kw)


class Dumps:
    """Every screen the user saw, to grep afterwards."""

    def __init__(self, app) -> None:
        self.app = app
        self.texts: list[str] = []

    def take(self) -> str:
        text = screen_text(self.app)
        self.texts.append(text)
        return text


async def test_a_whole_session_never_shows_the_token_or_unrevealed_secret_values(cluster, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sim = await start_in_loop(cluster, token=TOKEN)
    env = write_config(tmp_path, sim.url)
    settings = settings_for(env)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.__dict__)
    app = BcsApp(settings, backend=Backend(settings), now=cluster.clock.now)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            dumps = Dumps(app)
            await settle(pilot, app)
            assert app.browser.state.loaded, app.browser.state.error
            for view in ("app", "tg hero-prod", "dp", "agent", "offer", "cm", "svc", "webhook", "crd", "ns",
                         "ctx", "cluster"):
                await goto(pilot, app, view)
                dumps.take()
                if app.screen is not app.browser:
                    await pilot.press("escape")
                    await settle(pilot, app)
            # Secrets: the list, describe and the copy menu stay masked.
            await goto(pilot, app, "secret hero-prod", "hero-prod/db-secret")
            masked = dumps.take()
            await pilot.press("d")
            await settle(pilot, app)
            assert isinstance(app.screen, DescribeScreen)
            masked += dumps.take()
            await pilot.press("escape")
            await settle(pilot, app)
            await pilot.press("w")  # the copy menu previews what it would copy
            await settle(pilot, app)
            masked += dumps.take()
            await pilot.press("escape")
            await settle(pilot, app)
            # Editing a secret: the confirmation and its diff show fingerprints, not values.
            await pilot.press("e")
            await settle(pilot, app)
            editor = app.screen
            assert isinstance(editor, ManifestEditor)
            data = json.loads(editor.text)
            datas = data.get("datas") or {}
            for item in datas.values():
                if isinstance(item, dict) and "content" in item:
                    item["content"] = base64.b64encode(b"n3w-Pa55").decode()
            editor.set_text(json.dumps(data, indent=2))
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert isinstance(app.screen, ConfirmModal), app.screen
            masked += dumps.take()
            await pilot.press("escape")
            await finish(pilot, app)
            assert PASSWORD not in masked and PASSWORD_B64 not in masked
            assert "n3w-Pa55" not in masked and base64.b64encode(b"n3w-Pa55").decode() not in masked
            # Revealed only when asked for.
            await goto(pilot, app, "secret hero-prod", "hero-prod/db-secret")
            await pilot.press("ctrl+v")
            await settle(pilot, app)
            assert app.browser.state.revealed
            await pilot.press("d")
            await settle(pilot, app)
            shown = dumps.take()
            assert PASSWORD in shown or PASSWORD_B64 in shown
            await pilot.press("escape")
            await settle(pilot, app)
            # A write (audited) and a refused token (server text with the header echoed back).
            await goto(pilot, app, "app hero-prod", "hero-prod/chat")
            await pilot.press("s")
            await settle(pilot, app)
            app.screen.query_one("#field-instances").value = "4"
            await pilot.press("enter")
            await settle(pilot, app)
            dumps.take()
            await pilot.press("y")
            await finish(pilot, app)
            dumps.take()
            cluster.token = "rotated"
            await pilot.press("ctrl+r")
            await settle(pilot, app)
            assert "HTTP 401" in app.browser.state.error
            dumps.take()
            await pilot.press("s")
            await settle(pilot, app)
            app.screen.query_one("#field-instances").value = "5"
            await pilot.press("enter")
            await settle(pilot, app)
            await pilot.press("y")
            await finish(pilot, app)
            dumps.take()
            all_flashes = " ".join(flashes(app))
    finally:
        await sim.stop()
    everything = "\n".join(dumps.texts)
    for text in dumps.texts:
        assert_clean(text)
    assert TOKEN not in everything and TOKEN not in all_flashes
    audit = settings.audit_path.read_text()
    assert len(audit.splitlines()) >= 2 and "scale" in audit
    assert TOKEN not in audit
    logged = "\n".join(r.getMessage() + (str(r.exc_info[1]) if r.exc_info else "") for r in caplog.records)
    assert TOKEN not in logged and TOKEN not in caplog.text
    # The simulator logged the request headers it got: the Authorization header was there.
    assert any(r.headers.get("authorization") for r in cluster.requests)


async def test_errors_and_tracebacks_never_carry_the_token(cluster, tmp_path):
    """Exceptions from the client, with the token echoed back by a server, are redacted."""
    import traceback

    from bcs_tui.api.client import BcsClient
    from bcs_tui.api.errors import BcsError

    sim = await start_in_loop(cluster, token=TOKEN)
    try:
        cluster.token = "other"
        async with BcsClient(sim.url, cluster.cluster_id, TOKEN, get_retries=0) as client:
            with pytest.raises(BcsError) as info:
                await client.list_applications("hero-prod")
            text = "".join(traceback.format_exception(info.value))
            assert TOKEN not in text and TOKEN not in repr(info.value)
            assert TOKEN not in repr(client) and TOKEN not in str(vars(client).get("_token_repr", ""))
    finally:
        await sim.stop()


def test_config_show_never_prints_the_token(tmp_path):
    from bcs_tui.cli import show_config

    env = write_config(tmp_path, "https://bcs.example.com")
    out = io.StringIO()
    assert show_config(out, env) == 0
    text = out.getvalue()
    assert TOKEN not in text
    assert "prod.token" in text  # the source is named, the value is not


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o666])
def test_a_token_file_others_can_read_is_refused(tmp_path, mode):
    env = write_config(tmp_path, "https://bcs.example.com", token_mode=mode)
    with pytest.raises(ConfigError) as info:
        settings_for(env)
    assert "600" in str(info.value) or "permission" in str(info.value).lower()
    assert TOKEN not in str(info.value)


def test_cli_refuses_a_loose_token_file_with_exit_code_and_no_token(tmp_path, capsys, monkeypatch):
    from bcs_tui.cli import main

    env = write_config(tmp_path, "https://bcs.example.com", token_mode=0o644)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code = main([])
    err = capsys.readouterr()
    assert code != 0
    assert "prod.token" in err.err and TOKEN not in err.err + err.out


def test_tls_verification_is_on_by_default(tmp_path):
    env = write_config(tmp_path, "https://bcs.example.com")
    settings = settings_for(env)
    assert settings.context.verify is True
    client = Backend(settings).client_for(settings.context)
    assert client_verifies(client)
    insecure = settings_for(write_config(tmp_path, "https://bcs.example.com", insecure=True))
    assert not client_verifies(Backend(insecure).client_for(insecure.context))


def client_verifies(client) -> bool:
    """True when the client's TLS context checks the server's certificate and host name."""
    import ssl

    ctx = client._http._transport._pool._ssl_context
    return ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


async def test_insecure_warning_stays_on_screen_for_the_whole_session(cluster, tmp_path):
    sim = await start_in_loop(cluster, token=TOKEN)
    env = write_config(tmp_path, sim.url, insecure=True)
    settings = settings_for(env)
    assert settings.context.verify is False
    assert any("insecure" in w for w in settings.warnings)
    app = BcsApp(settings, backend=Backend(settings), now=cluster.clock.now)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot, app)
            assert "TLS NOT VERIFIED" in screen_text(app)
            assert any("insecure" in m for m in flashes(app))
            app.clear_notifications()  # the flash goes away ...
            for view in ("agent", "cm", "cluster"):
                await goto(pilot, app, view)
                if app.screen is not app.browser:
                    await pilot.press("escape")
                    await settle(pilot, app)
                assert "TLS NOT VERIFIED" in screen_text(app), view  # ... the header stays
    finally:
        await sim.stop()
