"""What a kind declares about its writes: which write operations it has and how each turns a row
(or the marked rows) plus the action's input into planned requests (`bcs_tui.api.request.Request`).

A kind's `writes` maps action ids of `bcs_tui/actions.py` to a `Write`; the action table (and so
the footer, help, palette and read-only hiding) takes each write action's kinds from these
declarations. The UI pipeline (`bcs_tui/ui/operations.py`) collects the input an action needs,
calls `plan`, confirms the planned requests, sends them with `client.send`, reports and refreshes;
it never builds a path.

`plan(client, obj, scope, **input)` returns one `Request` or a list of them; with `whole=True` it
gets the list of targets instead of one object (commands group taskgroups by application).
`editable` (for edit / update_resource) and `manifest` (edit / create) say how a kind's manifest is
loaded and checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from bcs_tui.resources.base import g, object_name, object_namespace


@dataclass(frozen=True)
class WriteScope:
    """Where a write happens: the view's namespace and the object the list was opened from (the
    application of a versions or taskgroup list, the CRD of a custom resource list)."""

    namespace: str | None = None
    parent: Any = None


@dataclass(frozen=True)
class Write:
    plan: Callable[..., Any]
    recheck: str | None = None  # storage kind re-read when the outcome is unknown (a timeout)
    options: tuple[str, ...] = ()  # extra inputs the action's form asks for (delete: "enforce")
    whole: bool = False  # plan gets every target at once
    current: Callable[[Any], int | None] | None = None  # scale: the instance count to start from


@dataclass
class Editable:
    """A manifest to edit: the definition, where it came from, and for applications and
    deployments the live instance count (what an update must send, facts §11.3)."""

    definition: dict
    source: str
    instances: int | None = None
    status: str = ""


@dataclass(frozen=True)
class ManifestSpec:
    """How a kind's manifests are checked in the editor and loaded for an edit."""

    kinds: tuple[str, ...]  # what the manifest's `kind` must be (the driver checks it exactly)
    model: Any = None  # request model (create)
    update_model: Any = None  # request model of an update (default: model)
    namespaced: bool = True
    dots_allowed: bool = False
    template: str = ""  # the create template's name (bcs_tui/ui/templates.py); default the kind name
    load: Callable[[Any, Any, WriteScope], Awaitable[Editable]] | None = None
    mask: bool = False  # secrets: the confirmation shows which values change, not the values
    # update_resource is offered: a resource-only change in place (`?args=resource`)
    resource_only: bool = False
    # resolves the scope's parent before any write (a CRD typed at the prompt -> the CRD object)
    resolve_parent: Callable[[Any, WriteScope], Awaitable[WriteScope]] | None = None


def body_namespace(body: Any) -> str:
    return str(g(g(body, "metadata"), "namespace", default="") or "")


def body_name(body: Any) -> str:
    return str(g(g(body, "metadata"), "name", default="") or "")


def ns_name(obj: Any) -> tuple[str, str]:
    return object_namespace(obj), object_name(obj)


def plan_shell(client: Any, obj: Any, scope: WriteScope, **_: Any) -> Any:
    """A shell is a session, not one request: bcs_tui/ui/shell.py opens it (create_exec, then the
    websocket) and shows the create_exec request in a production confirmation. Declared here so
    the kinds that have a shell say so in one place (footer, help, read-only hiding)."""
    raise TypeError("a shell is opened by the shell session (bcs_tui/ui/shell.py), not planned")


SHELL_WRITES = {"shell": Write(plan_shell)}
SHELL_PICK_WRITES = {"shell_pick": Write(plan_shell)}
