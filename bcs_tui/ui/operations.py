"""Write operations from the keyboard: the one pipeline every write action goes through.

form → validate → plan → confirm → send → report → refresh. The kind of the list declares which
writes it has and how each plans its requests (`ResourceKind.writes`, bcs_tui/resources/writes.py);
this module collects the input each action needs (a form, the manifest editor, the version
picker), asks the kind to plan (`Write.plan` -> `bcs_tui.api.request.Request` values built by the
client from its route table), shows those very values in the confirmation, sends them with
`client.send` and reports a result per target. No request path is built here.

The browser calls `await app.operations.run(action_id, ActionContext(...))`; other screens post a
`RunAction` message. Read-only contexts are refused before any modal opens (the client refuses as
well). The client audits every write before and after sending it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from rich.text import Text

from bcs_tui.actions import ACTIONS_BY_ID
from bcs_tui.api.errors import AuditFailure, BcsError, InvalidRequest, WriteOutcomeUnknown
from bcs_tui.api.request import Request
from bcs_tui.resources import (
    KINDS_BY_NAME,
    IssuedCommand,
    ResourceKind,
    VersionRow,
    g,
    object_name,
    object_namespace,
    tg_id,
    tg_tasks,
)
from bcs_tui.resources.agents import agent_attributes, agent_ip
from bcs_tui.resources.definitions import definition_from_version, spec_instance, with_instances
from bcs_tui.resources.writes import Editable, Write, WriteScope
from bcs_tui.ui.modals.audit_failure import AuditFailureModal
from bcs_tui.ui.modals.command_output import CommandOutputScreen
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.diff import render_diff
from bcs_tui.ui.modals.form import Field, FormModal
from bcs_tui.ui.modals.manifest import ManifestEditor, ManifestResult, manifest_text
from bcs_tui.ui.modals.plan import PlannedRequest, fingerprint_secrets
from bcs_tui.ui.modals.results import FAILED, OK, UNKNOWN, OpResult, ResultsModal, outcome_counts
from bcs_tui.ui.modals.rollout import RolloutScreen
from bcs_tui.ui.modals.versions import VersionPicker
from bcs_tui.ui.shell import run_shell
from bcs_tui.ui.templates import template_text
from bcs_tui.ui.textsafe import one_line
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

DEFAULT_RESERVE_MINUTES = 60
INSTANCE_FIXED = ("the scheduler keeps the running version's instance count on an update "
                  "(SCHED/api/api.go): use s (scale) to change it")


@dataclass
class ActionContext:
    """What the browser hands to `Operations.run`.

    `kind`: the ResourceKind name of the list; `namespace`: the view's namespace (None = all or
    not namespaced); `targets`: the model objects of the marked rows, or the cursor row; `screen`:
    the screen the action came from (has `refresh_now()`); `parent`: the object the list was
    opened from (the application of a taskgroup or versions list, the CRD of a custom resource
    list ...), or None."""

    kind: str
    namespace: str | None
    targets: list
    screen: Any
    parent: Any = None


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
        kind = KINDS_BY_NAME.get(ctx.kind)
        handler = getattr(self, f"op_{action_id}", None)
        if action is not None and handler is None and kind is not None and action_id in kind.writes:
            handler = self.op_plain
        if action is None or handler is None or kind is None:
            self.flash(f"unknown action {action_id!r}", "error")
            return None
        if action.dangerous and self.app.read_only:
            self.flash(f"{action.description}: refused, this context is read-only (nothing sent)", "error")
            return None
        if action.dangerous and action_id not in kind.writes:
            self.flash(f"{action.description}: not available for {kind.title.lower()}", "error")
            return None
        if not ctx.targets and action_id not in ("create",):
            self.flash(f"{action.description}: nothing selected", "warning")
            return None
        return self.app.run_worker(self._guarded(action_id, action.description, handler, kind, ctx),
                                   group="operations", exit_on_error=False)

    async def _guarded(self, action_id: str, description: str, handler: Callable[..., Awaitable[None]],
                       kind: ResourceKind, ctx: ActionContext) -> None:
        try:
            scope = WriteScope(ctx.namespace, ctx.parent)
            spec = kind.manifest
            if spec is not None and spec.resolve_parent is not None:
                scope = await spec.resolve_parent(self.client, scope)
            await handler(action_id, kind, ctx, scope)
        except Cancelled:
            self.flash(f"{description}: cancelled, nothing sent")
        except InvalidInput as exc:
            self.flash(f"{description}: {exc.describe()} (nothing sent)", "error")
        except InvalidRequest as exc:
            self.flash(f"{description}: {_err_text(exc)} (nothing sent)", "error")
        except BcsError as exc:
            self.flash(f"{description}: {_err_text(exc)}", "error")
        except Exception as exc:  # a bug must not take the app down; say what happened
            log.exception("operation %s failed", description)
            self.flash(f"{description} failed: {_err_text(exc)}", "error")
        finally:
            await self._audit_failure_check()

    async def _audit_failure_check(self) -> None:
        """An audit log that could not be written is said at once and blocks writes until the
        user acknowledges it (the client refuses them meanwhile)."""
        error = getattr(self.client, "audit_failure", None)
        if not error:
            return
        if await self.ask(AuditFailureModal(str(error))):
            self.client.acknowledge_audit_failure()
            self.flash("audit failure acknowledged: the next write tries the audit log again", "warning")

    # ------------------------------------------------------------------ helpers

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

    def single(self, kind: ResourceKind, ctx: ActionContext, what: str) -> Any:
        """The one object a single-target action works on: the only target, or, when rows are
        marked, the cursor row (said in a flash, so nobody wonders which one)."""
        if len(ctx.targets) == 1:
            return ctx.targets[0]
        current = getattr(ctx.screen, "current_object", None)
        obj = current() if callable(current) else None
        if obj is None:
            obj = ctx.targets[0]
        self.flash(f"{what} works on one object at a time: {self.label(kind, obj)} (the cursor row)", "warning")
        return obj

    @staticmethod
    def label(kind: ResourceKind, obj: Any) -> str:
        noun = kind.noun or kind.name
        ns = object_namespace(obj)
        return f"{noun} {ns}/{object_name(obj)}" if ns else f"{noun} {object_name(obj)}"

    def planned(self, kind: ResourceKind, write: Write, targets: list[Any], scope: WriteScope,
                **inputs: Any) -> list[PlannedRequest]:
        """The kind's plan for `targets`, as the confirmation shows it (nothing is sent)."""
        out: list[PlannedRequest] = []
        pairs: list[tuple[Any, Any]]
        if write.whole:
            pairs = [(None, write.plan(self.client, targets, scope, **inputs))]
        else:
            pairs = [(obj, write.plan(self.client, obj, scope, **inputs)) for obj in targets]
        mask = bool(kind.manifest is not None and kind.manifest.mask)
        for obj, plan in pairs:
            for request in plan if isinstance(plan, list) else [plan]:
                target = ", ".join(request.targets) or (self.label(kind, obj) if obj is not None else kind.title)
                out.append(PlannedRequest(target, request, recheck=self._recheck(write, obj, targets),
                                          mask_body=mask, server=str(getattr(self.client, "server", "") or "")))
        return out

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
        try:
            answer = await self.client.send(req.request)
        except WriteOutcomeUnknown as exc:
            return OpResult(req.target, UNKNOWN, _err_text(exc), recheck=req.recheck)
        except AuditFailure as exc:
            return OpResult(req.target, FAILED, _err_text(exc))
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

    def _recheck(self, write: Write, obj: Any, targets: list[Any]) -> Callable[[], Awaitable[str]] | None:
        if write.recheck == "agent settings":
            return self._recheck_agents([agent_ip(a) for a in targets])
        if write.recheck and obj is not None:
            return self._recheck_storage(write.recheck, object_namespace(obj), object_name(obj))
        return None

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

    # ------------------------------------------------------------------ writes with no input

    async def op_plain(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        """pause / resume / cancel, restart / reload, disable / enable: plan, confirm, send."""
        action = ACTIONS_BY_ID[action_id]
        write = kind.writes[action_id]
        requests = self.planned(kind, write, ctx.targets, scope)
        what = self.label(kind, ctx.targets[0]) if len(ctx.targets) == 1 else f"{len(ctx.targets)} {kind.title.lower()}"
        verb = {"pause": "paused", "resume": "resumed", "cancel": "cancelled", "restart": "restart sent",
                "reload": "reload sent", "disable_agent": "disabled", "enable_agent": "enabled"}.get(action_id, "done")
        note = {"cancel": "The rolling update is rolled back to the old application.",
                "disable_agent": "No new taskgroups are placed there; running ones stay.",
                "restart": "The scheduler restarts the tasks of each taskgroup (a message to its executor).",
                "reload": "The scheduler reloads the tasks of each taskgroup (a message to its executor)."}.get(action_id, "")
        await self.execute(ctx, f"{action.description}: {what}?", requests, verb=verb, note=note)

    # ------------------------------------------------------------------ scale

    async def op_scale(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        write = kind.writes["scale"]
        targets = ctx.targets

        def current(obj: Any) -> Any:
            n = write.current(obj) if write.current else None
            return "?" if n is None else n

        intro = Text("\n".join(f"{self.label(kind, t)}: now {current(t)} instances" for t in targets[:20]))
        first = current(targets[0])
        n = await self.form(
            f"Scale {len(targets)} {kind.noun}(s)" if len(targets) > 1 else f"Scale {self.label(kind, targets[0])}",
            [Field("instances", "Instances", value=str(first) if str(first).isdigit() else "",
                   hint="a whole number from 1 to 10,000")],
            lambda v: parse_instances(v["instances"]), intro=intro)
        await self.execute(ctx, f"Scale to {n} instances?", self.planned(kind, write, targets, scope, instances=n),
                           verb=f"scaled to {n}")

    # ------------------------------------------------------------------ edit / update_resource / create

    def _rules(self, kind: ResourceKind, ns: str | None, name: str | None, *, update: bool,
               original: Any = None, resource_only: bool = False, instances_fixed: bool = False) -> ManifestRules:
        spec = kind.manifest
        model = (spec.update_model or spec.model) if update else spec.model
        return ManifestRules(
            kinds=spec.kinds,
            namespace=ns if spec.namespaced else None,
            name=name,
            model=model,
            require_namespace=spec.namespaced,
            dots_allowed=spec.dots_allowed,
            namespaced=spec.namespaced,
            original=original,
            resource_only=resource_only,
            fixed=((("spec", "instance"), INSTANCE_FIXED),) if instances_fixed else (),
        )

    async def op_edit(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        only_resource = action_id == "update_resource"
        spec = kind.manifest
        write = kind.writes[action_id]
        obj = self.single(kind, ctx, "Update resources" if only_resource else "Edit")
        ns, name = object_namespace(obj), object_name(obj)
        editable: Editable = await spec.load(self.client, obj, scope)
        live = editable.definition
        what = "Update resources of" if only_resource else "Edit"
        note = f"Starting from the {editable.source}."
        start = live
        defined = spec_instance(live)
        if editable.instances is not None:
            start = with_instances(live, editable.instances)
            if defined is not None and defined != editable.instances:
                note += (f" The definition says {defined} instances but {editable.instances} run (a scale changes the "
                         f"count, not the definition): the editor starts from {editable.instances}.")
        if only_resource:
            note += " Only resources (cpu / memory) may change: anything else is refused at its line."
        if spec.mask:
            note += " Secret contents are shown here; they are masked in the confirmation."
        result: ManifestResult | None = await self.ask(ManifestEditor(
            f"{what} {self.label(kind, obj)}", manifest_text(start),
            self._rules(kind, ns, name, update=True, original=start, resource_only=only_resource,
                        instances_fixed=editable.instances is not None),
            note=note))
        if result is None:
            raise Cancelled()
        body = result.data
        requests = self.planned(kind, write, [obj], scope, body=body, only_resource=only_resource,
                                instances=editable.instances)
        for req in requests:
            req.body_note = "the edited manifest (diff above)" if not spec.mask else ""
        if spec.mask:  # the confirmation shows which values change, not the values
            details = render_diff(fingerprint_secrets(live), fingerprint_secrets(body),
                                  old_label=f"live ({editable.source})", new_label="edited")
        else:
            details = render_diff(live, body, old_label=f"live ({editable.source})", new_label="edited")
        title = f"{what} {self.label(kind, obj)}?"
        rolls = _rolls(requests[0].request)
        if not only_resource and rolls is not None:  # an application update rolls ?instances=N taskgroups
            title = f"{what} {self.label(kind, obj)}? {rolls} taskgroup(s) will roll."
        elif not only_resource and editable.instances is not None:  # a deployment: a rolling update
            title = (f"Update {self.label(kind, obj)}? This starts a rolling update to "
                     f"{spec_instance(body) or editable.instances} instances.")
        await self.execute(ctx, title, requests, verb="updated", details=details)

    op_update_resource = op_edit

    async def op_create(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        spec = kind.manifest
        write = kind.writes["create"]
        crd = scope.parent if spec.resolve_parent is not None else None  # custom resources: their CRD
        if spec.resolve_parent is not None and not isinstance(crd, dict):
            raise InvalidInput("open the custom resources from a CRD (Enter on a CRD) to create one")
        text = template_text(spec.template or kind.name, ctx.namespace, crd=crd)
        # A list of one namespace creates in that namespace (the request goes to the manifest's).
        rules = self._rules(kind, ctx.namespace, None, update=False)
        result: ManifestResult | None = await self.ask(ManifestEditor(
            f"Create a {kind.noun}", text, rules,
            note="A template from the API document's example: change the name, namespace and image."))
        if result is None:
            raise Cancelled()
        requests = self.planned(kind, write, [None], scope, body=result.data)
        await self.execute(ctx, f"Create {requests[0].target}?", requests, verb="created")

    # ------------------------------------------------------------------ versions and rollback

    async def op_versions(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        await self._pick_and_rollback(kind, ctx, scope, self.single(kind, ctx, "Versions"), preselect=None)

    async def op_rollback(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        obj = self.single(kind, ctx, "Rollback")
        if isinstance(obj, VersionRow):  # a versions list: the application is the list's parent
            if ctx.parent is None:
                raise InvalidInput("open the versions from an application to roll back")
            await self._pick_and_rollback(kind, ctx, scope, ctx.parent, preselect=obj.id, row=obj)
        else:
            await self._pick_and_rollback(kind, ctx, scope, obj, preselect=None)

    async def _pick_and_rollback(self, kind: ResourceKind, ctx: ActionContext, scope: WriteScope, app: Any,
                                 preselect: str | None, row: Any = None) -> None:
        ns, name = object_namespace(app), object_name(app)
        ids = sorted((str(v) for v in await self.client.list_versions(ns, name) or []), reverse=True)
        if not ids:
            raise InvalidInput(f"application {ns}/{name} has no saved versions")

        async def load(version_id: str) -> dict:
            return await definition_from_version(self.client, ns, name, version_id)

        picker = VersionPicker(f"Versions of application {ns}/{name}", ids, load, preselect=preselect)
        picked = await self.ask(picker)
        if picked is None:
            raise Cancelled()
        version_id, body = picked
        # The rollback rolls spec.instance taskgroups: the live DefineInstances (facts §11.3).
        live = await self.client.fetch_application(ns, name)
        instances = int(g(live, "define_instances", default=0) or 0) or None
        current = picker.cache.get(ids[0]) or await load(ids[0])
        sent = with_instances(dict(body), instances)
        details = render_diff(current, sent, old_label=f"current ({ids[0]})", new_label=f"version {version_id}")
        write = kind.writes["rollback"]
        requests = self.planned(kind, write, [row if row is not None else app], scope, body=dict(body),
                                instances=instances)
        for req in requests:
            req.body_note = f"the definition of version {version_id} (diff above)"
        rolls = spec_instance(requests[0].request.body)
        version_n = spec_instance(body)
        note = ""
        if version_n is not None and instances is not None and version_n != instances:
            note = f"Version {version_id} was saved with {version_n} instances; {instances} run, so {instances} are kept."
        await self.execute(ctx, f"Roll back application {ns}/{name} to version {version_id}? "
                                f"{rolls if rolls is not None else '?'} taskgroup(s) will roll.",
                           requests, verb=f"rolled back to {version_id}", details=details, note=note)

    # ------------------------------------------------------------------ signals

    async def op_signal(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        options = [(signal_label(n), n) for n in COMMON_SIGNALS]
        options += [(signal_label(n), n) for n in sorted(SIGNAL_NAMES) if n not in COMMON_SIGNALS]

        def validate(v: dict) -> tuple[int, str]:
            other = str(v.get("other") or "").strip()
            sig = parse_signal(other, field="other") if other else int(v["signal"])
            return sig, validate_process_name(v["process"], field="process")

        intro = Text("The server runs `killall -SIGNAL PROCESS` in every container of "
                     + ", ".join(self.label(kind, t) for t in ctx.targets[:10])
                     + (f" … ({len(ctx.targets)} in all)" if len(ctx.targets) > 10 else ""))
        sig, process = await self.form(
            "Send a signal", [
                Field("signal", "Signal", kind="select", value=15, options=options),
                Field("other", "Other signal (number 1-64 or name; overrides the list)", placeholder="e.g. 34, RTMIN+2"),
                Field("process", "Process name", placeholder="e.g. nginx",
                      hint="no spaces, quotes or shell characters: the server runs it through a shell"),
            ], validate, intro=intro)
        requests = self.planned(kind, kind.writes["signal"], ctx.targets, scope, signal=sig, process_name=process)

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

    async def op_exec(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        def validate(v: dict) -> dict:
            if not v["shell"] and looks_like_shell(v["command"]):
                raise InvalidInput("the command uses shell syntax (| ; > $( ...) which only works through a "
                                   "shell: tick \"Run through /bin/sh -c\"", field="command")
            return {
                "command": parse_command(v["command"], shell=bool(v["shell"])),
                "env": parse_env(v["env"]),
                "user": validate_user(v["user"]),
                "workingDir": validate_workdir(v["workdir"], field="workdir"),
                "privileged": bool(v["privileged"]),
                "reserveTime": DEFAULT_RESERVE_MINUTES,
            }

        # The plan of an empty command says where it runs (one command per application or
        # deployment; marked taskgroups grouped by application) before the form opens.
        preview = kind.writes["exec"].plan(self.client, ctx.targets, scope, spec={"command": ["true"]})
        intro = Text("Runs in: " + "; ".join(_command_where(r) for r in preview))
        spec = await self.form("Run a command", [
            Field("command", "Command", placeholder="e.g. ps -ef"),
            Field("shell", "Run through /bin/sh -c (pipes, redirections)", kind="check", value=False),
            Field("env", "Environment (KEY=value lines)", kind="text", height=3),
            Field("user", "User", value="root"),
            Field("workdir", "Working dir", placeholder="/ (empty: the container's default)"),
            Field("privileged", "Privileged", kind="check", value=False),
        ], validate, intro=intro, submit_label="Review")
        requests = self.planned(kind, kind.writes["exec"], ctx.targets, scope, spec=spec)
        for req in requests:
            req.target = _command_where(req.request)
        note = "PRODUCTION context." if self.app.settings.production else ""
        if not await self.ask(ConfirmModal(f"Run {' '.join(spec['command'])!r}?", requests, note=note)):
            raise Cancelled()
        ids: dict[str, str] = {}

        def describe(req: PlannedRequest, answer: Any) -> tuple[str, list[str] | None]:
            ids[req.target] = str(answer)
            return f"command {answer} sent", None

        results = [await self._send_one(req, "sent", describe) for req in requests]
        issued = []
        for req, res in zip(requests, results):
            if res.outcome != OK:
                continue
            ref = req.request.body["spec"]["commandTargetRef"]
            cmd = IssuedCommand(id=ids[req.target], kind=str(ref["kind"]).lower(), namespace=ref["namespace"],
                                name=ref["name"], command=list(spec["command"]))
            record = getattr(self.app, "record_command", None)
            if callable(record):
                record(cmd)
            elif isinstance(getattr(self.app, "commands", None), list):
                self.app.commands.append(cmd)
            issued.append(cmd)
        if issued:
            self.open_command_output(issued[0])
        self.report("command", results)

    def open_command_output(self, command: IssuedCommand) -> None:
        """Show the live output pane of a command sent from this console (the commands view's
        Enter, and right after `x`)."""
        self.app.push_screen(CommandOutputScreen(command))

    # ------------------------------------------------------------------ taskgroups: reschedule, commit image

    async def op_reschedule(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        retain = await self.form("Reschedule taskgroup(s)", [
            Field("retain", "Host retain time (seconds; empty = any host at once)", placeholder="e.g. 300, 5m",
                  hint="for this long only the old host's offers are taken, then any host"),
        ], lambda v: parse_seconds(v["retain"], field="retain"),
            intro=Text("\n".join(f"taskgroup {tg_id(t)}" for t in ctx.targets[:20])))
        requests = self.planned(kind, kind.writes["reschedule"], ctx.targets, scope, retain=retain or None)
        await self.execute(ctx, f"Reschedule {len(requests)} taskgroup(s)? Their containers are killed and started again.",
                           requests, verb="rescheduled")

    async def op_commit_image(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        t = self.single(kind, ctx, "Commit image")
        tid = tg_id(t)
        images = _taskgroup_images(t)
        if not images and kind.inspect is not None:
            # A list row is projected (no images in it): the current image is in the full record.
            try:
                images = _taskgroup_images(await kind.inspect(self.client, t))
            except BcsError as exc:
                self.flash(f"Commit image: cannot read taskgroup {tid}: {exc.message}", "error")
                return

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
        requests = self.planned(kind, kind.writes["commit_image"], [t], scope, image=image, url=url)
        await self.execute(ctx, f"Commit taskgroup {tid} to image {url}?", requests, verb=f"committed to {url}")

    # ------------------------------------------------------------------ agents

    async def op_taint(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        agents = ctx.targets
        before = {agent_ip(a): dict(getattr(a, "taints", None) or g(g(a, "setting"), "no_schedule", default={}) or {})
                  for a in agents}
        first = next(iter(before.values()))
        same = all(t == first for t in before.values())
        hint = "key=value lines; the list REPLACES each agent's taints; empty clears them"
        if not same:
            hint += " (the agents' current taints differ: this one list is set on all of them)"
        taints = await self.form(
            "Set taints on " + (f"agent {agent_ip(agents[0])}" if len(agents) == 1 else f"{len(agents)} agents"),
            [Field("taints", "Taints (NoSchedule)", kind="text", value=format_taints(first), hint=hint, height=8)],
            lambda v: parse_taints(v["taints"]))
        details = Text()
        for ip, old in before.items():
            details.append(f"agent {ip}\n", style="bold")
            details.append(f"  before: {_taint_line(old)}\n", style="red" if old != taints else "dim")
            details.append(f"  after:  {_taint_line(taints)}\n", style="green" if old != taints else "dim")
        requests = self.planned(kind, kind.writes["taint"], agents, scope, taints=dict(taints))
        ips = list(before)
        await self.execute(ctx, f"Replace the taints of {'agent ' + ips[0] if len(ips) == 1 else str(len(ips)) + ' agents'}?",
                           requests, verb="taints set", details=details)

    async def op_set_attributes(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        agents = ctx.targets
        single = len(agents) == 1
        start = format_attributes(*agent_attributes(agents[0])) if single else "[strings]\n\n[scalars]\n"
        hint = ("the lists REPLACE the agent's attributes (delete a line to remove it)" if single else
                "these are ADDED to each agent's attributes (others are kept)")
        attrs = await self.form(
            f"Attributes of agent {agent_ip(agents[0])}" if single else f"Attributes of {len(agents)} agents",
            [Field("attributes", "Attributes: key=value lines under [strings] and [scalars]", kind="text",
                   value=start, hint=hint, height=10)],
            lambda v: parse_attributes(v["attributes"]))
        requests = self.planned(kind, kind.writes["set_attributes"], agents, scope, strings=dict(attrs.strings),
                                scalars=dict(attrs.scalars))
        details = Text()
        sent = {b["innerIP"]: b for b in requests[0].request.body}
        for agent in agents:
            ip = agent_ip(agent)
            old_strings, old_scalars = agent_attributes(agent)
            new = sent.get(ip, {})
            new_strings = {k: v["value"] for k, v in new.get("strings", {}).items()}
            new_scalars = {k: v["value"] for k, v in new.get("scalars", {}).items()}
            details.append(f"agent {ip}\n", style="bold")
            details.append(f"  before: {_attr_line(old_strings, old_scalars)}\n", style="red")
            details.append(f"  after:  {_attr_line(new_strings, new_scalars)}\n", style="green")
        ips = list(sent)
        await self.execute(ctx, f"Set the attributes of {'agent ' + ips[0] if len(ips) == 1 else str(len(ips)) + ' agents'}?",
                           requests, verb="attributes set", details=details)

    # ------------------------------------------------------------------ delete

    async def op_delete(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        write = kind.writes["delete"]
        targets = ctx.targets
        inputs: dict[str, Any] = {}
        enforce = False
        if "enforce" in write.options:
            enforce = await self.form(
                f"Delete {len(targets)} {kind.noun}(s)" if len(targets) > 1 else f"Delete {self.label(kind, targets[0])}",
                [Field("enforce", "Enforce (needed while a rolling update blocks a plain delete)", kind="check",
                       value=False)],
                lambda v: bool(v["enforce"]),
                intro=Text("\n".join(self.label(kind, t) for t in targets[:30])), submit_label="Review")
            inputs["enforce"] = enforce
        requests = self.planned(kind, write, targets, scope, **inputs)
        typed = None
        if len(targets) > 1:
            typed = str(len(targets))
        elif enforce or self.app.settings.production:
            # Enforced deletes, and every delete on a production context, need the name typed.
            typed = object_name(targets[0])
        title = (f"Delete {len(targets)} {kind.noun}s?" if len(targets) > 1
                 else f"Delete {requests[0].target if len(requests) == 1 else self.label(kind, targets[0])}?")
        if enforce:
            title = title[:-1] + " with enforce?"
        results = await self.execute(ctx, title, requests, verb="deleted", typed=typed)
        done = {r.target for r in results if r.outcome == OK}
        # Commands issued here are kept by the app: drop the deleted records, close their pane.
        deleted_commands = [t for t in targets if isinstance(t, IssuedCommand) and f"command {t.id}" in done]
        if deleted_commands:
            commands = getattr(self.app, "commands", None)
            if isinstance(commands, list):
                gone = {c.id for c in deleted_commands}
                commands[:] = [c for c in commands if c.id not in gone]
            closing = getattr(ctx.screen, "command_deleted", None)
            if callable(closing):
                closing()

    # ------------------------------------------------------------------ rollout view

    # ------------------------------------------------------------------ shell (bcs_tui/ui/shell.py)

    async def op_shell(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        await run_shell(self, ctx)

    op_shell_pick = op_shell

    async def op_rollout_view(self, action_id: str, kind: ResourceKind, ctx: ActionContext, scope: WriteScope) -> None:
        obj = self.single(kind, ctx, "The rollout view")
        await self.app.push_screen(RolloutScreen(object_namespace(obj), object_name(obj), initial=obj))


# ---------------------------------------------------------------------------------------------
# Pure helpers


def _rolls(request: Request) -> int | None:
    """How many taskgroups an application update rolls: its `?instances=N`."""
    value = request.query.get("instances")
    if value is not None and value.isdigit():
        return int(value)
    return None


def _command_where(request: Request) -> str:
    spec = (request.body or {}).get("spec", {}) if isinstance(request.body, dict) else {}
    ref = spec.get("commandTargetRef") or {}
    tgs = spec.get("taskgroups") or []
    where = f"{str(ref.get('kind', '')).lower()} {ref.get('namespace', '')}/{ref.get('name', '')}"
    return where + (f": {len(tgs)} taskgroup(s)" if tgs else " (every taskgroup)")


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

