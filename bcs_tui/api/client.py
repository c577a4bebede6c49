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
import random
import re
import ssl
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from bcs_tui.api.errors import (
    ApiError,
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

class _LazyModels:
    """`bcs_tui.api.models`, imported on first use: building its pydantic models costs ~100 ms
    that start-up and the first list (light records, api/lite.py) do not need before the first
    paint."""

    def __getattr__(self, name: str) -> Any:
        from bcs_tui.api import models

        globals()["m"] = models  # later uses go straight to the module
        return getattr(models, name)


m: Any = _LazyModels()

SCHEDULER = "/bcsapi/v4/scheduler/mesos"
STORAGE_QUERY = "/bcsapi/v4/storage/query/mesos/dynamic/clusters"
STORAGE_INSPECT = "/bcsapi/v4/storage/mesos/dynamic/namespace_resources/clusters"

# Bodies above this size are decoded in a worker thread so the UI's event loop never stalls.
LARGE_BODY = 256 * 1024

STORAGE_KINDS = ("application", "process", "taskgroup", "deployment", "configmap", "secret", "service",
                 "endpoint")

_T = TypeVar("_T")


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


def _seg(value: Any, what: str) -> str:
    """A URL path segment: non-empty, no '/', percent-encoded."""
    text = str(value) if value is not None else ""
    if not text or not text.strip():
        raise InvalidRequest([(what, "is required")], "request")
    if "/" in text:
        raise InvalidRequest([(what, f"must not contain '/' (got {text!r})")], "request")
    if text in (".", ".."):
        raise InvalidRequest([(what, f"is not a valid name (got {text!r})")], "request")
    return quote(text, safe="@:,=+-_.~")


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
        cert: tuple[str, str] | str | None = None,
        key_password: Any = None,
        timeout: float = 10.0,
        read_only: bool = False,
        audit: Any = None,
        context_name: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
        get_retries: int = 2,
        backoff: float = 0.25,
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
        self.stats = ClientStats()
        self._token = _reveal(token)
        register_secret(self._token)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
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
        if transport is not None:
            kwargs["transport"] = transport
        else:
            kwargs["verify"] = self._ssl_context(verify, cert, key_password)
        self._http = httpx.AsyncClient(**kwargs)

    @staticmethod
    def _ssl_context(verify: bool | str, cert: tuple[str, str] | str | None,
                     key_password: Any = None) -> ssl.SSLContext | bool:
        """TLS: verify by default, a CA file, an explicit insecure switch, client cert + key.

        `key_password` (a str, bytes, an object with `reveal()`, or a callable returning one) opens
        an encrypted key. Without it an encrypted key is an error here: OpenSSL would otherwise
        prompt "Enter PEM pass phrase:" on the terminal, inside the console's raw-mode screen."""
        asked: list[bool] = []

        def password() -> bytes:
            value = key_password() if callable(key_password) else key_password
            value = _reveal(value) if value is not None and not isinstance(value, (str, bytes)) else value
            if not value:
                asked.append(True)
                raise ValueError("no key password")
            return value.encode() if isinstance(value, str) else value

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
                key = cert if isinstance(cert, str) else cert[1]
                try:
                    if isinstance(cert, str):
                        ctx.load_cert_chain(cert, password=password)
                    else:
                        ctx.load_cert_chain(cert[0], cert[1], password=password)
                except (ValueError, ssl.SSLError) as exc:
                    if asked:
                        raise TransportError(
                            f"TLS setup failed: the client key {key} is protected by a passphrase; "
                            "give it with key_password_env, key_password_file or key_password_command "
                            "in the context (or use a key without a passphrase)") from None
                    if isinstance(exc, ssl.SSLError) and key_password is not None and "bad decrypt" in str(exc).lower():
                        raise TransportError(f"TLS setup failed: the key password does not open {key}") from None
                    raise
        except TransportError:
            raise
        except (OSError, ssl.SSLError, ValueError) as exc:
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

    def _refuse(self, op: str) -> None:
        self._audit(op, "-", "", None, outcome="refused", code=None,
                    message="read-only context: write refused before sending")
        raise ReadOnlyError(f"read-only context: {op.replace('_', ' ')} was not sent")

    def _audit(self, op: str, method: str, path: str, params: Mapping[str, Any] | None, *,
               outcome: str, code: int | None, message: str, http_status: int | None = None) -> None:
        if self.audit is None:
            return
        try:
            self.audit.record(
                context=self.context_name, cluster=self.cluster_id, method=method,
                path=path, query=dict(params or {}), outcome=outcome, code=code,
                message=redact(message), http_status=http_status, operator=self.operator, operation=op,
            )
        except Exception:  # the audit must never break a request path
            pass

    async def _send(self, method: str, path: str, params: Mapping[str, Any] | None,
                    body: Any) -> httpx.Response:
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.stats.requests += 1
        route = f"{method} {path}"
        self.stats.by_route[route] = self.stats.by_route.get(route, 0) + 1
        response = await self._http.request(method, path, params=dict(params) if params else None,
                                            content=content)
        self.stats.bytes += len(response.content)
        return response

    async def _decode(self, decoder: Callable[[int, bytes], Any], response: httpx.Response,
                      convert: Callable[[Any], _T] | None) -> _T | Any:
        content = response.content

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
                response = await self._send(method, path, params, body)
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

    async def _write(self, method: str, path: str, params: Mapping[str, Any] | None = None,
                     body: Any = None, *, op: str, convert: Callable[[Any], _T] | None = None,
                     kube: bool = False) -> Any:
        """Every mutating request goes through here: refused when read-only, never retried,
        always audited (without the body)."""
        if self.read_only:
            self._refuse(op)
        decoder = decode_kube if kube else decode_envelope
        self.stats.writes += 1
        try:
            response = await self._send(method, path, params, body)
        except httpx.TransportError as exc:
            self.stats.errors += 1
            not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
            if not_sent:
                err: TransportError = self._transport_error(exc, method, path)
                err = TransportError(err.message + "; nothing was sent", timed_out=err.timed_out)
                self._audit(op, method, path, params, outcome="error", code=None, message=err.message)
                raise err from None
            base = self._transport_error(exc, method, path)
            err = WriteOutcomeUnknown(
                base.message + "; the request was sent but no answer came back, so it may or may not "
                "have been applied: check the object before trying again",
                timed_out=base.timed_out)
            self._audit(op, method, path, params, outcome="unknown", code=None, message=err.message)
            raise err from None
        try:
            result = await self._decode(decoder, response, convert)
        except BcsError as exc:
            self.stats.errors += 1
            code = getattr(exc, "code", None)
            self._audit(op, method, path, params, outcome="error", code=code if isinstance(code, int) else None,
                        message=exc.message, http_status=response.status_code)
            raise
        self._audit(op, method, path, params, outcome="ok", code=0, message="success",
                    http_status=response.status_code)
        return result

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

    @_writes
    async def create_application(self, ns: str, body: Any) -> None:
        """createApplication: `POST /namespaces/{ns}/applications` (asynchronous; `data` null)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications"
        payload = self._manifest(body, m.ReplicaController, "application", ns, "create_application", "POST", path)
        await self._write("POST", path, None, payload, op="create_application")

    @_writes
    async def update_application(self, ns: str, body: Any, instances: int | None = None,
                                 only_resource: bool = False) -> None:
        """updateApplication: `PUT /namespaces/{ns}/applications?instances=N` (rolls the first N
        taskgroups; default all = `spec.instance`), or `?args=resource` for an in-place resource
        change that does not restart containers."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications"
        payload = self._manifest(body, m.ReplicaController, "application", ns, "update_application", "PUT", path)
        if only_resource:
            params: dict[str, Any] = {"args": "resource"}
        else:
            if instances is None:
                instances = payload.get("spec", {}).get("instance")
            params = {"instances": str(_instances(instances))}
        await self._write("PUT", path, params, payload, op="update_application")

    @_writes
    async def delete_application(self, ns: str, name: str, enforce: bool = False) -> None:
        """deleteApplication: `DELETE /namespaces/{ns}/applications/{name}?enforce=0|1`."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}"
        await self._write("DELETE", path, {"enforce": "1" if enforce else "0"}, op="delete_application")

    @_writes
    async def scale_application(self, ns: str, name: str, instances: int) -> None:
        """scaleApplication: `PUT /namespaces/{ns}/applications/{name}/scale/{instances}`."""
        n = _instances(instances)
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}/scale/{n}"
        await self._write("PUT", path, op="scale_application")

    @_writes
    async def rollback_application(self, ns: str, body: Any) -> None:
        """rollbackApplication: `PUT /namespaces/{ns}/applications/rollback` (body: the full
        application definition to go back to)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/rollback"
        payload = self._manifest(body, m.ReplicaController, "application", ns, "rollback_application", "PUT",
                                 path)
        await self._write("PUT", path, None, payload, op="rollback_application")

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

    @_writes
    async def rescheduler_taskgroup(self, ns: str, app: str, taskgroup_id: str,
                                    host_retain_time: int | None = None) -> None:
        """reschedulerTaskgroup: `PUT /namespaces/{ns}/applications/{app}/taskgroups/{id}/rescheduler
        [?hostRetainTime=seconds]` (only the taskgroup id matters to the scheduler)."""
        path = (f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(app, 'application')}"
                f"/taskgroups/{_seg(taskgroup_id, 'taskgroup id')}/rescheduler")
        params = None
        if host_retain_time is not None:
            if isinstance(host_retain_time, bool) or not isinstance(host_retain_time, int) or host_retain_time < 0:
                exc = InvalidRequest([("hostRetainTime", "must be a whole number of seconds >= 0")], "request")
                self._invalid("rescheduler_taskgroup", "PUT", path, exc)
                raise exc
            params = {"hostRetainTime": str(host_retain_time)}
        await self._write("PUT", path, params, op="rescheduler_taskgroup")

    @_writes
    async def restart_taskgroup(self, ns: str, app: str, taskgroup_id: str) -> m.BcsMessage | None:
        """`POST /namespaces/{ns}/applications/{app}/taskgroups/{id}/restart` (process apps only)."""
        path = (f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(app, 'application')}"
                f"/taskgroups/{_seg(taskgroup_id, 'taskgroup id')}/restart")
        return await self._write("POST", path, op="restart_taskgroup", convert=_optional_message)

    @_writes
    async def reload_taskgroup(self, ns: str, app: str, taskgroup_id: str) -> m.BcsMessage | None:
        """`POST /namespaces/{ns}/applications/{app}/taskgroups/{id}/reload` (process apps only)."""
        path = (f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(app, 'application')}"
                f"/taskgroups/{_seg(taskgroup_id, 'taskgroup id')}/reload")
        return await self._write("POST", path, op="reload_taskgroup", convert=_optional_message)

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

    @_writes
    async def send_application_message(self, ns: str, name: str, body: Any) -> list[m.TaskGroupOpResult]:
        """sendApplicationMessage: `POST /namespaces/{ns}/applications/{name}/message`. Returns
        the taskgroups it could NOT be delivered to (empty when all succeeded)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}/message"
        payload = self._validated(body, m.MessageRequest, "message", "send_application_message", "POST", path)
        return await self._write("POST", path, None, payload, op="send_application_message",
                                 convert=lambda d: _models(m.TaskGroupOpResult, d, "message failures"))

    @_writes
    async def send_taskgroup_message(self, ns: str, name: str, taskgroup_id: str, body: Any) -> Any:
        """sendTaskgroupMessage: `POST /namespaces/{ns}/applications/{name}/taskgroups/{id}/message`."""
        path = (f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/applications/{_seg(name, 'name')}"
                f"/taskgroups/{_seg(taskgroup_id, 'taskgroup id')}/message")
        payload = self._validated(body, m.MessageRequest, "message", "send_taskgroup_message", "POST", path)
        return await self._write("POST", path, None, payload, op="send_taskgroup_message")

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
        return await self.send_application_message(ns, name, self.signal_message(ns, name, signal, process_name))

    @_writes
    async def send_taskgroup_signal(self, ns: str, name: str, taskgroup_id: str, signal: int,
                                    process_name: str) -> Any:
        """sendtaskgroupSignal: `POST /namespaces/{ns}/applications/{name}/taskgroups/{id}/message`."""
        body = self.signal_message(ns, name, signal, process_name)
        body["taskgroupid"] = taskgroup_id
        return await self.send_taskgroup_message(ns, name, taskgroup_id, body)

    # ------------------------------------------------------------------------------------------
    # ConfigMap / Secret / Service (create, update, delete; reads come from bcs-storage)

    async def _put_object(self, verb: str, kind: str, plural: str, ns: str, body: Any,
                          model: type[BaseModel], op: str) -> None:
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/{plural}"
        payload = self._manifest(body, model, kind, ns, op, verb, path)
        await self._write(verb, path, None, payload, op=op)

    async def _delete_object(self, plural: str, ns: str, name: str, op: str) -> None:
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/{plural}/{_seg(name, 'name')}"
        await self._write("DELETE", path, op=op)

    @_writes
    async def create_configmap(self, ns: str, body: Any) -> None:
        """createConfigmap: `POST /namespaces/{ns}/configmaps`."""
        await self._put_object("POST", "configmap", "configmaps", ns, body, m.ConfigMapRequest, "create_configmap")

    @_writes
    async def update_configmap(self, ns: str, body: Any) -> None:
        """updateConfigmap: `PUT /namespaces/{ns}/configmaps`."""
        await self._put_object("PUT", "configmap", "configmaps", ns, body, m.ConfigMapRequest, "update_configmap")

    @_writes
    async def delete_configmap(self, ns: str, name: str) -> None:
        """deleteConfigmap: `DELETE /namespaces/{ns}/configmaps/{name}`."""
        await self._delete_object("configmaps", ns, name, "delete_configmap")

    @_writes
    async def create_secret(self, ns: str, body: Any) -> None:
        """createSecret: `POST /namespaces/{ns}/secrets`."""
        await self._put_object("POST", "secret", "secrets", ns, body, m.SecretRequest, "create_secret")

    @_writes
    async def update_secret(self, ns: str, body: Any) -> None:
        """updateSecret: `PUT /namespaces/{ns}/secrets`."""
        await self._put_object("PUT", "secret", "secrets", ns, body, m.SecretRequest, "update_secret")

    @_writes
    async def delete_secret(self, ns: str, name: str) -> None:
        """deleteSecret: `DELETE /namespaces/{ns}/secrets/{name}`."""
        await self._delete_object("secrets", ns, name, "delete_secret")

    @_writes
    async def create_service(self, ns: str, body: Any) -> None:
        """createService: `POST /namespaces/{ns}/services`."""
        await self._put_object("POST", "service", "services", ns, body, m.ServiceRequest, "create_service")

    @_writes
    async def update_service(self, ns: str, body: Any) -> None:
        """updateService: `PUT /namespaces/{ns}/services` (the server keeps metadata, changes spec)."""
        await self._put_object("PUT", "service", "services", ns, body, m.ServiceRequest, "update_service")

    @_writes
    async def delete_service(self, ns: str, name: str) -> None:
        """deleteService: `DELETE /namespaces/{ns}/services/{name}`."""
        await self._delete_object("services", ns, name, "delete_service")

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

    @_writes
    async def create_deployment(self, ns: str, body: Any) -> None:
        """createDeployment: `POST /namespaces/{ns}/deployments`."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/deployments"
        payload = self._manifest(body, m.DeploymentRequest, "deployment", ns, "create_deployment", "POST", path)
        await self._write("POST", path, None, payload, op="create_deployment")

    @_writes
    async def update_deployment(self, ns: str, body: Any, only_resource: bool = False) -> None:
        """updateDeployment: `PUT /namespaces/{ns}/deployments[?args=resource]` (a rolling
        update, or with `only_resource` an in-place resource change)."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/deployments"
        payload = self._manifest(body, m.DeploymentUpdateRequest, "deployment", ns, "update_deployment", "PUT",
                                 path)
        params = {"args": "resource"} if only_resource else None
        await self._write("PUT", path, params, payload, op="update_deployment")

    async def _deployment_op(self, ns: str, name: str, op_path: str, op: str) -> None:
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/deployments/{_seg(name, 'name')}/{op_path}"
        await self._write("PUT", path, op=op)

    @_writes
    async def cancel_update_deployment(self, ns: str, name: str) -> None:
        """cancelUpdateDeployment: `PUT /namespaces/{ns}/deployments/{name}/cancelupdate`."""
        await self._deployment_op(ns, name, "cancelupdate", "cancel_update_deployment")

    @_writes
    async def pause_update_deployment(self, ns: str, name: str) -> None:
        """pauseUpdateDeployment: `PUT /namespaces/{ns}/deployments/{name}/pauseupdate`."""
        await self._deployment_op(ns, name, "pauseupdate", "pause_update_deployment")

    @_writes
    async def resume_update_deployment(self, ns: str, name: str) -> None:
        """resumeUpdateDeployment: `PUT /namespaces/{ns}/deployments/{name}/resumeupdate`."""
        await self._deployment_op(ns, name, "resumeupdate", "resume_update_deployment")

    @_writes
    async def scale_deployment(self, ns: str, name: str, instances: int) -> None:
        """scaleDeployment: `PUT /namespaces/{ns}/deployments/{name}/scale/{instances}`."""
        n = _instances(instances)
        await self._deployment_op(ns, name, f"scale/{n}", "scale_deployment")

    @_writes
    async def delete_deployment(self, ns: str, name: str, enforce: bool = False) -> None:
        """deleteDeployment: `DELETE /namespaces/{ns}/deployments/{name}?enforce=0|1`."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/deployments/{_seg(name, 'name')}"
        await self._write("DELETE", path, {"enforce": "1" if enforce else "0"}, op="delete_deployment")

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

    @_writes
    async def set_agent_setting_list(self, settings: Sequence[Any]) -> None:
        """setAgentSettingList: `POST /agentsettings` with a JSON array of settings (replaces each
        agent's strings and scalars; keeps disabled, taints and pods)."""
        path = f"{SCHEDULER}/agentsettings"
        payload = self._validated_list(settings, m.AgentSettingRequest, "agent settings",
                                       "set_agent_setting_list", "POST", path)
        await self._write("POST", path, None, payload, op="set_agent_setting_list")

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

    @_writes
    async def delete_agent_setting_list(self, ips: str | Iterable[str]) -> None:
        """deleteAgentSettingList: `DELETE /agentsettings?ips=a,b` (removed from current
        schedulers: expect a ProtocolError there)."""
        await self._write("DELETE", f"{SCHEDULER}/agentsettings", {"ips": _ips(ips)},
                          op="delete_agent_setting_list")

    @_writes
    async def update_agent_setting_list(self, body: Any) -> None:
        """updateAgentSettingList: `POST /agentsettings/update` (one key on many IPs; removed
        from current schedulers)."""
        path = f"{SCHEDULER}/agentsettings/update"
        payload = self._validated(body, m.AgentSettingUpdate, "agent setting update",
                                  "update_agent_setting_list", "POST", path)
        await self._write("POST", path, None, payload, op="update_agent_setting_list")

    @_writes
    async def disable_agent_list(self, ips: str | Iterable[str]) -> None:
        """disableAgentList: `POST /agentsettings/disable?ips=a,b` (no new taskgroups there)."""
        await self._write("POST", f"{SCHEDULER}/agentsettings/disable", {"ips": _ips(ips)},
                          op="disable_agent_list")

    @_writes
    async def enable_agent_list(self, ips: str | Iterable[str]) -> None:
        """enableAgentList: `POST /agentsettings/enable?ips=a,b`."""
        await self._write("POST", f"{SCHEDULER}/agentsettings/enable", {"ips": _ips(ips)},
                          op="enable_agent_list")

    @_writes
    async def taint_agents(self, taints: Sequence[Any]) -> None:
        """taintagents: `PUT /agentsettings/taint` with `[{"innerIP", "noSchedule": {k: v}}]`;
        replaces each agent's taints (an empty map clears them)."""
        path = f"{SCHEDULER}/agentsettings/taint"
        payload = self._validated_list(taints, m.TaintRequest, "taints", "taint_agents", "PUT", path)
        await self._write("PUT", path, None, payload, op="taint_agents")

    @_writes
    async def update_agent_extended_resource(self, body: Any) -> None:
        """`PUT /agentsettings/extendedresource` (upsert one ExtendedResource of an agent)."""
        path = f"{SCHEDULER}/agentsettings/extendedresource"
        payload = self._validated(body, m.ExtendedResourceRequest, "extended resource",
                                  "update_agent_extended_resource", "PUT", path)
        await self._write("PUT", path, None, payload, op="update_agent_extended_resource")

    # ------------------------------------------------------------------------------------------
    # CustomResourceDefinitions and custom resources (Kubernetes proxy: raw kube JSON)

    @_writes
    async def create_crd(self, body: Any) -> dict[str, Any]:
        """createcrd: `POST /customresourcedefinitions` (kube JSON, no envelope)."""
        path = f"{SCHEDULER}/customresourcedefinitions"
        payload = self._validated(body, m.CrdRequest, "CRD", "create_crd", "POST", path)
        return await self._write("POST", path, None, payload, op="create_crd", kube=True)

    async def get_crd(self, name: str) -> dict[str, Any]:
        """getcrd: `GET /customresourcedefinitions/{name}`."""
        return await self._read(f"{SCHEDULER}/customresourcedefinitions/{_seg(name, 'name')}", kube=True)

    async def list_crds(self) -> list[dict[str, Any]]:
        """getcrd without a name: `GET /customresourcedefinitions` -> the CRDs (kube list items)."""
        return await self._read(f"{SCHEDULER}/customresourcedefinitions", kube=True, convert=_items)

    @_writes
    async def update_crd(self, name: str, body: Any) -> dict[str, Any]:
        """`PUT /customresourcedefinitions/{name}` (include metadata.resourceVersion from a GET)."""
        path = f"{SCHEDULER}/customresourcedefinitions/{_seg(name, 'name')}"
        payload = self._validated(body, m.CrdRequest, "CRD", "update_crd", "PUT", path)
        return await self._write("PUT", path, None, payload, op="update_crd", kube=True)

    @_writes
    async def delete_crd(self, name: str) -> Any:
        """deletecrd: `DELETE /customresourcedefinitions/{name}`."""
        return await self._write("DELETE", f"{SCHEDULER}/customresourcedefinitions/{_seg(name, 'name')}",
                                 op="delete_crd", kube=True)

    @staticmethod
    def _cr_path(group: str, version: str, plural: str, namespace: str | None, name: str | None = None) -> str:
        path = f"{SCHEDULER}/customresources/{_seg(group, 'group')}/{_seg(version, 'version')}"
        if namespace:
            path += f"/namespaces/{_seg(namespace, 'namespace')}"
        path += f"/{_seg(plural, 'plural')}"
        if name is not None:
            path += f"/{_seg(name, 'name')}"
        return path

    @_writes
    async def create_custom_resource(self, group: str, version: str, plural: str, namespace: str,
                                     body: Any) -> dict[str, Any]:
        """`POST /customresources/{group}/{version}/namespaces/{ns}/{plural}`."""
        path = self._cr_path(group, version, plural, namespace)
        payload = self._validated(body, m.CustomResourceRequest, "custom resource", "create_custom_resource",
                                  "POST", path)
        return await self._write("POST", path, None, payload, op="create_custom_resource", kube=True)

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
        path = self._cr_path(group, version, plural, namespace, name)
        payload = self._validated(body, m.CustomResourceRequest, "custom resource", "update_custom_resource",
                                  "PUT", path)
        return await self._write("PUT", path, None, payload, op="update_custom_resource", kube=True)

    @_writes
    async def delete_custom_resource(self, group: str, version: str, plural: str, namespace: str,
                                     name: str) -> Any:
        """`DELETE /customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}`."""
        return await self._write("DELETE", self._cr_path(group, version, plural, namespace, name),
                                 op="delete_custom_resource", kube=True)

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

    @_writes
    async def commit_image(self, taskgroup_id: str, image: str, url: str) -> m.BcsMessage | None:
        """commitImage: `POST /image/commit/{taskgroupId}?image={current}&url={target}`."""
        problems = [(k, "is required") for k, v in (("image", image), ("url", url)) if not str(v or "").strip()]
        path = f"{SCHEDULER}/image/commit/{_seg(taskgroup_id, 'taskgroup id')}"
        if problems:
            exc = InvalidRequest(problems, "image commit")
            self._invalid("commit_image", "POST", path, exc)
            raise exc
        return await self._write("POST", path, {"image": image, "url": url}, op="commit_image",
                                 convert=_optional_message)

    # ------------------------------------------------------------------------------------------
    # Commands

    @staticmethod
    def _command_kind(kind: str) -> tuple[str, str]:
        low = str(kind or "").lower()
        if low not in ("application", "deployment"):
            raise InvalidRequest([("kind", f"must be application or deployment (got {kind!r})")], "command")
        return low, low.capitalize()

    @_writes
    async def send_command(self, kind: str, ns: str, name: str, spec: Any) -> str:
        """sendCommand: `POST /command/{application|deployment}/{ns}/{name}` -> the command id.

        `spec` is the command spec (`{"command": [...], "taskgroups": [...], ...}`) or a whole
        Command body; `commandTargetRef` is filled in from the URL, and must match it if given.
        """
        route, target_kind = self._command_kind(kind)
        path = f"{SCHEDULER}/command/{route}/{_seg(ns, 'namespace')}/{_seg(name, 'name')}"
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
        result = await self._write("POST", path, None, payload, op="send_command")
        if not isinstance(result, str) or not result:
            raise ProtocolError("send command: the server did not return a command id", str(result)[:200])
        return result

    async def get_command(self, kind: str, ns: str, name: str, command_id: str) -> m.CommandInfo:
        """getCommand: `GET /command/{application|deployment}/{ns}/{name}?id=<id>`."""
        route, _ = self._command_kind(kind)
        path = f"{SCHEDULER}/command/{route}/{_seg(ns, 'namespace')}/{_seg(name, 'name')}"
        return await self._read(path, {"id": str(command_id)},
                                convert=lambda d: _model(m.CommandInfo, d, "command"))

    @_writes
    async def delete_command(self, kind: str, ns: str, name: str, command_id: str) -> None:
        """deleteCommand: `DELETE /command/{application|deployment}/{ns}/{name}?id=<id>` (removes
        the record; a command already sent keeps running)."""
        route, _ = self._command_kind(kind)
        path = f"{SCHEDULER}/command/{route}/{_seg(ns, 'namespace')}/{_seg(name, 'name')}"
        await self._write("DELETE", path, {"id": str(command_id)}, op="delete_command")

    # ------------------------------------------------------------------------------------------
    # Admission webhooks (driver routes; the document's `/crd/` prefix does not exist)

    @_writes
    async def create_admission_webhook(self, ns: str, body: Any) -> None:
        """createadmission: `POST /namespaces/{ns}/admissionwebhook`."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/admissionwebhook"
        payload = self._manifest(body, m.AdmissionWebhookRequest, "admissionwebhook", ns,
                                 "create_admission_webhook", "POST", path)
        await self._write("POST", path, None, payload, op="create_admission_webhook")

    @_writes
    async def update_admission_webhook(self, ns: str, body: Any) -> None:
        """updateadmission: `PUT /namespaces/{ns}/admissionwebhook`."""
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/admissionwebhook"
        payload = self._manifest(body, m.AdmissionWebhookRequest, "admissionwebhook", ns,
                                 "update_admission_webhook", "PUT", path)
        await self._write("PUT", path, None, payload, op="update_admission_webhook")

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
        path = f"{SCHEDULER}/namespaces/{_seg(ns, 'namespace')}/admissionwebhook/{_seg(name, 'name')}"
        await self._write("DELETE", path, op="delete_admission_webhook")

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
        await self._write("DELETE", f"{SCHEDULER}/transactions/{_seg(ns, 'namespace')}/{_seg(name, 'name')}",
                          op="delete_transaction")

    # ------------------------------------------------------------------------------------------
    # bcs-storage reads (what bcs-client list / inspect use)

    def _cluster_seg(self) -> str:
        return _seg(self.cluster_id, "cluster id")

    async def storage_list_namespaces(self) -> list[str]:
        """`GET /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/namespace`."""
        return await self._read(f"{STORAGE_QUERY}/{self._cluster_seg()}/namespace",
                                convert=lambda d: _strings(d, "namespaces"))

    async def storage_query(self, kind: str, namespaces: str | Iterable[str] | None = None,
                            host_ip: str | None = None) -> list[m.StorageRecord[Any]]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/{kind}` with
        `{"namespace": "a,b", "hostIp": "..."}` (keys left out when not given): one request for
        one, several or all namespaces. Returns records whose `data` is typed by kind."""
        body = self._storage_query_body(kind, namespaces, host_ip)
        if body is None:
            return []  # an explicit empty scope: nothing to ask
        record = m.StorageRecord[m.STORAGE_DATA_MODELS[kind]]
        return await self._read(f"{STORAGE_QUERY}/{self._cluster_seg()}/{kind}", method="POST", body=body,
                                convert=lambda d: _models(record, d, f"storage {kind}"))

    def _storage_query_body(self, kind: str, namespaces: str | Iterable[str] | None,
                            host_ip: str | None) -> dict[str, str] | None:
        """The storage query body; None for an explicit empty namespace list."""
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

    async def storage_query_lite(self, kind: str, namespaces: str | Iterable[str] | None = None,
                                 host_ip: str | None = None, *, previous: Sequence[Any] | None = None
                                 ) -> list[Any]:
        """`POST /bcsapi/v4/storage/query/mesos/dynamic/clusters/{clusterId}/{kind}`, the same
        request as `storage_query`, for list views: each record's `data` as a light object
        (`bcs_tui.api.lite`: a few fields, the full typed object parsed on first use of any other
        attribute). `previous`, the last answer, lets unchanged records be reused without parsing.
        Kinds: application, process, taskgroup."""
        from bcs_tui.api.lite import LITE_KINDS, decode_storage_lite

        if kind not in LITE_KINDS:
            raise InvalidRequest([("kind", f"must be one of {', '.join(LITE_KINDS)} (got {kind!r})")],
                                 "storage query")
        body = self._storage_query_body(kind, namespaces, host_ip)
        if body is None:
            return []
        previous = list(previous or ())

        def decoder(status: int, content: bytes) -> Any:
            return decode_storage_lite(kind, status, content, previous, decode_envelope)

        return await self._read(f"{STORAGE_QUERY}/{self._cluster_seg()}/{kind}", method="POST", body=body,
                                decoder=decoder)

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
