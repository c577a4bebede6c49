"""What the console remembers between runs: the last context, and per context its namespace and view.

`last.json` in the state directory (mode 600)::

    {"context": "prod-sh",
     "contexts": {"prod-sh": {"namespace": "hero-prod", "view": "taskgroups"},
                  "test": {"namespace": "", "view": "agents"}}}      # "" = all namespaces

`apply()` restores it at start where the command line says nothing (`--context`, `--server`,
`--namespace`, `--command` win; a remembered context that is no longer in the config is
ignored); `save()` writes it after a normal exit. The demo is never remembered. The file is
local state, not trusted input: anything odd in it is ignored, never an error.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from bcs_tui.localfiles import LocalFileError, read_bounded

FILE_NAME = "last.json"
MAX_BYTES = 256 * 1024
MAX_CONTEXTS = 200
_WORD = re.compile(r"^[A-Za-z0-9._-]{1,200}$")


def state_file(state_dir: Path | str) -> Path:
    return Path(state_dir) / FILE_NAME


def load(state_dir: Path | str) -> dict[str, Any]:
    """The remembered state, cleaned: only names made of safe characters survive."""
    try:
        # bounded, regular files only (a FIFO or /dev/zero put there must not hang the start)
        data = json.loads(read_bounded(state_file(state_dir), limit=MAX_BYTES, what="state file").data)
    except (LocalFileError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, Any] = {"contexts": {}}
    if isinstance(data.get("context"), str) and _WORD.match(data["context"]):
        out["context"] = data["context"]
    contexts = data.get("contexts")
    if isinstance(contexts, dict):
        for name, entry in list(contexts.items())[:MAX_CONTEXTS]:
            if not (isinstance(name, str) and _WORD.match(name) and isinstance(entry, dict)):
                continue
            clean: dict[str, str] = {}
            ns = entry.get("namespace")
            if isinstance(ns, str) and (ns == "" or _WORD.match(ns)):
                clean["namespace"] = ns
            view = entry.get("view")
            if isinstance(view, str) and _WORD.match(view):
                clean["view"] = view
            out["contexts"][name] = clean
    return out


def save(state_dir: Path | str, context: str, namespace: str | None, view: str | None) -> None:
    """Remember `context` as the last one and its namespace (None = all) and view. Never raises."""
    if not _WORD.match(context or ""):
        return
    data = load(state_dir)
    entry: dict[str, str] = {"namespace": namespace or ""}
    if view and _WORD.match(view):
        entry["view"] = view
    contexts = {k: v for k, v in data.get("contexts", {}).items() if k != context}
    contexts[context] = entry
    data = {"context": context, "contexts": dict(list(contexts.items())[-MAX_CONTEXTS:])}
    path = state_file(state_dir)
    tmp = path.with_name(FILE_NAME + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        pass


def remembered_context(state_dir: Path | str, known: Any) -> str | None:
    """The last context, if it is still one of `known` (the config's context names)."""
    name = load(state_dir).get("context")
    return name if name in known else None


def apply(settings: Any, *, namespace_given: bool, command_given: bool) -> None:
    """Restore the namespace and view remembered for `settings.context` (unless given)."""
    if getattr(settings, "demo", False):
        return
    entry = load(settings.paths.state_dir).get("contexts", {}).get(settings.context.name)
    if not entry:
        return
    if not namespace_given and "namespace" in entry:
        settings.context = replace(settings.context, namespace=entry["namespace"] or None)
    if not command_given and entry.get("view"):
        settings.initial_command = entry["view"]
