"""A write about to be sent: what the confirmation shows and what the operation then calls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from rich.text import Text

from bcs_tui.api.request import Request
from bcs_tui.redact import SECRET_MASK, mask_secret
from bcs_tui.ui.textsafe import safe_text

BODY_SUMMARY_CHARS = 600
CURL_SHOWN = 3  # the curl form is shown for operations of at most this many requests


@dataclass
class PlannedRequest:
    """One request of an operation as the confirmation shows it: `request` is the planned value
    (`bcs_tui.api.request.Request`) that `client.send` then sends unchanged; `target` names the
    object in BCS words; `recheck()` fetches the object again (offered when a write timed out);
    `mask_body` hides values (secrets) in the summary; `server` is for the curl form."""

    target: str
    request: Request
    recheck: Callable[[], Awaitable[Any]] | None = None
    mask_body: bool = False
    body_note: str = ""  # replaces the body summary (e.g. "the manifest in the diff above")
    server: str = ""

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    @property
    def body(self) -> Any:
        return self.request.body

    @property
    def request_line(self) -> str:
        return self.request.line()

    def curl(self) -> str:
        """The same request as a curl command (no token; a masked body for secrets)."""
        body = mask_secret(self.body) if self.mask_body and self.body is not None else None
        return self.request.to_curl(self.server or "$BCS_SERVER", body=body)

    def body_summary(self, limit: int = BODY_SUMMARY_CHARS) -> str:
        if self.body_note:
            return self.body_note
        if self.body is None:
            return ""
        body = mask_secret(self.body) if self.mask_body else self.body
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
        if len(text) > limit:
            text = text[: limit - 1] + f"… ({len(text)} chars)"
        return text


def fingerprint_secrets(obj: Any) -> Any:
    """A secret manifest with every `datas.*.content` replaced by a short fingerprint, so a
    diff shows which values changed without showing them."""
    import hashlib

    if not isinstance(obj, dict) or not isinstance(obj.get("datas"), dict):
        return obj
    out = dict(obj)
    datas = {}
    for key, item in obj["datas"].items():
        if isinstance(item, dict) and "content" in item:
            digest = hashlib.sha256(str(item["content"]).encode()).hexdigest()[:8]
            item = dict(item, content=f"{SECRET_MASK} (sha256 {digest})")
        datas[key] = item
    out["datas"] = datas
    return out


def render_requests(requests: list[PlannedRequest], *, limit: int = 1000) -> Text:
    """The confirmation's request list: every target, its request line and body summary."""
    out = Text()
    for number, req in enumerate(requests[:limit], start=1):
        if number > 1:
            out.append("\n")
        out.append(f"{number:>3}. ", style="dim")
        out.append(safe_text(req.target), style="bold")
        out.append("\n     ")
        out.append(safe_text(req.request_line), style="bold cyan")
        summary = req.body_summary()
        if summary:
            out.append("\n     ")
            out.append(safe_text(summary), style="dim")
        if len(requests) <= CURL_SHOWN:
            out.append("\n     ")
            out.append(safe_text(_curl_line(req)), style="dim italic")
    if len(requests) > limit:
        out.append(f"\n… and {len(requests) - limit} more (all are sent)", style="bold")
    return out


def _curl_line(req: PlannedRequest) -> str:
    """`curl -X PUT '<server><path>?<query>'` (+ `-d <body>` when there is one: the body above)."""
    q = req.request.query_string()
    url = (req.server or "$BCS_SERVER").rstrip("/") + req.path + (f"?{q}" if q else "")
    return f"as curl: curl -X {req.method} '{url}'" + (" -d <the body above>" if req.body is not None else "")
