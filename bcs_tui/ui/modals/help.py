"""`?` help, generated from the action table with the keys as bound now (after the keymap)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bcs_tui.actions import ACTIONS, actions_for
from bcs_tui.resources import ResourceKind, primary_aliases

NAVIGATION = (
    ("↑ ↓ PgUp PgDn g G", "move the cursor"),
    ("ctrl+p", "command palette (views and actions)"),
    ("ctrl+c", "quit (also when typing in a prompt)"),
)


def help_tables(app, kind: ResourceKind | None) -> list[Table]:
    """One table for the current view's actions, one for reading/navigation keys."""
    kind_name = kind.name if kind is not None else "*"
    allowed = {a.id for a in actions_for(kind_name, app.read_only)}
    view = Table(title=f"{kind.title if kind else 'Lists'}: actions", title_justify="left", box=None,
                 show_header=False, padding=(0, 2))
    view.add_column("key", style="bold", no_wrap=True)
    view.add_column("does")
    general = Table(title="Everywhere", title_justify="left", box=None, show_header=False, padding=(0, 2))
    general.add_column("key", style="bold", no_wrap=True)
    general.add_column("does")
    for action in ACTIONS:
        if action.id not in allowed:
            continue
        key = app.key_for(action.id)
        desc = Text(action.description)
        if action.dangerous:
            desc.append("  (writes; asks first)", style="italic")
        target = view if (action.dangerous or "*" not in action.kinds) else general
        target.add_row(key, desc)
    for key, what in NAVIGATION:
        general.add_row(key, what)
    return [view, general]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 110; height: 90%; border: round $primary;
                                  background: $panel; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", show=False),
    ]

    def __init__(self, kind: ResourceKind | None) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for table in help_tables(self.app, self.kind):
                yield Static(table)
                yield Static("")
            ro = "  READ-ONLY: actions that write are hidden." if self.app.read_only else ""
            yield Static(Text(f"Views (type : then one of): {', '.join(primary_aliases())}; "
                              f"add a namespace or 'all' (app prod, tg ns/app).{ro}", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
