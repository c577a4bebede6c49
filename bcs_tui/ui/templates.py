"""Starting manifests for `c` (create), built from the API document's and the repository's
examples (docs/apidoc/api-scheduler.md, docs/templates/mesos-artifact/*.md), trimmed to what
works as is: placeholder alternatives like "Never | Always" are resolved to one value, and
example-only parts (request-ip labels, TOLERATION constraints for taints that do not exist)
left out. Every template validates against the api's request models."""

from __future__ import annotations

import copy
import json
from typing import Any

DEFAULT_NAMESPACE = "defaultGroup"


def _container(image: str, port_name: str) -> dict[str, Any]:
    return {
        "type": "MESOS",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": "",
        "args": [],
        "parameters": [],
        "env": [{"name": "namespace", "value": "${bcs.namespace}"}],
        "privileged": False,
        "ports": [{"containerPort": 8080, "hostPort": 0, "name": port_name, "protocol": "HTTP"}],
        "healthChecks": [{
            "type": "HTTP", "intervalSeconds": 30, "timeoutSeconds": 5, "consecutiveFailures": 3,
            "gracePeriodSeconds": 5, "http": {"port": 8080, "portName": port_name, "scheme": "http", "path": "/"},
        }],
        "resources": {"limits": {"cpu": "0.5", "memory": "256"}},
        "volumes": [],
        "secrets": [],
        "configmaps": [],
    }


_APPLICATION = {
    "apiVersion": "v4",
    "kind": "application",
    "metadata": {"name": "app-example", "namespace": DEFAULT_NAMESPACE, "labels": {"app": "app-example"}},
    "restartPolicy": {"policy": "OnFailure", "interval": 5, "backoff": 10, "maxtimes": 10},
    "killPolicy": {"gracePeriod": 10},
    "constraint": {"intersectionItem": [{"unionData": [{"name": "hostname", "operate": "UNIQUE"}]}]},
    "spec": {
        "instance": 1,
        "template": {
            "metadata": {"labels": {"app": "app-example"}},
            "spec": {"containers": [_container("docker.hub.com/example/app:v1", "http-port")],
                     "networkMode": "BRIDGE", "networkType": "cnm"},
        },
    },
}

_DEPLOYMENT = {
    "apiVersion": "v4",
    "kind": "deployment",
    "metadata": {"name": "deployment-example", "namespace": DEFAULT_NAMESPACE,
                 "labels": {"app": "deployment-example"}},
    "restartPolicy": {"policy": "Always", "interval": 5, "backoff": 10},
    "killPolicy": {"gracePeriod": 10},
    "constraint": {"intersectionItem": [{"unionData": [{"name": "hostname", "operate": "UNIQUE"}]}]},
    "spec": {
        "instance": 2,
        "selector": {"podname": "deployment-example"},
        "strategy": {
            "type": "RollingUpdate",
            "rollingupdate": {"maxUnavilable": 1, "maxSurge": 1, "upgradeDuration": 60,
                              "rollingOrder": "CreateFirst", "rollingManually": False},
        },
        "template": {
            "metadata": {"labels": {"podname": "deployment-example"}},
            "spec": {"containers": [_container("docker.hub.com/example/web:v1", "http-port")],
                     "networkMode": "BRIDGE", "networkType": "cnm"},
        },
    },
}

_CONFIGMAP = {
    "apiVersion": "v4",
    "kind": "configmap",
    "metadata": {"name": "configmap-example", "namespace": DEFAULT_NAMESPACE, "labels": {}},
    "datas": {
        # "config context", base64 (the server stores file items base64-encoded)
        "item-one": {"type": "file", "content": "Y29uZmlnIGNvbnRleHQ="},
    },
}

_SECRET = {
    "apiVersion": "v4",
    "kind": "secret",
    "metadata": {"name": "secret-example", "namespace": DEFAULT_NAMESPACE, "labels": {}},
    "type": "",
    "datas": {"secret-subkey": {"path": "SECRET_ENV_TEST", "content": "Y29uZmlnIGNvbnRleHQ="}},
}

_SERVICE = {
    "apiVersion": "v4",
    "kind": "service",
    "metadata": {"name": "service-example", "namespace": DEFAULT_NAMESPACE,
                 "labels": {"BCSGROUP": "external", "BCSBALANCE": "roundrobin"}},
    "spec": {
        "selector": {"app": "app-example"},
        "type": "ClusterIP",
        "clusterIP": [],
        "ports": [{"name": "http-8080", "domainName": "", "path": "/", "protocol": "http",
                   "servicePort": 80, "targetPort": 8080, "nodePort": 0}],
    },
}

_WEBHOOK = {
    "apiVersion": "v4",
    "kind": "admissionwebhook",
    "metadata": {"name": "webhook-example", "namespace": DEFAULT_NAMESPACE},
    "resourcesRef": {"operation": "Create", "kind": "application"},
    "admissionWebhooks": [{
        "name": "container-sidecar",
        "failurePolicy": "Ignore",
        "clientConfig": {"caBundle": "", "namespace": "sidecar-webhook-namespace",
                         "name": "sidecar-webhook-service", "path": "/mutate", "port": 443},
        "namespaceSelector": {"operator": "In", "values": [DEFAULT_NAMESPACE]},
    }],
}

_CRD = {
    "apiVersion": "v4",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.bkbcs.tencent.com"},
    "spec": {
        "group": "bkbcs.tencent.com",
        "versions": [{"name": "v1", "served": True, "storage": True}],
        "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab"},
    },
}

TEMPLATES: dict[str, dict[str, Any]] = {
    "applications": _APPLICATION,
    "deployments": _DEPLOYMENT,
    "configmaps": _CONFIGMAP,
    "secrets": _SECRET,
    "services": _SERVICE,
    "webhooks": _WEBHOOK,
    "crds": _CRD,
}


def template_for(kind: str, namespace: str | None = None, *, crd: Any = None) -> dict[str, Any]:
    """A fresh template for a list kind, in `namespace` (default `defaultGroup`). For custom
    resources, `crd` (the kube CRD JSON) gives the apiVersion and kind."""
    ns = namespace or DEFAULT_NAMESPACE
    if kind == "customresources":
        spec = (crd or {}).get("spec", {}) if isinstance(crd, dict) else {}
        group = spec.get("group", "example.com")
        versions = spec.get("versions") or [{"name": spec.get("version", "v1")}]
        version = versions[0].get("name", "v1") if isinstance(versions[0], dict) else "v1"
        cr_kind = (spec.get("names") or {}).get("kind", "Example")
        return {"apiVersion": f"{group}/{version}", "kind": cr_kind,
                "metadata": {"name": f"{cr_kind.lower()}-example", "namespace": ns}, "spec": {}}
    if kind not in TEMPLATES:
        raise KeyError(kind)
    out = copy.deepcopy(TEMPLATES[kind])
    if kind != "crds":
        out["metadata"]["namespace"] = ns
    if kind == "webhooks":
        out["admissionWebhooks"][0]["namespaceSelector"]["values"] = [ns]
    return out


def template_text(kind: str, namespace: str | None = None, *, crd: Any = None) -> str:
    return json.dumps(template_for(kind, namespace, crd=crd), indent=2, ensure_ascii=False)
