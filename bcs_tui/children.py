"""The one way bcs-tui starts another program: token commands, key-password commands, $EDITOR.

- `child_env()`: the environment a child gets. No token reaches a child: `BCS_TOKEN`, every
  variable a context names as its `token_env`, and any variable whose value holds a registered
  secret (bcs_tui.redact) are removed.
- `run_captured(argv, timeout=...)`: a command whose output we read (a token command). It runs
  in its own session (no controlling terminal: it cannot prompt inside the console's raw-mode
  screen) with stdin from /dev/null and a cap on its output. On a timeout the whole process
  group is killed. When the command has exited but a background child of it still holds stdout
  open, the output read so far is used after a short grace and that process group is killed
  (else the console would wait for the orphan and leave it running).
- `run_interactive(argv)`: a program that takes over the terminal ($EDITOR). Like system(3),
  SIGINT and SIGQUIT are ignored by the console while it runs (they are the editor's); a
  SIGTERM/SIGHUP of the console ends it (`end_interactive`, called by the signal handler).

Nothing here imports the rest of bcs_tui except bcs_tui.redact.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Mapping, Sequence

from bcs_tui.redact import contains_secret

TOKEN_ENV = "BCS_TOKEN"
OUTPUT_LIMIT = 64 * 1024
LINGER_GRACE = 0.5  # seconds to wait for EOF after the command itself exited

_SECRET_ENV: set[str] = {TOKEN_ENV}
_INTERACTIVE: set[subprocess.Popen[bytes]] = set()


class ChildError(Exception):
    """A child could not run or misbehaved; the message is one line."""


class ChildTimeout(ChildError):
    pass


def register_secret_env(name: str) -> None:
    """An environment variable that holds a token (a context's `token_env`): never passed on."""
    if name:
        _SECRET_ENV.add(name)


def child_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default os.environ) without any variable that carries a token."""
    env = dict(os.environ if base is None else base)
    for key in list(env):
        if key in _SECRET_ENV or contains_secret(env[key]):
            del env[key]
    return env


@dataclass(frozen=True)
class Captured:
    returncode: int
    stdout: bytes
    stderr: bytes
    lingered: bool = False  # a background child kept the output open and was killed


def _kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_captured(argv: Sequence[str], *, timeout: float, limit: int = OUTPUT_LIMIT,
                 grace: float = LINGER_GRACE) -> Captured:
    """Run `argv`, read its stdout and stderr (at most `limit` bytes each) within `timeout`.

    Raises FileNotFoundError / OSError when it cannot start, ChildTimeout, or ChildError when the
    output is too big."""
    proc = subprocess.Popen(
        list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=child_env(), start_new_session=True, close_fds=True,
    )
    pgid = proc.pid  # the leader of its own session and process group
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    bufs = {out_fd: bytearray(), err_fd: bytearray()}
    sel = selectors.DefaultSelector()
    for fd in bufs:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    exited_at: float | None = None
    problem: ChildError | None = None
    lingered = False
    try:
        while sel.get_map():
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > grace:
                lingered = True
                break
            if now > deadline:
                problem = ChildTimeout(f"did not finish within {timeout:g} seconds")
                break
            for key, _ in sel.select(min(deadline - now, 0.05)):
                try:
                    data = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(key.fd)
                    continue
                buf = bufs[key.fd]
                if len(buf) + len(data) > limit:
                    problem = ChildError(f"wrote more than {limit // 1024} KB")
                    break
                buf += data
            if problem is not None:
                break
    finally:
        sel.close()
        if problem is not None or lingered or proc.poll() is None:
            _kill_group(pgid)
        proc.stdout.close()
        proc.stderr.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL did not take
            pass
    if problem is not None:
        raise problem
    code = proc.returncode if proc.returncode is not None else -signal.SIGKILL
    return Captured(code, bytes(bufs[out_fd]), bytes(bufs[err_fd]), lingered)


def run_interactive(argv: Sequence[str]) -> int:
    """Run a program on the terminal (the app is suspended) and wait for it; its exit code."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGQUIT)}
    proc = subprocess.Popen(list(argv), env=child_env(), close_fds=True)
    _INTERACTIVE.add(proc)
    try:
        for sig in saved:
            signal.signal(sig, signal.SIG_IGN)
        return proc.wait()
    finally:
        _INTERACTIVE.discard(proc)
        for sig, handler in saved.items():
            if handler is not None:
                signal.signal(sig, handler)
        if proc.poll() is None:  # an exception (a signal handler's) cut the wait short
            proc.terminate()


def end_interactive(sig: int = signal.SIGTERM) -> None:
    """Ask every running interactive child (the editor) to end: the console is going away."""
    for proc in list(_INTERACTIVE):
        if proc.poll() is None:
            try:
                proc.send_signal(sig)
            except OSError:
                pass


def interactive_running() -> bool:
    return any(p.poll() is None for p in _INTERACTIVE)
