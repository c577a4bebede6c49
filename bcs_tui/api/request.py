"""A planned request as a value: what `BcsClient.send` sends, exactly as the confirmation shows it.

`BcsClient.plan_*` validates its input and returns a `Request` (nothing is sent); `send(request)`
sends that value once. `line()` and `to_curl()` render the same method, path, query and body, so a
confirmation built from them cannot differ from what goes on the wire.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

from bcs_tui.api.routes import Route


@dataclass(frozen=True)
class Request:
    """One HTTP request of an operation.

    `path` is quoted (by its route), `query` holds plain strings (httpx encodes them the same way
    `line()` does), `body` is the JSON sent as is, `targets` name the objects it changes in BCS
    words ("application ns/web"). `convert` turns the decoded answer into the method's result."""

    route: Route
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    targets: tuple[str, ...] = ()
    convert: Callable[[Any], Any] | None = field(default=None, compare=False, repr=False)

    @property
    def method(self) -> str:
        return self.route.method

    @property
    def op(self) -> str:
        return self.route.name

    @property
    def is_write(self) -> bool:
        return self.route.is_write

    def query_string(self) -> str:
        return urlencode(self.query, safe=",/:")

    def line(self) -> str:
        """`PUT /bcsapi/v4/scheduler/mesos/namespaces/ns/applications?instances=5`"""
        q = self.query_string()
        return f"{self.method} {self.path}" + (f"?{q}" if q else "")

    def body_json(self) -> str:
        return "" if self.body is None else json.dumps(self.body, ensure_ascii=False)

    def to_curl(self, server: str = "$BCS_SERVER", *, body: Any = None) -> str:
        """The request as a curl command line. The token is never in it (`$BCS_TOKEN`); `body`
        replaces the body text (a masked secret)."""
        q = self.query_string()
        url = server.rstrip("/") + self.path + (f"?{q}" if q else "")
        parts = ["curl", "-X", self.method, shlex.quote(url),
                 "-H", shlex.quote("Authorization: Bearer $BCS_TOKEN"),
                 "-H", shlex.quote("BCS-ClusterID: $BCS_CLUSTER_ID")]
        shown = self.body if body is None else body
        if shown is not None:
            parts += ["-H", shlex.quote("Content-Type: application/json"),
                      "-d", shlex.quote(json.dumps(shown, ensure_ascii=False, separators=(",", ":")))]
        return " ".join(parts)
