"""The CRDs and custom resources kinds (raw kube JSON through the driver's proxy)."""

from __future__ import annotations

from typing import Any

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


async def fetch_crds(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: list custom resource definitions (kube proxy)."""
    return _items(await env.client.list_crds())


async def fetch_custom_resources(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: the custom resources of one CRD (one namespace, or all)."""
    crd = scope.parent
    if crd is None:
        return []
    if isinstance(crd, str):  # typed at the prompt (`cr NAME`): find the CRD (1 more request)
        wanted = crd
        crd = next((c for c in _items(await env.client.list_crds())
                    if object_name(c) == wanted or crd_plural(c) == wanted
                    or str(g(g(g(c, "spec"), "names"), "kind", default="")).lower() == wanted.lower()), None)
        if crd is None:
            from bcs_tui.api.errors import ApiError

            raise ApiError(0, f"no CRD named {wanted!r} (see :crd)", 200)
    versions = crd_versions(crd)
    api_version = f"{crd_group(crd)}/{versions[0] if versions else 'v1'}"
    return _items(await env.client.list_custom_resources(api_version, crd_plural(crd), namespace=scope.namespace))


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
)
