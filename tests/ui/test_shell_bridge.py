"""The shell bridge on a real pty against the served simulator: raw mode while the shell runs,
the terminal mode restored after exit, detach, a cut connection, cancellation, and SIGTERM to a
child process running the bridge; SIGWINCH sends a resize; the recording holds the output only."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.api.webconsole import ExecTarget, WebConsole
from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import start_in_loop
from bcs_tui.sim.webconsole import webconsole_of
from bcs_tui.ui.shell import DetachFilter, ShellChoice, ShellRecorder, bridge
from tests.sim.test_webconsole import Relay, running_target

ROOT = Path(__file__).resolve().parents[2]


def test_detach_filter_is_sshs_escape():
    f = DetachFilter()
    assert f.feed(b"ls ~/x\r") == b"ls ~/x\r"  # a ~ inside a line goes through
    assert f.feed(b"~~") == b"~" and not f.detached  # ~~ at line start sends one ~
    assert f.feed(b"\r~x") == b"\r~x"  # ~ then anything else sends both
    assert f.feed(b"\r~") == b"\r" and f.pending
    assert f.feed(b".") == b"" and f.detached
    g = DetachFilter()
    assert g.feed(b"~.") == b"" and g.detached  # at the very start too


@pytest.fixture
async def sim():
    cluster = SimCluster(seed=0, scale="demo", clock=SimClock(manual=True))
    running = await start_in_loop(cluster)
    yield running
    await running.stop()


class Pty:
    """A pty pair: the bridge gets the slave as its terminal; the test types into the master
    and reads what the terminal would show."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.set_size(24, 80)
        self.cooked = termios.tcgetattr(self.slave)
        self.out = b""
        os.set_blocking(self.master, False)
        asyncio.get_running_loop().add_reader(self.master, self._read)

    def _read(self) -> None:
        try:
            self.out += os.read(self.master, 65536)
        except OSError:
            pass

    def set_size(self, rows: int, cols: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def mode(self) -> list:
        return termios.tcgetattr(self.slave)

    def raw(self) -> bool:
        return not (self.mode()[3] & termios.ICANON)

    async def wait_for(self, what: bytes, timeout: float = 5.0) -> None:
        end = time.monotonic() + timeout
        while what not in self.out:
            assert time.monotonic() < end, (what, self.out[-300:])
            await asyncio.sleep(0.01)

    async def wait_raw(self) -> None:
        for _ in range(500):
            if self.raw():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the bridge never put the terminal in raw mode")

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.master)
        os.close(self.master)
        os.close(self.slave)


async def open_session(url: str, cluster_id: str, target: ExecTarget, cmd=("/bin/sh",)):
    client = BcsClient(url, cluster_id, None, get_retries=0)
    wc = WebConsole(client)
    exec_id = await wc.create_exec(target, list(cmd))
    stream = await wc.start_exec(target, exec_id)

    async def resize(rows: int, cols: int) -> None:
        await wc.resize_exec(target, exec_id, rows, cols)

    return client, stream, resize, exec_id


