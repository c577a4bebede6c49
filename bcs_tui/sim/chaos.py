"""Chaos for rehearsals and reliability tests: latency and a share of broken answers per route.

Spec: `latency=300ms,error=0.1,truncate=0.05,drop=0.02,route=/cluster/*`; several rules are
separated by `;` and the first rule whose route matches a request applies. Keys:

- `latency` (`300ms`, `1.5s`, or plain milliseconds), `jitter` (same units, added at random)
- shares between 0 and 1: `error` (HTTP 5xx from the gateway), `business` (HTTP 200 with a
  scheduler error envelope), `truncate` (the body cut short), `drop` (the connection dropped
  mid-answer), `empty` (HTTP 200 with an empty body, a non-master scheduler), `text` (HTTP 200
  with go-restful's plain-text 404)
- `route`: a glob on the path, relative to `/bcsapi/v4/scheduler/mesos` (`/cluster/*`) or full
  (`/bcsapi/v4/storage/*`); default `*`
- `seed`: the random seed (default 0), so a run is repeatable
"""

from __future__ import annotations

import fnmatch
import random
import re
from dataclasses import dataclass

SHARES = ("error", "business", "truncate", "drop", "empty", "text")
KEYS = ("latency", "jitter", "route", "seed") + SHARES
SCHED_PREFIX = "/bcsapi/v4/scheduler/mesos"


class ChaosError(ValueError):
    """A chaos spec that cannot be parsed; the message says what and how to fix it."""


@dataclass
class ChaosRule:
    latency: float = 0.0
    jitter: float = 0.0
    error: float = 0.0
    business: float = 0.0
    truncate: float = 0.0
    drop: float = 0.0
    empty: float = 0.0
    text: float = 0.0
    route: str = "*"

    def matches(self, path: str) -> bool:
        if fnmatch.fnmatchcase(path, self.route):
            return True
        if path.startswith(SCHED_PREFIX):
            return fnmatch.fnmatchcase(path[len(SCHED_PREFIX):], self.route)
        return False


@dataclass
class Fault:
    latency: float
    kind: str | None  # None: only latency
    cut: float = 0.5
    status: int = 502

    def answer(self) -> tuple[bytes, int, str]:
        if self.kind == "error":
            if self.status == 502:
                return (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                        b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
                        502, "text/html")
            return (b'{"code":%d,"result":false,"message":"upstream service unavailable"}'
                    % self.status, self.status, "application/json")
        if self.kind == "business":
            return (b'{"result":false,"code":1405200,"message":"(bcs-scheduler):system error: '
                    b'no mesos master","data":{}}', 200, "application/json")
        if self.kind == "empty":
            return b"", 200, "application/json"
        if self.kind == "text":
            return b"404: Page Not Found", 200, "text/plain; charset=utf-8"
        return b"", 200, "application/json"


def _duration(key: str, value: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*", value)
    if not m:
        raise ChaosError(f"chaos: {key}={value!r} is not a duration (use e.g. 300ms or 1.5s)")
    n = float(m.group(1))
    return n if m.group(2) == "s" else n / 1000.0


def _share(key: str, value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        raise ChaosError(f"chaos: {key}={value!r} is not a number (use a share such as 0.1)") from None
    if not 0.0 <= share <= 1.0:
        raise ChaosError(f"chaos: {key}={value} must be a share between 0 and 1")
    return share


class ChaosSpec:
    """Parsed chaos rules plus a seeded random source."""

    def __init__(self, rules: list[ChaosRule], seed: int = 0) -> None:
        self.rules = rules
        self.seed = seed
        self.rng = random.Random(seed)

    @classmethod
    def parse(cls, text: str, seed: int | None = None) -> "ChaosSpec":
        if not isinstance(text, str) or not text.strip():
            raise ChaosError("chaos: empty spec (example: latency=300ms,error=0.1,route=/cluster/*)")
        rules = []
        found_seed = 0
        for part in (p for p in text.split(";") if p.strip()):
            rule = ChaosRule()
            for item in (i for i in part.split(",") if i.strip()):
                if "=" not in item:
                    raise ChaosError(f"chaos: {item.strip()!r} is not key=value "
                                     f"(keys: {', '.join(KEYS)})")
                key, value = (s.strip() for s in item.split("=", 1))
                if key not in KEYS:
                    raise ChaosError(f"chaos: unknown key {key!r} (keys: {', '.join(KEYS)})")
                if key in ("latency", "jitter"):
                    setattr(rule, key, _duration(key, value))
                elif key == "route":
                    if not value:
                        raise ChaosError("chaos: route= needs a path glob such as /cluster/*")
                    rule.route = value
                elif key == "seed":
                    try:
                        found_seed = int(value)
                    except ValueError:
                        raise ChaosError(f"chaos: seed={value!r} is not an integer") from None
                else:
                    setattr(rule, key, _share(key, value))
            total = sum(getattr(rule, k) for k in SHARES)
            if total > 1.0 + 1e-9:
                raise ChaosError(f"chaos: the shares in {part.strip()!r} add up to {total:g}, "
                                 f"more than 1")
            rules.append(rule)
        if not rules:
            raise ChaosError("chaos: empty spec (example: latency=300ms,error=0.1,route=/cluster/*)")
        return cls(rules, found_seed if seed is None else seed)

    def decide(self, path: str) -> Fault | None:
        """What happens to a request on `path` (None: nothing)."""
        rule = next((r for r in self.rules if r.matches(path)), None)
        if rule is None:
            return None
        latency = rule.latency + (self.rng.random() * rule.jitter if rule.jitter else 0.0)
        roll = self.rng.random()
        kind = None
        acc = 0.0
        for k in SHARES:
            share = getattr(rule, k)
            acc += share
            if share and roll < acc:
                kind = k
                break
        if kind is None and latency <= 0:
            return None
        return Fault(latency=latency, kind=kind, cut=0.2 + self.rng.random() * 0.6,
                     status=self.rng.choice((502, 503, 504)))

    def __repr__(self) -> str:
        return f"ChaosSpec({self.rules!r}, seed={self.seed})"
