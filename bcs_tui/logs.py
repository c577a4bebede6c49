"""The log file: `bcs-tui.log` in the state directory, rotated, tokens scrubbed.

`setup_logging(state_dir, debug=False)` attaches one `RotatingFileHandler` (1 MB x 3 old files,
mode 600, the directory 700) to the root logger: INFO and up from bcs-tui, WARNING and up from
the libraries; `--debug` adds bcs-tui's DEBUG lines and one line per HTTP request (httpx's own
INFO line: method, URL, status; never headers or bodies). Every line is passed through
`bcs_tui.api.errors.redact` (registered secrets and any `Bearer xxx` become `***`), tracebacks
included. A log that cannot be written never stops the console: `setup_logging` returns the
reason instead.

This module imports only the standard library and `bcs_tui.api.errors` (no UI).
"""

from __future__ import annotations

import logging
import os
import platform
import sys
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

from bcs_tui.api.errors import redact, register_secret

LOG_NAME = "bcs-tui.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Libraries that would say too much (httpcore: connection internals) stay at WARNING even in
# --debug; httpx says one line per request at INFO.
QUIET = ("httpcore", "asyncio", "uvicorn", "uvicorn.error", "uvicorn.access", "markdown_it")


def log_path(state_dir: Path | str) -> Path:
    return Path(state_dir) / LOG_NAME


class RedactingFormatter(logging.Formatter):
    """Scrubs the whole formatted record (message, arguments and traceback) of secrets."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Like RotatingFileHandler, but every file it opens (also after a rollover) is mode 600."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


@dataclass
class LogSetup:
    path: Path
    handler: logging.Handler | None
    error: str | None = None  # why there is no log file, for a start-up warning

    def close(self) -> None:
        """Detach and close the handler (tests; the process end does it otherwise)."""
        if self.handler is not None:
            logging.getLogger().removeHandler(self.handler)
            self.handler.close()
            self.handler = None


def setup_logging(state_dir: Path | str, *, debug: bool = False, secrets: tuple[str, ...] = ()) -> LogSetup:
    """Log to `state_dir/bcs-tui.log`; `secrets` (a token, a key password) are scrubbed too."""
    for secret in secrets:
        register_secret(secret)
    path = log_path(state_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", errors="backslashreplace")
        os.chmod(path, 0o600)
    except OSError as exc:
        return LogSetup(path, None, f"no log file: cannot write {path} ({exc.strerror or exc})")
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.setLevel(logging.DEBUG if debug else logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("bcs_tui").setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("httpx").setLevel(logging.INFO if debug else logging.WARNING)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return LogSetup(path, handler)


def log_start(context: str, server: str, cluster_id: str, *, read_only: bool, debug: bool,
              version: str) -> None:
    """The first lines of a run: what a bug report needs (never the token)."""
    log = logging.getLogger("bcs_tui")
    log.info("bcs-tui %s starting (python %s, %s)%s", version, platform.python_version(), sys.platform,
             " debug" if debug else "")
    log.info("context %s: server %s, cluster %s%s", context, server or "(simulator)", cluster_id,
             ", read-only" if read_only else "")
