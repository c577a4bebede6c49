"""The deployments kind (storage Deployment objects)."""

from __future__ import annotations

import asyncio
from typing import Any

from bcs_tui.api import models as m
from bcs_tui.api.errors import ApiError
from bcs_tui.resources.writes import body_namespace, Editable, ManifestSpec, ns_name, Write, WriteScope
from bcs_tui.resources.base import storage_list, to_jsonable, _namespaces_for, col, FetchEnv, g, NS_COL, object_name, object_namespace, ResourceKind, Scope, status_class, storage_inspector, unwrap


# ---------------------------------------------------------------------------------------------
# Deployments (storage: the scheduler Deployment object as is)


def _dp_ref(o: Any, which: str) -> Any:
    return g(o, which)


def _ref_name(ref: Any) -> str:
    return str(g(ref, "name", default="") or "")


# (namespace, application name) -> the application's DefineInstances, from the storage application
# query that comes with each deployments fetch (the scheduler sets curr_target_instances only while
# a rolling update runs, facts §11.4).
_LIVE_INSTANCES: dict[tuple[str, str], int] = {}


def _ref_target(o: Any, ref: Any) -> int | None:
    """How many instances `ref` (application or application_ext of deployment `o`) is meant to
    run: curr_target_instances while rolling, otherwise the application's DefineInstances (or,
    for the current app when storage has no record of it, the definition's spec.instance)."""
    if ref is None:
        return None
    target = g(ref, "curr_target_instances")
    if bool(g(o, "is_in_rolling")) and isinstance(target, int) and target > 0:
        return target
    live = _LIVE_INSTANCES.get((object_namespace(o), _ref_name(ref)))
    if live is not None:
        return live
    if ref is g(o, "application"):
        spec = g(g(o, "raw_json"), "spec")
        instance = g(spec, "instance")
        if isinstance(instance, int) and not isinstance(instance, bool):
            return instance
    return target if isinstance(target, int) and target > 0 else None


def _ref_instances(o: Any, which: str) -> str:
    """Target instances; `rolling/target` while a rolling update moves them."""
    ref = _dp_ref(o, which)
    target = _ref_target(o, ref)
    if target is None:
        return ""
    rolling = g(ref, "current_rolling_instances", "CurrentRollingInstances")
    if bool(g(o, "is_in_rolling")) and isinstance(rolling, int) and rolling != target:
        return f"{rolling}/{target}"
    return str(target)


def deployment_instances(o: Any) -> int | None:
    """The instance count a scale of deployment `o` starts from: the new application's target
    while rolling, otherwise the current application's."""
    if bool(g(o, "is_in_rolling")) and _dp_ref(o, "application_ext") is not None:
        return _ref_target(o, _dp_ref(o, "application_ext"))
    return _ref_target(o, _dp_ref(o, "application"))


def _dp_status(o: Any) -> str:
    return status_class(g(o, "status"))


async def fetch_deployments(env: FetchEnv, scope: Scope) -> list[Any]:
    """Storage namespace list (all namespaces: no namespace key) + one storage deployment query + one storage
    application query (the applications' DefineInstances are the deployments' instance counts)."""
    namespaces = await _namespaces_for(env, scope)  # None: all namespaces
    if namespaces is not None and not namespaces:
        return []
    deployments, apps = await asyncio.gather(env.client.storage_deployments(namespaces=namespaces),
                                             storage_list(FetchEnv(env.client), "application", namespaces))
    live = {}
    for app in apps:
        defined = g(app, "instance", "define_instances", "DefineInstances")
        if isinstance(defined, int) and not isinstance(defined, bool):
            live[(object_namespace(app), object_name(app))] = defined
    _LIVE_INSTANCES.clear()
    _LIVE_INSTANCES.update(live)
    return unwrap(deployments)


async def _dp_definition(client: Any, obj: Any) -> Any:
    return await client.get_deployment_definition(object_namespace(obj), object_name(obj))


# ---------------------------------------------------------------------------------------------
# Writes


async def _editable(client: Any, obj: Any, scope: WriteScope) -> Editable:
    ns, name = ns_name(obj)
    try:
        definition, source = await client.get_deployment_definition(ns, name), "definition"
    except ApiError as exc:
        raw = g(obj, "raw_json")
        if not raw or ("not exist" not in exc.server_message and not exc.not_found):
            raise
        definition, source = to_jsonable(raw), "the deployment's stored raw_json"
    # A scale of a deployment changes its definition. While it rolls, the applications' counts
    # are steps of the rollout (the new one grows, the old one shrinks): the definition's
    # spec.instance is the target, so the editor starts from the definition as it is.
    instances = None if bool(g(obj, "is_in_rolling")) else deployment_instances(obj)
    return Editable(definition, source, instances=instances, status=str(g(obj, "status") or ""))


def _update(client: Any, o: Any, scope: WriteScope, *, body: dict, only_resource: bool = False,
            instances: int | None = None) -> Any:
    return client.plan_update_deployment(object_namespace(o), body, only_resource)


def _op(op: str) -> Write:
    return Write(lambda client, o, scope: client.plan_deployment_op(op, *ns_name(o)), recheck="deployment")


def _exec(client: Any, targets: list[Any], scope: WriteScope, *, spec: dict) -> list[Any]:
    return [client.plan_send_command("deployment", *ns_name(t), dict(spec, taskgroups=[])) for t in targets]


DEPLOYMENT_WRITES = {
    "scale": Write(lambda client, o, scope, *, instances: client.plan_scale_deployment(*ns_name(o), instances),
                   recheck="deployment", current=deployment_instances),
    "edit": Write(_update, recheck="deployment"),
    "update_resource": Write(_update, recheck="deployment"),
    "create": Write(lambda client, o, scope, *, body: client.plan_create_deployment(body_namespace(body), body),
                    recheck="deployment"),
    "delete": Write(lambda client, o, scope, *, enforce=False: client.plan_delete_deployment(*ns_name(o), enforce),
                    recheck="deployment", options=("enforce",)),
    "pause": _op("pause"),
    "resume": _op("resume"),
    "cancel": _op("cancel"),
    "exec": Write(_exec, whole=True),
}


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
        col("CUR", lambda o, rc: _ref_instances(o, "application"), numeric=True),
        col("NEW APP", lambda o, rc: _ref_name(_dp_ref(o, "application_ext"))),
        col("NEW", lambda o, rc: _ref_instances(o, "application_ext"), numeric=True),
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
    noun="deployment",
    writes=DEPLOYMENT_WRITES,
    manifest=ManifestSpec(kinds=("deployment",), model=m.DeploymentRequest, update_model=m.DeploymentUpdateRequest,
                          load=_editable, resource_only=True),
)
