"""The README's generated key and view tables still say what the code binds."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_tables_match_the_code():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_quick_start_is_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "uv run bcs-tui --demo" in text and "uv run pytest" in text
