"""Coloured unified diffs of JSON definitions (edit and rollback confirmations)."""

from __future__ import annotations

import difflib
import json
from typing import Any

from rich.text import Text

from bcs_tui.ui.textsafe import safe_text


def pretty_json(obj: Any) -> str:
    """The canonical text both sides of a diff are rendered to (so key order and spacing in the
    editor do not show up as changes)."""
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def diff_lines(old: Any, new: Any, *, old_label: str = "live", new_label: str = "new",
               context: int = 3) -> list[str]:
    old_text = old if isinstance(old, str) else pretty_json(old)
    new_text = new if isinstance(new, str) else pretty_json(new)
    return list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(),
                                     fromfile=old_label, tofile=new_label, lineterm="", n=context))


def diff_stats(lines: list[str]) -> tuple[int, int]:
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return added, removed


def render_diff(old: Any, new: Any, *, old_label: str = "live", new_label: str = "new",
                max_lines: int = 400) -> Text:
    """The diff as coloured text; says so plainly when there is no change."""
    lines = diff_lines(old, new, old_label=old_label, new_label=new_label)
    out = Text()
    if not lines:
        out.append("No change against the live definition.", style="bold yellow")
        return out
    added, removed = diff_stats(lines)
    out.append(f"+{added} -{removed} lines\n", style="bold")
    for line in lines[:max_lines]:
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        else:
            style = "dim"
        out.append(safe_text(line) + "\n", style=style)
    if len(lines) > max_lines:
        out.append(f"… {len(lines) - max_lines} more diff lines\n", style="bold")
    return out
