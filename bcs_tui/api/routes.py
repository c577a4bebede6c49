"""Every endpoint the console calls, in one table: method, path template, and what it writes.

A `Route` turns its parameters into the request path, quoting each segment once (`segment`).
No path is built anywhere else: the client plans requests from these routes
(`BcsClient.plan_*` -> `Request`), the confirmation renders the planned `Request`, and
`BcsClient.send` sends that same value.

Templates are relative to their base (`SCHEDULER` or the storage roots); `{name}` placeholders
are path segments. `writes` names what a write route changes ("" for a read); `kube` marks the
driver's Kubernetes proxy routes (raw kube JSON, no envelope).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bcs_tui.api.errors import InvalidRequest

SCHEDULER = "/bcsapi/v4/scheduler/mesos"
STORAGE_QUERY = "/bcsapi/v4/storage/query/mesos/dynamic/clusters"
STORAGE_INSPECT = "/bcsapi/v4/storage/mesos/dynamic/namespace_resources/clusters"

# How a placeholder is named in an error ("namespace is required").
_LABELS = {
    "ns": "namespace", "name": "name", "app": "application", "taskgroup": "taskgroup id",
    "version_id": "version id", "group": "group", "version": "version", "plural": "plural",
    "cluster": "cluster id", "kind": "kind", "instances": "instances", "route_kind": "kind",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def segment(value: Any, what: str) -> str:
    """A URL path segment: non-empty, no '/', percent-encoded (once, here)."""
    text = str(value) if value is not None else ""
    if not text or not text.strip():
        raise InvalidRequest([(what, "is required")], "request")
    if "/" in text:
        raise InvalidRequest([(what, f"must not contain '/' (got {text!r})")], "request")
    if text in (".", ".."):
        raise InvalidRequest([(what, f"is not a valid name (got {text!r})")], "request")
    return quote(text, safe="@:,=+-_.~")


@dataclass(frozen=True)
class Route:
    name: str  # the client method that uses it (snake_case of the API document's name)
    method: str
    template: str
    writes: str = ""  # what a write changes, in BCS words; "" = a read
    base: str = SCHEDULER
    kube: bool = False

    @property
    def is_write(self) -> bool:
        return bool(self.writes)

    def params(self) -> list[str]:
        return _PLACEHOLDER.findall(self.template)

    def path(self, **values: Any) -> str:
        """The request path with every placeholder quoted as one segment."""
        missing = [p for p in self.params() if p not in values]
        if missing:
            raise TypeError(f"route {self.name}: missing {', '.join(missing)}")

        def fill(match: re.Match[str]) -> str:
            key = match.group(1)
            return segment(values[key], _LABELS.get(key, key))

        return self.base + _PLACEHOLDER.sub(fill, self.template)


def _r(name: str, method: str, template: str, writes: str = "", **kw: Any) -> Route:
    return Route(name, method, template, writes, **kw)


APP = "/namespaces/{ns}/applications"
PROC = "/namespaces/{ns}/processes"
TG = APP + "/{app}/taskgroups/{taskgroup}"

ROUTE_LIST: tuple[Route, ...] = (
    # Applications (and process apps: the same driver handlers under /processes)
    _r("create_application", "POST", APP, "application"),
    _r("update_application", "PUT", APP, "application"),
    _r("rollback_application", "PUT", APP + "/rollback", "application"),
    _r("delete_application", "DELETE", APP + "/{name}", "application"),
    _r("scale_application", "PUT", APP + "/{name}/scale/{instances}", "application"),
    _r("fetch_application", "GET", APP + "/{name}"),
    _r("list_applications", "GET", APP),
    _r("create_process", "POST", PROC, "process"),
    _r("update_process", "PUT", PROC, "process"),
    _r("rollback_process", "PUT", PROC + "/rollback", "process"),
    _r("delete_process", "DELETE", PROC + "/{name}", "process"),
    _r("scale_process", "PUT", PROC + "/{name}/scale/{instances}", "process"),
    _r("fetch_process", "GET", PROC + "/{name}"),
    _r("list_processes", "GET", PROC),
    _r("list_taskgroups", "GET", APP + "/{app}/taskgroups"),
    _r("list_tasks", "GET", APP + "/{app}/tasks"),
    _r("list_versions", "GET", APP + "/{app}/versions"),
    _r("fetch_version", "GET", APP + "/{app}/versions/{version_id}"),
    _r("send_application_message", "POST", APP + "/{app}/message", "taskgroups of an application"),
    # Taskgroups
    _r("rescheduler_taskgroup", "PUT", TG + "/rescheduler", "taskgroup"),
    _r("restart_taskgroup", "POST", TG + "/restart", "taskgroup"),
    _r("reload_taskgroup", "POST", TG + "/reload", "taskgroup"),
    _r("send_taskgroup_message", "POST", TG + "/message", "taskgroup"),
    _r("commit_image", "POST", "/image/commit/{taskgroup}", "image"),
    # Configmaps, secrets, services
    _r("create_configmap", "POST", "/namespaces/{ns}/configmaps", "configmap"),
    _r("update_configmap", "PUT", "/namespaces/{ns}/configmaps", "configmap"),
    _r("delete_configmap", "DELETE", "/namespaces/{ns}/configmaps/{name}", "configmap"),
    _r("create_secret", "POST", "/namespaces/{ns}/secrets", "secret"),
    _r("update_secret", "PUT", "/namespaces/{ns}/secrets", "secret"),
    _r("delete_secret", "DELETE", "/namespaces/{ns}/secrets/{name}", "secret"),
    _r("create_service", "POST", "/namespaces/{ns}/services", "service"),
    _r("update_service", "PUT", "/namespaces/{ns}/services", "service"),
    _r("delete_service", "DELETE", "/namespaces/{ns}/services/{name}", "service"),
    # Cluster
    _r("get_cluster_resources", "GET", "/cluster/resources"),
    _r("get_cluster_endpoints", "GET", "/cluster/endpoints"),
    _r("get_cluster_offers", "GET", "/cluster/current/offers"),
    # Deployments
    _r("create_deployment", "POST", "/namespaces/{ns}/deployments", "deployment"),
    _r("update_deployment", "PUT", "/namespaces/{ns}/deployments", "deployment"),
    _r("cancel_update_deployment", "PUT", "/namespaces/{ns}/deployments/{name}/cancelupdate", "deployment"),
    _r("pause_update_deployment", "PUT", "/namespaces/{ns}/deployments/{name}/pauseupdate", "deployment"),
    _r("resume_update_deployment", "PUT", "/namespaces/{ns}/deployments/{name}/resumeupdate", "deployment"),
    _r("scale_deployment", "PUT", "/namespaces/{ns}/deployments/{name}/scale/{instances}", "deployment"),
    _r("delete_deployment", "DELETE", "/namespaces/{ns}/deployments/{name}", "deployment"),
    # Agent settings
    _r("get_agent_setting_list", "GET", "/agentsettings"),
    _r("set_agent_setting_list", "POST", "/agentsettings", "agent settings"),
    _r("delete_agent_setting_list", "DELETE", "/agentsettings", "agent settings"),
    _r("update_agent_setting_list", "POST", "/agentsettings/update", "agent settings"),
    _r("disable_agent_list", "POST", "/agentsettings/disable", "agent settings"),
    _r("enable_agent_list", "POST", "/agentsettings/enable", "agent settings"),
    _r("taint_agents", "PUT", "/agentsettings/taint", "agent taints"),
    _r("update_agent_extended_resource", "PUT", "/agentsettings/extendedresource", "agent extended resource"),
    # CRDs and custom resources (the driver's kube proxy)
    _r("create_crd", "POST", "/customresourcedefinitions", "CRD", kube=True),
    _r("list_crds", "GET", "/customresourcedefinitions", kube=True),
    _r("get_crd", "GET", "/customresourcedefinitions/{name}", kube=True),
    _r("update_crd", "PUT", "/customresourcedefinitions/{name}", "CRD", kube=True),
    _r("delete_crd", "DELETE", "/customresourcedefinitions/{name}", "CRD", kube=True),
    _r("create_custom_resource", "POST", "/customresources/{group}/{version}/namespaces/{ns}/{plural}",
       "custom resource", kube=True),
    _r("list_custom_resources", "GET", "/customresources/{group}/{version}/namespaces/{ns}/{plural}", kube=True),
    _r("list_all_custom_resources", "GET", "/customresources/{group}/{version}/{plural}", kube=True),
    _r("get_custom_resource", "GET", "/customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}",
       kube=True),
    _r("update_custom_resource", "PUT", "/customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}",
       "custom resource", kube=True),
    _r("delete_custom_resource", "DELETE", "/customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}",
       "custom resource", kube=True),
    # Definitions
    _r("get_deployment_definition", "GET", "/definition/deployment/{ns}/{name}"),
    _r("get_application_definition", "GET", "/definition/application/{ns}/{name}"),
    # Commands
    _r("send_command", "POST", "/command/{route_kind}/{ns}/{name}", "command"),
    _r("get_command", "GET", "/command/{route_kind}/{ns}/{name}"),
    _r("delete_command", "DELETE", "/command/{route_kind}/{ns}/{name}", "command record"),
    # Admission webhooks (driver routes; the document's `/crd/` prefix does not exist)
    _r("create_admission_webhook", "POST", "/namespaces/{ns}/admissionwebhook", "admission webhook"),
    _r("update_admission_webhook", "PUT", "/namespaces/{ns}/admissionwebhook", "admission webhook"),
    _r("get_admission_webhook", "GET", "/namespaces/{ns}/admissionwebhook/{name}"),
    _r("list_admission_webhooks", "GET", "/admissionwebhooks"),
    _r("delete_admission_webhook", "DELETE", "/namespaces/{ns}/admissionwebhook/{name}", "admission webhook"),
    # Transactions
    _r("list_transactions", "GET", "/transactions/{ns}"),
    _r("delete_transaction", "DELETE", "/transactions/{ns}/{name}", "transaction"),
    # Webconsole (a shell in a container; bcs_tui/api/webconsole.py, the driver forwards
    # /webconsole/{uri:*} to the agent's consoleproxy)
    _r("create_exec", "POST", "/webconsole/create_exec", "a shell session in a container"),
    _r("resize_exec", "POST", "/webconsole/resize_exec", "a shell session's terminal size"),
    # bcs-storage
    _r("storage_list_namespaces", "GET", "/{cluster}/namespace", base=STORAGE_QUERY),
    _r("storage_query", "POST", "/{cluster}/{kind}", base=STORAGE_QUERY),
    _r("storage_inspect", "GET", "/{cluster}/namespaces/{ns}/{kind}/{name}", base=STORAGE_INSPECT),
)

ROUTES: dict[str, Route] = {r.name: r for r in ROUTE_LIST}
WRITE_ROUTES: tuple[Route, ...] = tuple(r for r in ROUTE_LIST if r.is_write)


def route(name: str) -> Route:
    return ROUTES[name]
