"""The webconsole exec path through the client against the simulator served on loopback:
create_exec, start_exec over a real websocket, resize_exec; the proxy's and the driver's
refusals; read-only refusal before any I/O; a cut connection."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest

from bcs_tui.api.client import BcsClient
from bcs_tui.api.errors import AuthError, InvalidRequest, ReadOnlyError
from bcs_tui.api.webconsole import ExecError, ExecTarget, WebConsole, classify_close
from bcs_tui.audit import AuditLog
from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import start_in_loop
from bcs_tui.sim.webconsole import BUSY_BANNER, webconsole_of

WC = "/bcsapi/v4/scheduler/mesos/webconsole"
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"


@pytest.fixture
async def sim():
    cluster = SimCluster(seed=0, scale="demo", clock=SimClock(manual=True))
    running = await start_in_loop(cluster, token=TOKEN)
    yield running
    await running.stop()


@pytest.fixture
async def client(sim, tmp_path):
    c = BcsClient(sim.url, sim.cluster_id, TOKEN, audit=AuditLog(tmp_path / "audit.jsonl"), get_retries=0)
    yield c
    await c.aclose()


def running_target(cluster) -> tuple[ExecTarget, object, object]:
    tg = next(t for t in cluster.taskgroups.values()
              if t.alive and t.status == "Running" and t.agent and t.app.template.network == "BRIDGE")
    task = tg.tasks[0]
    return ExecTarget(tg.agent.ip, task.container_id, f"taskgroup {tg.name}"), tg, task


def webconsole_requests(cluster) -> list:
    return [r for r in cluster.requests if r.path.startswith(WC)]


async def read_all(stream, until: bytes | None = None, timeout: float = 5.0) -> bytes:
    out = b""

    async def run() -> None:
        nonlocal out
        while True:
            item = await stream.recv()
            if item is None:
                return
            out += item[1]
            if until is not None and until in out:
                return

    await asyncio.wait_for(run(), timeout)
    return out


async def test_create_start_resize_and_a_shell_session(sim, client):
    cluster = sim.cluster
    target, tg, task = running_target(cluster)
    wc = WebConsole(client)
    exec_id = await wc.create_exec(target, ["/bin/sh"])
    stream = await wc.start_exec(target, exec_id)
    prompt = f"root@{task.container_id[:12]}:/# ".encode()
    assert (await read_all(stream, until=prompt)).endswith(prompt)
    await wc.resize_exec(target, exec_id, 30, 100)
    assert b"terminal resized to 100x30" in await read_all(stream, until=prompt)
    await stream.send(b"hostname\r")
    assert task.container_id[:12].encode() + b"\r\n" in await read_all(stream, until=b"\r\n" + prompt)
    await stream.send(b"stty size\r")
    assert b"30 100\r\n" in await read_all(stream, until=b"\r\n" + prompt)
    await stream.send(b"exit\r")
    await read_all(stream)
    assert stream.end is not None and not stream.end.cut

    sent = webconsole_requests(cluster)
    assert [(r.method, r.path.rsplit("/", 1)[1]) for r in sent] == [
        ("POST", "create_exec"), ("GET", "start_exec"), ("POST", "resize_exec")]
    create, start, resize = sent
    assert create.query == {"host_ip": target.host_ip}
    assert create.body == {"container_id": task.container_id, "cmd": ["/bin/sh"]}
    assert start.query == {"host_ip": target.host_ip, "container_id": task.container_id, "exec_id": exec_id}
    assert resize.body == {"exec_id": exec_id, "height": 30, "width": 100}
    for r in sent:  # the same gateway headers as every other request
        assert r.headers["bcs-clusterid"] == cluster.cluster_id
        assert r.headers["authorization"] == "Bearer ***"
    ops = [e["operation"] for e in client.audit.entries()]
    assert ops == ["create_exec", "start_exec"]  # resizes are counted by the session, not audited


async def test_a_command_that_is_not_a_shell_runs_once(sim, client):
    target, tg, task = running_target(sim.cluster)
    wc = WebConsole(client)
    stream = await wc.start_exec(target, await wc.create_exec(target, ["hostname"]))
    assert await read_all(stream) == task.container_id[:12].encode() + b"\r\n"
    stream2 = await wc.start_exec(target, await wc.create_exec(target, ["/no/such/tool"]))
    assert b"executable file not found" in await read_all(stream2)


async def test_kill_in_the_shell_ends_the_stream(sim, client):
    target, _tg, _task = running_target(sim.cluster)
    wc = WebConsole(client)
    stream = await wc.start_exec(target, await wc.create_exec(target))
    await read_all(stream, until=b"# ")
    await stream.send(b"kill -TERM $$\r")
    await read_all(stream)
    assert stream.end is not None and not stream.end.cut


async def test_refusals_said_plainly(sim, client):
    cluster = sim.cluster
    wc = WebConsole(client)
    target, tg, task = running_target(cluster)

    with pytest.raises(ExecError) as wrong:
        await wc.create_exec(ExecTarget(target.host_ip, "0123456789ab"))
    assert wrong.value.reason == "no_container" and wrong.value.http_status == 400
    assert "no container 0123456789ab on agent" in wrong.value.message

    # docker knows only its own agent's containers
    other = next(a.ip for a in cluster.agents if a.ip != target.host_ip)
    with pytest.raises(ExecError) as elsewhere:
        await wc.create_exec(ExecTarget(other, task.container_id))
    assert elsewhere.value.reason == "no_container"

    stopped = next(t for t in cluster.taskgroups.values()
                   if t.alive and t.status != "Running" and t.agent and any(x.container_id for x in t.tasks))
    ctask = next(x for x in stopped.tasks if x.container_id)
    with pytest.raises(ExecError) as not_running:
        await wc.create_exec(ExecTarget(stopped.agent.ip, ctask.container_id))
    assert not_running.value.reason == "not_running"
    assert "is not running" in not_running.value.message

    webconsole_of(cluster).no_proxy.add(target.host_ip)
    with pytest.raises(ExecError) as no_proxy:
        await wc.create_exec(target)
    assert no_proxy.value.reason == "no_proxy" and no_proxy.value.http_status == 502
    assert "no console proxy answers on agent" in no_proxy.value.message
    with pytest.raises(ExecError) as no_proxy_ws:
        await wc.start_exec(target, "0" * 64)
    assert no_proxy_ws.value.reason == "no_proxy" and no_proxy_ws.value.http_status == 503
    webconsole_of(cluster).no_proxy.clear()

    outcomes = [(e["operation"], e["outcome"]) for e in client.audit.entries()]
    assert outcomes == [("create_exec", "error")] * 4 + [("start_exec", "error")]


async def test_the_proxys_raw_answers(sim):
    """What the driver and the proxy answer, byte for byte, to requests the client never sends."""
    cluster = sim.cluster
    target, _tg, task = running_target(cluster)
    headers = {"Authorization": f"Bearer {TOKEN}", "BCS-ClusterID": cluster.cluster_id}
    async with httpx.AsyncClient(base_url=sim.url, headers=headers) as http:
        r = await http.post(f"{WC}/create_exec", json={"container_id": task.container_id})
        assert r.status_code == 400 and r.text == "param host_ip must not be empty\n"
        r = await http.post(f"{WC}/create_exec", params={"host_ip": target.host_ip}, json={"cmd": ["sh"]})
        assert r.status_code == 400 and r.text == "container_id must be provided\n"
        r = await http.post(f"{WC}/create_exec", params={"host_ip": target.host_ip}, content=b"")
        assert r.status_code == 400 and r.text == "EOF\n"
        r = await http.post(f"{WC}/create_exec", params={"host_ip": target.host_ip},
                            json={"container_id": task.container_id, "cmd": []})
        assert r.json() == {"msg": "API error (400): No exec command specified"}
        r = await http.post(f"{WC}/create_exec", params={"host_ip": target.host_ip},
                            json={"container_id": task.container_id[:6]})  # a unique prefix, cmd defaulted
        assert r.status_code == 200 and set(r.json()) == {"Id"}
        r = await http.post(f"{WC}/resize_exec", params={"host_ip": target.host_ip}, content=b"")
        assert r.status_code == 400 and r.text == "EOF\nexec_id must be provided\n"
        r = await http.post(f"{WC}/resize_exec", params={"host_ip": target.host_ip},
                            json={"exec_id": "f" * 64, "height": 3, "width": 4})
        assert r.json() == {"msg": f"API error (404): No such exec instance: {'f' * 64}"}
        r = await http.get(f"{WC}/start_exec", params={"host_ip": target.host_ip})
        assert r.status_code == 400 and r.text == "null"  # not an upgrade
        r = await http.post(f"{WC}/nope", params={"host_ip": target.host_ip})
        assert r.status_code == 404 and r.text == "404 page not found\n"
        r = await http.put(f"{WC}/create_exec", params={"host_ip": target.host_ip})
        assert r.status_code == 405
        r = await http.post(f"{WC}/create_exec", params={"host_ip": target.host_ip},
                            json={"container_id": task.container_id},
                            headers={"BCS-ClusterID": "BCS-MESOS-99999"})
        assert r.status_code == 400 and "don't exist" in r.json()["message"]


async def test_start_exec_of_an_unknown_exec_ends_at_once_without_output(sim, client):
    target, _tg, _task = running_target(sim.cluster)
    stream = await WebConsole(client).start_exec(target, "e" * 64)
    assert await read_all(stream) == b""
    assert stream.end is not None and not stream.end.cut and stream.output_bytes == 0


async def test_one_session_per_container(sim, client):
    target, _tg, _task = running_target(sim.cluster)
    wc = WebConsole(client)
    first = await wc.start_exec(target, await wc.create_exec(target))
    await read_all(first, until=b"# ")
    second = await wc.start_exec(target, await wc.create_exec(target))
    messages = []
    while (item := await asyncio.wait_for(second.recv(), 5)) is not None:
        messages.append(item)
    assert [kind for kind, _ in messages] == ["message"] * len(BUSY_BANNER)
    assert "Welcome To BKDevOps Console" in b"".join(d for _, d in messages).decode()
    await first.send(b"exit\r")
    await read_all(first)


async def test_wrong_token_is_the_gateways_refusal(sim, tmp_path):
    target, _tg, _task = running_target(sim.cluster)
    async with BcsClient(sim.url, sim.cluster_id, "WrongWrongWrongWrongWrongWrong00", get_retries=0) as bad:
        wc = WebConsole(bad)
        with pytest.raises(AuthError):
            await wc.create_exec(target)
        with pytest.raises(AuthError) as ws:
            await wc.start_exec(target, "0" * 64)
        assert "WrongWrong" not in ws.value.message


async def test_read_only_refuses_before_any_io(sim, tmp_path):
    cluster = sim.cluster
    target, _tg, _task = running_target(cluster)
    audit = AuditLog(tmp_path / "ro.jsonl")
    before = len(cluster.requests)
    async with BcsClient(sim.url, sim.cluster_id, TOKEN, read_only=True, audit=audit) as ro:
        wc = WebConsole(ro)
        with pytest.raises(ReadOnlyError):
            await wc.create_exec(target, ["/bin/sh"])
        with pytest.raises(ReadOnlyError):
            await wc.start_exec(target, "0" * 64)
        with pytest.raises(ReadOnlyError):
            await wc.resize_exec(target, "0" * 64, 24, 80)
        assert ro.stats.requests == 0
    assert len(cluster.requests) == before
    assert [(e["operation"], e["outcome"]) for e in audit.entries()] == [
        ("create_exec", "refused"), ("start_exec", "refused"), ("resize_exec", "refused")]


async def test_bad_input_sends_nothing(sim, client):
    cluster = sim.cluster
    target, _tg, task = running_target(cluster)
    wc = WebConsole(client)
    before = len(cluster.requests)
    for bad_target, cmd in ((ExecTarget("", task.container_id), ["sh"]),
                            (ExecTarget("10.0.0.300", task.container_id), ["sh"]),
                            (ExecTarget(target.host_ip, "x y"), ["sh"]),
                            (target, []), (target, [""]), (target, ["sh", "a\x00b"])):
        with pytest.raises(InvalidRequest):
            await wc.create_exec(bad_target, cmd)
    with pytest.raises(InvalidRequest):
        await wc.resize_exec(target, "abc", 0, 80)
    assert len(cluster.requests) == before


class Relay:
    """A TCP relay on loopback between the client and the simulator; `cut()` drops both sides
    without a websocket close (a network cut)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        async def handle(reader, writer):
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.port)
            self.writers += [writer, up_w]

            async def pipe(src, dst):
                with contextlib.suppress(Exception):
                    while data := await src.read(65536):
                        dst.write(data)
                        await dst.drain()

            await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer))

        self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    def cut(self) -> None:
        for w in self.writers:
            w.transport.abort()

    async def stop(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()


async def test_a_cut_connection_is_said_to_be_cut(sim):
    target, _tg, _task = running_target(sim.cluster)
    relay = Relay(int(sim.url.rsplit(":", 1)[1]))
    url = await relay.start()
    try:
        async with BcsClient(url, sim.cluster_id, TOKEN, get_retries=0) as c:
            wc = WebConsole(c)
            stream = await wc.start_exec(target, await wc.create_exec(target))
            await read_all(stream, until=b"# ")
            relay.cut()
            await read_all(stream)
            assert stream.end is not None and stream.end.cut
            assert "cut" in stream.end.detail
            assert not await stream.send(b"ls\r")
    finally:
        await relay.stop()


def test_the_drivers_1006_close_frame_is_an_end_not_a_cut():
    """Through the real driver even `exit` arrives as a close frame with code 1006, which the
    client refuses as a protocol error (it sends 1002): that is the normal end of an exec."""
    from websockets.exceptions import ConnectionClosedError
    from websockets.frames import Close

    ended = classify_close(ConnectionClosedError(None, Close(1002, "invalid status code 1006"), None),
                           ping_timeout=20)
    assert not ended.cut
    cut = classify_close(ConnectionClosedError(None, None, None), ping_timeout=20)
    assert cut.cut
    pings = classify_close(ConnectionClosedError(None, Close(1011, "keepalive ping timeout"), None),
                           ping_timeout=20)
    assert pings.cut and "20s" in pings.detail
