"""The `$EDITOR` round-trip of the manifest editor (issue 16: 1 and 10): an editor that saves
invalid UTF-8, deletes the file, leaves a directory in its place or fails keeps the text and says
so; the private temp dir is gone afterwards; the editor never gets the token.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Static

from bcs_tui.redact import register_secret
from bcs_tui.ui.modals.manifest import ManifestEditor
from bcs_tui.ui.validators import ManifestRules

TOKEN = "Zk3u8QpLr2Vb7NcX1mWy9TaE4sHd6JgF"
TEXT = '{"kind": "configmap", "metadata": {"name": "x", "namespace": "ns"}}'

EDITOR = """
import json, os, shutil, sys
path, log, mode = sys.argv[1], sys.argv[2], sys.argv[3]
with open(log, "w") as fh:
    json.dump({"path": path, "env": dict(os.environ)}, fh)
if mode == "invalid-utf8":
    open(path, "wb").write(b'{"kind": "\\xff\\xfe"}')
elif mode == "delete":
    os.remove(path)
elif mode == "directory":
    os.remove(path); os.mkdir(path); open(os.path.join(path, "x"), "w").write("x")
elif mode == "fail":
    sys.exit(3)
elif mode == "good":
    open(path, "w").write('{"kind": "configmap", "metadata": {"name": "edited", "namespace": "ns"}}')
"""


class Host(App):
    def suspend(self):  # no terminal to hand over in a headless test
        return contextlib.nullcontext()


def _editor(tmp_path: Path, monkeypatch, mode: str) -> Path:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    log = tmp_path / "editor.json"
    monkeypatch.delenv("VISUAL", raising=False)
    # the editor gets the file as its last argument (`$EDITOR <file>`): the script wants it first
    monkeypatch.setenv("EDITOR", shlex.join([sys.executable, "-c",
                                             f"import sys, runpy; sys.argv = [sys.argv[0], sys.argv[-1], "
                                             f"{str(log)!r}, {mode!r}]; runpy.run_path({str(script)!r}, run_name='__main__')"]))
    return log


async def _round_trip(tmp_path, monkeypatch, mode: str) -> tuple[str, str, dict]:
    log = _editor(tmp_path, monkeypatch, mode)
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        editor = ManifestEditor("Edit", TEXT, ManifestRules(kinds=("configmap",)))
        app.push_screen(editor)
        await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.is_running and app.screen is editor
        note = str(editor.query_one("#manifest-error", Static).render())
        text = editor.text
    seen = json.loads(log.read_text())
    assert not os.path.exists(os.path.dirname(seen["path"]))  # the private temp dir is removed
    return text, note, seen


@pytest.mark.parametrize("mode, said", [("invalid-utf8", "not UTF-8"), ("delete", "was deleted"),
                                        ("directory", "not a regular file"), ("fail", "exited with code 3")])
async def test_1_a_misbehaving_editor_keeps_the_text_and_says_so(tmp_path, monkeypatch, mode, said):
    text, note, _ = await _round_trip(tmp_path, monkeypatch, mode)
    assert text == TEXT
    assert said in note and "discarded" in note
    assert "\\xff" not in note and "\ufffd" not in note  # the file's bytes are not shown


async def test_1_an_edit_comes_back_and_the_editor_never_sees_the_token(tmp_path, monkeypatch):
    register_secret(TOKEN)
    monkeypatch.setenv("BCS_TOKEN", TOKEN)
    monkeypatch.setenv("SOMETHING", f"Bearer {TOKEN}")
    text, note, seen = await _round_trip(tmp_path, monkeypatch, "good")
    assert '"edited"' in text and "loaded back" in note
    assert "BCS_TOKEN" not in seen["env"] and all(TOKEN not in v for v in seen["env"].values())
