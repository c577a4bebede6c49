"""The simulated webconsole path: the driver's `/webconsole/{uri:*}` forwarding and the agent's
bcs-consoleproxy (create_exec, start_exec as a websocket, resize_exec), with a small fake shell.

Answers follow the Go source at bk-bcs 54bf466a:
- the driver (`bcs-mesos-driver/mesosdriver/backend/webconsole/`): no `host_ip` -> 400 text
  "param host_ip must not be empty"; GET and POST only; an agent without a console proxy -> 502
  with an empty body (Go's ReverseProxy) for HTTP, 503 text "errcode: 1405064, couldn't dial to
  remote backend url ..." for the websocket;
- the proxy (`bcs-consoleproxy/console-proxy/api/api.go`, `manager/console.go`): create_exec
  -> `{"Id"}` or 400 `{"msg": "<docker error>"}` (docker's words: "No such container: ID",
  "API error (409): Container ID is not running"); a body that is not JSON -> 400 text with Go's
  decoder error; no container_id -> 400 "container_id must be provided"; resize_exec without
  exec_id -> 400 "exec_id must be provided" (after the decoder's error, which does not return);
  start_exec accepts the websocket first and then fails by closing it: an unknown exec ID or a
  container that stopped in between ends the stream at once without output. One session per
  container (`is-one-session`): a second one gets the proxy's banner as text frames and is closed.
  Output is binary frames. Docker, like the sim, knows only the containers on its own agent and
  accepts a unique ID prefix.

The fake shell echoes what is typed (the container's pty echoes), runs the command pane's
simulated commands (`commands.run_script`: `hostname`, `ps`, `env` ...), answers `stty size` with
the size of the last resize, echoes every resize on a line of its own, and ends on `exit`, Ctrl+D
on an empty line, or `kill $$` (SIGTERM to the shell).
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import json
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable

from bcs_tui.sim.cluster import SimCluster, SimRequest
from bcs_tui.sim.commands import run_script
from bcs_tui.sim.model import DOCKER_STATE, Task, TaskGroup

SCHED = "/bcsapi/v4/scheduler/mesos"
WEBCONSOLE_ERROR_CODE = 1405064  # common.BcsErrApiWebConsoleFailedCode
PROXY_PORT = 8083
DEFAULT_CMD = ["/bin/sh"]
SHELLS = ("sh", "bash", "ash")
# manager/console.go ConsoleCopywritingFailed: the one-session refusal, sent as text frames.
BUSY_BANNER = (
    "#######################################################################\r\n",
    "#                    Welcome To BKDevOps Console                      #\r\n",
    "#                该环境已经处于调试状态,禁止同时连接多个会话          #\r\n",
    "#######################################################################\r\n",
)
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"

Answer = tuple[int, bytes, str]


@dataclass
class SimExec:
    """A docker exec instance: created by create_exec, attached once by start_exec."""

    id: str
    host_ip: str
    container_id: str
    cmd: list[str]
    user: str
    taskgroup: TaskGroup
    task: Task
    started: bool = False
    running: bool = False
    rows: int = 0
    cols: int = 0
    resizes: list[tuple[int, int]] = field(default_factory=list)
    events: asyncio.Queue | None = None
    ended: str = ""  # how the exec ended: "exit 0", "killed", "detached" ...


class SimWebConsole:
    """The console proxies of every agent. `no_proxy` holds agent IPs where bcs-consoleproxy is
    not running; `one_session` is the proxy's `is-one-session` switch."""

    def __init__(self, cluster: SimCluster, *, one_session: bool = True) -> None:
        self.cluster = cluster
        self.one_session = one_session
        self.no_proxy: set[str] = set()
        self.execs: dict[str, SimExec] = {}
        self.connected: set[str] = set()  # container IDs with a session (one-session)
        self._seq = 0

    # ------------------------------------------------------------------ lookups

    def proxy_up(self, host_ip: str) -> bool:
        return host_ip in self.cluster.agents_by_ip and host_ip not in self.no_proxy

    def find_container(self, host_ip: str, ref: str) -> tuple[TaskGroup, Task] | None:
        """Docker's lookup on one agent: a full ID, a unique ID prefix, or the container name."""
        hits: list[tuple[TaskGroup, Task]] = []
        for tg in self.cluster.taskgroups.values():
            if not tg.alive or tg.agent is None or tg.agent.ip != host_ip:
                continue
            for task in tg.tasks:
                cid = task.container_id
                if not cid:
                    continue
                if cid == ref or f"mesos-{cid[:8]}-{tg.stamp}" == ref:
                    return tg, task
                if cid.startswith(ref):
                    hits.append((tg, task))
        return hits[0] if len(hits) == 1 else None

    # ------------------------------------------------------------------ HTTP (create, resize)

    def http(self, method: str, uri: str, query: dict[str, str], raw: bytes) -> Answer:
        host = query.get("host_ip", "")
        if not host:
            return 400, b"param host_ip must not be empty\n", TEXT
        if method not in ("GET", "POST"):
            return 405, b"405: Method Not Allowed", TEXT
        if not self.proxy_up(host):
            return 502, b"", TEXT  # httputil.ReverseProxy: dial error -> 502, empty body
        if uri == "create_exec":
            return self._create(host, raw)
        if uri == "resize_exec":
            return self._resize(raw)
        if uri == "start_exec":
            return 400, b"null", JSON  # not a websocket upgrade: ResponseJSON(400, nil)
        return 404, b"404 page not found\n", TEXT

    @staticmethod
    def _decode(raw: bytes) -> tuple[Any, str]:
        if not raw.strip():
            return None, "EOF"
        try:
            return json.loads(raw), ""
        except (ValueError, UnicodeDecodeError) as exc:
            return None, f"invalid character in request body ({exc.__class__.__name__})"

    def _create(self, host: str, raw: bytes) -> Answer:
        body, err = self._decode(raw)
        if err or not isinstance(body, dict):
            return 400, (err or "json: cannot unmarshal into Go value of type api.CreateExecReq").encode() + b"\n", TEXT
        cid = body.get("container_id")
        if not isinstance(cid, str) or not cid:
            return 400, b"container_id must be provided\n", TEXT
        cmd = body.get("cmd")
        if cmd is None:
            cmd = list(DEFAULT_CMD)
        if not isinstance(cmd, list) or not all(isinstance(c, str) for c in cmd):
            return 400, b"json: cannot unmarshal cmd into Go struct field CreateExecReq.cmd of type []string\n", TEXT
        if not cmd:
            return self._msg("API error (400): No exec command specified")
        found = self.find_container(host, cid)
        if found is None:
            return self._msg(f"No such container: {cid}")
        tg, task = found
        state = DOCKER_STATE.get(task.status, "")
        if state == "restarting":
            return self._msg(f"API error (409): Container {task.container_id} is restarting, "
                             "wait until the container is running")
        if state != "running" or tg.status != "Running":
            return self._msg(f"API error (409): Container {task.container_id} is not running")
        self._seq += 1
        exec_id = hashlib.sha256(f"{task.container_id}:{self._seq}".encode()).hexdigest()
        self.execs[exec_id] = SimExec(exec_id, host, task.container_id, list(cmd),
                                      str(body.get("user") or "root"), tg, task)
        return 200, json.dumps({"Id": exec_id}).encode(), JSON

    def _resize(self, raw: bytes) -> Answer:
        body, err = self._decode(raw)
        exec_id = body.get("exec_id") if isinstance(body, dict) else None
        if not isinstance(exec_id, str) or not exec_id:
            # api.go writes the decoder's error and goes on (no return), then this one.
            text = (f"{err}\n" if err else "") + "exec_id must be provided\n"
            return 400, text.encode(), TEXT
        ex = self.execs.get(exec_id)
        if ex is None:
            return self._msg(f"API error (404): No such exec instance: {exec_id}")
        if not ex.running:
            return self._msg(f"API error (409): Exec {exec_id} is not running")
        h, w = body.get("height"), body.get("width")
        rows = h if isinstance(h, int) and not isinstance(h, bool) else 0
        cols = w if isinstance(w, int) and not isinstance(w, bool) else 0
        ex.rows, ex.cols = rows, cols
        ex.resizes.append((rows, cols))
        if ex.events is not None:
            ex.events.put_nowait(("resize", rows, cols))
        return 200, b"null", JSON

    @staticmethod
    def _msg(text: str) -> Answer:
        return 400, json.dumps({"msg": text}).encode(), JSON

    # ------------------------------------------------------------------ the websocket

    async def serve(self, ws: Any, uri: str, refusal: Callable[[Any], Answer | None]) -> None:
        """A Starlette WebSocket on `.../webconsole/{uri}`: the driver's checks, then the proxy."""
        from starlette.responses import Response

        query = dict(ws.query_params)
        headers = {k.lower(): ("Bearer ***" if k.lower() == "authorization" else v) for k, v in ws.headers.items()}
        self.cluster.requests.append(SimRequest("GET", ws.url.path, query, None, headers))

        async def deny(answer: Answer) -> None:
            await ws.send_denial_response(Response(answer[1], status_code=answer[0], media_type=answer[2]))

        refused = refusal(ws.headers)
        if refused is not None:
            return await deny(refused)
        host = query.get("host_ip", "")
        if not host:
            return await deny((400, b"param host_ip must not be empty\n", TEXT))
        if not self.proxy_up(host):
            return await deny((503, (f"errcode: {WEBCONSOLE_ERROR_CODE}, couldn't dial to remote backend url "
                                     f"dial tcp {host}:{PROXY_PORT}: connect: connection refused\n").encode(), TEXT))
        if uri != "start_exec":
            return await deny((404, b"404 page not found\n", TEXT))  # the backend's answer, copied
        await ws.accept()
        cid = query.get("container_id", "")
        if self.one_session and cid in self.connected:
            for line in BUSY_BANNER:
                await ws.send_text(line)
            await ws.close()
            return
        ex = self.execs.get(query.get("exec_id", ""))
        if ex is None or ex.started or not ex.taskgroup.alive or ex.task.status != "Running":
            await ws.close()  # docker's StartExec failed: the proxy just drops the socket
            return
        ex.started = ex.running = True
        ex.events = asyncio.Queue()
        if self.one_session and cid:
            self.connected.add(cid)
        try:
            await FakeShell(self.cluster, ex, ws).run()
        finally:
            ex.running = False
            self.connected.discard(cid)


