"""The `:` command prompt: parse a command line into a view, with completion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from bcs_tui.resources import (
    KINDS_BY_NAME,
    ResourceKind,
    Scope,
    lookup,
    lookup_special,
    parse_taskgroup_id,
    primary_aliases,
    prompt_words,
)
from bcs_tui.ui.widgets.inputs import CommandInput, CommandSuggester

SPECIAL_WORDS = {"q": "quit", "q!": "quit", "quit": "quit", "exit": "quit", "help": "help", "?": "help", "h": "help"}


class CommandError(ValueError):
    """Input the prompt cannot run; the message says what is valid."""


@dataclass
class ParsedCommand:
    kind: ResourceKind | None = None
    scope: Scope | None = None
    special: str | None = None  # quit, help, cluster, switch_context
    argument: str = ""
    namespace_set: bool = False  # the command named a namespace (or all): it becomes the current one


def _stub(namespace: str, name: str) -> dict[str, Any]:
    """A minimal parent object for a scope typed at the prompt (`tg ns/app`)."""
    return {"metadata": {"name": name, "namespace": namespace}}


def valid_views() -> str:
    return ", ".join(primary_aliases() + ["ctx NAME"])


def parse_command(text: str, app: Any = None) -> ParsedCommand:
    """`kind [argument]`: a kind or alias; for namespaced kinds the argument is a namespace or
    `all`; `tg NS/APP` and `versions NS/APP` name an application, `co TASKGROUP-ID` a taskgroup,
    `cr CRD-NAME` a CRD, `ctx NAME` switches context."""
    words = text.strip().lstrip(":").split()
    if not words:
        raise CommandError(f"type a view: {valid_views()}")
    # User aliases from the config file ([aliases] a = "app prod") expand once.
    aliases = getattr(getattr(app, "settings", None), "aliases", None) or {}
    if words[0] in aliases:
        words = str(aliases[words[0]]).split() + words[1:]
    head = words[0].lower().lstrip(":")
    args = words[1:]
    if head in SPECIAL_WORDS and not args:
        return ParsedCommand(special=SPECIAL_WORDS[head])
    special = lookup_special(head)
    if special:
        return ParsedCommand(special=special)
    kind = lookup(head)
    if kind is None:
        raise CommandError(f"unknown view {words[0]!r}; valid: {valid_views()}")
    if len(args) > 1 and kind.name not in ("customresources",):
        raise CommandError(f"{head} takes at most one argument, got {' '.join(args)!r}")
    arg = args[0] if args else ""
    current_ns = getattr(app, "namespace", None)

    if kind.name == "contexts":
        if arg:
            return ParsedCommand(special="switch_context", argument=arg)
        return ParsedCommand(kind=kind, scope=Scope())

    if kind.name in ("taskgroups", "versions") and "/" in arg:
        ns, _, app_name = arg.partition("/")
        if not ns or not app_name:
            raise CommandError(f"{head} NAMESPACE/APPLICATION, e.g. {head} defaultGroup/web")
        return ParsedCommand(kind=kind, scope=Scope(namespace=ns, parent_kind="applications",
                                                    parent=_stub(ns, app_name), label=arg))
    if kind.name == "versions":
        raise CommandError("versions of which application? versions NAMESPACE/APPLICATION "
                           "(or v on an application)")
    if kind.name == "containers":
        if not arg:
            raise CommandError("containers of which taskgroup? co TASKGROUP-ID (or Enter on a taskgroup)")
        parts = parse_taskgroup_id(arg)
        if not parts:
            raise CommandError(f"{arg!r} is not a taskgroup ID (index.app.namespace.cluster.stamp)")
        return ParsedCommand(kind=kind, scope=Scope(namespace=parts["namespace"], parent_kind="taskgroups",
                                                    parent={"ID": arg, "metadata": {"name": arg,
                                                            "namespace": parts["namespace"]}},
                                                    label=f"{parts['app']}-{parts['index']}"))
    if kind.name == "customresources":
        if not arg:
            raise CommandError("custom resources of which CRD? cr CRD-NAME [NAMESPACE] (or Enter on a CRD in :crd)")
        ns = args[1] if len(args) > 1 and args[1] != "all" else None
        return ParsedCommand(kind=kind, scope=Scope(namespace=ns, parent_kind="crds", parent=arg, label=arg))
    if kind.needs_parent:
        raise CommandError(f"{head} is opened from {kind.needs_parent}: Enter on one")

    if kind.namespaced:
        if arg:
            ns = None if arg.lower() in ("all", "-a", "*") else arg
            return ParsedCommand(kind=kind, scope=Scope(namespace=ns), namespace_set=True)
        return ParsedCommand(kind=kind, scope=Scope(namespace=current_ns))
    if arg:
        raise CommandError(f"{head} is not namespaced and takes no argument")
    return ParsedCommand(kind=kind, scope=Scope())


def argument_candidates(app: Any, head: str) -> list[str]:
    """What may follow `head` at the prompt, for completion."""
    kind = lookup(head)
    if kind is None:
        return []
    if kind.name == "contexts":
        return [str(getattr(c, "name", "")) for c in app._contexts()] if app is not None else []
    if kind.namespaced:
        return ["all"] + list(getattr(app, "namespaces", []) or [])
    return []


class PromptScreen(ModalScreen[str | None]):
    """A one-line prompt at the bottom; Enter runs, Esc cancels."""

    DEFAULT_CSS = """
    PromptScreen { align: center bottom; background: $background 0%; }
    PromptScreen > Vertical { height: auto; width: 1fr; background: $panel; border-top: solid $primary; }
    PromptScreen #prompt-help { color: $text-muted; height: auto; padding: 0 1; }
    PromptScreen CommandInput, PromptScreen CommandInput:focus { border: none; height: 1; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("up", "history(-1)", "Previous command", show=False),
        Binding("down", "history(1)", "Next command", show=False),
    ]

    def __init__(self, history: list[str] | None = None) -> None:
        super().__init__()
        self.history = history if history is not None else []
        self._pos = len(self.history)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"views: {valid_views()}   (Tab completes, Enter opens, Esc cancels)", id="prompt-help")
            yield CommandInput(
                placeholder="app NAMESPACE | app all | tg NS/APP | agent | dp | cluster …",
                suggester=CommandSuggester(prompt_words, lambda head: argument_candidates(self.app, head)),
                id="command-input",
            )

    def on_mount(self) -> None:
        self.query_one(CommandInput).focus()

    def on_input_submitted(self, event: CommandInput.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
            del self.history[:-50]
        self.dismiss(event.value)

    def action_history(self, step: int) -> None:
        """Up/Down walk through the commands typed before (newest first with Up)."""
        if not self.history:
            return
        self._pos = max(0, min(len(self.history), self._pos + step))
        field = self.query_one(CommandInput)
        field.value = self.history[self._pos] if self._pos < len(self.history) else ""
        field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["CommandError", "ParsedCommand", "PromptScreen", "parse_command", "argument_candidates", "KINDS_BY_NAME"]
