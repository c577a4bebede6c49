"""Bad local files, child processes and odd environments (issue 16: 4, 6, 7, 8, 10, 12, 13, 15, 18):
what the user sees is one line, never a traceback, a hang or a secret.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from bcs_tui import children, cli
from bcs_tui.config import ConfigError, load_config, resolve_token, validate_refresh, validate_server

TOKEN = "Zk3u8QpLr2Vb7NcX1mWy9TaE4sHd6JgF"
CONTEXT = '[contexts.a]\nserver = "https://h"\ncluster_id = "BCS-MESOS-1"\n'


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("BCS_TOKEN", raising=False)


@pytest.fixture
def started(monkeypatch):
    runs: list = []
    monkeypatch.setattr(cli, "run_console", lambda settings: runs.append(settings) or 0)
    return runs


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def private(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


# ------------------------------------------------------------------ 4: deep nesting


def test_4_deeply_nested_config_is_one_line(tmp_path, capsys):
    private(tmp_path / "config.toml", "a = " + "[" * 2000 + "]" * 2000 + "\n")
    assert cli.main([]) == 2
    assert "nested too deeply" in one_error_line(capsys)


def test_4_deeply_nested_theme_is_a_warning_and_the_default_theme(tmp_path, started):
    private(tmp_path / "config.toml", 'theme = "deep"\n' + CONTEXT)
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "deep.toml").write_text("primary = " + "[" * 2000 + "]" * 2000 + "\n")
    assert cli.main([]) == 0
    (s,) = started
    assert s.theme == "bcs-dark"


# ------------------------------------------------------------------ 7: unbounded reads


def test_7_config_from_dev_zero_or_a_fifo_is_refused_at_once(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config("/dev/zero")
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(fifo)
    assert time.monotonic() - start < 5


def test_7_a_huge_token_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "token"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: 3 GB by its size
    big.chmod(0o600)
    private(tmp_path / "config.toml", CONTEXT + f'token_file = "{big}"\n')
    ctx = load_config(tmp_path / "config.toml").contexts["a"]
    with pytest.raises(ConfigError, match="too big"):
        resolve_token(ctx)


# ------------------------------------------------------------------ 8: colour systems


@pytest.mark.parametrize("raw, rich", [("16", "standard"), ("24bit", "truecolor"), ("256color", "256")])
def test_8_textual_color_system_aliases_become_what_rich_knows(raw, rich):
    env = {"TEXTUAL_COLOR_SYSTEM": raw}
    assert cli.normalize_color_system(env) is None
    assert env["TEXTUAL_COLOR_SYSTEM"] == rich


def test_8_an_unknown_color_system_is_a_warning():
    env = {"TEXTUAL_COLOR_SYSTEM": "\x1b[31mneon"}
    warning = cli.normalize_color_system(env)
    assert warning and "using auto" in warning and "\x1b" not in warning
    assert "TEXTUAL_COLOR_SYSTEM" not in env


# ------------------------------------------------------------------ 10, 6: child processes


def test_10_no_child_gets_the_token(monkeypatch):
    from bcs_tui.redact import register_secret

    register_secret(TOKEN)
    children.register_secret_env("MY_BCS_TOKEN")
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    monkeypatch.setenv("MY_BCS_TOKEN", "anything")
    monkeypatch.setenv("AUTH_HEADER", f"Bearer {TOKEN}")
    monkeypatch.setenv("HARMLESS", "yes")
    env = children.child_env()
    assert "BCS_TOKEN" not in env and "MY_BCS_TOKEN" not in env and "AUTH_HEADER" not in env
    assert env["HARMLESS"] == "yes"
    assert all(TOKEN not in v for v in env.values())


def test_6_a_token_command_whose_background_child_keeps_stdout_open_is_not_a_timeout(tmp_path):
    pidfile = tmp_path / "pid"
    script = f"echo {TOKEN}; (sleep 60 & echo $! > {pidfile}); exit 0"
    start = time.monotonic()
    out = children.run_captured(["sh", "-c", script], timeout=15)
    assert time.monotonic() - start < 5
    assert out.returncode == 0 and out.stdout.decode().strip() == TOKEN and out.lingered
    pid = int(pidfile.read_text())
    for _ in range(50):  # the orphan was killed with its process group
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the background child of the token command is still running")


def test_6_a_slow_token_command_times_out_and_is_killed():
    with pytest.raises(children.ChildTimeout):
        children.run_captured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)


# ------------------------------------------------------------------ 12: config others can write


def test_12_a_world_writable_config_is_refused_before_its_token_command_runs(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "config.toml"
    path.write_text(CONTEXT + f'token_command = "touch {marker}"\n')
    path.chmod(0o666)
    with pytest.raises(ConfigError, match="can be changed by anyone"):
        load_config(path)
    assert not marker.exists()


def test_12_a_config_in_a_world_writable_directory_is_refused(tmp_path):
    d = tmp_path / "open"
    d.mkdir()
    d.chmod(0o777)
    with pytest.raises(ConfigError, match="directory anyone can write"):
        load_config(private(d / "config.toml", CONTEXT))


# ------------------------------------------------------------------ 13: escapes from local files


def test_13_config_show_prints_no_escape_from_keymap_key_names(tmp_path, capsys):
    private(tmp_path / "config.toml", '[keymap]\n"\\u001b[31mquit" = "q"\n' + CONTEXT)
    cli.main(["config", "show"])
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out and "\x1b" not in captured.err


def test_13_an_unknown_theme_lists_user_theme_names_without_escapes(tmp_path, capsys, started):
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "evil\x1b[2J.toml").write_text('primary = "#336699"\n')
    assert cli.main(["--demo", "--theme", "nope"]) == 2
    line = one_error_line(capsys)
    assert "unknown theme" in line and "\x1b" not in line


# ------------------------------------------------------------------ 15: secrets in refusals


def test_15_a_server_url_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ConfigError) as exc:
        validate_server("https://admin:s3cretPassw0rd@bcs.example.com")
    assert "s3cretPassw0rd" not in exc.value.message and "credentials" in exc.value.message


def test_15_a_loose_symlinked_token_file_is_not_advised_to_be_chmodded(tmp_path):
    target = tmp_path / "real-token"
    target.write_text(TOKEN)
    target.chmod(0o644)
    link = tmp_path / "token"
    link.symlink_to(target)
    private(tmp_path / "config.toml", CONTEXT + f'token_file = "{link}"\n')
    ctx = load_config(tmp_path / "config.toml").contexts["a"]
    with pytest.raises(ConfigError) as exc:
        resolve_token(ctx)
    assert f"chmod 600 {link}" not in exc.value.message
    assert "symbolic link" in exc.value.message


# ------------------------------------------------------------------ 18: refresh bound


@pytest.mark.parametrize("value", ["1e-9", "0.01", "0.4"])
def test_18_a_refresh_below_half_a_second_is_refused(value):
    with pytest.raises(ConfigError, match="at least 0.5"):
        validate_refresh(float(value))
    assert validate_refresh(0.5) == 0.5


# ------------------------------------------------------------------ 6: :ctx with a slow token command


async def test_6_ctx_to_a_context_with_a_slow_token_command_keeps_the_console_answering(make_app, cluster,
                                                                                       sim_asgi, tmp_path):
    from bcs_tui.compose import Backend
    from bcs_tui.config import Context, TokenSource
    from tests.asgistream import StreamingASGITransport

    from .conftest import SIZE, TOKEN as SIM_TOKEN, flashes, settle, wait_for

    slow = tmp_path / "slow-token"
    slow.write_text(f"#!/bin/sh\nsleep 1.5\necho {SIM_TOKEN}\n")
    slow.chmod(0o700)
    app = make_app()
    app.settings.contexts["slow"] = Context(name="slow", server="http://sim2", cluster_id=cluster.cluster_id,
                                            namespace="hero-prod", token_source=TokenSource("command", str(slow)))
    app.backend = Backend(app.settings, transport=StreamingASGITransport(sim_asgi))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        start = time.monotonic()
        app.switch_context("slow")
        await pilot.pause()
        assert time.monotonic() - start < 1.0  # the event loop was not held by the command
        assert any("running its token command" in m for m in flashes(app))
        assert app.settings.context.name != "slow"  # nothing switched before the token came
        await wait_for(pilot, lambda: app.settings.context.name == "slow", timeout=10, what="the switch")
        await wait_for(pilot, lambda: app.browser.state.loaded, timeout=10, what="the new context's view")
        assert app.namespace == "hero-prod"
