"""Simulated objects and their JSON, in the real server's exact keys and casing.

Each object caches its rendered JSON (scheduler form and storage record) until it is touched,
so list and storage routes stay cheap on a large cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

# BCS deployments print times in China Standard Time.
CST = timezone(timedelta(hours=8))
ZERO_TIME = "0001-01-01T00:00:00Z"
EXECUTOR_MEM = 64.0
EXECUTOR_DISK = 64.0


def rfc3339(ts: float) -> str:
    if not ts:
        return ZERO_TIME
    return datetime.fromtimestamp(int(ts), CST).isoformat()


def rfc3339_nano(ts: float) -> str:
    if not ts:
        return ZERO_TIME
    dt = datetime.fromtimestamp(ts, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int((ts % 1) * 1e9):09d}Z"


def storage_time(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), CST).strftime("%Y-%m-%d %H:%M:%S")


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def object_meta(name: str, namespace: str, labels: dict | None = None,
                annotations: dict | None = None, created: float = 0.0,
                cluster_name: str = "") -> dict:
    meta: dict[str, Any] = {"name": name, "namespace": namespace,
                            "creationTimestamp": rfc3339(created) if created else ZERO_TIME}
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    if cluster_name:
        meta["clusterName"] = cluster_name
    return meta


def storage_record(cluster_id: str, namespace: str, kind: str, name: str, created: float,
                   updated: float, data: dict) -> dict:
    return {"_id": "", "clusterId": cluster_id, "namespace": namespace, "resourceName": name,
            "resourceType": kind, "createTime": storage_time(created),
            "updateTime": storage_time(updated), "data": data}


class Cached:
    """Mixin: `touch()` drops the rendered forms; `cached(key, fn)` renders once."""

    __slots__ = ()
    _cache: dict

    def touch(self) -> None:
        self._cache.clear()

    def cached(self, key: str, fn) -> Any:
        c = self._cache
        if key not in c:
            c[key] = fn()
        return c[key]


# ---------------------------------------------------------------------------------------------
# Agents


@dataclass(eq=False)
class AgentSetting:
    inner_ip: str
    disabled: bool = False
    strings: dict[str, str] = field(default_factory=dict)
    scalars: dict[str, float] = field(default_factory=dict)
    no_schedule: dict[str, str] = field(default_factory=dict)
    extended: dict[str, dict] = field(default_factory=dict)

    def to_json(self, pods: list[str]) -> dict:
        # Empty maps come back as null (Go nil maps).
        return {"innerIP": self.inner_ip, "disabled": self.disabled,
                "strings": {k: {"value": v} for k, v in self.strings.items()} or None,
                "scalars": {k: {"value": v} for k, v in self.scalars.items()} or None,
                "noSchedule": dict(self.no_schedule) or None,
                "pods": pods or None,
                "ExtendedResources": dict(self.extended) or None}


@dataclass(eq=False)
class Agent:
    index: int
    hostname: str
    ip: str
    city: str
    cpus: float
    mem: float
    disk: float
    port_ranges: list[tuple[int, int]]
    agent_id: str
    registered_ns: int
    ip_resources: float = 0.0
    used_cpus: float = 0.0
    used_mem: float = 0.0
    used_disk: float = 0.0
    used_ports: set[int] = field(default_factory=set)
    taskgroups: dict[str, Any] = field(default_factory=dict)  # tg id -> TaskGroup
    setting: AgentSetting | None = None

    @property
    def disabled(self) -> bool:
        return bool(self.setting and self.setting.disabled)

    @property
    def taints(self) -> dict[str, str]:
        return self.setting.no_schedule if self.setting else {}

    def free(self) -> tuple[float, float, float]:
        return (round(self.cpus - self.used_cpus, 4), round(self.mem - self.used_mem, 4),
                round(self.disk - self.used_disk, 4))

    def attributes(self) -> dict[str, Any]:
        """Constraint attributes: mesos agent attributes plus agent-setting strings/scalars."""
        attrs: dict[str, Any] = {"hostname": self.hostname, "InnerIP": self.ip, "City": self.city}
        if self.setting:
            attrs.update(self.setting.strings)
            attrs.update(self.setting.scalars)
        return attrs

    def free_port_ranges(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for begin, end in self.port_ranges:
            start = begin
            for p in sorted(p for p in self.used_ports if begin <= p <= end):
                if p > start:
                    out.append((start, p - 1))
                start = p + 1
            if start <= end:
                out.append((start, end))
        return out

    def take_port(self) -> int | None:
        for begin, end in self.port_ranges:
            for p in range(begin, end + 1):
                if p not in self.used_ports:
                    self.used_ports.add(p)
                    return p
        return None

    def resource_json(self) -> dict:
        host_attrs = [{"name": "InnerIP", "type": 103, "text": {"value": self.ip}},
                      {"name": "City", "type": 103, "text": {"value": self.city}}]
        attrs = list(host_attrs)
        if self.setting:
            for k, v in self.setting.strings.items():
                attrs.append({"name": k, "type": 103, "text": {"value": v}})
            for k, v in self.setting.scalars.items():
                attrs.append({"name": k, "type": 101, "scalar": {"value": v}})
        return {"hostname": self.hostname, "ip": self.ip,
                "disktotal": self.disk, "memtotal": self.mem, "cputotal": self.cpus,
                "diskused": round(self.used_disk, 4), "memused": round(self.used_mem, 4),
                "cpuused": round(self.used_cpus, 4), "disabled": self.disabled,
                "host_attributes": host_attrs, "attributes": attrs,
                "registered_time": self.registered_ns, "reregistered_time": 0}

    def offer_json(self, offer_seq: int, framework_id: str) -> dict:
        cpus, mem, disk = self.free()
        resources = [
            {"name": "cpus", "type": 0, "scalar": {"value": cpus}, "role": "*"},
            {"name": "mem", "type": 0, "scalar": {"value": mem}, "role": "*"},
            {"name": "disk", "type": 0, "scalar": {"value": disk}, "role": "*"},
            {"name": "ports", "type": 1, "role": "*",
             "ranges": {"range": [{"begin": b, "end": e} for b, e in self.free_port_ranges()]}},
        ]
        attributes: list[dict] = [
            {"name": "InnerIP", "type": 3, "text": {"value": self.ip}},
            {"name": "City", "type": 3, "text": {"value": self.city}},
            {"name": "ip-resources", "type": 0, "scalar": {"value": self.ip_resources}},
        ]
        if self.setting:
            for k, v in self.setting.strings.items():
                if k not in ("InnerIP", "City"):
                    attributes.append({"name": k, "type": 3, "text": {"value": v}})
            for k, v in self.setting.scalars.items():
                if k != "ip-resources":
                    attributes.append({"name": k, "type": 0, "scalar": {"value": v}})
            if self.setting.no_schedule:
                attributes.append({"name": "NoSchedule", "type": 2, "set": {
                    "item": [f"{k}={v}" for k, v in self.setting.no_schedule.items()]}})
        return {"id": {"value": f"{framework_id[:-5]}-O{offer_seq}"},
                "framework_id": {"value": framework_id},
                "agent_id": {"value": self.agent_id}, "hostname": self.hostname,
                "url": {"scheme": "http", "address": {"hostname": self.hostname, "ip": self.ip,
                                                      "port": 5051}, "path": "/slave(1)"},
                "resources": resources, "attributes": attributes,
                "deltaResource": {"Cpus": 0, "Mem": 0, "Disk": 0}}


# ---------------------------------------------------------------------------------------------
# Applications, taskgroups, tasks


@dataclass(eq=False)
class ContainerSpec:
    image: str
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    ports: list[dict] = field(default_factory=list)  # {containerPort, hostPort, name, protocol}
    cpus: float = 0.1
    mem: float = 64.0
    disk: float = 0.0
    volumes: list[dict] = field(default_factory=list)
    health_checks: list[dict] = field(default_factory=list)
    parameters: list[dict] = field(default_factory=list)
    privileged: bool = False
    pull_user: str = ""
    pull_passwd: str = ""
    force_pull: bool = True
    hostname: str = ""


@dataclass(eq=False)
class AppTemplate:
    """What the scheduler keeps of a ReplicaController: enough to build taskgroups and versions."""

    name: str
    namespace: str
    kind: str
    instances: int
    labels: dict[str, str]
    annotations: dict[str, str]
    pod_labels: dict[str, str]
    containers: list[ContainerSpec]
    network: str
    restart_policy: dict
    kill_policy: dict
    constraints: list[list[dict]]  # intersection of unions
    raw: dict
    # `networkMode` / `networktype` as the driver copied them into the version (Docker.Network):
    # "" when the definition had none. `network` is what the scheduler launched: NONE for "".
    network_mode: str = "BRIDGE"
    network_type: str = ""

    @property
    def cpus(self) -> float:
        return round(sum(c.cpus for c in self.containers), 4)

    @property
    def mem(self) -> float:
        return sum(c.mem for c in self.containers) + EXECUTOR_MEM

    @property
    def disk(self) -> float:
        return sum(c.disk for c in self.containers) + EXECUTOR_DISK

    def tolerations(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for union in self.constraints:
            for item in union:
                if str(item.get("operate", "")).upper() == "TOLERATION":
                    out[str(item.get("name", ""))] = str((item.get("text") or {}).get("value", ""))
        return out


@dataclass(eq=False, slots=True)
class Task(Cached):
    index: int
    spec: ContainerSpec
    status: str = "Staging"
    last_status: str = ""
    message: str = ""
    container_id: str = ""
    started_at: float = 0.0
    finished_at: float = 0.0
    exit_code: int = 0
    update_time: float = 0.0
    host_ports: list[int] = field(default_factory=list)
    _cache: dict = field(default_factory=dict, repr=False)


TASK_MESSAGES = {"Staging": "task is staging", "Starting": "task is starting",
                 "Running": "container is running", "Finish": "container exited with code 0",
                 "Killing": "task is killing", "Killed": "task killed by scheduler",
                 "Lost": "agent is unreachable, task lost", "Restarting": "container is restarting"}

DOCKER_STATE = {"Staging": "", "Starting": "created", "Running": "running", "Finish": "exited",
                "Failed": "exited", "Error": "dead", "Killing": "running", "Killed": "exited",
                "Lost": "running", "Restarting": "restarting"}


@dataclass(eq=False, slots=True)
class TaskGroup(Cached):
    app: Any  # Application
    instance: int
    stamp: int  # unixNano in the ID
    version_name: str
    status: str = "Staging"
    last_status: str = ""
    message: str = "all tasks is staging"
    agent: Agent | None = None
    pod_ip: str = ""
    start_time: float = 0.0
    update_time: float = 0.0
    last_update_time: float = 0.0
    rescheded_times: int = 0
    last_resched_time: float = 0.0
    tasks: list[Task] = field(default_factory=list)
    event_msg: dict | None = None
    cpus: float = 0.0
    mem: float = 0.0
    disk: float = 0.0
    alive: bool = True
    executor_seq: int = 0
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        a = self.app
        return f"{self.instance}.{a.name}.{a.namespace}.{a.cluster_num}.{self.stamp}"

    @property
    def name(self) -> str:
        return f"{self.app.name}-{self.instance}"

    def task_id(self, task: Task) -> str:
        a = self.app
        return f"{self.stamp}.{task.index}.{self.instance}.{a.name}.{a.namespace}.{a.cluster_num}"

    def touch(self) -> None:
        self._cache.clear()
        for t in self.tasks:
            t._cache.clear()

    def labels(self) -> dict:
        labels = dict(self.app.template.pod_labels)
        labels.update(self.app.template.labels)
        return labels

    # -- scheduler form
    def status_data(self, task: Task) -> str:
        if task.status == "Staging" or self.agent is None:
            return ""
        ag = self.agent
        info = {"ID": task.container_id, "Name": f"mesos-{task.container_id[:8]}-{self.stamp}",
                "Pid": 0 if task.status != "Running" else 10000 + (self.stamp // 1000) % 50000,
                "StartAt": rfc3339_nano(task.started_at), "FinishAt": rfc3339_nano(task.finished_at),
                "Status": DOCKER_STATE.get(task.status, ""), "Healthy": task.status == "Running",
                "IsChecked": bool(task.spec.health_checks), "ConsecutiveFailureTimes": 0,
                "ExitCode": task.exit_code, "Hostname": task.spec.hostname or ag.hostname,
                "NetworkMode": (self.app.template.network_mode
                                if self.app.template.network == "USER"
                                else self.app.template.network.lower()),
                "IPAddress": self.pod_ip,
                "NodeAddress": ag.ip,
                "Ports": [{"name": p.get("name", ""), "containerPort": str(p.get("containerPort", 0)),
                           "hostPort": str(hp), "protocol": p.get("protocol", "TCP"),
                           "hostIP": ag.ip}
                          for p, hp in zip(task.spec.ports, task.host_ports)],
                "Message": task.message if task.status in ("Failed", "Error") else "",
                "Resource": {"Cpus": task.spec.cpus, "Mem": task.spec.mem, "Disk": task.spec.disk},
                "BcsMessage": None, "OOMKilled": task.exit_code == 137}
        return json.dumps(info, separators=(",", ":"), ensure_ascii=False)

    def health_status(self, task: Task) -> list[dict] | None:
        if not task.spec.health_checks:
            return None
        out = []
        texts = {"COMMAND": "command check by executor", "TCP": "tcp check by executor",
                 "HTTP": "http check by executor", "REMOTE_HTTP": "remote http check, not reported",
                 "REMOTE_TCP": "remote tcp check, not reported"}
        for hc in task.spec.health_checks:
            t = str(hc.get("type", "HTTP")).upper()
            out.append({"type": t, "result": task.status == "Running",
                        "message": texts.get(t, "http check by executor")})
        return out

    def task_json(self, task: Task) -> dict:
        ag = self.agent
        a = self.app
        s = task.spec
        tid = self.task_id(task)
        return {"Kind": a.kind, "ID": tid, "Name": f"{self.stamp}-{tid}", "Hostame": s.hostname,
                "Command": s.command, "Arguments": list(s.args), "Image": s.image,
                "ImagePullUser": s.pull_user, "ImagePullPasswd": s.pull_passwd,
                "Network": a.template.network_mode, "NetworkType": a.template.network_type,
                "PortMappings": [{"ContainerPort": p.get("containerPort", 0), "HostPort": hp,
                                  "Name": p.get("name", ""), "Protocol": p.get("protocol", "TCP")}
                                 for p, hp in zip(s.ports, task.host_ports)],
                "Privileged": s.privileged, "Parameters": [{"Key": p.get("key", ""),
                                                            "Value": p.get("value", "")}
                                                           for p in s.parameters],
                "ForcePullImage": s.force_pull,
                "Volumes": [{"ContainerPath": v.get("mountPath", ""), "HostPath": v.get("hostPath", ""),
                             "Mode": "R" if v.get("readOnly") else "RW"} for v in s.volumes],
                "Env": dict(s.env), "Labels": self.labels(),
                "DataClass": {"Resources": {"Cpus": s.cpus, "Mem": s.mem, "Disk": s.disk},
                              "LimitResources": {"Cpus": s.cpus, "Mem": s.mem, "Disk": s.disk},
                              "ExtendedResources": None, "Msgs": [], "NetLimit": None,
                              "ProcInfo": None},
                "Cpuset": False, "HealthChecks": s.health_checks or None,
                "HealthCheckStatus": self.health_status(task),
                "Healthy": task.status == "Running", "IsChecked": bool(s.health_checks),
                "ConsecutiveFailureTimes": 0, "LocalMaxConsecutiveFailures": 0,
                "OfferId": f"{ag.agent_id[:-3]}-O{self.stamp % 100000}" if ag else "",
                "AgentId": ag.agent_id if ag else "", "AgentHostname": ag.hostname if ag else "",
                "AgentIPAddress": ag.ip if ag else "",
                "Status": task.status, "LastStatus": task.last_status,
                "UpdateTime": int(task.update_time), "StatusData": self.status_data(task),
                "AppId": a.name, "RunAs": a.namespace, "KillPolicy": dict(a.template.kill_policy),
                "Uris": None, "LastUpdateTime": int(self.last_update_time),
                "Message": task.message, "NetLimit": None}

    def sched_json(self) -> dict:
        return self.cached("sched", self._sched_json)

    def _sched_json(self) -> dict:
        a = self.app
        ag = self.agent
        res = {"Cpus": self.cpus, "Mem": self.mem, "Disk": self.disk}
        return {"Kind": a.kind, "ID": self.id, "Name": self.name, "AppID": a.name,
                "RunAs": a.namespace,
                "ObjectMeta": object_meta(self.id, a.namespace, self.labels(), created=self.start_time),
                "AgentID": ag.agent_id if ag else "",
                "ExecutorID": f"{self.id}.{self.executor_seq}" if ag else "",
                "Status": self.status, "LastStatus": self.last_status,
                "InstanceID": self.instance, "Taskgroup": [self.task_json(t) for t in self.tasks],
                "KillPolicy": dict(a.template.kill_policy),
                "RestartPolicy": dict(a.template.restart_policy),
                "VersionName": self.version_name, "LastUpdateTime": int(self.last_update_time),
                "Attributes": None, "StartTime": int(self.start_time),
                "UpdateTime": int(self.update_time), "ReschededTimes": self.rescheded_times,
                "LastReschedTime": int(self.last_resched_time),
                "HostName": ag.hostname if ag else "", "Message": self.message,
                "LaunchResource": res, "CurrResource": dict(res), "BcsEventMsg": self.event_msg}

    # -- storage form (what bcs-mesos-watch reports)
    def storage_bytes(self, cluster_id: str, report_time: float) -> bytes:
        return self.cached("storage", lambda: dumps(self.storage_json(cluster_id, report_time)))

    def storage_json(self, cluster_id: str, report_time: float) -> dict:
        a = self.app
        ag = self.agent
        statuses = []
        for t in self.tasks:
            s = t.spec
            statuses.append({
                "name": f"mesos-{t.container_id[:8]}-{self.stamp}" if t.container_id else "",
                "containerID": t.container_id, "restartCount": self.rescheded_times,
                "status": t.status, "lastStatus": t.last_status, "exitcode": t.exit_code,
                "image": s.image, "message": t.message,
                "startTime": rfc3339_nano(t.started_at), "lastUpdateTime": rfc3339(t.update_time),
                "finishTime": rfc3339_nano(t.finished_at),
                "healCheckStatus": self.health_status(t) or [],
                "containerPort": [{"name": p.get("name", ""), "hostPort": hp,
                                   "containerPort": p.get("containerPort", 0),
                                   "protocol": p.get("protocol", "TCP")}
                                  for p, hp in zip(s.ports, t.host_ports)],
                "command": s.command, "args": list(s.args),
                "volumes": [{"hostPath": v.get("hostPath", ""), "mountPath": v.get("mountPath", ""),
                             "readOnly": bool(v.get("readOnly"))} for v in s.volumes],
                "networkMode": a.template.network_mode, "labels": self.labels(),
                "resources": {"limits": {"cpu": f"{s.cpus:f}", "memory": f"{s.mem:f}",
                                         "storage": f"{s.disk:f}"}},
                "env": dict(s.env)})
            if not a.template.network_mode:
                del statuses[-1]["networkMode"]  # task.Network "" is omitted (omitempty)
        data = {"metadata": object_meta(self.id, a.namespace, self.labels(), created=self.start_time),
                "rcname": a.name, "status": self.status, "lastStatus": self.last_status,
                "hostIP": ag.ip if ag else "", "hostName": ag.hostname if ag else "",
                "podIP": self.pod_ip, "message": self.message,
                "startTime": rfc3339(self.start_time), "lastUpdateTime": rfc3339(self.update_time),
                "reportTime": rfc3339(report_time),
                "killPolicy": dict(a.template.kill_policy),
                "restartPolicy": dict(a.template.restart_policy),
                "bcsMessage": json.dumps(self.event_msg) if self.event_msg else "",
                "kind": a.kind, "containerStatuses": statuses}
        return storage_record(cluster_id, a.namespace, "taskgroup", self.id, self.start_time,
                              self.update_time, data)


@dataclass(eq=False, slots=True)
class Application(Cached):
    name: str
    namespace: str
    cluster_num: str
    template: AppTemplate
    kind: str = "application"
    define_instances: int = 0
    status: str = "Staging"
    sub_status: str = ""
    last_status: str = ""
    message: str = ""
    created: float = 0.0
    update_time: float = 0.0
    last_update_time: float = 0.0
    taskgroups: list[TaskGroup] = field(default_factory=list)
    versions: list[tuple[str, dict]] = field(default_factory=list)
    definition: dict | None = None  # raw ReplicaController (None when made by a deployment)
    op: str = ""  # the running transaction (LAUNCH, SCALE, UPDATE, DELETE ...)
    op_seq: int = 0
    deployment: str = ""  # owning deployment name
    alive: bool = True
    _cache: dict = field(default_factory=dict, repr=False)

    def running_count(self) -> int:
        return sum(1 for tg in self.taskgroups if tg.status in ("Running", "Restarting"))

    def sched_json(self) -> dict:
        return self.cached("sched", self._sched_json)

    def _sched_json(self) -> dict:
        return {"Kind": self.kind, "ID": self.name, "Name": self.name,
                "ObjectMeta": object_meta(self.name, self.namespace, self.template.labels,
                                          self.template.annotations, created=self.created),
                "DefineInstances": self.define_instances, "Instances": len(self.taskgroups),
                "RunningInstances": self.running_count(), "RunAs": self.namespace,
                "ClusterId": self.cluster_num, "Status": self.status,
                "SubStatus": self.sub_status, "LastStatus": self.last_status,
                "Created": int(self.created), "UpdateTime": int(self.update_time), "Mode": "",
                "LastUpdateTime": int(self.last_update_time), "Message": self.message,
                "Pods": [{"name": tg.id} for tg in self.taskgroups]}

    def sched_bytes(self) -> bytes:
        return self.cached("sched_bytes", lambda: dumps(self.sched_json()))

    def storage_bytes(self, cluster_id: str, report_time: float) -> bytes:
        return self.cached("storage", lambda: dumps(self.storage_json(cluster_id, report_time)))

    def storage_json(self, cluster_id: str, report_time: float) -> dict:
        data = {"metadata": object_meta(self.name, self.namespace, self.template.labels,
                                        self.template.annotations, created=self.created),
                "instance": self.define_instances, "buildedInstance": len(self.taskgroups),
                "runningInstance": self.running_count(), "createTime": rfc3339(self.created),
                "lastUpdateTime": rfc3339(self.update_time), "reportTime": rfc3339(report_time),
                "status": self.status, "lastStatus": self.last_status, "message": self.message,
                "pods": [{"name": tg.id} for tg in self.taskgroups], "kind": self.kind}
        return storage_record(cluster_id, self.namespace, "application", self.name, self.created,
                              self.update_time, data)


@dataclass(eq=False)
class Deployment(Cached):
    name: str
    namespace: str
    labels: dict[str, str]
    selector: dict[str, str]
    strategy: dict
    raw_json: dict
    status: str = "Deploying"
    app_name: str = ""
    app_ext_name: str = ""
    last_rolling_time: float = 0.0
    curr_rolling_operation: str = ""
    is_in_rolling: bool = False
    check_time: float = 0.0
    message: str = ""
    raw_json_backup: dict | None = None
    created: float = 0.0
    update_time: float = 0.0
    target_instances: int = 0
    old_instances: int = 0
    # application / application_ext `curr_target_instances` and `CurrentRollingInstances`: set
    # when a rolling step begins (SCHED/scheduler/deployment.go:156-181), 0 on create and
    # after a finished update; cancel zeroes only the target (SCHED/backend/deployment.go:559)
    app_target: int = 0
    app_rolling: int = 0
    ext_target: int = 0
    ext_rolling: int = 0
    # rollout bookkeeping
    phase: str = ""  # START / DELETE while rolling
    step_deadline: float = 0.0
    next_step_at: float = 0.0
    step_target: int = 0
    cancel_pending: bool = False
    alive: bool = True
    _cache: dict = field(default_factory=dict, repr=False)

    def rolling(self) -> dict:
        return dict((self.strategy or {}).get("rollingupdate") or {})

    def _app_ref(self, app: Application | None, target: int, rolling: int) -> dict | None:
        if app is None:
            return None
        return {"name": app.name, "curr_target_instances": target, "CurrentRollingInstances": rolling}

    def to_json(self, app: Application | None, ext: Application | None) -> dict:
        out: dict[str, Any] = {
            "metadata": object_meta(self.name, self.namespace, self.labels, created=self.created),
            "selector": dict(self.selector), "strategy": self.strategy, "status": self.status,
            "application": self._app_ref(app, self.app_target, self.app_rolling),
            "application_ext": self._app_ref(ext, self.ext_target, self.ext_rolling),
            "last_rolling_time": int(self.last_rolling_time),
            "curr_rolling_operation": self.curr_rolling_operation,
            "is_in_rolling": self.is_in_rolling, "check_time": int(self.check_time),
            "message": self.message, "raw_json": self.raw_json}
        if self.raw_json_backup:
            out["raw_json_backup"] = self.raw_json_backup
        return out
