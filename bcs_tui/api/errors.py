"""One exception hierarchy for everything the BCS client can raise.

Every error has a human `.message` that says what happened and, where possible, what to do. No
message ever contains the bearer token: the client redacts it from any text it puts in an error
(server bodies can echo headers back), and `BcsError.__init__` runs the same redaction on every
message it is given.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from bcs_tui.redact import redact, register_secret  # noqa: F401 (the client registers its token)

_MAX_TEXT = 2000


def _clip(text: str) -> str:
    text = text.strip()
    if len(text) > _MAX_TEXT:
        return text[:_MAX_TEXT] + "…"
    return text


class BcsError(Exception):
    """Base of every client error. `.message` is one human sentence or two, never the token."""

    def __init__(self, message: str) -> None:
        self.message = _clip(redact(str(message)))
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ApiError(BcsError):
    """The server answered with an envelope whose `code` is not 0 (or a 5xx with an envelope).

    `code` is the BCS error code (1405200 scheduler error, 1405201 already exists, 1405202 not
    found, 1405008 bad request data, 1405234 wrong cluster id / webhook refusal, ...).
    """

    def __init__(self, code: int, message: str, http_status: int = 200) -> None:
        self.code = int(code) if isinstance(code, (int, float)) else 0
        self.http_status = http_status
        self.server_message = _clip(redact(str(message)))
        super().__init__(_describe_api_error(self.code, self.server_message, http_status))

    @property
    def not_found(self) -> bool:
        """True when the server said the object does not exist."""
        text = self.server_message.lower()
        return self.code == 1405202 or "not found" in text or "not exist" in text or "does not exist" in text

    @property
    def already_exists(self) -> bool:
        return self.code == 1405201


_HINTS = {
    1405008: "the request data was refused; check the manifest",
    1405010: "the server could not decode the JSON body",
    1405201: "it already exists",
    1405202: "it does not exist",
    1405231: "a parameter is wrong",
    1405233: "unknown message type",
}


def _describe_api_error(code: int, text: str, http_status: int) -> str:
    # "(bcs-scheduler):store: Not Found" -> "store: Not Found"; the process prefix is noise
    text = re.sub(r"^\([^()\s]{1,64}\):\s*", "", text)
    if code == 1405234 and "bcs-clusterid" in text.lower():
        return (f"wrong cluster id: the server does not serve this BCS-ClusterID ({text}); "
                "check the context's cluster id (e.g. BCS-MESOS-10001)")
    if code == 1405234:
        return f"refused by an admission webhook or the driver's auth filter (code 1405234): {text}"
    if code == 0 and (not http_status or http_status < 400):
        return text or "the server reported an error"  # a client-side finding (e.g. not in storage)
    status = f"HTTP {http_status}, " if http_status and http_status != 200 else ""
    hint = _HINTS.get(code)
    if hint:
        return f"{text or hint} ({status}code {code}: {hint})"
    return f"{text or 'the server reported an error'} ({status}code {code})"


class AuthError(BcsError):
    """The API gateway refused the request (HTTP 400/401 without `data`): token or header problem."""

    def __init__(self, message: str, http_status: int = 401) -> None:
        self.http_status = http_status
        self.server_message = _clip(redact(str(message)))
        if http_status == 401:
            hint = "the token is not valid for this cluster; check the context's token source"
        else:
            hint = "the gateway rejected the request headers; check the token and the cluster id"
        super().__init__(f"{self.server_message or 'unauthorized'} (HTTP {http_status}: {hint})")


class ProtocolError(BcsError):
    """The body is not a BCS envelope: plain text (dead route, the driver's name error), empty
    (a non-master scheduler), or JSON of an unexpected shape. `.text` is the body text, clipped."""

    def __init__(self, message: str, text: str = "", http_status: int = 200) -> None:
        self.text = _clip(redact(text))
        self.http_status = http_status
        super().__init__(message)


class TransportError(BcsError):
    """The request did not get an HTTP answer: timeout, connection refused or reset, TLS failure."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        self.timed_out = timed_out
        super().__init__(message)


class WriteOutcomeUnknown(TransportError):
    """A write was sent but no answer came back in time: it may or may not have been applied.

    Writes are never retried; check the object's state before trying again.
    """


class ReadOnlyError(BcsError):
    """The client is read-only and refused a write before sending anything."""


class AuditFailure(BcsError):
    """The audit log could not be written: the write was refused before sending (or, when only
    its outcome line failed, further writes are refused until the user acknowledges)."""


class KubeError(BcsError):
    """The CRD / custom-resource proxy answered with a Kubernetes `Status` object or a kube error
    status code. `.status` is the HTTP status, `.reason` the kube reason (NotFound, AlreadyExists...)."""

    def __init__(self, status: int, message: str, reason: str = "") -> None:
        self.status = status
        self.reason = reason
        self.server_message = _clip(redact(str(message)))
        suffix = f"{reason}, HTTP {status}" if reason else f"HTTP {status}"
        super().__init__(f"{self.server_message or 'kubernetes error'} ({suffix})")

    @property
    def not_found(self) -> bool:
        return self.status == 404 or self.reason == "NotFound"


class InvalidRequest(BcsError):
    """A request body (usually a manifest typed in the editor) failed local validation; nothing
    was sent. `.problems` lists `(field path, what is wrong)` pairs, e.g.
    `("spec.instance", "must be at least 1")`."""

    def __init__(self, problems: Iterable[tuple[str, str]], what: str = "request") -> None:
        self.problems: list[tuple[str, str]] = [(str(p), str(m)) for p, m in problems]
        lines = [f"{path}: {msg}" if path else msg for path, msg in self.problems]
        super().__init__(f"invalid {what}: " + "; ".join(lines) if lines else f"invalid {what}")

    def to_json(self) -> list[dict[str, Any]]:
        return [{"path": p, "message": m} for p, m in self.problems]
