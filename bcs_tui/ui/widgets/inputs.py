"""Inputs of the console: the `:` command prompt (with completion) and the `/` filter bar."""

from __future__ import annotations

from typing import Callable, Iterable

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input


class CommandSuggester(Suggester):
    """Completes the first word over view names and aliases, the second over what that view takes
    (namespaces and `all`, CRD names, context names), as ghost text accepted with Tab or →."""

    def __init__(self, words: Callable[[], Iterable[str]], arguments: Callable[[str], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._words = words
        self._arguments = arguments

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        head, sep, rest = value.partition(" ")
        if not sep:
            for word in self._words():
                if word.startswith(head.lower()) and word != head.lower():
                    return word
            return None
        if " " in rest.strip():
            return None
        for arg in self._arguments(head):
            if arg.lower().startswith(rest.lower()) and arg.lower() != rest.lower():
                return f"{head} {arg}"
        return None


class CommandInput(Input):
    """The `:` prompt line. Tab accepts the completion."""

    BINDINGS = [Binding("tab", "accept_suggestion", "Complete", show=False, priority=True)]

    def action_accept_suggestion(self) -> None:
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)


class FilterInput(Input):
    """The `/` filter bar: substring (case-insensitive), a regex when it compiles as one and has
    regex characters, `!` in front inverts."""
