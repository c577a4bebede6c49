"""Write operations from the keyboard: one handler per dangerous action of bcs_tui/actions.py,
plus `versions` (list, diff, roll back) and `rollout_view` (follow a deployment live).

The browser calls `await app.operations.run(action_id, ActionContext(...))`. Every write goes
input modal -> validation (nothing sent on bad input) -> a confirmation naming the target(s)
and showing the exact request(s) -> send -> a result per target (a flash; a results modal for
bulk actions and for outcomes that are unknown because the request timed out). Read-only
contexts are refused before any modal opens (the client refuses as well). The client audits
every write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from rich.text import Text

from bcs_tui.actions import ACTIONS_BY_ID
from bcs_tui.resources import (
    IssuedCommand,
    crd_group,
    crd_plural,
    crd_versions,
    g,
    object_name,
    object_namespace,
    tg_app,
    tg_id,
    tg_tasks,
    to_jsonable,
)
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.diff import render_diff
from bcs_tui.ui.modals.form import Field, FormModal
from bcs_tui.ui.modals.manifest import ManifestEditor, ManifestResult, manifest_text
from bcs_tui.ui.modals.plan import PlannedRequest, fingerprint_secrets
from bcs_tui.ui.modals.results import FAILED, OK, UNKNOWN, OpResult, ResultsModal, outcome_counts
from bcs_tui.ui.textsafe import one_line
from bcs_tui.ui.templates import template_text
from bcs_tui.ui.validators import (
    COMMON_SIGNALS,
    SIGNAL_NAMES,
    InvalidInput,
    ManifestRules,
    format_attributes,
    format_taints,
    looks_like_shell,
    parse_attributes,
    parse_command,
    parse_env,
    parse_instances,
    parse_seconds,
    parse_signal,
    parse_taints,
    signal_label,
    validate_image,
    validate_process_name,
    validate_user,
    validate_workdir,
)

log = logging.getLogger(__name__)

SCHEDULER = "/bcsapi/v4/scheduler/mesos"
DEFAULT_RESERVE_MINUTES = 60


@dataclass
class ActionContext:
    """What the browser hands to `Operations.run`.

    `kind`: the ResourceKind name of the list (or "rollout" from the rollout view);
    `namespace`: the view's namespace (None = all or not namespaced); `targets`: the model
    objects of the marked rows, or the cursor row; `screen`: the screen the action came from
    (has `refresh_now()`); `parent`: the object the list was opened from (the application of a
    taskgroup list, the CRD of a custom resource list ...), or None."""

    kind: str
    namespace: str | None
    targets: list
    screen: Any
    parent: Any = None


# Words used in titles and result lines, per list kind.
NOUNS = {
    "applications": "application", "deployments": "deployment", "taskgroups": "taskgroup",
    "configmaps": "configmap", "secrets": "secret", "services": "service", "webhooks": "admission webhook",
    "crds": "CRD", "customresources": "custom resource", "agents": "agent", "commands": "command",
    "versions": "version", "rollout": "deployment", "processes": "process",
}

# What a manifest's `kind` must be for each list kind (the driver checks it exactly).
MANIFEST_KINDS = {
    "applications": ("application",), "deployments": ("deployment",), "configmaps": ("configmap",),
    "secrets": ("secret",), "services": ("service",), "webhooks": ("admissionwebhook",),
    "crds": ("CustomResourceDefinition",),
}


def _request_model(kind: str, update: bool = False) -> Any:
    from bcs_tui.api import models as m

    return {
        "applications": m.ReplicaController,
        "deployments": m.DeploymentUpdateRequest if update else m.DeploymentRequest,
        "configmaps": m.ConfigMapRequest,
        "secrets": m.SecretRequest,
        "services": m.ServiceRequest,
        "webhooks": m.AdmissionWebhookRequest,
        "crds": m.CrdRequest,
        "customresources": m.CustomResourceRequest,
    }.get(kind)


def _err_text(exc: BaseException) -> str:
    return one_line(getattr(exc, "message", None) or str(exc) or type(exc).__name__, 300)


class Cancelled(Exception):
    """The user backed out of an operation: nothing was sent."""


class Operations:
    """Runs write actions (and `versions`, `rollout_view`) for the app."""

    def __init__(self, app: Any) -> None:
        self.app = app

    # ------------------------------------------------------------------ entry point

    async def run(self, action_id: str, ctx: ActionContext) -> Any:
        """Start `action_id` on `ctx` in a worker (modals need one) and return the worker.
        Read-only contexts are refused here, before any modal opens."""
        action = ACTIONS_BY_ID.get(action_id)
        handler = getattr(self, f"op_{action_id}", None)
        if action is None or handler is None:
            self.flash(f"unknown action {action_id!r}", "error")
            return None
        if action.dangerous and self.app.read_only:
            self.flash(f"{action.description}: refused, this context is read-only (nothing sent)", "error")
            return None
        if not ctx.targets and action_id not in ("create",):
            self.flash(f"{action.description}: nothing selected", "warning")
            return None
        return self.app.run_worker(self._guarded(action.description, handler, ctx), group="operations",
                                   exit_on_error=False)

    async def _guarded(self, description: str, handler: Callable[[ActionContext], Awaitable[None]],
                       ctx: ActionContext) -> None:
        from bcs_tui.api.errors import BcsError

        try:
            if ctx.kind == "customresources" and isinstance(ctx.parent, str):
                ctx.parent = await self._find_crd(ctx.parent)
            await handler(ctx)
        except Cancelled:
            self.flash(f"{description}: cancelled, nothing sent")
        except InvalidInput as exc:
            self.flash(f"{description}: {exc.describe()} (nothing sent)", "error")
        except BcsError as exc:
            self.flash(f"{description}: {_err_text(exc)}", "error")
        except Exception as exc:  # a bug must not take the app down; say what happened
            log.exception("operation %s failed", description)
            self.flash(f"{description} failed: {_err_text(exc)}", "error")

    # ------------------------------------------------------------------ helpers

    async def _find_crd(self, wanted: str) -> Any:
        """The CRD of a custom resource list opened by name at the prompt (`cr NAME`)."""
        for crd in await self.client.list_crds() or []:
            names = g(g(crd, "spec"), "names", default={}) or {}
            if wanted in (object_name(crd), g(names, "plural"), g(names, "singular")) or \
                    str(g(names, "kind", default="")).lower() == wanted.lower():
                return crd
        raise InvalidInput(f"no CRD named {wanted!r} (see :crd)")

    @property
    def client(self) -> Any:
        return self.app.client

    def flash(self, message: str, severity: str = "information") -> None:
        flash = getattr(self.app, "flash", None)
        if callable(flash):
            flash(message, severity)
        else:
            self.app.notify(one_line(message, 400), severity=severity, markup=False)

    async def ask(self, screen: Any) -> Any:
        return await self.app.push_screen_wait(screen)

    async def form(self, title: str, fields: list[Field], validate: Callable[[dict], Any], **kw: Any) -> Any:
        result = await self.ask(FormModal(title, fields, validate, **kw))
        if result is None:
            raise Cancelled()
        return result

    def refresh(self, ctx: ActionContext) -> None:
        refresh_now = getattr(ctx.screen, "refresh_now", None)
        if callable(refresh_now):
            try:
                refresh_now()
            except Exception:  # the screen may be gone by now
                log.debug("refresh after operation failed", exc_info=True)

    def single(self, ctx: ActionContext, what: str) -> Any:
        """The one object a single-target action works on: the only target, or, when rows are
        marked, the cursor row (said in a flash, so nobody wonders which one)."""
        if len(ctx.targets) == 1:
            return ctx.targets[0]
        current = getattr(ctx.screen, "current_object", None)
        obj = current() if callable(current) else None
        if obj is None:
            obj = ctx.targets[0]
        self.flash(f"{what} works on one object at a time: {self.label(ctx.kind, obj)} (the cursor row)",
                   "warning")
        return obj

    @staticmethod
    def label(kind: str, obj: Any) -> str:
        noun = NOUNS.get(kind, kind)
        ns = object_namespace(obj)
        return f"{noun} {ns}/{object_name(obj)}" if ns else f"{noun} {object_name(obj)}"

    async def execute(self, ctx: ActionContext, title: str, requests: list[PlannedRequest], *,
                      verb: str, typed: str | None = None, details: Any = None, note: str = "",
                      describe_result: Callable[[PlannedRequest, Any], tuple[str, list[str] | None]] | None = None,
                      ) -> list[OpResult]:
        """Confirm, send each request in order, report a result per target, refresh the view."""
        if not requests:
            raise InvalidInput("nothing to send")
        if self.app.settings.production:
            note = ("PRODUCTION context. " + note).strip()
        if not await self.ask(ConfirmModal(title, requests, typed=typed, details=details, note=note)):
            raise Cancelled()
        results = [await self._send_one(req, verb, describe_result) for req in requests]
        self.report(verb, results)
        self.refresh(ctx)
        return results

    async def _send_one(self, req: PlannedRequest, verb: str,
                        describe_result: Callable[[PlannedRequest, Any], tuple[str, list[str] | None]] | None,
                        ) -> OpResult:
        from bcs_tui.api.errors import BcsError, WriteOutcomeUnknown

        try:
            answer = await req.send()
        except WriteOutcomeUnknown as exc:
            return OpResult(req.target, UNKNOWN, _err_text(exc), recheck=req.recheck)
        except BcsError as exc:
            return OpResult(req.target, FAILED, _err_text(exc))
        message, detail = (describe_result(req, answer) if describe_result else (verb, None))
        return OpResult(req.target, FAILED if detail else OK, message, detail=detail)

    def report(self, verb: str, results: list[OpResult]) -> None:
        if len(results) == 1 and results[0].outcome != UNKNOWN and not results[0].detail:
            res = results[0]
            if res.outcome == OK:
                self.flash(f"{res.target}: {res.message}")
            else:
                self.flash(f"{res.target}: {verb} failed: {res.message}", "error")
            return
        bad = any(r.outcome != OK for r in results)
        self.flash(f"{verb}: {outcome_counts(results)}", "error" if bad else "information")
        self.app.push_screen(ResultsModal(verb.capitalize() if verb else "Results", results))

    # --- re-check (offered when a write timed out) -----------------------------------------

    def _recheck_storage(self, kind: str, ns: str, name: str) -> Callable[[], Awaitable[str]]:
        async def recheck() -> str:
            obj = await self.client.storage_inspect(kind, ns, name)
            data = g(obj, "data", default=obj)
            status = g(data, "status", default="")
            instances = g(data, "instance", default=None)
            running = g(data, "running_instance", default=None)
            parts = [f"status {status}" if status else "present"]
            if instances is not None:
                parts.append(f"{running}/{instances} running")
            message = g(data, "message", default="")
            if message:
                parts.append(one_line(message, 80))
            return ", ".join(parts)

        return recheck

    def _recheck_agents(self, ips: list[str]) -> Callable[[], Awaitable[str]]:
        async def recheck() -> str:
            settings = await self.client.get_agent_setting_list(ips)
            return "; ".join(f"{g(s, 'inner_ip')}: disabled={g(s, 'disabled', default=False)}, "
                             f"taints={format_taints(dict(g(s, 'no_schedule', default={}) or {})) or 'none'}"
                             for s in settings) or "no setting records"

        return recheck

    # ------------------------------------------------------------------ scale

    async def op_scale(self, ctx: ActionContext) -> None:
        targets = ctx.targets
        deployments = ctx.kind in ("deployments", "rollout")

        def current(obj: Any) -> Any:
            if deployments:
                return g(g(obj, "application"), "curr_target_instances", default="?")
            return g(obj, "instance", "define_instances", default="?")

        intro = Text("\n".join(f"{self.label(ctx.kind, t)}: now {current(t)} instances" for t in targets[:20]))
        first = current(targets[0])
        n = await self.form(
            f"Scale {len(targets)} {NOUNS[ctx.kind]}(s)" if len(targets) > 1 else f"Scale {self.label(ctx.kind, targets[0])}",
            [Field("instances", "Instances", value=str(first) if str(first).isdigit() else "",
                   hint="a whole number from 1 to 10,000")],
            lambda v: parse_instances(v["instances"]), intro=intro)
        requests = []
        for obj in targets:
            ns, name = object_namespace(obj), object_name(obj)
            if deployments:
                path = f"{SCHEDULER}/namespaces/{ns}/deployments/{name}/scale/{n}"
                send = (lambda ns=ns, name=name: self.client.scale_deployment(ns, name, n))  # noqa: E731
                recheck = self._recheck_storage("deployment", ns, name)
            else:
                path = f"{SCHEDULER}/namespaces/{ns}/applications/{name}/scale/{n}"
                send = (lambda ns=ns, name=name: self.client.scale_application(ns, name, n))  # noqa: E731
                recheck = self._recheck_storage("application", ns, name)
            requests.append(PlannedRequest(self.label(ctx.kind, obj), "PUT", path, send, recheck=recheck))
        await self.execute(ctx, f"Scale to {n} instances?", requests, verb=f"scaled to {n}")

    # ------------------------------------------------------------------ deployments: pause / resume / cancel

    async def _deployment_op(self, ctx: ActionContext, op: str, verb: str, method_name: str,
                             title_verb: str) -> None:
        requests = []
        for obj in ctx.targets:
            ns, name = object_namespace(obj), object_name(obj)
            method = getattr(self.client, method_name)
            requests.append(PlannedRequest(
                self.label("deployments", obj), "PUT", f"{SCHEDULER}/namespaces/{ns}/deployments/{name}/{op}",
                lambda method=method, ns=ns, name=name: method(ns, name),
                recheck=self._recheck_storage("deployment", ns, name)))
        what = (f"deployment {object_namespace(ctx.targets[0])}/{object_name(ctx.targets[0])}"
                if len(requests) == 1 else f"{len(requests)} deployments")
        title = f"{title_verb} the rolling update of {what}?"
        await self.execute(ctx, title, requests, verb=verb)

    async def op_pause(self, ctx: ActionContext) -> None:
        await self._deployment_op(ctx, "pauseupdate", "paused", "pause_update_deployment", "Pause")

    async def op_resume(self, ctx: ActionContext) -> None:
        await self._deployment_op(ctx, "resumeupdate", "resumed", "resume_update_deployment", "Resume")

    async def op_cancel(self, ctx: ActionContext) -> None:
        await self._deployment_op(ctx, "cancelupdate", "cancelled", "cancel_update_deployment",
                                  "Cancel (roll back)")

    # ------------------------------------------------------------------ definitions

    async def live_definition(self, kind: str, obj: Any, parent: Any = None) -> tuple[dict, str]:
        """The object's current definition as a request manifest, and where it came from."""
        from bcs_tui.api.errors import ApiError

        ns, name = object_namespace(obj), object_name(obj)
        if kind == "applications":
            try:
                return await self.client.get_application_definition(ns, name), "definition"
            except ApiError as exc:
                if "not exist" not in exc.server_message and not exc.not_found:
                    raise
            return await self.definition_from_version(ns, name), "rebuilt from the newest version"
        if kind in ("deployments", "rollout"):
            try:
                return await self.client.get_deployment_definition(ns, name), "definition"
            except ApiError as exc:
                raw = g(obj, "raw_json")
                if not raw or ("not exist" not in exc.server_message and not exc.not_found):
                    raise
                return to_jsonable(raw), "the deployment's stored raw_json"
        if kind == "webhooks":
            hook = await self.client.get_admission_webhook(ns, name)
            return _strip_server_fields(to_jsonable(hook)), "admission webhook"
        if kind == "crds":
            return await self.client.get_crd(name), "CRD"
        if kind == "customresources":
            group, version, plural = _cr_coords(parent, obj)
            return await self.client.get_custom_resource(group, version, plural, ns, name), "custom resource"
        # configmaps, secrets, services: the storage object is the request shape
        data = to_jsonable(g(obj, "data", default=obj))
        return _strip_server_fields(data, kind), "storage"

    async def definition_from_version(self, ns: str, name: str, version_id: str | None = None) -> dict:
        """A ReplicaController rebuilt from a saved version (for apps without a stored
        definition, e.g. made by a deployment): its raw_json when present, else from fields."""
        if version_id is None:
            ids = [str(v) for v in await self.client.list_versions(ns, name) or []]
            if not ids:
                raise InvalidInput(f"application {ns}/{name} has no definition and no saved version")
            version_id = max(ids)
        version = await self.client.fetch_version(ns, name, version_id)
        return version_definition(version, ns, name)

    # ------------------------------------------------------------------ edit / update_resource / create

    def _rules(self, kind: str, ns: str | None, name: str | None, update: bool) -> ManifestRules:
        return ManifestRules(
            kinds=MANIFEST_KINDS.get(kind, ()),
            namespace=ns,
            name=name,
            model=_request_model(kind, update),
            require_namespace=kind not in ("crds",),
            dots_allowed=kind in ("crds", "customresources"),
            namespaced=kind not in ("crds",),
        )

    async def op_edit(self, ctx: ActionContext, *, only_resource: bool = False) -> None:
        kind = "deployments" if ctx.kind == "rollout" else ctx.kind
        obj = self.single(ctx, "Update resources" if only_resource else "Edit")
        ns, name = object_namespace(obj), object_name(obj)
        live, source = await self.live_definition(kind, obj, ctx.parent)
        what = "Update resources of" if only_resource else "Edit"
        note = f"Starting from the {source}."
        if only_resource:
            note += " Only resources (cpu / memory) may change: metadata, selector and strategy must stay."
        if kind == "secrets":
            note += " Secret contents are shown here; they are masked in the confirmation."
        result: ManifestResult | None = await self.ask(ManifestEditor(
            f"{what} {self.label(kind, obj)}", manifest_text(live),
            self._rules(kind, ns if kind != "crds" else None, name, update=True), note=note))
        if result is None:
            raise Cancelled()
        request = self._update_request(kind, obj, result.data, only_resource, ctx.parent)
        if kind == "secrets":  # the confirmation shows which values change, not the values
            details = render_diff(fingerprint_secrets(live), fingerprint_secrets(result.data),
                                  old_label=f"live ({source})", new_label="edited")
        else:
            details = render_diff(live, result.data, old_label=f"live ({source})", new_label="edited")
        title = f"{what} {self.label(kind, obj)}?"
        if kind == "deployments" and not only_resource:
            title = f"Update deployment {ns}/{name}? This starts a rolling update."
        await self.execute(ctx, title, [request], verb="updated", details=details)

    async def op_update_resource(self, ctx: ActionContext) -> None:
        await self.op_edit(ctx, only_resource=True)

    def _update_request(self, kind: str, obj: Any, body: dict, only_resource: bool, parent: Any) -> PlannedRequest:
        ns, name = object_namespace(obj), object_name(obj)
        target = self.label(kind, obj)
        note = "the edited manifest (diff above)"
        mask = kind == "secrets"
        c = self.client
        if kind == "applications":
            query = {"args": "resource"} if only_resource else {"instances": str(g(body.get("spec"), "instance", default=""))}
            return PlannedRequest(target, "PUT", f"{SCHEDULER}/namespaces/{ns}/applications",
                                  lambda: c.update_application(ns, body, only_resource=only_resource),
                                  query=query, body=body, body_note=note,
                                  recheck=self._recheck_storage("application", ns, name))
        if kind == "deployments":
            return PlannedRequest(target, "PUT", f"{SCHEDULER}/namespaces/{ns}/deployments",
                                  lambda: c.update_deployment(ns, body, only_resource=only_resource),
                                  query={"args": "resource"} if only_resource else {}, body=body, body_note=note,
                                  recheck=self._recheck_storage("deployment", ns, name))
        if kind in ("configmaps", "secrets", "services"):
            method = getattr(c, f"update_{kind[:-1]}")
            return PlannedRequest(target, "PUT", f"{SCHEDULER}/namespaces/{ns}/{kind}",
                                  lambda: method(ns, body), body=body, mask_body=mask,
                                  body_note="" if mask else note,
                                  recheck=self._recheck_storage(kind[:-1], ns, name))
        if kind == "webhooks":
            return PlannedRequest(target, "PUT", f"{SCHEDULER}/namespaces/{ns}/admissionwebhook",
                                  lambda: c.update_admission_webhook(ns, body), body=body, body_note=note)
        if kind == "crds":
            return PlannedRequest(target, "PUT", f"{SCHEDULER}/customresourcedefinitions/{name}",
                                  lambda: c.update_crd(name, body), body=body, body_note=note)
        if kind == "customresources":
            group, version, plural = _cr_coords(parent, obj)
            return PlannedRequest(
                target, "PUT", f"{SCHEDULER}/customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}",
                lambda: c.update_custom_resource(group, version, plural, ns, name, body), body=body, body_note=note)
        raise InvalidInput(f"{kind} cannot be edited")

    async def op_create(self, ctx: ActionContext) -> None:
        kind = ctx.kind
        crd = ctx.parent if kind == "customresources" else None
        if kind == "customresources" and not isinstance(crd, dict):
            raise InvalidInput("open the custom resources from a CRD (Enter on a CRD) to create one")
        text = template_text(kind, ctx.namespace, crd=crd)
        # A list of one namespace creates in that namespace (the request goes to the manifest's).
        rules = self._rules(kind, ctx.namespace if kind != "crds" else None, None, update=False)
        result: ManifestResult | None = await self.ask(ManifestEditor(
            f"Create a {NOUNS.get(kind, kind)}", text, rules,
            note="A template from the API document's example: change the name, namespace and image."))
        if result is None:
            raise Cancelled()
        body = result.data
        ns = str(g(body.get("metadata"), "namespace", default="") or "")
        name = str(g(body.get("metadata"), "name", default=""))
        target = f"{NOUNS.get(kind, kind)} {ns + '/' if ns else ''}{name}"
        c = self.client
        if kind in ("applications", "deployments", "configmaps", "secrets", "services"):
            singular = kind[:-1]
            method = getattr(c, f"create_{singular}")
            req = PlannedRequest(target, "POST", f"{SCHEDULER}/namespaces/{ns}/{kind}",
                                 lambda: method(ns, body), body=body, mask_body=kind == "secrets",
                                 recheck=self._recheck_storage(singular, ns, name))
        elif kind == "webhooks":
            req = PlannedRequest(target, "POST", f"{SCHEDULER}/namespaces/{ns}/admissionwebhook",
                                 lambda: c.create_admission_webhook(ns, body), body=body)
        elif kind == "crds":
            req = PlannedRequest(target, "POST", f"{SCHEDULER}/customresourcedefinitions",
                                 lambda: c.create_crd(body), body=body)
        elif kind == "customresources":
            group, version, plural = _cr_coords(crd, body)
            req = PlannedRequest(target, "POST", f"{SCHEDULER}/customresources/{group}/{version}/namespaces/{ns}/{plural}",
                                 lambda: c.create_custom_resource(group, version, plural, ns, body), body=body)
        else:
            raise InvalidInput(f"{kind} cannot be created here")
        await self.execute(ctx, f"Create {target}?", [req], verb="created")

    # ------------------------------------------------------------------ versions and rollback

    async def op_versions(self, ctx: ActionContext) -> None:
        await self._pick_and_rollback(ctx, self.single(ctx, "Versions"), preselect=None)

    async def op_rollback(self, ctx: ActionContext) -> None:
        if ctx.kind == "versions":
            app = ctx.parent
            if app is None:
                raise InvalidInput("open the versions from an application to roll back")
            await self._pick_and_rollback(ctx, app, preselect=str(g(self.single(ctx, "Rollback"), "id")))
        else:
            await self._pick_and_rollback(ctx, self.single(ctx, "Rollback"), preselect=None)

    async def _pick_and_rollback(self, ctx: ActionContext, app: Any, preselect: str | None) -> None:
        from bcs_tui.ui.modals.versions import VersionPicker

        ns, name = object_namespace(app), object_name(app)
        ids = sorted((str(v) for v in await self.client.list_versions(ns, name) or []), reverse=True)
        if not ids:
            raise InvalidInput(f"application {ns}/{name} has no saved versions")

        async def load(version_id: str) -> dict:
            return await self.definition_from_version(ns, name, version_id)

        picker = VersionPicker(f"Versions of application {ns}/{name}", ids, load, preselect=preselect)
        picked = await self.ask(picker)
        if picked is None:
            raise Cancelled()
        version_id, body = picked
        current = picker.cache.get(ids[0]) or await load(ids[0])
        body = dict(body)
        details = render_diff(current, body, old_label=f"current ({ids[0]})", new_label=f"version {version_id}")
        req = PlannedRequest(f"application {ns}/{name}", "PUT", f"{SCHEDULER}/namespaces/{ns}/applications/rollback",
                             lambda: self.client.rollback_application(ns, body), body=body,
                             body_note=f"the definition of version {version_id} (diff above)",
                             recheck=self._recheck_storage("application", ns, name))
        await self.execute(ctx, f"Roll back application {ns}/{name} to version {version_id}?", [req],
                           verb=f"rolled back to {version_id}", details=details)

    # ------------------------------------------------------------------ signals

    async def op_signal(self, ctx: ActionContext) -> None:
        options = [(signal_label(n), n) for n in COMMON_SIGNALS]
        options += [(signal_label(n), n) for n in sorted(SIGNAL_NAMES) if n not in COMMON_SIGNALS]

        def validate(v: dict) -> tuple[int, str]:
            other = str(v.get("other") or "").strip()
            sig = parse_signal(other, field="other") if other else int(v["signal"])
            return sig, validate_process_name(v["process"], field="process")

        intro = Text("The server runs `killall -SIGNAL PROCESS` in every container of "
                     + ", ".join(self.label(ctx.kind, t) for t in ctx.targets[:10])
                     + (f" … ({len(ctx.targets)} in all)" if len(ctx.targets) > 10 else ""))
        sig, process = await self.form(
            "Send a signal", [
                Field("signal", "Signal", kind="select", value=15, options=options),
                Field("other", "Other signal (number 1-64 or name; overrides the list)", placeholder="e.g. 34, RTMIN+2"),
                Field("process", "Process name", placeholder="e.g. nginx",
                      hint="no spaces, quotes or shell characters: the server runs it through a shell"),
            ], validate, intro=intro)
        body_of = self.client.signal_message
        requests = []
        for obj in ctx.targets:
            if ctx.kind == "taskgroups":
                tid = tg_id(obj)
                ns = object_namespace(obj) or (ctx.namespace or "")
                app = tg_app(obj)
                body = dict(body_of(ns, app, sig, process), taskgroupid=tid)
                requests.append(PlannedRequest(
                    f"taskgroup {tid}", "POST", f"{SCHEDULER}/namespaces/{ns}/applications/{app}/taskgroups/{tid}/message",
                    lambda ns=ns, app=app, tid=tid: self.client.send_taskgroup_signal(ns, app, tid, sig, process),
                    body=body))
            else:
                ns, name = object_namespace(obj), object_name(obj)
                requests.append(PlannedRequest(
                    self.label(ctx.kind, obj), "POST", f"{SCHEDULER}/namespaces/{ns}/applications/{name}/message",
                    lambda ns=ns, name=name: self.client.send_application_signal(ns, name, sig, process),
                    body=body_of(ns, name, sig, process)))

        def describe(req: PlannedRequest, answer: Any) -> tuple[str, list[str] | None]:
            failures = [f"taskgroup {g(f, 'id')} ({g(f, 'status')}): {g(f, 'err')}"
                        for f in (answer or []) if isinstance(answer, list)]
            if failures:
                return f"signal {sig} not delivered to {len(failures)} taskgroup(s)", failures
            return f"{signal_label(sig)} sent to {process}", None

        note = {9: "SIGKILL cannot be caught: the processes die at once, without cleanup.",
                19: "SIGSTOP freezes the processes until they get SIGCONT (18)."}.get(sig, "")
        await self.execute(ctx, f"Send {signal_label(sig)} to process {process!r}?", requests,
                           verb=f"sent {signal_label(sig)}", describe_result=describe, note=note)

    # ------------------------------------------------------------------ commands

    async def op_exec(self, ctx: ActionContext) -> None:
        groups = self._command_targets(ctx)

        def validate(v: dict) -> dict:
            if not v["shell"] and looks_like_shell(v["command"]):
                raise InvalidInput("the command uses shell syntax (| ; > $( ...) which only works through a "
                                   "shell: tick \"Run through /bin/sh -c\"", field="command")
            spec = {
                "command": parse_command(v["command"], shell=bool(v["shell"])),
                "env": parse_env(v["env"]),
                "user": validate_user(v["user"]),
                "workingDir": validate_workdir(v["workdir"], field="workdir"),
                "privileged": bool(v["privileged"]),
                "reserveTime": DEFAULT_RESERVE_MINUTES,
            }
            return spec

        intro = Text("Runs in: " + "; ".join(
            f"{kind} {ns}/{name}" + (f" ({len(tgs)} taskgroup(s))" if tgs else " (every taskgroup)")
            for kind, ns, name, tgs in groups))
        spec = await self.form("Run a command", [
            Field("command", "Command", placeholder="e.g. ps -ef"),
            Field("shell", "Run through /bin/sh -c (pipes, redirections)", kind="check", value=False),
            Field("env", "Environment (KEY=value lines)", kind="text", height=3),
            Field("user", "User", value="root"),
            Field("workdir", "Working dir", placeholder="/ (empty: the container's default)"),
            Field("privileged", "Privileged", kind="check", value=False),
        ], validate, intro=intro, submit_label="Review")
        requests = []
        for kind, ns, name, tgs in groups:
            body_spec = dict(spec, taskgroups=tgs or [],
                             commandTargetRef={"kind": kind.capitalize(), "namespace": ns, "name": name})
            body = {"apiVersion": "v4", "kind": "Command", "spec": body_spec}
            requests.append(PlannedRequest(
                f"{kind} {ns}/{name}" + (f": {len(tgs)} taskgroup(s)" if tgs else ""), "POST",
                f"{SCHEDULER}/command/{kind}/{ns}/{name}",
                lambda kind=kind, ns=ns, name=name, body_spec=body_spec: self.client.send_command(kind, ns, name, body_spec),
                body=body))
        note = "PRODUCTION context." if self.app.settings.production else ""
        if not await self.ask(ConfirmModal(f"Run {' '.join(spec['command'])!r}?", requests, note=note)):
            raise Cancelled()
        ids: dict[str, str] = {}

        def describe(req: PlannedRequest, answer: Any) -> tuple[str, list[str] | None]:
            ids[req.target] = str(answer)
            return f"command {answer} sent", None

        results = [await self._send_one(req, "sent", describe) for req in requests]
        issued = []
        for req, (kind, ns, name, _tgs), res in zip(requests, groups, results):
            if res.outcome != OK:
                continue
            cmd = IssuedCommand(id=ids[req.target], kind=kind, namespace=ns, name=name,
                                command=list(spec["command"]))
            record = getattr(self.app, "record_command", None)
            if callable(record):
                record(cmd)
            elif isinstance(getattr(self.app, "commands", None), list):
                self.app.commands.append(cmd)
            issued.append(cmd)
        if issued:
            self.open_command_output(issued[0])
        self.report("command", results)

    def _command_targets(self, ctx: ActionContext) -> list[tuple[str, str, str, list[str]]]:
        """(kind, namespace, name, taskgroup ids) per command to send: one per application or
        deployment; marked taskgroups are grouped by their application."""
        if ctx.kind in ("applications", "deployments"):
            kind = "application" if ctx.kind == "applications" else "deployment"
            return [(kind, object_namespace(t), object_name(t), []) for t in ctx.targets]
        grouped: dict[tuple[str, str], list[str]] = {}
        for t in ctx.targets:
            ns = object_namespace(t) or (ctx.namespace or "")
            grouped.setdefault((ns, tg_app(t)), []).append(tg_id(t))
        return [("application", ns, app, ids) for (ns, app), ids in grouped.items()]

    def open_command_output(self, command: IssuedCommand) -> None:
        """Show the live output pane of a command sent from this console (the commands view's
        Enter, and right after `x`)."""
        from bcs_tui.ui.modals.command_output import CommandOutputScreen

        self.app.push_screen(CommandOutputScreen(command))

    # ------------------------------------------------------------------ taskgroups: reschedule, commit image

    async def op_reschedule(self, ctx: ActionContext) -> None:
        retain = await self.form("Reschedule taskgroup(s)", [
            Field("retain", "Host retain time (seconds; empty = any host at once)", placeholder="e.g. 300, 5m",
                  hint="for this long only the old host's offers are taken, then any host"),
        ], lambda v: parse_seconds(v["retain"], field="retain"),
            intro=Text("\n".join(f"taskgroup {tg_id(t)}" for t in ctx.targets[:20])))
        requests = []
        for t in ctx.targets:
            tid, app = tg_id(t), tg_app(t)
            ns = object_namespace(t) or (ctx.namespace or "")
            requests.append(PlannedRequest(
                f"taskgroup {tid}", "PUT", f"{SCHEDULER}/namespaces/{ns}/applications/{app}/taskgroups/{tid}/rescheduler",
                lambda ns=ns, app=app, tid=tid: self.client.rescheduler_taskgroup(ns, app, tid, retain or None),
                query={"hostRetainTime": str(retain)} if retain else {}))
        await self.execute(ctx, f"Reschedule {len(requests)} taskgroup(s)? Their containers are killed and started again.",
                           requests, verb="rescheduled")

    async def op_commit_image(self, ctx: ActionContext) -> None:
        t = self.single(ctx, "Commit image")
        tid = tg_id(t)
        images = _taskgroup_images(t)

        def validate(v: dict) -> tuple[str, str]:
            image = validate_image(v["image"], field="image")
            url = validate_image(v["url"], field="url")
            if url == image:
                raise InvalidInput("the target image must differ from the current one", field="url")
            return image, url

        image, url = await self.form(f"Commit the image of taskgroup {tid}", [
            Field("image", "Current image (must match the container's)", value=images[0] if images else ""),
            Field("url", "Target image", placeholder="registry/repo/name:tag"),
        ], validate)
        req = PlannedRequest(f"taskgroup {tid}", "POST", f"{SCHEDULER}/image/commit/{tid}",
                             lambda: self.client.commit_image(tid, image, url), query={"image": image, "url": url})
        await self.execute(ctx, f"Commit taskgroup {tid} to image {url}?", [req], verb=f"committed to {url}")

    # ------------------------------------------------------------------ agents

    def _agent_ip(self, agent: Any) -> str:
        return str(g(agent, "ip", "inner_ip", default="") or object_name(agent))

    async def op_taint(self, ctx: ActionContext) -> None:
        agents = ctx.targets
        before = {self._agent_ip(a): dict(getattr(a, "taints", None) or g(g(a, "setting"), "no_schedule", default={}) or {})
                  for a in agents}
        first = next(iter(before.values()))
        same = all(t == first for t in before.values())
        hint = "key=value lines; the list REPLACES each agent's taints; empty clears them"
        if not same:
            hint += " (the agents' current taints differ: this one list is set on all of them)"
        taints = await self.form(
            "Set taints on " + (f"agent {agents[0].ip}" if len(agents) == 1 else f"{len(agents)} agents"),
            [Field("taints", "Taints (NoSchedule)", kind="text", value=format_taints(first), hint=hint, height=8)],
            lambda v: parse_taints(v["taints"]))
        details = Text()
        for ip, old in before.items():
            details.append(f"agent {ip}\n", style="bold")
            details.append(f"  before: {_taint_line(old)}\n", style="red" if old != taints else "dim")
            details.append(f"  after:  {_taint_line(taints)}\n", style="green" if old != taints else "dim")
        body = [{"innerIP": ip, "noSchedule": dict(taints)} for ip in before]
        ips = list(before)
        req = PlannedRequest(", ".join(f"agent {ip}" for ip in ips), "PUT", f"{SCHEDULER}/agentsettings/taint",
                             lambda: self.client.taint_agents(body), body=body, recheck=self._recheck_agents(ips))
        await self.execute(ctx, f"Replace the taints of {'agent ' + ips[0] if len(ips) == 1 else str(len(ips)) + ' agents'}?", [req], verb="taints set",
                           details=details)

    async def _agents_switch(self, ctx: ActionContext, enable: bool) -> None:
        ips = [self._agent_ip(a) for a in ctx.targets]
        op = "enable" if enable else "disable"
        req = PlannedRequest(", ".join(f"agent {ip}" for ip in ips), "POST", f"{SCHEDULER}/agentsettings/{op}",
                             lambda: getattr(self.client, f"{op}_agent_list")(ips), query={"ips": ",".join(ips)},
                             recheck=self._recheck_agents(ips))
        agents = f"agent {ips[0]}" if len(ips) == 1 else f"{len(ips)} agents"
        note = "" if enable else "No new taskgroups are placed there; running ones stay."
        await self.execute(ctx, f"{op.capitalize()} scheduling on {agents}?", [req], verb=f"{op}d", note=note)

    async def op_disable_agent(self, ctx: ActionContext) -> None:
        await self._agents_switch(ctx, enable=False)

    async def op_enable_agent(self, ctx: ActionContext) -> None:
        await self._agents_switch(ctx, enable=True)

    async def op_set_attributes(self, ctx: ActionContext) -> None:
        agents = ctx.targets
        single = len(agents) == 1

        def current(agent: Any) -> tuple[dict, dict]:
            setting = g(agent, "setting", default=agent)
            strings = {k: str(g(v, "value", default="")) for k, v in (g(setting, "strings", default={}) or {}).items()}
            scalars = {k: float(g(v, "value", default=0) or 0) for k, v in (g(setting, "scalars", default={}) or {}).items()}
            return strings, scalars

        start = format_attributes(*current(agents[0])) if single else "[strings]\n\n[scalars]\n"
        hint = ("the lists REPLACE the agent's attributes (delete a line to remove it)" if single else
                "these are ADDED to each agent's attributes (others are kept)")
        attrs = await self.form(
            f"Attributes of agent {self._agent_ip(agents[0])}" if single else f"Attributes of {len(agents)} agents",
            [Field("attributes", "Attributes: key=value lines under [strings] and [scalars]", kind="text",
                   value=start, hint=hint, height=10)],
            lambda v: parse_attributes(v["attributes"]))
        body = []
        details = Text()
        for agent in agents:
            ip = self._agent_ip(agent)
            setting = g(agent, "setting", default=agent)
            old_strings, old_scalars = current(agent)
            strings = dict(attrs.strings) if single else {**old_strings, **attrs.strings}
            scalars = dict(attrs.scalars) if single else {**old_scalars, **attrs.scalars}
            # The other keys of the setting go back unchanged (the server keeps them anyway).
            body.append({
                "innerIP": ip,
                "disabled": bool(g(setting, "disabled", default=False)),
                "noSchedule": dict(g(setting, "no_schedule", default={}) or {}),
                "strings": {k: {"value": v} for k, v in strings.items()},
                "scalars": {k: {"value": v} for k, v in scalars.items()},
            })
            details.append(f"agent {ip}\n", style="bold")
            details.append(f"  before: {_attr_line(old_strings, old_scalars)}\n", style="red")
            details.append(f"  after:  {_attr_line(strings, scalars)}\n", style="green")
        ips = [b["innerIP"] for b in body]
        req = PlannedRequest(", ".join(f"agent {ip}" for ip in ips), "POST", f"{SCHEDULER}/agentsettings",
                             lambda: self.client.set_agent_setting_list(body), body=body,
                             recheck=self._recheck_agents(ips))
        await self.execute(ctx, f"Set the attributes of {'agent ' + ips[0] if len(ips) == 1 else str(len(ips)) + ' agents'}?", [req], verb="attributes set",
                           details=details)

    # ------------------------------------------------------------------ delete

    async def op_delete(self, ctx: ActionContext) -> None:
        kind = ctx.kind
        targets = ctx.targets
        enforce = False
        if kind in ("applications", "deployments"):
            enforce = await self.form(
                f"Delete {len(targets)} {NOUNS[kind]}(s)" if len(targets) > 1 else f"Delete {self.label(kind, targets[0])}",
                [Field("enforce", "Enforce (needed while a rolling update blocks a plain delete)", kind="check",
                       value=False)],
                lambda v: bool(v["enforce"]),
                intro=Text("\n".join(self.label(kind, t) for t in targets[:30])), submit_label="Review")
        requests = [self._delete_request(kind, t, enforce, ctx.parent) for t in targets]
        typed = None
        if len(targets) > 1:
            typed = str(len(targets))
        elif enforce or self.app.settings.production:
            # Enforced deletes, and every delete on a production context, need the name typed.
            typed = object_name(targets[0])
        title = (f"Delete {len(targets)} {NOUNS.get(kind, kind)}s?" if len(targets) > 1
                 else f"Delete {self.label(kind, targets[0])}?")
        if enforce:
            title = title[:-1] + " with enforce?"
        results = await self.execute(ctx, title, requests, verb="deleted", typed=typed)
        if kind == "commands":
            done = {r.target for r in results if r.outcome == OK}
            commands = getattr(self.app, "commands", None)
            if isinstance(commands, list):
                commands[:] = [c for c in commands if f"command {c.id}" not in done]
            closing = getattr(ctx.screen, "command_deleted", None)
            if done and callable(closing):
                closing()

    def _delete_request(self, kind: str, obj: Any, enforce: bool, parent: Any) -> PlannedRequest:
        c = self.client
        ns, name = object_namespace(obj), object_name(obj)
        target = self.label(kind, obj)
        if kind in ("applications", "deployments"):
            method = c.delete_application if kind == "applications" else c.delete_deployment
            return PlannedRequest(target, "DELETE", f"{SCHEDULER}/namespaces/{ns}/{kind}/{name}",
                                  lambda: method(ns, name, enforce=enforce), query={"enforce": "1" if enforce else "0"},
                                  recheck=self._recheck_storage(kind[:-1], ns, name))
        if kind in ("configmaps", "secrets", "services"):
            method = getattr(c, f"delete_{kind[:-1]}")
            return PlannedRequest(target, "DELETE", f"{SCHEDULER}/namespaces/{ns}/{kind}/{name}",
                                  lambda: method(ns, name), recheck=self._recheck_storage(kind[:-1], ns, name))
        if kind == "webhooks":
            return PlannedRequest(target, "DELETE", f"{SCHEDULER}/namespaces/{ns}/admissionwebhook/{name}",
                                  lambda: c.delete_admission_webhook(ns, name))
        if kind == "crds":
            return PlannedRequest(target, "DELETE", f"{SCHEDULER}/customresourcedefinitions/{name}",
                                  lambda: c.delete_crd(name))
        if kind == "customresources":
            group, version, plural = _cr_coords(parent, obj)
            return PlannedRequest(target, "DELETE",
                                  f"{SCHEDULER}/customresources/{group}/{version}/namespaces/{ns}/{plural}/{name}",
                                  lambda: c.delete_custom_resource(group, version, plural, ns, name))
        if kind == "commands":
            cmd: IssuedCommand = obj
            return PlannedRequest(f"command {cmd.id}", "DELETE", f"{SCHEDULER}/command/{cmd.kind}/{cmd.namespace}/{cmd.name}",
                                  lambda: c.delete_command(cmd.kind, cmd.namespace, cmd.name, cmd.id),
                                  query={"id": cmd.id})
        raise InvalidInput(f"{kind} cannot be deleted")

    # ------------------------------------------------------------------ rollout view

    # ------------------------------------------------------------------ shell (bcs_tui/ui/shell.py)

    async def op_shell(self, ctx: ActionContext) -> None:
        from bcs_tui.ui.shell import run_shell

        await run_shell(self, ctx)

    async def op_shell_pick(self, ctx: ActionContext) -> None:
        from bcs_tui.ui.shell import run_shell

        await run_shell(self, ctx)

    async def op_rollout_view(self, ctx: ActionContext) -> None:
        from bcs_tui.ui.modals.rollout import RolloutScreen

        obj = self.single(ctx, "The rollout view")
        await self.app.push_screen(RolloutScreen(object_namespace(obj), object_name(obj), initial=obj))


