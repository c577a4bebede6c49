"""The registry: every kind, and lookup by name or alias for the `:` prompt."""

from __future__ import annotations


from bcs_tui.resources.agents import AGENTS
from bcs_tui.resources.applications import APPLICATIONS, PROCESSES
from bcs_tui.resources.base import ResourceKind
from bcs_tui.resources.commands import COMMANDS
from bcs_tui.resources.configs import CONFIGMAPS, SECRETS, SERVICES
from bcs_tui.resources.containers import CONTAINERS
from bcs_tui.resources.contexts import CONTEXTS
from bcs_tui.resources.crds import CRDS, CUSTOM_RESOURCES
from bcs_tui.resources.deployments import DEPLOYMENTS
from bcs_tui.resources.namespaces import NAMESPACES
from bcs_tui.resources.offers import OFFERS
from bcs_tui.resources.taskgroups import TASKGROUPS
from bcs_tui.resources.versions import VERSIONS
from bcs_tui.resources.webhooks import WEBHOOKS

# ---------------------------------------------------------------------------------------------
# The registry

KINDS: tuple[ResourceKind, ...] = (
    NAMESPACES, APPLICATIONS, PROCESSES, TASKGROUPS, CONTAINERS, VERSIONS, DEPLOYMENTS, OFFERS, AGENTS,
    CONFIGMAPS, SECRETS, SERVICES, CRDS, CUSTOM_RESOURCES, WEBHOOKS, COMMANDS, CONTEXTS,
)
KINDS_BY_NAME: dict[str, ResourceKind] = {k.name: k for k in KINDS}

# Views that are screens of their own rather than registry lists.
SPECIAL_VIEWS: dict[str, tuple[str, ...]] = {"cluster": ("cluster", "overview", "cl")}


def lookup(word: str) -> ResourceKind | None:
    """The kind called `word` (its name or an alias, case-insensitive)."""
    w = word.strip().lower()
    for kind in KINDS:
        if w == kind.name or w in kind.aliases:
            return kind
    return None


def lookup_special(word: str) -> str | None:
    w = word.strip().lower()
    for name, aliases in SPECIAL_VIEWS.items():
        if w == name or w in aliases:
            return name
    return None


def prompt_words() -> list[str]:
    """Every word the `:` prompt accepts as a view: kind names, their aliases, the special views."""
    words: list[str] = []
    for kind in KINDS:
        words.extend((kind.aliases[0], kind.name) if kind.aliases else (kind.name,))
        words.extend(kind.aliases[1:])
    for name, aliases in SPECIAL_VIEWS.items():
        words.append(name)
        words.extend(aliases)
    seen: set[str] = set()
    return [w for w in words if not (w in seen or seen.add(w))]


def primary_aliases() -> list[str]:
    """The short names shown to the user when input is unknown."""
    return [k.aliases[0] for k in KINDS if k.aliases] + ["cluster"]
