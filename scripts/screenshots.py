"""Regenerate the README screenshots and its key tables: the real BcsApp against the demo simulator.

    uv run python scripts/screenshots.py                 # every shot into screenshots/ + README tables
    uv run python scripts/screenshots.py rollout help    # only these shots
    uv run python scripts/screenshots.py --list
    uv run python scripts/screenshots.py --readme-only   # only the key and view tables in README.md
    uv run python scripts/screenshots.py --check         # exit 1 when README's tables are out of date

The key and view tables between the `<!-- generated:... -->` markers in README.md are written from
bcs_tui/actions.py and the resource registry, so the README says what the code binds.

Each shot runs a fresh app in Textual's headless test mode (`run_test`, 140x42) wired to a
`SimCluster(seed=0, scale="demo")` on a manual clock, through httpx.ASGITransport (no socket, so
the server URL and the picture do not depend on a free port). Keys are pressed like a user would;
workers are awaited and cursor blinking is switched off before the picture is taken, so the same
code gives the same SVGs. Writes (the command, the edit) go to the simulator only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from bcs_tui.api.client import BcsClient  # noqa: E402
from bcs_tui.config import DEMO_CLUSTER_ID, DEMO_CONTEXT, Context, Paths, Settings  # noqa: E402
from bcs_tui.sim.clock import SimClock  # noqa: E402
from bcs_tui.sim.cluster import SimCluster  # noqa: E402
from bcs_tui.sim.server import create_app  # noqa: E402
from bcs_tui.ui.app import BcsApp  # noqa: E402

SIZE = (140, 42)
OUT_DIR = ROOT / "screenshots"
# What the header shows as the server: the address `bcs-tui sim` listens on by default.
SHOWN_SERVER = "http://127.0.0.1:8899"


@dataclass
class Shot:
    name: str
    title: str
    command: str  # the `--command` the app starts with
    steps: Callable[["Session"], Awaitable[None]] | None = None
    read_only: bool = False
    production: bool = False


class Session:
    """One app run: the pilot, the app and the simulated cluster behind it."""

    def __init__(self, pilot, app: BcsApp, cluster: SimCluster) -> None:
        self.pilot, self.app, self.cluster = pilot, app, cluster

    async def settle(self) -> None:
        """Wait for view loads (an operation worker may be waiting on a modal: not that one)."""
        for _ in range(4):
            await self.pilot.pause()
            busy = [w for w in self.app.workers if w.group != "operations" and not w.is_finished]
            if busy:
                await asyncio.wait([asyncio.ensure_future(w.wait()) for w in busy], timeout=10)
        await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            await self.settle()

    async def goto_row(self, key: str) -> None:
        table = self.app.browser.table
        if not table.move_cursor_to_key(key):
            raise SystemExit(f"screenshots: no row {key!r} in {self.app.browser.state.kind.name}")
        await self.pilot.pause()

    def expect(self, screen_class: str) -> None:
        if type(self.app.screen).__name__ != screen_class:
            raise SystemExit(f"screenshots: expected {screen_class}, got {type(self.app.screen).__name__}")


# --------------------------------------------------------------------------------------------- shots


async def _rollout(s: Session) -> None:
    # hero-prod/battle is the demo's manual rolling update, paused after its first step.
    await s.goto_row("hero-prod/battle")
    await s.press("l")
    s.expect("RolloutScreen")


async def _command_output(s: Session) -> None:
    await s.goto_row("hero-prod/chat")
    await s.press("x")
    s.expect("FormModal")
    form = s.app.screen
    form.query_one("#field-command").value = "ps -ef | grep chat"
    form.query_one("#field-shell").value = True
    await s.press("ctrl+s")
    s.expect("ConfirmModal")
    await s.press("y")
    # Wait for the operation to hand over to the output pane, then let the commands finish.
    for _ in range(20):
        if type(s.app.screen).__name__ == "CommandOutputScreen":
            break
        await asyncio.sleep(0.05)
        await s.settle()
    s.expect("CommandOutputScreen")
    s.cluster.advance(10)
    s.app.screen.refresh_now()
    await s.settle()


async def _manifest_diff(s: Session) -> None:
    await s.goto_row("hero-prod/chat")
    await s.press("e")
    s.expect("ManifestEditor")
    editor = s.app.screen
    data = json.loads(editor.text)
    container = data["spec"]["template"]["spec"]["containers"][0]
    image, _, _tag = container["image"].rpartition(":")
    container["image"] = f"{image}:1.9.0"
    container["resources"]["limits"]["memory"] = "2048"
    editor.set_text(json.dumps(data, indent=2))
    await s.press("ctrl+s")
    s.expect("ConfirmModal")


async def _help(s: Session) -> None:
    await s.press("question_mark")
    s.expect("HelpScreen")


async def _faults(s: Session) -> None:
    await s.press("f")


async def _describe(s: Session) -> None:
    await s.goto_row("hero-prod/gamesvr")
    await s.press("d")
    s.expect("DescribeScreen")


async def _containers(s: Session) -> None:
    # Drill: application -> its taskgroups -> the containers of the first one.
    await s.goto_row("hero-prod/gamesvr")
    await s.press("enter", "enter")


async def _prompt(s: Session) -> None:
    await s.press("colon")
    s.app.screen.query_one("#command-input").value = "tg hero"
    await s.pilot.pause()


SHOTS = [
    Shot("overview", "Cluster overview", "cluster"),
    Shot("applications", "Applications (abnormal ones in red)", "app all"),
    Shot("faults", "Faults only (f)", "app all", _faults),
    Shot("taskgroups", "Taskgroups", "tg hero-prod"),
    Shot("containers", "Drill down: application -> taskgroup -> containers", "app hero-prod", _containers),
    Shot("deployments", "Deployments", "dp all"),
    Shot("rollout", "Deployment rollout view (l)", "dp hero-prod", _rollout),
    Shot("agents", "Agents", "agent"),
    Shot("offers", "Offers", "offer"),
    Shot("command-output", "Command output pane (x)", "app hero-prod", _command_output),
    Shot("manifest-diff", "Manifest edit: diff and the exact request (e)", "app hero-prod", _manifest_diff),
    Shot("describe", "Describe (d)", "app hero-prod", _describe),
    Shot("prompt", "The : prompt", "app all", _prompt),
    Shot("help", "Help (?) from the action table", "app hero-prod", _help),
    Shot("production-readonly", "A production, read-only context", "app hero-prod",
         read_only=True, production=True),
]

# --------------------------------------------------------------------------------------------- README tables

README = ROOT / "README.md"
KEY_NAMES = {"colon": ":", "slash": "/", "question_mark": "?", "escape": "Esc", "enter": "Enter",
             "space": "Space", "tab": "Tab", "exclamation_mark": "!"}


def key_label(key: str) -> str:
    """A Textual key name as people write it: `question_mark` -> `?`, `ctrl+r` -> `Ctrl+R`."""
    labels = []
    for one in key.split(","):
        parts = one.strip().split("+")
        base = KEY_NAMES.get(parts[-1], parts[-1])
        mods = [m.capitalize() for m in parts[:-1]]
        if mods and len(base) == 1:
            base = base.upper()
        labels.append("+".join(mods + [base]))
    return " / ".join(labels)


def _where(kinds: tuple[str, ...]) -> str:
    from bcs_tui.resources import KINDS_BY_NAME

    if "*" in kinds:
        return "every list"
    names = []
    for k in kinds:
        kind = KINDS_BY_NAME.get(k)
        names.append(kind.title if kind else f"{k} view")
    return ", ".join(names)


def key_table() -> str:
    """The action table as markdown, in declaration order."""
    from bcs_tui.actions import ACTIONS

    lines = ["| key | action id | does | where | writes |", "|---|---|---|---|---|"]
    for a in ACTIONS:
        key = key_label(a.key).replace("|", "\\|")
        writes = "yes" + (", marks" if a.bulk else "") if a.dangerous else ""
        lines.append(f"| `{key}` | `{a.id}` | {a.description} | {_where(a.kinds)} | {writes} |")
    return "\n".join(lines)


PARENT_ARGUMENT = {  # what `parse_command` takes for lists that live under a parent
    "taskgroups": "`TASKGROUP-ID` (or Enter on a taskgroup)",
    "applications": "`NAMESPACE/APP` (or `v` / Enter on an application)",
    "crds": "`CRD-NAME` (or Enter on a CRD)",
}


def views_table() -> str:
    """The `:` views from the resource registry."""
    from bcs_tui.resources import KINDS

    lines = ["| type | or | view | argument |", "|---|---|---|---|"]
    for kind in KINDS:
        first, *rest = kind.aliases or (kind.name,)
        if kind.needs_parent:
            arg = PARENT_ARGUMENT.get(kind.needs_parent, f"a {kind.needs_parent} parent")
        elif kind.name == "contexts":
            arg = "`NAME` switches to that context"
        elif kind.namespaced:
            arg = "`NAMESPACE` or `all` (default: the current namespace)"
        else:
            arg = "none (cluster-wide)"
        if kind.name == "taskgroups":
            arg += "; `NAMESPACE/APP` for one application"
        lines.append(f"| `{first}` | {', '.join(f'`{a}`' for a in rest)} | {kind.title} | {arg} |")
    lines.append("| `cluster` | | Cluster overview (resources, masters, schedulers, abnormal applications) "
                 "| none |")
    return "\n".join(lines)


def _replace_block(text: str, name: str, body: str) -> str:
    start, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
    head, sep, rest = text.partition(start)
    if not sep or end not in rest:
        raise SystemExit(f"screenshots: README.md has no {start} ... {end} block")
    _old, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def readme_with_tables(text: str) -> str:
    text = _replace_block(text, "keys", key_table())
    return _replace_block(text, "views", views_table())


# --------------------------------------------------------------------------------------------- runner


def _settings(shot: Shot, home: Path) -> Settings:
    name = "prod-sh" if shot.production else DEMO_CONTEXT
    ctx = Context(name=name, server=SHOWN_SERVER, cluster_id=DEMO_CLUSTER_ID,
                  read_only=shot.read_only, production=shot.production)
    # A private config/state dir: the user's own themes and keymap must not change the pictures.
    run_paths = Paths(config_file=home / "config.toml", config_dir=home, themes_dir=home / "themes",
                      state_dir=home / "state", audit_file=home / "state" / "audit.jsonl")
    return Settings(context=ctx, demo=not shot.production, initial_command=shot.command,
                    paths=run_paths, refresh=0.0, contexts={name: ctx})


async def take(shot: Shot, out_dir: Path, home: Path) -> Path:
    cluster = SimCluster(seed=0, scale="demo", clock=SimClock(manual=True))
    settings = _settings(shot, home)
    client = BcsClient(SHOWN_SERVER, cluster.cluster_id, None, read_only=settings.read_only,
                       transport=httpx.ASGITransport(app=create_app(cluster)), get_retries=0)
    app = BcsApp(settings, client=client, now=cluster.clock.now)
    path = out_dir / f"{shot.name}.svg"
    try:
        async with app.run_test(size=SIZE) as pilot:
            session = Session(pilot, app, cluster)
            await session.settle()
            if shot.steps is not None:
                await shot.steps(session)
            await session.settle()
            _stop_blinking(app)
            await pilot.pause()
            svg = app.export_screenshot(title=f"bcs-tui: {shot.title}")
    finally:
        await client.aclose()
    path.write_text(svg, encoding="utf-8")
    return path


def _stop_blinking(app: BcsApp) -> None:
    """Inputs and editors blink their cursor on a timer: freeze it (shown when focused)."""
    for widget in app.screen.walk_children():
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the README screenshots (SVG).")
    parser.add_argument("names", nargs="*", help="shots to take (default: all; --list names them)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"output directory (default {OUT_DIR})")
    parser.add_argument("--list", action="store_true", help="list the shots and exit")
    parser.add_argument("--readme-only", action="store_true", help="only rewrite README.md's generated tables")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if README.md's generated tables differ from the code (writes nothing)")
    args = parser.parse_args(argv)
    if args.check:
        current = README.read_text(encoding="utf-8")
        if readme_with_tables(current) != current:
            print("README.md: the key/view tables are out of date; run scripts/screenshots.py --readme-only")
            return 1
        print("README.md tables match bcs_tui/actions.py and the registry")
        return 0
    if README.exists():
        current = README.read_text(encoding="utf-8")
        updated = readme_with_tables(current)
        if updated != current:
            README.write_text(updated, encoding="utf-8")
            print("updated the README.md key and view tables")
    if args.readme_only:
        return 0
    if args.list:
        for shot in SHOTS:
            print(f"{shot.name:<20} {shot.title}")
        return 0
    by_name = {s.name: s for s in SHOTS}
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        parser.error(f"unknown shot(s): {', '.join(unknown)} (see --list)")
    chosen = [by_name[n] for n in args.names] if args.names else SHOTS
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bcs-tui-shots-") as home:
        for shot in chosen:
            path = asyncio.run(take(shot, args.out, Path(home)))
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
