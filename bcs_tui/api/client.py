"""`BcsClient`: an async client for the BCS apiserver v4 mesos API and the bcs-storage reads.

One method per operation of the API document (snake_case of its name), plus the bcs-storage
queries the official CLI uses, because the scheduler has no GET for deployments, configmaps,
secrets or services. One shared `httpx.AsyncClient`.

Rules (bcs-api-facts §7): HTTP 200 with `code != 0` is an `ApiError`; `data` may be null, `[]` or
`{}`; a body that is not JSON is a `ProtocolError` carrying the text; gateway 400/401 are
`AuthError`s. GETs retry with bounded backoff on transport errors and 5xx only; writes never retry,
and a write whose answer never came raises `WriteOutcomeUnknown`. A read-only client refuses every
write before any I/O. Every write (and every refusal) is recorded in the audit log.
"""

from __future__ import annotations

import asyncio
import functools
import http.cookiejar
import json
import os
import random
import re
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from bcs_tui import __version__
from bcs_tui.api.errors import (
    ApiError,
    AuditFailure,
    AuthError,
    BcsError,
    InvalidRequest,
    KubeError,
    ProtocolError,
    ReadOnlyError,
    TransportError,
    WriteOutcomeUnknown,
    redact,
    register_secret,
)
from bcs_tui.api.request import Request
from bcs_tui.api.routes import ROUTES, SCHEDULER, STORAGE_INSPECT, STORAGE_QUERY
from bcs_tui.api.routes import segment as _seg
from bcs_tui.api.records import ROW_TYPES, NamespaceRow, RecordList, decode_records, projection
from bcs_tui.api.watch import BREAK, WatchCut, WatchDecoder, WatchEvent, WatchUnavailable

class _LazyModels:
    """`bcs_tui.api.models`, imported on first use: building its pydantic models costs ~100 ms
    that start-up and the first list (projected list records, api/records.py) do not need before the first
    paint."""

    def __getattr__(self, name: str) -> Any:
        from bcs_tui.api import models

        globals()["m"] = models  # later uses go straight to the module
        return getattr(models, name)


m: Any = _LazyModels()

STORAGE_WATCH = "/bcsapi/v4/storage/dynamic/watch"
# The application and process apps of the application table, and the legacy ones with no kind.
WHOLE_APPLICATION_TABLE = ",application,process"
# Records asked for per storage query (`limit`, a string). Storage has no upper bound; one answer
# of up to 50,000 projected records beats pages (docs/architecture.md has the measurement).
STORAGE_PAGE = 50_000

# Bodies above this size are decoded in a worker thread so the UI's event loop never stalls.
LARGE_BODY = 256 * 1024
# No answer is read past this size (a clear error instead of running out of memory). 50,000 full
# taskgroup records are ~92 MB; projected list records a fifth of that.
MAX_BODY = 256 * 1024 * 1024

STORAGE_KINDS = ("application", "process", "taskgroup", "deployment", "configmap", "secret", "service",
                 "endpoint")

# The query route names the endpoint table in the plural (bcs-storage dynamic-action.go:202);
# inspect and watch use the table name, `endpoint`.
_QUERY_TYPE = {"endpoint": "endpoints"}

_T = TypeVar("_T")


@dataclass(slots=True)
class Answer:
    """A response as the client keeps it: status and body bytes, nothing of httpx."""

    status_code: int
    content: bytes


class DeadlineExceeded(TransportError):
    """A read did not complete within the client's overall deadline."""


@dataclass
class ClientStats:
    """Counters for the benchmark and the status bar."""

    requests: int = 0
    errors: int = 0
    retries: int = 0
    bytes: int = 0
    writes: int = 0
    by_route: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.requests = self.errors = self.retries = self.bytes = self.writes = 0
        self.by_route.clear()


# ----------------------------------------------------------------------------------------------
# Envelope decoding (pure functions: the hypothesis test drives them with arbitrary bytes)


def _body_text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace").strip()


def _loads(content: bytes) -> Any:
    """json.loads that signals "not JSON" with ValueError only."""
    try:
        return json.loads(content)
    except RecursionError as exc:  # absurdly nested input
        raise ValueError("JSON nested too deeply") from exc
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        raise ValueError(str(exc)) from exc


def _to_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _text_error(status: int, text: str) -> BcsError:
    """An error for a body that is not JSON."""
    shown = text if len(text) <= 300 else text[:300] + "…"
    if 300 <= status < 400:
        # Never followed (the token would go wherever it points); say what it is.
        return ProtocolError(
            f"HTTP {status}: the server answered with a redirect, which bcs-tui does not follow; "
            "check the server address (a login page or a proxy in front of the API?)", text, status)
    if not text:
        if status >= 500:
            return ProtocolError(f"HTTP {status} with an empty body: the server failed; try again", "", status)
        if status >= 400:
            return ProtocolError(f"HTTP {status} with an empty body", "", status)
        return ProtocolError(
            "empty response: the scheduler that answered is not the master (or is restarting); "
            "try again in a few seconds", "", status)
    if status in (401, 403):
        return AuthError(shown, status)
    if "can't contains" in text or "cannot contain" in text:
        return ProtocolError(f"the driver refused the name: {shown} (names must not contain '.')", text, status)
    if status == 404 or "404" in text[:40] or "page not found" in text.lower():
        return ProtocolError(
            f"route not found on this server ({shown}); the operation is not available on this BCS version",
            text, status)
    if status >= 500:
        return ProtocolError(f"HTTP {status}: {shown}", text, status)
    if text[:1] in ("{", "["):
        return ProtocolError("the response is not valid JSON (cut off in transit?); try again", text, status)
    return ProtocolError(f"the server answered with text instead of JSON: {shown}", text, status)


def _envelope_error(status: int, body: dict[str, Any], code: int) -> BcsError:
    message = body.get("message")
    message = "" if message is None else str(message)
    # Gateway (apisix bkbcs-auth) answers 400/401 JSON without a `data` key; legacy bcs-api
    # used 1405057/1405058 for auth failures.
    if status in (401, 403):
        return AuthError(message, status)
    if status == 400 and "data" not in body and code != 1405234:
        return AuthError(message, status)
    if code in (1405057, 1405058):
        return AuthError(message, status)
    return ApiError(code, message, status)


def decode_envelope(status: int, content: bytes) -> Any:
    """The `data` of a BCS envelope `{result, code, message, data}`, or a `BcsError`.

    Never raises anything but `BcsError` subclasses, whatever the bytes.
    """
    text = _body_text(content)
    if not text:
        raise _text_error(status, "")
    try:
        body = _loads(content)
    except ValueError:
        raise _text_error(status, text) from None
    if not isinstance(body, dict):
        if status >= 400:
            raise ProtocolError(f"HTTP {status} with an unexpected JSON body", text, status)
        raise ProtocolError("the server answered JSON that is not a BCS envelope", text, status)
    if "code" not in body:
        if body.get("kind") == "Status":
            raise _kube_status_error(status, body)
        if status >= 400:
            message = body.get("message") or body.get("error_msg") or body.get("error")
            if status in (401, 403):
                raise AuthError(str(message or f"HTTP {status}"), status)
            raise ProtocolError(f"HTTP {status}: {message or 'unexpected JSON body'}", text, status)
        raise ProtocolError("the server answered JSON that is not a BCS envelope (no code)", text, status)
    code = _to_code(body.get("code"))
    if code is None:
        raise ProtocolError("the envelope's code is not a number", text, status)
    if code != 0:
        raise _envelope_error(status, body, code)
    if status >= 400:
        # a success envelope with an error status: trust the status
        raise ApiError(code, str(body.get("message") or f"HTTP {status}"), status)
    return body.get("data")


def _kube_status_error(status: int, body: dict[str, Any]) -> KubeError:
    code = _to_code(body.get("code"))
    return KubeError(code or status, str(body.get("message") or ""), str(body.get("reason") or ""))


def decode_kube(status: int, content: bytes) -> Any:
    """Raw Kubernetes JSON from the CRD / custom-resource proxy (no BCS envelope).

    Errors come as a kube `Status` object with the kube HTTP status; the gateway and the driver's
    header filter may still answer with a BCS envelope, which is decoded as one.
    """
    text = _body_text(content)
    if not text:
        if status >= 400:
            raise _text_error(status, "")
        return None
    try:
        body = _loads(content)
    except ValueError:
        raise _text_error(status, text) from None
    if isinstance(body, dict):
        if body.get("kind") == "Status" and (status >= 400 or body.get("status") == "Failure"):
            raise _kube_status_error(status, body)
        if "result" in body and "code" in body and "apiVersion" not in body:
            return decode_envelope(status, content)
    if status >= 400:
        message = body.get("message") if isinstance(body, dict) else None
        if status in (401, 403):
            raise AuthError(str(message or f"HTTP {status}"), status)
        raise KubeError(status, str(message or text[:300]))
    return body


# ----------------------------------------------------------------------------------------------
# Model conversion


def _model(model: type[_T], data: Any, what: str) -> _T:
    if data is None or data == [] or data == "":
        data = {}
    if not isinstance(data, dict):
        raise ProtocolError(f"{what}: expected a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise ProtocolError(f"{what}: unexpected data ({_first_problem(exc)})") from None


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}
# Items validated per pydantic call: between chunks the worker thread can drop the GIL, so a
# 10 000-row refresh parsed off the event loop does not starve the UI for its whole duration.
_CHUNK = 500


def _models(model: type[_T], data: Any, what: str) -> list[_T]:
    """A list of models; `null`, `{}` and `[]` are all an empty list (ZK vs etcd stores)."""
    if data is None or data == {} or data == "":
        return []
    if not isinstance(data, list):
        raise ProtocolError(f"{what}: expected a JSON array, got {type(data).__name__}")
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        adapter = _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    out: list[_T] = []
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        try:
            out.extend(adapter.validate_python(chunk))
        except ValidationError as exc:
            errs = exc.errors(include_url=False)
            loc = errs[0].get("loc", ()) if errs else ()
            index = start + loc[0] if loc and isinstance(loc[0], int) else start
            item = data[index] if index < len(data) else None
            if not isinstance(item, dict):
                raise ProtocolError(f"{what}[{index}]: expected a JSON object, got {type(item).__name__}") from None
            rest = ".".join(str(p) for p in loc[1:])
            problem = f"{rest}: {errs[0].get('msg')}" if rest else str(errs[0].get("msg"))
            raise ProtocolError(f"{what}[{index}]: unexpected data ({problem})") from None
    return out


