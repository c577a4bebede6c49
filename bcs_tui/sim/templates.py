"""ReplicaController / deployment bodies -> AppTemplate, with the driver's validation and texts."""

from __future__ import annotations

import copy
from typing import Any

from bcs_tui.sim.errors import (CODE_BAD_REQUEST, CODE_DRIVER_PARAMS, CODE_JSON_DECODE,
                                PlainTextAnswer, driver_error)
from bcs_tui.sim.model import AppTemplate, ContainerSpec

RESTART_POLICIES = ("Never", "Always", "OnFailure")


# The driver decodes the body with Go's encoding/json into bcs-common's ReplicaController:
#  - any value of the wrong JSON type (a number where the field is a string, a string where it
#    is a number, ...) fails the whole body with 1405010 and the bare text "json decode failed!"
#    (DRV/backend/v4http/create.go:36-38): the field is never named;
#  - keys are matched case-insensitively (the last key that folds to the field name wins), so a
#    PascalCase `Volumes` list fills the lower-case `volumes` field, but its items' keys
#    (`ContainerPath`, `HostPath`, `Mode`) match nothing in `{name, volume}`: empty mounts.
JSON_DECODE_FAILED = "json decode failed!"
PARAMS = "there is some error in the parameters"  # BcsErrMesosDriverParameterErrStr, no space after


def decode_failed() -> Exception:
    return driver_error(CODE_JSON_DECODE, JSON_DECODE_FAILED)


def field(obj: dict, key: str) -> Any:
    """Go's field lookup: an exact or case-insensitive key; the last one in the object wins."""
    out = obj.get(key)
    low = key.lower()
    for k, v in obj.items():
        if k.lower() == low:
            out = v
    return out


