"""SimCluster: the state machine of a simulated BCS mesos cluster.

Handlers in server.py call its methods; time-driven progress (taskgroups starting, operations
ending, rolling-update steps, commands finishing) happens in `tick()`, driven by the clock.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import random
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from bcs_tui.sim import demo
from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.commands import CommandMixin
from bcs_tui.sim.errors import (CODE_AUTH, CODE_BAD_REQUEST, CODE_EXISTS, CODE_JSON_DECODE,
                                CODE_MESSAGE_TYPE, CODE_NOT_FOUND, CODE_SCHEDULER, DRIVER, SimError,
                                driver_error)
from bcs_tui.sim.kube import KubeMixin
from bcs_tui.sim.model import (TASK_MESSAGES, Agent, AgentSetting, Application, AppTemplate, rfc3339,
                               Task, TaskGroup, object_meta, storage_record)
from bcs_tui.sim.placement import Placer
from bcs_tui.sim.rollout import RolloutMixin
from bcs_tui.sim.storage import REREPORT_SECONDS, Storage
from bcs_tui.sim.templates import only_resources_changed, parse_app, version_json

OP_SECONDS = 1.0  # a scheduler transaction (launch, scale, update, delete) takes this long
STAGING_SECONDS = 1.0  # Staging -> Starting
STARTING_SECONDS = 2.0  # Starting -> Running
KILL_SECONDS = 1.0  # Killing -> Killed
DELETE_SECONDS = 2.0  # deleted app record disappears
CHURN_SECONDS = 7.0  # served mode: something happens this often
KEEP_RAW = object()  # _save_version: keep the previous version's raw_json (a scale)


@dataclass
class SimRequest:
    """One request that reached a route (refused ones included)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any  # parsed JSON, raw text, or None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        return None if isinstance(self.body, str) else self.body


