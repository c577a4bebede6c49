"""The configmaps, secrets and services kinds (storage)."""

from __future__ import annotations

from typing import Any

from bcs_tui.api import models as m
from bcs_tui.resources.definitions import strip_server_fields
from bcs_tui.resources.writes import body_namespace, Editable, ManifestSpec, ns_name, Write, WriteScope
from bcs_tui.resources.base import _namespaces_for, age_col, col, FetchEnv, g, meta, NS_COL, object_name, object_namespace, ResourceKind, RUNNING, Scope, storage_inspector, to_jsonable, unwrap
from bcs_tui.redact import SECRET_MASK, mask_secret

# ---------------------------------------------------------------------------------------------
# Configmaps, secrets, services (storage)


def _datas(o: Any) -> dict[str, Any]:
    return dict(g(o, "datas", "data", default={}) or {}) if not isinstance(g(o, "datas", "data"), str) else {}


async def _storage_list(env: FetchEnv, scope: Scope, method: str) -> list[Any]:
    namespaces = await _namespaces_for(env, scope)  # None: all namespaces
    return unwrap(await getattr(env.client, method)(namespaces=namespaces))


async def fetch_configmaps(env: FetchEnv, scope: Scope) -> list[Any]:
    """One complete storage configmap query."""
    return await _storage_list(env, scope, "storage_configmaps")


async def fetch_secrets(env: FetchEnv, scope: Scope) -> list[Any]:
    """One complete storage secret query."""
    return await _storage_list(env, scope, "storage_secrets")


async def fetch_services(env: FetchEnv, scope: Scope) -> list[Any]:
    """One complete storage service query."""
    return await _storage_list(env, scope, "storage_services")


# ---------------------------------------------------------------------------------------------
# Writes: create, update (the whole object) and delete; the storage object is the request shape.


def _object_writes(singular: str) -> dict[str, Write]:
    return {
        "edit": Write(lambda client, o, scope, *, body, **_: client.plan_object("PUT", singular, object_namespace(o), body),
                      recheck=singular),
        "create": Write(lambda client, o, scope, *, body: client.plan_object("POST", singular, body_namespace(body), body),
                        recheck=singular),
        "delete": Write(lambda client, o, scope: client.plan_delete_object(singular, *ns_name(o)), recheck=singular),
    }


def _manifest(singular: str, model: Any, mask: bool = False) -> ManifestSpec:
    async def load(client: Any, obj: Any, scope: WriteScope) -> Editable:
        return Editable(strip_server_fields(to_jsonable(g(obj, "data", default=obj)), singular), "storage")

    return ManifestSpec(kinds=(singular,), model=model, load=load, mask=mask)


# One mask for every secret value (describe, the copy menu, confirmations): bcs_tui.redact.
MASK = SECRET_MASK


def _keys(o: Any) -> str:
    return ",".join(sorted(_datas(o)))


CONFIGMAPS = ResourceKind(
    name="configmaps",
    title="ConfigMaps",
    aliases=("cm", "configmap"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("KEYS", lambda o, rc: len(_datas(o)), sort=lambda o, rc: len(_datas(o)), numeric=True),
        col("ITEMS", lambda o, rc: _keys(o)),
        age_col(lambda o: g(meta(o), "creation_timestamp", "creationTimestamp")),
    ),
    fetch=fetch_configmaps,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    copy_id=object_name,
    inspect=storage_inspector("configmap"),
    noun="configmap",
    writes=_object_writes("configmap"),
    manifest=_manifest("configmap", m.ConfigMapRequest),
)

SECRETS = ResourceKind(
    name="secrets",
    title="Secrets",
    aliases=("secret", "sec"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("TYPE", lambda o, rc: g(o, "type")),
        col("KEYS", lambda o, rc: len(_datas(o)), sort=lambda o, rc: len(_datas(o)), numeric=True),
        col("ITEMS", lambda o, rc: _keys(o)),
        age_col(lambda o: g(meta(o), "creation_timestamp", "creationTimestamp")),
    ),
    fetch=fetch_secrets,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    describe=lambda o, rc: to_jsonable(o) if rc.revealed else mask_secret(to_jsonable(o)),
    copy_id=object_name,
    inspect=storage_inspector("secret"),
    noun="secret",
    writes=_object_writes("secret"),
    manifest=_manifest("secret", m.SecretRequest, mask=True),
)


def _svc_ports(o: Any) -> str:
    spec = g(o, "spec")
    out = []
    for p in g(spec, "ports", default=[]) or []:
        sp = g(p, "service_port", "servicePort")
        tp = g(p, "target_port", "targetPort")
        proto = g(p, "protocol", default="")
        txt = f"{sp}" + (f"->{tp}" if tp not in (None, 0, "", sp) else "")
        out.append(f"{txt}/{proto}" if proto else txt)
    return " ".join(out)


SERVICES = ResourceKind(
    name="services",
    title="Services",
    aliases=("svc", "service"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("TYPE", lambda o, rc: g(g(o, "spec"), "type")),
        col("CLUSTER IP", lambda o, rc: ",".join(str(x) for x in g(g(o, "spec"), "cluster_ip", "clusterIP", default=[]) or [])),
        col("PORTS", lambda o, rc: _svc_ports(o)),
        col("SELECTOR", lambda o, rc: ",".join(f"{k}={v}" for k, v in sorted((g(g(o, "spec"), "selector", default={}) or {}).items()))),
        age_col(lambda o: g(meta(o), "creation_timestamp", "creationTimestamp")),
    ),
    fetch=fetch_services,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    copy_id=object_name,
    inspect=storage_inspector("service"),
    noun="service",
    writes=_object_writes("service"),
    manifest=_manifest("service", m.ServiceRequest),
)
