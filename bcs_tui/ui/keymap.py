"""User keymaps: binding id -> key, from the config file, checked against the action table.

Every binding the console declares carries the action id from bcs_tui/actions.py as its Binding
id, so the app applies the result with `App.set_keymap(load_keymap(settings))`. Problems never
stop the console: they come back as warnings the app shows at start-up.

Config::

    [keymap]                  # every context
    preset = "vim"            # j/k, g/G, ctrl+f/ctrl+b in the lists (where no action has the key)
    cursor_down = "n"         # cursor keys: cursor_up/down, page_up/down, first_row, last_row
    scale = "S"
    [contexts.prod.keymap]    # this context only (wins over [keymap])
    delete = "ctrl+x"
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from bcs_tui.actions import ACTIONS, Action

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})

# Named keys Textual produces (besides single characters and Unicode character names).
NAMED_KEYS = frozenset(
    {"escape", "enter", "return", "tab", "space", "backspace", "delete", "insert", "home", "end",
     "pageup", "pagedown", "up", "down", "left", "right", "slash", "backslash", "at", "minus",
     "plus", "underscore", "newline"}
    | {f"f{i}" for i in range(1, 25)}
)

# Keys the console or Textual already use for something a remap must not take away.
RESERVED_KEYS: dict[str, str] = {
    "ctrl+c": "quit",
    "ctrl+q": "quit",
    "ctrl+p": "the command palette",
    "tab": "focus movement",
    "shift+tab": "focus movement",
    "up": "cursor movement",
    "down": "cursor movement",
    "left": "cursor movement",
    "right": "cursor movement",
    "pageup": "paging",
    "pagedown": "paging",
    "home": "jump to the first row",
    "end": "jump to the last row",
}


# Cursor movement in every list (the ResourceTable's bindings): keymap id -> (binding id, the
# default keys). Keys given in the config are added to the defaults (the arrows always work).
CURSOR_BINDINGS: dict[str, tuple[str, str]] = {
    "cursor_up": ("resource_table.cursor_up", "up"),
    "cursor_down": ("resource_table.cursor_down", "down"),
    "page_up": ("resource_table.page_up", "pageup"),
    "page_down": ("resource_table.page_down", "pagedown"),
    "first_row": ("resource_table.home", "home,g"),
    "last_row": ("resource_table.end", "end,G"),
}
# `preset = "vim"` in [keymap]. A preset key that is an action's key (k is signal, ctrl+d delete,
# ctrl+u update_resource) is left out: a cursor key must never hide an action; remap the action
# and the preset takes the key.
PRESETS: dict[str, dict[str, str]] = {
    "vim": {"cursor_down": "j", "cursor_up": "k", "page_down": "ctrl+f,ctrl+d",
            "page_up": "ctrl+b,ctrl+u", "first_row": "g", "last_row": "G"},
}
PRESET_KEY = "preset"


@dataclass
class KeymapReport:
    """The usable keymap (binding id -> key string) and what is wrong with the config's one."""

    keymap: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for `config show` (e.g. preset keys left out)


