"""Input validation for the write operations: pure functions, no UI, no I/O.

Every function either returns the parsed value or raises `InvalidInput` whose message says what
is wrong and where (field, line, column), so the modal can show it and send nothing.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Any, Iterable

MAX_INSTANCES = 10_000
MAX_HOST_RETAIN_SECONDS = 7 * 24 * 3600


class InvalidInput(ValueError):
    """Bad input: `message` is one sentence; `field` names the form field or the JSON path;
    `line`/`column` (1-based) locate it in a multi-line text."""

    def __init__(self, message: str, *, field: str = "", line: int | None = None,
                 column: int | None = None) -> None:
        self.message = message
        self.field = field
        self.line = line
        self.column = column
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}" + (f", column {self.column}" if self.column is not None else ""))
        if self.field:
            where.append(self.field)
        return f"{self.message} ({'; '.join(where)})" if where else self.message


# ---------------------------------------------------------------------------------- numbers


def parse_instances(text: Any, *, maximum: int = MAX_INSTANCES, field: str = "instances") -> int:
    """Instances for a scale: an integer from 1 to `maximum` (the server refuses < 1; a typo like
    an extra zero should not start 100,000 containers)."""
    raw = str(text).strip().replace("_", "")
    if not raw:
        raise InvalidInput("instances is empty: type a whole number (1 or more)", field=field)
    if not re.fullmatch(r"[+]?\d+", raw):
        raise InvalidInput(f"instances must be a whole number, not {str(text).strip()[:40]!r}", field=field)
    value = int(raw)
    if value < 1:
        raise InvalidInput("instances must be at least 1 (to remove it, delete it)", field=field)
    if value > maximum:
        raise InvalidInput(f"instances must be at most {maximum:,}", field=field)
    return value


def parse_seconds(text: Any, *, field: str = "seconds", maximum: int = MAX_HOST_RETAIN_SECONDS,
                  allow_empty: bool = True) -> int:
    """A duration in whole seconds (`90`, `90s`, `5m`, `2h`); empty = 0 when allowed."""
    raw = str(text or "").strip().lower()
    if not raw:
        if allow_empty:
            return 0
        raise InvalidInput("a duration is required", field=field)
    m = re.fullmatch(r"(\d+)\s*(s|m|h|d)?", raw)
    if not m:
        raise InvalidInput(f"not a duration: {raw[:40]!r} (use 90, 90s, 5m, 2h)", field=field)
    value = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}[m.group(2)]
    if value > maximum:
        raise InvalidInput(f"at most {maximum} seconds", field=field)
    return value


# ---------------------------------------------------------------------------------- IPs


def parse_ip_list(text: str, *, field: str = "ips") -> list[str]:
    """IPv4/IPv6 addresses separated by commas, spaces or newlines; duplicates dropped, order kept."""
    out: list[str] = []
    for token in re.split(r"[\s,;]+", str(text or "").strip()):
        if not token:
            continue
        try:
            ip = ipaddress.ip_address(token)
        except ValueError:
            raise InvalidInput(f"not an IP address: {token[:60]!r}", field=field) from None
        value = str(ip)
        if value not in out:
            out.append(value)
    if not out:
        raise InvalidInput("no IP address given", field=field)
    return out


# ---------------------------------------------------------------------------------- key=value lines

# Taint keys like kube label keys (optional DNS prefix + '/'), values like label values.
_TAINT_KEY = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?(/[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?")
_TAINT_VALUE = re.compile(r"([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?")
_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ATTR_KEY = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._/-]{0,126}[A-Za-z0-9])?")


def _content_lines(text: str) -> Iterable[tuple[int, str]]:
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        yield number, stripped


def _split_kv(number: int, line: str, field: str) -> tuple[str, str]:
    if "=" not in line:
        raise InvalidInput(f"expected key=value, got {line[:60]!r}", field=field, line=number)
    key, value = line.split("=", 1)
    return key.strip(), value.strip()


def parse_taints(text: str, *, field: str = "taints") -> dict[str, str]:
    """Taints as `key=value` lines (blank lines and `#` comments ignored; empty text = no taints).
    Keys: letters, digits, `.`, `_`, `-`, optional `prefix/`; values: the same without `/`."""
    taints: dict[str, str] = {}
    for number, line in _content_lines(text):
        key, value = _split_kv(number, line, field)
        if not key:
            raise InvalidInput("taint key is empty", field=field, line=number)
        if not _TAINT_KEY.fullmatch(key):
            raise InvalidInput(f"bad taint key {key[:60]!r}: use letters, digits, '.', '_', '-' "
                               "(optionally prefix/name), starting and ending with a letter or digit",
                               field=field, line=number)
        if not _TAINT_VALUE.fullmatch(value):
            raise InvalidInput(f"bad taint value {value[:60]!r} for {key!r}: use letters, digits, '.', '_', '-' "
                               "(at most 63), starting and ending with a letter or digit",
                               field=field, line=number)
        if key in taints:
            raise InvalidInput(f"taint key {key!r} appears twice", field=field, line=number)
        taints[key] = value
    return taints


def format_taints(taints: dict[str, str] | None) -> str:
    """The editor text for `taints` (round-trips through parse_taints)."""
    return "\n".join(f"{k}={v}" for k, v in sorted((taints or {}).items()))


def parse_env(text: str, *, field: str = "env") -> list[str]:
    """Environment as `KEY=value` lines (values may contain anything but a newline)."""
    out: list[str] = []
    seen: set[str] = set()
    for number, line in _content_lines(text):
        key, value = _split_kv(number, line, field)
        if not _ENV_KEY.fullmatch(key):
            raise InvalidInput(f"bad variable name {key[:60]!r}: letters, digits and '_', not starting with a digit",
                               field=field, line=number)
        if key in seen:
            raise InvalidInput(f"variable {key!r} appears twice", field=field, line=number)
        seen.add(key)
        out.append(f"{key}={value}")
    return out


@dataclass
class AgentAttributes:
    """Agent setting attributes: `strings` (name -> text) and `scalars` (name -> number)."""

    strings: dict[str, str]
    scalars: dict[str, float]


def parse_attributes(text: str, *, field: str = "attributes") -> AgentAttributes:
    """Attributes as `key=value` lines under `[strings]` (the default) and `[scalars]` headers."""
    strings: dict[str, str] = {}
    scalars: dict[str, float] = {}
    section = "strings"
    for number, line in _content_lines(text):
        header = re.fullmatch(r"\[\s*(\w+)\s*\]", line)
        if header:
            name = header.group(1).lower()
            if name not in ("strings", "scalars"):
                raise InvalidInput(f"unknown section [{name}]: use [strings] or [scalars]", field=field, line=number)
            section = name
            continue
        key, value = _split_kv(number, line, field)
        if not _ATTR_KEY.fullmatch(key):
            raise InvalidInput(f"bad attribute name {key[:60]!r}: letters, digits, '.', '_', '-', '/'",
                               field=field, line=number)
        if key in strings or key in scalars:
            raise InvalidInput(f"attribute {key!r} appears twice", field=field, line=number)
        if section == "scalars":
            try:
                number_value = float(value)
            except ValueError:
                raise InvalidInput(f"scalar {key!r} must be a number, not {value[:40]!r}",
                                   field=field, line=number) from None
            if number_value != number_value or number_value in (float("inf"), float("-inf")):
                raise InvalidInput(f"scalar {key!r} must be a finite number", field=field, line=number)
            scalars[key] = number_value
        else:
            if any(ord(c) < 32 for c in value):
                raise InvalidInput(f"value of {key!r} contains control characters", field=field, line=number)
            strings[key] = value
    return AgentAttributes(strings, scalars)


def format_attributes(strings: dict[str, str] | None, scalars: dict[str, float] | None) -> str:
    """The editor text for attributes (round-trips through parse_attributes)."""
    lines = ["[strings]"] + [f"{k}={v}" for k, v in sorted((strings or {}).items())]
    lines.append("[scalars]")
    for k, v in sorted((scalars or {}).items()):
        lines.append(f"{k}={int(v) if float(v).is_integer() else v}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- signals

# Linux numbering (x86/arm), which is what the containers run.
SIGNALS: dict[str, int] = {
    "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
    "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
    "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
    "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "PWR": 30, "SYS": 31,
}
SIGNAL_NAMES: dict[int, str] = {v: f"SIG{k}" for k, v in SIGNALS.items()}
# What the picker offers first: the ones people send to servers.
COMMON_SIGNALS: tuple[int, ...] = (15, 1, 9, 2, 3, 10, 12, 18, 19)


def signal_label(number: int) -> str:
    if number in SIGNAL_NAMES:
        return f"{SIGNAL_NAMES[number]} ({number})"
    if 34 <= number <= 64:
        return f"SIGRTMIN+{number - 34} ({number})" if number != 34 else "SIGRTMIN (34)"
    return str(number)


def parse_signal(text: Any, *, field: str = "signal") -> int:
    """A signal as a number 1-64 or a name (`SIGTERM`, `TERM`, `term`, `SIGRTMIN+3`)."""
    raw = str(text or "").strip()
    if not raw:
        raise InvalidInput("signal is empty: type a number (1-64) or a name like TERM", field=field)
    if re.fullmatch(r"\d+", raw):
        value = int(raw)
        if not 1 <= value <= 64:
            raise InvalidInput(f"signal number must be 1-64, not {value}", field=field)
        return value
    name = raw.upper()
    if name.startswith("SIG"):
        name = name[3:]
    if name in SIGNALS:
        return SIGNALS[name]
    m = re.fullmatch(r"RTMIN(?:\+(\d+))?", name)
    if m:
        value = 34 + int(m.group(1) or 0)
        if value <= 64:
            return value
    m = re.fullmatch(r"RTMAX(?:-(\d+))?", name)
    if m:
        value = 64 - int(m.group(1) or 0)
        if value >= 34:
            return value
    raise InvalidInput(f"unknown signal {raw[:30]!r}: use a number 1-64 or a name like TERM, HUP, KILL, USR1",
                       field=field)


_PROCESS_NAME = re.compile(r"[A-Za-z0-9_.+@:,%/-]{1,128}")


def validate_process_name(text: Any, *, field: str = "process") -> str:
    """A process name for `killall -SIG <name>`, which the server runs through a shell in every
    container: no spaces, quotes or shell metacharacters, and no leading '-' (killall would read
    it as an option)."""
    name = str(text or "").strip()
    if not name:
        raise InvalidInput("process name is empty", field=field)
    if name.startswith("-"):
        raise InvalidInput("process name cannot start with '-'", field=field)
    if not _PROCESS_NAME.fullmatch(name):
        bad = sorted({c for c in name if not re.fullmatch(r"[A-Za-z0-9_.+@:,%/-]", c)})
        if not bad:
            raise InvalidInput("process name is longer than 128 characters", field=field)
        shown = " ".join(repr(c) for c in bad[:8])
        raise InvalidInput(f"process name has characters the server's shell would interpret: {shown} "
                           "(use letters, digits, . _ - + @ : , % /; at most 128)", field=field)
    return name


# ---------------------------------------------------------------------------------- commands

_SHELL_META = set("|&;<>()$`\\\"'*?[]#~=%{}!\n")


def parse_command(text: str, *, shell: bool = False, field: str = "command") -> list[str]:
    """The command's argv. With `shell`, the text runs as `/bin/sh -c <text>` (pipes work);
    otherwise it is split like a shell would (quotes group words) and nothing is interpreted."""
    raw = str(text or "").strip()
    if not raw:
        raise InvalidInput("command is empty", field=field)
    if "\x00" in raw:
        raise InvalidInput("command contains a NUL byte", field=field)
    if shell:
        return ["/bin/sh", "-c", raw]
    try:
        argv = shlex.split(raw)
    except ValueError as exc:
        raise InvalidInput(f"cannot split the command: {exc} (close the quote)", field=field) from None
    if not argv:
        raise InvalidInput("command is empty", field=field)
    return argv


def looks_like_shell(text: str) -> bool:
    """True when the text uses shell syntax (pipes, redirections ...) that only works with a shell."""
    return any(tok in str(text) for tok in ("|", "&&", "||", ";", ">", "<", "$(", "`"))


_USER = re.compile(r"([a-z_][a-z0-9_-]{0,31}\$?|\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\d{1,10}))?")


def validate_user(text: Any, *, field: str = "user") -> str:
    """A user name or uid (optionally `:group`); empty = the container's default."""
    user = str(text or "").strip()
    if user and not _USER.fullmatch(user):
        raise InvalidInput(f"bad user {user[:40]!r}: a name (lower case, digits, _ -) or a uid, optionally :group",
                           field=field)
    return user


