"""A shell in a container from the keyboard (k9s's `s`, bcs-client's `exec -it`).

`s` on a taskgroup or a container (`!` on an application, which then asks for the taskgroup and
container) asks for the command (default /bin/sh, remembered per application in the state dir),
confirms on a production context, creates the exec and opens its websocket
(`bcs_tui.api.webconsole`), then suspends the console (Textual's public `App.suspend()`), puts the
terminal in raw mode and bridges it to the websocket: keystrokes go out as binary frames, output
comes back to the terminal, the size goes out at start and on every SIGWINCH (resize_exec). The
console comes back exactly where it was (same screen stack, same cursor) when the shell ends, the
connection drops, or the user types the detach sequence, ssh's: Enter `~` `.` (`~~` sends a `~`).

The terminal is restored in a `finally` whatever happens: exit, cut connection, SIGTERM (the app
cancels its workers on exit, which runs the `finally`). A shell is a write: the action is hidden
and refused in read-only mode (and the client refuses create_exec itself), confirmed on production
contexts, audited (opened / closed with target, command and duration; never keystrokes), and, with
`record_shells = true` in the context, recorded (the output only, asciicast v2) to a 0600 file
under `<state dir>/shells/`.

The shell's output is the container's terminal output and goes to the terminal as it is (that is
what a shell is, as with ssh); everything bcs-tui itself writes around it (the banner, the proxy's
text-frame messages, target names) goes through `safe_text`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from bcs_tui.localfiles import LocalFileError, read_text
from bcs_tui.resources import (
    KINDS_BY_NAME,
    containers_of,
    g,
    object_name,
    object_namespace,
    task_info,
    tg_app,
    tg_host_ip,
    tg_short_name,
)
from bcs_tui.ui.textsafe import one_line, safe_text
from bcs_tui.ui.validators import InvalidInput

DEFAULT_COMMAND = "/bin/sh"
ESCAPE = b"~"
DETACH_HELP = "Enter ~ . detaches (~~ sends a ~)"
MEMORY_FILE = "shell_commands.json"
MEMORY_LIMIT = 256 * 1024  # a few remembered commands; a bigger file is not ours
RECORD_DIR = "shells"


# ---------------------------------------------------------------------------------------------
# Targets


@dataclass
class ShellChoice:
    """One container a shell can go into, as the user sees it."""

    host_ip: str
    container_id: str  # the full docker ID
    namespace: str
    application: str
    taskgroup: str  # short name, e.g. web-0
    container: str  # short name, e.g. web-0.0
    taskgroup_status: str
    container_status: str

    @property
    def label(self) -> str:
        return f"container {self.container} of taskgroup {self.namespace}/{self.taskgroup}"

    @property
    def option(self) -> str:
        return (f"{self.taskgroup} / {self.container}  {self.container_status or '?'}  "
                f"on {self.host_ip or '-'}  {self.container_id[:12]}")

    def refusal(self) -> str | None:
        """Why a shell cannot start here (said before anything is sent), or None."""
        if self.taskgroup_status != "Running":
            return (f"taskgroup {self.namespace}/{self.taskgroup} is {self.taskgroup_status or 'in no state'}: "
                    "a shell needs a running container")
        if self.container_status and self.container_status != "Running":
            return f"{self.label} is {self.container_status}: a shell needs a running container"
        if not self.host_ip:
            return f"taskgroup {self.namespace}/{self.taskgroup} has no host yet"
        if not self.container_id:
            return f"{self.label} has no container ID yet (not started?)"
        return None


def full_container_id(row: Any) -> str:
    """The docker ID of a ContainerRow (the table shows 12 characters; create_exec gets all)."""
    source = row.source
    cid = g(task_info(source), "id", "ID") or g(source, "container_id", "containerID") or row.container_id
    return str(cid or "")


def choices_of(tg: Any) -> list[ShellChoice]:
    ns = object_namespace(tg)
    out = []
    for row in containers_of(tg):
        out.append(ShellChoice(
            host_ip=tg_host_ip(tg), container_id=full_container_id(row), namespace=ns,
            application=tg_app(tg), taskgroup=tg_short_name(tg), container=row.name,
            taskgroup_status=str(g(tg, "status", "Status", default="") or ""),
            container_status=row.status))
    return out


async def fresh_taskgroup(client: Any, tg: Any) -> Any:
    """The taskgroup re-read (1 request): status and container IDs as they are now."""
    inspect = KINDS_BY_NAME["taskgroups"].inspect
    return await inspect(client, tg) if inspect is not None else tg


async def choices_for(client: Any, kind: str, targets: list[Any], parent: Any) -> list[ShellChoice]:
    """The containers the action offers: the cursor container, every container of the cursor
    taskgroup, or every container of every taskgroup of the application."""
    obj = targets[0]
    if kind == "containers":
        tg = await fresh_taskgroup(client, parent) if parent is not None else None
        if tg is None:
            raise InvalidInput("the container's taskgroup is not known here; open it from the taskgroup list")
        wanted = obj.task_id or obj.name
        rows = [c for c in choices_of(tg) if c.container == obj.name or c.container_id.startswith(obj.container_id or "-")]
        if not rows:
            raise InvalidInput(f"container {obj.name} is no longer in taskgroup {tg_short_name(tg)} ({wanted})")
        return rows[:1]
    if kind == "taskgroups":
        return choices_of(await fresh_taskgroup(client, obj))
    if kind == "applications":
        tgs = await client.list_taskgroups(object_namespace(obj), object_name(obj)) or []
        out = [c for tg in tgs for c in choices_of(tg)]
        if not out:
            raise InvalidInput(f"application {object_namespace(obj)}/{object_name(obj)} has no taskgroups")
        return out
    raise InvalidInput(f"no shell on {kind}")


# ---------------------------------------------------------------------------------------------
# The command, remembered per application


class CommandMemory:
    """`<state dir>/shell_commands.json`: the last shell command per context and application."""

    def __init__(self, state_dir: Path | None) -> None:
        self.path = Path(state_dir) / MEMORY_FILE if state_dir else None

    def _load(self) -> dict[str, str]:
        if self.path is None:
            return {}
        try:
            text, _ = read_text(self.path, limit=MEMORY_LIMIT, what="shell command memory")
            data = json.loads(text)
        except (LocalFileError, ValueError, RecursionError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def get(self, key: str) -> str:
        return self._load().get(key) or DEFAULT_COMMAND

    def set(self, key: str, command: str) -> None:
        if self.path is None:
            return
        data = self._load()
        data[key] = command
        try:
            _private_dir(self.path.parent)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError:
            pass  # remembering is a convenience; the shell still opens


def _private_dir(path: Path) -> None:
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)


def parse_shell_command(text: str) -> list[str]:
    try:
        words = shlex.split(text or "")
    except ValueError as exc:
        raise InvalidInput(f"the command cannot be parsed ({exc})", field="command") from None
    if not words:
        raise InvalidInput("type the program to run, e.g. /bin/sh or /bin/bash", field="command")
    if any("\x00" in w for w in words):
        raise InvalidInput("the command must not contain a NUL byte", field="command")
    return words


# ---------------------------------------------------------------------------------------------
# Recording (output only)


class ShellRecorder:
    """An asciicast v2 file of what the terminal showed (output and resizes, never input),
    created 0600 (O_EXCL) under `<state dir>/shells/`."""

    def __init__(self, path: Path, rows: int, cols: int, command: list[str], title: str) -> None:
        _private_dir(path.parent)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._start = time.monotonic()
        header = {"version": 2, "width": cols, "height": rows, "timestamp": int(time.time()),
                  "command": shlex.join(command), "title": title}
        self._line(header)

    @classmethod
    def create(cls, state_dir: Path, choice: ShellChoice, rows: int, cols: int, command: list[str]) -> "ShellRecorder":
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in f"{choice.taskgroup}-{choice.container_id[:12]}")
        base = Path(state_dir) / RECORD_DIR
        for n in range(100):
            path = base / (f"{stamp}-{safe}" + (f"-{n}" if n else "") + ".cast")
            try:
                return cls(path, rows, cols, command, choice.label)
            except FileExistsError:
                continue
        raise OSError(f"cannot create a recording file under {base}")

    def _line(self, obj: Any) -> None:
        if self._fd < 0:
            return
        try:
            os.write(self._fd, (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError:
            self.close()

    def output(self, data: bytes) -> None:
        self._line([round(time.monotonic() - self._start, 6), "o", data.decode("utf-8", errors="replace")])

    def resize(self, rows: int, cols: int) -> None:
        self._line([round(time.monotonic() - self._start, 6), "r", f"{cols}x{rows}"])

    def close(self) -> None:
        if self._fd >= 0:
            try:
                os.close(self._fd)
            finally:
                self._fd = -1


# ---------------------------------------------------------------------------------------------
# The bridge


class DetachFilter:
    """ssh's escape: `~` right after Enter (or at the very start) is held; `~.` detaches, `~~`
    sends one `~`, `~` followed by anything else sends both. Pure: feed bytes, get bytes."""

    def __init__(self) -> None:
        self.line_start = True
        self.pending = False
        self.detached = False

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            ch = bytes([b])
            if self.pending:
                self.pending = False
                if ch == b".":
                    self.detached = True
                    return bytes(out)
                if ch == ESCAPE:
                    out += ESCAPE
                    self.line_start = False
                    continue
                out += ESCAPE
            elif self.line_start and ch == ESCAPE:
                self.pending = True
                continue
            out += ch
            self.line_start = ch in (b"\r", b"\n")
        return bytes(out)


@dataclass
class BridgeResult:
    how: str  # "ended", "detached", "cut", "stopped" (the console was told to stop)
    detail: str
    resizes: int = 0
    resize_errors: list[str] = field(default_factory=list)
    output_bytes: int = 0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            time.sleep(0.005)
            continue
        except InterruptedError:
            continue
        view = view[n:]


Resize = Callable[[int, int], Awaitable[None]]


async def bridge(stream: Any, resize: Resize, *, in_fd: int, out_fd: int, banner: str = "",
                 recorder: ShellRecorder | None = None, size: Callable[[], tuple[int, int]] | None = None,
                 result: BridgeResult | None = None) -> BridgeResult:
    """Raw terminal <-> exec stream until the stream ends, the user detaches, or stdin closes.

    The terminal mode of `in_fd` is restored in `finally`, whatever ends the bridge (including
    cancellation: the app cancels its workers on SIGTERM). `result`, when given, is filled in
    place (the caller still has it when the bridge is cancelled)."""
    import termios
    import tty

    from bcs_tui.api.webconsole import terminal_size

    loop = asyncio.get_running_loop()
    get_size = size or (lambda: terminal_size(out_fd))
    saved = termios.tcgetattr(in_fd) if os.isatty(in_fd) else None
    detach = DetachFilter()
    keys: asyncio.Queue[bytes | None] = asyncio.Queue()
    result = result if result is not None else BridgeResult("ended", "")
    resizing: set[asyncio.Task] = set()
    have_winch = False

    def on_readable() -> None:
        try:
            data = os.read(in_fd, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the terminal went away
            loop.remove_reader(in_fd)
            keys.put_nowait(None)
            return
        out = detach.feed(data)
        if out:
            keys.put_nowait(out)
        if detach.detached:
            loop.remove_reader(in_fd)
            keys.put_nowait(None)

    last: list[tuple[int, int]] = []

    async def send_size() -> None:
        rows, cols = get_size()
        if last and last[-1] == (rows, cols):
            return  # tmux and others signal twice for one resize
        last.append((rows, cols))
        result.resizes += 1
        if recorder is not None:
            recorder.resize(rows, cols)
        try:
            await resize(rows, cols)
        except Exception as exc:  # a failed resize must not end the shell; say it afterwards
            result.resize_errors.append(one_line(getattr(exc, "message", None) or str(exc), 200))

    def on_winch() -> None:
        task = loop.create_task(send_size())
        resizing.add(task)
        task.add_done_callback(resizing.discard)

    async def pump_keys() -> None:
        while True:
            data = await keys.get()
            if data is None:
                return
            if not await stream.send(data):
                return

    async def pump_output() -> None:
        while True:
            item = await stream.recv()
            if item is None:
                return
            kind, data = item
            if kind == "message":  # the proxy's own words: text, never control sequences
                text = safe_text(data.decode("utf-8", errors="replace")).replace("\r", "")
                data = text.replace("\n", "\r\n").encode()
            _write_all(out_fd, data)
            if recorder is not None:
                recorder.output(data)

    try:
        if saved is not None:
            tty.setraw(in_fd, termios.TCSANOW)
        if banner:
            _write_all(out_fd, banner.encode())
        try:
            loop.add_signal_handler(signal.SIGWINCH, on_winch)
            have_winch = True
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread: the size is sent once
        loop.add_reader(in_fd, on_readable)
        await send_size()
        keys_task = asyncio.ensure_future(pump_keys())
        out_task = asyncio.ensure_future(pump_output())
        try:
            done, _ = await asyncio.wait({keys_task, out_task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (keys_task, out_task):
                task.cancel()
        if detach.detached or (keys_task in done and stream.end is None):
            await stream.close()
            result.how, result.detail = "detached", "detached (~.)" if detach.detached else "the terminal closed"
        else:
            end = stream.end
            result.how = "cut" if end is not None and end.cut else "ended"
            result.detail = end.detail if end is not None else "the session ended"
    except asyncio.CancelledError:
        result.how, result.detail = "stopped", "the console was stopped"
        await asyncio.shield(stream.close())
        raise
    finally:
        try:
            loop.remove_reader(in_fd)
        except Exception:
            pass
        if have_winch:
            loop.remove_signal_handler(signal.SIGWINCH)
        for task in list(resizing):
            task.cancel()
        if saved is not None:
            termios.tcsetattr(in_fd, termios.TCSAFLUSH, saved)
        if recorder is not None:
            recorder.close()
        result.output_bytes = getattr(stream, "output_bytes", 0)
    return result


async def attach(app: Any, stream: Any, resize: Resize, banner: str,
                 recorder: ShellRecorder | None, result: BridgeResult | None = None) -> BridgeResult:
    """Suspend the console, bridge the real terminal, resume. No repaint can reach the terminal
    while the shell owns it (`batch_update`); the screen stack is left untouched, so the console
    comes back on the same view with the same cursor."""
    in_fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else 0
    out = sys.__stderr__ if sys.__stderr__ is not None and sys.__stderr__.isatty() else sys.__stdout__
    out_fd = out.fileno() if out is not None else 1
    with app.batch_update():
        with app.suspend():
            return await bridge(stream, resize, in_fd=in_fd, out_fd=out_fd, banner=banner, recorder=recorder,
                                result=result)


def banner_for(choice: ShellChoice, command: list[str], recording: Path | None) -> str:
    lines = [f"bcs-tui: shell in {safe_text(choice.label)} on {safe_text(choice.host_ip)}: "
             f"{safe_text(shlex.join(command))}",
             f"bcs-tui: {DETACH_HELP}; the console comes back when the shell ends"]
    if recording is not None:
        lines.append(f"bcs-tui: recording the output to {safe_text(str(recording))}")
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------------------------
# The action


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


async def run_shell(ops: Any, ctx: Any) -> None:
    """The `s` / `!` action (Operations delegates here). The command form raises the operations'
    Cancelled when the user backs out; InvalidInput / BcsError go to the operations guard."""
    from rich.text import Text

    from bcs_tui.api.webconsole import ExecTarget, WebConsole, terminal_size
    from bcs_tui.ui.modals.confirm import ConfirmModal
    from bcs_tui.ui.modals.form import Field
    from bcs_tui.api.request import Request
    from bcs_tui.api.routes import route
    from bcs_tui.ui.modals.plan import PlannedRequest

    app = ops.app
    client = ops.client
    if getattr(client, "read_only", False) or getattr(app.settings, "read_only", False):
        ops.flash("Shell: refused, this context is read-only (nothing sent)", "error")
        return
    if len(ctx.targets) > 1:
        ops.flash("Shell works on one container at a time: the cursor row", "warning")
        current = getattr(ctx.screen, "current_object", None)
        obj = current() if callable(current) else None
        ctx.targets = [obj if obj is not None else ctx.targets[0]]
    choices = await choices_for(client, ctx.kind, ctx.targets, ctx.parent)
    state_dir = getattr(app.settings, "state_dir", None)
    context_name = str(getattr(getattr(app.settings, "context", None), "name", "") or "")
    memory = CommandMemory(state_dir)
    first = choices[0]
    memory_key = f"{context_name}/{first.namespace}/{first.application}"
    fields = []
    if len(choices) > 1:
        default = next((i for i, c in enumerate(choices) if c.refusal() is None), 0)
        fields.append(Field("container", "Container", kind="select",
                            options=[(one_line(c.option, 120), i) for i, c in enumerate(choices)], value=default))
    fields.append(Field("command", "Command", value=memory.get(memory_key),
                        hint=f"run in the container with a terminal; {DETACH_HELP}"))

    def validate(values: dict) -> tuple[ShellChoice, list[str]]:
        index = values.get("container", 0)
        if not isinstance(index, int):
            raise InvalidInput("pick a container", field="container")
        choice = choices[index]
        why = choice.refusal()
        if why:
            raise InvalidInput(why + " (nothing sent)", field="container" if len(choices) > 1 else "command")
        return choice, parse_shell_command(values.get("command", ""))

    if len(choices) == 1 and choices[0].refusal():
        raise InvalidInput(str(choices[0].refusal()))
    intro = Text(f"Shell in {first.label} on {first.host_ip}" if len(choices) == 1
                 else f"Shell in application {first.namespace}/{first.application}: pick the container")
    choice, command = await ops.form("Shell in a container", fields, validate, intro=intro, submit_label="Open")
    wc = WebConsole(client)
    target = ExecTarget(choice.host_ip, choice.container_id, choice.label)
    if getattr(app.settings, "production", False):
        _, _, query, body = wc.create_request(target, command)
        planned = PlannedRequest(choice.label, Request(route("create_exec"), route("create_exec").path(),
                                                       query, body, targets=(choice.label,)))
        note = ("PRODUCTION context. An interactive shell: what you type runs in the container "
                "(the session is audited: target, command, duration).")
        if not await ops.ask(ConfirmModal(f"Open a shell in {choice.label}?", [planned], note=note,
                                          confirm_label="Open")):
            ops.flash("Shell: cancelled, nothing sent")
            return
    memory.set(f"{context_name}/{choice.namespace}/{choice.application}", shlex.join(command))
    exec_id = await wc.create_exec(target, command)
    stream = await wc.start_exec(target, exec_id)
    recorder = None
    ctx_obj = getattr(app.settings, "context", None)
    if getattr(ctx_obj, "record_shells", False) and state_dir:
        rows, cols = terminal_size(sys.__stderr__.fileno() if sys.__stderr__ else 1)
        try:
            recorder = ShellRecorder.create(Path(state_dir), choice, rows, cols, command)
        except OSError as exc:
            ops.flash(f"Shell: cannot record the session ({exc}); the shell opens without a recording", "warning")
    wc.audit_session("opened", target, command, exec_id=exec_id,
                     detail=f"recording {recorder.path.name}" if recorder else "")
    started = time.monotonic()

    async def resize(rows: int, cols: int) -> None:
        await wc.resize_exec(target, exec_id, rows, cols)

    result = BridgeResult("stopped", "the console was stopped")
    try:
        result = await attach(app, stream, resize, banner_for(choice, command, recorder.path if recorder else None),
                              recorder, result)
    except Exception as exc:
        await stream.close()
        result = BridgeResult("failed", one_line(str(exc), 200))
        raise
    finally:
        elapsed = time.monotonic() - started
        wc.audit_session("closed", target, command, exec_id=exec_id, duration=elapsed,
                         outcome="error" if result.how in ("cut", "failed") else "ok",
                         detail=f"{result.how}: {result.detail}; {result.resizes} resize(s)")
    said = f"Shell in {choice.label}: {result.detail} after {_duration(elapsed)}"
    if result.resize_errors:
        said += f"; resize failed: {result.resize_errors[-1]}"
    if result.how in ("ended", "detached") and not result.output_bytes:
        said += " (no output: the exec may have failed to start, e.g. the container stopped)"
    ops.flash(said, "error" if result.how == "cut" else "information")
    ops.refresh(ctx)
