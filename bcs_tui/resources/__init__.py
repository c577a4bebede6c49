"""The resource registry: one `ResourceKind` declaration per kind of BCS object.

A kind declares its name and aliases, its columns (title, value, sort key, status colour), how to
fetch it (a bounded number of requests per refresh, never one per application), its row key, what
Enter drills into, and which rows are "bad" (the faults-only toggle). The generic browser
(`bcs_tui/ui/screens/browser.py`) renders any kind from this declaration; the action table
(`bcs_tui/actions.py`) says which actions a kind has.

Row objects are the API models as the client returns them (storage records are unwrapped to their
`data`), except where a view merges two sources (agents, namespaces, commands, containers, versions,
contexts): those get a small dataclass in their module that keeps the source objects.

This package holds one module per kind (or small group of kinds) and `base` for what they share;
`registry` lists them. Importers use `bcs_tui.resources` (this module re-exports the names).
"""

from __future__ import annotations

from bcs_tui.resources.base import (
    RUNNING,
    FAILED,
    WARNING,
    PENDING,
    UNKNOWN,
    DISABLED,
    STATUS_CLASSES,
    BAD_CLASSES,
    status_class,
    g,
    is_lite,
    to_jsonable,
    meta,
    object_name,
    list_order,
    object_namespace,
    to_epoch,
    human_age,
    fmt_num,
    RenderContext,
    ColumnSpec,
    Scope,
    FetchEnv,
    FetchFn,
    ResourceKind,
    LiveSource,
    storage_inspector,
    col,
    age_col,
    NS_COL,
    unwrap,
    storage_list,
    parse_taskgroup_id,
    tg_id,
)
from bcs_tui.resources.namespaces import (
    NamespaceSummary,
    fetch_namespaces,
    NAMESPACES,
)
from bcs_tui.resources.applications import (
    fetch_applications,
    fetch_processes,
    APPLICATIONS,
    PROCESSES,
    _app_status,
)
from bcs_tui.resources.taskgroups import (
    tg_app,
    tg_short_name,
    tg_tasks,
    task_info,
    tg_host_ip,
    tg_pod_ip,
    tg_restarts,
    tg_started,
    fetch_taskgroups,
    TASKGROUPS,
)
from bcs_tui.resources.containers import (
    ContainerRow,
    containers_of,
    fetch_containers,
    CONTAINERS,
)
from bcs_tui.resources.versions import (
    VersionRow,
    fetch_versions,
    VERSIONS,
)
from bcs_tui.resources.deployments import (
    fetch_deployments,
    DEPLOYMENTS,
)
from bcs_tui.resources.offers import (
    offer_ip,
    fetch_offers,
    OFFERS,
)
from bcs_tui.resources.agents import (
    Agent,
    fetch_agents,
    AGENTS,
)
from bcs_tui.resources.configs import (
    fetch_configmaps,
    fetch_secrets,
    fetch_services,
    MASK,
    mask_secret,
    CONFIGMAPS,
    SECRETS,
    SERVICES,
)
from bcs_tui.resources.crds import (
    crd_versions,
    crd_group,
    crd_plural,
    fetch_crds,
    fetch_custom_resources,
    CRDS,
    CUSTOM_RESOURCES,
)
from bcs_tui.resources.webhooks import (
    fetch_webhooks,
    WEBHOOKS,
)
from bcs_tui.resources.commands import (
    IssuedCommand,
    fetch_commands,
    COMMANDS,
)
from bcs_tui.resources.contexts import (
    ContextRow,
    fetch_contexts,
    CONTEXTS,
)
from bcs_tui.resources.registry import (
    KINDS,
    KINDS_BY_NAME,
    SPECIAL_VIEWS,
    lookup,
    lookup_special,
    prompt_words,
    primary_aliases,
)

__all__ = [
    "RUNNING",
    "FAILED",
    "WARNING",
    "PENDING",
    "UNKNOWN",
    "DISABLED",
    "STATUS_CLASSES",
    "BAD_CLASSES",
    "status_class",
    "g",
    "is_lite",
    "to_jsonable",
    "meta",
    "object_name",
    "list_order",
    "object_namespace",
    "to_epoch",
    "human_age",
    "fmt_num",
    "RenderContext",
    "ColumnSpec",
    "Scope",
    "FetchEnv",
    "FetchFn",
    "ResourceKind",
    "LiveSource",
    "storage_inspector",
    "col",
    "age_col",
    "NS_COL",
    "unwrap",
    "storage_list",
    "parse_taskgroup_id",
    "tg_id",
    "NamespaceSummary",
    "fetch_namespaces",
    "NAMESPACES",
    "fetch_applications",
    "fetch_processes",
    "APPLICATIONS",
    "PROCESSES",
    "_app_status",
    "tg_app",
    "tg_short_name",
    "tg_tasks",
    "task_info",
    "tg_host_ip",
    "tg_pod_ip",
    "tg_restarts",
    "tg_started",
    "fetch_taskgroups",
    "TASKGROUPS",
    "ContainerRow",
    "containers_of",
    "fetch_containers",
    "CONTAINERS",
    "VersionRow",
    "fetch_versions",
    "VERSIONS",
    "fetch_deployments",
    "DEPLOYMENTS",
    "offer_ip",
    "fetch_offers",
    "OFFERS",
    "Agent",
    "fetch_agents",
    "AGENTS",
    "fetch_configmaps",
    "fetch_secrets",
    "fetch_services",
    "MASK",
    "mask_secret",
    "CONFIGMAPS",
    "SECRETS",
    "SERVICES",
    "crd_versions",
    "crd_group",
    "crd_plural",
    "fetch_crds",
    "fetch_custom_resources",
    "CRDS",
    "CUSTOM_RESOURCES",
    "fetch_webhooks",
    "WEBHOOKS",
    "IssuedCommand",
    "fetch_commands",
    "COMMANDS",
    "ContextRow",
    "fetch_contexts",
    "CONTEXTS",
    "KINDS",
    "KINDS_BY_NAME",
    "SPECIAL_VIEWS",
    "lookup",
    "lookup_special",
    "prompt_words",
    "primary_aliases",
]
