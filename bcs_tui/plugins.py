"""Plugins: site commands declared in the config and run on the row under the cursor (k9s-style).

    [plugins.ssh-agent]
    key = "ctrl+g"                    # a key no action uses
    description = "ssh to the taskgroup's agent"
    kinds = ["taskgroups"]            # list kinds it applies to ("*" = every list)
    command = "ssh -t {host_ip}"      # an argv line: split like a shell, but never run by one
    mode = "terminal"                 # "terminal": the console steps aside; "background": output in a pane
    writes = false                    # true: hidden in read-only, confirmed, audited

The command line is split with shlex **first**, then each `{variable}` is replaced inside its
word, so a value from the server (an object name, a host address) is always exactly one argument
and no local shell sees it. Values may only hold letters, digits and `. _ : @ + = -` (ssh joins
its arguments into a command line for the *remote* shell, so a `;` or a space must never get
through), and a value that would make a word start with `-` when the template's word did not
(option injection) is refused. The program (first word)
must be written out, not a variable. The child's environment never holds the token
(`child_env`); it gets the row's values as `BCS_TUI_<VARIABLE>`.

This module is pure (no UI, no I/O): parsing, the argv and the environment. The UI side is
`bcs_tui/ui/plugins.py`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from bcs_tui import children
from bcs_tui.config import ConfigError

VARIABLES = ("context", "cluster", "kind", "namespace", "name", "id", "taskgroup_id", "application",
             "host_ip", "pod_ip", "container_id")
MODES = ("background", "terminal")
_KEYS = ("key", "description", "kinds", "command", "mode", "writes")
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_VAR = re.compile(r"\{([^{}]*)\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What a value may hold: BCS names, ids and addresses fit; shell metacharacters, spaces, quotes
# and slashes do not (ssh hands its arguments to the remote shell as one command line).
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9._:@+=-]+$")
# Variables of the environment that must never reach a child (besides values equal to a secret).
SECRET_ENV = ("BCS_TOKEN",)


class PluginError(Exception):
    """A plugin cannot run on this row (a value missing or unsafe). One line, shown as is."""


@dataclass(frozen=True)
class Plugin:
    name: str
    key: str
    command: str
    argv: tuple[str, ...]
    kinds: tuple[str, ...] = ("*",)
    description: str = ""
    mode: str = "background"
    writes: bool = False

    def applies_to(self, kind: str) -> bool:
        return "*" in self.kinds or kind in self.kinds

    @property
    def label(self) -> str:
        return self.description or self.command


def _words(where: str, command: str) -> tuple[str, ...]:
    try:
        words = tuple(shlex.split(command))
    except ValueError as exc:
        raise ConfigError(f"{where}: command cannot be split ({exc})") from None
    if not words:
        raise ConfigError(f"{where}: command is empty")
    for word in words:
        for var in _VAR.findall(word.replace("{{", "").replace("}}", "")):
            if var not in VARIABLES:
                raise ConfigError(f"{where}: unknown variable {{{var}}} in command (variables: "
                                  + ", ".join("{" + v + "}" for v in VARIABLES) + ")")
    if _VAR.search(words[0].replace("{{", "").replace("}}", "")):
        raise ConfigError(f"{where}: the program (first word of command) must be written out, not a variable")
    return words


def parse_plugins(raw: Any, where: str = "[plugins]", known_kinds: Iterable[str] | None = None) -> list[Plugin]:
    """Validate the config's `[plugins.NAME]` tables. Raises ConfigError naming the plugin."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be tables like [plugins.NAME]")
    kinds_known = set(known_kinds) if known_kinds is not None else None
    out: list[Plugin] = []
    for name, table in raw.items():
        here = f"{where} '{name}'"
        if not _NAME.match(str(name)):
            raise ConfigError(f"{here}: plugin names may only contain letters, digits and . _ -")
        if not isinstance(table, dict):
            raise ConfigError(f"{here} must be a table ([plugins.{name}])")
        for key in table:
            if key not in _KEYS:
                raise ConfigError(f"{here}: unknown key '{key}' (keys: {', '.join(_KEYS)})")
        for key in ("key", "command"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise ConfigError(f"{here}: '{key}' is missing (a string)")
            if _CONTROL.search(table[key]):
                raise ConfigError(f"{here}: '{key}' contains control characters")
        description = table.get("description", "")
        if not isinstance(description, str) or _CONTROL.search(description):
            raise ConfigError(f"{here}: 'description' must be one line of text")
        kinds = table.get("kinds", ["*"])
        if isinstance(kinds, str):
            kinds = [kinds]
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and k for k in kinds):
            raise ConfigError(f"{here}: 'kinds' must be a list of kind names (or [\"*\"])")
        if kinds_known is not None:
            unknown = [k for k in kinds if k != "*" and k not in kinds_known]
            if unknown:
                raise ConfigError(f"{here}: unknown kind '{unknown[0]}' (kinds: {', '.join(sorted(kinds_known))})")
        mode = table.get("mode", "background")
        if mode not in MODES:
            raise ConfigError(f"{here}: mode must be {' or '.join(repr(m) for m in MODES)}, not {mode!r}")
        writes = table.get("writes", False)
        if not isinstance(writes, bool):
            raise ConfigError(f"{here}: 'writes' must be true or false")
        command = table["command"].strip()
        out.append(Plugin(name=str(name), key=table["key"].strip(), command=command,
                          argv=_words(here, command), kinds=tuple(kinds), description=description.strip(),
                          mode=mode, writes=writes))
    return out


def build_argv(plugin: Plugin, values: Mapping[str, str]) -> list[str]:
    """The argv for one row: each `{variable}` replaced inside its word; refuses unsafe values."""
    argv = []
    for word in plugin.argv:
        def sub(m: re.Match[str]) -> str:
            var = m.group(1)
            value = values.get(var, "")
            if not value:
                raise PluginError(f"plugin {plugin.name}: this row has no {var}")
            if not _SAFE_VALUE.match(value):
                raise PluginError(f"plugin {plugin.name}: {var} {value[:60]!r} has characters a shell could "
                                  f"interpret (allowed: letters, digits and . _ : @ + = -); not run")
            return value

        marker = "\x00"
        text = word.replace("{{", marker + "(").replace("}}", marker + ")")
        text = _VAR.sub(sub, text)
        text = text.replace(marker + "(", "{").replace(marker + ")", "}")
        if text.startswith("-") and not word.startswith("-"):
            raise PluginError(f"plugin {plugin.name}: a value would start an option ({text[:40]!r}); not run")
        argv.append(text)
    return argv


def child_env(environ: Mapping[str, str], secrets: Iterable[str], values: Mapping[str, str]) -> dict[str, str]:
    """The environment for a plugin: ours without the token (by name and by value), plus the row.

    `bcs_tui.children.child_env` first (every context's token_env, and the registered token in
    any of its variants), then the given secrets."""
    hidden = {s for s in secrets if s}
    env = {k: v for k, v in children.child_env(environ).items()
           if k not in SECRET_ENV and v not in hidden and not any(s in v for s in hidden)}
    for var in VARIABLES:
        if values.get(var) and not _CONTROL.search(values[var]):
            env[f"BCS_TUI_{var.upper()}"] = values[var]
    return env
