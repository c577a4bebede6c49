"""Deployments: create/bind, rolling updates by maxSurge/maxUnavailable, pause/resume/cancel."""

from __future__ import annotations

import copy
from typing import Any

from bcs_tui.sim.errors import (CODE_BAD_REQUEST, CODE_EXISTS, CODE_NOT_FOUND, CODE_SCHEDULER,
                                PlainTextAnswer, SimError, driver_error)
from bcs_tui.sim.model import Application, Deployment, storage_record
from bcs_tui.sim.templates import check_type_meta, parse_app

STEP_TIMEOUT = 60.0  # a rolling step that cannot finish in this long suspends the update
DELETE_CHECK_SECONDS = 3.0  # the scheduler's background check for a deleting deployment
ROLLING_STATES = ("Update", "UpdatePaused", "UpdateSuspend")


def _app_body_from_deployment(body: dict, name: str, ns: str) -> dict | None:
    """The ReplicaController the scheduler builds from a deployment's pod template."""
    spec = body.get("spec") or {}
    if not isinstance(spec, dict) or not spec.get("template"):
        return None
    meta = body.get("metadata") or {}
    tmeta = (spec["template"].get("metadata") or {}) if isinstance(spec["template"], dict) else {}
    labels = dict(meta.get("labels") or {})
    labels.update(tmeta.get("labels") or {})
    return {"apiVersion": "v4", "kind": "application",
            "restartPolicy": body.get("restartPolicy") or {},
            "killPolicy": body.get("killPolicy") or {},
            "constraint": body.get("constraint") or {},
            "metadata": {"name": name, "namespace": ns, "labels": labels,
                         "annotations": dict(meta.get("annotations") or {})},
            "spec": {"instance": spec.get("instance", 0), "template": spec["template"]}}


