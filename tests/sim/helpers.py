"""Request bodies for simulator tests (written here, never read from ../shared)."""

from __future__ import annotations

import copy


def app_body(name: str, ns: str = "qa", *, instances: int = 2, image: str = "hub.local/qa/web:1.0",
             cpu: str = "0.5", memory: str = "256", tolerate: dict | None = None,
             constraint: list | None = None) -> dict:
    items = list(constraint or [])
    for k, v in (tolerate or {}).items():
        items.append({"unionData": [{"name": k, "operate": "TOLERATION", "type": 3,
                                     "text": {"value": v}}]})
    return {"apiVersion": "v4", "kind": "application",
            "restartPolicy": {"policy": "OnFailure"}, "killPolicy": {"gracePeriod": 5},
            "constraint": {"intersectionItem": items},
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"instance": instances, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"networkMode": "BRIDGE", "containers": [{
                    "type": "MESOS", "image": image, "command": "/app/start.sh", "args": [],
                    "env": [{"name": "MODE", "value": "qa"}],
                    "ports": [{"containerPort": 8080, "hostPort": 0, "name": "http",
                               "protocol": "HTTP"}],
                    "resources": {"limits": {"cpu": cpu, "memory": memory}}}]}}}}


def deployment_body(name: str, ns: str = "qa", *, instances: int = 4,
                    image: str = "hub.local/qa/web:1.0", surge: int = 1, unavailable: int = 1,
                    manual: bool = False, duration: int = 0, order: str = "CreateFirst",
                    cpu: str = "0.5", selector: dict | None = None,
                    template: bool = True) -> dict:
    app = app_body(name, ns, instances=instances, image=image, cpu=cpu)
    body = {"apiVersion": "v4", "kind": "deployment",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "restartPolicy": {"policy": "OnFailure"}, "killPolicy": {"gracePeriod": 5},
            "spec": {"instance": instances, "selector": selector or {"app": name},
                     "strategy": {"type": "RollingUpdate", "rollingupdate": {
                         "maxUnavilable": unavailable, "maxSurge": surge,
                         "upgradeDuration": duration, "rollingOrder": order,
                         "rollingManually": manual}}}}
    if template:
        body["spec"]["template"] = copy.deepcopy(app["spec"]["template"])
    return body
