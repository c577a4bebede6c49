"""The log file: where it is, what --debug adds, mode 600, rotation, and never a token in it."""

from __future__ import annotations

import logging
import stat

import pytest

from bcs_tui.compose import Backend
from bcs_tui import cli, logs
from bcs_tui.config import Context, Secret, Settings, paths
from bcs_tui.sim.server import start_in_loop
from tests.apptest import demo_cluster, wait_loaded

TOKEN = "L0gT3st-t0ken-4c1d2e3f4a5b6c7d"


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("BCS_TOKEN", raising=False)
    before = list(logging.getLogger().handlers)
    yield tmp_path / "state"
    for h in logging.getLogger().handlers:
        if h not in before:
            logging.getLogger().removeHandler(h)
            h.close()


def settings_for(url: str, cluster_id: str) -> Settings:
    ctx = Context(name="prod", server=url, cluster_id=cluster_id)
    return Settings(context=ctx, token=Secret(TOKEN), refresh=3600.0, contexts={"prod": ctx}, paths=paths())


async def test_a_debug_run_with_a_token_logs_requests_and_never_the_token(state):
    from bcs_tui.ui.app import BcsApp

    cluster = demo_cluster()
    sim = await start_in_loop(cluster, token=TOKEN)
    try:
        settings = settings_for(sim.url, cluster.cluster_id)
        cli.start_log(settings, debug=True)
        app = BcsApp(settings, backend=Backend(settings), now=cluster.clock.now)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(app, pilot)
            # something that would carry the token if the log did not scrub it
            logging.getLogger("bcs_tui.test").error("header was Authorization: Bearer %s", TOKEN)
            try:
                raise RuntimeError(f"boom with {TOKEN} inside")
            except RuntimeError:
                logging.getLogger("bcs_tui.test").exception("a failure")
    finally:
        await sim.stop()
    for h in logging.getLogger().handlers:
        h.flush()
    path = logs.log_path(state)
    text = path.read_text()
    assert "bcs-tui " in text and "context prod: server " + sim.url in text
    assert "HTTP Request: POST " + sim.url + "/bcsapi/v4/storage/query" in text  # --debug: one line per request
    assert "Traceback" in text and "RuntimeError: boom with *** inside" in text
    assert TOKEN not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0


def test_without_debug_no_request_lines_and_no_debug_lines(state):
    settings = settings_for("http://127.0.0.1:1", "BCS-MESOS-10001")
    cli.start_log(settings, debug=False)
    logging.getLogger("bcs_tui.x").debug("a debug line")
    logging.getLogger("httpx").info("HTTP Request: GET http://h/ok")
    logging.getLogger("bcs_tui.x").warning("a warning line")
    text = logs.log_path(state).read_text()
    assert "a warning line" in text and "a debug line" not in text and "HTTP Request" not in text


def test_rotation_keeps_three_old_files_all_private(state, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    setup = logs.setup_logging(state)
    for i in range(400):
        logging.getLogger("bcs_tui.x").info("line %d %s", i, "x" * 40)
    setup.close()
    files = sorted(p.name for p in state.iterdir())
    assert files == ["bcs-tui.log", "bcs-tui.log.1", "bcs-tui.log.2", "bcs-tui.log.3"]
    assert all(stat.S_IMODE((state / f).stat().st_mode) == 0o600 for f in files)


def test_an_unwritable_log_is_a_warning_not_a_failure(tmp_path, state):
    blocker = tmp_path / "file"
    blocker.write_text("")
    setup = logs.setup_logging(blocker / "sub")
    assert setup.handler is None and setup.error and "no log file" in setup.error


def test_config_show_and_help_name_the_log(state, capsys):
    assert cli.main(["config", "show"]) == 0
    assert f"log file:    {state / 'bcs-tui.log'}" in capsys.readouterr().out
    assert cli.main(["--help"]) == 0
    assert "--debug" in capsys.readouterr().out


def test_a_crash_message_names_the_log(state, monkeypatch, capsys):
    import bcs_tui.ui.app as app_module

    class Crashing:
        def __init__(self, settings, **kw):
            pass

        def run(self):
            raise ValueError(f"bad {TOKEN}")

    monkeypatch.setattr(app_module, "BcsApp", Crashing)
    settings = settings_for("http://127.0.0.1:1", "BCS-MESOS-10001")
    cli.start_log(settings, debug=False)
    assert cli.run_console(settings) == 1
    err = capsys.readouterr().err
    assert err.startswith("bcs-tui: internal error: ValueError; details in the log ") and str(state) in err
    assert TOKEN not in err
    text = logs.log_path(state).read_text()
    assert "the console crashed" in text and "ValueError: bad ***" in text and TOKEN not in text
