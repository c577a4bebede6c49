"""Make untrusted text (from the server or from containers) safe to put on screen.

Server strings can carry terminal escape sequences (a container's stdout, a crafted message) and
square brackets that Textual would parse as markup. Everything shown from the server goes through
`safe_text` and is then rendered as a `rich.text.Text` (never as markup).
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

# Order matters: the string sequences (OSC, DCS, ...) run until a terminator and must be removed
# whole before the generic "ESC + one final byte" rule eats only their introducer.
_ESCAPES = re.compile(
    r"""
    \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?        # OSC ... BEL | ST  (7-bit)
  | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?          # OSC (8-bit)
  | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?             # DCS, SOS, PM, APC ... ST
  | [\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x1b\\|\x9c)?     # the same, 8-bit introducers
  | \x1b\[[0-?]*[ -/]*[@-~]?                           # CSI (7-bit)
  | \x9b[0-?]*[ -/]*[@-~]?                             # CSI (8-bit)
  | \x1b[ -/]*[0-~]?                                   # any other ESC sequence (or a lone ESC)
    """,
    re.VERBOSE,
)
_NEEDS_ESCAPES = re.compile(r"[\x1b\x80-\x9f]")
# C0 controls except tab and newline, DEL, and the C1 range.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(value: object) -> str:
    """Return `value` as a string with terminal control sequences and control characters removed.

    Tabs and newlines are kept; CRLF becomes LF; `None` becomes "".
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text or text.isprintable():  # the common case, decided in C
        return text
    if _NEEDS_ESCAPES.search(text):
        text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n")
    return _CONTROLS.sub("", text)


def one_line(value: object, limit: int | None = None) -> str:
    """`safe_text` squeezed onto one line (table cells): newlines and tabs become spaces."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if not (text.isprintable() and "  " not in text):
        text = " ".join(safe_text(text).split())
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)] + "…"
    return text


def safe_rich(value: object, style: str = "") -> Text:
    """`safe_text` as a rich `Text`: rendered literally, never parsed as markup."""
    return Text(safe_text(value), style=style)


def safe_renderable(value: Any) -> Any:
    """A renderable built by our code from server strings (a form's intro, a confirmation's
    details), made safe: a `str` or a rich `Text` loses its control sequences (Text keeps its
    styles); anything else (tables, groups) is returned as it is and must be built from safe text."""
    if isinstance(value, str):
        return Text(safe_text(value))
    if not isinstance(value, Text) or safe_text(value.plain) == value.plain:
        return value
    cuts = sorted({s.start for s in value.spans} | {s.end for s in value.spans})
    out = Text(style=value.style, justify=value.justify, overflow=value.overflow, no_wrap=value.no_wrap,
               end=value.end)
    for part in value.divide(cuts):
        clean = safe_text(part.plain)
        start = len(out)
        out.append(clean)
        for span in part.spans:
            if span.end > span.start:
                out.stylize(span.style, start, start + len(clean))
    return out
