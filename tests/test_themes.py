"""Themes: every packaged TOML theme loads into a valid Textual theme with every console variable;
bad files give one clear message; the palette switches themes; the default survives 16 colours."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import Theme
from textual.widgets import Label

from bcs_tui.ui.themes import (
    CONSOLE_DEFAULTS_DARK,
    CONSOLE_DEFAULTS_LIGHT,
    CONSOLE_VARIABLES,
    DEFAULT_THEME,
    REQUIRED_FIELDS,
    ThemeCommands,
    install_themes,
    load_themes,
    packaged_themes_dir,
    theme_from_toml,
)

THEMES_DIR = Path(__file__).resolve().parents[1] / "themes"
THEME_FILES = sorted(THEMES_DIR.glob("*.toml"))


def test_at_least_five_packaged_themes():
    assert len(THEME_FILES) >= 5
    assert packaged_themes_dir() == THEMES_DIR


@pytest.mark.parametrize("path", THEME_FILES, ids=lambda p: p.stem)
def test_packaged_theme_is_complete_and_valid(path):
    raw = tomllib.loads(path.read_text())
    for key in REQUIRED_FIELDS:
        assert key in raw, f"{path.name} lacks {key}"
    for key in CONSOLE_VARIABLES:
        assert key in raw["variables"], f"{path.name} lacks variable {key}"
    theme = theme_from_toml(path, strict=True)
    assert isinstance(theme, Theme) and theme.name == path.stem
    for key in CONSOLE_VARIABLES:
        Color.parse(theme.variables[key])
    # Textual can turn it into its full set of CSS variables.
    assert "primary" in theme.to_color_system().generate()


def test_the_expected_kinds_of_theme_exist():
    themes, errors = load_themes()
    assert errors == []
    assert DEFAULT_THEME == "bcs-dark" and themes["bcs-dark"].dark
    assert not themes["bcs-light"].dark
    assert themes["bcs-ansi"].ansi
    assert themes["bcs-high-contrast"].background == "#000000"
    assert len({t.name for t in themes.values()}) == len(THEME_FILES)


def test_console_defaults_match_the_dark_and_light_themes():
    themes, _ = load_themes()
    assert {k: themes["bcs-dark"].variables[k] for k in CONSOLE_VARIABLES} == CONSOLE_DEFAULTS_DARK
    assert {k: themes["bcs-light"].variables[k] for k in CONSOLE_VARIABLES} == CONSOLE_DEFAULTS_LIGHT


@pytest.mark.parametrize("system", [ColorSystem.STANDARD, ColorSystem.EIGHT_BIT], ids=["16", "256"])
def test_default_theme_stays_readable_when_colours_are_reduced(system):
    """What Rich sends to a 16 / 256 colour terminal: statuses stay apart from each other and
    from the background, and the banner and cursor text stay apart from their backgrounds."""
    theme, _ = load_themes()
    dark = theme[DEFAULT_THEME]

    def down(value: str) -> int:
        return RichColor.parse(value).downgrade(system).number

    background = down(dark.background)
    statuses = [f"status-{s}" for s in ("running", "failed", "warning", "pending", "unknown", "disabled")]
    numbers = [down(dark.variables[s]) for s in statuses]
    assert len(set(numbers)) == len(numbers), dict(zip(statuses, numbers))
    assert background not in numbers
    assert down(dark.foreground) != background
    assert down(dark.foreground) != down(dark.variables["status-failed"])
    assert down(dark.variables["banner-production"]) != down(dark.variables["banner-production-text"])
    assert down(dark.variables["block-cursor-background"]) != down(dark.variables["block-cursor-foreground"])
    assert down(dark.variables["stale"]) != background


# --------------------------------------------------------------------------- user themes


def test_user_theme_needs_only_primary_and_gets_console_defaults(tmp_path):
    (tmp_path / "ocean.toml").write_text('primary = "#0087af"\ndark = false\n')
    themes, errors = load_themes(tmp_path)
    assert errors == []
    ocean = themes["ocean"]
    assert ocean.primary == "#0087af" and not ocean.dark
    assert {k: ocean.variables[k] for k in CONSOLE_VARIABLES} == CONSOLE_DEFAULTS_LIGHT
    assert "bcs-dark" in themes  # packaged ones still there


def test_user_theme_overrides_a_packaged_one(tmp_path):
    (tmp_path / "x.toml").write_text(
        'name = "bcs-dark"\nprimary = "#ff0000"\n[variables]\nstatus-failed = "#ff00ff"\n'
    )
    themes, errors = load_themes(tmp_path)
    assert errors == []
    assert themes["bcs-dark"].primary == "#ff0000"
    assert themes["bcs-dark"].variables["status-failed"] == "#ff00ff"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("primary = \n", "invalid TOML"),
        ('primary = "blurple"\n', "'primary' = 'blurple' is not a colour"),
        ('primary = 3\n', "'primary' must be a colour string"),
        ('secondary = "#000000"\n', "missing primary"),
        ('primary = "#000000"\nprimry = "#111111"\n', "unknown key 'primry' (did you mean 'primary'?)"),
        ('primary = "#000000"\ndark = "yes"\n', "'dark' must be true or false"),
        ('primary = "#000000"\ntext_alpha = 7\n', "'text_alpha' must be a number from 0 to 1"),
        ('primary = "#000000"\nvariables = 1\n', "[variables] must be a table"),
        ('primary = "#000000"\n[variables]\nstatus-failed = "nope"\n', "'variables.status-failed' = 'nope' is not a colour"),
        ('name = "two words"\nprimary = "#000000"\n', "'name' must be a non-empty word"),
    ],
)
def test_bad_user_theme_gives_one_message_and_is_skipped(tmp_path, text, expected):
    bad = tmp_path / "broken.toml"
    bad.write_text(text)
    (tmp_path / "good.toml").write_text('primary = "#00ff00"\n')
    themes, errors = load_themes(tmp_path)
    assert len(errors) == 1
    assert expected in errors[0] and str(bad) in errors[0] and "\n" not in errors[0]
    assert "good" in themes and "broken" not in themes and DEFAULT_THEME in themes


def test_missing_user_dir_is_fine(tmp_path):
    themes, errors = load_themes(tmp_path / "nope")
    assert errors == [] and DEFAULT_THEME in themes


def test_packaged_theme_missing_a_console_variable_is_rejected_in_strict_mode(tmp_path):
    text = (THEMES_DIR / "bcs-dark.toml").read_text().replace('stale = "#d7af00"\n', "")
    path = tmp_path / "bcs-dark.toml"
    path.write_text(text)
    with pytest.raises(Exception, match="missing console variable 'stale'"):
        theme_from_toml(path, strict=True)


# --------------------------------------------------------------------------- in an app


class ThemedApp(App):
    COMMANDS = {ThemeCommands}
    CSS = "#failed { color: $status-failed; } #banner { background: $banner-production; }"

    def __init__(self, theme: str | None, user_dir: Path | None = None) -> None:
        super().__init__()
        self.theme_warnings = install_themes(self, theme, user_dir)

    def compose(self) -> ComposeResult:
        yield Label("FAILED", id="failed")
        yield Label("PRODUCTION", id="banner")


async def test_theme_variables_reach_the_css():
    app = ThemedApp("bcs-light")
    async with app.run_test(size=(40, 6)):
        assert app.theme == "bcs-light" and app.theme_warnings == []
        assert app.query_one("#failed").styles.color == Color.parse(CONSOLE_DEFAULTS_LIGHT["status-failed"])
        assert app.query_one("#banner").styles.background == Color.parse(CONSOLE_DEFAULTS_LIGHT["banner-production"])


async def test_every_packaged_theme_renders(tmp_path):
    themes, _ = load_themes()
    app = ThemedApp(DEFAULT_THEME)
    async with app.run_test(size=(40, 6)) as pilot:
        for name in themes:
            app.theme = name
            await pilot.pause()
            assert app.query_one("#failed").styles.color == Color.parse(themes[name].variables["status-failed"])


async def test_unknown_theme_falls_back_to_the_default_with_a_warning():
    app = ThemedApp("no-such-theme")
    async with app.run_test(size=(40, 6)):
        assert app.theme == DEFAULT_THEME
        assert app.theme_warnings == [f"theme 'no-such-theme' not found; using {DEFAULT_THEME}"]


async def test_palette_switches_theme():
    app = ThemedApp(DEFAULT_THEME)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"bcsnord")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "bcs-nord"


class EmptyCluster:
    """A client stand-in whose every read returns nothing: enough for the app to mount."""

    server = "http://sim"
    cluster_id = "BCS-MESOS-10001"

    def __getattr__(self, name: str):
        async def call(*args, **kwargs):
            return []

        return call

    async def storage_watch(self, *args, **kwargs):  # a stream that ends at once: the feed polls
        return
        yield

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("path", THEME_FILES, ids=lambda p: p.stem)
async def test_bcs_app_runs_with_every_theme(path, tmp_path, monkeypatch):
    """The console's real stylesheet resolves against every packaged theme."""
    from bcs_tui.config import demo_settings, paths
    from bcs_tui.ui.app import BcsApp

    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    settings = demo_settings(run_paths=paths(), theme=path.stem, refresh=3600.0)
    app = BcsApp(settings, client=EmptyCluster())
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert app.theme == path.stem
        assert app.get_css_variables()["status-failed"] == theme_from_toml(path).variables["status-failed"]