def _first_problem(exc: ValidationError) -> str:
    errs = exc.errors(include_url=False)
    if not errs:
        return "invalid"
    err = errs[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    return f"{loc}: {err.get('msg')}" if loc else str(err.get("msg"))


def _strings(data: Any, what: str) -> list[str]:
    if data is None or data == {} or data == "":
        return []
    if not isinstance(data, list):
        raise ProtocolError(f"{what}: expected a JSON array, got {type(data).__name__}")
    return [str(x) for x in data if x is not None]


def _items(data: Any) -> list[Any]:
    """Kube list JSON -> its items; a bare array passes."""
    if data is None:
        return []
    if isinstance(data, dict):
        items = data.get("items")
        return list(items) if isinstance(items, list) else []
    if isinstance(data, list):
        return data
    return []


# ----------------------------------------------------------------------------------------------


def _ips(ips: str | Iterable[str]) -> str:
    if isinstance(ips, str):
        items = [p.strip() for p in ips.split(",")]
    else:
        items = [str(p).strip() for p in ips]
    items = [p for p in items if p]
    if not items:
        raise InvalidRequest([("ips", "needs at least one IP")], "request")
    import ipaddress

    for ip in items:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise InvalidRequest([("ips", f"{ip!r} is not an IP address")], "request") from None
    return ",".join(items)


def _instances(value: Any, what: str = "instances") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidRequest([(what, f"must be a whole number (got {value!r})")], "request") from None
    if value < 1:
        raise InvalidRequest([(what, "must be at least 1 (use delete to remove it)")], "request")
    return value


def normalize_server(server: str) -> str:
    """Like bcs-client's `apiserver`: add https:// when there is no scheme; drop a trailing
    `/bcsapi[/v4]` and slashes (the client adds the prefix itself)."""
    text = (server or "").strip()
    if not text:
        raise InvalidRequest([("server", "is required (e.g. https://bcs.example.com:8443)")], "client")
    if "://" not in text:
        text = "https://" + text
    scheme = text.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise InvalidRequest([("server", f"scheme must be http or https (got {scheme!r})")], "client")
    text = text.rstrip("/")
    for suffix in ("/bcsapi/v4", "/bcsapi"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def _reveal(token: Any) -> str | None:
    if token is None:
        return None
    reveal = getattr(token, "reveal", None)
    value = reveal() if callable(reveal) else str(token)
    return value or None


def _writes(fn: Callable[..., Awaitable[_T]]) -> Callable[..., Awaitable[_T]]:
    """Marks a method as a write: a read-only client refuses it before doing anything."""

    @functools.wraps(fn)
    async def wrapper(self: "BcsClient", *args: Any, **kwargs: Any) -> _T:
        if self.read_only:
            self._refuse(fn.__name__)
        return await fn(self, *args, **kwargs)

    wrapper.bcs_write = True  # type: ignore[attr-defined]
    return wrapper


def _body_dict(body: Any, model: type[BaseModel] | None, what: str) -> Any:
    """Validate a request body and return the JSON to send.

    A dict (user JSON from the editor) is validated and sent exactly as given, so unknown fields
    and the user's key spellings reach the server untouched; a model is dumped by alias.
    """
    if isinstance(body, BaseModel):
        if model is not None and not isinstance(body, model):
            body = m.validate_request(model, body, what)
        return body.model_dump(by_alias=True, mode="json", exclude_unset=True)
    if model is not None:
        m.validate_request(model, body, what)
    return body


def _no_key_password() -> str:
    raise ssl.SSLError("the client key is encrypted and no key password is configured (key_password_file)")


class _NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


class BcsClient:
    """Async client for one BCS mesos cluster.

    `server` is the gateway address (`https://bcs.example.com:8443`, scheme optional);
    `cluster_id` the `BCS-ClusterID` header value (e.g. `BCS-MESOS-10001`); `token` a string or
    an object with `reveal()` (the config's Secret). `verify` is True, False (insecure) or a CA
    file path; `cert` a `(cert_file, key_file)` pair for mutual TLS. `transport` replaces the
    network (tests use `httpx.MockTransport` or the simulator's ASGI app).
    """

    def __init__(
        self,
        server: str,
        cluster_id: str,
        token: Any = None,
        *,
        operator: str | None = None,
        verify: bool | str = True,
        cert: tuple[Any, ...] | str | None = None,
        timeout: float = 10.0,
        read_only: bool = False,
        audit: Any = None,
        context_name: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
        get_retries: int = 2,
        backoff: float = 0.25,
        write_deadline: float | None = None,
        read_deadline: float = 60.0,
        max_body: int = MAX_BODY,
        storage_page: int = STORAGE_PAGE,
    ) -> None:
        self.server = normalize_server(server)
        self.cluster_id = str(cluster_id or "")
        self.operator = operator or None
        self.read_only = bool(read_only)
        self.audit = audit
        self.context_name = context_name
        self.get_retries = max(0, int(get_retries))
        self.backoff = max(0.0, float(backoff))
        self.timeout = timeout
        # A write's overall deadline (connect + send + answer): 3 phases of `timeout`, at least 30s.
        self.write_deadline = float(write_deadline) if write_deadline else max(30.0, 3 * float(timeout))
        self.audit_failure: str | None = None
        self._in_flight: dict[str, Request] = {}
        self._write_seq = 0
        self.read_deadline = max(0.001, float(read_deadline))
        self.max_body = max(1, int(max_body))
        self.storage_page = max(1, int(storage_page))
        self.stats = ClientStats()
        self._token = _reveal(token)
        register_secret(self._token)
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": f"bcs-tui/{__version__}"}
        if self.cluster_id:
            headers["BCS-ClusterID"] = self.cluster_id
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if self.operator:
            headers["X-BCS-Operator"] = self.operator
        kwargs: dict[str, Any] = {
            "base_url": self.server,
            "headers": headers,
            "timeout": httpx.Timeout(timeout),
            "follow_redirects": False,
            # The API has no cookies: none is stored or replayed (a server's Set-Cookie could
            # otherwise put any bytes into every later request's Cookie header).
            "cookies": _NoCookies(),
        }
        # The TLS settings, kept for the webconsole's websocket (wss) to the same gateway.
        self.ssl_context: ssl.SSLContext | None = None
        if transport is not None:
            kwargs["transport"] = transport
        else:
            tls = self._ssl_context(verify, cert)
            self.ssl_context = tls if isinstance(tls, ssl.SSLContext) else None
            kwargs["verify"] = tls
        self._http = httpx.AsyncClient(**kwargs)

    @staticmethod
    def _ssl_context(verify: bool | str, cert: tuple[Any, ...] | str | None) -> ssl.SSLContext | bool:
        """TLS: verify by default, a CA file, an explicit insecure switch, client cert + key."""
        try:
            if verify is False:
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            elif isinstance(verify, str) and verify:
                ctx = ssl.create_default_context(cafile=verify)
            else:
                ctx = ssl.create_default_context()
            if cert:
                if isinstance(cert, str):
                    ctx.load_cert_chain(cert, password=_no_key_password)
                else:
                    # (cert, key[, password callable]): an encrypted key without a configured
                    # password fails here instead of OpenSSL prompting on the terminal.
                    ctx.load_cert_chain(cert[0], cert[1], cert[2] if len(cert) > 2 else _no_key_password)
        except (OSError, ssl.SSLError) as exc:
            raise TransportError(f"TLS setup failed: {exc}") from None
        return ctx

    def __repr__(self) -> str:
        mode = " read-only" if self.read_only else ""
        return f"<BcsClient {self.server} cluster={self.cluster_id}{mode}>"

    async def __aenter__(self) -> "BcsClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @classmethod
    def write_methods(cls) -> list[str]:
        """The names of every method that writes (the read-only switch refuses all of them)."""
        return sorted(name for name in dir(cls) if getattr(getattr(cls, name, None), "bcs_write", False))

    # ------------------------------------------------------------------------------------------
    # Transport core

    def _refuse(self, op: str, method: str = "-", path: str = "", params: Mapping[str, Any] | None = None) -> None:
        self._audit(op, method, path, params, outcome="refused", code=None,
                    message="read-only context: write refused before sending")
        raise ReadOnlyError(f"read-only context: {op.replace('_', ' ')} was not sent")

    def _audit(self, op: str, method: str, path: str, params: Mapping[str, Any] | None, *,
               outcome: str | None, code: int | None, message: str, http_status: int | None = None,
               **extra: Any) -> str | None:
        """One audit line; returns the audit's error text when the line could not be written."""
        if self.audit is None:
            return None
        try:
            self.audit.record(
                context=self.context_name, cluster=self.cluster_id, method=method,
                path=path, query=dict(params or {}), outcome=outcome, code=code,
                message=redact(message), http_status=http_status, operator=self.operator, operation=op,
                **extra,
            )
        except Exception as exc:  # a broken audit object: said like a failed write, not raised here
            return f"audit log: {type(exc).__name__}: {exc}"
        error = getattr(self.audit, "last_error", None)
        return str(error) if error else None

    async def _send(self, method: str, path: str, params: Mapping[str, Any] | None,
                    body: Any, *, read: bool = False) -> "Answer":
        """Send one request and read its whole body, within `max_body` bytes and `read_deadline`
        seconds overall (a per-read timeout alone lets a server trickling a byte a second hold a
        view forever). The httpx response is closed and dropped here: it and its stream refer to
        each other, so a kept response lives until a full GC with its body."""
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.stats.requests += 1
        route = f"{method} {path}"
        self.stats.by_route[route] = self.stats.by_route.get(route, 0) + 1
        request = self._http.build_request(method, path, params=dict(params) if params else None,
                                           content=content)
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.read_deadline):
                response = await self._http.send(request, stream=True)
                try:
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > self.max_body:
                        raise self._too_big(method, path, int(declared))
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.max_body:
                            raise self._too_big(method, path, size)
                        chunks.append(chunk)
                    status = response.status_code
                finally:
                    await response.aclose()
                    response.stream = None  # type: ignore[assignment]
                    del response
        except TimeoutError:
            self.stats.bytes += size
            message = (f"no complete answer from {self.server} within {self.read_deadline:g}s "
                       f"({size} bytes came) ({method} {path})")
            if not read:
                # A write's caller words a timeout as "sent, outcome unknown".
                raise httpx.ReadTimeout(message, request=request) from None
            raise DeadlineExceeded(message, timed_out=True) from None
        self.stats.bytes += size
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        return Answer(status, data)

    def _too_big(self, method: str, path: str, size: int) -> ProtocolError:
        return ProtocolError(
            f"the answer is larger than the {_size(self.max_body)} limit "
            f"({_size(size)} at least; {method} {path}): narrow the view to a namespace, "
            "or raise max_body")

    async def _decode(self, decoder: Callable[[int, bytes], Any], response: "Answer",
                      convert: Callable[[Any], _T] | None) -> _T | Any:
        content = response.content
        response.content = b""  # the body lives only as long as its decode

        def work() -> Any:
            data = decoder(response.status_code, content)
            return convert(data) if convert is not None else data

        if len(content) > LARGE_BODY:
            return await asyncio.to_thread(work)
        return work()

    async def _read(self, path: str, params: Mapping[str, Any] | None = None, *,
                    convert: Callable[[Any], _T] | None = None, kube: bool = False,
                    method: str = "GET", body: Any = None,
                    decoder: Callable[[int, bytes], Any] | None = None) -> Any:
        """A read (GET, or the storage POST query): retried with backoff on transport errors
        and 5xx, at most `get_retries` extra times. `decoder` replaces the envelope decoder."""
        if decoder is None:
            decoder = decode_kube if kube else decode_envelope
        attempt = 0
        while True:
            try:
                response = await self._send(method, path, params, body, read=True)
            except DeadlineExceeded:
                self.stats.errors += 1
                raise  # not retried: the deadline is for the whole read
            except httpx.TransportError as exc:
                if attempt < self.get_retries:
                    attempt += 1
                    self.stats.retries += 1
                    await self._sleep(attempt)
                    continue
                self.stats.errors += 1
                raise self._transport_error(exc, method, path) from None
            if response.status_code >= 500 and attempt < self.get_retries:
                attempt += 1
                self.stats.retries += 1
                await self._sleep(attempt)
                continue
            try:
                return await self._decode(decoder, response, convert)
            except BcsError:
                self.stats.errors += 1
                raise

    async def _sleep(self, attempt: int) -> None:
        if self.backoff <= 0:
            return
        delay = min(self.backoff * (2 ** (attempt - 1)), 2.0)
        await asyncio.sleep(delay * (0.8 + 0.4 * random.random()))

    def _transport_error(self, exc: httpx.TransportError, method: str, path: str) -> TransportError:
        timed_out = isinstance(exc, httpx.TimeoutException)
        if isinstance(exc, httpx.ConnectError):
            what = f"cannot connect to {self.server}"
        elif timed_out:
            what = f"no answer from {self.server} within {self.timeout:g}s"
        else:
            what = f"connection to {self.server} failed"
        detail = str(exc) or type(exc).__name__
        if "CERTIFICATE_VERIFY_FAILED" in detail or "certificate verify failed" in detail:
            # The most common TLS failure: say which setting fixes it.
            why = re.search(r"certificate verify failed: ([^(]+)", detail)
            detail = (f"the server's TLS certificate is not trusted ({why.group(1).strip() if why else 'verify failed'}): "
                      "set ca_file in the context (or --ca-file FILE); --insecure skips the check (test clusters only)")
        # The cause before the request line: a narrow title or a flash cut at the end still says why.
        return TransportError(f"{what}: {detail} ({method} {path})", timed_out=timed_out)

    # ------------------------------------------------------------------------------------------
    # Sending planned requests: the one place a write goes out

    def _plan(self, route_name: str, query: Mapping[str, Any] | None = None, body: Any = None, /, *,
              targets: Iterable[str] = (), convert: Callable[[Any], Any] | None = None,
              **params: Any) -> Request:
        """A request value for route `route_name` (path segments quoted once, by the route)."""
        rt = ROUTES[route_name]
        path = rt.path(**params)
        q = {str(k): str(v) for k, v in (query or {}).items() if v is not None}
        return Request(rt, path, q, body, tuple(targets), convert)

    def acknowledge_audit_failure(self) -> None:
        """The user has seen that the audit log failed: writes may be tried again (each one
        still needs its intent line written first)."""
        self.audit_failure = None

    def writes_in_flight(self) -> list[Request]:
        """Writes sent whose answer has not come back yet (on exit: outcome unknown)."""
        return list(self._in_flight.values())

    async def send(self, request: Request) -> Any:
        """Send a planned request (any route of `bcs_tui/api/routes.py`). A read goes through the read path (retried); a write is sent
        exactly once: refused when read-only or while an audit failure is unacknowledged, audited
        before it goes out (intent, with the send time) and again with its outcome, bounded by
        `write_deadline`, counted, never retried."""
        if not request.is_write:
            return await self._read(request.path, request.query or None, convert=request.convert,
                                    kube=request.route.kube, method=request.method, body=request.body)
        op, method, path, params = request.op, request.method, request.path, request.query
        if self.read_only:
            self._refuse(op, method, path, params)
        if self.audit_failure:
            raise AuditFailure(f"{self.audit_failure}; writes are refused until this is acknowledged "
                               f"({op.replace('_', ' ')} was not sent)")
        self._write_seq += 1
        write_id = f"{os.getpid():x}-{time.time_ns():x}-{self._write_seq}"
        sent_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        common: dict[str, Any] = {"time": sent_at, "write_id": write_id, "targets": request.targets}
        failed = self._audit(op, method, path, params, outcome="pending", code=None, message="sending",
                             phase="intent", **common)
        if failed:
            self.audit_failure = failed
            raise AuditFailure(f"{failed}: the write was refused before sending ({op.replace('_', ' ')} "
                               "was not sent)")

        def outcome(result: str, code: int | None, message: str, http_status: int | None = None) -> None:
            problem = self._audit(op, method, path, params, outcome=result, code=code, message=message,
                                  http_status=http_status, phase="outcome", **common)
            if problem:
                self.audit_failure = problem

        decoder = decode_kube if request.route.kube else decode_envelope
        self.stats.writes += 1
        self._in_flight[write_id] = request
        try:
            try:
                async with asyncio.timeout(self.write_deadline):
                    response = await self._send(method, path, params, request.body)
            except TimeoutError:
                self.stats.errors += 1
                err = WriteOutcomeUnknown(
                    f"no answer within the write deadline of {self.write_deadline:g}s ({method} {path}); the "
                    "request was sent, so it may or may not have been applied: check the object before "
                    "trying again", timed_out=True)
                outcome("unknown", None, err.message)
                raise err from None
            except httpx.TransportError as exc:
                self.stats.errors += 1
                not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
                if not_sent:
                    terr: TransportError = self._transport_error(exc, method, path)
                    terr = TransportError(terr.message + "; nothing was sent", timed_out=terr.timed_out)
                    outcome("error", None, terr.message)
                    raise terr from None
                base = self._transport_error(exc, method, path)
                unknown = WriteOutcomeUnknown(
                    base.message + "; the request was sent but no answer came back, so it may or may not "
                    "have been applied: check the object before trying again",
                    timed_out=base.timed_out)
                outcome("unknown", None, unknown.message)
                raise unknown from None
            try:
                result = await self._decode(decoder, response, request.convert)
            except BcsError as exc:
                self.stats.errors += 1
                code = getattr(exc, "code", None)
                outcome("error", code if isinstance(code, int) else None, exc.message, response.status_code)
                raise
            outcome("ok", 0, "success", response.status_code)
            return result
        finally:
            self._in_flight.pop(write_id, None)

    def _invalid(self, op: str, method: str, path: str, exc: InvalidRequest) -> None:
        self._audit(op, method, path, None, outcome="invalid", code=None, message=exc.message)

    def _validated(self, body: Any, model: type[BaseModel] | None, what: str, op: str, method: str,
                   path: str) -> Any:
        try:
            return _body_dict(body, model, what)
        except InvalidRequest as exc:
            self._invalid(op, method, path, exc)
            raise

    # ------------------------------------------------------------------------------------------
    # Applications

    @staticmethod
    def _check_kind(body: Any, expected: str, what: str) -> None:
        kind = body.get("kind") if isinstance(body, dict) else getattr(body, "kind", None)
        if kind != expected:
            raise InvalidRequest([("kind", f"must be {expected!r} for this route (got {kind!r})")], what)

    @staticmethod
    def _check_namespace(body: Any, ns: str, what: str) -> None:
        meta = body.get("metadata") if isinstance(body, dict) else getattr(body, "metadata", None)
        body_ns = meta.get("namespace") if isinstance(meta, dict) else getattr(meta, "namespace", None)
        if not body_ns:
            # bcs-client requires it too: the driver would fall back to defaultGroup
            raise InvalidRequest([("metadata.namespace", f"is required (the request goes to namespace {ns!r})")],
                                 what)
        if body_ns != ns:
            raise InvalidRequest(
                [("metadata.namespace", f"is {body_ns!r} but the request goes to namespace {ns!r}")], what)

    def _manifest(self, body: Any, model: type[BaseModel], kind: str, ns: str, op: str, method: str,
                  path: str) -> Any:
        what = f"{kind} manifest"
        try:
            self._check_kind(body, kind, what)
            self._check_namespace(body, ns, what)
            return _body_dict(body, model, what)
        except InvalidRequest as exc:
            self._invalid(op, method, path, exc)
            raise

    @staticmethod
    def _app_kind(process: bool) -> str:
        return "process" if process else "application"

    def plan_create_application(self, ns: str, body: Any, *, process: bool = False) -> Request:
        """createApplication: `POST /namespaces/{ns}/applications` (process apps:
        `/namespaces/{ns}/processes`, body kind "process"). Asynchronous; `data` null."""
        kind = self._app_kind(process)
        op = f"create_{kind}"
        path = ROUTES[op].path(ns=ns)
        payload = self._manifest(body, m.ReplicaController, kind, ns, op, "POST", path)
        return self._plan(op, None, payload, targets=[f"{kind} {ns}/{_meta_name(payload)}"], ns=ns)

    def plan_update_application(self, ns: str, body: Any, instances: int | None = None,
                                only_resource: bool = False, *, process: bool = False) -> Request:
        """updateApplication: `PUT /namespaces/{ns}/applications?instances=N` (rolls the first N
        taskgroups: N must be the live DefineInstances, facts §11.3; default `spec.instance`), or
        `?args=resource` for an in-place resource change that does not restart containers.
        Process apps: `PUT /namespaces/{ns}/processes`."""
        kind = self._app_kind(process)
        op = f"update_{kind}"
        path = ROUTES[op].path(ns=ns)
        payload = self._manifest(body, m.ReplicaController, kind, ns, op, "PUT", path)
        if only_resource:
            params: dict[str, Any] = {"args": "resource"}
        else:
            if instances is None:
                instances = payload.get("spec", {}).get("instance")
            try:
                params = {"instances": str(_instances(instances))}
            except InvalidRequest as exc:
                self._invalid(op, "PUT", path, exc)
                raise
        return self._plan(op, params, payload, targets=[f"{kind} {ns}/{_meta_name(payload)}"], ns=ns)

    def plan_delete_application(self, ns: str, name: str, enforce: bool = False, *,
                                process: bool = False) -> Request:
        """deleteApplication: `DELETE /namespaces/{ns}/applications/{name}?enforce=0|1`
        (process apps: `/namespaces/{ns}/processes/{name}`)."""
        kind = self._app_kind(process)
        return self._plan(f"delete_{kind}", {"enforce": "1" if enforce else "0"},
                          targets=[f"{kind} {ns}/{name}"], ns=ns, name=name)

    def plan_scale_application(self, ns: str, name: str, instances: int, *, process: bool = False) -> Request:
        """scaleApplication: `PUT /namespaces/{ns}/applications/{name}/scale/{instances}`
        (process apps: `/namespaces/{ns}/processes/{name}/scale/{instances}`)."""
        kind = self._app_kind(process)
        n = _instances(instances)
        return self._plan(f"scale_{kind}", targets=[f"{kind} {ns}/{name}"], ns=ns, name=name, instances=n)

    def plan_rollback_application(self, ns: str, body: Any, *, process: bool = False) -> Request:
        """rollbackApplication: `PUT /namespaces/{ns}/applications/rollback` (body: the full
        application definition to go back to; its `spec.instance` is how many taskgroups roll,
        so it must be the live DefineInstances). Process apps: `/namespaces/{ns}/processes/rollback`."""
        kind = self._app_kind(process)
        op = f"rollback_{kind}"
        path = ROUTES[op].path(ns=ns)
        payload = self._manifest(body, m.ReplicaController, kind, ns, op, "PUT", path)
        return self._plan(op, None, payload, targets=[f"{kind} {ns}/{_meta_name(payload)}"], ns=ns)

    @_writes
    async def create_application(self, ns: str, body: Any, *, process: bool = False) -> None:
        """createApplication: `POST /namespaces/{ns}/applications` (see `plan_create_application`)."""
        await self.send(self.plan_create_application(ns, body, process=process))

    @_writes
    async def update_application(self, ns: str, body: Any, instances: int | None = None,
                                 only_resource: bool = False, *, process: bool = False) -> None:
        """updateApplication: `PUT /namespaces/{ns}/applications?instances=N` (see `plan_update_application`)."""
        await self.send(self.plan_update_application(ns, body, instances, only_resource, process=process))

    @_writes
    async def delete_application(self, ns: str, name: str, enforce: bool = False, *, process: bool = False) -> None:
        """deleteApplication: `DELETE /namespaces/{ns}/applications/{name}?enforce=0|1`."""
        await self.send(self.plan_delete_application(ns, name, enforce, process=process))

    @_writes
    async def scale_application(self, ns: str, name: str, instances: int, *, process: bool = False) -> None:
        """scaleApplication: `PUT /namespaces/{ns}/applications/{name}/scale/{instances}`."""
        await self.send(self.plan_scale_application(ns, name, instances, process=process))

    @_writes
    async def rollback_application(self, ns: str, body: Any, *, process: bool = False) -> None:
        """rollbackApplication: `PUT /namespaces/{ns}/applications/rollback`."""
        await self.send(self.plan_rollback_application(ns, body, process=process))

    async def fetch_application(self, ns: str, name: str) -> m.Application:
        """fetchApplication: `GET /namespaces/{ns}/applications/{name}`."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}"
        return await self._read(path, convert=lambda d: _model(m.Application, d, "application"))

    async def list_applications(self, ns: str, kind: str = "application") -> list[m.Application]:
        """listApplications: `GET /namespaces/{ns}/applications`. The scheduler ignores `kind`
        and returns process apps too, so like bcs-client this keeps Kind "" and "application"
        (or only `kind="process"` apps; `kind=None` keeps all)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications"
        apps = await self._read(path, convert=lambda d: _models(m.Application, d, "applications"))
        if kind is None:
            return apps
        if kind == "application":
            return [a for a in apps if a.kind in ("", "application")]
        return [a for a in apps if a.kind == kind]

    async def list_taskgroups(self, ns: str, name: str) -> list[m.TaskGroup]:
        """listTaskgroups: `GET /namespaces/{ns}/applications/{name}/taskgroups` (tasks embedded)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}/taskgroups"
        return await self._read(path, convert=lambda d: _models(m.TaskGroup, d, "taskgroups"))

    async def list_tasks(self, ns: str, name: str) -> list[m.Task]:
        """listTasks: `GET /namespaces/{ns}/applications/{name}/tasks` (a dead route on current
        servers: expect a ProtocolError; the tasks are inside list_taskgroups)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}/tasks"
        return await self._read(path, convert=lambda d: _models(m.Task, d, "tasks"))

    def plan_rescheduler_taskgroup(self, ns: str, app: str, taskgroup_id: str,
                                   host_retain_time: int | None = None) -> Request:
        """reschedulerTaskgroup: `PUT /namespaces/{ns}/applications/{app}/taskgroups/{id}/rescheduler
        [?hostRetainTime=seconds]` (only the taskgroup id matters to the scheduler)."""
        req = self._plan("rescheduler_taskgroup", targets=[f"taskgroup {taskgroup_id}"], ns=ns, app=app,
                         taskgroup=taskgroup_id)
        if host_retain_time is None:
            return req
        if isinstance(host_retain_time, bool) or not isinstance(host_retain_time, int) or host_retain_time < 0:
            exc = InvalidRequest([("hostRetainTime", "must be a whole number of seconds >= 0")], "request")
            self._invalid("rescheduler_taskgroup", "PUT", req.path, exc)
            raise exc
        return self._plan("rescheduler_taskgroup", {"hostRetainTime": str(host_retain_time)},
                          targets=req.targets, ns=ns, app=app, taskgroup=taskgroup_id)

    def plan_restart_taskgroup(self, ns: str, app: str, taskgroup_id: str) -> Request:
        """`POST /namespaces/{ns}/applications/{app}/taskgroups/{id}/restart` (process apps only)."""
        return self._plan("restart_taskgroup", targets=[f"taskgroup {taskgroup_id}"], convert=_optional_message,
                          ns=ns, app=app, taskgroup=taskgroup_id)

    def plan_reload_taskgroup(self, ns: str, app: str, taskgroup_id: str) -> Request:
        """`POST /namespaces/{ns}/applications/{app}/taskgroups/{id}/reload` (process apps only)."""
        return self._plan("reload_taskgroup", targets=[f"taskgroup {taskgroup_id}"], convert=_optional_message,
                          ns=ns, app=app, taskgroup=taskgroup_id)

    @_writes
    async def rescheduler_taskgroup(self, ns: str, app: str, taskgroup_id: str,
                                    host_retain_time: int | None = None) -> None:
        """reschedulerTaskgroup: `PUT …/taskgroups/{id}/rescheduler` (see `plan_rescheduler_taskgroup`)."""
        await self.send(self.plan_rescheduler_taskgroup(ns, app, taskgroup_id, host_retain_time))

    @_writes
    async def restart_taskgroup(self, ns: str, app: str, taskgroup_id: str) -> m.BcsMessage | None:
        """`POST /namespaces/{ns}/applications/{app}/taskgroups/{id}/restart` (process apps only)."""
        return await self.send(self.plan_restart_taskgroup(ns, app, taskgroup_id))

    @_writes
    async def reload_taskgroup(self, ns: str, app: str, taskgroup_id: str) -> m.BcsMessage | None:
        """`POST /namespaces/{ns}/applications/{app}/taskgroups/{id}/reload` (process apps only)."""
        return await self.send(self.plan_reload_taskgroup(ns, app, taskgroup_id))

    async def list_versions(self, ns: str, name: str) -> list[str]:
        """listVersions: `GET /namespaces/{ns}/applications/{name}/versions` -> version ids
        (unixNano strings, unsorted; sort as strings for the newest)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}/versions"
        return await self._read(path, convert=lambda d: _strings(d, "versions"))

    async def fetch_version(self, ns: str, name: str, version_id: str) -> m.Version:
        """fetchVersion: `GET /namespaces/{ns}/applications/{name}/versions/{versionid}`."""
        path = (f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}"
                f"/versions/{_seg(version_id, 'version id')}")
        return await self._read(path, convert=lambda d: _model(m.Version, d, "version"))

    def plan_send_application_message(self, ns: str, name: str, body: Any) -> Request:
        """sendApplicationMessage: `POST /namespaces/{ns}/applications/{name}/message`. Returns
        the taskgroups it could NOT be delivered to (empty when all succeeded)."""
        path = ROUTES["send_application_message"].path(ns=ns, app=name)
        payload = self._validated(body, m.MessageRequest, "message", "send_application_message", "POST", path)
        return self._plan("send_application_message", None, payload, targets=[f"application {ns}/{name}"],
                          convert=lambda d: _models(m.TaskGroupOpResult, d, "message failures"), ns=ns, app=name)

    def plan_send_taskgroup_message(self, ns: str, name: str, taskgroup_id: str, body: Any) -> Request:
        """sendTaskgroupMessage: `POST /namespaces/{ns}/applications/{name}/taskgroups/{id}/message`."""
        path = ROUTES["send_taskgroup_message"].path(ns=ns, app=name, taskgroup=taskgroup_id)
        payload = self._validated(body, m.MessageRequest, "message", "send_taskgroup_message", "POST", path)
        return self._plan("send_taskgroup_message", None, payload, targets=[f"taskgroup {taskgroup_id}"],
                          ns=ns, app=name, taskgroup=taskgroup_id)

    def plan_send_application_signal(self, ns: str, name: str, signal: int, process_name: str) -> Request:
        """sendapplicationSignal: the message route with msgtype signal (every Running taskgroup)."""
        return self.plan_send_application_message(ns, name, self.signal_message(ns, name, signal, process_name))

    def plan_send_taskgroup_signal(self, ns: str, name: str, taskgroup_id: str, signal: int,
                                   process_name: str) -> Request:
        """sendtaskgroupSignal: the taskgroup message route with msgtype signal."""
        body = self.signal_message(ns, name, signal, process_name)
        body["taskgroupid"] = taskgroup_id
        return self.plan_send_taskgroup_message(ns, name, taskgroup_id, body)

    @_writes
    async def send_application_message(self, ns: str, name: str, body: Any) -> list[m.TaskGroupOpResult]:
        """sendApplicationMessage: `POST /namespaces/{ns}/applications/{name}/message`."""
        return await self.send(self.plan_send_application_message(ns, name, body))

    @_writes
    async def send_taskgroup_message(self, ns: str, name: str, taskgroup_id: str, body: Any) -> Any:
        """sendTaskgroupMessage: `POST /namespaces/{ns}/applications/{name}/taskgroups/{id}/message`."""
        return await self.send(self.plan_send_taskgroup_message(ns, name, taskgroup_id, body))

    @staticmethod
    def signal_message(ns: str, name: str, signal: int, process_name: str) -> dict[str, Any]:
        """The message body of a signal: the executor runs `killall -<signal> <process_name>`."""
        return {"name": name, "namespace": ns, "msgtype": "signal",
                "msgdata": {"signal": signal, "processname": process_name}}

    @_writes
    async def send_application_signal(self, ns: str, name: str, signal: int,
                                      process_name: str) -> list[m.TaskGroupOpResult]:
        """sendapplicationSignal: `POST /namespaces/{ns}/applications/{name}/message` with
        msgtype signal, to every Running taskgroup of the app."""
        return await self.send(self.plan_send_application_signal(ns, name, signal, process_name))

    @_writes
    async def send_taskgroup_signal(self, ns: str, name: str, taskgroup_id: str, signal: int,
                                    process_name: str) -> Any:
        """sendtaskgroupSignal: `POST /namespaces/{ns}/applications/{name}/taskgroups/{id}/message`."""
        return await self.send(self.plan_send_taskgroup_signal(ns, name, taskgroup_id, signal, process_name))

    # ------------------------------------------------------------------------------------------
    # ConfigMap / Secret / Service (create, update, delete; reads come from bcs-storage)

    _OBJECT_MODELS = {"configmap": "ConfigMapRequest", "secret": "SecretRequest", "service": "ServiceRequest"}

    def plan_object(self, verb: str, kind: str, ns: str, body: Any) -> Request:
        """create/update of a configmap, secret or service: `POST|PUT /namespaces/{ns}/{kind}s`."""
        op = f"{'create' if verb == 'POST' else 'update'}_{kind}"
        path = ROUTES[op].path(ns=ns)
        model = getattr(m, self._OBJECT_MODELS[kind])
        payload = self._manifest(body, model, kind, ns, op, verb, path)
        return self._plan(op, None, payload, targets=[f"{kind} {ns}/{_meta_name(payload)}"], ns=ns)

    def plan_delete_object(self, kind: str, ns: str, name: str) -> Request:
        """`DELETE /namespaces/{ns}/{configmaps|secrets|services}/{name}`."""
        return self._plan(f"delete_{kind}", targets=[f"{kind} {ns}/{name}"], ns=ns, name=name)

    @_writes
    async def create_configmap(self, ns: str, body: Any) -> None:
        """createConfigmap: `POST /namespaces/{ns}/configmaps`."""
        await self.send(self.plan_object("POST", "configmap", ns, body))

    @_writes
    async def update_configmap(self, ns: str, body: Any) -> None:
        """updateConfigmap: `PUT /namespaces/{ns}/configmaps`."""
        await self.send(self.plan_object("PUT", "configmap", ns, body))

    @_writes
    async def delete_configmap(self, ns: str, name: str) -> None:
        """deleteConfigmap: `DELETE /namespaces/{ns}/configmaps/{name}`."""
        await self.send(self.plan_delete_object("configmap", ns, name))

    @_writes
    async def create_secret(self, ns: str, body: Any) -> None:
        """createSecret: `POST /namespaces/{ns}/secrets`."""
        await self.send(self.plan_object("POST", "secret", ns, body))

    @_writes
    async def update_secret(self, ns: str, body: Any) -> None:
        """updateSecret: `PUT /namespaces/{ns}/secrets`."""
        await self.send(self.plan_object("PUT", "secret", ns, body))

    @_writes
    async def delete_secret(self, ns: str, name: str) -> None:
        """deleteSecret: `DELETE /namespaces/{ns}/secrets/{name}`."""
        await self.send(self.plan_delete_object("secret", ns, name))

    @_writes
    async def create_service(self, ns: str, body: Any) -> None:
        """createService: `POST /namespaces/{ns}/services`."""
        await self.send(self.plan_object("POST", "service", ns, body))

    @_writes
    async def update_service(self, ns: str, body: Any) -> None:
        """updateService: `PUT /namespaces/{ns}/services` (the server keeps metadata, changes spec)."""
        await self.send(self.plan_object("PUT", "service", ns, body))

    @_writes
    async def delete_service(self, ns: str, name: str) -> None:
        """deleteService: `DELETE /namespaces/{ns}/services/{name}`."""
        await self.send(self.plan_delete_object("service", ns, name))

    # ------------------------------------------------------------------------------------------
    # Cluster

    async def get_cluster_resources(self) -> m.ClusterResource:
        """getClusterResources: `GET /cluster/resources` (agents; `registered_time` in ns)."""
        return await self._read(f"{SCHEDULER}/cluster/resources",
                                convert=lambda d: _model(m.ClusterResource, d, "cluster resources"))

    async def get_cluster_endpoints(self) -> m.ClusterEndpoints:
        """getClusterEndpoints: `GET /cluster/endpoints` (mesos masters and schedulers)."""
        return await self._read(f"{SCHEDULER}/cluster/endpoints",
                                convert=lambda d: _model(m.ClusterEndpoints, d, "cluster endpoints"))

    async def get_cluster_offers(self) -> list[m.Offer]:
        """getClusteroffers: `GET /cluster/current/offers`."""
        return await self._read(f"{SCHEDULER}/cluster/current/offers",
                                convert=lambda d: _models(m.Offer, d, "offers"))

    # ------------------------------------------------------------------------------------------
    # Deployments

    def plan_create_deployment(self, ns: str, body: Any) -> Request:
        """createDeployment: `POST /namespaces/{ns}/deployments`."""
        path = ROUTES["create_deployment"].path(ns=ns)
        payload = self._manifest(body, m.DeploymentRequest, "deployment", ns, "create_deployment", "POST", path)
        return self._plan("create_deployment", None, payload, targets=[f"deployment {ns}/{_meta_name(payload)}"],
                          ns=ns)

    def plan_update_deployment(self, ns: str, body: Any, only_resource: bool = False) -> Request:
        """updateDeployment: `PUT /namespaces/{ns}/deployments[?args=resource]` (a rolling
        update, or with `only_resource` an in-place resource change)."""
        path = ROUTES["update_deployment"].path(ns=ns)
        payload = self._manifest(body, m.DeploymentUpdateRequest, "deployment", ns, "update_deployment", "PUT",
                                 path)
        return self._plan("update_deployment", {"args": "resource"} if only_resource else None, payload,
                          targets=[f"deployment {ns}/{_meta_name(payload)}"], ns=ns)

    def plan_deployment_op(self, op: str, ns: str, name: str) -> Request:
        """`PUT /namespaces/{ns}/deployments/{name}/{cancelupdate|pauseupdate|resumeupdate}`."""
        return self._plan(f"{op}_update_deployment", targets=[f"deployment {ns}/{name}"], ns=ns, name=name)

    def plan_scale_deployment(self, ns: str, name: str, instances: int) -> Request:
        """scaleDeployment: `PUT /namespaces/{ns}/deployments/{name}/scale/{instances}`."""
        return self._plan("scale_deployment", targets=[f"deployment {ns}/{name}"], ns=ns, name=name,
                          instances=_instances(instances))

    def plan_delete_deployment(self, ns: str, name: str, enforce: bool = False) -> Request:
        """deleteDeployment: `DELETE /namespaces/{ns}/deployments/{name}?enforce=0|1`."""
        return self._plan("delete_deployment", {"enforce": "1" if enforce else "0"},
                          targets=[f"deployment {ns}/{name}"], ns=ns, name=name)

    @_writes
    async def create_deployment(self, ns: str, body: Any) -> None:
        """createDeployment: `POST /namespaces/{ns}/deployments`."""
        await self.send(self.plan_create_deployment(ns, body))

    @_writes
    async def update_deployment(self, ns: str, body: Any, only_resource: bool = False) -> None:
        """updateDeployment: `PUT /namespaces/{ns}/deployments[?args=resource]`."""
        await self.send(self.plan_update_deployment(ns, body, only_resource))

    @_writes
    async def cancel_update_deployment(self, ns: str, name: str) -> None:
        """cancelUpdateDeployment: `PUT /namespaces/{ns}/deployments/{name}/cancelupdate`."""
        await self.send(self.plan_deployment_op("cancel", ns, name))

    @_writes
    async def pause_update_deployment(self, ns: str, name: str) -> None:
        """pauseUpdateDeployment: `PUT /namespaces/{ns}/deployments/{name}/pauseupdate`."""
        await self.send(self.plan_deployment_op("pause", ns, name))

    @_writes
    async def resume_update_deployment(self, ns: str, name: str) -> None:
        """resumeUpdateDeployment: `PUT /namespaces/{ns}/deployments/{name}/resumeupdate`."""
        await self.send(self.plan_deployment_op("resume", ns, name))

    @_writes
    async def scale_deployment(self, ns: str, name: str, instances: int) -> None:
        """scaleDeployment: `PUT /namespaces/{ns}/deployments/{name}/scale/{instances}`."""
        await self.send(self.plan_scale_deployment(ns, name, instances))

    @_writes
    async def delete_deployment(self, ns: str, name: str, enforce: bool = False) -> None:
        """deleteDeployment: `DELETE /namespaces/{ns}/deployments/{name}?enforce=0|1`."""
        await self.send(self.plan_delete_deployment(ns, name, enforce))

    # ------------------------------------------------------------------------------------------
    # Agent settings

    async def get_agent_setting_list(self, ips: str | Iterable[str] | None = None) -> list[m.AgentSetting]:
        """getAgentSettingList: `GET /agentsettings[?ips=a,b]` (no ips: every agent with a record;
        IPs without a record are left out)."""
        params = {"ips": _ips(ips)} if ips else None
        return await self._read(f"{SCHEDULER}/agentsettings", params,
                                convert=lambda d: _models(m.AgentSetting, d, "agent settings"))

    async def get_agent_settings(self, ips: str | Iterable[str] | None = None) -> list[m.AgentSetting]:
        """Alias of `get_agent_setting_list` (`GET /agentsettings`)."""
        return await self.get_agent_setting_list(ips)

    def plan_set_agent_setting_list(self, settings: Sequence[Any]) -> Request:
        """setAgentSettingList: `POST /agentsettings` with a JSON array of settings (replaces each
        agent's strings and scalars; keeps disabled, taints and pods)."""
        path = ROUTES["set_agent_setting_list"].path()
        payload = self._validated_list(settings, m.AgentSettingRequest, "agent settings",
                                       "set_agent_setting_list", "POST", path)
        return self._plan("set_agent_setting_list", None, payload,
                          targets=[f"agent {a.get('innerIP', '')}" for a in payload if isinstance(a, dict)])

    @_writes
    async def set_agent_setting_list(self, settings: Sequence[Any]) -> None:
        """setAgentSettingList: `POST /agentsettings` (see `plan_set_agent_setting_list`)."""
        await self.send(self.plan_set_agent_setting_list(settings))

    def _validated_list(self, items: Any, model: type[BaseModel], what: str, op: str, method: str,
                        path: str) -> list[Any]:
        try:
            if isinstance(items, (str, bytes, dict)) or not isinstance(items, Sequence) or not items:
                raise InvalidRequest([("", "needs a non-empty list")], what)
            out = []
            for index, item in enumerate(items):
                try:
                    out.append(_body_dict(item, model, what))
                except InvalidRequest as exc:
                    raise InvalidRequest([(f"[{index}]" + (("." + p) if p else ""), msg)
                                          for p, msg in exc.problems], what) from None
            return out
        except InvalidRequest as exc:
            self._invalid(op, method, path, exc)
            raise

    def plan_agent_ips(self, op: str, ips: str | Iterable[str]) -> Request:
        """`POST /agentsettings/{disable|enable}?ips=a,b`, `DELETE /agentsettings?ips=a,b`."""
        route = {"disable": "disable_agent_list", "enable": "enable_agent_list",
                 "delete": "delete_agent_setting_list"}[op]
        text = _ips(ips)
        return self._plan(route, {"ips": text}, targets=[f"agent {ip}" for ip in text.split(",")])

    def plan_update_agent_setting_list(self, body: Any) -> Request:
        """updateAgentSettingList: `POST /agentsettings/update` (removed from current schedulers)."""
        path = ROUTES["update_agent_setting_list"].path()
        payload = self._validated(body, m.AgentSettingUpdate, "agent setting update",
                                  "update_agent_setting_list", "POST", path)
        return self._plan("update_agent_setting_list", None, payload)

    def plan_taint_agents(self, taints: Sequence[Any]) -> Request:
        """taintagents: `PUT /agentsettings/taint` with `[{"innerIP", "noSchedule": {k: v}}]`;
        replaces each agent's taints (an empty map clears them)."""
        path = ROUTES["taint_agents"].path()
        payload = self._validated_list(taints, m.TaintRequest, "taints", "taint_agents", "PUT", path)
        return self._plan("taint_agents", None, payload,
                          targets=[f"agent {t.get('innerIP', '')}" for t in payload if isinstance(t, dict)])

    def plan_update_agent_extended_resource(self, body: Any) -> Request:
        """`PUT /agentsettings/extendedresource` (upsert one ExtendedResource of an agent)."""
        path = ROUTES["update_agent_extended_resource"].path()
        payload = self._validated(body, m.ExtendedResourceRequest, "extended resource",
                                  "update_agent_extended_resource", "PUT", path)
        return self._plan("update_agent_extended_resource", None, payload)

    @_writes
    async def delete_agent_setting_list(self, ips: str | Iterable[str]) -> None:
        """deleteAgentSettingList: `DELETE /agentsettings?ips=a,b` (removed from current
        schedulers: expect a ProtocolError there)."""
        await self.send(self.plan_agent_ips("delete", ips))

    @_writes
    async def update_agent_setting_list(self, body: Any) -> None:
        """updateAgentSettingList: `POST /agentsettings/update` (one key on many IPs; removed
        from current schedulers)."""
        await self.send(self.plan_update_agent_setting_list(body))

    @_writes
    async def disable_agent_list(self, ips: str | Iterable[str]) -> None:
        """disableAgentList: `POST /agentsettings/disable?ips=a,b`."""
        await self.send(self.plan_agent_ips("disable", ips))

    @_writes
    async def enable_agent_list(self, ips: str | Iterable[str]) -> None:
        """enableAgentList: `POST /agentsettings/enable?ips=a,b`."""
        await self.send(self.plan_agent_ips("enable", ips))

    @_writes
    async def taint_agents(self, taints: Sequence[Any]) -> None:
        """taintagents: `PUT /agentsettings/taint` (see `plan_taint_agents`)."""
        await self.send(self.plan_taint_agents(taints))

    @_writes
    async def update_agent_extended_resource(self, body: Any) -> None:
        """`PUT /agentsettings/extendedresource` (upsert one ExtendedResource of an agent)."""
        await self.send(self.plan_update_agent_extended_resource(body))

    # ------------------------------------------------------------------------------------------
    # CustomResourceDefinitions and custom resources (Kubernetes proxy: raw kube JSON)

    def plan_create_crd(self, body: Any) -> Request:
        """createcrd: `POST /customresourcedefinitions` (kube JSON, no envelope)."""
        payload = self._validated(body, m.CrdRequest, "CRD", "create_crd", "POST", ROUTES["create_crd"].path())
        return self._plan("create_crd", None, payload, targets=[f"CRD {_meta_name(payload)}"])

    @_writes
    async def create_crd(self, body: Any) -> dict[str, Any]:
        """createcrd: `POST /customresourcedefinitions` (kube JSON, no envelope)."""
        return await self.send(self.plan_create_crd(body))

    async def get_crd(self, name: str) -> dict[str, Any]:
        """getcrd: `GET /customresourcedefinitions/{name}`."""
        return await self._read(f"{SCHEDULER}/customresourcedefinitions/{_seg(name, 'name')}", kube=True)

    async def list_crds(self) -> list[dict[str, Any]]:
        """getcrd without a name: `GET /customresourcedefinitions` -> the CRDs (kube list items)."""
        return await self._read(f"{SCHEDULER}/customresourcedefinitions", kube=True, convert=_items)

    def plan_update_crd(self, name: str, body: Any) -> Request:
        """`PUT /customresourcedefinitions/{name}` (include metadata.resourceVersion from a GET)."""
        path = ROUTES["update_crd"].path(name=name)
        payload = self._validated(body, m.CrdRequest, "CRD", "update_crd", "PUT", path)
        return self._plan("update_crd", None, payload, targets=[f"CRD {name}"], name=name)

    def plan_delete_crd(self, name: str) -> Request:
        """deletecrd: `DELETE /customresourcedefinitions/{name}`."""
        return self._plan("delete_crd", targets=[f"CRD {name}"], name=name)

    @_writes
    async def update_crd(self, name: str, body: Any) -> dict[str, Any]:
        """`PUT /customresourcedefinitions/{name}` (include metadata.resourceVersion from a GET)."""
        return await self.send(self.plan_update_crd(name, body))

    @_writes
    async def delete_crd(self, name: str) -> Any:
        """deletecrd: `DELETE /customresourcedefinitions/{name}`."""
        return await self.send(self.plan_delete_crd(name))

    @staticmethod
    def _cr_path(group: str, version: str, plural: str, namespace: str | None, name: str | None = None) -> str:
        path = f"{SCHEDULER}/customresources/{_seg(group, 'group')}/{_seg(version, 'version')}"
        if namespace:
            path += f"/namespaces/{_seg(namespace, 'namespace')}"
        path += f"/{_seg(plural, 'plural')}"
        if name is not None:
            path += f"/{_seg(name, 'name')}"
        return path

    def plan_create_custom_resource(self, group: str, version: str, plural: str, namespace: str,
                                    body: Any) -> Request:
        """`POST /customresources/{group}/{version}/namespaces/{ns}/{plural}`."""
        coords: dict[str, Any] = {"group": group, "version": version, "ns": namespace, "plural": plural}
        path = ROUTES["create_custom_resource"].path(**coords)
        payload = self._validated(body, m.CustomResourceRequest, "custom resource", "create_custom_resource",
                                  "POST", path)
        return self._plan("create_custom_resource", None, payload,
                          targets=[f"{plural} {namespace}/{_meta_name(payload)}"], **coords)

    def plan_update_custom_resource(self, group: str, version: str, plural: str, namespace: str, name: str,
                                    body: Any) -> Request:
        """`PUT /customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}`."""
        coords: dict[str, Any] = {"group": group, "version": version, "ns": namespace, "plural": plural, "name": name}
        path = ROUTES["update_custom_resource"].path(**coords)
        payload = self._validated(body, m.CustomResourceRequest, "custom resource", "update_custom_resource",
                                  "PUT", path)
        return self._plan("update_custom_resource", None, payload, targets=[f"{plural} {namespace}/{name}"],
                          **coords)

    def plan_delete_custom_resource(self, group: str, version: str, plural: str, namespace: str,
                                    name: str) -> Request:
        """`DELETE /customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}`."""
        return self._plan("delete_custom_resource", targets=[f"{plural} {namespace}/{name}"], group=group,
                          version=version, ns=namespace, plural=plural, name=name)

    @_writes
    async def create_custom_resource(self, group: str, version: str, plural: str, namespace: str,
                                     body: Any) -> dict[str, Any]:
        """`POST /customresources/{group}/{version}/namespaces/{ns}/{plural}`."""
        return await self.send(self.plan_create_custom_resource(group, version, plural, namespace, body))

    async def get_custom_resource(self, group: str, version: str, plural: str, namespace: str,
                                  name: str) -> dict[str, Any]:
        """`GET /customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}`."""
        return await self._read(self._cr_path(group, version, plural, namespace, name), kube=True)

    async def list_custom_resources(self, group: str, version: str, plural: str | None = None,
                                    namespace: str | None = None) -> list[dict[str, Any]]:
        """`GET /customresources/{group}/{version}[/namespaces/{ns}]/{plural}` (no namespace: all).

        Also callable as `list_custom_resources("group/version", plural, namespace=...)`.
        """
        if plural is None and "/" in group:
            group, version, plural = *group.split("/", 1), version
        if plural is None:
            raise InvalidRequest([("plural", "is required")], "request")
        return await self._read(self._cr_path(group, version, plural, namespace), kube=True, convert=_items)

    @_writes
    async def update_custom_resource(self, group: str, version: str, plural: str, namespace: str, name: str,
                                     body: Any) -> dict[str, Any]:
        """`PUT /customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}`."""
        return await self.send(self.plan_update_custom_resource(group, version, plural, namespace, name, body))

    @_writes
    async def delete_custom_resource(self, group: str, version: str, plural: str, namespace: str,
                                     name: str) -> Any:
        """`DELETE /customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}`."""
        return await self.send(self.plan_delete_custom_resource(group, version, plural, namespace, name))

    # ------------------------------------------------------------------------------------------
    # Definitions, image commit

    async def get_deployment_definition(self, ns: str, name: str) -> dict[str, Any]:
        """getDeploymentDef: `GET /definition/deployment/{ns}/{name}` (the raw definition JSON)."""
        path = f"{SCHEDULER}/definition/deployment/{_seg(ns, 'namespace')}/{_seg(name, 'name')}"
        return await self._read(path, convert=_definition)

    async def get_application_definition(self, ns: str, name: str) -> dict[str, Any]:
        """getApplicationDef: `GET /definition/application/{ns}/{name}` (apps made by a
        deployment have none: ApiError 1405200)."""
        path = f"{SCHEDULER}/definition/application/{_seg(ns, 'namespace')}/{_seg(name, 'name')}"
        return await self._read(path, convert=_definition)

    def plan_commit_image(self, taskgroup_id: str, image: str, url: str) -> Request:
        """commitImage: `POST /image/commit/{taskgroupId}?image={current}&url={target}`."""
        problems = [(k, "is required") for k, v in (("image", image), ("url", url)) if not str(v or "").strip()]
        path = ROUTES["commit_image"].path(taskgroup=taskgroup_id)
        if problems:
            exc = InvalidRequest(problems, "image commit")
            self._invalid("commit_image", "POST", path, exc)
            raise exc
        return self._plan("commit_image", {"image": image, "url": url}, targets=[f"taskgroup {taskgroup_id}"],
                          convert=_optional_message, taskgroup=taskgroup_id)

    @_writes
    async def commit_image(self, taskgroup_id: str, image: str, url: str) -> m.BcsMessage | None:
        """commitImage: `POST /image/commit/{taskgroupId}?image={current}&url={target}`."""
        return await self.send(self.plan_commit_image(taskgroup_id, image, url))

    # ------------------------------------------------------------------------------------------
    # Commands

    @staticmethod
    def _command_kind(kind: str) -> tuple[str, str]:
        low = str(kind or "").lower()
        if low not in ("application", "deployment"):
            raise InvalidRequest([("kind", f"must be application or deployment (got {kind!r})")], "command")
        return low, low.capitalize()

    def plan_send_command(self, kind: str, ns: str, name: str, spec: Any) -> Request:
        """sendCommand: `POST /command/{application|deployment}/{ns}/{name}` -> the command id.

        `spec` is the command spec (`{"command": [...], "taskgroups": [...], ...}`) or a whole
        Command body; `commandTargetRef` is filled in from the URL, and must match it if given.
        """
        route, target_kind = self._command_kind(kind)
        path = ROUTES["send_command"].path(route_kind=route, ns=ns, name=name)
        if isinstance(spec, BaseModel):
            spec = spec.model_dump(by_alias=True, mode="json", exclude_unset=True)
        if not isinstance(spec, dict):
            exc = InvalidRequest([("spec", "must be a JSON object")], "command")
            self._invalid("send_command", "POST", path, exc)
            raise exc
        body = dict(spec) if "spec" in spec else {"apiVersion": "v4", "kind": "Command", "spec": dict(spec)}
        body.setdefault("apiVersion", "v4")
        body.setdefault("kind", "Command")
        inner = dict(body.get("spec") or {})
        ref = dict(inner.get("commandTargetRef") or {})
        want = {"kind": target_kind, "namespace": ns, "name": name}
        for key, value in want.items():
            if ref.get(key) not in (None, "") and ref[key] != value:
                exc = InvalidRequest([(f"spec.commandTargetRef.{key}",
                                       f"is {ref[key]!r} but the command goes to {value!r}")], "command")
                self._invalid("send_command", "POST", path, exc)
                raise exc
            ref[key] = value
        inner["commandTargetRef"] = ref
        body["spec"] = inner
        payload = self._validated(body, m.CommandRequest, "command", "send_command", "POST", path)
        return self._plan("send_command", None, payload, targets=[f"{route} {ns}/{name}"],
                          convert=_command_id, route_kind=route, ns=ns, name=name)

    @_writes
    async def send_command(self, kind: str, ns: str, name: str, spec: Any) -> str:
        """sendCommand: `POST /command/{application|deployment}/{ns}/{name}` -> the command id."""
        return await self.send(self.plan_send_command(kind, ns, name, spec))

    async def get_command(self, kind: str, ns: str, name: str, command_id: str) -> m.CommandInfo:
        """getCommand: `GET /command/{application|deployment}/{ns}/{name}?id=<id>`."""
        route, _ = self._command_kind(kind)
        path = f"{SCHEDULER}/command/{route}/{_seg(ns, 'namespace')}/{_seg(name, 'name')}"
        return await self._read(path, {"id": str(command_id)},
                                convert=lambda d: _model(m.CommandInfo, d, "command"))

    def plan_delete_command(self, kind: str, ns: str, name: str, command_id: str) -> Request:
        """deleteCommand: `DELETE /command/{application|deployment}/{ns}/{name}?id=<id>` (removes
        the record; a command already sent keeps running)."""
        route, _ = self._command_kind(kind)
        return self._plan("delete_command", {"id": str(command_id)}, targets=[f"command {command_id}"],
                          route_kind=route, ns=ns, name=name)

    @_writes
    async def delete_command(self, kind: str, ns: str, name: str, command_id: str) -> None:
        """deleteCommand: `DELETE /command/{application|deployment}/{ns}/{name}?id=<id>`."""
        await self.send(self.plan_delete_command(kind, ns, name, command_id))

    # ------------------------------------------------------------------------------------------
    # Admission webhooks (driver routes; the document's `/crd/` prefix does not exist)

    def plan_admission_webhook(self, verb: str, ns: str, body: Any) -> Request:
        """createadmission / updateadmission: `POST|PUT /namespaces/{ns}/admissionwebhook`."""
        op = f"{'create' if verb == 'POST' else 'update'}_admission_webhook"
        path = ROUTES[op].path(ns=ns)
        payload = self._manifest(body, m.AdmissionWebhookRequest, "admissionwebhook", ns, op, verb, path)
        return self._plan(op, None, payload, targets=[f"admission webhook {ns}/{_meta_name(payload)}"], ns=ns)

    def plan_delete_admission_webhook(self, ns: str, name: str) -> Request:
        """deleteadmission: `DELETE /namespaces/{ns}/admissionwebhook/{name}`."""
        return self._plan("delete_admission_webhook", targets=[f"admission webhook {ns}/{name}"], ns=ns, name=name)

    @_writes
    async def create_admission_webhook(self, ns: str, body: Any) -> None:
        """createadmission: `POST /namespaces/{ns}/admissionwebhook`."""
        await self.send(self.plan_admission_webhook("POST", ns, body))

    @_writes
    async def update_admission_webhook(self, ns: str, body: Any) -> None:
        """updateadmission: `PUT /namespaces/{ns}/admissionwebhook`."""
        await self.send(self.plan_admission_webhook("PUT", ns, body))

    async def get_admission_webhook(self, ns: str, name: str) -> m.AdmissionWebhook:
        """getadmission: `GET /namespaces/{ns}/admissionwebhook/{name}`."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/admissionwebhook/{_seg(name, 'name')}"
        return await self._read(path, convert=lambda d: _model(m.AdmissionWebhook, d, "admission webhook"))

    async def list_admission_webhooks(self) -> list[m.AdmissionWebhook]:
        """`GET /admissionwebhooks` (every admission webhook of the cluster)."""
        return await self._read(f"{SCHEDULER}/admissionwebhooks",
                                convert=lambda d: _models(m.AdmissionWebhook, d, "admission webhooks"))

    @_writes
    async def delete_admission_webhook(self, ns: str, name: str) -> None:
        """deleteadmission: `DELETE /namespaces/{ns}/admissionwebhook/{name}`."""
        await self.send(self.plan_delete_admission_webhook(ns, name))

    # ------------------------------------------------------------------------------------------
    # Transactions (the scheduler's operation queue; bcs-client `trans`)

    async def list_transactions(self, ns: str, obj_kind: str | None = None,
                                obj_name: str | None = None) -> list[m.Transaction]:
        """`GET /transactions/{ns}[?objKind=&objName=]`."""
        params = {k: v for k, v in (("objKind", obj_kind), ("objName", obj_name)) if v}
        return await self._read(f"{SCHEDULER}/transactions/{_seg(ns, 'namespace')}", params or None,
                                convert=lambda d: _models(m.Transaction, d, "transactions"))

    @_writes
    async def delete_transaction(self, ns: str, name: str) -> None:
        """`DELETE /transactions/{ns}/{name}`."""
        await self.send(self._plan("delete_transaction", targets=[f"transaction {ns}/{name}"], ns=ns, name=name))

    # ------------------------------------------------------------------------------------------
    # bcs-storage reads (what bcs-client list / inspect use)

    def _cluster_seg(self) -> str:
        return _seg(self.cluster_id, "cluster id")

    async def storage_list_namespaces(self) -> list[str]:
        """Every namespace storage knows, complete: `GET /bcsapi/v4/storage/query/mesos/dynamic/
        clusters/{clusterId}/namespace` (built by storage from at most 3,000 records per table,
        so it can miss namespaces, bcs-api-facts §11.1) joined with the namespaces of a complete,
        projected application query (every taskgroup belongs to an application). 2 requests."""
        listed, apps = await asyncio.gather(
            self._read(f"{STORAGE_QUERY}/{self._cluster_seg()}/namespace",
                       convert=lambda d: _strings(d, "namespaces")),
            self.storage_list("application", row=NamespaceRow, app_kinds=WHOLE_APPLICATION_TABLE))
        return sorted(set(listed) | {r.namespace for r in apps if r.namespace})

    async def storage_query(self, kind: str, namespaces: str | Iterable[str] | None = None,
                            host_ip: str | None = None) -> list[m.StorageRecord[Any]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/{kind}` with
        `{"namespace": "a,b", "hostIp": "...", "limit": "50000"}` (namespace and hostIp left out
        when not given: all namespaces is no namespace key): complete (a full page asks for the
        next with `offset`). Returns full records whose `data` is typed by kind."""
        body = self._storage_query_body(kind, namespaces, host_ip)
        if body is None:
            return []  # an explicit empty scope: nothing to ask
        record = m.StorageRecord[m.STORAGE_DATA_MODELS[kind]]

        def decode(status: int, content: bytes) -> Any:
            return _models(record, decode_envelope(status, content), f"storage {kind}")

        return await self._storage_pages(kind, body, decode,
                                         lambda r: (r.namespace, r.resource_name, r.record_id))

    def _storage_query_body(self, kind: str, namespaces: str | Iterable[str] | None,
                            host_ip: str | None) -> dict[str, str] | None:
        """The storage query body (every value a string: storage reads limit/offset/field only
        as JSON strings and ignores a number, §11.1); None for an explicit empty namespace list."""
        if kind not in STORAGE_KINDS:
            raise InvalidRequest([("kind", f"must be one of {', '.join(STORAGE_KINDS)} (got {kind!r})")],
                                 "storage query")
        body: dict[str, str] = {}
        if namespaces is not None:
            names = [namespaces] if isinstance(namespaces, str) else [str(n) for n in namespaces]
            names = [n for n in (x.strip() for x in ",".join(names).split(",")) if n]
            if not names:
                return None
            body["namespace"] = ",".join(names)
        if host_ip:
            body["hostIp"] = str(host_ip).strip()
        return body

    async def _storage_pages(self, kind: str, body: dict[str, str],
                             decode: Callable[[int, bytes], list[Any]], key: Callable[[Any], Any]) -> Any:
        """One query, complete: `limit` is `storage_page` (a string); a page that comes back full
        is followed by the next (`offset`). Storage pages in natural order without a sort, so a
        record that moves between two pages could be seen twice: later pages are de-duplicated."""
        path = f"{STORAGE_QUERY}/{self._cluster_seg()}/{_QUERY_TYPE.get(kind, kind)}"
        page = self.storage_page
        out: list[Any] | None = None
        seen: set[Any] | None = None
        offset = 0
        while True:
            query = dict(body, limit=str(page))
            if offset:
                query["offset"] = str(offset)
            items = await self._read(path, method="POST", body=query, decoder=decode)
            count = getattr(items, "total", len(items))
            if out is None:
                out = items
            else:
                if seen is None:
                    seen = {key(x) for x in out}
                for x in items:
                    k = key(x)
                    if k not in seen:
                        seen.add(k)
                        out.append(x)
                problems = getattr(items, "problems", None)
                if problems:
                    out.problems.extend(problems)  # type: ignore[attr-defined]
            if count < page:
                return out
            offset += page

    async def storage_list(self, kind: str, namespaces: str | Iterable[str] | None = None,
                           host_ip: str | None = None, *, row: type[Any] | None = None,
                           since: float | None = None, app_kinds: str | None = None) -> RecordList:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/{kind}` for list
        views: complete (as `storage_query`), projected (`field`: only the paths the row type
        declares, `bcs_tui.api.records`), decoded by msgspec into row Structs (each record's
        `data`). `row` defaults to the kind's row type; `since` (unix seconds) asks only for the
        records whose `data.lastUpdateTime` is at or after that second (`lastUpdateTimeBegin`;
        taskgroup, application and process only). `app_kinds` is the application/process
        filter's `kind` (`data.kind` in a comma list, "" for records without one): the application
        route's default `,application` leaves the process apps of the same table out, so
        `",application,process"` lists the whole table (what its watch stream sends). Records that
        cannot be read are left out and named in the result's `problems`."""
        row = row or ROW_TYPES.get(kind)
        if row is None:
            raise InvalidRequest([("kind", f"must be one of {', '.join(ROW_TYPES)} (got {kind!r})")],
                                 "storage list")
        body = self._storage_query_body(kind, namespaces, host_ip)
        if body is None:
            return RecordList()
        body["field"] = projection(row)
        if since is not None:
            if kind not in ROW_TYPES:
                raise InvalidRequest([("since", f"storage filters {kind} by update time only for "
                                                f"{', '.join(ROW_TYPES)}")], "storage list")
            body["lastUpdateTimeBegin"] = str(int(since))
        if app_kinds is not None:
            if kind not in ("application", "process"):
                raise InvalidRequest([("app_kinds", "only the application and process routes filter on kind")],
                                     "storage list")
            body["kind"] = app_kinds
        what = f"storage {kind}"

        def decode(status: int, content: bytes) -> Any:
            return decode_records(row, status, content, decode_envelope, what)

        return await self._storage_pages(kind, body, decode, lambda r: (r.namespace, r.name))

    async def storage_watch(self, kind: str, row: type[Any] | None = None, *,
                            idle_timeout: float = 300.0,
                            on_open: Callable[[], None] | None = None) -> AsyncIterator[WatchEvent]:
        """`POST /bcsapi/v4/storage/dynamic/watch/{clusterId}/{kind}` with `{}`: the storage watch
        stream of one table, all namespaces (§11.2), as `WatchEvent`s decoded incrementally (rows
        of `row`, default the kind's row type). Ends after the break event. Raises
        `WatchUnavailable` for a 404 (no such route on this storage), `WatchCut` when the stream
        ends or stalls for `idle_timeout` seconds without a break, and the envelope errors for an
        error answer. There is no initial snapshot: open the stream first (`on_open` is called
        when storage has answered 200), then list."""
        row = row or ROW_TYPES.get(kind)
        if row is None:
            raise InvalidRequest([("kind", f"must be one of {', '.join(ROW_TYPES)} (got {kind!r})")],
                                 "storage watch")
        path = f"{STORAGE_WATCH}/{self._cluster_seg()}/{kind}"
        self.stats.requests += 1
        route = f"POST {path}"
        self.stats.by_route[route] = self.stats.by_route.get(route, 0) + 1
        request = self._http.build_request(
            "POST", path, content=b"{}",
            timeout=httpx.Timeout(self.timeout, read=idle_timeout))
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TransportError as exc:
            raise WatchCut(self._transport_error(exc, "POST", path).message) from None
        try:
            if response.status_code != 200:
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > 64 * 1024:
                        break
                self.stats.bytes += len(body)
                if response.status_code == 404:
                    raise WatchUnavailable(f"storage has no watch stream for {kind} (HTTP 404)")
                decode_envelope(response.status_code, body)  # raises for error answers
                raise WatchUnavailable(f"the watch stream for {kind} answered HTTP {response.status_code}")
            decoder = WatchDecoder(row, f"storage watch {kind}", self.max_body, envelope=decode_envelope)
            if on_open is not None:
                on_open()
            try:
                async for chunk in response.aiter_bytes():
                    self.stats.bytes += len(chunk)
                    for event in decoder.feed(chunk):
                        yield event
                        if event.type == BREAK:
                            return
            except httpx.TransportError as exc:
                raise WatchCut(self._transport_error(exc, "POST", path).message) from None
            raise WatchCut(f"the watch stream for {kind} ended without a break event")
        finally:
            await response.aclose()
            response.stream = None  # type: ignore[assignment]

    async def check_cluster(self) -> str | None:
        """Whether the server knows this cluster id: one scheduler call (`GET /cluster/endpoints`).
        Storage answers a wrong id with success and no records (§11.1), so a console that starts on
        a storage view would show an empty cluster. Returns what is wrong with the id, or None when
        it is accepted (or when the answer says nothing about it: a transport error is the view's
        to show)."""
        if not self.cluster_id:
            return "no cluster id is set (BCS-ClusterID): set cluster_id in the context"
        try:
            await self._read(f"{SCHEDULER}/cluster/endpoints")
        except ApiError as exc:
            if exc.code in (1405234, 1405051, 1405007):
                return (f"the server does not know cluster {self.cluster_id}: {exc.message} — "
                        "check cluster_id in the context (:ctx switches)")
            return None
        except BcsError:
            return None
        return None

    async def storage_applications(self, namespaces: str | Iterable[str] | None = None
                                   ) -> list[m.StorageRecord[m.ApplicationStatus]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/application`: storage `application` query (Kind "" or application; process apps are `process`)."""
        return await self.storage_query("application", namespaces)

    async def storage_processes(self, namespaces: str | Iterable[str] | None = None
                                ) -> list[m.StorageRecord[m.ApplicationStatus]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/process`: storage `process` query."""
        return await self.storage_query("process", namespaces)

    async def storage_taskgroups(self, namespaces: str | Iterable[str] | None = None,
                                 host_ip: str | None = None) -> list[m.StorageRecord[m.PodStatus]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/taskgroup`: storage `taskgroup` query (optionally only those on `host_ip`)."""
        return await self.storage_query("taskgroup", namespaces, host_ip)

    async def storage_deployments(self, namespaces: str | Iterable[str] | None = None
                                  ) -> list[m.StorageRecord[m.Deployment]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/deployment`: storage `deployment` query (the scheduler Deployment objects, with status)."""
        return await self.storage_query("deployment", namespaces)

    async def storage_configmaps(self, namespaces: str | Iterable[str] | None = None
                                 ) -> list[m.StorageRecord[m.ConfigMap]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/configmap`: storage `configmap` query."""
        return await self.storage_query("configmap", namespaces)

    async def storage_secrets(self, namespaces: str | Iterable[str] | None = None
                              ) -> list[m.StorageRecord[m.Secret]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/secret`: storage `secret` query (contents are base64: never display them)."""
        return await self.storage_query("secret", namespaces)

    async def storage_services(self, namespaces: str | Iterable[str] | None = None
                               ) -> list[m.StorageRecord[m.Service]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/service`: storage `service` query."""
        return await self.storage_query("service", namespaces)

    async def storage_endpoints(self, namespaces: str | Iterable[str] | None = None
                                ) -> list[m.StorageRecord[m.Endpoint]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/endpoint`: storage `endpoint` query."""
        return await self.storage_query("endpoint", namespaces)

    async def storage_inspect(self, kind: str, ns: str, name: str) -> Any:
        """`GET /bcsapi/v4/storage/mesos/dynamic/namespace_resources/clusters/{clusterId}/
        namespaces/{ns}/{kind}/{name}`: one object. Returns a typed `StorageRecord` when storage
        answers with a record (or a list of them: the first), else the typed object itself."""
        if kind not in STORAGE_KINDS:
            raise InvalidRequest([("kind", f"must be one of {', '.join(STORAGE_KINDS)} (got {kind!r})")],
                                 "storage inspect")
        path = (f"{STORAGE_INSPECT}/{self._cluster_seg()}/namespaces/{_seg(ns, 'namespace')}"
                f"/{kind}/{_seg(name, 'name')}")
        data_model = m.STORAGE_DATA_MODELS[kind]

        def convert(data: Any) -> Any:
            if isinstance(data, list):
                if not data:
                    raise ApiError(0, f"{kind} {ns}/{name} not found in storage", 200)
                data = data[0]
            if isinstance(data, dict) and isinstance(data.get("data"), dict) and (
                    "resourceType" in data or "clusterId" in data or "_id" in data):
                return _model(m.StorageRecord[data_model], data, f"storage {kind}")
            if data is None or data == {}:
                raise ApiError(0, f"{kind} {ns}/{name} not found in storage", 200)
            return _model(data_model, data, f"storage {kind}")

        return await self._read(path, convert=convert)


def _meta_name(body: Any) -> str:
    meta = body.get("metadata") if isinstance(body, dict) else None
    return str(meta.get("name", "") if isinstance(meta, dict) else "")


def _command_id(data: Any) -> str:
    if not isinstance(data, str) or not data:
        raise ProtocolError("send command: the server did not return a command id", str(data)[:200])
    return data
def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _optional_message(data: Any) -> m.BcsMessage | None:
    if data is None or data == {} or data == []:
        return None
    if isinstance(data, dict):
        return _model(m.BcsMessage, data, "message")
    return None


def _definition(data: Any) -> dict[str, Any]:
    """The raw definition: usually an object; some servers send it as a JSON string."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise ProtocolError("the definition is not valid JSON", data[:300]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProtocolError(f"definition: expected a JSON object, got {type(data).__name__}")
    return data