def _char_to_key(char: str) -> str:
    """One character as Textual names it: `?` -> `question_mark`, `/` -> `slash`, `a` -> `a`."""
    if char.isalnum():
        return char
    try:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return {"\t": "tab"}.get(char, char)
    return {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
            "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}.get(name, name)


def normalize_key(key: str) -> str:
    """Textual's long form of one key (`?` -> `question_mark`, `ctrl+D` stays case-sensitive)."""
    key = key.strip()
    if len(key) == 1:
        return _char_to_key(key)
    return key


def key_problem(key: str) -> str | None:
    """Why `key` (one key, no commas) is not a key Textual can bind, or None when it is fine."""
    if not key:
        return "an empty key"
    if any(c.isspace() for c in key) and key != " ":
        return "a key name cannot contain spaces"
    if len(key) == 1:
        return None if key.isprintable() else "not a printable character"
    parts = key.split("+")
    base = parts[-1]
    mods = parts[:-1]
    if base == "" and key.endswith("+"):
        return "ends with '+' (write 'plus' for the plus key)"
    bad = [m for m in mods if m not in MODIFIERS]
    if bad:
        return f"unknown modifier '{bad[0]}' (use ctrl, shift, alt, meta, super or hyper)"
    if len(base) == 1 or base in NAMED_KEYS:
        return None
    try:
        unicodedata.lookup(base.replace("_", " "))
        return None
    except KeyError:
        pass
    close = difflib.get_close_matches(base, sorted(NAMED_KEYS), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key name '{base}'{hint}"


def _keys(spec: str) -> set[str]:
    return {normalize_key(k) for k in spec.split(",") if k.strip()}


def _overlap(a: Action, b: Action) -> tuple[str, ...] | None:
    """The kinds where both actions are live, or None when they never share a screen."""
    if "*" in a.kinds and "*" in b.kinds:
        return ("every list",)
    if "*" in a.kinds:
        return b.kinds
    if "*" in b.kinds:
        return a.kinds
    shared = tuple(k for k in a.kinds if k in b.kinds)
    return shared or None


def _where(kinds: tuple[str, ...]) -> str:
    return ", ".join(kinds)


def _layers(settings: Any) -> tuple[dict[str, str], dict[str, str], str]:
    """(top-level keymap, context keymap, context name) from Settings or a look-alike."""
    context = getattr(settings, "context", None)
    ctx_map = dict(getattr(context, "keymap", None) or {})
    ctx_name = str(getattr(context, "name", "") or "")
    top = getattr(settings, "global_keymap", None)
    if top is None:
        # A plain settings object with only a merged keymap: treat it as top level.
        merged = dict(getattr(settings, "keymap", None) or {})
        top = {k: v for k, v in merged.items() if k not in ctx_map}
    return dict(top), ctx_map, ctx_name


def analyse_keymap(settings: Any, actions: Iterable[Action] = ACTIONS) -> KeymapReport:
    """Validate the config keymap against the action table and report conflicts.

    Unknown action ids and unbindable key names are dropped with a warning. Conflicts (two
    actions on one key where both are live, a key moved onto another action's key, a key that
    shadows quit / the palette / cursor movement) are kept but reported.
    """
    actions = tuple(actions)
    by_id = {a.id: a for a in actions}
    top, ctx_map, ctx_name = _layers(settings)
    origin: dict[str, str] = {k: "[keymap]" for k in top}
    origin.update({k: f"context '{ctx_name}' keymap" for k in ctx_map})
    merged = {**top, **ctx_map}
    preset = merged.pop(PRESET_KEY, None)
    cursor = {k: merged.pop(k) for k in list(merged) if k in CURSOR_BINDINGS}

    report = KeymapReport()
    for binding_id, spec in merged.items():
        where = origin[binding_id]
        if binding_id not in by_id:
            close = difflib.get_close_matches(binding_id, list(by_id), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            report.warnings.append(f"{where}: unknown action '{binding_id}'{hint}; ignored")
            continue
        if not isinstance(spec, str) or not spec.strip():
            report.warnings.append(f"{where}: {binding_id} has no key; ignored")
            continue
        keys = [k.strip() for k in spec.split(",")]
        problems = [(k, key_problem(k)) for k in keys]
        bad = [(k, p) for k, p in problems if p]
        if bad:
            key, problem = bad[0]
            report.warnings.append(f"{where}: {binding_id} = {spec!r}: {problem}; ignored")
            continue
        report.keymap[binding_id] = ",".join(keys)

    effective = {a.id: _keys(report.keymap.get(a.id, a.key)) for a in actions}
    remapped = set(report.keymap)
    seen: set[tuple[str, str]] = set()
    for a in actions:
        for b in actions:
            if a.id >= b.id or (a.id, b.id) in seen:
                continue
            if a.id not in remapped and b.id not in remapped:
                continue  # the default table is the team's business, checked by its own test
            shared_keys = effective[a.id] & effective[b.id]
            if not shared_keys:
                continue
            kinds = _overlap(a, b)
            if kinds is None:
                continue
            seen.add((a.id, b.id))
            key = sorted(shared_keys)[0]
            if a.id in remapped and b.id in remapped:
                report.warnings.append(
                    f"keymap conflict: {a.id} and {b.id} are both on '{key}' ({_where(kinds)}); "
                    f"give one of them another key"
                )
            else:
                moved, other = (a, b) if a.id in remapped else (b, a)
                report.warnings.append(
                    f"keymap conflict: {moved.id} is remapped to '{key}', which is already "
                    f"{other.id}'s key ({_where(kinds)}); remap {other.id} too or pick another key"
                )
    for binding_id in report.keymap:
        for key in sorted(effective[binding_id]):
            if key in RESERVED_KEYS:
                report.warnings.append(
                    f"keymap: {binding_id} on '{key}' shadows {RESERVED_KEYS[key]}"
                )
    _cursor_keys(report, preset, cursor, origin, effective)
    return report


def _cursor_keys(report: KeymapReport, preset: Any, cursor: dict[str, str], origin: dict[str, str],
                 effective: dict[str, set[str]]) -> None:
    """Add the preset's and the config's cursor keys to the table bindings, never over an action."""
    taken = {key: action_id for action_id, keys in effective.items() for key in keys}
    for cid, (_binding, default) in CURSOR_BINDINGS.items():
        for key in _keys(default):
            taken.setdefault(key, cid)
    extra: dict[str, list[str]] = {}

    def add(cid: str, key: str, where: str, from_preset: bool) -> None:
        owner = taken.get(key)
        if owner == cid:
            return
        if owner is not None:
            message = (f"{where}: {cid} on '{key}' left out: it is {owner}'s key"
                       + (f" (remap {owner} to free it)" if owner not in CURSOR_BINDINGS else ""))
            (report.notes if from_preset else report.warnings).append(message)
            return
        taken[key] = cid
        extra.setdefault(cid, []).append(key)

    if preset is not None:
        name = str(preset).strip().lower()
        if name not in PRESETS:
            report.warnings.append(f"{origin.get(PRESET_KEY, '[keymap]')}: unknown preset {preset!r} "
                                   f"(presets: {', '.join(PRESETS)}); ignored")
        else:
            for cid, spec in PRESETS[name].items():
                for key in spec.split(","):
                    add(cid, normalize_key(key), f"{name} preset", True)
    for cid, spec in cursor.items():
        where = origin[cid]
        keys = [k.strip() for k in str(spec).split(",") if k.strip()]
        bad = [(k, key_problem(k)) for k in keys if key_problem(k)]
        if not keys or bad:
            problem = bad[0][1] if bad else "no key"
            report.warnings.append(f"{where}: {cid} = {spec!r}: {problem}; ignored")
            continue
        for key in keys:
            add(cid, normalize_key(key), where, False)
    for cid, keys in extra.items():
        binding_id, default = CURSOR_BINDINGS[cid]
        report.keymap[binding_id] = ",".join(dict.fromkeys([*default.split(","), *keys]))


def load_keymap(settings: Any) -> dict[str, str]:
    """The validated keymap for `App.set_keymap` (warnings: see `analyse_keymap`)."""
    return analyse_keymap(settings).keymap


def keymap_notes(settings: Any) -> list[str]:
    """What `config show` adds: the keys a preset could not take, and why."""
    return analyse_keymap(settings).notes


def keymap_warnings(settings: Any) -> list[str]:
    """The start-up warnings about the config keymap (unknown ids, bad keys, conflicts)."""
    return analyse_keymap(settings).warnings


def default_conflicts(actions: Iterable[Action] = ACTIONS) -> list[str]:
    """Pairs of actions that share a default key where both are live (should be none)."""
    actions = tuple(actions)
    out = []
    for i, a in enumerate(actions):
        for b in actions[i + 1:]:
            if _keys(a.key) & _keys(b.key) and _overlap(a, b) is not None:
                out.append(f"{a.id}/{b.id} on '{a.key}'")
    return out


def plugin_key_problems(plugins: Iterable[Any], actions: Iterable[Action] = ACTIONS) -> list[str]:
    """Why a plugin's key cannot be bound (unbindable, an action's or the cursor's key, taken twice)."""
    taken: dict[str, str] = {}
    for a in actions:
        for key in _keys(a.key):
            taken.setdefault(key, f"the {a.id} action's key")
    for cid, (_binding, default) in CURSOR_BINDINGS.items():
        for key in _keys(default):
            taken.setdefault(key, f"the {cid} key")
    for key, what in RESERVED_KEYS.items():
        taken.setdefault(key, f"reserved for {what}")
    problems = []
    for plugin in plugins:
        problem = key_problem(plugin.key)
        if problem or "," in plugin.key:
            problems.append(f"plugin '{plugin.name}': key {plugin.key!r}: {problem or 'one key only'}")
            continue
        key = normalize_key(plugin.key)
        if key in taken:
            problems.append(f"plugin '{plugin.name}': key '{plugin.key}' is {taken[key]}; choose another")
            continue
        taken[key] = f"plugin '{plugin.name}''s key"
    return problems
