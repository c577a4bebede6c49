"""Definitions to edit or roll back to: loaded from the scheduler, or rebuilt from a saved version.

A version without `raw_json` (legacy apps, apps made by a deployment) holds the scheduler's own
types (`ST/application.go` Version / Container / Docker, Go-name keys). The driver turns a request
(`CT/rc.go` ReplicaController, lower-case keys) into those types (`DRV/backend/v4http/create.go`);
`version_definition` runs that mapping backwards, so a rebuilt definition sent back launches the
same containers: volumes in the driver's `{name, volume:{hostPath, mountPath, readOnly}}` form (the
version's PascalCase `{ContainerPath, HostPath, Mode}` would be read as empty mounts), the network
mode (missing means NONE), imagePullPolicy, hostname, requests and limits (strings), processes.
"""

from __future__ import annotations

from typing import Any

from bcs_tui.api.errors import ApiError
from bcs_tui.resources.base import g, object_name, object_namespace, to_jsonable
from bcs_tui.resources.writes import Editable, WriteScope

_SERVER_FIELDS = ("creationTimestamp", "resourceVersion", "uid", "selfLink", "clusterName", "generation")


def strip_server_fields(data: Any, kind: str = "") -> Any:
    """Drop what the server fills in (timestamps, resourceVersion) from a stored object so that
    it reads as the request manifest and the diff shows only the user's change; `kind` (the
    singular) is set for storage configmaps, secrets and services."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in _SERVER_FIELDS and v not in (None, "")}
    if kind:
        out.setdefault("apiVersion", "v4")
        out["kind"] = kind
    return out


def _num(value: Any) -> str:
    """A resource amount as the driver's string ("0.5", "256"): whole numbers without ".0"."""
    try:
        f = float(value or 0)
    except (TypeError, ValueError):
        return str(value)
    return str(int(f)) if f.is_integer() else repr(f)


def _resource_list(res: Any) -> dict[str, str]:
    out = {"cpu": _num(g(res, "cpus", "Cpus", default=0)), "memory": _num(g(res, "mem", "Mem", default=0))}
    disk = g(res, "disk", "Disk", default=0)
    if disk:
        out["storage"] = _num(disk)
    return out


def _volumes(volumes: Any) -> list[dict[str, Any]]:
    out = []
    for index, v in enumerate(volumes or []):
        host = str(g(v, "host_path", "HostPath", "hostPath", default="") or "")
        mount = str(g(v, "container_path", "ContainerPath", "containerPath", default="") or "")
        mode = str(g(v, "mode", "Mode", default="") or "")
        volume: dict[str, Any] = {"hostPath": host, "mountPath": mount}
        if mode.upper() == "R":  # the driver writes "R" for readOnly, "RW" otherwise
            volume["readOnly"] = True
        out.append({"name": f"volume-{index}", "volume": volume})
    return out


def _container(c: Any) -> dict[str, Any]:
    docker = g(c, "docker")
    limits = g(c, "limit_resoures", "LimitResoures") or g(c, "resources")
    requests = g(c, "resources", "Resources")
    resources: dict[str, Any] = {"limits": _resource_list(limits)}
    if requests is not None:
        resources["requests"] = _resource_list(requests)
    extended = g(g(c, "data_class"), "extended_resources", default=[]) or []
    if extended:
        resources["extendedResources"] = [to_jsonable(e) for e in extended]
    out: dict[str, Any] = {
        "type": str(g(c, "type", default="") or "MESOS"),
        "image": str(g(docker, "image", default="")),
        "imagePullPolicy": "Always" if g(docker, "force_pull_image", default=False) else "IfNotPresent",
        "command": str(g(docker, "command", default="")),
        "args": list(g(docker, "arguments", default=[]) or []),
        "env": [{"name": k, "value": v} for k, v in (g(docker, "env", default={}) or {}).items()],
        "privileged": bool(g(docker, "privileged", default=False)),
        "parameters": [{"key": g(p, "key", default=""), "value": g(p, "value", default="")}
                       for p in g(docker, "parameters", default=[]) or []],
        "ports": [{"containerPort": g(p, "container_port", "ContainerPort", default=0),
                   "hostPort": g(p, "host_port", "HostPort", default=0),
                   "name": g(p, "name", "Name", default=""),
                   "protocol": g(p, "protocol", "Protocol", default="")}
                  for p in g(docker, "port_mappings", default=[]) or []],
        "resources": resources,
        "healthChecks": [to_jsonable(h) for h in g(c, "health_checks", default=[]) or []],
        "volumes": _volumes(g(c, "volumes", default=[])),
        "configmaps": [to_jsonable(v) for v in g(c, "config_maps", default=[]) or []],
        "secrets": [to_jsonable(v) for v in g(c, "secrets", default=[]) or []],
    }
    hostname = g(docker, "hostname", default="")
    if hostname:
        out["hostname"] = str(hostname)
    for key, attr in (("imagePullUser", "image_pull_user"), ("imagePullPasswd", "image_pull_passwd")):
        value = g(docker, attr, default="")
        if value:
            out[key] = str(value)
    return out