def _str(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise decode_failed()
    return value


def _int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise decode_failed()  # "80", 80.5 and true do not decode into a Go int
    return value


def _bool(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise decode_failed()
    return value


def _go_float(text: str) -> float | None:
    """strconv.ParseFloat with the error ignored by the driver: None when unparseable."""
    try:
        return float(text) if text.strip() == text and text else None
    except ValueError:
        return None


def _resource(value: Any, default: float) -> float:
    """resources.limits|requests.cpu|memory|storage are Go strings (CT/rc.go:159-170)."""
    text = _str(value)
    if text == "":
        return default
    parsed = _go_float(text)
    return 0.0 if parsed is None else parsed


def _dict(value: Any, what: str = "") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise decode_failed()
    return value


def _list(value: Any, what: str = "") -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise decode_failed()
    return value


def _str_list(value: Any) -> list[str]:
    return [_str(v) for v in _list(value)]


def _str_map(value: Any, what: str = "") -> dict[str, str]:
    value = _dict(value, what)
    if not all(isinstance(v, str) for v in value.values()):
        raise decode_failed()
    return dict(value)


def check_type_meta(body: Any, expected: str) -> dict:
    """The driver decodes TypeMeta first: body must be an object with the expected `kind`."""
    if not isinstance(body, dict):
        raise driver_error(CODE_BAD_REQUEST, "Unmarshal TypeMeta failed: invalid character in body")
    kind = body.get("kind")
    if kind != expected:
        raise driver_error(CODE_BAD_REQUEST, f"Kind {kind} is invalid")
    return body


def _volumes(raw: Any) -> list[dict]:
    """`volumes: [{name, volume: {hostPath, mountPath, readOnly}}]` (CT/rc.go:152-156) as the
    driver converts them (DRV/backend/v4http/create.go:307-318). Items of another shape decode
    to a zero VolumeUnit: a mount with empty paths."""
    out = []
    for v in _list(raw):
        v = _dict(v)
        _str(field(v, "name"))
        vol = _dict(field(v, "volume"))
        out.append({"hostPath": _str(field(vol, "hostPath")),
                    "mountPath": _str(field(vol, "mountPath")),
                    "subPath": _str(field(vol, "subPath")),
                    "readOnly": _bool(field(vol, "readOnly"))})
    return out


def _container(c: Any, network: str) -> ContainerSpec:
    c = _dict(c)
    res = _dict(field(c, "resources"))
    limits = _dict(field(res, "limits"))
    requests = _dict(field(res, "requests"))
    for part in (limits, requests):
        for key in ("cpu", "memory", "storage"):
            _str(field(part, key))  # a number here fails the whole body
    cpus = _resource(field(limits, "cpu") or field(requests, "cpu"), 0.1)
    mem = _resource(field(limits, "memory") or field(requests, "memory"), 64.0)
    disk = _resource(field(limits, "storage") or field(requests, "storage"), 0.0)
    if cpus <= 0 or mem <= 0 or disk < 0:
        raise driver_error(CODE_BAD_REQUEST, "container resources must be greater than 0")
    ports = []
    for p in _list(field(c, "ports")):
        p = _dict(p)
        cp = _int(field(p, "containerPort"))
        hp = _int(field(p, "hostPort"))
        if network == "HOST" and hp == 0:
            hp = cp
        ports.append({"containerPort": cp, "hostPort": hp, "name": _str(field(p, "name")),
                      "protocol": _str(field(p, "protocol"))})
    env: dict[str, str] = {}
    for e in _list(field(c, "env")):
        e = _dict(e)
        env[_str(field(e, "name"))] = _str(field(e, "value"))
    image = _str(field(c, "image"))
    if not image:
        raise driver_error(CODE_BAD_REQUEST, "container image is empty")
    policy = _str(field(c, "imagePullPolicy"))
    return ContainerSpec(image=image, command=_str(field(c, "command")), args=_str_list(field(c, "args")),
                         env=env, ports=ports, cpus=cpus, mem=mem, disk=disk,
                         volumes=_volumes(field(c, "volumes")),
                         health_checks=[h for h in _list(field(c, "healthChecks"))
                                        if isinstance(h, dict)],
                         parameters=[p for p in _list(field(c, "parameters")) if isinstance(p, dict)],
                         privileged=_bool(field(c, "privileged")),
                         pull_user=_str(field(c, "imagePullUser")),
                         pull_passwd=_str(field(c, "imagePullPasswd")),
                         # only "Always" forces a pull; a missing policy does not (create.go:281-284)
                         force_pull=policy == "Always",
                         hostname=_str(field(c, "hostname")))


def _process(p: Any) -> ContainerSpec:
    """A `process` app's entry: run on the host by the process executor (no image)."""
    p = _dict(p)
    name = _str(field(p, "procName"))
    if not name:
        raise driver_error(CODE_BAD_REQUEST, "process procName is empty")
    res = _dict(field(p, "resources"))
    limits = _dict(field(res, "limits"))
    for key in ("cpu", "memory", "storage"):
        _str(field(limits, key))
    ports = []
    for port in _list(field(p, "ports")):
        port = _dict(port)
        cp = _int(field(port, "containerPort")) or _int(field(port, "hostPort"))
        ports.append({"containerPort": cp, "hostPort": cp, "name": _str(field(port, "name")),
                      "protocol": _str(field(port, "protocol")) or "TCP"})
    env: dict[str, str] = {}
    for e in _list(field(p, "env")):
        e = _dict(e)
        env[_str(field(e, "name"))] = _str(field(e, "value"))
    return ContainerSpec(image=f"process:{name}", command=_str(field(p, "startCmd")),
                         args=[], env=env, ports=ports,
                         cpus=_resource(field(limits, "cpu"), 1.0),
                         mem=_resource(field(limits, "memory"), 64.0), force_pull=False)


def docker_network(mode: str) -> str:
    """What the scheduler launches for a pod's `networkMode` (SCHED/task/task.go:620-863):
    the four names exactly; empty is NONE (:774-775); any other name is a USER network."""
    if mode in ("BRIDGE", "HOST", "USER", "NONE"):
        return mode
    return "NONE" if mode == "" else "USER"


def parse_constraints(raw: Any) -> list[list[dict]]:
    raw = _dict(raw)
    out = []
    for item in _list(field(raw, "intersectionItem")):
        item = _dict(item)
        out.append([u for u in _list(field(item, "unionData")) if isinstance(u, dict)])
    return out


def parse_app(body: Any, *, kind: str = "application", default_ns: str = "defaultGroup",
              from_deployment: bool = False) -> AppTemplate:
    """Convert a ReplicaController (or a deployment's pod template) the way the driver does."""
    body = check_type_meta(body, kind) if not from_deployment else body
    meta = _dict(field(body, "metadata"))
    name = _str(field(meta, "name"))
    if not name:
        raise driver_error(CODE_BAD_REQUEST, "metadata.name is empty")
    if "." in name:
        # The real driver answers this with a bare text body and HTTP 200.
        raise PlainTextAnswer("Name can't contains contains '.'")
    namespace = _str(field(meta, "namespace")) or default_ns
    labels = _str_map(field(meta, "labels"))
    annotations = _str_map(field(meta, "annotations"))
    restart = copy.deepcopy(_dict(field(body, "restartPolicy")))
    policy = _str(field(restart, "policy")) or "OnFailure"
    kill = copy.deepcopy(_dict(field(body, "killPolicy"))) or {"gracePeriod": 10}
    constraints = parse_constraints(field(body, "constraint"))
    spec = _dict(field(body, "spec"))
    instances = _int(field(spec, "instance"))
    template = field(spec, "template")
    tspec = _dict(field(_dict(template), "spec"))
    tmeta = _dict(field(_dict(template), "metadata"))
    pod_labels = _str_map(field(tmeta, "labels"))
    # the pod's networkMode as written: the scheduler launches "" as NONE (docker_network)
    network_mode = _str(field(tspec, "networkMode"))
    network_type = _str(field(tspec, "networktype"))
    network = docker_network(network_mode)
    containers_raw = _list(field(tspec, "containers"))
    processes = _list(field(tspec, "processes"))
    # everything above is the JSON decode (1405010); the checks below are the driver's own
    containers = [_container(c, network) for c in containers_raw]
    procs = [_process(p) for p in processes]
    if policy not in RESTART_POLICIES:
        raise driver_error(CODE_DRIVER_PARAMS, PARAMS + "restart policy error")
    restart["policy"] = policy
    if not template:
        raise driver_error(CODE_DRIVER_PARAMS, PARAMS + " no template")
    if containers_raw and processes:
        raise driver_error(CODE_DRIVER_PARAMS, PARAMS + "containers and processes cannot coexist")
    if not containers_raw and not processes:
        raise driver_error(CODE_DRIVER_PARAMS, PARAMS + "no containers and processes")
    if kind == "process" and not processes:
        raise driver_error(CODE_DRIVER_PARAMS, "process has no processes")
    if kind != "process" and processes:
        raise driver_error(CODE_DRIVER_PARAMS, "application cannot run processes, use kind process")
    if instances <= 0:
        raise driver_error(CODE_BAD_REQUEST, "instances error")
    if processes:
        network = network_mode = "HOST"  # processes run on the host network
        containers = procs
    return AppTemplate(name=name, namespace=namespace, kind=kind if not from_deployment else "application",
                       instances=instances, labels=labels, annotations=annotations,
                       pod_labels=pod_labels, containers=containers, network=network,
                       restart_policy=restart, kill_policy=kill, constraints=constraints,
                       raw=copy.deepcopy(body), network_mode=network_mode, network_type=network_type)


def version_json(tpl: AppTemplate, version_id: str, instances: int, raw: dict | None) -> dict:
    """The scheduler `Version` object (Go field names; only raw_json has a tag). `raw` is its
    raw_json: the definition it was saved from (None: an app made by a deployment)."""
    containers = []
    for c in tpl.containers:
        res = {"Cpus": c.cpus, "Mem": c.mem, "Disk": c.disk}
        containers.append({
            "Type": "DOCKER",
            "Docker": {"Hostname": c.hostname, "ForcePullImage": c.force_pull, "Image": c.image,
                       "ImagePullUser": c.pull_user, "ImagePullPasswd": c.pull_passwd,
                       "Network": tpl.network_mode, "NetworkType": tpl.network_type,
                       "Command": c.command,
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
           # the driver fills the pod meta's name/namespace and adds the app labels it lacks
           "PodObjectMeta": {"name": tpl.name, "namespace": tpl.namespace,
                             "creationTimestamp": "0001-01-01T00:00:00Z",
                             "labels": {**tpl.labels, **tpl.pod_labels}},
           "Instances": instances, "RunAs": tpl.namespace, "Container": containers, "Process": None,
           "Labels": dict(tpl.labels), "KillPolicy": dict(tpl.kill_policy),
           "RestartPolicy": dict(tpl.restart_policy),
           "Constraints": {"intersectionItem": [{"unionData": u} for u in tpl.constraints]}
           if tpl.constraints else None,
           "Uris": None, "Ip": None, "Mode": "", "Kind": tpl.kind}
    if raw is not None:
        out["raw_json"] = raw
    return out


def _labels_changed(a: dict | None, b: dict | None) -> str:
    """SCHED/utils/utils.go isLabelsChanged (keys of the second map; io.tencent.* values skip)."""
    a, b = a or {}, b or {}
    if len(a) != len(b):
        return "length of labels changed"
    for key, value in b.items():
        if key.startswith("io.tencent."):
            continue
        if key not in a:
            return f"key {key} 's value missing"
        if a[key] != value:
            return f"key {key} 's value changed"
    return ""


_DOCKER_FIELDS = ("Hostname", "Image", "ImagePullUser", "ImagePullPasswd", "Network", "NetworkType",
                  "Command", "Arguments", "Parameters", "PortMappings", "Privileged")


def only_resources_changed(old: dict, new: dict) -> str:
    """SCHED/utils/utils.go IsOnlyResourceIncreased on two Version objects: "" when an
    `?args=resource` update may go ahead, else the scheduler's refusal text. Fields it does
    not compare (annotations, ForcePullImage, health check contents) pass unnoticed."""
    po, pn = old.get("PodObjectMeta") or {}, new.get("PodObjectMeta") or {}
    if po.get("name") != pn.get("name"):
        return "name of pod object meta cannot be changed"
    if po.get("namespace") != pn.get("namespace"):
        return "namespace of pod object meta cannot be changed"
    err = _labels_changed(po.get("labels"), pn.get("labels"))
    if err:
        return err
    if old.get("Instances") != new.get("Instances"):
        return "instances cannot be changed"
    if old.get("RunAs") != new.get("RunAs"):
        return "namespace cannot be changed"
    if _labels_changed(old.get("Labels"), new.get("Labels")):
        return "labels cannot be changed"
    for key, text in (("KillPolicy", "kill policy"), ("RestartPolicy", "restartPolicy"),
                      ("Constraints", "constraints")):
        if (old.get(key) or None) != (new.get(key) or None):
            return f"{text} cannot be changed"
    if (old.get("Kind") or "") != (new.get("Kind") or ""):
        return "kind cannot be changed"
    oc, nc = old.get("Container") or [], new.get("Container") or []
    if len(oc) != len(nc):
        return "container number cannot be changed"
    for i, (a, b) in enumerate(zip(oc, nc)):
        err = _container_changed(a, b)
        if err:
            return f"container {i}: {err}"
    return ""


def _container_changed(a: dict, b: dict) -> str:
    if a.get("Type") != b.get("Type"):
        return "container type cannot be changed"
    da, db = a.get("Docker") or {}, b.get("Docker") or {}
    for key in _DOCKER_FIELDS:
        if (da.get(key) or None) != (db.get(key) or None):
            return f"docker parameter cannot be changed, err {key} cannot be changed"
    if (da.get("Env") or {}) != (db.get("Env") or {}):
        return "docker parameter cannot be changed, err Env cannot be changed"
    if (a.get("Volumes") or []) != (b.get("Volumes") or []):
        return "Volumes of cannot be changed"
    if (a.get("ConfigMaps") or []) != (b.get("ConfigMaps") or []):
        return "Configmaps cannot be changed"
    if (a.get("Secrets") or []) != (b.get("Secrets") or []):
        return "Secrets cannot be changed"
    if len(a.get("HealthChecks") or []) != len(b.get("HealthChecks") or []):
        return "health checks cannot be changed"  # only the count: the source compares a to a
    if a.get("NetLimit") != b.get("NetLimit"):
        return "netlimit cannot be changed"
    return ""
