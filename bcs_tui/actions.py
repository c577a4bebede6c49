"""The action table: every user action declared once.

The footer, the `?` help, the command palette, read-only hiding and key remapping are all
generated from ACTIONS. A screen binds each action's key with the action's id as the
Binding id, so `App.set_keymap({"scale": "S"})` remaps it.

`kinds` names ResourceKind.name values (see bcs_tui/resources/); `("*",)` means every list.
`dangerous` actions write to the cluster: hidden and refused in read-only mode, always confirmed.
A write action's kinds are not listed here: they are the kinds whose declaration has that write
(`ResourceKind.writes`, bcs_tui/resources/writes.py), so a writable kind is declared in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bcs_tui.resources import KINDS


@dataclass(frozen=True)
class Action:
    id: str
    key: str
    description: str
    kinds: tuple[str, ...]
    dangerous: bool = False
    bulk: bool = False
    show: bool = True  # shown in the footer (all actions are in `?` help and the palette)


LISTS = ("*",)
WRITERS: tuple[str, ...] = ()  # a write action: its kinds come from the kinds' write declarations

_DECLARED: tuple[Action, ...] = (
    # Navigation and reading (never write).
    Action("command_prompt", "colon", "Command prompt (:app ns, :tg, :agent ...)", LISTS),
    Action("filter", "slash", "Filter rows (substring, regex, ! inverts)", LISTS),
    Action("describe", "d", "Describe the live object as JSON", LISTS),
    Action("describe_alt", "y", "Describe (YAML-style alias of d)", LISTS, show=False),
    Action("drill", "enter", "Open / drill down", LISTS, show=False),
    Action("back", "escape", "Back / clear filter", LISTS, show=False),
    Action("mark", "space", "Mark row for bulk actions", LISTS, show=False),
    Action("refresh", "ctrl+r", "Refresh now", LISTS, show=False),
    Action("faults", "f", "Toggle faults only (rows in a bad status)", LISTS),
    Action("sort", "o", "Sort by next column (O reverses)", LISTS, show=False),
    Action("sort_reverse", "O", "Reverse the sort", LISTS, show=False),
    Action("copy", "w", "Copy name / ID / JSON to the clipboard (OSC 52)", LISTS, show=False),
    Action("export", "ctrl+o", "Export the rows shown to a CSV or JSON file", LISTS, show=False),
    Action("versions", "v", "List versions of the application", ("applications", "processes")),
    Action("rollout_view", "l", "Follow the rollout live", ("deployments",)),
    Action("reveal", "ctrl+v", "Reveal / mask secret values", ("secrets",)),
    Action("help", "question_mark", "Help", LISTS),
    Action("quit", "q", "Quit", LISTS, show=False),
    # Writes (their kinds: the kinds that declare them).
    Action("scale", "s", "Scale instances", WRITERS, dangerous=True, bulk=True),
    Action("edit", "e", "Edit the manifest (validate, diff, apply)", WRITERS, dangerous=True),
    Action("update_resource", "ctrl+u", "Update resources in place (args=resource)", WRITERS, dangerous=True),
    Action("create", "c", "Create from a template", WRITERS, dangerous=True),
    Action("pause", "p", "Pause the rolling update", WRITERS, dangerous=True, bulk=True),
    Action("resume", "r", "Resume the rolling update", WRITERS, dangerous=True, bulk=True),
    Action("cancel", "C", "Cancel the rolling update", WRITERS, dangerous=True, bulk=True),
    Action("rollback", "b", "Roll back to a version", WRITERS, dangerous=True),
    Action("signal", "k", "Send a signal to a process", WRITERS, dangerous=True, bulk=True),
    Action("exec", "x", "Run a command in the containers", WRITERS, dangerous=True, bulk=True),
    # A shell is a write (what is typed runs in the container); its session is bcs_tui/ui/shell.py.
    Action("shell", "s", "Shell in the container (Enter ~ . detaches)", WRITERS, dangerous=True),
    Action("shell_pick", "exclamation_mark", "Shell: pick a taskgroup and container", WRITERS, dangerous=True),
    Action("reschedule", "R", "Reschedule the taskgroup", WRITERS, dangerous=True, bulk=True),
    Action("commit_image", "i", "Commit the taskgroup's image", WRITERS, dangerous=True),
    Action("restart", "T", "Restart the tasks of a process taskgroup", WRITERS, dangerous=True, bulk=True),
    Action("reload", "L", "Reload the tasks of a process taskgroup", WRITERS, dangerous=True, bulk=True),
    Action("taint", "t", "Set taints (key=value lines, replaces)", WRITERS, dangerous=True, bulk=True),
    Action("disable_agent", "c", "Disable scheduling on the agent", WRITERS, dangerous=True, bulk=True),
    Action("enable_agent", "u", "Enable scheduling on the agent", WRITERS, dangerous=True, bulk=True),
    Action("set_attributes", "a", "Set agent attributes (strings / scalars)", WRITERS, dangerous=True, bulk=True),
    Action("delete", "ctrl+d", "Delete (confirm; typed name for bulk or enforce)", WRITERS, dangerous=True, bulk=True),
)


def _with_writers(action: Action) -> Action:
    if not action.dangerous:
        return action
    kinds = tuple(k.name for k in KINDS if action.id in k.writes)
    return replace(action, kinds=kinds)


ACTIONS = tuple(_with_writers(a) for a in _DECLARED)

_UNKNOWN_WRITES = sorted({w for k in KINDS for w in k.writes} - {a.id for a in ACTIONS if a.dangerous})
if _UNKNOWN_WRITES:  # a kind declares a write the table has no key for
    raise RuntimeError(f"kinds declare writes with no action: {', '.join(_UNKNOWN_WRITES)}")

ACTIONS_BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}


def actions_for(kind: str, read_only: bool = False) -> list[Action]:
    """The actions that apply to a list of `kind`; writes are left out when read-only."""
    out = []
    for action in ACTIONS:
        if "*" not in action.kinds and kind not in action.kinds:
            continue
        if read_only and action.dangerous:
            continue
        out.append(action)
    return out
