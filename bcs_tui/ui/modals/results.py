"""The outcome of a write, one line per target: ok, failed (with the server's message), or
unknown (sent, but no answer came back: a timeout or a dropped connection; it may or may not have been applied; `r` re-reads the objects)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from bcs_tui.api.errors import BcsError
from bcs_tui.ui.textsafe import safe_text

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"


@dataclass
class OpResult:
    target: str
    outcome: str  # OK | FAILED | UNKNOWN
    message: str = ""
    recheck: Callable[[], Awaitable[Any]] | None = None
    detail: list[str] | None = None  # e.g. per-taskgroup failures of a signal


def render_results(results: list[OpResult], limit: int = 1000) -> Text:
    """One line per target, failures and unknowns first (they need attention); at most `limit`
    lines, so a huge bulk action does not stall the screen."""
    out = Text()
    styles = {OK: ("✓", "bold green"), FAILED: ("✗", "bold red"), UNKNOWN: ("?", "bold yellow")}
    ordered = sorted(results, key=lambda r: r.outcome == OK)
    for number, res in enumerate(ordered[:limit]):
        if number:
            out.append("\n")
        mark, style = styles.get(res.outcome, ("?", "bold"))
        out.append(f"{mark} {res.outcome:<8}", style=style)
        out.append(safe_text(res.target), style="bold")
        if res.message:
            out.append("  ")
            out.append(safe_text(res.message))
        for line in res.detail or []:
            out.append("\n      ")
            out.append(safe_text(line), style="red")
    if len(ordered) > limit:
        out.append(f"\n… and {len(ordered) - limit} more: {outcome_counts(ordered[limit:])}", style="bold")
    return out


def outcome_counts(results: list[OpResult]) -> str:
    parts = []
    for outcome in (OK, FAILED, UNKNOWN):
        n = sum(1 for r in results if r.outcome == outcome)
        if n:
            parts.append(f"{n} {outcome}")
    return ", ".join(parts) or "nothing sent"


class ResultsModal(ModalScreen[None]):
    DEFAULT_CSS = """
    ResultsModal { align: center middle; }
    ResultsModal > Vertical {
        width: 90%; max-width: 130; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ResultsModal #results-title { text-style: bold; }
    ResultsModal #results-body { height: auto; max-height: 32; }
    ResultsModal .hint { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        Binding("enter", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
        Binding("r", "recheck", "Re-check", show=False),
    ]

    def __init__(self, title: str, results: list[OpResult]) -> None:
        super().__init__()
        self.title_text = title
        self.results = results

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_text(f"{self.title_text}: {outcome_counts(self.results)}")), id="results-title")
            with VerticalScroll(id="results-body"):
                yield Static(render_results(self.results), id="results-list")
            hint = "Enter / Esc close"
            if any(r.outcome == UNKNOWN and r.recheck for r in self.results):
                hint = ("The outcome of some requests is unknown (sent, but no answer came back): they may or may not have "
                        "been applied. r re-reads them · " + hint)
            yield Label(Text(hint), classes="hint", id="results-hint")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_recheck(self) -> None:
        self._recheck()

    @work(exclusive=True, group="results-recheck")
    async def _recheck(self) -> None:
        for res in self.results:
            if res.outcome != UNKNOWN or res.recheck is None:
                continue
            try:
                found = await res.recheck()
            except (BcsError, ValueError) as exc:  # the re-read failing is itself the answer to show
                res.message = f"re-check failed: {getattr(exc, 'message', None) or exc}"
            else:
                res.message = f"re-checked: {found}" if found else "re-checked: not found"
        self.query_one("#results-list", Static).update(render_results(self.results))
