"""ReplicaController / deployment bodies -> AppTemplate, with the driver's validation and texts."""

from __future__ import annotations

import copy
from typing import Any

from bcs_tui.sim.errors import (CODE_BAD_REQUEST, CODE_DRIVER_PARAMS, CODE_JSON_DECODE,
                                PlainTextAnswer, driver_error)
from bcs_tui.sim.model import AppTemplate, ContainerSpec

RESTART_POLICIES = ("Never", "Always", "OnFailure")


def _num(value: Any, what: str, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise driver_error(CODE_JSON_DECODE, f"json: cannot unmarshal {what} value {value!r}") from None


def _dict(value: Any, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise driver_error(CODE_JSON_DECODE,
                           f"json: cannot unmarshal {type(value).__name__} into Go struct field {what}")
    return value


def _list(value: Any, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise driver_error(CODE_JSON_DECODE,
                           f"json: cannot unmarshal {type(value).__name__} into Go struct field {what}")
    return value


def _str_map(value: Any, what: str) -> dict[str, str]:
    value = _dict(value, what)
    if not all(isinstance(v, str) for v in value.values()):
        raise driver_error(CODE_JSON_DECODE, f"json: cannot unmarshal {what} into map[string]string")
    return dict(value)


def check_type_meta(body: Any, expected: str) -> dict:
    """The driver decodes TypeMeta first: body must be an object with the expected `kind`."""
    if not isinstance(body, dict):
        raise driver_error(CODE_BAD_REQUEST, "Unmarshal TypeMeta failed: invalid character in body")
    kind = body.get("kind")
    if kind != expected:
        raise driver_error(CODE_BAD_REQUEST, f"Kind {kind} is invalid")
    return body


def _container(c: Any, network: str) -> ContainerSpec:
    c = _dict(c, "containers")
    res = _dict(c.get("resources"), "resources")
    limits = _dict(res.get("limits"), "limits")
    requests = _dict(res.get("requests"), "requests")
    cpus = _num(limits.get("cpu", requests.get("cpu")), "cpu", 0.1)
    mem = _num(limits.get("memory", requests.get("memory")), "memory", 64.0)
    disk = _num(limits.get("storage", requests.get("storage")), "storage", 0.0)
    if cpus <= 0 or mem <= 0 or disk < 0:
        raise driver_error(CODE_BAD_REQUEST, "container resources must be greater than 0")
    ports = []
    for p in _list(c.get("ports"), "ports"):
        p = _dict(p, "ports")
        cp = int(_num(p.get("containerPort"), "containerPort", 0))
        hp = int(_num(p.get("hostPort"), "hostPort", 0))
        if network.upper() == "HOST" and hp == 0:
            hp = cp
        ports.append({"containerPort": cp, "hostPort": hp, "name": str(p.get("name", "")),
                      "protocol": str(p.get("protocol", "TCP"))})
    env: dict[str, str] = {}
    for e in _list(c.get("env"), "env"):
        if isinstance(e, dict) and "name" in e:
            env[str(e["name"])] = str(e.get("value", ""))
    volumes = []
    for v in _list(c.get("volumes"), "volumes"):
        v = _dict(v, "volumes")
        vol = _dict(v.get("volume"), "volume")
        volumes.append({"hostPath": vol.get("hostPath", ""), "mountPath": vol.get("mountPath", ""),
                        "readOnly": bool(vol.get("readOnly"))})
    image = c.get("image")
    if not isinstance(image, str) or not image:
        raise driver_error(CODE_BAD_REQUEST, "container image is empty")
    args = [str(a) for a in _list(c.get("args"), "args")]
    return ContainerSpec(image=image, command=str(c.get("command") or ""), args=args, env=env,
                         ports=ports, cpus=cpus, mem=mem, disk=disk, volumes=volumes,
                         health_checks=[h for h in _list(c.get("healthChecks"), "healthChecks")
                                        if isinstance(h, dict)],
                         parameters=[p for p in _list(c.get("parameters"), "parameters")
                                     if isinstance(p, dict)],
                         privileged=bool(c.get("privileged")),
                         pull_user=str(c.get("imagePullUser") or ""),
                         pull_passwd=str(c.get("imagePullPasswd") or ""),
                         force_pull=c.get("imagePullPolicy", "Always") == "Always",
                         hostname=str(c.get("hostname") or ""))


def _process(p: Any) -> ContainerSpec:
    """A `process` app's entry: run on the host by the process executor (no image)."""
    p = _dict(p, "processes")
    name = p.get("procName")
    if not isinstance(name, str) or not name:
        raise driver_error(CODE_BAD_REQUEST, "process procName is empty")
    res = _dict(p.get("resources"), "resources")
    limits = _dict(res.get("limits"), "limits")
    ports = []
    for port in _list(p.get("ports"), "ports"):
        port = _dict(port, "ports")
        cp = int(_num(port.get("containerPort", port.get("hostPort")), "port", 0))
        ports.append({"containerPort": cp, "hostPort": cp, "name": str(port.get("name", "")),
                      "protocol": str(port.get("protocol", "TCP"))})
    env = {str(e["name"]): str(e.get("value", "")) for e in _list(p.get("env"), "env")
           if isinstance(e, dict) and "name" in e}
    return ContainerSpec(image=f"process:{name}", command=str(p.get("startCmd") or ""),
                         args=[], env=env, ports=ports,
                         cpus=_num(limits.get("cpu"), "cpu", 0.1),
                         mem=_num(limits.get("memory"), "memory", 64.0), force_pull=False)


def parse_constraints(raw: Any) -> list[list[dict]]:
    raw = _dict(raw, "constraint")
    items = raw.get("intersectionItem", raw.get("IntersectionItem")) or []
    out = []
    for item in _list(items, "intersectionItem"):
        item = _dict(item, "intersectionItem")
        union = item.get("unionData", item.get("UnionData")) or []
        out.append([u for u in _list(union, "unionData") if isinstance(u, dict)])
    return out


def parse_app(body: Any, *, kind: str = "application", default_ns: str = "defaultGroup",
              from_deployment: bool = False) -> AppTemplate:
    """Convert a ReplicaController (or a deployment's pod template) the way the driver does."""
    body = check_type_meta(body, kind) if not from_deployment else body
    meta = _dict(body.get("metadata"), "metadata")
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise driver_error(CODE_BAD_REQUEST, "metadata.name is empty")
    if "." in name:
        # The real driver answers this with a bare text body and HTTP 200.
        raise PlainTextAnswer("Name can't contains contains '.'")
    namespace = meta.get("namespace") or default_ns
    if not isinstance(namespace, str):
        raise driver_error(CODE_JSON_DECODE, "json: cannot unmarshal namespace")
    restart = copy.deepcopy(_dict(body.get("restartPolicy"), "restartPolicy"))
    policy = restart.get("policy") or "OnFailure"
    if policy not in RESTART_POLICIES:
        raise driver_error(CODE_DRIVER_PARAMS, f"restart policy error: {policy}")
    restart["policy"] = policy
    kill = copy.deepcopy(_dict(body.get("killPolicy"), "killPolicy")) or {"gracePeriod": 10}
    constraints = parse_constraints(body.get("constraint"))
    spec = _dict(body.get("spec"), "spec")
    inst_raw = spec.get("instance", 0)
    if isinstance(inst_raw, bool) or not isinstance(inst_raw, (int, float)):
        raise driver_error(CODE_JSON_DECODE, "json: cannot unmarshal spec.instance")
    instances = int(inst_raw)
    template = spec.get("template")
    if not template:
        raise driver_error(CODE_DRIVER_PARAMS, f"{kind} {name} no template")
    template = _dict(template, "template")
    tspec = _dict(template.get("spec"), "template.spec")
    network = str(tspec.get("networkMode") or "BRIDGE")
    containers_raw = _list(tspec.get("containers"), "containers")
    processes = _list(tspec.get("processes"), "processes")
    if containers_raw and processes:
        raise driver_error(CODE_DRIVER_PARAMS, "containers and processes cannot coexist")
    if not containers_raw and not processes:
        raise driver_error(CODE_DRIVER_PARAMS, "no containers and processes")
    if kind == "process" and not processes:
        raise driver_error(CODE_DRIVER_PARAMS, "process has no processes")
    if kind != "process" and processes:
        raise driver_error(CODE_DRIVER_PARAMS, "application cannot run processes, use kind process")
    if instances <= 0:
        raise driver_error(CODE_BAD_REQUEST, "instances error")
    if processes:
        network = "HOST"  # processes run on the host network
        containers = [_process(p) for p in processes]
    else:
        containers = [_container(c, network) for c in containers_raw]
    tmeta = _dict(template.get("metadata"), "template.metadata")
    labels = _str_map(meta.get("labels"), "metadata.labels")
    annotations = _str_map(meta.get("annotations"), "metadata.annotations")
    pod_labels = _str_map(tmeta.get("labels"), "template.metadata.labels")
    return AppTemplate(name=name, namespace=namespace, kind=kind if not from_deployment else "application",
                       instances=instances, labels=labels, annotations=annotations,
                       pod_labels=pod_labels, containers=containers, network=network.upper(),
                       restart_policy=restart, kill_policy=kill, constraints=constraints,
                       raw=copy.deepcopy(body))


def version_json(tpl: AppTemplate, version_id: str, instances: int, with_raw: bool) -> dict:
    """The scheduler `Version` object (Go field names; only raw_json has a tag)."""
    containers = []
    for c in tpl.containers:
        res = {"Cpus": c.cpus, "Mem": c.mem, "Disk": c.disk}
        containers.append({
            "Type": "DOCKER",
            "Docker": {"Hostname": c.hostname, "ForcePullImage": c.force_pull, "Image": c.image,
                       "ImagePullUser": c.pull_user, "ImagePullPasswd": c.pull_passwd,
                       "Network": tpl.network, "NetworkType": tpl.network, "Command": c.command,
                       "Arguments": list(c.args),
                       "Parameters": [{"Key": p.get("key", ""), "Value": p.get("value", "")}
                                      for p in c.parameters],
                       "PortMappings": [{"ContainerPort": p["containerPort"], "HostPort": p["hostPort"],
                                         "Name": p["name"], "Protocol": p["protocol"]} for p in c.ports],
                       "Env": dict(c.env), "Privileged": c.privileged},
            "Volumes": [{"ContainerPath": v["mountPath"], "HostPath": v["hostPath"],
                         "Mode": "R" if v["readOnly"] else "RW"} for v in c.volumes],
            "Resources": res, "LimitResoures": dict(res),
            "DataClass": {"Resources": dict(res), "LimitResources": dict(res), "Msgs": None},
            "ConfigMaps": None, "Secrets": None, "HealthChecks": c.health_checks or None,
            "NetLimit": None})
    out = {"ID": tpl.name, "Name": version_id,
           "ObjectMeta": {"name": tpl.name, "namespace": tpl.namespace,
                          "creationTimestamp": "0001-01-01T00:00:00Z", "labels": dict(tpl.labels)},
           "PodObjectMeta": {"name": "", "namespace": "", "creationTimestamp": "0001-01-01T00:00:00Z",
                             "labels": dict(tpl.pod_labels)},
           "Instances": instances, "RunAs": tpl.namespace, "Container": containers, "Process": None,
           "Labels": dict(tpl.labels), "KillPolicy": dict(tpl.kill_policy),
           "RestartPolicy": dict(tpl.restart_policy),
           "Constraints": {"intersectionItem": [{"unionData": u} for u in tpl.constraints]}
           if tpl.constraints else None,
           "Uris": None, "Ip": None, "Mode": "", "Kind": tpl.kind}
    if with_raw:
        out["raw_json"] = tpl.raw
    return out
