"""`bcs-tui completion bash|zsh|fish`: generated from the argparse parsers, and it completes.

bash is driven for real (COMP_WORDS set, the function called, COMPREPLY read); fish with
`complete -C`; zsh is syntax-checked (its completion needs an interactive shell). Shells that
are not installed are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bcs_tui import cli

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[contexts.prod-sh]\nserver = "https://h:1"\ncluster_id = "C"\n'
                   '[contexts.test]\nserver = "https://t:1"\ncluster_id = "D"\n')
    monkeypatch.setenv("BCS_TUI_CONFIG", str(cfg))
    bindir = tmp_path / "bin"
    bindir.mkdir()
    # the scripts call `bcs-tui config contexts`: this checkout's, whatever is installed
    (bindir / "bcs-tui").write_text(f"#!/bin/sh\nexec {sys.executable} -m bcs_tui \"$@\"\n")
    (bindir / "bcs-tui").chmod(0o755)
    return {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "BCS_TUI_CONFIG": str(cfg),
            "PYTHONPATH": str(REPO)}


def script(shell: str, capsys) -> str:
    assert cli.main(["completion", shell]) == 0
    return capsys.readouterr().out


def every_flag(parser) -> set[str]:
    return {f for a in parser._actions for f in a.option_strings}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_option_of_every_parser_is_in_the_script(shell, capsys):
    text = script(shell, capsys)
    flags = every_flag(cli._console_parser()) | every_flag(cli._sim_parser())
    for flag in sorted(flags):
        word = flag if shell != "fish" else (f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
        assert word in text, (shell, flag)
    for word in ("sim", "config", "completion", "import-bcs-client", "bcs-nord"):
        assert word in text


def test_bad_shell_is_one_line(capsys):
    assert cli.main(["completion", "tcsh"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'tcsh'" in err and len(err.splitlines()) == 1


def bash_complete(source: str, words: list[str], env: dict) -> list[str]:
    prog = (source + '\nCOMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _bcs_tui; '
            'printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", prog, "bash", *words], capture_output=True, text=True, env=env,
                         timeout=60, check=True)
    return out.stdout.split()


@pytest.mark.skipif(not shutil.which("bash"), reason="no bash")
def test_bash_completes_options_values_subcommands_and_contexts(capsys, env):
    source = script("bash", capsys)
    assert bash_complete(source, ["bcs-tui", "--rea"], env) == ["--readonly", "--read-only"]
    assert bash_complete(source, ["bcs-tui", "sim", "--scale", ""], env) == ["demo", "large", "xlarge", "empty"]
    assert "import-bcs-client" in bash_complete(source, ["bcs-tui", "config", ""], env)
    assert bash_complete(source, ["bcs-tui", "completion", "z"], env) == ["zsh"]
    assert bash_complete(source, ["bcs-tui", "--theme", "bcs-n"], env) == ["bcs-nord"]
    assert bash_complete(source, ["bcs-tui", "--context", ""], env) == ["prod-sh", "test"]
    assert bash_complete(source, ["bcs-tui", "--demo", "--refresh", ""], env) == []  # a number: nothing offered


@pytest.mark.skipif(not shutil.which("fish"), reason="no fish")
def test_fish_completes(capsys, env, tmp_path):
    path = tmp_path / "bcs-tui.fish"
    path.write_text(script("fish", capsys))

    def complete(line: str) -> list[str]:
        out = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C {line!r}"],
                             capture_output=True, text=True, env=env, timeout=60, check=True)
        return [ln.split("\t")[0] for ln in out.stdout.splitlines()]

    assert complete("bcs-tui sim --scale ") == ["demo", "empty", "large", "xlarge"]
    assert "import-bcs-client" in complete("bcs-tui config ")
    assert complete("bcs-tui --context ") == ["prod-sh", "test"]


@pytest.mark.skipif(not shutil.which("zsh"), reason="no zsh")
def test_zsh_script_parses(capsys, tmp_path):
    path = tmp_path / "_bcs-tui"
    path.write_text(script("zsh", capsys))
    assert path.read_text().startswith("#compdef bcs-tui")
    subprocess.run(["zsh", "-n", str(path)], check=True, timeout=60)


def test_config_contexts_lists_names_without_resolving_tokens(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[contexts.a]\nserver = "https://h:1"\ncluster_id = "C"\ntoken_command = "false"\n')
    monkeypatch.setenv("BCS_TUI_CONFIG", str(cfg))
    assert cli.main(["config", "contexts"]) == 0
    assert capsys.readouterr().out == "a\n"
