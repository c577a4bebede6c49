"""Snapshots of the operation screens over the demo data (manual sim clock, no auto-refresh)."""

from __future__ import annotations

import json

import pytest

from .conftest import SIZE, settle


def _bump_image(app) -> None:
    data = json.loads(app.screen.text)
    data["spec"]["template"]["spec"]["containers"][0]["image"] = "hub.example.com/hero/gamesvr:v2"
    app.screen.set_text(json.dumps(data, indent=2))


SCREENS = {
    # name: (command, cursor key, keys, hook after the keys, keys after the hook)
    "scale_form": ("app hero-prod", "hero-prod/chat", ["s"], None, []),
    "scale_confirm": ("app hero-prod", "hero-prod/chat", ["s", "enter"], None, []),
    "edit_diff_confirm": ("dp hero-test", "hero-test/gamesvr", ["e"], _bump_image, ["ctrl+s"]),
    "signal_form": ("app hero-prod", "hero-prod/chat", ["k"], None, []),
    "rollout_view": ("dp hero-prod", "hero-prod/battle", ["l"], None, []),
}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_operation_snapshot(snap_compare, make_app, name):
    command, key, keys, hook, after = SCREENS[name]
    app = make_app(initial_command=command)

    async def run_before(pilot) -> None:
        await settle(pilot, app)
        assert app.browser.table.move_cursor_to_key(key)
        for k in keys:
            await pilot.press(k)
            await settle(pilot, app)
        if hook is not None:
            hook(app)
            await pilot.pause()
        for k in after:
            await pilot.press(k)
            await settle(pilot, app)
        for widget in app.screen.query("*"):  # a blinking cursor would make the picture random
            if hasattr(widget, "cursor_blink"):
                widget.cursor_blink = False
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