class RolloutMixin:
    deployments: dict[tuple[str, str], Deployment]
    apps: dict[tuple[str, str], Application]

    # ------------------------------------------------------------------ reads

    def deployment_apps(self, d: Deployment) -> tuple[Application | None, Application | None]:
        return (self.apps.get((d.namespace, d.app_name)) if d.app_name else None,
                self.apps.get((d.namespace, d.app_ext_name)) if d.app_ext_name else None)

    def deployment_json(self, d: Deployment) -> dict:
        app, ext = self.deployment_apps(d)
        return d.to_json(app, ext)

    def deployment_record(self, d: Deployment) -> dict:
        return storage_record(self.cluster_id, d.namespace, "deployment", d.name, d.created,
                              d.update_time, self.deployment_json(d))

    def deployment_definition(self, ns: str, name: str) -> dict:
        d = self.deployments.get((ns, name))
        if d is None or not d.raw_json:
            raise SimError(CODE_SCHEDULER, "deployment's definition not exist")
        return d.raw_json

    def get_deployment(self, ns: str, name: str) -> Deployment:
        d = self.deployments.get((ns, name))
        if d is None:
            raise SimError(CODE_NOT_FOUND, "deployment not exist")
        return d

    # ------------------------------------------------------------------ parse

    def _parse_deployment(self, ns: str, body: Any) -> tuple[str, str, dict, dict, dict, dict | None]:
        body = check_type_meta(body, "deployment")
        meta = body.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
            raise driver_error(CODE_BAD_REQUEST, "deployment metadata.name is empty")
        name = meta["name"]
        if "." in name:
            raise PlainTextAnswer("Name can't contains contains '.'")
        dns = meta.get("namespace") or ns or "defaultGroup"
        spec = body.get("spec") or {}
        if not isinstance(spec, dict):
            raise driver_error(1405010, "json: cannot unmarshal deployment spec")
        selector = spec.get("selector") or {}
        if not isinstance(selector, dict):
            raise driver_error(1405010, "json: cannot unmarshal deployment selector")
        strategy = spec.get("strategy") or {}
        if not isinstance(strategy, dict):
            raise driver_error(1405010, "json: cannot unmarshal deployment strategy")
        app_body = _app_body_from_deployment(body, name, dns)
        if app_body is not None:
            parse_app(app_body, from_deployment=True)  # validates the template like the driver
        return name, dns, {str(k): str(v) for k, v in selector.items()}, strategy, \
            copy.deepcopy(body), app_body

    def _matching_apps(self, ns: str, selector: dict) -> list[Application]:
        if not selector:
            return []
        return [a for (n, _), a in sorted(self.apps.items())
                if n == ns and a.alive and not a.deployment
                and all(a.template.labels.get(k) == v for k, v in selector.items())]

    # ------------------------------------------------------------------ create

    def create_deployment(self, ns: str, body: Any) -> None:
        """POST /namespaces/{ns}/deployments"""
        name, dns, selector, strategy, raw, app_body = self._parse_deployment(ns, body)
        if (dns, name) in self.deployments:
            raise SimError(CODE_EXISTS, f"deployment({dns}.{name}) already exist")
        matches = self._matching_apps(dns, selector)
        if len(matches) > 1:
            raise SimError(CODE_BAD_REQUEST, "too many application exist matching deployment")
        if not matches and app_body is None:
            raise SimError(CODE_BAD_REQUEST, "version empty or namespace error")
        now = self.now()
        meta = raw.get("metadata") or {}
        d = Deployment(name=name, namespace=dns, labels=dict(meta.get("labels") or {}),
                       selector=selector, strategy=strategy, raw_json=raw, status="Deploying",
                       created=now, update_time=now)
        self.deployments[(dns, name)] = d
        if matches and app_body is None:
            app = matches[0]
            app.deployment = name
            d.app_name = app.name
            d.target_instances = app.define_instances
            d.status = "Running"
            return
        app_name = name
        if matches:
            old = matches[0]
            if old.name == name:
                app_name = f"{name}-v{int(now)}"
            self.delete_application(dns, old.name, enforce=True, by_deployment=True)
        tpl = parse_app(app_body, from_deployment=True)
        app = self._new_app(tpl, definition=None, deployment=name, name=app_name)
        d.app_name = app.name
        d.target_instances = app.define_instances
        seq = self._begin_op(app, "LAUNCH", "application in launching")
        self._fill(app, app.define_instances)
        self.schedule(1.0, self._end_op, app, seq)
        self.schedule(1.0, self._deployment_created, d)

    def _deployment_created(self, d: Deployment) -> None:
        if d.alive and d.status == "Deploying":
            d.status = "Running"
            d.update_time = self.now()

    # ------------------------------------------------------------------ update

    def update_deployment(self, ns: str, body: Any, *, args: str | None = None) -> None:
        """PUT /namespaces/{ns}/deployments[?args=resource]"""
        name, dns, selector, strategy, raw, app_body = self._parse_deployment(ns, body)
        d = self.deployments.get((dns, name))
        if d is None:
            raise SimError(CODE_NOT_FOUND, "deployment not exist")
        if d.status != "Running":
            raise SimError(CODE_SCHEDULER, f"deployment status is {d.status}, cannot update")
        app, _ = self.deployment_apps(d)
        if app is None or app.status not in ("Running", "Abnormal"):
            raise SimError(CODE_SCHEDULER, f"application status is {app.status if app else 'None'},"
                                           f" cannot update deployment")
        if selector != d.selector:
            raise SimError(CODE_BAD_REQUEST, "deployment selector cannot be changed")
        if app_body is None:
            raise driver_error(1405231, f"deployment {name} no template")
        tpl = parse_app(app_body, from_deployment=True)
        if args == "resource":
            if strategy != d.strategy or (raw.get("metadata") or {}) != (d.raw_json.get("metadata") or {}):
                raise SimError(CODE_BAD_REQUEST, "only resources can be updated with args=resource")
            d.status = "UpdateResource"
            d.raw_json_backup = d.raw_json
            d.raw_json = raw
            tpl.name = app.name
            tpl.instances = app.define_instances
            self._save_version(app, tpl, app.define_instances, raw=None)
            app.template = tpl
            self._update_resources(app, tpl)
            self.schedule(1.5, self._resource_updated, d)
            return
        ru = strategy.get("rollingupdate")
        if not isinstance(ru, dict):
            raise SimError(CODE_BAD_REQUEST, "update strategy not set")
        if ru.get("rollingOrder", "CreateFirst") not in ("CreateFirst", "DeleteFirst"):
            raise SimError(CODE_BAD_REQUEST, f"rollingOrder {ru.get('rollingOrder')} is invalid")
        for key in ("maxUnavilable", "maxSurge"):
            try:
                if int(ru.get(key, 1) or 0) <= 0:
                    ru[key] = 1
            except (TypeError, ValueError):
                raise SimError(1405010, f"json: cannot unmarshal {key}") from None
        now = self.now()
        new_name = f"{name}-v{int(now)}"
        if (dns, new_name) in self.apps:
            raise SimError(CODE_EXISTS, "application already exist")
        ext = self._new_app(tpl, definition=None, deployment=name, name=new_name)
        ext.define_instances = 0
        d.target_instances = tpl.instances
        d.old_instances = app.define_instances
        d.strategy = strategy
        d.raw_json_backup = d.raw_json
        d.raw_json = raw
        d.app_ext_name = ext.name
        d.ext_target = d.ext_rolling = 0
        d.status = "Update"
        d.message = ""
        d.is_in_rolling = True
        d.last_rolling_time = now
        d.update_time = now
        d.phase = "START" if ru.get("rollingOrder", "CreateFirst") == "CreateFirst" else "DELETE"
        d.step_target = -1
        d.next_step_at = now
        for a, sub in ((app, "RollingUpdateDown"), (ext, "RollingUpdateUp")):
            a.last_status = a.status
            a.status = "RollingUpdate"
            a.sub_status = sub
            a.message = "application in rolling update"
            a.update_time = now
            a.touch()

    def _resource_updated(self, d: Deployment) -> None:
        if d.alive and d.status == "UpdateResource":
            d.status = "Running"
            d.raw_json_backup = None
            d.update_time = self.now()

    # ------------------------------------------------------------------ rolling steps

    def _drive_rollouts(self) -> int:
        moved = 0
        for d in list(self.deployments.values()):
            if d.status == "Update" and self.now() >= d.next_step_at:
                moved += self._rollout_step(d)
        return moved

    def _rollout_step(self, d: Deployment) -> int:
        app, ext = self.deployment_apps(d)
        if ext is None:
            return 0
        ru = d.rolling()
        surge = max(1, int(ru.get("maxSurge", 1) or 1))
        unavail = max(1, int(ru.get("maxUnavilable", 1) or 1))
        order = ru.get("rollingOrder", "CreateFirst")
        old_n = len(app.taskgroups) if app else 0
        new_n = len(ext.taskgroups)
        now = self.now()
        if old_n == 0 and new_n >= d.target_instances and all(
                tg.status == "Running" for tg in ext.taskgroups):
            self._finish_rollout(d, app, ext)
            return 1
        if d.step_target < 0 and d.phase == ("START" if order == "CreateFirst" else "DELETE"):
            # a rolling step begins: both references get this step's targets
            d.app_target = max(old_n - unavail, 0)
            d.app_rolling = old_n - d.app_target
            d.ext_target = min(new_n + surge, d.target_instances)
            d.ext_rolling = d.ext_target - new_n
        if d.phase == "START":
            if new_n >= d.target_instances and d.step_target < 0:
                d.phase = "DELETE"
                return 1
            if d.step_target < 0:
                d.step_target = min(d.target_instances, new_n + surge)
                d.step_deadline = now + STEP_TIMEOUT
                d.curr_rolling_operation = "START"
                ext.define_instances = d.step_target
                ext.touch()
            if new_n < d.step_target:
                self._fill(ext, d.step_target)
            if len(ext.taskgroups) >= d.step_target and all(
                    tg.status == "Running" for tg in ext.taskgroups):
                return self._phase_done(d, "DELETE", order == "DeleteFirst")
            if now >= d.step_deadline:
                return self._step_timeout(d, "create")
            return 0
        # DELETE phase
        if d.step_target < 0:
            if old_n == 0:
                d.phase = "START"
                return 1
            d.step_target = max(0, old_n - unavail)
            d.step_deadline = now + STEP_TIMEOUT
            d.curr_rolling_operation = "DELETE"
            app.define_instances = d.step_target
            for tg in sorted(app.taskgroups, key=lambda t: t.instance)[d.step_target:]:
                self._kill(tg, remove=True)
            app.touch()
            return 1
        if old_n <= d.step_target:
            return self._phase_done(d, "START", order == "CreateFirst")
        if now >= d.step_deadline:
            return self._step_timeout(d, "delete")
        return 0

    def _phase_done(self, d: Deployment, next_phase: str, step_done: bool) -> int:
        """A phase reached its target: on to `next_phase`; `step_done` when that ends a step
        (the rolling order's second phase)."""
        d.step_target = -1
        d.phase = next_phase
        d.check_time = self.now()
        if step_done:
            self._step_done(d)
        return 1

    def _step_timeout(self, d: Deployment, phase: str) -> int:
        """The phase missed its deadline: the rollout suspends, as the scheduler's does."""
        d.status = "UpdateSuspend"
        d.message = f"{phase} taskgroup timeout, rollingupdate suspend"
        d.update_time = self.now()
        return 1

    def _step_done(self, d: Deployment) -> None:
        now = self.now()
        d.last_rolling_time = now
        d.update_time = now
        app, ext = self.deployment_apps(d)
        if (app is None or not app.taskgroups) and ext is not None \
                and len(ext.taskgroups) >= d.target_instances:
            return  # the next drive finishes it
        if d.rolling().get("rollingManually"):
            d.status = "UpdatePaused"
            d.message = "rollingupdate paused"
        else:
            d.next_step_at = now + max(0.0, float(d.rolling().get("upgradeDuration", 0) or 0))

    def _finish_rollout(self, d: Deployment, app: Application | None, ext: Application) -> None:
        now = self.now()
        if app is not None and app.alive and app.op != "DELETE":
            app.sub_status = ""
            app.status = "Running"  # not rolling any more, so it can be deleted
            self.delete_application(d.namespace, app.name, enforce=True, by_deployment=True)
        d.app_name = ext.name
        d.app_ext_name = ""
        d.app_target = d.app_rolling = d.ext_target = d.ext_rolling = 0  # a new reference
        d.status = "Running"
        d.message = ""
        d.is_in_rolling = False
        d.curr_rolling_operation = ""
        d.raw_json_backup = None
        d.phase = ""
        d.step_target = -1
        d.last_rolling_time = now
        d.update_time = now
        ext.sub_status = "Unknown"
        ext.define_instances = d.target_instances
        ext.template.instances = d.target_instances
        self.recompute_app(ext, force=True)

    # ------------------------------------------------------------------ pause / resume / cancel

    def pause_deployment(self, ns: str, name: str) -> None:
        """PUT /namespaces/{ns}/deployments/{name}/pauseupdate"""
        d = self.deployments.get((ns, name))
        if d is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if d.status != "Update":
            raise SimError(CODE_SCHEDULER, "deployment is not in updating")
        d.status = "UpdatePaused"
        d.message = "rollingupdate paused"
        d.update_time = self.now()

    def resume_deployment(self, ns: str, name: str) -> None:
        """PUT /namespaces/{ns}/deployments/{name}/resumeupdate"""
        d = self.deployments.get((ns, name))
        if d is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if d.status not in ("UpdatePaused", "UpdateSuspend"):
            raise SimError(CODE_SCHEDULER, "deployment is not update paused or suspend")
        now = self.now()
        d.status = "Update"
        d.message = ""
        d.step_deadline = now + STEP_TIMEOUT
        d.next_step_at = now
        d.update_time = now

    def cancel_deployment(self, ns: str, name: str) -> None:
        """PUT /namespaces/{ns}/deployments/{name}/cancelupdate: restores the old application."""
        d = self.deployments.get((ns, name))
        if d is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if d.status not in ROLLING_STATES:
            raise SimError(CODE_SCHEDULER, "deployment is in not rollingupdate")
        app, ext = self.deployment_apps(d)
        now = self.now()
        if ext is not None and ext.alive and ext.op != "DELETE":
            self.delete_application(ns, ext.name, enforce=True, by_deployment=True)
        if d.raw_json_backup:
            d.raw_json = d.raw_json_backup
        d.raw_json_backup = None
        d.app_ext_name = ""
        d.app_target = 0  # CurrentRollingInstances is left as it was
        d.ext_target = d.ext_rolling = 0
        d.status = "Running"
        d.message = ""
        d.is_in_rolling = False
        d.curr_rolling_operation = ""
        d.phase = ""
        d.step_target = -1
        d.update_time = now
        if app is not None:
            target = getattr(d, "old_instances", app.define_instances) or app.define_instances
            d.target_instances = target
            app.sub_status = "Unknown"
            app.status = "Running"
            self._scale(app, target)

    # ------------------------------------------------------------------ scale / delete

    def scale_deployment(self, ns: str, name: str, n: int) -> None:
        """PUT /namespaces/{ns}/deployments/{name}/scale/{n}"""
        d = self.deployments.get((ns, name))
        if d is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if d.status != "Running":
            raise SimError(CODE_SCHEDULER, f"operation forbidden, the deployment status is {d.status}")
        if n < 1:
            raise SimError(CODE_SCHEDULER, "target instances can not be littler than 1, "
                                           "maybe you want to use delete command")
        app, _ = self.deployment_apps(d)
        if app is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if app.status not in ("Running", "Abnormal"):
            raise SimError(CODE_SCHEDULER,
                           f"Operation Not Allowed, the status of the app is {app.status}")
        self._scale(app, n)
        d.target_instances = n
        spec = d.raw_json.get("spec")
        if isinstance(spec, dict):
            spec["instance"] = n
        d.update_time = self.now()

    def delete_deployment(self, ns: str, name: str, *, enforce: bool) -> None:
        """DELETE /namespaces/{ns}/deployments/{name}?enforce= (through Deleting)."""
        d = self.deployments.get((ns, name))
        if d is None:
            raise SimError(CODE_NOT_FOUND, "deployment not exist")
        if d.status == "Deleting":
            return
        for app in self.deployment_apps(d):
            if app is not None and app.alive and app.op != "DELETE":
                self.delete_application(ns, app.name, enforce=True, by_deployment=True)
        d.status = "Deleting"
        d.message = "waiting applications to be deleted"
        d.update_time = self.now()
        self.schedule(DELETE_CHECK_SECONDS, self._deployment_delete_check, d)

    def _deployment_delete_check(self, d: Deployment) -> None:
        left = [a for a in self.deployment_apps(d) if a is not None and a.alive]
        if left:
            d.message = f"application still not deleted: {left[0].name}"
            self.schedule(DELETE_CHECK_SECONDS, self._deployment_delete_check, d)
            return
        d.alive = False
        if self.deployments.get((d.namespace, d.name)) is d:
            del self.deployments[(d.namespace, d.name)]
