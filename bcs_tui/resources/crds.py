"""The CRDs and custom resources kinds (raw kube JSON through the driver's proxy)."""

from __future__ import annotations

from typing import Any

from bcs_tui.api import models as m
from bcs_tui.api.errors import ApiError, InvalidRequest
from bcs_tui.resources.writes import body_namespace, Editable, ManifestSpec, ns_name, Write, WriteScope
from bcs_tui.resources.base import age_col, col, FetchEnv, g, meta, NS_COL, object_name, object_namespace, ResourceKind, RUNNING, Scope

# ---------------------------------------------------------------------------------------------
# CRDs and custom resources (raw kube JSON through the driver's proxy)


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.get("items") or [])
    return list(value or [])


def crd_versions(crd: Any) -> list[str]:
    spec = g(crd, "spec", default={}) or {}
    versions = [str(g(v, "name")) for v in g(spec, "versions", default=[]) or [] if g(v, "name")]
    if not versions and g(spec, "version"):
        versions = [str(g(spec, "version"))]
    return versions


def crd_group(crd: Any) -> str:
    return str(g(g(crd, "spec"), "group", default="") or "")


def crd_plural(crd: Any) -> str:
    return str(g(g(g(crd, "spec"), "names"), "plural", default="") or "")


async def find_crd(client: Any, wanted: str) -> Any:
    """The CRD called `wanted` (its name, plural or kind), 1 request."""
    crd = next((c for c in _items(await client.list_crds())
                if object_name(c) == wanted or crd_plural(c) == wanted
                or g(g(g(c, "spec"), "names"), "singular") == wanted
                or str(g(g(g(c, "spec"), "names"), "kind", default="")).lower() == wanted.lower()), None)
    if crd is None:
        raise ApiError(0, f"no CRD named {wanted!r} (see :crd)", 200)
    return crd


async def fetch_crds(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: list custom resource definitions (kube proxy)."""
    return _items(await env.client.list_crds())


async def fetch_custom_resources(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: the custom resources of one CRD (one namespace, or all)."""
    crd = scope.parent
    if crd is None:
        return []
    if isinstance(crd, str):  # typed at the prompt (`cr NAME`): find the CRD (1 more request)
        crd = await find_crd(env.client, crd)
    versions = crd_versions(crd)
    api_version = f"{crd_group(crd)}/{versions[0] if versions else 'v1'}"
    return _items(await env.client.list_custom_resources(api_version, crd_plural(crd), namespace=scope.namespace))


# ---------------------------------------------------------------------------------------------
# Writes


async def _crd_editable(client: Any, obj: Any, scope: WriteScope) -> Editable:
    return Editable(await client.get_crd(object_name(obj)), "CRD")


CRD_WRITES = {
    "edit": Write(lambda client, o, scope, *, body, **_: client.plan_update_crd(object_name(o), body)),
    "create": Write(lambda client, o, scope, *, body: client.plan_create_crd(body)),
    "delete": Write(lambda client, o, scope: client.plan_delete_crd(object_name(o))),
}


def cr_coords(crd: Any) -> tuple[str, str, str]:
    """(group, version, plural) of the custom resources of `crd`."""
    if crd is None or isinstance(crd, str):
        raise InvalidRequest([("crd", "open the custom resources from their CRD (Enter on a CRD in :crd)")],
                             "custom resource")
    versions = crd_versions(crd)
    return crd_group(crd), versions[0] if versions else "v1", crd_plural(crd)


async def _cr_editable(client: Any, obj: Any, scope: WriteScope) -> Editable:
    group, version, plural = cr_coords(scope.parent)
    return Editable(await client.get_custom_resource(group, version, plural, *ns_name(obj)), "custom resource")


async def _resolve_crd(client: Any, scope: WriteScope) -> WriteScope:
    if isinstance(scope.parent, str):
        return WriteScope(scope.namespace, await find_crd(client, scope.parent))
    return scope


CR_WRITES = {
    "edit": Write(lambda client, o, scope, *, body, **_: client.plan_update_custom_resource(
        *cr_coords(scope.parent), *ns_name(o), body)),
    "create": Write(lambda client, o, scope, *, body: client.plan_create_custom_resource(
        *cr_coords(scope.parent), body_namespace(body), body)),
    "delete": Write(lambda client, o, scope: client.plan_delete_custom_resource(*cr_coords(scope.parent), *ns_name(o))),
}


CRDS = ResourceKind(
    name="crds",
    title="CRDs",
    aliases=("crd", "customresourcedefinition", "customresourcedefinitions"),
    columns=(
        col("NAME", lambda o, rc: object_name(o)),
        col("GROUP", lambda o, rc: crd_group(o)),
        col("KIND", lambda o, rc: g(g(g(o, "spec"), "names"), "kind")),
        col("PLURAL", lambda o, rc: crd_plural(o)),
        col("SCOPE", lambda o, rc: g(g(o, "spec"), "scope")),
        col("VERSIONS", lambda o, rc: ",".join(crd_versions(o))),
        age_col(lambda o: g(meta(o), "creationTimestamp", "creation_timestamp")),
    ),
    fetch=fetch_crds,
    row_key=object_name,
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    drill=lambda o, scope: ("customresources", Scope(parent_kind="crds", parent=o, label=object_name(o))),
    noun="CRD",
    writes=CRD_WRITES,
    manifest=ManifestSpec(kinds=("CustomResourceDefinition",), model=m.CrdRequest, namespaced=False,
                          dots_allowed=True, load=_crd_editable),
)

CUSTOM_RESOURCES = ResourceKind(
    name="customresources",
    title="Custom resources",
    aliases=("cr", "customresource"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("KIND", lambda o, rc: g(o, "kind")),
        col("API VERSION", lambda o, rc: g(o, "apiVersion")),
        age_col(lambda o: g(meta(o), "creationTimestamp", "creation_timestamp")),
    ),
    fetch=fetch_custom_resources,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    needs_parent="crds",
    noun="custom resource",
    writes=CR_WRITES,
    manifest=ManifestSpec(kinds=(), model=m.CustomResourceRequest, dots_allowed=True, load=_cr_editable,
                          resolve_parent=_resolve_crd),
)