# ---------------------------------------------------------------------------------------------
# Pure helpers


def _taint_line(taints: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(taints.items())) or "(none)"


def _attr_line(strings: dict, scalars: dict) -> str:
    parts = [f"{k}={v}" for k, v in sorted(strings.items())]
    parts += [f"{k}={int(v) if float(v).is_integer() else v}" for k, v in sorted(scalars.items())]
    return ", ".join(parts) or "(none)"


def _taskgroup_images(tg: Any) -> list[str]:
    images = [str(g(t, "image", "Image", default="")) for t in tg_tasks(tg)]
    images += [str(g(c, "image", default="")) for c in (g(tg, "container_statuses", "containerStatuses", default=[]) or [])]
    return [i for i in dict.fromkeys(images) if i]


def _cr_coords(crd: Any, obj: Any) -> tuple[str, str, str]:
    """(group, version, plural) of a custom resource: from its CRD, else from its apiVersion."""
    if crd is not None and not isinstance(crd, str):
        versions = crd_versions(crd)
        return crd_group(crd), versions[0] if versions else "v1", crd_plural(crd)
    api_version = str(g(obj, "apiVersion", default=""))
    if "/" not in api_version:
        raise InvalidInput("cannot tell the custom resource's group/version: open it from its CRD")
    group, version = api_version.split("/", 1)
    raise InvalidInput(f"cannot tell the plural of {group}/{version}: open the custom resources from their CRD")


