"""The command line: exit codes, one-line errors, subcommands, what reaches the app."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

import bcs_tui
from bcs_tui import cli
from bcs_tui.config import DEMO_CLUSTER_ID

TOKEN = "Zk3u8QpLr2Vb7NcX1mWy9TaE4sHd6JgF"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("BCS_TOKEN", raising=False)


@pytest.fixture
def started(monkeypatch):
    """Replace the console with a recorder: what Settings would the app get?"""
    runs: list = []

    def fake_run_console(settings):
        runs.append(settings)
        return 0

    monkeypatch.setattr(cli, "run_console", fake_run_console)
    return runs


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("bcs-tui: error: ")
    assert "Traceback" not in captured.err
    return lines[0]


# --------------------------------------------------------------------------- basics


def test_help_exits_0(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: bcs-tui" in out and "--context NAME" in out and "bcs-tui sim" in out


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"bcs-tui {bcs_tui.__version__}"


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--refresh", "abc"], "--refresh: 'abc' is not a number of seconds"),
        (["--refresh", "0"], "refresh must be more than 0"),
        (["--server", "https://h"], "--server needs --cluster"),
        (["--server", "h", "--cluster", "C", "--cert-file", "/etc/hostname"], "go together"),
        (["--server", "h", "--cluster", "C", "--insecure", "--ca-file", "/etc/hostname"], "contradict"),
        (["--demo", "--server", "h"], "cannot be combined"),
        (["--context"], "argument --context: expected one argument"),
        (["--context", "nope"], "no context 'nope'"),
        ([], "no cluster chosen"),
        (["--cont", "x"], "unrecognized arguments"),  # no silent abbreviations
        (["config"], "the following arguments are required"),
        (["config", "edit"], "invalid choice: 'edit'"),
        (["sim", "--port", "70000"], "port 70000 is out of range"),
        (["sim", "--scale", "huge"], "argument --scale: invalid choice: 'huge'"),
        (["sim", "--seed", "x"], "argument --seed: invalid int value"),
        (["sim", "--cluster", "a b"], "--cluster: cluster id 'a b'"),
    ],
)
def test_bad_flags_one_line_exit_2(capsys, started, argv, expected):
    assert cli.main(argv) == 2
    assert expected in one_error_line(capsys)
    assert started == []


def test_bad_config_file_one_line_exit_2(tmp_path, capsys, started):
    config(tmp_path, "[contexts.a]\nserver = \n")
    assert cli.main(["--context", "a"]) == 2
    line = one_error_line(capsys)
    assert "invalid TOML" in line and str(tmp_path / "config.toml") in line


def test_loose_token_file_refused(tmp_path, capsys, started):
    tok = tmp_path / "t"
    tok.write_text(TOKEN)
    tok.chmod(0o644)
    config(tmp_path, f'[contexts.a]\nserver="h"\ncluster_id="C"\ntoken_file="{tok}"\n')
    assert cli.main(["--context", "a"]) == 2
    line = one_error_line(capsys)
    assert "readable by group or others" in line and "chmod 600" in line
    assert TOKEN not in line


# --------------------------------------------------------------------------- the console


def test_console_gets_resolved_settings(tmp_path, monkeypatch, started):
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    assert cli.main([
        "--server", "bcs.example.com:8443", "--cluster", "BCS-MESOS-10001", "-n", "payments",
        "--readonly", "--theme", "bcs-light", "--refresh", "500ms", "--command", "app payments",
    ]) == 0
    (s,) = started
    assert s.server == "https://bcs.example.com:8443" and s.cluster_id == "BCS-MESOS-10001"
    assert s.namespace == "payments" and s.read_only and s.theme == "bcs-light"
    assert s.refresh == 0.5 and s.initial_command == "app payments"
    assert s.token.reveal() == TOKEN and not s.insecure


def test_insecure_flag_reaches_the_app_with_a_warning(started):
    assert cli.main(["--server", "https://h", "--cluster", "C", "--insecure"]) == 0
    (s,) = started
    assert s.insecure and s.verify is False
    assert any("verification is OFF" in w for w in s.warnings)


def test_demo(started):
    assert cli.main(["--demo"]) == 0
    (s,) = started
    assert s.demo and s.context_name == "demo" and s.cluster_id == DEMO_CLUSTER_ID
    assert s.theme == "bcs-dark"


def test_unknown_theme_flag_lists_the_available_ones(capsys, started):
    assert cli.main(["--demo", "--theme", "nope"]) == 2
    line = one_error_line(capsys)
    assert "unknown theme 'nope'" in line and "bcs-dark" in line and "bcs-ansi" in line


def test_unknown_theme_in_config_falls_back_with_a_warning(tmp_path, started):
    config(tmp_path, 'theme = "gone"\n[contexts.a]\nserver="h"\ncluster_id="C"\n')
    assert cli.main([]) == 0
    (s,) = started
    assert s.theme == "bcs-dark"
    assert any("theme 'gone' not found" in w for w in s.warnings)


def test_broken_user_theme_is_a_warning_not_a_failure(tmp_path, started):
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "mine.toml").write_text('primary = "not-a-colour"\n')
    assert cli.main(["--demo"]) == 0
    (s,) = started
    assert s.theme == "bcs-dark"
    # Chosen by name, the broken theme falls back to the default with a warning.
    started.clear()
    assert cli.main(["--demo", "--theme", "mine"]) == 2
    (tmp_path / "config.toml").write_text('theme = "mine"\n')
    assert cli.main(["--demo"]) == 0
    assert started[0].theme == "bcs-dark"
    assert any("theme 'mine' not found" in w for w in started[0].warnings)


def test_user_theme_can_be_chosen(tmp_path, started):
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "mine.toml").write_text('primary = "#ff8700"\n')
    assert cli.main(["--demo", "--theme", "mine"]) == 0
    assert started[0].theme == "mine"


def test_keymap_is_validated_before_the_app_starts(tmp_path, started):
    config(tmp_path, """
