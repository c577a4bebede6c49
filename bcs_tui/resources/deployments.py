"""The deployments kind (storage Deployment objects)."""

from __future__ import annotations

from typing import Any

from bcs_tui.resources.base import _namespaces_for, col, FetchEnv, g, NS_COL, object_name, object_namespace, ResourceKind, Scope, status_class, storage_inspector, unwrap


# ---------------------------------------------------------------------------------------------
# Deployments (storage: the scheduler Deployment object as is)


def _dp_ref(o: Any, which: str) -> Any:
    return g(o, which)


def _ref_name(ref: Any) -> str:
    return str(g(ref, "name", default="") or "")


def _ref_instances(ref: Any, in_rolling: bool = False) -> str:
    """Target instances; `rolling/target` while a rolling update moves them."""
    if ref is None:
        return ""
    target = g(ref, "curr_target_instances")
    rolling = g(ref, "current_rolling_instances", "CurrentRollingInstances")
    if in_rolling and rolling is not None and target is not None and rolling != target:
        return f"{rolling}/{target}"
    return "" if target is None else str(target)


def _dp_status(o: Any) -> str:
    return status_class(g(o, "status"))


async def fetch_deployments(env: FetchEnv, scope: Scope) -> list[Any]:
    """Storage namespace list (all namespaces only) + one storage deployment query."""
    namespaces = await _namespaces_for(env, scope)
    if not namespaces:
        return []
    return unwrap(await env.client.storage_deployments(namespaces=namespaces))


async def _dp_definition(client: Any, obj: Any) -> Any:
    return await client.get_deployment_definition(object_namespace(obj), object_name(obj))


def _dp_drill(o: Any, scope: Scope) -> tuple[str, Scope]:
    names = tuple(n for n in (_ref_name(_dp_ref(o, "application")), _ref_name(_dp_ref(o, "application_ext"))) if n)
    ns = object_namespace(o)
    return "applications", Scope(namespace=ns, names=names or ("\0",), parent_kind="deployments", parent=o,
                                 label=f"{ns}/{object_name(o)}")


DEPLOYMENTS = ResourceKind(
    name="deployments",
    title="Deployments",
    aliases=("dp", "deploy", "deployment"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("STATUS", lambda o, rc: g(o, "status"), status=_dp_status),
        col("CURRENT APP", lambda o, rc: _ref_name(_dp_ref(o, "application"))),
        col("CUR", lambda o, rc: _ref_instances(_dp_ref(o, "application"), bool(g(o, "is_in_rolling"))), numeric=True),
        col("NEW APP", lambda o, rc: _ref_name(_dp_ref(o, "application_ext"))),
        col("NEW", lambda o, rc: _ref_instances(_dp_ref(o, "application_ext"), bool(g(o, "is_in_rolling"))), numeric=True),
        col("ROLLING", lambda o, rc: g(o, "curr_rolling_operation")),
        col("STRATEGY", lambda o, rc: g(g(o, "strategy"), "type")),
        col("MESSAGE", lambda o, rc: g(o, "message")),
    ),
    fetch=fetch_deployments,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=_dp_status,
    drill=_dp_drill,
    namespaced=True,
    definition=_dp_definition,
    copy_id=object_name,
    inspect=storage_inspector("deployment"),
)
