"""The admission webhooks kind."""

from __future__ import annotations

from typing import Any

from bcs_tui.api import models as m
from bcs_tui.resources.definitions import strip_server_fields
from bcs_tui.resources.writes import body_namespace, Editable, ManifestSpec, ns_name, Write, WriteScope
from bcs_tui.resources.base import to_jsonable, col, FetchEnv, g, NS_COL, object_name, object_namespace, ResourceKind, RUNNING, Scope

# ---------------------------------------------------------------------------------------------
# Admission webhooks


def _hooks(o: Any) -> list[Any]:
    return list(g(o, "admission_webhooks", "admissionWebhooks", "AdmissionWebhooks", default=[]) or [])


def _ref(o: Any) -> Any:
    return g(o, "resources_ref", "resourcesRef", "ResourcesRef")


async def fetch_webhooks(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: list admission webhooks."""
    hooks = list(await env.client.list_admission_webhooks() or [])
    if scope.namespace:
        hooks = [h for h in hooks if object_namespace(h) == scope.namespace]
    return hooks


def _hook_endpoint(hook: Any) -> str:
    """The webhook's URL, or the service it calls (`name.namespace:port/path`)."""
    cc = g(hook, "client_config", "clientConfig", "ClientConfig")
    url = g(cc, "url", "Url", default="")
    if url:
        return str(url)
    name, ns = g(cc, "name", "Name", default=""), g(cc, "namespace", "Namespace", default="")
    if not name:
        return ""
    port, path = g(cc, "port", "Port", default=0), g(cc, "path", "Path", default="")
    return f"{name}.{ns}" + (f":{port}" if port else "") + str(path or "")


async def _editable(client: Any, obj: Any, scope: WriteScope) -> Editable:
    hook = await client.get_admission_webhook(*ns_name(obj))
    return Editable(strip_server_fields(to_jsonable(hook)), "admission webhook")


WEBHOOK_WRITES = {
    "edit": Write(lambda client, o, scope, *, body, **_: client.plan_admission_webhook("PUT", object_namespace(o), body)),
    "create": Write(lambda client, o, scope, *, body: client.plan_admission_webhook("POST", body_namespace(body), body)),
    "delete": Write(lambda client, o, scope: client.plan_delete_admission_webhook(*ns_name(o))),
}


WEBHOOKS = ResourceKind(
    name="webhooks",
    title="Admission webhooks",
    aliases=("webhook", "admissionwebhook", "wh"),
    columns=(
        NS_COL,
        col("NAME", lambda o, rc: object_name(o)),
        col("OPERATION", lambda o, rc: g(_ref(o), "operation", "Operation")),
        col("KIND", lambda o, rc: g(_ref(o), "kind", "Kind")),
        col("HOOKS", lambda o, rc: ",".join(str(g(h, "name", "Name", default="")) for h in _hooks(o))),
        col("FAILURE", lambda o, rc: ",".join(sorted({str(g(h, "failure_policy", "failurePolicy", "FailurePolicy", default=""))
                                                      for h in _hooks(o)}))),
        col("ENDPOINT", lambda o, rc: ",".join(_hook_endpoint(h) for h in _hooks(o))),
    ),
    fetch=fetch_webhooks,
    row_key=lambda o: f"{object_namespace(o)}/{object_name(o)}",
    status=lambda o: RUNNING,
    is_bad=lambda o: False,
    namespaced=True,
    noun="admission webhook",
    writes=WEBHOOK_WRITES,
    manifest=ManifestSpec(kinds=("admissionwebhook",), model=m.AdmissionWebhookRequest, load=_editable,
                          template="webhooks"),
)