class RequestLog(list):
    """`cluster.requests`: a list that forgets its oldest half past MAX entries (a served
    cluster polled for hours must not grow without bound)."""

    MAX = 20000

    def append(self, item: SimRequest) -> None:
        super().append(item)
        if len(self) > self.MAX:
            del self[: self.MAX // 2]


@dataclass(eq=False)
class StoredObject:
    """A configmap, secret, service or admission webhook as stored (the request body)."""

    kind: str
    namespace: str
    name: str
    body: dict
    created: float
    updated: float
    cache: bytes | None = None


def _cluster_num(cluster_id: str) -> str:
    m = re.search(r"(\d+)$", cluster_id)
    return m.group(1) if m else "Unnamed"


class SimCluster(RolloutMixin, CommandMixin, KubeMixin):
    """A BCS mesos cluster in a box. `scale` is "demo", "large", "xlarge" or "empty"."""

    def __init__(self, seed: int = 0, scale: str = "demo", cluster_id: str = "BCS-MESOS-10001",
                 clock: SimClock | None = None, *, hostile: bool = False,
                 churn: bool | None = None, stream_mode: str = "stream",
                 rereport: float = REREPORT_SECONDS) -> None:
        if scale not in ("demo", "large", "xlarge", "empty"):
            raise ValueError(f"unknown scale {scale!r} (demo, large, xlarge or empty)")
        self.seed = seed
        self.scale = scale
        self.cluster_id = cluster_id
        self.cluster_num = _cluster_num(cluster_id)
        # A defaulted clock is manual (tests); serving the cluster switches it to wall time.
        self.clock_defaulted = clock is None
        self.clock = clock if clock is not None else SimClock(manual=True)
        self.hostile = hostile
        # Churn makes a served cluster look alive; off for a manual clock unless asked.
        self.churn_defaulted = churn is None
        self.churn = (not self.clock.manual) if churn is None else churn
        self.rng = random.Random(seed)
        self.churn_rng = random.Random(seed * 7919 + 1)
        self.requests: list[SimRequest] = RequestLog()
        self.chaos = None  # a ChaosSpec (server.py applies it); settable at runtime
        self.token: str | None = None  # the gateway's bearer token (server.py); settable at runtime
        self.agents: list[Agent] = []
        self.agents_by_ip: dict[str, Agent] = {}
        self.settings: dict[str, AgentSetting] = {}
        self.apps: dict[tuple[str, str], Application] = {}
        self.taskgroups: dict[str, TaskGroup] = {}
        self.deployments: dict[tuple[str, str], Any] = {}
        self.objects: dict[str, dict[tuple[str, str], StoredObject]] = {
            "configmap": {}, "secret": {}, "service": {}, "admissionwebhook": {}}
        self.framework_id = "e2c4c6f0-6b0a-4bd5-9a3c-4d2f1c3b7a10-0000"
        self._timers: list[tuple[float, int, Callable, tuple]] = []
        self._seq = itertools.count()
        self._nano_last = 0
        self._offer_seq = 17000
        self._next_churn = self.clock.now() + CHURN_SECONDS
        self.placer = Placer(self.agents)
        self._init_commands()
        self._init_kube()
        demo.build(self, scale)
        # bcs-storage and the mesos-watch feeding it (storage.py); `stream_mode` is what the watch
        # route does (stream, break, none), `rereport` the re-report period (0: never)
        self.storage = Storage(self, stream_mode=stream_mode, rereport=rereport)

    # ------------------------------------------------------------------ time

    def now(self) -> float:
        return self.clock.now()

    def nano(self) -> int:
        """A unique unixNano stamp (IDs and version names must never collide)."""
        n = int(self.now() * 1e9)
        if n <= self._nano_last:
            n = self._nano_last + 1
        self._nano_last = n
        return n

    def schedule(self, delay: float, fn: Callable, *args: Any) -> None:
        heapq.heappush(self._timers, (self.now() + max(0.0, delay), next(self._seq), fn, args))

    def tick(self) -> int:
        """Run everything that is due. Returns the number of timer events run."""
        ran = 0
        now = self.now()
        while self._timers and self._timers[0][0] <= now:
            _, _, fn, args = heapq.heappop(self._timers)
            fn(*args)
            ran += 1
        ran += self._drive_rollouts()
        if self.churn and now >= self._next_churn:
            self._next_churn = now + CHURN_SECONDS
            self._churn_once()
        self.storage.sync()  # mesos-watch reports what changed (records and watch streams)
        return ran

    def go_live(self) -> None:
        """Continue on wall time from the current (manual) instant: what serving a cluster built
        with the default clock does, so `--demo` moves on its own."""
        if self.clock.manual:
            self.clock = SimClock(manual=False, start=self.clock.now())
            if self.churn_defaulted:
                self.churn = True
                self._next_churn = self.now() + CHURN_SECONDS

    def advance(self, seconds: float, step: float = 0.5) -> None:
        """Move the clock on in small steps, ticking after each (what the served loop does)."""
        remaining = seconds
        while remaining > 1e-9:
            d = min(step, remaining)
            self.clock.advance(d)
            self.tick()
            remaining -= d

    # ------------------------------------------------------------------ helpers

    def namespaces(self) -> list[str]:
        names = {ns for ns, _ in self.apps}
        names.update(ns for ns, _ in self.deployments)
        for kind in ("configmap", "secret", "service"):
            names.update(ns for ns, _ in self.objects[kind])
        return sorted(names)

    def get_app(self, ns: str, name: str) -> Application:
        app = self.apps.get((ns, name))
        if app is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        return app

    def _container_id(self) -> str:
        return "%064x" % self.rng.getrandbits(256)

    # ------------------------------------------------------------------ agents

    def add_agent(self, hostname: str, ip: str, city: str, cpus: float, mem: float, disk: float,
                  *, ports: tuple[int, int] = (31000, 32000), ip_resources: float = 0.0,
                  disabled: bool = False, taints: dict[str, str] | None = None,
                  strings: dict[str, str] | None = None) -> Agent:
        idx = len(self.agents)
        agent_id = "%08x-%04x-%04x-%04x-%012x-S%d" % (
            self.rng.getrandbits(32), self.rng.getrandbits(16), self.rng.getrandbits(16),
            self.rng.getrandbits(16), self.rng.getrandbits(48), idx)
        ag = Agent(index=idx, hostname=hostname, ip=ip, city=city, cpus=cpus, mem=mem, disk=disk,
                   port_ranges=[ports], agent_id=agent_id,
                   registered_ns=int((self.now() - 86400 * 90 + idx * 37) * 1e9),
                   ip_resources=ip_resources)
        st = AgentSetting(inner_ip=ip, disabled=disabled, no_schedule=dict(taints or {}),
                          strings=dict(strings or {}))
        ag.setting = st
        self.settings[ip] = st
        self.agents.append(ag)
        self.agents_by_ip[ip] = ag
        return ag

    def cluster_resources(self) -> dict:
        """GET /cluster/resources"""
        agents = [ag.resource_json() for ag in self.agents]
        tot = {"disktotal": 0.0, "memtotal": 0.0, "cputotal": 0.0,
               "diskused": 0.0, "memused": 0.0, "cpuused": 0.0}
        for a in agents:
            for k in tot:
                tot[k] += a[k]
        out: dict[str, Any] = {k: round(v, 4) for k, v in tot.items()}
        out["agents"] = agents
        return out

    def cluster_endpoints(self) -> dict:
        """GET /cluster/endpoints"""
        sched = [{"ip": f"10.0.0.{10 + i}", "ipv6": "", "port": 8081, "grpc_port": 0,
                  "metric_port": 9090, "hostname": f"bcs-scheduler-{i}", "scheme": "https",
                  "version": "v1.20.11", "cluster": self.cluster_id, "pid": 2311 + i,
                  "external_ip": "", "external_ipv6": "", "external_port": 0} for i in range(2)]
        masters = [{"ip": f"10.0.0.{2 + i}", "ipv6": "", "port": 5050, "grpc_port": 0,
                    "metric_port": 0, "hostname": f"mesos-master-{i}", "scheme": "http",
                    "version": "1.1.0", "cluster": "", "pid": 0, "external_ip": "",
                    "external_ipv6": "", "external_port": 0} for i in range(3)]
        return {"mesosscheduler": sched, "mesosmaster": masters}

    def offers(self) -> list[dict]:
        """GET /cluster/current/offers: free resources of every schedulable agent."""
        out = []
        for ag in self.agents:
            if ag.disabled or ag.free()[0] <= 0.05:
                continue
            self._offer_seq += 1
            out.append(ag.offer_json(self._offer_seq, self.framework_id))
        return out

    def list_agent_settings(self, ips: list[str] | None) -> list[dict] | None:
        """GET /agentsettings[?ips=]"""
        if ips:
            wanted = [self.settings[ip] for ip in ips if ip in self.settings]
        else:
            wanted = list(self.settings.values())
        out = []
        for st in wanted:
            ag = self.agents_by_ip.get(st.inner_ip)
            pods = [tid for tid, tg in ag.taskgroups.items() if tg.alive] if ag else []
            out.append(st.to_json(pods))
        return out or None

    def _setting(self, ip: str) -> AgentSetting:
        st = self.settings.get(ip)
        if st is None:
            st = AgentSetting(inner_ip=ip)
            self.settings[ip] = st
            ag = self.agents_by_ip.get(ip)
            if ag:
                ag.setting = st
        return st

    def set_agent_settings(self, body: Any) -> None:
        """POST /agentsettings: creates, or replaces only strings and scalars."""
        if not isinstance(body, list):
            raise SimError(CODE_BAD_REQUEST, "decode agent settings failed: body is not a JSON array")
        parsed = []
        for item in body:
            if not isinstance(item, dict) or not isinstance(item.get("innerIP"), str) \
                    or not item["innerIP"]:
                raise SimError(CODE_BAD_REQUEST, "agent setting innerIP is empty")
            try:
                strings = {str(k): str(v["value"]) for k, v in (item.get("strings") or {}).items()}
                scalars = {str(k): float(v["value"]) for k, v in (item.get("scalars") or {}).items()}
            except (TypeError, KeyError, ValueError, AttributeError):
                raise SimError(CODE_BAD_REQUEST, "agent setting strings/scalars are malformed") from None
            parsed.append((item, strings, scalars))
        for item, strings, scalars in parsed:
            ip = item["innerIP"]
            existed = ip in self.settings
            st = self._setting(ip)
            st.strings = strings
            st.scalars = scalars
            if not existed:
                st.disabled = bool(item.get("disabled", False))
                st.no_schedule = {str(k): str(v) for k, v in (item.get("noSchedule") or {}).items()}

    def set_agents_disabled(self, ips: list[str], disabled: bool) -> None:
        """POST /agentsettings/{enable|disable}?ips="""
        if not ips:
            raise SimError(CODE_BAD_REQUEST, "ips is empty")
        for ip in ips:
            self._setting(ip).disabled = disabled

    def taint_agents(self, body: Any) -> None:
        """PUT /agentsettings/taint: replaces noSchedule entirely."""
        if not isinstance(body, list):
            raise SimError(CODE_BAD_REQUEST, "decode taints failed: body is not a JSON array")
        for item in body:
            if not isinstance(item, dict) or not item.get("innerIP"):
                raise SimError(CODE_BAD_REQUEST, "taint innerIP is empty")
            ns = item.get("noSchedule") or {}
            if not isinstance(ns, dict):
                raise SimError(CODE_BAD_REQUEST, "noSchedule must be an object")
        for item in body:
            self._setting(item["innerIP"]).no_schedule = {
                str(k): str(v) for k, v in (item.get("noSchedule") or {}).items()}

    def set_extended_resource(self, body: Any) -> None:
        """PUT /agentsettings/extendedresource"""
        if not isinstance(body, dict) or not body.get("InnerIP") or not body.get("Name"):
            raise SimError(CODE_BAD_REQUEST, "extended resource InnerIP or Name is empty")
        self._setting(str(body["InnerIP"])).extended[str(body["Name"])] = dict(body)

    # ------------------------------------------------------------------ taskgroups

    def _allocate(self, tg: TaskGroup, agent: Agent) -> None:
        tg.agent = agent
        agent.used_cpus += tg.cpus
        agent.used_mem += tg.mem
        agent.used_disk += tg.disk
        for t in tg.tasks:
            t.host_ports = []
            for p in t.spec.ports:
                hp = p["hostPort"]
                if hp == 0 and tg.app.template.network == "BRIDGE":
                    hp = agent.take_port() or 0
                elif hp > 0:
                    agent.used_ports.add(hp)
                t.host_ports.append(hp)
        agent.taskgroups[tg.id] = tg
        n = len(agent.taskgroups)
        network = tg.app.template.network
        # network NONE (a definition without networkMode): the container has no address
        tg.pod_ip = (f"172.17.{(n // 250) % 250}.{n % 250 + 2}" if network == "BRIDGE"
                     else "" if network == "NONE" else agent.ip)

    def _release(self, tg: TaskGroup) -> None:
        ag = tg.agent
        if ag is None or tg.id not in ag.taskgroups:
            return
        del ag.taskgroups[tg.id]
        ag.used_cpus = max(0.0, ag.used_cpus - tg.cpus)
        ag.used_mem = max(0.0, ag.used_mem - tg.mem)
        ag.used_disk = max(0.0, ag.used_disk - tg.disk)
        for t in tg.tasks:
            for hp in t.host_ports:
                ag.used_ports.discard(hp)

    def _build_taskgroup(self, app: Application, instance: int, *, tpl: AppTemplate | None = None,
                         version: str | None = None, only: list[Agent] | None = None,
                         stamp: int | None = None) -> TaskGroup | None:
        """Create and place one taskgroup (Staging). None when no agent has room."""
        tpl = tpl or app.template
        cpus, mem, disk = tpl.cpus, tpl.mem, tpl.disk
        agent = self.placer.choose(app, tpl, cpus=cpus, mem=mem, disk=disk, only=only)
        if agent is None:
            return None
        now = self.now()
        tg = TaskGroup(app=app, instance=instance, stamp=stamp or self.nano(),
                       version_name=version or (app.versions[-1][0] if app.versions else ""),
                       cpus=cpus, mem=mem, disk=disk, start_time=now, update_time=now,
                       last_update_time=now)
        tg.tasks = [Task(index=i, spec=c, status="Staging", message=TASK_MESSAGES["Staging"],
                         update_time=now) for i, c in enumerate(tpl.containers)]
        self._allocate(tg, agent)
        self.taskgroups[tg.id] = tg
        return tg

    def _launch(self, tg: TaskGroup, *, starting_after: float = STAGING_SECONDS,
                running_after: float = STARTING_SECONDS) -> None:
        tg.executor_seq += 1
        gen = tg.executor_seq
        self.schedule(starting_after, self._tg_starting, tg, gen, running_after)

    def _tg_starting(self, tg: TaskGroup, gen: int, running_after: float) -> None:
        if not tg.alive or tg.executor_seq != gen or tg.status != "Staging":
            return
        for t in tg.tasks:
            t.container_id = self._container_id()
        self.set_tg_status(tg, "Starting")
        self.schedule(running_after, self._tg_running, tg, gen)

    def _tg_running(self, tg: TaskGroup, gen: int) -> None:
        if not tg.alive or tg.executor_seq != gen or tg.status != "Starting":
            return
        bad = next((t for t in tg.tasks if self._image_fails(t.spec.image)), None)
        if bad is not None:
            self.set_tg_status(tg, "Failed", message=f"docker pull {bad.spec.image}: manifest unknown",
                               exit_code=1)
            return
        now = self.now()
        for t in tg.tasks:
            t.started_at = now
        self.set_tg_status(tg, "Running")

    @staticmethod
    def _image_fails(image: str) -> bool:
        # A way to rehearse a bad release: images tagged ":broken" or named "...nonexist..." fail.
        return image.endswith(":broken") or "nonexist" in image

    def set_tg_status(self, tg: TaskGroup, status: str, *, message: str | None = None,
                      exit_code: int | None = None, recompute: bool = True) -> None:
        """Move a taskgroup (and its tasks) to `status` with the real messages."""
        now = self.now()
        for t in tg.tasks:
            if t.status != status:
                t.last_status = t.status
                t.status = status
            t.message = message if (message and status in ("Failed", "Error")) \
                else TASK_MESSAGES.get(status, message or "")
            t.update_time = now
            if status in ("Finish", "Failed", "Killed", "Error"):
                t.finished_at = now
                if exit_code is not None:
                    t.exit_code = exit_code
                elif status == "Killed":
                    t.exit_code = 137
        if tg.status != status:
            tg.last_status = tg.status
            tg.status = status
        tg.message = {
            "Staging": "all tasks is staging", "Starting": "some tasks are starting",
            "Running": "pod is running", "Finish": "all tasks are finish",
            "Killing": "some tasks are killing", "Killed": "some tasks are killed",
            "Lost": "some tasks are lost", "Restarting": "pod is restarting",
        }.get(status, message or "")
        tg.update_time = now
        tg.last_update_time = now
        tg.touch()
        if recompute:
            self.recompute_app(tg.app)

    # ------------------------------------------------------------------ application status

    @staticmethod
    def derive_status(app: Application) -> tuple[str, str]:
        """The scheduler's rules: the first that matches wins."""
        tgs = app.taskgroups
        statuses = [tg.status for tg in tgs]
        if "Error" in statuses:
            return "Error", "application has error pods"
        if "Failed" in statuses:
            return "Abnormal", "application has failed pods"
        if "Lost" in statuses:
            return "Abnormal", "have some lost taskgroups"
        if len(tgs) < app.define_instances:
            return "Abnormal", "have not enough resources to launch application"
        if tgs and all(s == "Finish" for s in statuses):
            return "Finish", "all pods are finish"
        if any(s in ("Staging", "Starting") for s in statuses):
            return "Deploying", "some pods in staing or starting"
        if sum(1 for s in statuses if s in ("Running", "Restarting")) == app.define_instances:
            return "Running", "application is running"
        return "Abnormal", "application is abnormal"

    def recompute_app(self, app: Application, *, force: bool = False) -> None:
        now = self.now()
        app.last_update_time = now
        if force or app.status not in ("Operating", "RollingUpdate"):
            status, message = self.derive_status(app)
            self._set_app_status(app, status, message)
        app.touch()

    def _set_app_status(self, app: Application, status: str, message: str) -> None:
        if status != app.status:
            app.last_status = app.status
            app.status = status
            app.update_time = self.now()
        app.message = message
        app.touch()

    def _begin_op(self, app: Application, op: str, message: str) -> int:
        app.op = op
        app.op_seq += 1
        if app.status != "Operating":
            app.last_status = app.status
        app.status = "Operating"
        app.message = message
        app.update_time = self.now()
        app.touch()
        return app.op_seq

    def _end_op(self, app: Application, seq: int) -> None:
        if not app.alive or app.op_seq != seq or app.status != "Operating":
            return
        op, app.op = app.op, ""
        if app.deployment and app.sub_status in ("RollingUpdateDown", "RollingUpdateUp"):
            self._set_app_status(app, "RollingUpdate", app.message)
            return
        if op in ("LAUNCH", "SCALE") and len(app.taskgroups) < app.define_instances:
            self._set_app_status(app, "Abnormal", "have not enough resources to launch application")
            return
        self.recompute_app(app, force=True)

    def _save_version(self, app: Application, tpl: AppTemplate, instances: int,
                      raw: Any = KEEP_RAW) -> str:
        """Append a version. `raw` is its raw_json (the definition): the request body for a
        create, update or rollback; None for an app made by a deployment; by default (a scale)
        the previous version's, which a scale does not change."""
        if raw is KEEP_RAW:
            raw = app.versions[-1][1].get("raw_json") if app.versions else None
        vid = str(self.nano())
        app.versions.append((vid, version_json(tpl, vid, instances, raw)))
        app.definition = raw
        return vid

    def latest_version(self, app: Application) -> dict:
        """The scheduler's GetVersion: the newest saved version (ids sort as strings)."""
        return max(app.versions, key=lambda v: v[0])[1]

    # ------------------------------------------------------------------ application operations

    def _new_app(self, tpl: AppTemplate, *, definition: dict | None, deployment: str = "",
                 name: str | None = None) -> Application:
        now = self.now()
        if name and name != tpl.name:
            tpl = copy.copy(tpl)
            tpl.name = name
        app = Application(name=tpl.name, namespace=tpl.namespace, cluster_num=self.cluster_num,
                          template=tpl, kind=tpl.kind, define_instances=tpl.instances,
                          status="Staging", sub_status="", created=now, update_time=now,
                          last_update_time=now, definition=definition, deployment=deployment)
        self.apps[(app.namespace, app.name)] = app
        self._save_version(app, tpl, tpl.instances, raw=definition)
        return app

    def _fill(self, app: Application, count: int, *, tpl: AppTemplate | None = None) -> int:
        """Build taskgroups up to `count`, reusing the lowest free instance indexes."""
        used = {tg.instance for tg in app.taskgroups}
        built = 0
        idx = 0
        while len(app.taskgroups) < count:
            while idx in used:
                idx += 1
            tg = self._build_taskgroup(app, idx, tpl=tpl)
            if tg is None:
                break
            used.add(idx)
            app.taskgroups.append(tg)
            self._launch(tg)
            built += 1
        app.taskgroups.sort(key=lambda t: t.instance)
        app.touch()
        return built

    def _check_refs(self, tpl: AppTemplate) -> None:
        raw_spec = ((tpl.raw.get("spec") or {}).get("template") or {}).get("spec") or {}
        for c in raw_spec.get("containers") or []:
            if not isinstance(c, dict):
                continue
            # Every referenced configmap / secret and key must exist (the scheduler's check).
            for store, name_key, label in (("configmap", "name", "bcsconfigmap"),
                                           ("secret", "secretName", "bcssecret")):
                for ref in c.get(store + "s") or []:
                    name = ref.get(name_key, "") if isinstance(ref, dict) else ""
                    obj = self.objects[store].get((tpl.namespace, name))
                    if obj is None:
                        raise driver_error(CODE_BAD_REQUEST,
                                           f"{label}(Namespace:{tpl.namespace} Name:{name}) not exist")
                    datas = obj.body.get("datas") or {}
                    for item in ref.get("items") or []:
                        key = item.get("dataKey", "") if isinstance(item, dict) else ""
                        if key not in datas:
                            raise driver_error(CODE_BAD_REQUEST,
                                               f"{label}(Namespace:{tpl.namespace} Name:{name}) "
                                               f"item(key:{key}) not exist")

    def create_application(self, ns: str, body: Any, *, kind: str = "application") -> None:
        """POST /namespaces/{ns}/applications|processes (asynchronous: answers before the launch)."""
        tpl = parse_app(body, kind=kind, default_ns=ns or "defaultGroup")
        self._check_refs(tpl)
        if (tpl.namespace, tpl.name) in self.apps:
            raise SimError(CODE_EXISTS, "application already exist")
        app = self._new_app(tpl, definition=copy.deepcopy(body))
        seq = self._begin_op(app, "LAUNCH", "application in launching")
        self._fill(app, app.define_instances)
        self.schedule(OP_SECONDS, self._end_op, app, seq)

    def update_application(self, ns: str, body: Any, *, instances: str | None,
                           args: str | None, kind: str = "application") -> None:
        """PUT /namespaces/{ns}/applications|processes?instances=N | ?args=resource

        The scheduler's updateApplication (SCHED/api/api.go:1268-1410) then UpdateApplication
        (SCHED/backend/update_application.go): N above the current version's Instances is
        refused; otherwise the first N taskgroups roll (N <= 0 or above the taskgroup count:
        all), so N below the running count leaves the app on two versions. The version is
        saved before the status check, so a refused "Operation Not Allowed" still records it.
        """
        tpl = parse_app(body, kind=kind, default_ns=ns or "defaultGroup")
        self._check_refs(tpl)
        self._update(tpl, copy.deepcopy(body), instances or "", args or "")

    def _update(self, tpl: AppTemplate, raw: dict, instances: str, args: str) -> None:
        app = self.apps.get((tpl.namespace, tpl.name))
        if app is None or not app.versions:
            raise SimError(CODE_SCHEDULER, "cannot get old version data")
        current = self.latest_version(app)
        current_kind = current.get("Kind") or "application"
        if current_kind != tpl.kind:
            raise SimError(CODE_SCHEDULER, "cannot update different kind application")
        limit = int(current.get("Instances") or 0)
        tpl.instances = limit  # a different spec.instance in the body is replaced by the current
        n = int(instances) if re.fullmatch(r"[0-9]+", instances) else None  # Go's ParseUint
        if args == "resource":
            reason = only_resources_changed(current, version_json(tpl, "", limit, None))
            if reason:
                raise SimError(CODE_SCHEDULER, reason)
        elif n is None:
            raise SimError(CODE_SCHEDULER, "instances must be specified")
        if (n or 0) > limit:
            raise SimError(CODE_SCHEDULER, "update instances num is more than version.Instances")
        tpl.name, tpl.namespace = app.name, app.namespace
        vid = self._save_version(app, tpl, limit, raw=raw)
        if app.status in ("Operating", "RollingUpdate"):
            raise SimError(CODE_SCHEDULER, "Operation Not Allowed")
        if not app.taskgroups:
            raise SimError(CODE_SCHEDULER, "no taskgroups to update")
        app.template = tpl
        app.sub_status = "Unknown"
        if args == "resource":
            self._update_resources(app, tpl)
            return
        seq = self._begin_op(app, "UPDATE", "application in updating")
        ordered = sorted(app.taskgroups, key=lambda t: t.instance)
        count = n if n and n <= len(ordered) else len(ordered)
        for old in ordered[:count]:
            self._replace_taskgroup(app, old, tpl=tpl, version=vid)
        self.schedule(OP_SECONDS, self._end_op, app, seq)

    def _replace_taskgroup(self, app: Application, old: TaskGroup, *, tpl: AppTemplate | None = None,
                           version: str | None = None, rescheduled: bool = False,
                           only: list[Agent] | None = None) -> TaskGroup | None:
        """Kill `old` and build its successor with the same instance index and a new stamp."""
        self._kill(old, remove=False)
        self._release(old)
        old.alive = False
        self.taskgroups.pop(old.id, None)
        new = self._build_taskgroup(app, old.instance, tpl=tpl, version=version or old.version_name,
                                    only=only)
        pos = app.taskgroups.index(old) if old in app.taskgroups else None
        if pos is not None:
            app.taskgroups.pop(pos)
        if new is None:
            app.touch()
            self.recompute_app(app)
            return None
        if rescheduled:
            new.rescheded_times = old.rescheded_times + 1
            new.last_resched_time = self.now()
        app.taskgroups.insert(pos if pos is not None else len(app.taskgroups), new)
        self._launch(new)
        app.touch()
        self.recompute_app(app)
        return new

    def _update_resources(self, app: Application, tpl: AppTemplate) -> None:
        """An in-place resource update (SCHED/scheduler/trans_updateapp_resource.go): nothing
        restarts and the taskgroups keep their version. A Running taskgroup takes the new
        cpu/memory only when neither goes down and one goes up; the rest of the new version
        (anything IsOnlyResourceIncreased does not compare) is recorded but runs nowhere."""
        seq = self._begin_op(app, "UPDATE", "application in updating")
        for tg in sorted(app.taskgroups, key=lambda t: t.instance):
            if tg.status != "Running":
                continue
            d_cpu, d_mem = tpl.cpus - tg.cpus, tpl.mem - tg.mem
            if d_cpu < 0 or d_mem < 0 or (d_cpu == 0 and d_mem == 0):
                continue
            ag = tg.agent
            if ag is not None and tg.id in ag.taskgroups:
                ag.used_cpus += tpl.cpus - tg.cpus
                ag.used_mem += tpl.mem - tg.mem
                ag.used_disk += tpl.disk - tg.disk
            tg.cpus, tg.mem, tg.disk = tpl.cpus, tpl.mem, tpl.disk
            for t, spec in zip(tg.tasks, tpl.containers):
                t.spec = copy.copy(t.spec)
                t.spec.cpus, t.spec.mem, t.spec.disk = spec.cpus, spec.mem, spec.disk
            msg = self._bcs_message(tg, 8, "UpdateTaskResources", {"Resources": [
                {"TaskId": tg.task_id(t), "ReqCpu": t.spec.cpus, "ReqMem": t.spec.mem,
                 "Cpu": t.spec.cpus, "Mem": t.spec.mem} for t in tg.tasks]})
            tg.event_msg = msg
            tg.touch()
        self.schedule(OP_SECONDS, self._end_op, app, seq)

    def rollback_application(self, ns: str, body: Any, *, kind: str = "application") -> None:
        """PUT /namespaces/{ns}/applications|processes/rollback: the driver sends an update with
        instances = the body's spec.instance (DRV/backend/v4http/rollback.go:52) and no args."""
        tpl = parse_app(body, kind=kind, default_ns=ns or "defaultGroup")
        self._check_refs(tpl)
        self._update(tpl, copy.deepcopy(body), str(tpl.instances), "")

    def scale_application(self, ns: str, name: str, n: int | str, *,
                          kind: str = "application") -> None:
        """PUT /namespaces/{ns}/applications|processes/{name}/scale/{n}
        (SCHED/api/api.go scaleApplication, SCHED/backend/scale_application.go)."""
        text = str(n)
        if not re.fullmatch(r"[0-9]+", text):  # Go's ParseUint
            raise SimError(CODE_SCHEDULER, "instances must be specified")
        count = int(text)
        if count < 1:
            raise SimError(CODE_SCHEDULER, "target instances can not be littler than 1, "
                                           "maybe you want to use delete command")
        app = self.get_app(ns, name)
        if (app.kind or "application") != kind:
            raise SimError(CODE_SCHEDULER, f"target is not {kind}, can not be scale")
        if app.status not in ("Running", "Abnormal"):
            raise SimError(CODE_SCHEDULER,
                           f"Operation Not Allowed, the status of the app is {app.status}")
        req_ips = [k for k in app.template.labels if k.startswith("io.tencent.bcs.netsvc.requestip.")]
        if req_ips and len(req_ips) < count:
            raise SimError(CODE_SCHEDULER, f"application({ns}.{name}) cannot scale for label "
                                           f"netsvc.requestip not enough")
        self._scale(app, count)

    def _scale(self, app: Application, n: int) -> None:
        """Re-save the newest version with Instances = n (its raw_json, the definition, keeps
        the old spec.instance: scale_application.go:80-81) and resize."""
        seq = self._begin_op(app, "SCALE", "application in scaling")
        app.sub_status = "Unknown"
        app.define_instances = n
        app.template.instances = n
        self._save_version(app, app.template, n)
        if len(app.taskgroups) < n:
            self._fill(app, n)
        else:
            for tg in sorted(app.taskgroups, key=lambda t: t.instance)[n:]:
                self._kill(tg, remove=True)
        app.touch()
        self.schedule(OP_SECONDS, self._end_op, app, seq)

    def _kill(self, tg: TaskGroup, *, remove: bool) -> None:
        """Killing now, Killed after KILL_SECONDS; `remove` drops it from its app then."""
        if tg.status not in ("Finish", "Failed", "Killed", "Error", "Lost"):
            self.set_tg_status(tg, "Killing", recompute=False)
        if remove:
            self.schedule(KILL_SECONDS, self._killed, tg)

    def _killed(self, tg: TaskGroup) -> None:
        if tg.status == "Killing":
            self.set_tg_status(tg, "Killed", recompute=False)
        self._release(tg)
        tg.alive = False
        self.taskgroups.pop(tg.id, None)
        app = tg.app
        if tg in app.taskgroups:
            app.taskgroups.remove(tg)
        app.touch()
        self.recompute_app(app)

    def delete_application(self, ns: str, name: str, *, enforce: bool, kind: str = "application",
                           by_deployment: bool = False) -> None:
        """DELETE /namespaces/{ns}/applications/{name}?enforce= (asynchronous)."""
        app = self.get_app(ns, name)
        if (app.kind or "application") != kind:
            raise SimError(CODE_SCHEDULER, f"target is not {kind}, can not be delete")
        if app.status == "RollingUpdate" and not enforce and not by_deployment:
            raise SimError(CODE_SCHEDULER, "Application in rollingupdate, cannot delete directory")
        self._begin_op(app, "DELETE", "application in deleting")
        for tg in list(app.taskgroups):
            self._kill(tg, remove=False)
        self.schedule(KILL_SECONDS, self._delete_killed, app)

    def _delete_killed(self, app: Application) -> None:
        for tg in list(app.taskgroups):
            if tg.status == "Killing":
                self.set_tg_status(tg, "Killed", recompute=False)
            self._release(tg)
            tg.alive = False
            self.taskgroups.pop(tg.id, None)
        app.touch()
        self.schedule(DELETE_SECONDS - KILL_SECONDS, self._drop_app, app)

    def _drop_app(self, app: Application) -> None:
        app.alive = False
        app.taskgroups = []
        if self.apps.get((app.namespace, app.name)) is app:
            del self.apps[(app.namespace, app.name)]

    # ------------------------------------------------------------------ reads

    def list_taskgroups(self, ns: str, name: str) -> list[dict] | None:
        app = self.apps.get((ns, name))
        if app is None:
            return None
        return [tg.sched_json() for tg in app.taskgroups]

    def list_versions(self, ns: str, name: str) -> list[str] | None:
        app = self.apps.get((ns, name))
        if app is None:
            return None
        return [vid for vid, _ in app.versions]

    def get_version(self, ns: str, name: str, vid: str) -> dict:
        app = self.apps.get((ns, name))
        if app is not None:
            for v, obj in app.versions:
                if v == vid:
                    return obj
        raise SimError(CODE_SCHEDULER, "store: Not Found")

    def application_definition(self, ns: str, name: str) -> dict:
        """GET /definition/application/{ns}/{name}: the newest version's raw_json."""
        app = self.apps.get((ns, name))
        if app is None or not app.versions:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        raw = self.latest_version(app).get("raw_json")
        if raw is None:
            raise SimError(CODE_SCHEDULER, "application's definition not exist, maybe the "
                                           "application was created by deployment")
        return raw

    # ------------------------------------------------------------------ taskgroup operations

    def find_taskgroup(self, tg_id: str) -> TaskGroup | None:
        return self.taskgroups.get(tg_id)

    def reschedule_taskgroup(self, tg_id: str, host_retain: int = 0) -> None:
        """PUT …/taskgroups/{id}/rescheduler: only the ID matters (ns and app are parsed from it)."""
        parts = tg_id.split(".")
        if len(parts) < 5:
            raise SimError(CODE_SCHEDULER, f"taskgroup id {tg_id} format error")
        tg = self.taskgroups.get(tg_id)
        if tg is None or not tg.alive:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if tg.status == "Lost":
            self.set_tg_status(tg, "Failed", message="taskgroup rescheduled", recompute=False)
        self._queue_reschedule(tg, max(0, host_retain), self.now())

    def _queue_reschedule(self, tg: TaskGroup, retain: int, asked: float) -> None:
        app = tg.app
        if not tg.alive or not app.alive:
            return
        if app.status == "Operating" or (app.status == "RollingUpdate"
                                         and app.sub_status != "RollingUpdateUp"):
            self.schedule(1.0, self._queue_reschedule, tg, retain, asked)  # the transaction waits
            return
        old_agent = tg.agent
        within_retain = retain > 0 and self.now() < asked + retain
        only = [old_agent] if within_retain and old_agent is not None else None
        # The old taskgroup's resources are freed first, so the old host can take it back.
        new = self._replace_taskgroup(app, tg, rescheduled=True, only=only)
        if new is None and within_retain:
            # Not placeable on the old host yet: keep trying it until the retain time is over.
            self.schedule(1.0, self._retry_place, app, tg, retain, asked)

    def _retry_place(self, app: Application, old: TaskGroup, retain: int, asked: float) -> None:
        if not app.alive or any(t.instance == old.instance for t in app.taskgroups):
            return
        within = self.now() < asked + retain
        new = self._build_taskgroup(app, old.instance,
                                    only=[old.agent] if within and old.agent else None)
        if new is None:
            if within:
                self.schedule(1.0, self._retry_place, app, old, retain, asked)
            return
        new.rescheded_times = old.rescheded_times + 1
        new.last_resched_time = self.now()
        app.taskgroups.append(new)
        app.taskgroups.sort(key=lambda t: t.instance)
        self._launch(new)
        self.recompute_app(app)

    def _bcs_message(self, tg: TaskGroup, mtype: int, payload_key: str, payload: Any) -> dict:
        """ST/message.go BcsMessage as SendBcsMessage leaves it (SCHED/scheduler/message.go:
        50-55): Id and CreateTime in unix seconds, Status "staging", TaskID null (a mesos TaskID
        object when set; the scheduler's sends never set it), nil payloads omitted."""
        now = int(self.now())
        msg = {"Id": now, "Type": mtype, "TaskGroupId": tg.id, "TaskID": None,
               payload_key: payload, "Status": "staging", "Message": "", "CompleteTime": 0,
               "CreateTime": now}
        return msg

    def _parse_message(self, body: Any) -> tuple[int, str, Any]:
        if not isinstance(body, dict):
            raise driver_error(CODE_JSON_DECODE, "json decode message failed")
        mtype = body.get("msgtype")
        data = body.get("msgdata") or {}
        if not isinstance(data, dict):
            raise driver_error(CODE_JSON_DECODE, "json decode msgdata failed")
        if mtype == "signal":
            sig = data.get("signal")
            if isinstance(sig, bool) or not isinstance(sig, int):
                raise driver_error(CODE_JSON_DECODE, "json: cannot unmarshal signal into int")
            return 2, "Sig", {"Signal": sig, "ProcessName": str(data.get("processname", ""))}
        if mtype == "local":
            return 1, "Local", {"To": data.get("to", ""), "Right": data.get("right", ""),
                                "User": data.get("user", ""), "Base64": data.get("ctx", "")}
        if mtype == "remote":
            return 4, "Remote", {"To": data.get("to", ""), "Right": data.get("right", ""),
                                 "User": data.get("user", ""), "From": data.get("remote", "")}
        if mtype == "env-key":
            return 3, "Env", {"Name": data.get("env-key", ""), "Value": data.get("env-value", "")}
        raise driver_error(CODE_MESSAGE_TYPE, "unknown the message type")

    def send_application_message(self, ns: str, name: str, body: Any) -> list[dict] | None:
        """POST /namespaces/{ns}/applications/{name}/message: data = failure list or null."""
        mtype, key, payload = self._parse_message(body)
        app = self.get_app(ns, name)
        if not app.taskgroups:
            raise SimError(CODE_SCHEDULER, "empty taskgroups")
        failures = []
        for tg in app.taskgroups:
            if tg.status != "Running":
                failures.append({"ID": tg.id, "Status": tg.status,
                                 "Err": f"taskgroup {tg.id} must be running"})
                continue
            tg.event_msg = self._bcs_message(tg, mtype, key, payload)
            tg.touch()
        return failures or None

    def send_taskgroup_message(self, ns: str, name: str, tg_id: str, body: Any) -> None:
        """POST …/taskgroups/{id}/message"""
        mtype, key, payload = self._parse_message(body)
        app = self.get_app(ns, name)
        tg = next((t for t in app.taskgroups if t.id == tg_id), None)
        if tg is None:
            raise SimError(CODE_SCHEDULER, f"no taskgroup({tg_id}) in application({ns}.{name})")
        if tg.status != "Running":
            raise SimError(CODE_SCHEDULER, f"taskgroup {tg_id} must be running")
        tg.event_msg = self._bcs_message(tg, mtype, key, payload)
        tg.touch()

    def process_only(self, ns: str, name: str, tg_id: str, op: str = "restart") -> dict:
        """POST …/taskgroups/{id}/restart|reload (SCHED/backend/taskgroup.go:123-205): only
        the taskgroup id counts (ns and app come from it); process apps only. data = the
        BcsMessage sent, which carries an empty CommitTask as in the source."""
        parts = tg_id.split(".")
        app = self.apps.get((parts[2], parts[1])) if len(parts) >= 5 else None
        if app is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if app.kind != "process":
            raise SimError(CODE_SCHEDULER, "application type is not process")
        if app.status in ("Operating", "RollingUpdate"):
            raise SimError(CODE_SCHEDULER, "operation Not Allowed")
        tg = self.taskgroups.get(tg_id)
        if tg is None or not tg.alive:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if tg.status != "Running":
            raise SimError(CODE_SCHEDULER, f"taskgroup {tg_id} must be running")
        msg = self._bcs_message(tg, 10 if op == "reload" else 11, "CommitTask", {"Tasks": None})
        tg.event_msg = msg
        tg.touch()
        return msg

    def commit_image(self, tg_id: str, image: str, url: str) -> dict:
        """POST /image/commit/{taskgroupId}?image=&url="""
        tg = self.taskgroups.get(tg_id)
        if tg is None or not tg.alive:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if tg.status != "Running":
            raise SimError(CODE_SCHEDULER, f"taskgroup({tg_id}) cannot commit image under "
                                           f"status({tg.status})")
        task = next((t for t in tg.tasks if t.spec.image == image), None)
        if task is None:
            raise SimError(CODE_SCHEDULER, f"image({image}) not found in taskgroup({tg_id})")
        if not url:
            raise SimError(CODE_BAD_REQUEST, "url is empty")
        msg = self._bcs_message(tg, 9, "CommitTask",
                                {"Tasks": [{"TaskId": tg.task_id(t), "Image": url}
                                           for t in tg.tasks if t.spec.image == image]})
        tg.event_msg = msg
        tg.touch()
        return msg

    # ------------------------------------------------------------------ configmap, secret, service

    def create_object(self, ns: str, kind: str, body: Any) -> None:
        """POST /namespaces/{ns}/{configmaps|secrets|services}"""
        body = self._check_object(kind, body, ns)
        key = (body["metadata"]["namespace"], body["metadata"]["name"])
        if key in self.objects[kind]:
            raise SimError(CODE_EXISTS, f"{kind} already exist")
        now = self.now()
        self.objects[kind][key] = StoredObject(kind, key[0], key[1], body, now, now)

    def update_object(self, ns: str, kind: str, body: Any) -> None:
        """PUT /namespaces/{ns}/{configmaps|secrets|services}"""
        body = self._check_object(kind, body, ns)
        key = (body["metadata"]["namespace"], body["metadata"]["name"])
        obj = self.objects[kind].get(key)
        if obj is None:
            raise SimError(CODE_NOT_FOUND, f"{kind} not exist")
        if kind in ("service", "admissionwebhook"):
            # keeps the stored metadata (labels included) and type meta; only the spec changes
            new = copy.deepcopy(obj.body)
            for k, v in body.items():
                if k not in ("metadata", "apiVersion", "kind"):
                    new[k] = v
            body = new
        obj.body = body
        obj.updated = self.now()
        obj.cache = None

    def delete_object(self, ns: str, kind: str, name: str) -> None:
        """DELETE /namespaces/{ns}/{kind}s/{name} (a missing object is a success)."""
        self.objects[kind].pop((ns, name), None)

    def _check_object(self, kind: str, body: Any, ns: str) -> dict:
        if not isinstance(body, dict):
            raise driver_error(CODE_BAD_REQUEST, "Unmarshal TypeMeta failed: body is not a JSON object")
        if body.get("kind") != kind:
            raise driver_error(CODE_BAD_REQUEST, f"Kind {body.get('kind')} is invalid")
        meta = body.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
            raise driver_error(CODE_BAD_REQUEST, f"{kind} metadata.name is empty")
        for key in ("labels", "annotations"):
            value = meta.get(key)
            if value is not None and (not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
                raise driver_error(CODE_JSON_DECODE, f"json: cannot unmarshal metadata.{key} into "
                                                     f"map[string]string")
        if meta.get("namespace") is not None and not isinstance(meta["namespace"], str):
            raise driver_error(CODE_JSON_DECODE, "json: cannot unmarshal metadata.namespace into string")
        body = copy.deepcopy(body)
        body["metadata"].setdefault("namespace", ns)
        if not body["metadata"]["namespace"]:
            body["metadata"]["namespace"] = ns
        if kind in ("configmap", "secret"):
            datas = body.get("datas")
            if datas is not None and not isinstance(datas, dict):
                raise driver_error(CODE_JSON_DECODE, "json: cannot unmarshal datas")
        if kind == "service":
            spec = body.get("spec")
            if spec is not None and not isinstance(spec, dict):
                raise driver_error(CODE_JSON_DECODE, "json: cannot unmarshal service spec")
        if kind == "admissionwebhook":
            hooks = body.get("admissionWebhooks")
            if hooks is not None and not isinstance(hooks, list):
                raise driver_error(CODE_JSON_DECODE, "json: cannot unmarshal admissionWebhooks")
        return body

    # ------------------------------------------------------------------ admission webhooks

    def create_webhook(self, ns: str, body: Any) -> None:
        """POST /namespaces/{ns}/admissionwebhook"""
        self._webhook_write(self.create_object, ns, body, CODE_EXISTS, "admission already exist")

    def update_webhook(self, ns: str, body: Any) -> None:
        """PUT /namespaces/{ns}/admissionwebhook"""
        self._webhook_write(self.update_object, ns, body, CODE_NOT_FOUND, "admission not exist")

    def _webhook_write(self, write: Callable[[str, str, Any], Any], ns: str, body: Any, code: int,
                       message: str) -> None:
        # The driver answers webhooks with its own wording for these two codes.
        try:
            write(ns, "admissionwebhook", body)
        except SimError as e:
            if e.code == code:
                raise SimError(code, message, proc=DRIVER) from None
            raise

    def get_webhook(self, ns: str, name: str) -> dict:
        obj = self.objects["admissionwebhook"].get((ns, name))
        if obj is None:
            raise SimError(CODE_NOT_FOUND, "admission not exist", proc=DRIVER)
        return self._webhook_json(obj)

    def _webhook_json(self, obj: StoredObject) -> dict:
        out = copy.deepcopy(obj.body)
        meta = out.setdefault("metadata", {})
        meta.setdefault("creationTimestamp", "0001-01-01T00:00:00Z")
        return out

    def list_webhooks(self) -> list[dict]:
        return [self._webhook_json(o) for o in self.objects["admissionwebhook"].values()]

    def delete_webhook(self, ns: str, name: str) -> None:
        if (ns, name) not in self.objects["admissionwebhook"]:
            raise SimError(CODE_NOT_FOUND, "admission not exist", proc=DRIVER)
        del self.objects["admissionwebhook"][(ns, name)]

    def admit(self, kind: str, operation: str, ns: str) -> None:
        """The driver's admission filter on POST/PUT of applications and deployments.

        The sim reaches a webhook when it has a URL (unless its host ends in `.invalid`) or
        names a service that exists in the cluster; an unreachable webhook with
        `failurePolicy: Fail` refuses the request with HTTP 400 / 1405234.
        """
        for obj in list(self.objects["admissionwebhook"].values()):
            ref = obj.body.get("resourcesRef") or {}
            # matched exactly (DRV/filter/admission-webhook.go:167-185): a webhook for
            # "Application" or "create" never fires
            if not isinstance(ref, dict) or ref.get("kind") != kind \
                    or ref.get("operation") != operation:
                continue
            for hook in obj.body.get("admissionWebhooks") or []:
                if not isinstance(hook, dict):
                    continue
                sel = hook.get("namespaceSelector") or {}
                values = sel.get("values") or [] if isinstance(sel, dict) else []
                op = sel.get("operator", "") if isinstance(sel, dict) else ""
                if (op == "In" and ns not in values) or (op == "NotIn" and ns in values):
                    continue
                cc = hook.get("clientConfig") or {}
                url = str(cc.get("url") or "")
                if url:
                    host = urlsplit(url).hostname or ""
                    reachable = bool(host) and not host.endswith(".invalid")
                    target = url
                else:
                    svc = (str(cc.get("namespace") or ""), str(cc.get("name") or ""))
                    host = f"{svc[1]}.{svc[0]}"
                    reachable = svc in self.objects["service"]
                    target = f"https://{host}:{cc.get('port') or 443}{cc.get('path') or ''}"
                if not reachable and hook.get("failurePolicy") == "Fail":
                    raise SimError(CODE_AUTH, f"request webhoook {hook.get('name', '')} error "
                                              f"Post {target}: dial tcp: lookup {host}: no such host",
                                   proc=DRIVER, http_status=400)

    # ------------------------------------------------------------------ storage (bcs-mesos-watch view)
    # The tables, queries and the watch stream are in storage.py; these render what mesos-watch
    # reports for an object (before storage adds `_id` and its own times).

    def storage_query(self, kind: str, namespaces: str | None = None,
                      host_ip: str | None = None) -> list[bytes]:
        """Every stored record of a query route's type (no cap, no paging: the state of the
        table, for checks; the HTTP route applies the real server's rules)."""
        params: dict[str, Any] = {"limit": str(1 << 62)}
        if namespaces:
            params["namespace"] = namespaces
        if host_ip:
            params["hostIp"] = host_ip
        return self.storage.query(kind, self.cluster_id, params, post=True)

    def storage_object_json(self, obj: StoredObject) -> dict:
        """A configmap / secret / service record as mesos-watch reports it."""
        data = copy.deepcopy(obj.body)
        data.pop("apiVersion", None)
        data.pop("kind", None)
        data["metadata"] = object_meta(obj.name, obj.namespace, obj.body["metadata"].get("labels"),
                                       obj.body["metadata"].get("annotations"), created=obj.created)
        return storage_record(self.cluster_id, obj.namespace, obj.kind, obj.name, obj.created,
                              obj.updated, data)

    def endpoint_record(self, svc: StoredObject) -> dict:
        """The endpoint record of a service: its Running taskgroups matching the selector."""
        selector = ((svc.body.get("spec") or {}).get("selector")) or {}
        eps = []
        if selector:
            for (ns, _), app in sorted(self.apps.items()):
                if ns != svc.namespace:
                    continue
                for tg in app.taskgroups:
                    labels = tg.labels()
                    if tg.status == "Running" and all(labels.get(k) == v for k, v in selector.items()):
                        ports = []
                        for t in tg.tasks:
                            for p, hp in zip(t.spec.ports, t.host_ports):
                                ports.append({"name": p["name"], "protocol": p["protocol"],
                                              "containerPort": p["containerPort"],
                                              "hostPort": hp})
                        eps.append({"nodeIP": tg.agent.ip if tg.agent else "",
                                    "containerIP": tg.pod_ip, "networkMode": app.template.network,
                                    "target": {"kind": "taskgroup", "name": tg.id},
                                    "ports": ports})
        data = {"metadata": object_meta(svc.name, svc.namespace,
                                        svc.body["metadata"].get("labels"), created=svc.created),
                "eps": eps}
        return storage_record(self.cluster_id, svc.namespace, "endpoint", svc.name, svc.created,
                              self.now(), data)

    def storage_inspect(self, ns: str, kind: str, name: str) -> dict | None:
        """The stored record of one object, as the storage inspect route returns it (or None)."""
        import json as _json

        raw = self.storage.inspect(self.cluster_id, ns, kind, name)
        return _json.loads(raw) if raw is not None else None

    # ------------------------------------------------------------------ churn (served mode)

    def _churn_once(self) -> None:
        """A running taskgroup goes Lost and is rescheduled a few seconds later (restarts tick up)."""
        running = [tg for app in self.apps.values() if app.status == "Running" and not app.deployment
                   for tg in app.taskgroups if tg.status == "Running"]
        if not running:
            return
        running.sort(key=lambda t: t.id)
        tg = running[self.churn_rng.randrange(len(running))]
        self.set_tg_status(tg, "Lost")
        self.schedule(5.0, self._churn_recover, tg)

    def _churn_recover(self, tg: TaskGroup) -> None:
        if tg.alive and tg.status == "Lost":
            self.set_tg_status(tg, "Failed", message="taskgroup lost, rescheduled", recompute=False)
            self._queue_reschedule(tg, 0, self.now())

    # ------------------------------------------------------------------ transactions

    def list_transactions(self, ns: str, obj_kind: str | None, obj_name: str | None) -> list[dict]:
        """GET /transactions/{ns}: the operations still running."""
        out = []
        for (n, name), app in sorted(self.apps.items()):
            if n != ns or not app.op:
                continue
            if obj_kind and obj_kind.lower() != "application":
                continue
            if obj_name and obj_name != name:
                continue
            out.append({"transactionID": f"{ns}-{name}-{app.op_seq}", "objectKind": "application",
                        "objectName": name, "namespace": ns,
                        "curOp": {"opType": app.op}, "status": "INIT", "message": app.message,
                        "createTime": rfc3339(app.update_time), "checkInterval": 1000000000,
                        "delayTime": 0, "childTransactionID": ""})
        return out
