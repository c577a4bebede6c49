"""The only place bcs-tui reaches into Textual's private API (Textual 8.2; pyproject pins <9).

Each helper says what it uses and why there is no public way. On a Textual upgrade, check these
first: if one breaks, ResourceTable falls back to its public (slower) path only where noted.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget


def scrollbars_exist(widget: Widget) -> tuple[bool, bool]:
    """Whether the (vertical, horizontal) scrollbar widgets exist yet.

    The public `Widget.vertical_scrollbar` / `horizontal_scrollbar` create the scrollbar when it
    is missing, and one created inside a worker keeps that worker's context alive; Textual 8.2
    has no public "does it exist" (the private `_vertical_scrollbar` / `_horizontal_scrollbar`).
    """
    return widget._vertical_scrollbar is not None, widget._horizontal_scrollbar is not None


def update_scrollbars(widget: Widget, virtual_size: Size) -> None:
    """Resize the existing scrollbars for a new virtual size, without a screen layout.

    Assigning `virtual_size` (public) re-lays out the whole screen; Textual 8.2's layout calls
    the private `Widget._scroll_update` for the same scrollbar update, which is all a table
    whose own height is fixed by CSS needs (about a frame saved per filter keystroke).
    """
    widget._scroll_update(virtual_size)