def validate_workdir(text: Any, *, field: str = "working dir") -> str:
    """An absolute path, or empty for the container's default."""
    path = str(text or "").strip()
    if not path:
        return ""
    if not path.startswith("/"):
        raise InvalidInput(f"working dir must be an absolute path (start with /), not {path[:60]!r}", field=field)
    if any(ord(c) < 32 for c in path):
        raise InvalidInput("working dir contains control characters", field=field)
    return path


_IMAGE = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?",
                    re.IGNORECASE)


def validate_image(text: Any, *, field: str = "image") -> str:
    """A docker image reference (`registry:port/repo/name:tag`)."""
    image = str(text or "").strip()
    if not image:
        raise InvalidInput("image is empty", field=field)
    if not _IMAGE.fullmatch(image):
        raise InvalidInput(f"not an image reference: {image[:80]!r} (registry/repo/name:tag)", field=field)
    return image


def validate_name(text: Any, *, field: str = "name") -> str:
    """An object name: the driver refuses '.', and the URL needs a plain path segment."""
    name = str(text or "").strip()
    if not name:
        raise InvalidInput("name is empty", field=field)
    if "." in name:
        raise InvalidInput(f"name {name!r} contains '.', which the server refuses", field=field)
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9_-]{0,252}[A-Za-z0-9])?", name):
        raise InvalidInput(f"bad name {name[:60]!r}: letters, digits, '-', '_', starting and ending "
                           "with a letter or digit", field=field)
    return name