def version_definition(version: Any, ns: str, name: str) -> dict:
    """A ReplicaController body from a scheduler Version: its raw_json when present, else
    rebuilt from the version's fields (the driver's mapping run backwards, see the module doc)."""
    raw = g(version, "raw_json")
    if isinstance(raw, dict) and raw:
        return to_jsonable(raw)
    labels = dict(g(g(version, "object_meta"), "labels", default={}) or {})
    containers = [_container(c) for c in g(version, "container", default=[]) or []]
    first_docker = next((g(c, "docker") for c in g(version, "container", default=[]) or [] if g(c, "docker")), None)
    pod_spec: dict[str, Any] = {}
    if containers:
        pod_spec["containers"] = containers
    processes = [to_jsonable(p) for p in g(version, "process", default=[]) or []]
    if processes:
        pod_spec["processes"] = processes
    network = str(g(first_docker, "network", default="") or "")
    if network:
        pod_spec["networkMode"] = network
    network_type = str(g(first_docker, "network_type", default="") or "")
    if network_type:
        pod_spec["networktype"] = network_type
    net_limit = next((g(c, "net_limit") for c in g(version, "container", default=[]) or [] if g(c, "net_limit")),
                     None)
    if net_limit:
        pod_spec["netLimit"] = to_jsonable(net_limit)
    restart = to_jsonable(g(version, "restart_policy")) or {"policy": "OnFailure"}
    pod_meta = g(version, "pod_object_meta")
    template_meta: dict[str, Any] = {"labels": dict(g(pod_meta, "labels", default={}) or labels)}
    annotations = dict(g(pod_meta, "annotations", default={}) or {})
    if annotations:
        template_meta["annotations"] = annotations
    body: dict[str, Any] = {
        "apiVersion": "v4",
        "kind": str(g(version, "kind", default="") or "application"),
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "restartPolicy": restart,
        "killPolicy": to_jsonable(g(version, "kill_policy")) or {"gracePeriod": 10},
        "spec": {
            "instance": int(g(version, "instances", default=1) or 1),
            "template": {"metadata": template_meta, "spec": pod_spec},
        },
    }
    meta_annotations = dict(g(g(version, "object_meta"), "annotations", default={}) or {})
    if meta_annotations:
        body["metadata"]["annotations"] = meta_annotations
    constraints = to_jsonable(g(version, "constraints"))
    if constraints:
        body["constraint"] = constraints
    return body


async def definition_from_version(client: Any, ns: str, name: str, version_id: str | None = None) -> dict:
    """A ReplicaController rebuilt from a saved version (the newest when `version_id` is None)."""
    if version_id is None:
        ids = [str(v) for v in await client.list_versions(ns, name) or []]
        if not ids:
            raise ApiError(0, f"application {ns}/{name} has no definition and no saved version", 200)
        version_id = max(ids)
    version = await client.fetch_version(ns, name, version_id)
    return version_definition(version, ns, name)


def _not_found(exc: ApiError) -> bool:
    return "not exist" in exc.server_message or exc.not_found


async def application_editable(client: Any, obj: Any, scope: WriteScope) -> Editable:
    """The application's definition (or one rebuilt from its newest version) and its live
    DefineInstances and status (1 scheduler fetch: a scale changes the count, not the definition)."""
    ns, name = object_namespace(obj), object_name(obj)
    live = await client.fetch_application(ns, name)
    try:
        definition, source = await client.get_application_definition(ns, name), "definition"
    except ApiError as exc:
        if not _not_found(exc):
            raise
        definition, source = await definition_from_version(client, ns, name), "rebuilt from the newest version"
    return Editable(definition, source, instances=int(g(live, "define_instances", default=0) or 0) or None,
                    status=str(g(live, "status", default="") or ""))


def spec_instance(body: Any) -> int | None:
    value = g(g(body, "spec"), "instance")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def with_instances(body: dict, instances: int | None) -> dict:
    """`body` with `spec.instance` set to `instances` (a copy; unchanged when None)."""
    if instances is None or not isinstance(body.get("spec"), dict):
        return body
    return dict(body, spec=dict(body["spec"], instance=instances))
