"""Snapshots of the main views with the demo data: fixed seed, manual sim clock (ages), no
auto-refresh, workers awaited before the picture is taken."""

from __future__ import annotations

import pytest

from .conftest import SIZE, settle

VIEWS = {
    "applications": ("app all", []),
    "namespaces": ("ns", []),
    "taskgroups": ("tg all", []),
    "deployments": ("dp all", []),
    "agents": ("agent", []),
    "offers": ("offer", []),
    "configmaps": ("cm all", []),
    "overview": ("cluster", []),
    "containers": ("app all", ["enter", "enter"]),
    "describe": ("app all", ["d"]),
    "help": ("app all", ["question_mark"]),
    "faults_only": ("app all", ["f"]),
}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_view_snapshot(snap_compare, make_app, view):
    command, keys = VIEWS[view]
    app = make_app(initial_command=command)

    async def run_before(pilot) -> None:
        await settle(pilot, app)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_production_read_only_snapshot(snap_compare, make_app):
    """The production banner and the read-only badge; write actions gone from the footer."""
    app = make_app(initial_command="dp all", production=True, read_only=True)

    async def run_before(pilot) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