def confirm_matches(typed: str, expected: str) -> bool:
    """The typed confirmation for deletes: the exact name (or count), surrounding spaces ignored."""
    return str(typed).strip() == str(expected)


# ---------------------------------------------------------------------------------- manifests


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def json_positions(text: str) -> dict[tuple, int]:
    """For valid JSON `text`: the line (1-based) of every path (tuple of keys and indexes), e.g.
    `("spec", "template", "spec", "containers", 0, "image") -> 42`. The line of a key is where the
    key is written; of an array element, where the element starts."""
    positions: dict[tuple, int] = {}

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, path: tuple) -> int:
        i = skip(i)
        positions.setdefault(path, _line_col(text, i)[0])
        ch = text[i]
        if ch == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                key_pos = i
                key, i = scanstring(text, i + 1)
                positions[path + (key,)] = _line_col(text, key_pos)[0]
                i = skip(i)
                i = skip(i + 1)  # ':'
                i = value_at(i, path + (key,))
                i = skip(i)
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1  # '}'
        if ch == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(i)
                positions[path + (index,)] = _line_col(text, i)[0]
                i = value_at(i, path + (index,))
                i = skip(i)
                index += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if ch == '"':
            return scanstring(text, i + 1)[1]
        for literal in ("true", "false", "null"):
            if text.startswith(literal, i):
                return i + len(literal)
        m = _NUMBER.match(text, i)
        return m.end() if m else i + 1

    def value_at(i: int, path: tuple) -> int:
        # The key's own line is already recorded; nested values keep it unless they start elsewhere.
        return value(i, path)

    try:
        value(0, ())
    except (IndexError, ValueError):
        pass  # only called on text json.loads accepted; partial positions are still useful
    return positions


