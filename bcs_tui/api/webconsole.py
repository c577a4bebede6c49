"""A shell in a container: the mesos webconsole exec path (bcs-client `exec -it`).

Three calls through the same gateway, token and `BCS-ClusterID` header as every other request
(bk-bcs `bcs-services/bcs-client/pkg/scheduler/v4/scheduler_exec.go`):

- `POST /bcsapi/v4/scheduler/mesos/webconsole/create_exec?host_ip=IP` with
  `{"container_id": ID, "cmd": [...]}` answers `{"Id": "<exec id>"}`;
- `GET  .../webconsole/start_exec?host_ip=IP&container_id=ID&exec_id=EXEC` as a **websocket**:
  the exec's attached stdin/stdout (binary frames both ways; the proxy's own messages come as
  text frames);
- `POST .../webconsole/resize_exec?host_ip=IP` with `{"exec_id", "height", "width"}` on every
  terminal resize.

The driver forwards `/webconsole/{uri:*}` to bcs-consoleproxy on port 8083 of the agent named by
`host_ip` (`bcs-mesos-driver/mesosdriver/backend/webconsole/`), so the answers are not BCS
envelopes: the proxy answers `{"Id"}`, `{"msg": "<docker error>"}` (HTTP 400) or plain text; the
driver answers 400 text for a missing host_ip, 502 with an empty body when nothing listens on the
agent (Go's ReverseProxy), and 503 text "errcode: 1405064, couldn't dial to remote backend url ..."
when the websocket cannot reach the proxy. The gateway's own refusals (token, cluster header) are
envelopes and decode as everywhere else.

Every call is a write: a read-only client refuses it before any I/O. create_exec and start_exec
are audited like every write; a resize is not (it changes nothing but the terminal size: the
session's close entry counts them). The UI adds the session's opened/closed entries
(`audit_session`): target, command, duration, never a keystroke.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bcs_tui.api.errors import (
    AuthError,
    BcsError,
    InvalidRequest,
    ProtocolError,
    TransportError,
    WriteOutcomeUnknown,
    redact,
)

if TYPE_CHECKING:
    from bcs_tui.api.client import BcsClient

WEBCONSOLE = "/bcsapi/v4/scheduler/mesos/webconsole"
CONSOLEPROXY_PORT = 8083  # the driver's mesos_webconsole_proxy_port default
DEFAULT_COMMAND = ("/bin/sh",)
MAX_TERMINAL = 10_000

# Docker accepts a container ID, a unique ID prefix or a container name.
_CONTAINER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class ExecError(BcsError):
    """The exec path refused or failed. `.reason` says which, for tests and the UI:
    `no_container` (docker does not know the ID on that agent), `not_running` (the container is
    stopped), `no_proxy` (no bcs-consoleproxy answers on the agent), `refused` (the websocket
    handshake was refused), `bad_request` (the proxy or driver refused the request), `exec`
    (another docker error)."""

    def __init__(self, message: str, reason: str, http_status: int | None = None) -> None:
        self.reason = reason
        self.http_status = http_status
        super().__init__(message)


@dataclass(frozen=True)
class ExecTarget:
    """Where a shell goes: the agent's IP (the taskgroup's hostIP) and the docker container ID.
    `label` names it in messages (`taskgroup 0.web.prod... container web-0.0`)."""

    host_ip: str
    container_id: str
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or f"container {self.container_id[:12]} on {self.host_ip}"


def validate_target(target: ExecTarget) -> None:
    """Bad input never reaches the wire: an IP address and a docker container reference."""
    problems: list[tuple[str, str]] = []
    try:
        ipaddress.ip_address(target.host_ip)
    except ValueError:
        problems.append(("host_ip", f"{target.host_ip!r} is not an IP address (the taskgroup has no host yet?)"))
    if not _CONTAINER_RE.match(target.container_id or ""):
        problems.append(("container_id", f"{target.container_id!r} is not a container ID (the container has not started?)"))
    if problems:
        raise InvalidRequest(problems, "shell target")


def validate_command(cmd: Any) -> list[str]:
    """A non-empty list of strings without NUL bytes (docker's exec Cmd)."""
    if not isinstance(cmd, (list, tuple)) or not cmd:
        raise InvalidRequest([("cmd", "needs at least the program to run, e.g. /bin/sh")], "shell command")
    out = []
    for i, word in enumerate(cmd):
        if not isinstance(word, str) or word == "" and i == 0:
            raise InvalidRequest([(f"cmd[{i}]", "must be a non-empty string")], "shell command")
        if "\x00" in word:
            raise InvalidRequest([(f"cmd[{i}]", "must not contain a NUL byte")], "shell command")
        out.append(word)
    return out


def _terminal(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TERMINAL:
        raise InvalidRequest([(what, f"must be a whole number from 1 to {MAX_TERMINAL} (got {value!r})")],
                             "terminal size")
    return value


# ----------------------------------------------------------------------------------------------
# Answers (pure functions of status and body)


def _docker_error(message: str, target: ExecTarget, status: int) -> ExecError:
    """The proxy's `{"msg": ...}`: docker's own words, said in BCS terms."""
    text = message.strip()
    low = text.lower()
    if "no such container" in low:
        return ExecError(f"no container {target.container_id[:12]} on agent {target.host_ip} "
                         f"(docker: {text}): the container ID is wrong or the container was removed",
                         "no_container", status)
    if "is not running" in low or "is paused" in low or "is restarting" in low:
        return ExecError(f"{target.name} is not running (docker: {text}): a shell needs a running container",
                         "not_running", status)
    if "no such exec" in low:
        return ExecError(f"the exec session is gone (docker: {text})", "exec", status)
    return ExecError(f"the console proxy on {target.host_ip} refused: {text}", "exec", status)


def exec_error(status: int, content: bytes, target: ExecTarget) -> BcsError:
    """The error for a non-200 answer (or a 200 that is not what the proxy sends)."""
    text = content.decode("utf-8", errors="replace").strip()
    shown = redact(text if len(text) <= 300 else text[:300] + "…")
    body: Any = None
    if text[:1] in ("{", "["):
        try:
            body = json.loads(text)
        except ValueError:
            body = None
    if isinstance(body, dict) and "code" in body:  # the gateway's envelope (token, cluster header)
        from bcs_tui.api.client import decode_envelope

        try:
            decode_envelope(status, content)
        except BcsError as exc:
            return exc
        return ProtocolError(f"HTTP {status}: {shown}", text, status)
    if isinstance(body, dict) and isinstance(body.get("msg"), str):
        return _docker_error(body["msg"], target, status)
    if status in (502, 504) or "couldn't dial to remote backend" in text:
        return ExecError(f"no console proxy answers on agent {target.host_ip} (HTTP {status}"
                         f"{': ' + shown if shown else ''}): bcs-consoleproxy is not running there or "
                         f"port {CONSOLEPROXY_PORT} is closed", "no_proxy", status)
    if status in (401, 403):
        return AuthError(shown or f"HTTP {status}", status)
    if status == 404 or "page not found" in text.lower():
        return ProtocolError(f"the webconsole route is not served here (HTTP {status}: {shown}); "
                             "this cluster's driver has no webconsole proxy", text, status)
    if 400 <= status < 500:
        return ExecError(f"refused (HTTP {status}): {shown or 'no reason given'}", "bad_request", status)
    return ProtocolError(f"HTTP {status}: {shown or 'empty body'}", text, status)


def decode_create(status: int, content: bytes, target: ExecTarget) -> str:
    """create_exec's answer: the exec ID, or the error (never anything but a BcsError)."""
    if status != 200:
        raise exec_error(status, content, target)
    text = content.decode("utf-8", errors="replace").strip()
    try:
        body = json.loads(text) if text else None
    except ValueError:
        raise ProtocolError(f"create_exec answered text instead of JSON: {redact(text[:300])}", text, status) from None
    if isinstance(body, dict) and "code" in body and "Id" not in body:
        raise exec_error(status, content, target)
    exec_id = body.get("Id") if isinstance(body, dict) else None
    if not isinstance(exec_id, str) or not exec_id.strip():
        raise ProtocolError("create_exec answered without an exec Id", text, status)
    return exec_id.strip()


def decode_resize(status: int, content: bytes, target: ExecTarget) -> None:
    if status != 200:
        raise exec_error(status, content, target)


# ----------------------------------------------------------------------------------------------
# The websocket


@dataclass
class StreamEnd:
    """How a stream ended: `cut` is True when the connection dropped (no close from the far end,
    or no answer to keepalive pings); `detail` says it in words."""

    cut: bool
    detail: str


def classify_close(exc: BaseException, *, ping_timeout: float | None) -> StreamEnd:
    """A websockets ConnectionClosed -> how the session ended.

    The real path ends even a normal exit abruptly: the proxy drops its websocket without a close
    frame when the exec ends, and the driver then sends the client a close frame with code 1006,
    which a conforming client must refuse (protocol error, sent 1002). That is an end, not a cut.
    """
    rcvd = getattr(exc, "rcvd", None)
    sent = getattr(exc, "sent", None)
    if rcvd is not None:
        if rcvd.code in (1000, 1001):
            return StreamEnd(False, "the session ended")
        reason = f": {rcvd.reason}" if rcvd.reason else ""
        return StreamEnd(False, f"the server closed the session (code {rcvd.code}{reason})")
    if sent is not None and sent.code == 1002:
        return StreamEnd(False, "the session ended (the driver closed the connection)")
    if sent is not None and sent.code == 1011:
        wait = f" for {ping_timeout:g}s" if ping_timeout else ""
        return StreamEnd(True, f"the connection was cut: no answer to keepalive pings{wait}")
    return StreamEnd(True, "the connection was cut (it closed without a close frame)")


class ExecStream:
    """An attached exec: `send()` keystrokes (binary frames), `recv()` output.

    `recv()` returns `("output", bytes)` for the exec's output (binary frames), `("message",
    bytes)` for the proxy's own text frames (e.g. "only one session per container"), and None
    once the stream has ended; then `end` says how."""

    def __init__(self, ws: Any, target: ExecTarget, exec_id: str, ping_timeout: float | None) -> None:
        self._ws = ws
        self.target = target
        self.exec_id = exec_id
        self.end: StreamEnd | None = None
        self.output_bytes = 0
        self.closed_by_us = False
        self._ping_timeout = ping_timeout

    def _ended(self, exc: BaseException) -> None:
        if self.end is None:
            if self.closed_by_us:
                self.end = StreamEnd(False, "detached")
            else:
                self.end = classify_close(exc, ping_timeout=self._ping_timeout)

    async def recv(self) -> tuple[str, bytes] | None:
        from websockets.exceptions import ConnectionClosed

        if self.end is not None:
            return None
        try:
            msg = await self._ws.recv()
        except ConnectionClosed as exc:
            self._ended(exc)
            return None
        if isinstance(msg, str):
            return "message", msg.encode("utf-8", errors="replace")
        data = bytes(msg)
        self.output_bytes += len(data)
        return "output", data

    async def send(self, data: bytes) -> bool:
        """Send keystrokes; False when the stream has ended (the bytes are dropped)."""
        from websockets.exceptions import ConnectionClosed

        if self.end is not None or not data:
            return self.end is None
        try:
            await self._ws.send(bytes(data))
        except ConnectionClosed as exc:
            self._ended(exc)
            return False
        return True

    async def close(self) -> None:
        """Detach: close our side (the exec goes on in the container until its input closes)."""
        if self.end is None:
            self.closed_by_us = True
        try:
            await asyncio.wait_for(self._ws.close(), timeout=3)
        except Exception:  # already gone; nothing more to do
            pass
        if self.end is None:
            self.end = StreamEnd(False, "detached")


class WebConsole:
    """The exec calls for one `BcsClient` (its server, token, cluster header, TLS, audit log and
    read-only switch). `ping_interval` / `ping_timeout`: websocket keepalive (the driver answers
    pings but does not forward the proxy's)."""

    def __init__(self, client: "BcsClient", *, ping_interval: float | None = 20.0,
                 ping_timeout: float | None = 20.0, open_timeout: float | None = None) -> None:
        self.client = client
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.open_timeout = open_timeout if open_timeout is not None else client.timeout

    # ---------------------------------------------------------------- requests as values

    @staticmethod
    def create_request(target: ExecTarget, cmd: list[str]) -> tuple[str, str, dict[str, str], dict[str, Any]]:
        """(method, path, query, body) of create_exec, exactly as sent (the confirmation shows it)."""
        return ("POST", f"{WEBCONSOLE}/create_exec", {"host_ip": target.host_ip},
                {"container_id": target.container_id, "cmd": list(cmd)})

    def start_url(self, target: ExecTarget, exec_id: str) -> str:
        query = urlencode({"host_ip": target.host_ip, "container_id": target.container_id, "exec_id": exec_id})
        base = self.client.server
        scheme, rest = base.split("://", 1)
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}{WEBCONSOLE}/start_exec?{query}"

    def _headers(self) -> dict[str, str]:
        headers = self.client._http.headers
        return {k: headers[k] for k in ("Authorization", "BCS-ClusterID", "X-BCS-Operator") if k in headers}

    # ---------------------------------------------------------------- the three calls

    async def create_exec(self, target: ExecTarget, cmd: list[str] | tuple[str, ...] = DEFAULT_COMMAND) -> str:
        """create_exec: `POST /webconsole/create_exec?host_ip=` -> the exec ID."""
        client = self.client
        op = "create_exec"
        if client.read_only:
            client._refuse(op)
        method, path, query, _ = self.create_request(target, list(cmd) if isinstance(cmd, (list, tuple)) else [])
        try:
            validate_target(target)
            words = validate_command(cmd)
        except InvalidRequest as exc:
            client._invalid(op, method, path, exc)
            raise
        method, path, query, body = self.create_request(target, words)
        client.stats.writes += 1
        try:
            response = await client._send(method, path, query, body)
        except Exception as exc:
            raise self._write_transport_error(op, method, path, query, exc) from None
        try:
            exec_id = decode_create(response.status_code, response.content, target)
        except BcsError as exc:
            client.stats.errors += 1
            client._audit(op, method, path, query, outcome="error", code=getattr(exc, "code", None),
                          message=exc.message, http_status=response.status_code)
            raise
        client._audit(op, method, path, {**query, "container_id": target.container_id}, outcome="ok", code=0,
                      message=f"exec {exec_id[:12]} created", http_status=response.status_code)
        return exec_id

    async def resize_exec(self, target: ExecTarget, exec_id: str, height: int, width: int) -> None:
        """resize_exec: `POST /webconsole/resize_exec?host_ip=` with `{exec_id, height, width}`."""
        client = self.client
        if client.read_only:
            client._refuse("resize_exec")
        body = {"exec_id": str(exec_id), "height": _terminal(height, "height"), "width": _terminal(width, "width")}
        if not body["exec_id"]:
            raise InvalidRequest([("exec_id", "is required")], "resize")
        validate_target(target)
        path = f"{WEBCONSOLE}/resize_exec"
        try:
            response = await client._send("POST", path, {"host_ip": target.host_ip}, body)
        except Exception as exc:
            raise self._transport_error("POST", path, exc) from None
        decode_resize(response.status_code, response.content, target)

    async def start_exec(self, target: ExecTarget, exec_id: str) -> ExecStream:
        """start_exec: the websocket `GET /webconsole/start_exec?host_ip=&container_id=&exec_id=`."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidHandshake, InvalidStatus

        client = self.client
        op = "start_exec"
        if client.read_only:
            client._refuse(op)
        validate_target(target)
        if not exec_id:
            raise InvalidRequest([("exec_id", "is required")], "start_exec")
        path = f"{WEBCONSOLE}/start_exec"
        query = {"host_ip": target.host_ip, "container_id": target.container_id, "exec_id": exec_id}
        client.stats.requests += 1
        try:
            ws = await connect(self.start_url(target, exec_id), additional_headers=self._headers(),
                               ssl=client.ssl_context if client.server.startswith("https") else None,
                               open_timeout=self.open_timeout, ping_interval=self.ping_interval,
                               ping_timeout=self.ping_timeout, max_size=2 ** 20, compression=None,
                               user_agent_header="bcs-tui")
        except InvalidStatus as exc:
            status = exc.response.status_code
            err = exec_error(status, bytes(exc.response.body or b""), target)
            if isinstance(err, ExecError) and err.reason == "bad_request":
                err = ExecError(f"the websocket was refused (HTTP {status}): {err.message}", "refused", status)
            client.stats.errors += 1
            client._audit(op, "GET", path, query, outcome="error", code=None, message=err.message, http_status=status)
            raise err from None
        except (InvalidHandshake, OSError, asyncio.TimeoutError, TimeoutError) as exc:
            err2 = self._transport_error("GET", path, exc, websocket=True)
            client.stats.errors += 1
            client._audit(op, "GET", path, query, outcome="error", code=None, message=err2.message)
            raise err2 from None
        client._audit(op, "GET", path, query, outcome="ok", code=0, message="websocket open", http_status=101)
        return ExecStream(ws, target, exec_id, self.ping_timeout)

    # ---------------------------------------------------------------- the session's audit

    def audit_session(self, event: str, target: ExecTarget, cmd: list[str], *, outcome: str = "ok",
                      duration: float | None = None, detail: str = "", exec_id: str = "") -> None:
        """The session's opened / closed entries: target, command, duration, how it ended.
        Never a keystroke or a byte of output."""
        client = self.client
        query: dict[str, Any] = {"host_ip": target.host_ip, "container_id": target.container_id,
                                 "cmd": " ".join(cmd)}
        if exec_id:
            query["exec_id"] = exec_id
        if duration is not None:
            query["duration_s"] = round(duration, 1)
        message = f"shell {event}: {target.name}" + (f"; {detail}" if detail else "")
        client._audit(f"shell_{event}", "WS", f"{WEBCONSOLE}/start_exec", query, outcome=outcome, code=None,
                      message=message)

    # ---------------------------------------------------------------- errors

    def _transport_error(self, method: str, path: str, exc: BaseException, *, websocket: bool = False) -> TransportError:
        import httpx

        if isinstance(exc, httpx.TransportError):
            return self.client._transport_error(exc, method, path)
        timed_out = isinstance(exc, (asyncio.TimeoutError, TimeoutError))
        server = self.client.server
        if timed_out:
            what = f"no answer from {server} within {self.open_timeout:g}s"
        elif isinstance(exc, ConnectionRefusedError):
            what = f"cannot connect to {server}"
        elif websocket:
            what = f"the websocket to {server} failed"
        else:
            what = f"connection to {server} failed"
        detail = str(exc) or type(exc).__name__
        return TransportError(f"{what}: {detail} ({method} {path})", timed_out=timed_out)

    def _write_transport_error(self, op: str, method: str, path: str, query: dict[str, Any],
                               exc: BaseException) -> BcsError:
        import httpx

        client = self.client
        client.stats.errors += 1
        if not isinstance(exc, httpx.TransportError):
            raise exc
        not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        base = client._transport_error(exc, method, path)
        if not_sent:
            err: TransportError = TransportError(base.message + "; nothing was sent", timed_out=base.timed_out)
            outcome = "error"
        else:
            err = WriteOutcomeUnknown(base.message + "; an exec may have been created in the container "
                                      "(it is never started, so nothing runs)", timed_out=base.timed_out)
            outcome = "unknown"
        client._audit(op, method, path, query, outcome=outcome, code=None, message=err.message)
        return err


def terminal_size(fd: int) -> tuple[int, int]:
    """(rows, columns) of the terminal on `fd`, clamped to what resize_exec accepts."""
    import os

    try:
        size = os.get_terminal_size(fd)
        rows, cols = size.lines, size.columns
    except OSError:
        rows, cols = 24, 80
    return max(1, min(rows, MAX_TERMINAL)), max(1, min(cols, MAX_TERMINAL))
