"""CRDs and custom resources, answered the way the driver's kube proxy does: raw kube JSON,
kube HTTP status codes, `Status` objects for errors, and the first `apiextensions.k8s.io/v1beta1`
of a CRD answer rewritten to `v4`."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone
from typing import Any

from bcs_tui.sim.errors import KubeStatusError

CRD_API = "apiextensions.k8s.io/v1beta1"
CRD_GROUP = "apiextensions.k8s.io"


def _kube_time(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class KubeMixin:
    def _init_kube(self) -> None:
        self.crds: dict[str, dict] = {}
        self.custom_resources: dict[tuple[str, str, str], dict] = {}  # (crd name, ns, name)
        self._resource_version = 1000

    def _rv(self) -> str:
        self._resource_version += 1
        return str(self._resource_version)

    def _uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # ------------------------------------------------------------------ CRDs

    @staticmethod
    def _v4(obj: dict) -> dict:
        out = copy.deepcopy(obj)
        if out.get("apiVersion") == CRD_API:
            out["apiVersion"] = "v4"
        return out

    def list_crds(self) -> tuple[int, dict]:
        """GET /customresourcedefinitions"""
        return 200, {"kind": "CustomResourceDefinitionList", "apiVersion": "v4",
                     "metadata": {"selfLink": f"/apis/{CRD_API}/customresourcedefinitions",
                                  "resourceVersion": str(self._resource_version)},
                     "items": [copy.deepcopy(c) for _, c in sorted(self.crds.items())]}

    def get_crd(self, name: str) -> tuple[int, dict]:
        crd = self.crds.get(name)
        if crd is None:
            raise KubeStatusError(404, f'customresourcedefinitions.{CRD_GROUP} "{name}" not found',
                                  name=name, group=CRD_GROUP, kind="customresourcedefinitions")
        return 200, self._v4(crd)

    def _validate_crd(self, body: Any) -> dict:
        if not isinstance(body, dict):
            raise KubeStatusError(400, "the object provided is unrecognized (must be of type "
                                       "CustomResourceDefinition)")
        if body.get("kind") != "CustomResourceDefinition":
            raise KubeStatusError(400, f"the object provided is unrecognized (must be of type "
                                       f"CustomResourceDefinition): kind {body.get('kind')!r}")
        meta = body.get("metadata") or {}
        spec = body.get("spec") or {}
        names = spec.get("names") or {} if isinstance(spec, dict) else {}
        name = meta.get("name", "") if isinstance(meta, dict) else ""
        group = spec.get("group", "") if isinstance(spec, dict) else ""
        plural = names.get("plural", "") if isinstance(names, dict) else ""
        problems = []
        if not plural:
            problems.append("spec.names.plural: Required value")
        if not names.get("kind") if isinstance(names, dict) else True:
            problems.append("spec.names.kind: Required value")
        if not group:
            problems.append("spec.group: Required value")
        if name != f"{plural}.{group}":
            problems.append(f'metadata.name: Invalid value: "{name}": must be spec.names.plural+"."'
                            f'+spec.group')
        if problems:
            raise KubeStatusError(422, f'CustomResourceDefinition.{CRD_GROUP} "{name}" is invalid: '
                                       + ", ".join(problems), name=name, group=CRD_GROUP,
                                  kind="CustomResourceDefinition")
        return body

    def create_crd(self, body: Any) -> tuple[int, dict]:
        """POST /customresourcedefinitions (the driver rewrites apiVersion to v1beta1)."""
        body = copy.deepcopy(self._validate_crd(body))
        name = body["metadata"]["name"]
        if name in self.crds:
            raise KubeStatusError(409, f'customresourcedefinitions.{CRD_GROUP} "{name}" already exists',
                                  name=name, group=CRD_GROUP, kind="customresourcedefinitions")
        body["apiVersion"] = CRD_API
        meta = body["metadata"]
        meta.update(uid=self._uid(), resourceVersion=self._rv(), generation=1,
                    creationTimestamp=_kube_time(self.now()),
                    selfLink=f"/apis/{CRD_API}/customresourcedefinitions/{name}")
        spec = body["spec"]
        spec.setdefault("scope", "Namespaced")
        if not spec.get("version") and spec.get("versions"):
            spec["version"] = spec["versions"][0].get("name", "v1")
        body["status"] = {"conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
             "message": "no conflicts found", "lastTransitionTime": _kube_time(self.now())},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted",
             "lastTransitionTime": _kube_time(self.now())}],
            "acceptedNames": copy.deepcopy(spec.get("names") or {}), "storedVersions": [spec["version"]]}
        self.crds[name] = body
        return 201, self._v4(body)

    def update_crd(self, name: str, body: Any) -> tuple[int, dict]:
        """PUT /customresourcedefinitions/{name}"""
        if name not in self.crds:
            self.get_crd(name)
        body = copy.deepcopy(self._validate_crd(body))
        if body["metadata"]["name"] != name:
            raise KubeStatusError(400, "the name of the object does not match the name on the URL")
        old = self.crds[name]
        body["apiVersion"] = CRD_API
        meta = body["metadata"]
        for k in ("uid", "creationTimestamp", "selfLink"):
            meta[k] = old["metadata"][k]
        meta["resourceVersion"] = self._rv()
        meta["generation"] = old["metadata"].get("generation", 1) + 1
        body["status"] = old.get("status", {})
        self.crds[name] = body
        return 200, self._v4(body)

    def delete_crd(self, name: str) -> tuple[int, dict]:
        """DELETE /customresourcedefinitions/{name} (its custom resources go with it)."""
        status, _ = self.get_crd(name)
        crd = self.crds.pop(name)
        for key in [k for k in self.custom_resources if k[0] == name]:
            del self.custom_resources[key]
        out = self._v4(crd)
        out["metadata"]["deletionTimestamp"] = _kube_time(self.now())
        return 200, out

    # ------------------------------------------------------------------ custom resources

    def _crd_for(self, group: str, version: str, plural: str) -> dict:
        crd = self.crds.get(f"{plural}.{group}")
        versions = []
        if crd is not None:
            spec = crd["spec"]
            versions = [v.get("name") for v in spec.get("versions") or [] if v.get("served", True)]
            if spec.get("version"):
                versions.append(spec["version"])
        if crd is None or version not in versions:
            raise KubeStatusError(404, "the server could not find the requested resource")
        return crd

    def custom_resource(self, method: str, group: str, version: str, ns: str | None, plural: str,
                        name: str | None, body: Any) -> tuple[int, dict]:
        """/customresources/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}]"""
        crd = self._crd_for(group, version, plural)
        kind = crd["spec"]["names"]["kind"]
        crd_name = crd["metadata"]["name"]
        api = f"{group}/{version}"
        if method == "GET" and name is None:
            items = [copy.deepcopy(o) for (c, n, _), o in sorted(self.custom_resources.items())
                     if c == crd_name and (ns is None or n == ns)]
            return 200, {"apiVersion": api, "kind": f"{kind}List", "items": items,
                         "metadata": {"continue": "", "resourceVersion": str(self._resource_version),
                                      "selfLink": f"/apis/{api}/{plural}"}}
        if method == "POST":
            if name is not None or ns is None:
                raise KubeStatusError(405, "the server does not allow this method on the requested "
                                           "resource")
            obj = self._validate_cr(body, api, kind, ns, None)
            key = (crd_name, ns, obj["metadata"]["name"])
            if key in self.custom_resources:
                raise KubeStatusError(409, f'{plural}.{group} "{key[2]}" already exists',
                                      name=key[2], group=group, kind=plural)
            meta = obj["metadata"]
            meta.update(namespace=ns, uid=self._uid(), resourceVersion=self._rv(), generation=1,
                        creationTimestamp=_kube_time(self.now()),
                        selfLink=f"/apis/{api}/namespaces/{ns}/{plural}/{meta['name']}")
            self.custom_resources[key] = obj
            return 201, copy.deepcopy(obj)
        if name is None or ns is None:
            raise KubeStatusError(405, "the server does not allow this method on the requested "
                                       "resource")
        key = (crd_name, ns, name)
        old = self.custom_resources.get(key)
        if old is None:
            raise KubeStatusError(404, f'{plural}.{group} "{name}" not found', name=name,
                                  group=group, kind=plural)
        if method == "GET":
            return 200, copy.deepcopy(old)
        if method == "PUT":
            obj = self._validate_cr(body, api, kind, ns, name)
            meta = obj["metadata"]
            for k in ("uid", "creationTimestamp", "selfLink", "namespace"):
                meta[k] = old["metadata"][k]
            meta["resourceVersion"] = self._rv()
            meta["generation"] = old["metadata"].get("generation", 1) + 1
            self.custom_resources[key] = obj
            return 200, copy.deepcopy(obj)
        if method == "DELETE":
            del self.custom_resources[key]
            return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                         "details": {"name": name, "group": group, "kind": plural,
                                     "uid": old["metadata"]["uid"]}}
        raise KubeStatusError(405, "the server does not allow this method on the requested resource")

    @staticmethod
    def _validate_cr(body: Any, api: str, kind: str, ns: str, name: str | None) -> dict:
        if not isinstance(body, dict):
            raise KubeStatusError(400, "the object provided is unrecognized")
        if body.get("kind") != kind or body.get("apiVersion") != api:
            raise KubeStatusError(400, f"the API version in the data ({body.get('apiVersion')}) does "
                                       f"not match the expected API version ({api})"
                                  if body.get("apiVersion") != api else
                                  f"the object provided is unrecognized (must be of type {kind})")
        meta = body.get("metadata")
        if not isinstance(meta, dict) or not meta.get("name"):
            raise KubeStatusError(422, f"{kind} is invalid: metadata.name: Required value")
        if name is not None and meta["name"] != name:
            raise KubeStatusError(400, "the name of the object does not match the name on the URL")
        if meta.get("namespace") not in (None, "", ns):
            raise KubeStatusError(400, "the namespace of the provided object does not match the "
                                       "namespace sent on the request")
        return copy.deepcopy(body)