_SERVER_FIELDS = ("creationTimestamp", "resourceVersion", "uid", "selfLink", "clusterName", "generation")


def _strip_server_fields(data: Any, kind: str = "") -> Any:
    """Drop what the server fills in (timestamps, resourceVersion) from a stored object so that
    it reads as the request manifest and the diff shows only the user's change."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in _SERVER_FIELDS and v not in (None, "")}
    singular = {"configmaps": "configmap", "secrets": "secret", "services": "service"}.get(kind)
    if singular:
        out.setdefault("apiVersion", "v4")
        out["kind"] = singular
    return out


def version_definition(version: Any, ns: str, name: str) -> dict:
    """A ReplicaController body from a scheduler Version: its raw_json when present, else
    rebuilt from the version's fields (apps made by a deployment have no raw_json)."""
    raw = g(version, "raw_json")
    if isinstance(raw, dict) and raw:
        return to_jsonable(raw)
    labels = dict(g(g(version, "object_meta"), "labels", default={}) or {})
    containers = []
    for c in g(version, "container", default=[]) or []:
        docker = g(c, "docker")
        limits = g(c, "limit_resoures") or g(c, "resources")
        containers.append({
            "type": str(g(c, "type", default="") or "MESOS"),
            "image": str(g(docker, "image", default="")),
            "command": str(g(docker, "command", default="")),
            "args": list(g(docker, "arguments", default=[]) or []),
            "env": [{"name": k, "value": v} for k, v in (g(docker, "env", default={}) or {}).items()],
            "privileged": bool(g(docker, "privileged", default=False)),
            "parameters": [to_jsonable(p) for p in g(docker, "parameters", default=[]) or []],
            "ports": [{"containerPort": g(p, "container_port", "ContainerPort", default=0),
                       "hostPort": g(p, "host_port", "HostPort", default=0),
                       "name": g(p, "name", "Name", default=""),
                       "protocol": g(p, "protocol", "Protocol", default="")}
                      for p in g(docker, "port_mappings", default=[]) or []],
            "resources": {"limits": {"cpu": str(g(limits, "cpus", "Cpus", default=0)),
                                     "memory": str(g(limits, "mem", "Mem", default=0))}},
            "healthChecks": [to_jsonable(h) for h in g(c, "health_checks", default=[]) or []],
            "volumes": [to_jsonable(v) for v in g(c, "volumes", default=[]) or []],
            "configmaps": [to_jsonable(v) for v in g(c, "config_maps", default=[]) or []],
            "secrets": [to_jsonable(v) for v in g(c, "secrets", default=[]) or []],
        })
    restart = to_jsonable(g(version, "restart_policy")) or {"policy": "OnFailure"}
    body = {
        "apiVersion": "v4",
        "kind": str(g(version, "kind", default="") or "application"),
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "restartPolicy": restart,
        "killPolicy": to_jsonable(g(version, "kill_policy")) or {"gracePeriod": 10},
        "spec": {
            "instance": int(g(version, "instances", default=1) or 1),
            "template": {
                "metadata": {"labels": dict(g(g(version, "pod_object_meta"), "labels", default={}) or labels)},
                "spec": {"containers": containers},
            },
        },
    }
    constraints = to_jsonable(g(version, "constraints"))
    if constraints:
        body["constraint"] = constraints
    return body
