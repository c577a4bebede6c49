"""Append-only JSONL audit of every mutating request the console sends (or refuses to send).

Write-ahead: a write gets an `intent` line before it is sent and an `outcome` line when its answer
(or its failure) is known; both carry the same `id` and `time` (the send's time; the outcome line
adds `finished`). An intent line without an outcome line is a write whose outcome is unknown (the
console stopped while it was in flight). Refusals (read-only) and local validation failures get one
line. Each line: time, context, cluster, method, path, query, outcome, code and message (plus the
client operation, the targets and the X-BCS-Operator user when known). Never the token, never
request bodies (a secret's contents must not land on disk in clear).
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import platformdirs

APP_NAME = "bcs-tui"


def default_audit_path() -> Path:
    """`<platformdirs state dir>/bcs-tui/audit.jsonl`."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / "audit.jsonl"


class AuditLog:
    """An append-only JSONL file. The directory is created 0700 and the file 0600.

    `record()` never raises: an audit failure is kept in `last_error` (the UI may show it) so a
    full disk cannot crash the console in the middle of an incident.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_audit_path()
        self.last_error: str | None = None
        self._lock = threading.Lock()

    def _ensure_dir(self) -> None:
        parent = self.path.parent
        if not parent.exists():
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(parent, 0o700)  # mkdir's mode is masked by the umask

    def record(
        self,
        *,
        context: str,
        cluster: str,
        method: str,
        path: str,
        query: Mapping[str, Any] | None = None,
        outcome: str,
        code: int | None = None,
        message: str = "",
        http_status: int | None = None,
        operator: str | None = None,
        operation: str | None = None,
        time: str | None = None,
        phase: str | None = None,
        write_id: str | None = None,
        targets: list[str] | tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """Append one line; returns the entry written. `outcome` is one of ok, error, unknown
        (a write that timed out), refused (read-only), invalid (local validation failed), or
        pending on an intent line. `time` is the send's time (default now); `phase` is intent or
        outcome for a sent write. A failure to write is kept in `last_error` (and not raised)."""
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {
            "time": time or now,
            "context": context,
            "cluster": cluster,
            "method": method,
            "path": path,
            "query": dict(query or {}),
            "outcome": outcome,
            "code": code,
            "message": message,
        }
        if http_status is not None:
            entry["http_status"] = http_status
        if operator:
            entry["operator"] = operator
        if operation:
            entry["operation"] = operation
        if phase:
            entry["phase"] = phase
        if write_id:
            entry["id"] = write_id
        if targets:
            entry["targets"] = list(targets)
        if phase == "outcome":
            entry["finished"] = now
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        try:
            with self._lock:
                self._ensure_dir()
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode("utf-8"))
                finally:
                    os.close(fd)
            self.last_error = None
        except OSError as exc:
            self.last_error = f"audit log {self.path}: {exc.strerror or exc}"
        return entry

    def open_intents(self) -> list[dict[str, Any]]:
        """Intent lines with no outcome line: writes whose outcome this log does not know."""
        entries = self.entries()
        done = {e.get("id") for e in entries if e.get("phase") == "outcome"}
        return [e for e in entries if e.get("phase") == "intent" and e.get("id") not in done]

    def entries(self) -> list[dict[str, Any]]:
        """Every entry in the file (for tests and an audit view); unreadable lines are skipped."""
        out: list[dict[str, Any]] = []
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return out
        for line in text.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                out.append(item)
        return out
