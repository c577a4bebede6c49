"""Redaction: the one place that knows what a secret looks like on its way out.

Two jobs, both about text that must not show a secret:

- `redact(text)`: the bearer token (registered by the client with `register_secret`) and its
  variants are replaced by `***` wherever a text leaves the process (error messages, the title,
  flashes, the audit log). A server that echoes the token back rarely echoes it byte for byte,
  so the variants count too: a prefix of at least `MIN_PREFIX` characters, any upper/lower-case
  copy, a copy split by whitespace, and the base64 / base64url encoding of the token (also when
  it sits inside a longer encoded text, e.g. an encoded `Authorization` header).
- `mask_secret(data)`: the values of a BCS secret (`datas.*.content` and friends) replaced by
  `SECRET_MASK`, keeping the keys, for describe, the copy menu and the confirmation.

This module imports nothing from bcs_tui (every layer may use it) and nothing heavy.
"""

from __future__ import annotations

import base64
import re
from typing import Any

SECRET_MASK = "••••••••"
MIN_PREFIX = 8  # shorter tokens are matched whole
_MIN_SECRET = 4
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_SPACE = " \t\r\n\f\v"


class _Secret:
    """One registered secret: its plain pattern (prefix, any case, whitespace allowed between
    characters) and its base64 forms."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.lower = value.lower()
        head = value[: min(len(value), MIN_PREFIX)]
        self.head = re.compile(r"\s*".join(re.escape(c) for c in head), re.IGNORECASE)
        self.encoded = _base64_forms(value.encode("utf-8", "surrogatepass"))

    def scrub(self, text: str) -> str:
        if not text:
            return text
        out: list[str] = []
        pos = 0
        while True:
            m = self.head.search(text, pos)
            if m is None:
                break
            end = self._extend(text, m.end())
            out.append(text[pos:m.start()])
            out.append("***")
            pos = end
        out.append(text[pos:])
        text = "".join(out)
        for enc in self.encoded:
            if enc in text:
                text = text.replace(enc, "***")
        return text

    def _extend(self, text: str, end: int) -> int:
        """Follow the match as long as the text goes on with the rest of the secret (case
        ignored), so the whole copy goes, not only its head. A gap of whitespace counts only when
        a few more characters of the secret follow it (else it is the next word)."""
        j = min(len(self.value), MIN_PREFIX)
        k = end
        n = len(text)
        rest = self.lower
        while j < len(rest):
            k2 = k
            while k2 < n and text[k2] in _SPACE:
                k2 += 1
            run = 1 if k2 == k else min(4, len(rest) - j)
            if text[k2:k2 + run].lower() == rest[j:j + run]:
                k = k2 + run
                j += run
            else:
                break
        return k


def _base64_forms(raw: bytes) -> list[str]:
    """The parts of base64(… + secret + …) that depend only on the secret, for each of the three
    alignments, in the standard and the url-safe alphabet (longest first)."""
    forms: set[str] = set()
    if len(raw) < 3:
        return []
    for offset in range(3):
        enc = base64.b64encode(b"\0" * offset + raw + b"\0\0").decode()
        # Characters touched by the padding bytes before and after vary with the neighbours.
        start = (offset * 4 + 2) // 3
        stop = ((offset + len(raw)) * 4) // 3
        stable = enc[start:stop]
        if len(stable) >= 4:
            forms.add(stable)
    forms.add(base64.b64encode(raw).decode().rstrip("="))
    for form in list(forms):
        forms.add(form.replace("+", "-").replace("/", "_"))
    return sorted(forms, key=len, reverse=True)


_SECRETS: dict[str, _Secret] = {}


def register_secret(value: str | None) -> None:
    """Remember a secret (the bearer token) so that no text redacted here can show it."""
    if value and len(value) >= _MIN_SECRET and value not in _SECRETS:
        _SECRETS[value] = _Secret(value)


def secrets_registered() -> bool:
    return bool(_SECRETS)


def contains_secret(text: str) -> bool:
    """True when `text` holds a registered secret or one of its variants."""
    return bool(text) and redact(text, bearer=False) != text


def redact(text: str, *, bearer: bool = True) -> str:
    """`text` with every registered secret (and its variants) and any `Bearer xxx` credential
    replaced by `***`."""
    for secret in _SECRETS.values():
        text = secret.scrub(text)
    if bearer:
        text = _BEARER.sub(r"\1***", text)
    return text


# ---------------------------------------------------------------------------------------------
# Secret values (BCS secrets): keys stay, values go

_VALUE_KEYS = ("datas", "data", "content", "value")


def mask_secret(data: Any) -> Any:
    """A copy of a secret's JSON with every value under `datas`, `data`, `content` or `value`
    replaced by `SECRET_MASK` (the keys stay: they say what is there)."""
    if isinstance(data, dict):
        return {k: (_mask_all(v) if k in _VALUE_KEYS else mask_secret(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_secret(v) for v in data]
    return data


def _mask_all(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _mask_all(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_mask_all(v) for v in obj]
    if obj is None or isinstance(obj, bool):
        return obj
    return SECRET_MASK
