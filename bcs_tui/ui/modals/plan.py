"""A write about to be sent: what the confirmation shows and what the operation then calls."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from rich.text import Text

from bcs_tui.redact import SECRET_MASK, mask_secret
from bcs_tui.ui.textsafe import safe_text

BODY_SUMMARY_CHARS = 600


@dataclass
class PlannedRequest:
    """One request of an operation. `target` names the object in BCS words; `method`, `path`
    (relative to /bcsapi/v4/scheduler/mesos), `query` and `body` are exactly what the client
    sends; `send()` sends it; `recheck()` fetches the object again (offered when a write timed
    out); `mask_body` hides values (secrets) in the summary."""

    target: str
    method: str
    path: str
    send: Callable[[], Awaitable[Any]]
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    recheck: Callable[[], Awaitable[Any]] | None = None
    mask_body: bool = False
    body_note: str = ""  # replaces the body summary (e.g. "the manifest in the diff above")

    @property
    def request_line(self) -> str:
        query = urlencode({k: v for k, v in self.query.items() if v is not None}, safe=",/:")
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")

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
    if len(requests) > limit:
        out.append(f"\n… and {len(requests) - limit} more (all are sent)", style="bold")
    return out