[keymap]
scale = "S"
scael = "x"
[contexts.a]
server = "h"
cluster_id = "C"
[contexts.a.keymap]
exec = "S"
""")
    assert cli.main([]) == 0
    (s,) = started
    assert s.keymap == {"scale": "S", "exec": "S"}  # the unknown id is dropped
    joined = " | ".join(s.warnings)
    assert "unknown action 'scael'" in joined
    assert "exec and scale are both on 'S'" in joined


# --------------------------------------------------------------------------- subcommands


def test_config_path(tmp_path, capsys):
    assert cli.main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "config.toml")


def test_config_show_redacts_tokens(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", TOKEN)
    tok = tmp_path / "t"
    tok.write_text("F" * 32)
    tok.chmod(0o600)
    config(tmp_path, f"""
current_context = "prod"
[contexts.prod]
server = "https://bcs.example.com:8443"
cluster_id = "BCS-MESOS-10001"
read_only = true
production = true
token_env = "PROD_TOKEN"
[contexts.file]
server = "h"
cluster_id = "C"
token_file = "{tok}"
insecure = true
""")
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert TOKEN not in out and "F" * 32 not in out
    assert "[prod]  (current)" in out
    assert "*** (from env $PROD_TOKEN, set)" in out
    assert f"*** (from file {tok})" in out
    assert "INSECURE" in out and "read_only    true" in out
    assert str(tmp_path / "state" / "audit.jsonl") in out


def test_config_show_reports_keymap_problems(tmp_path, capsys):
    config(tmp_path, '[keymap]\nscael = "S"\n[contexts.a]\nserver="h"\ncluster_id="C"\n'
                     '[contexts.a.keymap]\nscale = "d"\n')
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "warning      [keymap]: unknown action 'scael'" in out
    assert "warning      keymap conflict: scale is remapped to 'd', which is already describe's key" in out


def test_config_show_without_a_file(capsys):
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "(does not exist)" in out and "no contexts" in out


def test_config_show_bad_file(tmp_path, capsys):
    config(tmp_path, "nonsense = 1\n")
    assert cli.main(["config", "show"]) == 2
    assert "unknown key 'nonsense'" in one_error_line(capsys)


def test_sim_calls_the_runner(monkeypatch):
    calls = []
    fake = types.ModuleType("bcs_tui.sim.runner")
    fake.run_sim = lambda *args: calls.append(args) or 0
    monkeypatch.setitem(sys.modules, "bcs_tui.sim.runner", fake)
    assert cli.main(["sim"]) == 0
    assert cli.main(["sim", "--host", "127.0.0.2", "--port", "0", "--cluster", "BCS-MESOS-7",
                     "--token", "t0k", "--scale", "large", "--seed", "42"]) == 0
    assert calls == [
        ("127.0.0.1", 8899, DEMO_CLUSTER_ID, None, "demo", 0, None),
        ("127.0.0.2", 0, "BCS-MESOS-7", "t0k", "large", 42, None),
    ]


def test_sim_hostile_flag_reaches_the_runner(monkeypatch):
    calls = []
    fake = types.ModuleType("bcs_tui.sim.runner")
    fake.run_sim = lambda *args, **kw: calls.append(kw) or 0
    monkeypatch.setitem(sys.modules, "bcs_tui.sim.runner", fake)
    assert cli.main(["sim", "--hostile"]) == 0
    assert calls == [{"hostile": True}]


# --------------------------------------------------------------------------- real processes


def _run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO,
                          timeout=60, **kw)


def test_python_dash_m_help_and_bad_flag(tmp_path):
    ok = _run("-m", "bcs_tui", "--help")
    assert ok.returncode == 0 and "usage: bcs-tui" in ok.stdout
    bad = _run("-m", "bcs_tui", "--nope")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and bad.stderr.startswith("bcs-tui: error:")


def test_light_commands_do_not_import_textual_or_the_simulator(tmp_path):
    code = (
        "import sys; from bcs_tui.cli import main\n"
        "main(['--version']); main(['--help']); main(['config', 'path']); main(['config', 'show'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules if m.startswith(('textual', 'bcs_tui.sim', 'httpx', 'uvicorn', 'starlette'))} | {m for m in sys.modules if m.startswith('bcs_tui.sim')})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {"BCS_TUI_CONFIG": str(tmp_path / "c.toml"), "BCS_TUI_STATE_DIR": str(tmp_path / "s"),
           "PATH": "/usr/bin:/bin"}
    proc = _run("-c", code, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stderr


def test_sim_bad_chaos_spec_is_refused_before_starting(monkeypatch, capsys):
    calls = []
    fake = types.ModuleType("bcs_tui.sim.runner")
    fake.run_sim = lambda *args: calls.append(args) or 0
    monkeypatch.setitem(sys.modules, "bcs_tui.sim.runner", fake)
    assert cli.main(["sim", "--chaos", "latncy=300ms"]) == 2
    assert one_error_line(capsys).startswith("bcs-tui: error: --chaos: unknown key 'latncy'")
    assert calls == []
    assert cli.main(["sim", "--chaos", "latency=300ms,error=0.1"]) == 0
    assert calls[0][-1] == "latency=300ms,error=0.1"


def test_config_example_is_a_valid_config(tmp_path, capsys, monkeypatch):
    assert cli.main(["config", "example"]) == 0
    text = capsys.readouterr().out
    config(tmp_path, text)
    from bcs_tui.config import load_config, resolve_settings

    cfg = load_config(tmp_path / "config.toml")
    assert set(cfg.contexts) == {"prod-sh", "test", "local-sim"}
    prod = cfg.contexts["prod-sh"]
    assert prod.read_only and prod.production and prod.namespace == "hero-prod"
    monkeypatch.setenv("BCS_PROD_TOKEN", TOKEN)
    assert resolve_settings(cfg).token.reveal() == TOKEN
    assert cli.main(["config", "show"]) == 0
    assert TOKEN not in capsys.readouterr().out


# --------------------------------------------------------------------------- bcs-client's bcs.conf


def bcs_conf(tmp_path: Path, monkeypatch, conf: dict, env: dict | None = None) -> Path:
    import json

    folder = tmp_path / "var-bcs"
    folder.mkdir()
    path = folder / "bcs.conf"
    path.write_text(json.dumps(conf))
    path.chmod(0o600)
    if env is not None:
        (folder / "bcsenv.conf").write_text(json.dumps(env))
    monkeypatch.setenv("BCS_CLIENT_CONF", str(path))
    return path


def test_no_config_of_our_own_uses_bcs_conf(tmp_path, monkeypatch, started):
    bcs_conf(tmp_path, monkeypatch, {"apiserver": "127.0.0.1:8081", "bcs_token": TOKEN},
             {"clusterid": "BCS-MESOS-30003", "namespace": "ns1"})
    assert cli.main([]) == 0
    (settings,) = started
    assert (settings.context.name, settings.server, settings.cluster_id, settings.namespace) == (
        "bcs-client", "http://127.0.0.1:8081", "BCS-MESOS-30003", "ns1")
    assert settings.token.reveal() == TOKEN
    assert settings.warnings[0].startswith("using bcs-client's config ")  # said on screen at start


def test_bcs_conf_without_a_cluster_id_is_one_line(tmp_path, monkeypatch, started, capsys):
    bcs_conf(tmp_path, monkeypatch, {"apiserver": "127.0.0.1:8081"})
    assert cli.main([]) == 2
    assert "no cluster id" in one_error_line(capsys)
    assert cli.main(["--cluster", "BCS-MESOS-1"]) == 0 and started[0].cluster_id == "BCS-MESOS-1"


def test_bcs_client_conf_none_turns_it_off(tmp_path, monkeypatch, started, capsys):
    monkeypatch.setenv("BCS_CLIENT_CONF", "none")
    assert cli.main([]) == 2
    assert "no cluster chosen" in one_error_line(capsys)
    assert cli.main(["config", "show"]) == 0
    assert "bcs-client config: not used ($BCS_CLIENT_CONF=none)" in capsys.readouterr().out


def test_config_show_explains_where_bcs_conf_values_come_from(tmp_path, monkeypatch, capsys):
    bcs_conf(tmp_path, monkeypatch, {"apiserver": "10.0.0.5:8081", "bcs_token": TOKEN},
             {"clusterid": "BCS-MESOS-30003"})
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert TOKEN not in out
    assert "(used: bcs-tui has no contexts of its own)" in out
    assert "http://10.0.0.5:8081  <- apiserver '10.0.0.5:8081' in bcs.conf + http:// (bcs-client's rule: not all three TLS files are set)" in out
    assert "BCS-MESOS-30003  <- clusterid in bcsenv.conf" in out
    assert "***  <- bcs_token in bcs.conf" in out
    assert "bcs-tui config import-bcs-client" in out
    # with a context of our own, bcs.conf is listed as not used
    config(tmp_path, '[contexts.a]\nserver = "https://h:1"\ncluster_id = "C"\n')
    assert cli.main(["config", "show"]) == 0
    assert "(not used: bcs-tui's own contexts come first)" in capsys.readouterr().out


def test_config_import_bcs_client_prints_what_it_wrote(tmp_path, monkeypatch, capsys):
    path = bcs_conf(tmp_path, monkeypatch, {"apiserver": "127.0.0.1:8081", "bcs_token": TOKEN},
                    {"clusterid": "BCS-MESOS-30003"})
    monkeypatch.delenv("BCS_CLIENT_CONF")
    assert cli.main(["config", "import-bcs-client", str(path), "--name", "sh"]) == 0
    out = capsys.readouterr().out
    assert TOKEN not in out and "[contexts.sh]" in out and "(mode 600; not in the config)" in out
    assert "start it with: bcs-tui\n" in out
    # no PATH: the default /var/bcs/bcs.conf (or $BCS_CLIENT_CONF)
    monkeypatch.setenv("BCS_CLIENT_CONF", str(tmp_path / "missing.conf"))
    assert cli.main(["config", "import-bcs-client"]) == 2
    assert "bcs-client config does not exist" in one_error_line(capsys)


def test_context_timeout_setting(tmp_path, started, capsys):
    config(tmp_path, '[contexts.a]\nserver = "https://h:1"\ncluster_id = "C"\ntimeout = 30\n')
    assert cli.main([]) == 0
    assert started[0].context.timeout == 30.0
    config(tmp_path, '[contexts.a]\nserver = "https://h:1"\ncluster_id = "C"\ntimeout = 0\n')
    assert cli.main([]) == 2
    assert "timeout must be more than 0 and at most 600 seconds" in one_error_line(capsys)


def test_one_version_source():
    import importlib.metadata
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert importlib.metadata.version("bcs-tui") == bcs_tui.__version__
