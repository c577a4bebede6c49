"""Signals: the console ends cleanly on SIGTERM, SIGHUP, SIGQUIT and SIGUSR1, and never lingers.

- The exit code is 128 + the signal's number (143 for SIGTERM, 129 for SIGHUP), as a shell
  reports a process ended by a signal, so a supervisor or a script can tell.
- The terminal is restored (alternate screen left, mouse reporting off, cursor shown, the tty's
  modes back) through Textual's normal shutdown.
- The handlers are Python-level `signal.signal` handlers, not asyncio's: they run even while the
  event loop is blocked (an $EDITOR is open: the app waits for it in App.suspend). A running
  editor is asked to end first.
- A watchdog thread ends the process after a short grace if the shutdown does not finish: when
  the terminal is gone (a closed tmux pane, a dropped SSH session) Textual's writer thread can
  die on EIO and its shutdown then blocks for ever on a full queue (`WriterThread.stop` ->
  `Queue.put`); such a process ignored SIGTERM and lived on under PID 1. The watchdog restores
  what it can of the terminal and calls `os._exit` with the same code. A second signal does
  the same at once.

`install(app)` is called from the app's on_mount; `remember_terminal()` from the CLI before the
app starts (the tty modes to restore).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

from bcs_tui import children

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1)
GRACE = 3.0  # seconds for a clean shutdown
GRACE_HANGUP = 1.0  # the terminal is gone: nothing to restore, do not wait long

# What Textual's driver writes when it leaves application mode, in one piece.
RESTORE = (
    "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l"  # mouse reporting off
    "\x1b[?2004l\x1b[?2048l\x1b[?1004l"  # bracketed paste, in-band resize, focus events off
    "\x1b[<u\x1b[?7h\x1b[?1049l\x1b[?25h"  # kitty keys off, wrap on, main screen, cursor shown
)

_tty_modes: list[Any] | None = None
_exiting: list[int] = []


def exit_code(signum: int) -> int:
    return 128 + int(signum)


def remember_terminal() -> None:
    """Save the tty's modes before the app switches it to raw mode (for the emergency exit)."""
    global _tty_modes
    try:
        import termios

        if sys.__stdin__ is not None and sys.__stdin__.isatty():
            _tty_modes = termios.tcgetattr(sys.__stdin__.fileno())
    except Exception:
        _tty_modes = None


def restore_terminal() -> None:
    """Best effort, never blocking: the sequences that leave the console's screen modes, and the
    saved tty modes."""
    try:
        fd = sys.__stderr__.fileno() if sys.__stderr__ is not None else 2
        os.set_blocking(fd, False)
        os.write(fd, RESTORE.encode())
    except Exception:
        pass
    if _tty_modes is not None:
        try:
            import termios

            termios.tcsetattr(sys.__stdin__.fileno(), termios.TCSANOW, _tty_modes)  # type: ignore[union-attr]
        except Exception:
            pass


def emergency_exit(code: int) -> None:
    """The shutdown did not finish: end the editor, restore the terminal, go."""
    children.end_interactive(signal.SIGKILL)
    restore_terminal()
    os._exit(code)


def _watchdog(code: int, grace: float) -> None:
    time.sleep(grace)
    emergency_exit(code)


def install(app: Any) -> None:
    """Handle the exit signals for `app` (a running, non-headless Textual app, main thread)."""
    if getattr(app, "is_headless", False) or threading.current_thread() is not threading.main_thread():
        return
    import asyncio

    loop = asyncio.get_running_loop()

    def handler(signum: int, _frame: Any) -> None:
        code = exit_code(signum)
        if _exiting:
            emergency_exit(_exiting[0])
        _exiting.append(code)
        hangup = signum == signal.SIGHUP
        # An open $EDITOR holds the event loop (App.suspend): end it so the app can shut down.
        children.end_interactive(signal.SIGHUP if hangup else signal.SIGTERM)
        threading.Thread(target=_watchdog, args=(code, GRACE_HANGUP if hangup else GRACE),
                         name="bcs-tui-exit-watchdog", daemon=True).start()
        try:
            loop.call_soon_threadsafe(app.exit, None, code)
        except RuntimeError:  # the loop is already closed
            emergency_exit(code)

    for sig in EXIT_SIGNALS:
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError):  # pragma: no cover - not the main thread / not supported
            pass