class FakeShell:
    """A tiny interactive sh behind a pty: echo, line editing, the simulated commands."""

    def __init__(self, cluster: SimCluster, ex: SimExec, ws: Any) -> None:
        self.cluster = cluster
        self.ex = ex
        self.ws = ws
        self.line = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.in_escape = False
        host = run_script("hostname", ex.taskgroup, ex.task.index, cluster.now(), False)[1]
        self.host = host.strip() or ex.taskgroup.name

    def _run(self, script: str) -> tuple[int, str]:
        tg, task = self.ex.taskgroup, self.ex.task
        code, out, err = run_script(script, tg, task.index, self.cluster.now(), self.cluster.hostile)
        return code, out + err

    @property
    def prompt(self) -> str:
        return f"{self.ex.user}@{self.host}:/# "

    async def out(self, text: str) -> None:
        await self.ws.send_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode())

    async def run(self) -> None:
        cmd = self.ex.cmd
        program = cmd[0].rsplit("/", 1)[-1]
        if program in SHELLS and len(cmd) >= 3 and cmd[1] == "-c":
            await self._one_shot(cmd[2])
            return
        if program not in SHELLS:
            await self._one_shot(" ".join(shlex.quote(c) for c in cmd), exec_form=True)
            return
        await self.out(self.prompt)
        receive = asyncio.ensure_future(self.ws.receive())
        event = asyncio.ensure_future(self.ex.events.get())  # type: ignore[union-attr]
        try:
            while True:
                done, _ = await asyncio.wait({receive, event}, return_when=asyncio.FIRST_COMPLETED)
                if event in done:
                    _, rows, cols = event.result()
                    await self.out(f"\n[sim] terminal resized to {cols}x{rows}\n{self.prompt}{self.line}")
                    event = asyncio.ensure_future(self.ex.events.get())  # type: ignore[union-attr]
                if receive in done:
                    msg = receive.result()
                    if msg.get("type") == "websocket.disconnect":
                        self.ex.ended = "detached"
                        return
                    data = msg.get("bytes") or (msg.get("text") or "").encode()
                    receive = asyncio.ensure_future(self.ws.receive())
                    if await self.feed(data):
                        await self.ws.close()
                        return
        finally:
            for task in (receive, event):
                task.cancel()

    async def _one_shot(self, script: str, exec_form: bool = False) -> None:
        code, text = self._run(script)
        if exec_form and code == 127:
            text = (f'OCI runtime exec failed: exec failed: unable to start container process: exec: '
                    f'"{self.ex.cmd[0]}": executable file not found in $PATH: unknown\n')
        await self.out(text)
        self.ex.ended = f"exit {code}"
        await self.ws.close()

    async def feed(self, data: bytes) -> bool:
        """Typed bytes; True when the shell has ended."""
        echo: list[str] = []
        for ch in self.decoder.decode(data):
            if self.in_escape:  # skip CSI/SS3 sequences (arrow keys ...) up to their final byte
                if ch.isalpha() or ch == "~":
                    self.in_escape = False
                continue
            if ch == "\x1b":
                self.in_escape = True
            elif ch in "\r\n":
                echo.append("\n")
                await self.out("".join(echo))
                echo = []
                line, self.line = self.line.strip(), ""
                if await self.execute(line):
                    return True
                await self.out(self.prompt)
            elif ch in "\x7f\x08":
                if self.line:
                    self.line = self.line[:-1]
                    echo.append("\b \b")
            elif ch == "\x03":
                self.line = ""
                echo.append("^C\n" + self.prompt)
            elif ch == "\x15":
                echo.append("\b \b" * len(self.line))
                self.line = ""
            elif ch == "\x04":
                if not self.line:
                    await self.out("".join(echo) + "exit\n")
                    self.ex.ended = "exit 0"
                    return True
            elif ch >= " " or ch == "\t":
                self.line += ch
                echo.append(ch)
        if echo:
            await self.out("".join(echo))
        return False

    async def execute(self, line: str) -> bool:
        if not line:
            return False
        try:
            words = shlex.split(line)
        except ValueError:
            await self.out("sh: syntax error: unterminated quoted string\n")
            return False
        if words[0] == "exit":
            self.ex.ended = f"exit {words[1] if len(words) > 1 else 0}"
            return True
        if words[0] == "kill" and words[-1] in ("$$", "1") and len(words) <= 3:
            self.ex.ended = "killed"  # sh dies of the signal: no output, the stream ends
            return True
        if words == ["stty", "size"]:
            await self.out(f"{self.ex.rows or 24} {self.ex.cols or 80}\n")
            return False
        if words[0] == "tput" and len(words) == 2 and words[1] in ("lines", "cols"):
            await self.out(f"{(self.ex.rows or 24) if words[1] == 'lines' else (self.ex.cols or 80)}\n")
            return False
        if words == ["clear"]:
            await self.out("\x1b[H\x1b[2J")
            return False
        await self.out(self._run(line)[1])
        return False


def webconsole_of(cluster: SimCluster) -> SimWebConsole:
    """The cluster's console proxies (made on first use; tests reach them the same way)."""
    wc = getattr(cluster, "webconsole", None)
    if wc is None:
        wc = SimWebConsole(cluster)
        cluster.webconsole = wc  # type: ignore[attr-defined]
    return wc