async def test_exit_restores_the_terminal_and_sigwinch_resizes(sim, tmp_path):
    cluster = sim.cluster
    target, _tg, task = running_target(cluster)
    client, stream, resize, exec_id = await open_session(sim.url, sim.cluster_id, target)
    term = Pty()
    choice = ShellChoice(target.host_ip, task.container_id, "ns", "app", "app-0", "app-0.0", "Running", "Running")
    recorder = ShellRecorder.create(tmp_path / "state", choice, 24, 80, ["/bin/sh"])
    try:
        job = asyncio.ensure_future(bridge(stream, resize, in_fd=term.slave, out_fd=term.slave,
                                           banner="bcs-tui: hello\r\n", recorder=recorder))
        await term.wait_raw()
        await term.wait_for(b"# ")
        term.type(b"hostname\r")
        await term.wait_for(task.container_id[:12].encode() + b"\r\n")
        term.set_size(30, 100)
        os.kill(os.getpid(), signal.SIGWINCH)
        await term.wait_for(b"terminal resized to 100x30")
        term.type(b"exit\r")
        result = await asyncio.wait_for(job, 5)
    finally:
        term_mode = term.mode()
        term.close()
        await client.aclose()
    assert result.how == "ended" and result.resizes == 2
    assert term_mode == term.cooked
    assert webconsole_of(cluster).execs[exec_id].resizes == [(24, 80), (30, 100)]
    assert term.out.startswith(b"bcs-tui: hello\r\n")
    # the recording: 0600, asciicast v2, output and resizes only
    assert stat.S_IMODE(recorder.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(recorder.path.parent.stat().st_mode) == 0o700
    lines = [json.loads(x) for x in recorder.path.read_text().splitlines()]
    assert lines[0]["version"] == 2 and lines[0]["command"] == "/bin/sh"
    assert {e[1] for e in lines[1:]} == {"o", "r"}
    assert any(task.container_id[:12] in e[2] for e in lines[1:] if e[1] == "o")
    assert [e[2] for e in lines[1:] if e[1] == "r"] == ["80x24", "100x30"]


async def test_detach_and_sigterm_in_the_shell_restore_the_terminal(sim):
    target, _tg, _task = running_target(sim.cluster)
    for keys, how in ((b"echo hi\r~.", "detached"), (b"kill -TERM $$\r", "ended")):
        client, stream, resize, exec_id = await open_session(sim.url, sim.cluster_id, target)
        term = Pty()
        try:
            job = asyncio.ensure_future(bridge(stream, resize, in_fd=term.slave, out_fd=term.slave))
            await term.wait_raw()
            await term.wait_for(b"# ")
            term.type(keys)
            result = await asyncio.wait_for(job, 5)
            mode = term.mode()
        finally:
            term.close()
            await client.aclose()
        assert result.how == how, result
        assert mode == term.cooked


async def test_a_cut_connection_restores_the_terminal(sim):
    target, _tg, _task = running_target(sim.cluster)
    relay = Relay(int(sim.url.rsplit(":", 1)[1]))
    url = await relay.start()
    client, stream, resize, _ = await open_session(url, sim.cluster_id, target)
    term = Pty()
    try:
        job = asyncio.ensure_future(bridge(stream, resize, in_fd=term.slave, out_fd=term.slave))
        await term.wait_raw()
        await term.wait_for(b"# ")
        relay.cut()
        result = await asyncio.wait_for(job, 5)
        mode = term.mode()
    finally:
        term.close()
        await client.aclose()
        await relay.stop()
    assert result.how == "cut" and "cut" in result.detail
    assert mode == term.cooked


async def test_cancellation_restores_the_terminal(sim):
    """What the app does on SIGTERM / quit: it cancels its workers."""
    target, _tg, _task = running_target(sim.cluster)
    client, stream, resize, _ = await open_session(sim.url, sim.cluster_id, target)
    term = Pty()
    try:
        job = asyncio.ensure_future(bridge(stream, resize, in_fd=term.slave, out_fd=term.slave))
        await term.wait_raw()
        await term.wait_for(b"# ")
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        mode = term.mode()
    finally:
        term.close()
        await client.aclose()
    assert mode == term.cooked


DRIVER = """
import asyncio, signal, sys
from bcs_tui.api.client import BcsClient
from bcs_tui.api.webconsole import ExecTarget, WebConsole
from bcs_tui.ui.shell import bridge

async def main(url, cid, host, container):
    client = BcsClient(url, cid, None, get_retries=0)
    wc = WebConsole(client)
    target = ExecTarget(host, container)
    exec_id = await wc.create_exec(target, ["/bin/sh"])
    stream = await wc.start_exec(target, exec_id)
    async def resize(rows, cols):
        await wc.resize_exec(target, exec_id, rows, cols)
    job = asyncio.ensure_future(bridge(stream, resize, in_fd=0, out_fd=1))
    # as the console does: SIGTERM makes the app exit, which cancels its workers
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, job.cancel)
    try:
        await job
    except asyncio.CancelledError:
        sys.exit(143)

asyncio.run(main(*sys.argv[1:]))
"""


async def test_sigterm_to_the_console_process_restores_the_terminal(sim):
    target, _tg, task = running_target(sim.cluster)
    master, slave = pty.openpty()
    cooked = termios.tcgetattr(slave)
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, sim.url, sim.cluster_id, target.host_ip,
                             task.container_id], stdin=slave, stdout=slave, stderr=subprocess.PIPE, cwd=ROOT)
    out = b""
    try:
        os.set_blocking(master, False)
        end = time.monotonic() + 20
        while b"# " not in out:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < end, out
            try:
                out += os.read(master, 65536)
            except BlockingIOError:
                await asyncio.sleep(0.02)
        assert not (termios.tcgetattr(slave)[3] & termios.ICANON)  # raw while the shell runs
        proc.send_signal(signal.SIGTERM)
        for _ in range(500):
            if proc.poll() is not None:
                break
            await asyncio.sleep(0.02)
        assert proc.returncode == 143, proc.stderr.read() if proc.stderr else ""
        assert termios.tcgetattr(slave) == cooked
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
        os.close(slave)


class FakeStream:
    """An exec stream that says `items` and then ends."""

    def __init__(self, items) -> None:
        self.items = list(items)
        self.end = None
        self.output_bytes = 0

    async def recv(self):
        from bcs_tui.api.webconsole import StreamEnd

        if not self.items:
            self.end = StreamEnd(False, "the session ended")
            return None
        return self.items.pop(0)

    async def send(self, data: bytes) -> bool:
        return True

    async def close(self) -> None:
        pass


async def test_the_proxys_text_messages_never_reach_the_terminal_as_control_sequences():
    term = Pty()

    async def resize(rows: int, cols: int) -> None:
        pass

    try:
        stream = FakeStream([("message", b"busy \x1b]52;c;ZXZpbA==\x07\x1b[2J[bold]x[/]\r\n"),
                             ("output", b"\x1b[1mprompt\x1b[0m")])
        result = await asyncio.wait_for(bridge(stream, resize, in_fd=term.slave, out_fd=term.slave), 5)
        await term.wait_for(b"prompt")
    finally:
        term.close()
    assert result.how == "ended"
    message, output = term.out.split(b"\x1b[1m", 1)
    assert b"\x1b" not in message and b"\x07" not in message and b"busy" in message
    assert output == b"prompt\x1b[0m"  # the shell's own output is a terminal's, as with ssh