def line_of(text: str, path: Iterable[Any]) -> int | None:
    """The line of the deepest existing prefix of `path` in the JSON text."""
    positions = json_positions(text)
    path = tuple(path)
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return None


def parse_json_text(text: str, *, field: str = "manifest") -> Any:
    """JSON with a clear message on a syntax error: what, line and column."""
    if not str(text or "").strip():
        raise InvalidInput("the manifest is empty", field=field)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"JSON syntax error: {exc.msg}", field=field, line=exc.lineno, column=exc.colno) from None


def _path_text(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class ManifestRules:
    """What a manifest for one kind must satisfy.

    `kinds`: accepted values of the top-level `kind` (exactly, as the driver; empty = not checked);
    `namespace`: the namespace the request goes to (None = any, `metadata.namespace` required
    only when `require_namespace`); `name`: the object being edited (it cannot change);
    `model`: a pydantic request model to validate against (None = JSON checks only);
    `dots_allowed`: kube objects (CRDs) allow '.' in names, BCS objects do not."""

    kinds: tuple[str, ...] = ()
    namespace: str | None = None
    name: str | None = None
    model: Any = None
    require_namespace: bool = True
    dots_allowed: bool = False
    namespaced: bool = True
    # The manifest the editor started from, for the two checks below.
    original: Any = None
    # `?args=resource`: only containers' `resources` may differ from `original` (anything else
    # would be recorded in a version no taskgroup runs, facts §11.3).
    resource_only: bool = False
    # Paths that must keep their value in `original`, with the reason (an update cannot change
    # spec.instance: the scheduler keeps the running version's count).
    fixed: tuple[tuple[tuple, str], ...] = ()


def validate_manifest(text: str, rules: ManifestRules) -> dict:
    """Parse and check a manifest; returns the JSON object or raises InvalidInput at its line."""
    data = parse_json_text(text)
    if not isinstance(data, dict):
        raise InvalidInput("the manifest must be a JSON object ({...})", line=1)

    def fail(message: str, path: tuple) -> None:
        raise InvalidInput(message, field=_path_text(path), line=line_of(text, path))

    if rules.kinds:
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in rules.kinds:  # the driver compares exactly
            fail(f"kind must be {' or '.join(repr(k) for k in rules.kinds)}, not {kind!r}", ("kind",))
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        fail("metadata is missing or not an object", ("metadata",))
    name = metadata.get("name")
    if not isinstance(name, str) or not name.strip():
        fail("metadata.name is missing", ("metadata", "name"))
    if not rules.dots_allowed and "." in name:
        fail(f"metadata.name {name!r} contains '.', which the server refuses", ("metadata", "name"))
    if rules.name is not None and name != rules.name:
        fail(f"metadata.name is {name!r} but you are editing {rules.name!r}; create a new object instead",
             ("metadata", "name"))
    if rules.namespaced:
        ns = metadata.get("namespace")
        if ns in (None, ""):
            if rules.require_namespace:
                fail("metadata.namespace is missing (the request path needs it)", ("metadata", "namespace"))
        elif not isinstance(ns, str):
            fail("metadata.namespace must be a string", ("metadata", "namespace"))
        elif rules.namespace is not None and ns != rules.namespace:
            fail(f"metadata.namespace is {ns!r} but this goes to namespace {rules.namespace!r}",
                 ("metadata", "namespace"))
    if rules.original is not None:
        for path, why in rules.fixed:
            if _at_path(data, path) != _at_path(rules.original, path):
                fail(f"{_path_text(path)} cannot change here: {why}", path)
        if rules.resource_only:
            changed = first_change(rules.original, data, skip=_is_resources_path)
            if changed is not None:
                fail(f"{_path_text(changed) or 'the manifest'} changed, but ctrl+u (args=resource) changes "
                     "resources only: anything else would be recorded in a version no taskgroup runs. Use e "
                     "(edit) for this change, or undo it", changed)
    if rules.model is not None:
        _validate_model(text, data, rules.model)
    return data


_MISSING = object()


def _at_path(obj: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(obj, dict) and isinstance(key, str):
            obj = obj.get(key, _MISSING)
        elif isinstance(obj, list) and isinstance(key, int) and 0 <= key < len(obj):
            obj = obj[key]
        else:
            return _MISSING
    return obj


def _is_resources_path(path: tuple) -> bool:
    """`spec.template.spec.containers[i].resources` or, for a process app,
    `spec.template.spec.processes[i].resources` (and anything under them)."""
    return (len(path) >= 6 and path[:3] == ("spec", "template", "spec")
            and path[3] in ("containers", "processes")
            and isinstance(path[4], int) and path[5] == "resources")


def first_change(old: Any, new: Any, path: tuple = (), *, skip: Any = None) -> tuple | None:
    """The path (in `new`'s terms, as far as it exists there) of the first difference between two
    JSON values outside the subtrees `skip(path)` accepts; None when they agree."""
    if skip is not None and skip(path):
        return None
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(new) + [k for k in old if k not in new]:
            if key not in new:
                return path  # a key removed: point at its parent
            if key not in old:
                if skip is not None and skip(path + (key,)):
                    continue
                return path + (key,)
            found = first_change(old[key], new[key], path + (key,), skip=skip)
            if found is not None:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            if index >= len(new):
                return path
            if index >= len(old):
                return path + (index,)
            found = first_change(old[index], new[index], path + (index,), skip=skip)
            if found is not None:
                return found
        return None
    return None if old == new and type(old) is type(new) else path


def _validate_model(text: str, data: dict, model: Any) -> None:
    from pydantic import ValidationError

    try:
        model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        try:  # the api's wording ("is required", "must be at least 1") when available
            from bcs_tui.api.models import validation_problems

            messages = [msg for _, msg in validation_problems(exc, model)]
        except Exception:
            messages = [str(e.get("msg", "invalid")) for e in errors]
        first = errors[0] if errors else {"loc": ()}
        # Keep JSON keys and indexes; drop pydantic's union/function markers.
        path = tuple(p for p in (first.get("loc") or ())
                     if isinstance(p, int) or (isinstance(p, str) and not p.startswith("function-")
                                               and p not in ("literal", "list", "dict")))
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        message = (messages[0] if messages else "invalid") + more
        raise InvalidInput(f"{_path_text(path) or 'manifest'} {message}", field=_path_text(path) or "manifest",
                           line=line_of(text, path)) from None
