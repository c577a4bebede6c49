"""Pydantic models of what the BCS mesos API returns and accepts.

Python attributes are the snake_case of the JSON keys and the JSON keys are the aliases
(`DefineInstances` -> `define_instances`), so `model_dump(by_alias=True)` gives the real JSON back.
Every model keeps unknown fields (`extra="allow"`) and turns `null` into `[]` / `{}` where a list or
map is expected: the scheduler's Go types marshal empty slices and maps as `null`. Go int64 seconds
stay ints. The casing follows the real server (bcs-api-facts): PascalCase for the scheduler types
without json tags (Application, TaskGroup, Task, Version), snake_case for Deployment, lower camel
for storage records. Where the server or older versions use two spellings of one key, both are
accepted (Go's JSON decoder matches keys case-insensitively, so real manifests mix them).

Request models validate user JSON before anything is sent (`validate_request`): they enforce the
driver's rules that can be checked locally and report precise field paths, and they let unknown
fields through because real manifests carry many.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cached_property
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    field_validator,
    model_validator,
)

from bcs_tui.api.errors import InvalidRequest

T = TypeVar("T")


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


def _none_to_dict(value: Any) -> Any:
    return {} if value is None else value


def _none_to_str(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _none_to_zero(value: Any) -> Any:
    return 0 if value is None else value


_T = TypeVar("_T")

# `ListOf[item]`: `list[item]` that reads `null` as `[]` and defaults to `[]`.
ListOf = Annotated[list[_T], BeforeValidator(_none_to_list), Field(default_factory=list)]
# `MapOf[value]`: `dict[str, value]` that reads `null` as `{}` and defaults to `{}`.
MapOf = Annotated[dict[str, _T], BeforeValidator(_none_to_dict), Field(default_factory=dict)]


# Strings and numbers that the server may send as null (Go pointers) read as "" / 0.
Str = Annotated[str, BeforeValidator(_none_to_str)]
Int = Annotated[int, BeforeValidator(_none_to_zero)]
Float = Annotated[float, BeforeValidator(_none_to_zero)]


def F(alias: str, *also: str, **kw: Any) -> Any:
    """A field whose JSON key is `alias`; `also` are other accepted spellings (read only)."""
    if also:
        return Field(validation_alias=AliasChoices(alias, *also), serialization_alias=alias, **kw)
    return Field(alias=alias, **kw)


class BcsModel(BaseModel):
    """Base of every model: aliases are the JSON keys, unknown keys are kept."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", arbitrary_types_allowed=True)

    def to_json(self) -> dict[str, Any]:
        """The real JSON form (server keys), for describe views and request bodies."""
        return self.model_dump(by_alias=True, mode="json", exclude_unset=False)


# ----------------------------------------------------------------------------------------------
# Shared pieces


class ObjectMeta(BcsModel):
    """`CT/meta.go` ObjectMeta (lower-case tags)."""

    name: Str = ""
    namespace: Str = ""
    creation_timestamp: Str = F("creationTimestamp", default="")
    labels: MapOf[Any]
    annotations: MapOf[Any]
    cluster_name: Str = F("clusterName", default="")


def _empty_meta() -> ObjectMeta:
    # model_validate, not ObjectMeta(): type checkers see MapOf fields as required arguments
    return ObjectMeta.model_validate({})


class PodIndex(BcsModel):
    """`{"name": <taskgroup id>}` in Application.Pods and storage `pods`."""

    name: Str = ""


class Resource(BcsModel):
    """`{Cpus, Mem, Disk}` (mem and disk in MB)."""

    cpus: Float = F("Cpus", "cpus", default=0.0)
    mem: Float = F("Mem", "mem", default=0.0)
    disk: Float = F("Disk", "disk", default=0.0)


class KillPolicy(BcsModel):
    grace_period: Int = F("gracePeriod", "GracePeriod", default=0)


class RestartPolicy(BcsModel):
    policy: Str = F("policy", "Policy", default="")
    interval: Int = F("interval", "Interval", default=0)
    backoff: Int = F("backoff", "Backoff", default=0)
    max_times: Int = F("maxtimes", "MaxTimes", "maxTimes", default=0)
    host_retain_time: Int = F("hostRetainTime", "HostRetainTime", default=0)


class ScalarValue(BcsModel):
    value: Float = 0.0


class TextValue(BcsModel):
    value: Str = ""


class SetValue(BcsModel):
    item: ListOf[Str]


class ValueRange(BcsModel):
    begin: Int = 0
    end: Int = 0


class RangesValue(BcsModel):
    range: ListOf[ValueRange]


class Attribute(BcsModel):
    """A mesos attribute / value (`name`, `type`, and one of scalar / ranges / text / set).

    `type` is the mesos Value.Type in offers (0 scalar, 1 ranges, 2 set, 3 text) and the BCS code
    in agent resources and constraints (101 scalar, 102 ranges, 103 text, 104 set).
    """

    name: Str = ""
    type: Int = 0
    scalar: ScalarValue | None = None
    ranges: RangesValue | None = None
    text: TextValue | None = None
    set: SetValue | None = None

    def display_value(self) -> str:
        if self.text is not None:
            return self.text.value
        if self.scalar is not None:
            return f"{self.scalar.value:g}"
        if self.set is not None:
            return ",".join(self.set.item)
        if self.ranges is not None:
            return " ".join(f"{r.begin}-{r.end}" for r in self.ranges.range)
        return ""


def _unix_nanos_to_datetime(nanos: int) -> datetime | None:
    if not nanos:
        return None
    try:
        return datetime.fromtimestamp(nanos / 1e9, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------
# §1 Application


class Application(BcsModel):
    """Scheduler `Application` (GET /namespaces/{ns}/applications[/{name}]); Go-name keys."""

    kind: Str = F("Kind", default="")
    id: Str = F("ID", default="")
    name: Str = F("Name", default="")
    object_meta: ObjectMeta = F("ObjectMeta", default_factory=ObjectMeta)
    define_instances: Int = F("DefineInstances", default=0)
    instances: Int = F("Instances", default=0)
    running_instances: Int = F("RunningInstances", default=0)
    run_as: Str = F("RunAs", default="")
    cluster_id: Str = F("ClusterId", default="")
    status: Str = F("Status", default="")
    sub_status: Str = F("SubStatus", default="")
    last_status: Str = F("LastStatus", default="")
    created: Int = F("Created", default=0)
    update_time: Int = F("UpdateTime", default=0)
    mode: Str = F("Mode", default="")
    last_update_time: Int = F("LastUpdateTime", default=0)
    message: Str = F("Message", default="")
    pods: ListOf[PodIndex] = F("Pods")

    @field_validator("object_meta", mode="before")
    @classmethod
    def _meta_null(cls, v: Any) -> Any:
        return {} if v is None else v

    @property
    def namespace(self) -> str:
        return self.object_meta.namespace or self.run_as

    @property
    def is_application(self) -> bool:
        """Legacy apps have Kind "" and count as applications (bcs-client's rule)."""
        return self.kind in ("", "application")


# ----------------------------------------------------------------------------------------------
# §2 TaskGroup and Task


class PortMapping(BcsModel):
    container_port: Int = F("ContainerPort", "containerPort", default=0)
    host_port: Int = F("HostPort", "hostPort", default=0)
    name: Str = F("Name", "name", default="")
    protocol: Str = F("Protocol", "protocol", default="")


class DockerParameter(BcsModel):
    key: Str = F("Key", "key", default="")
    value: Str = F("Value", "value", default="")


class TaskVolume(BcsModel):
    container_path: Str = F("ContainerPath", "containerPath", default="")
    host_path: Str = F("HostPath", "hostPath", default="")
    mode: Str = F("Mode", "mode", default="")


class HealthCheckStatus(BcsModel):
    type: Str = ""
    result: bool = False
    message: Str = ""


class DataClass(BcsModel):
    resources: Resource | None = F("Resources", default=None)
    limit_resources: Resource | None = F("LimitResources", default=None)
    extended_resources: ListOf[Any] = F("ExtendedResources")
    msgs: ListOf[Any] = F("Msgs")
    net_limit: Any = F("NetLimit", default=None)
    proc_info: Any = F("ProcInfo", default=None)


class ContainerInfoPort(BcsModel):
    """A port in StatusData: the numbers are strings there."""

    name: Str = ""
    container_port: Str = F("containerPort", default="")
    host_port: Str = F("hostPort", default="")
    protocol: Str = ""
    host_ip: Str = F("hostIP", default="")


class ContainerInfo(BcsModel):
    """`ST/container.go` BcsContainerInfo: what the executor reports in `Task.StatusData`."""

    id: Str = F("ID", default="")
    name: Str = F("Name", default="")
    pid: Int = F("Pid", default=0)
    start_at: Str = F("StartAt", default="")
    finish_at: Str = F("FinishAt", default="")
    status: Str = F("Status", default="")
    healthy: bool = F("Healthy", default=False)
    is_checked: bool = F("IsChecked", default=False)
    consecutive_failure_times: Int = F("ConsecutiveFailureTimes", default=0)
    exit_code: Int = F("ExitCode", default=0)
    hostname: Str = F("Hostname", default="")
    network_mode: Str = F("NetworkMode", default="")
    ip_address: Str = F("IPAddress", default="")
    node_address: Str = F("NodeAddress", default="")
    ports: ListOf[ContainerInfoPort] = F("Ports")
    message: Str = F("Message", default="")
    resource: Resource | None = F("Resource", default=None)
    bcs_message: Any = F("BcsMessage", default=None)
    oom_killed: bool = F("OOMKilled", default=False)


class Task(BcsModel):
    """Scheduler `Task` (one container or process of a TaskGroup); Go-name keys."""

    kind: Str = F("Kind", default="")
    id: Str = F("ID", default="")
    name: Str = F("Name", default="")
    hostame: Str = F("Hostame", default="")  # sic, the Go field is misspelled
    command: Str = F("Command", default="")
    arguments: ListOf[Str] = F("Arguments")
    image: Str = F("Image", default="")
    image_pull_user: Str = F("ImagePullUser", default="")
    image_pull_passwd: Str = F("ImagePullPasswd", default="")
    network: Str = F("Network", default="")
    network_type: Str = F("NetworkType", default="")
    port_mappings: ListOf[PortMapping] = F("PortMappings")
    privileged: bool = F("Privileged", default=False)
    parameters: ListOf[DockerParameter] = F("Parameters")
    force_pull_image: bool = F("ForcePullImage", default=False)
    volumes: ListOf[TaskVolume] = F("Volumes")
    env: MapOf[Any] = F("Env")
    labels: MapOf[Any] = F("Labels")
    data_class: DataClass | None = F("DataClass", default=None)
    cpuset: bool = F("Cpuset", default=False)
    health_checks: ListOf[Any] = F("HealthChecks")
    health_check_status: ListOf[HealthCheckStatus] = F("HealthCheckStatus")
    healthy: bool = F("Healthy", default=False)
    is_checked: bool = F("IsChecked", default=False)
    consecutive_failure_times: Int = F("ConsecutiveFailureTimes", default=0)
    local_max_consecutive_failures: Int = F("LocalMaxConsecutiveFailures", default=0)
    offer_id: Str = F("OfferId", default="")
    agent_id: Str = F("AgentId", default="")
    agent_hostname: Str = F("AgentHostname", default="")
    agent_ip_address: Str = F("AgentIPAddress", default="")
    status: Str = F("Status", default="")
    last_status: Str = F("LastStatus", default="")
    update_time: Int = F("UpdateTime", default=0)
    status_data: Str = F("StatusData", default="")
    app_id: Str = F("AppId", default="")
    run_as: Str = F("RunAs", default="")
    kill_policy: KillPolicy | None = F("KillPolicy", default=None)
    uris: ListOf[Any] = F("Uris")
    last_update_time: Int = F("LastUpdateTime", default=0)
    message: Str = F("Message", default="")
    net_limit: Any = F("NetLimit", default=None)

    @cached_property
    def status_info(self) -> ContainerInfo | None:
        """`StatusData` (a JSON string) parsed; None when empty or not valid JSON."""
        return parse_status_data(self.status_data)


def parse_status_data(text: str | None) -> ContainerInfo | None:
    """Parse a Task's `StatusData` string; anything malformed gives None, never an exception."""
    if not text:
        return None
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            return None
        return ContainerInfo.model_validate(data)
    except (ValueError, ValidationError, RecursionError):
        return None


class TaskGroup(BcsModel):
    """Scheduler `TaskGroup` (GET …/applications/{name}/taskgroups); Go-name keys."""

    kind: Str = F("Kind", default="")
    id: Str = F("ID", default="")
    name: Str = F("Name", default="")
    app_id: Str = F("AppID", default="")
    run_as: Str = F("RunAs", default="")
    object_meta: ObjectMeta = F("ObjectMeta", default_factory=ObjectMeta)
    agent_id: Str = F("AgentID", default="")
    executor_id: Str = F("ExecutorID", default="")
    status: Str = F("Status", default="")
    last_status: Str = F("LastStatus", default="")
    instance_id: Int = F("InstanceID", default=0)
    taskgroup: ListOf[Task] = F("Taskgroup")
    kill_policy: KillPolicy | None = F("KillPolicy", default=None)
    restart_policy: RestartPolicy | None = F("RestartPolicy", default=None)
    version_name: Str = F("VersionName", default="")
    last_update_time: Int = F("LastUpdateTime", default=0)
    start_time: Int = F("StartTime", default=0)
    update_time: Int = F("UpdateTime", default=0)
    attributes: ListOf[Attribute] = F("Attributes")
    rescheded_times: Int = F("ReschededTimes", default=0)
    last_resched_time: Int = F("LastReschedTime", default=0)
    host_name: Str = F("HostName", default="")
    message: Str = F("Message", default="")
    launch_resource: Resource | None = F("LaunchResource", default=None)
    curr_resource: Resource | None = F("CurrResource", default=None)
    bcs_event_msg: BcsMessage | None = F("BcsEventMsg", default=None)

    @field_validator("object_meta", mode="before")
    @classmethod
    def _meta_null(cls, v: Any) -> Any:
        return {} if v is None else v

    @property
    def namespace(self) -> str:
        return self.object_meta.namespace or self.run_as

    @property
    def tasks(self) -> list[Task]:
        return self.taskgroup

    @property
    def host_ip(self) -> str:
        """The agent IP: `Task.AgentIPAddress` of the first task that has one."""
        for task in self.taskgroup:
            if task.agent_ip_address:
                return task.agent_ip_address
        return ""

    @property
    def pod_ip(self) -> str:
        """The pod IP: `IPAddress` from the first task's parsed StatusData."""
        for task in self.taskgroup:
            info = task.status_info
            if info is not None and info.ip_address:
                return info.ip_address
        return ""


# ----------------------------------------------------------------------------------------------
# Messages (signals, commits, ...)


class BcsMessage(BcsModel):
    """Scheduler-internal `ST/message.go` BcsMessage (PascalCase)."""

    id: Int = F("Id", "ID", default=0)
    type: Int = F("Type", default=0)
    task_group_id: Str = F("TaskGroupId", default="")
    task_id: Str = F("TaskID", default="")
    local: Any = F("Local", default=None)
    sig: Any = F("Sig", default=None)
    env: Any = F("Env", default=None)
    remote: Any = F("Remote", default=None)
    status: Str = F("Status", default="")
    message: Str = F("Message", default="")
    complete_time: Int = F("CompleteTime", default=0)
    create_time: Int = F("CreateTime", default=0)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> Any:
        # older schedulers used string ids; keep the number when it is one, else 0
        if isinstance(v, str):
            return int(v) if v.isdigit() else 0
        return v


class TaskGroupOpResult(BcsModel):
    """`ST` TaskGroupOpResult: a taskgroup a message could not be sent to."""

    id: Str = F("ID", default="")
    status: Str = F("Status", default="")
    err: Str = F("Err", default="")


# ----------------------------------------------------------------------------------------------
# §3 Deployment


class RollingUpdateStrategy(BcsModel):
    """`CT/deployment.go` rollingupdate (note the server's `maxUnavilable` spelling)."""

    max_unavailable: Int = F("maxUnavilable", "maxUnavailable", "MaxUnavilable", default=0)
    max_surge: Int = F("maxSurge", "MaxSurge", default=0)
    upgrade_duration: Int = F("upgradeDuration", "UpgradeDuration", default=0)
    rolling_manually: bool = F("rollingManually", "RollingManully", "rollingManully", "RollingManually",
                               default=False)
    rolling_order: Str = F("rollingOrder", "RollingOrder", default="")


class DeploymentStrategy(BcsModel):
    type: Str = F("type", "Type", default="")
    rolling_update: RollingUpdateStrategy | None = F("rollingupdate", "rollingUpdate", "RollingUpdate",
                                                     default=None)


class DeploymentAppRef(BcsModel):
    """The application a deployment drives (`application` / `application_ext`)."""

    name: Str = ""
    curr_target_instances: Int = 0
    # the struct tag is misspelled `josn:` in Go, so the key really is PascalCase
    current_rolling_instances: Int = F("CurrentRollingInstances", "currentRollingInstances", default=0)


class _WithMetadata(BcsModel):
    """Objects with a lower-case `metadata` (ObjectMeta): a null one reads as empty; the
    name and namespace live there."""

    @field_validator("metadata", mode="before", check_fields=False)
    @classmethod
    def _meta_null(cls, v: Any) -> Any:
        return {} if v is None else v

    @property
    def name(self) -> str:
        return self.metadata.name  # type: ignore[attr-defined]

    @property
    def namespace(self) -> str:
        return self.metadata.namespace  # type: ignore[attr-defined]


class Deployment(_WithMetadata):
    """Scheduler `Deployment` (snake_case json tags); what bcs-storage stores for deployments."""

    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    selector: MapOf[Any]
    strategy: DeploymentStrategy | None = None
    status: Str = ""
    application: DeploymentAppRef | None = None
    application_ext: DeploymentAppRef | None = None
    last_rolling_time: Int = 0
    curr_rolling_operation: Str = ""
    is_in_rolling: bool = False
    check_time: Int = 0
    message: Str = ""
    raw_json: Any = None  # the original request; older records may hold other shapes
    raw_json_backup: Any = None


# ----------------------------------------------------------------------------------------------
# §4 Versions


class VersionDocker(BcsModel):
    hostname: Str = F("Hostname", default="")
    force_pull_image: bool = F("ForcePullImage", default=False)
    image: Str = F("Image", default="")
    image_pull_user: Str = F("ImagePullUser", default="")
    image_pull_passwd: Str = F("ImagePullPasswd", default="")
    network: Str = F("Network", default="")
    network_type: Str = F("NetworkType", default="")
    command: Str = F("Command", default="")
    arguments: ListOf[Str] = F("Arguments")
    parameters: ListOf[DockerParameter] = F("Parameters")
    port_mappings: ListOf[PortMapping] = F("PortMappings")
    env: MapOf[Any] = F("Env")
    privileged: bool = F("Privileged", default=False)


class VersionContainer(BcsModel):
    type: Str = F("Type", default="")
    docker: VersionDocker | None = F("Docker", default=None)
    volumes: ListOf[Any] = F("Volumes")
    resources: Resource | None = F("Resources", default=None)
    limit_resoures: Resource | None = F("LimitResoures", "LimitResources", default=None)  # sic
    data_class: DataClass | None = F("DataClass", default=None)
    config_maps: ListOf[Any] = F("ConfigMaps")
    secrets: ListOf[Any] = F("Secrets")
    health_checks: ListOf[Any] = F("HealthChecks")
    net_limit: Any = F("NetLimit", default=None)


class Version(BcsModel):
    """Scheduler `Version` (GET …/applications/{name}/versions/{versionid}); Go-name keys."""

    id: Str = F("ID", default="")
    name: Str = F("Name", default="")
    object_meta: ObjectMeta | None = F("ObjectMeta", default=None)
    pod_object_meta: ObjectMeta | None = F("PodObjectMeta", default=None)
    instances: Int = F("Instances", default=0)
    run_as: Str = F("RunAs", default="")
    container: ListOf[VersionContainer] = F("Container")
    process: ListOf[Any] = F("Process")
    labels: MapOf[Any] = F("Labels")
    kill_policy: KillPolicy | None = F("KillPolicy", default=None)
    restart_policy: RestartPolicy | None = F("RestartPolicy", default=None)
    constraints: Any = F("Constraints", default=None)
    uris: ListOf[Any] = F("Uris")
    ip: ListOf[Any] = F("Ip")
    mode: Str = F("Mode", default="")
    kind: Str = F("Kind", default="")
    raw_json: Any = F("raw_json", default=None)

    @property
    def images(self) -> list[str]:
        return [c.docker.image for c in self.container if c.docker is not None and c.docker.image]


# ----------------------------------------------------------------------------------------------
# §5 Cluster, offers, agents


class AgentResource(BcsModel):
    """One agent of `GET /cluster/resources` (`CT/resource.go`)."""

    hostname: Str = ""
    ip: Str = ""
    disk_total: Float = F("disktotal", default=0.0)
    mem_total: Float = F("memtotal", default=0.0)
    cpu_total: Float = F("cputotal", default=0.0)
    disk_used: Float = F("diskused", default=0.0)
    mem_used: Float = F("memused", default=0.0)
    cpu_used: Float = F("cpuused", default=0.0)
    disabled: bool = False
    host_attributes: ListOf[Attribute] = F("host_attributes")
    attributes: ListOf[Attribute]
    registered_time: Int = 0  # nanoseconds
    reregistered_time: Int = 0  # nanoseconds

    @property
    def registered_at(self) -> datetime | None:
        return _unix_nanos_to_datetime(self.registered_time)

    @property
    def reregistered_at(self) -> datetime | None:
        return _unix_nanos_to_datetime(self.reregistered_time)


class ClusterResource(BcsModel):
    """`GET /cluster/resources` (`CT/resource.go` BcsClusterResource); mem and disk in MB."""

    disk_total: Float = F("disktotal", default=0.0)
    mem_total: Float = F("memtotal", default=0.0)
    cpu_total: Float = F("cputotal", default=0.0)
    disk_used: Float = F("diskused", default=0.0)
    mem_used: Float = F("memused", default=0.0)
    cpu_used: Float = F("cpuused", default=0.0)
    agents: ListOf[AgentResource]


class ServerInfo(BcsModel):
    """`CT/serverInfo.go` ServerInfo (flattened)."""

    ip: Str = ""
    ipv6: Str = ""
    port: Int = 0
    grpc_port: Int = 0
    metric_port: Int = 0
    hostname: Str = ""
    scheme: Str = ""
    version: Str = ""
    cluster: Str = ""
    pid: Int = 0
    external_ip: Str = ""
    external_ipv6: Str = ""
    external_port: Int = 0


class ClusterEndpoints(BcsModel):
    """`GET /cluster/endpoints` (`CT/serverInfo.go` ClusterEndpoints)."""

    mesos_scheduler: ListOf[ServerInfo] = F("mesosscheduler")
    mesos_master: ListOf[ServerInfo] = F("mesosmaster")
    kube_nodes: ListOf[ServerInfo] = F("kubenodes")


class IdValue(BcsModel):
    value: Str = ""


class OfferResource(BcsModel):
    """A mesos Resource (`type`: 0 scalar, 1 ranges, 2 set)."""

    name: Str = ""
    type: Int = 0
    scalar: ScalarValue | None = None
    ranges: RangesValue | None = None
    set: SetValue | None = None
    role: Str = ""


# mesos Value.Type numbers (offers) and the BCS codes (agent resources, constraints, settings)
MESOS_SCALAR, MESOS_RANGES, MESOS_SET, MESOS_TEXT = 0, 1, 2, 3
BCS_SCALAR, BCS_RANGES, BCS_TEXT, BCS_SET = 101, 102, 103, 104


class Offer(BcsModel):
    """One element of `GET /cluster/current/offers`: a flattened mesos Offer plus
    `deltaResource` (PascalCase), the resources the scheduler holds back for in-place updates."""

    id: IdValue | None = None
    framework_id: IdValue | None = None
    agent_id: IdValue | None = None
    hostname: Str = ""
    url: Any = None
    resources: ListOf[OfferResource]
    attributes: ListOf[Attribute]
    executor_ids: ListOf[Any]
    unavailability: Any = None
    delta_resource: Resource | None = F("deltaResource", default=None)

    @property
    def offer_id(self) -> str:
        return self.id.value if self.id else ""

    @property
    def agent_id_value(self) -> str:
        return self.agent_id.value if self.agent_id else ""

    def attribute(self, name: str) -> Attribute | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None

    def _text_attr(self, name: str) -> str:
        attr = self.attribute(name)
        if attr is None:
            return ""
        if attr.text is not None:
            return attr.text.value
        return attr.display_value()

    @property
    def inner_ip(self) -> str:
        return self._text_attr("InnerIP")

    @property
    def city(self) -> str:
        return self._text_attr("City")

    @property
    def ip_resources(self) -> float | None:
        attr = self.attribute("ip-resources")
        if attr is None or attr.scalar is None:
            return None
        return attr.scalar.value

    @property
    def no_schedule(self) -> dict[str, str]:
        """Taints: the `NoSchedule` SET attribute's `key=value` items."""
        attr = self.attribute("NoSchedule")
        out: dict[str, str] = {}
        if attr is None or attr.set is None:
            return out
        for item in attr.set.item:
            key, _, value = item.partition("=")
            out[key] = value
        return out

    def resource(self, name: str) -> OfferResource | None:
        for res in self.resources:
            if res.name == name:
                return res
        return None

    def scalar(self, name: str) -> float:
        res = self.resource(name)
        return res.scalar.value if res is not None and res.scalar is not None else 0.0

    @property
    def ports(self) -> list[tuple[int, int]]:
        res = self.resource("ports")
        if res is None or res.ranges is None:
            return []
        return [(r.begin, r.end) for r in res.ranges.range]

    def _delta(self, what: str) -> float:
        if self.delta_resource is None:
            return 0.0
        return float(getattr(self.delta_resource, what))

    def cpus_free(self) -> float:
        """Offered cpus minus the scheduler's delta (what bcs-client prints)."""
        return self.scalar("cpus") - self._delta("cpus")

    def mem_free(self) -> float:
        return self.scalar("mem") - self._delta("mem")

    def disk_free(self) -> float:
        return self.scalar("disk") - self._delta("disk")


class ExtendedResource(BcsModel):
    """An agent's extended resource (PascalCase: the Go type has no tags)."""

    inner_ip: Str = F("InnerIP", default="")
    name: Str = F("Name", default="")
    value: Float = F("Value", default=0.0)
    capacity: Float = F("Capacity", default=0.0)
    socket: Str = F("Socket", default="")


class AgentSetting(BcsModel):
    """`CT/resource.go` BcsClusterAgentSetting (GET /agentsettings)."""

    inner_ip: Str = F("innerIP", "InnerIP", "innerip", default="")
    disabled: bool = False
    strings: MapOf[TextValue]
    scalars: MapOf[ScalarValue]
    no_schedule: MapOf[Any] = F("noSchedule", "NoSchedule")
    pods: ListOf[Str]
    extended_resources: MapOf[ExtendedResource] = F("ExtendedResources", "extendedResources")

    @property
    def taints(self) -> dict[str, str]:
        return {str(k): "" if v is None else str(v) for k, v in self.no_schedule.items()}


# ----------------------------------------------------------------------------------------------
# §6 Commands


class CommandTargetRef(BcsModel):
    kind: Str = ""
    namespace: Str = ""
    name: Str = ""
    image: Str = ""
    id: Str = ""


class CommandSpec(BcsModel):
    command_target_ref: CommandTargetRef | None = F("commandTargetRef", default=None)
    taskgroups: ListOf[Str]
    command: ListOf[Str]
    env: ListOf[Str]
    user: Str = ""
    working_dir: Str = F("workingDir", default="")
    privileged: bool = False
    reserve_time: Int = F("reserveTime", default=0)


class CommandInspect(BcsModel):
    exit_code: Int = F("exitCode", default=0)
    stdout: Str = ""
    stderr: Str = ""


class CommandTaskStatus(BcsModel):
    task_id: Str = F("taskId", default="")
    status: Str = ""
    message: Str = ""
    comm_inspect: CommandInspect | None = F("commInspect", default=None)


class CommandTaskGroupStatus(BcsModel):
    taskgroup_id: Str = F("taskgroupId", default="")
    tasks: ListOf[CommandTaskStatus]


class CommandStatus(BcsModel):
    taskgroups: ListOf[CommandTaskGroupStatus]


class CommandInfo(BcsModel):
    """`CT/command.go` BcsCommandInfo (GET /command/{kind}/{ns}/{name}?id=)."""

    id: Str = ""
    create_time: Int = F("createTime", default=0)
    spec: CommandSpec | None = None
    status: CommandStatus | None = None

    @property
    def tasks(self) -> list[CommandTaskStatus]:
        if self.status is None:
            return []
        return [t for tg in self.status.taskgroups for t in tg.tasks]


# ----------------------------------------------------------------------------------------------
# Admission webhooks (GET returns the object; older servers use PascalCase inner keys)


class WebhookClientConfig(BcsModel):
    url: Str = F("url", "Url", "URL", default="")
    ca_bundle: Str = F("caBundle", "CaBundle", default="")
    namespace: Str = F("namespace", "Namespace", default="")
    name: Str = F("name", "Name", default="")
    path: Str = F("path", "Path", default="")
    port: Int = F("port", "Port", default=0)


class WebhookNamespaceSelector(BcsModel):
    operator: Str = F("operator", "Operator", default="")
    values: ListOf[Str] = F("values", "Values")


class WebhookEntry(BcsModel):
    name: Str = F("name", "Name", default="")
    failure_policy: Str = F("failurePolicy", "FailurePolicy", default="")
    client_config: WebhookClientConfig | None = F("clientConfig", "ClientConfig", default=None)
    namespace_selector: WebhookNamespaceSelector | None = F("namespaceSelector", "NamespaceSelector",
                                                            default=None)


class WebhookResourcesRef(BcsModel):
    operation: Str = F("operation", "Operation", default="")
    kind: Str = F("kind", "Kind", default="")


class AdmissionWebhook(_WithMetadata):
    """`CT/admission-webhook.go` AdmissionWebhookConfiguration."""

    api_version: Str = F("apiVersion", default="")
    kind: Str = ""
    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    resources_ref: WebhookResourcesRef | None = F("resourcesRef", "ResourcesRef", default=None)
    admission_webhooks: ListOf[WebhookEntry] = F("admissionWebhooks", "AdmissionWebhooks")


# ----------------------------------------------------------------------------------------------
# Transactions (GET /transactions/{ns})


class TransactionOp(BcsModel):
    op_type: Str = F("opType", default="")


class Transaction(BcsModel):
    transaction_id: Str = F("transactionID", default="")
    object_kind: Str = F("objectKind", default="")
    object_name: Str = F("objectName", default="")
    namespace: Str = ""
    pre_op: Any = F("preOp", default=None)
    cur_op: TransactionOp | None = F("curOp", default=None)
    status: Str = ""
    message: Str = ""
    create_time: Str = F("createTime", default="")
    check_interval: Int = F("checkInterval", default=0)
    delay_time: Int = F("delayTime", default=0)
    child_transaction_id: Str = F("childTransactionID", default="")


# ----------------------------------------------------------------------------------------------
# §9 bcs-storage records


class ApplicationStatus(_WithMetadata):
    """Storage application (`CT/status.go` BcsReplicaControllerStatus)."""

    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    instance: Int = 0
    builded_instance: Int = F("buildedInstance", default=0)
    running_instance: Int = F("runningInstance", default=0)
    create_time: Str = F("createTime", default="")
    last_update_time: Str = F("lastUpdateTime", default="")
    report_time: Str = F("reportTime", default="")
    status: Str = ""
    last_status: Str = F("lastStatus", default="")
    message: Str = ""
    pods: ListOf[PodIndex]
    kind: Str = ""


class ContainerPortStatus(BcsModel):
    name: Str = ""
    host_port: Int = F("hostPort", default=0)
    container_port: Int = F("containerPort", default=0)
    protocol: Str = ""


class VolumeStatus(BcsModel):
    host_path: Str = F("hostPath", default="")
    mount_path: Str = F("mountPath", default="")
    read_only: bool = F("readOnly", default=False)


class ContainerStatus(BcsModel):
    """One container of a storage taskgroup (`healCheckStatus` is the server's spelling)."""

    name: Str = ""
    container_id: Str = F("containerID", default="")
    restart_count: Int = F("restartCount", default=0)
    status: Str = ""
    last_status: Str = F("lastStatus", default="")
    exitcode: Int = 0
    image: Str = ""
    message: Str = ""
    start_time: Str = F("startTime", default="")
    last_update_time: Str = F("lastUpdateTime", default="")
    finish_time: Str = F("finishTime", default="")
    heal_check_status: ListOf[HealthCheckStatus] = F("healCheckStatus")
    container_port: ListOf[ContainerPortStatus] = F("containerPort")
    command: Str = ""
    args: ListOf[Str]
    volumes: ListOf[VolumeStatus]
    network_mode: Str = F("networkMode", default="")
    labels: MapOf[Any]
    resources: Any = None
    env: MapOf[Any]


class PodStatus(_WithMetadata):
    """Storage taskgroup (`CT/status.go` BcsPodStatus)."""

    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    rcname: Str = ""
    status: Str = ""
    last_status: Str = F("lastStatus", default="")
    host_ip: Str = F("hostIP", default="")
    host_name: Str = F("hostName", default="")
    pod_ip: Str = F("podIP", default="")
    message: Str = ""
    start_time: Str = F("startTime", default="")
    last_update_time: Str = F("lastUpdateTime", default="")
    report_time: Str = F("reportTime", default="")
    kill_policy: Any = F("killPolicy", default=None)
    restart_policy: Any = F("restartPolicy", default=None)
    bcs_message: Any = F("bcsMessage", default=None)
    kind: Str = ""
    container_statuses: ListOf[ContainerStatus] = F("containerStatuses")

    @property
    def restart_count(self) -> int:
        return max((c.restart_count for c in self.container_statuses), default=0)


class ConfigMapItem(BcsModel):
    type: Str = ""
    content: Str = ""
    remote_user: Str = F("RemoteUser", "remoteUser", default="")
    remote_passwd: Str = F("remotePasswd", "RemotePasswd", default="")


class ConfigMap(BcsModel):
    """A configmap as bcs-storage returns it (`CT` BcsConfigMap)."""

    api_version: Str = F("apiVersion", default="")
    kind: Str = ""
    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    datas: MapOf[ConfigMapItem]


class SecretItem(BcsModel):
    path: Str = ""
    content: Str = ""


class Secret(BcsModel):
    """A secret as bcs-storage returns it (`CT` BcsSecret). Contents are base64, not encrypted:
    the UI must not display `datas[*].content`."""

    api_version: Str = F("apiVersion", default="")
    kind: Str = ""
    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    type: Str = ""
    datas: MapOf[SecretItem]


class ServicePortSpec(BcsModel):
    name: Str = ""
    domain_name: Str = F("domainName", default="")
    path: Str = ""
    protocol: Str = ""
    service_port: Int = F("servicePort", default=0)
    target_port: Int = F("targetPort", default=0)
    node_port: Int = F("nodePort", default=0)


class ServiceSpec(BcsModel):
    selector: MapOf[Any]
    type: Str = ""
    cluster_ip: ListOf[Str] = F("clusterIP")
    ports: ListOf[ServicePortSpec]


class Service(BcsModel):
    """A service as bcs-storage returns it (`CT` BcsService)."""

    api_version: Str = F("apiVersion", default="")
    kind: Str = ""
    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    spec: ServiceSpec | None = None


class Endpoint(BcsModel):
    """An endpoint object as bcs-storage returns it (`CT` BcsEndpoint): `eps` are the backends."""

    api_version: Str = F("apiVersion", default="")
    kind: Str = ""
    metadata: ObjectMeta = Field(default_factory=_empty_meta)
    eps: ListOf[Any]


class StorageRecord(BcsModel, Generic[T]):
    """One bcs-storage record: `{_id, clusterId, namespace, resourceName, resourceType,
    createTime, updateTime, data}`; `data` is the typed object."""

    record_id: Str = F("_id", default="")
    cluster_id: Str = F("clusterId", default="")
    namespace: Str = ""
    resource_name: Str = F("resourceName", default="")
    resource_type: Str = F("resourceType", default="")
    create_time: Str = F("createTime", default="")
    update_time: Str = F("updateTime", default="")
    data: T


# The storage `{type}` path segment -> the model of a record's `data`.
STORAGE_DATA_MODELS: dict[str, type[BaseModel]] = {
    "application": ApplicationStatus,
    "process": ApplicationStatus,
    "taskgroup": PodStatus,
    "deployment": Deployment,
    "configmap": ConfigMap,
    "secret": Secret,
    "service": Service,
    "endpoint": Endpoint,
}


def _at(path: str, message: str) -> ValueError:
    """A model-level validation error that names the field (relative to the model) it is about."""
    return ValueError(f"@{path}: {message}")


# ----------------------------------------------------------------------------------------------
# Request bodies. Validation errors name the field path; unknown fields pass through.

_POLICIES = ("Never", "Always", "OnFailure")


class RequestModel(BcsModel):
    """Base of request bodies: validates on assignment too, so edits in code are checked."""

    # strict: the driver's Go decoder refuses "2" for an int or 2.0 for a string (1405010), and
    # the user's JSON is sent as typed, so coercing here would hide the mistake until the server.
    model_config = ConfigDict(populate_by_name=True, extra="allow", validate_assignment=True, strict=True)

    def body(self) -> dict[str, Any]:
        """The JSON body to send: the server keys, only the fields that were given."""
        return self.model_dump(by_alias=True, mode="json", exclude_unset=True)


class RequestMeta(RequestModel):
    """`metadata` of a request: a name without '.', an optional namespace, labels, annotations."""

    name: str = Field(min_length=1)
    namespace: str = ""
    labels: MapOf[str]
    annotations: MapOf[str]

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if "." in v:
            # the driver answers the plain text "Name can't contains contains '.'"
            raise ValueError("must not contain '.' (the driver refuses it)")
        if v.strip() != v or not v.strip():
            raise ValueError("must not be blank or have leading/trailing spaces")
        return v


class RequestRestartPolicy(RequestModel):
    policy: str = ""
    interval: int = Field(0, ge=0)
    backoff: int = Field(0, ge=0)
    max_times: int = F("maxtimes", "maxTimes", default=0, ge=0)

    @field_validator("policy")
    @classmethod
    def _policy(cls, v: str) -> str:
        # empty is allowed: the driver defaults it to OnFailure
        if v and v not in _POLICIES:
            raise ValueError(f"must be one of {', '.join(_POLICIES)} (got {v!r})")
        return v


class RequestKillPolicy(RequestModel):
    grace_period: int = F("gracePeriod", default=0, ge=0)


class ContainerPortRequest(RequestModel):
    container_port: int = F("containerPort", default=0, ge=0, le=65535)
    host_port: int = F("hostPort", default=0, ge=-1, le=65535)
    name: str = ""
    protocol: str = ""


class ResourceListRequest(RequestModel):
    """`resources.limits` / `resources.requests`: Go strings (`CT/rc.go:159-170`). A JSON number
    fails the whole body with 1405010 "json decode failed!" naming no field, so it is refused here
    at its path."""

    cpu: str = ""
    memory: str = ""
    storage: str = ""


class ResourceRequirementsRequest(RequestModel):
    limits: ResourceListRequest | None = None
    requests: ResourceListRequest | None = None
    extended_resources: ListOf[dict[str, Any]] = F("extendedResources")


class ContainerRequest(RequestModel):
    """A container of a pod template (`spec.template.spec.containers[]`)."""

    image: str = Field(min_length=1)
    type: str = ""
    command: str = ""
    args: ListOf[str]
    env: ListOf[dict[str, Any]]
    ports: ListOf[ContainerPortRequest]
    parameters: ListOf[dict[str, Any]]
    health_checks: ListOf[dict[str, Any]] = F("healthChecks")
    resources: ResourceRequirementsRequest | None = None
    volumes: ListOf[dict[str, Any]]
    secrets: ListOf[dict[str, Any]]
    configmaps: ListOf[dict[str, Any]]
    privileged: bool = False

    @field_validator("image")
    @classmethod
    def _image(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v


class PodSpecRequest(RequestModel):
    containers: ListOf[ContainerRequest]
    processes: ListOf[dict[str, Any]]
    network_mode: str = F("networkMode", "networkmode", default="")
    network_type: str = F("networkType", "networktype", default="")

    @model_validator(mode="after")
    def _containers_or_processes(self) -> "PodSpecRequest":
        # the driver's 1405231 rules
        if not self.containers and not self.processes:
            raise _at("containers", "needs at least one container")
        if self.containers and self.processes:
            raise _at("processes", "containers and processes cannot coexist")
        return self


class PodTemplateRequest(RequestModel):
    metadata: dict[str, Any] | None = None
    spec: PodSpecRequest


class ReplicaControllerSpec(RequestModel):
    instance: int = Field(ge=1)
    template: PodTemplateRequest


class _Manifest(RequestModel):
    api_version: str = F("apiVersion", default="v4")
    metadata: RequestMeta

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def namespace(self) -> str:
        return self.metadata.namespace


class ReplicaController(_Manifest):
    """The application (or process) create / update / rollback body (`ReplicaController`)."""

    kind: Literal["application", "process"]
    restart_policy: RequestRestartPolicy | None = F("restartPolicy", default=None)
    kill_policy: RequestKillPolicy | None = F("killPolicy", default=None)
    constraint: dict[str, Any] | None = None
    spec: ReplicaControllerSpec


class RollingUpdateRequest(RequestModel):
    max_unavailable: int = F("maxUnavilable", "maxUnavailable", default=1)
    max_surge: int = F("maxSurge", default=1)
    upgrade_duration: int = F("upgradeDuration", default=0, ge=0)
    rolling_manually: bool = F("rollingManually", "RollingManully", default=False)
    rolling_order: str = F("rollingOrder", default="CreateFirst")

    @field_validator("rolling_order")
    @classmethod
    def _order(cls, v: str) -> str:
        if v not in ("CreateFirst", "DeleteFirst"):
            raise ValueError(f"must be CreateFirst or DeleteFirst (got {v!r})")
        return v


class StrategyRequest(RequestModel):
    type: str = "RollingUpdate"
    rolling_update: RollingUpdateRequest | None = F("rollingupdate", "rollingUpdate", default=None)

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in ("RollingUpdate", "Recreate", "ForceUpdate"):
            raise ValueError(f"must be RollingUpdate, Recreate or ForceUpdate (got {v!r})")
        return v


class DeploymentSpecRequest(RequestModel):
    instance: int = Field(ge=1)
    selector: MapOf[str]
    strategy: StrategyRequest | None = None
    template: PodTemplateRequest | None = None


class DeploymentRequest(_Manifest):
    """The deployment create body (`BcsDeployment`)."""

    kind: Literal["deployment"]
    restart_policy: RequestRestartPolicy | None = F("restartPolicy", default=None)
    kill_policy: RequestKillPolicy | None = F("killPolicy", default=None)
    constraint: dict[str, Any] | None = None
    spec: DeploymentSpecRequest


class DeploymentUpdateRequest(DeploymentRequest):
    """The deployment update body: the scheduler also needs `spec.strategy.rollingupdate`."""

    @model_validator(mode="after")
    def _strategy_set(self) -> "DeploymentUpdateRequest":
        if self.spec.strategy is None or self.spec.strategy.rolling_update is None:
            raise _at("spec.strategy.rollingupdate", "is required for an update (\"update strategy not set\")")
        if self.spec.template is None:
            raise _at("spec.template", "is required for an update")
        return self


_CONFIGMAP_TYPES = ("file", "http", "https", "ftp", "ftps")


class ConfigMapItemRequest(RequestModel):
    type: str = "file"
    content: str = ""

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in _CONFIGMAP_TYPES:
            raise ValueError(f"must be one of {', '.join(_CONFIGMAP_TYPES)} (got {v!r})")
        return v


class ConfigMapRequest(_Manifest):
    kind: Literal["configmap"]
    datas: MapOf[ConfigMapItemRequest]


class SecretItemRequest(RequestModel):
    path: str = ""
    content: str = ""


class SecretRequest(_Manifest):
    kind: Literal["secret"]
    type: str = ""
    datas: MapOf[SecretItemRequest]


class ServicePortRequest(RequestModel):
    name: str = ""
    domain_name: str = F("domainName", default="")
    path: str = ""
    protocol: str = ""
    service_port: int = F("servicePort", ge=1, le=65535)
    target_port: int = F("targetPort", default=0, ge=0, le=65535)
    node_port: int = F("nodePort", default=0, ge=0, le=65535)


class ServiceSpecRequest(RequestModel):
    selector: MapOf[str]
    type: str = ""
    cluster_ip: ListOf[str] = F("clusterIP")
    ports: ListOf[ServicePortRequest]


class ServiceRequest(_Manifest):
    kind: Literal["service"]
    spec: ServiceSpecRequest


class CommandTargetRefRequest(RequestModel):
    kind: Literal["Application", "Deployment"]
    namespace: str = Field(min_length=1)
    name: str = Field(min_length=1)
    image: str = ""


class CommandSpecRequest(RequestModel):
    command_target_ref: CommandTargetRefRequest = F("commandTargetRef")
    taskgroups: ListOf[str]
    command: list[str] = Field(min_length=1)
    env: ListOf[str]
    user: str = ""
    working_dir: str = F("workingDir", default="")
    privileged: bool = False
    reserve_time: int = F("reserveTime", default=0, ge=0)

    @field_validator("command")
    @classmethod
    def _command(cls, v: list[str]) -> list[str]:
        if not any(part.strip() for part in v):
            raise ValueError("must not be empty")
        return v


class CommandRequest(RequestModel):
    """The body of `POST /command/{application|deployment}/{ns}/{name}`."""

    api_version: str = F("apiVersion", default="v4")
    kind: Literal["Command"] = "Command"
    spec: CommandSpecRequest


class WebhookClientConfigRequest(RequestModel):
    url: str = ""
    ca_bundle: str = F("caBundle", default="")
    namespace: str = ""
    name: str = ""
    path: str = ""
    port: int = Field(0, ge=0, le=65535)

    @model_validator(mode="after")
    def _target(self) -> "WebhookClientConfigRequest":
        if not self.url and not self.name:
            raise _at("url", "needs a url or a service name")
        return self


class WebhookNamespaceSelectorRequest(RequestModel):
    operator: Literal["In", "NotIn"]
    values: ListOf[str]


class WebhookEntryRequest(RequestModel):
    name: str = Field(min_length=1)
    failure_policy: Literal["Ignore", "Fail"] = F("failurePolicy", default="Ignore")
    client_config: WebhookClientConfigRequest = F("clientConfig")
    namespace_selector: WebhookNamespaceSelectorRequest | None = F("namespaceSelector", default=None)


class WebhookResourcesRefRequest(RequestModel):
    operation: Literal["Create", "Update"]
    kind: str

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        # The driver compares exactly (DRV/filter/admission-webhook.go:167-185): "Application"
        # would be stored and never fire.
        if v not in ("application", "deployment"):
            raise ValueError(f"must be exactly application or deployment, lower case (got {v!r})")
        return v


class AdmissionWebhookRequest(_Manifest):
    kind: Literal["admissionwebhook"]
    resources_ref: WebhookResourcesRefRequest = F("resourcesRef")
    admission_webhooks: list[WebhookEntryRequest] = F("admissionWebhooks", min_length=1)


def _check_ip(v: str) -> str:
    import ipaddress

    try:
        ipaddress.ip_address(v)
    except ValueError:
        raise ValueError(f"{v!r} is not an IP address") from None
    return v


class TaintRequest(RequestModel):
    """One element of the `PUT /agentsettings/taint` body; `noSchedule` replaces all taints."""

    inner_ip: str = F("innerIP")
    no_schedule: MapOf[str] = F("noSchedule")

    @field_validator("inner_ip")
    @classmethod
    def _ip(cls, v: str) -> str:
        return _check_ip(v)

    @field_validator("no_schedule")
    @classmethod
    def _keys(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if not key.strip():
                raise ValueError("taint keys must not be empty")
            if "=" in key:
                raise ValueError(f"taint key {key!r} must not contain '='")
        return v


class AgentSettingRequest(RequestModel):
    """One element of the `POST /agentsettings` body (set: replaces strings and scalars)."""

    inner_ip: str = F("innerIP")
    disabled: bool = False
    strings: MapOf[TextValue]
    scalars: MapOf[ScalarValue]

    @field_validator("inner_ip")
    @classmethod
    def _ip(cls, v: str) -> str:
        return _check_ip(v)


class AgentSettingUpdate(RequestModel):
    """`BcsClusterAgentSettingUpdate` (POST /agentsettings/update): one key on many IPs."""

    ips: list[str] = Field(min_length=1)
    name: str = Field(min_length=1)
    value_type: Literal[101, 103] = F("valuetype")
    text: TextValue | None = None
    scalar: ScalarValue | None = None

    @field_validator("ips")
    @classmethod
    def _ips(cls, v: list[str]) -> list[str]:
        return [_check_ip(ip) for ip in v]

    @model_validator(mode="after")
    def _value(self) -> "AgentSettingUpdate":
        if self.value_type == BCS_TEXT and self.text is None:
            raise _at("text", "is required when valuetype is 103")
        if self.value_type == BCS_SCALAR and self.scalar is None:
            raise _at("scalar", "is required when valuetype is 101")
        return self


class ExtendedResourceRequest(RequestModel):
    """The `PUT /agentsettings/extendedresource` body (PascalCase keys)."""

    inner_ip: str = F("InnerIP")
    name: str = F("Name", min_length=1)
    value: float = F("Value", default=0.0, ge=0)
    capacity: float = F("Capacity", default=0.0, ge=0)
    socket: str = F("Socket", default="")

    @field_validator("inner_ip")
    @classmethod
    def _ip(cls, v: str) -> str:
        return _check_ip(v)


_MSG_TYPES = ("signal", "local", "remote", "env-key")


class MessageRequest(RequestModel):
    """The body of the application / taskgroup `message` routes; only msgtype and msgdata matter."""

    name: str = ""
    namespace: str = ""
    setid: str = ""
    moduleid: str = ""
    msgtype: str
    msgdata: dict[str, Any]
    taskgroupid: str = ""

    @field_validator("msgtype")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in _MSG_TYPES:
            raise ValueError(f"must be one of {', '.join(_MSG_TYPES)} (got {v!r})")
        return v

    @model_validator(mode="after")
    def _data(self) -> "MessageRequest":
        if self.msgtype == "signal":
            sig = self.msgdata.get("signal")
            if isinstance(sig, bool) or not isinstance(sig, int) or not 1 <= sig <= 64:
                raise _at("msgdata.signal", "must be an integer signal number from 1 to 64")
            proc = self.msgdata.get("processname")
            if not isinstance(proc, str) or not proc.strip():
                raise _at("msgdata.processname", "must name the process to signal")
        return self


class CrdNames(RequestModel):
    plural: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    singular: str = ""


class CrdSpecRequest(RequestModel):
    group: str = Field(min_length=1)
    versions: ListOf[dict[str, Any]]
    version: str = ""
    scope: Literal["Namespaced", "Cluster"] = "Namespaced"
    names: CrdNames

    @model_validator(mode="after")
    def _versions(self) -> "CrdSpecRequest":
        if not self.versions and not self.version:
            raise _at("versions", "needs at least one version (or spec.version)")
        return self


class CrdRequest(RequestModel):
    """A CustomResourceDefinition (kube JSON; the driver rewrites apiVersion)."""

    api_version: str = F("apiVersion", default="v4")
    kind: Literal["CustomResourceDefinition"]
    metadata: dict[str, Any]
    spec: CrdSpecRequest

    @field_validator("metadata")
    @classmethod
    def _meta(cls, v: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(v.get("name"), str) or not v["name"]:
            raise _at("name", "is required")
        return v


class CustomResourceRequest(RequestModel):
    """A custom resource object (kube JSON): apiVersion group/version, kind, metadata.name."""

    api_version: str = F("apiVersion")
    kind: str = Field(min_length=1)
    metadata: dict[str, Any]

    @field_validator("metadata")
    @classmethod
    def _meta(cls, v: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(v.get("name"), str) or not v["name"]:
            raise _at("name", "is required")
        return v


# ----------------------------------------------------------------------------------------------
# Validation entry point for the manifest editor and the client

# kind (as in the manifest's `kind`) -> request model
REQUEST_MODELS: dict[str, type[RequestModel]] = {
    "application": ReplicaController,
    "process": ReplicaController,
    "deployment": DeploymentRequest,
    "configmap": ConfigMapRequest,
    "secret": SecretRequest,
    "service": ServiceRequest,
    "admissionwebhook": AdmissionWebhookRequest,
    "Command": CommandRequest,
    "CustomResourceDefinition": CrdRequest,
}

M = TypeVar("M", bound=BaseModel)


def _loc_path(loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            text = str(item)
            # drop pydantic's internal markers (union branches, function names)
            if text.startswith("function-") or text in ("literal", "list", "dict"):
                continue
            parts.append(("." if parts else "") + text)
    return "".join(parts)


def _friendly(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid"))
    if kind == "missing":
        return "is required"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        n = (err.get("ctx") or {}).get("min_length", 1)
        return f"must have at least {n} item{'s' if n != 1 else ''}"
    if kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        return f"must be {expected} (got {err.get('input')!r})"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return msg.lower().replace("input should be", "must be")
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    return msg.replace("Input should be", "must be").replace("input should be", "must be")


def validation_problems(exc: ValidationError, model: type[BaseModel]) -> list[tuple[str, str]]:
    """`(field path, human message)` pairs of a pydantic error, with JSON key names."""
    out = []
    for err in exc.errors(include_url=False):
        path = _loc_path(tuple(err.get("loc", ())), model)
        message = _friendly(err)
        if message.startswith("@"):
            sub, _, message = message[1:].partition(": ")
            path = f"{path}.{sub}" if path and not sub.startswith("[") else f"{path}{sub}"
        out.append((path, message))
    return out


def validate_request(model: type[M], data: Any, what: str | None = None) -> M:
    """Validate a request body (a dict from user JSON, or a model) against `model`.

    Raises `InvalidRequest` with precise field paths (JSON key names) when it does not pass.
    """
    if isinstance(data, model):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump(by_alias=True, exclude_unset=True)
    label = what or model.__name__
    if not isinstance(data, dict):
        raise InvalidRequest([("", f"the body must be a JSON object, not {type(data).__name__}")], label)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(validation_problems(exc, model), label) from None


def validate_manifest(data: Any) -> RequestModel:
    """Pick the request model from the manifest's `kind` and validate it (manifest editor)."""
    if not isinstance(data, dict):
        raise InvalidRequest([("", "the manifest must be a JSON object")], "manifest")
    kind = data.get("kind")
    model = REQUEST_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = ", ".join(sorted(REQUEST_MODELS))
        raise InvalidRequest([("kind", f"must be one of {known} (got {kind!r})")], "manifest")
    return validate_request(model, data, f"{kind} manifest")


# Forward references (TaskGroup -> BcsMessage)
TaskGroup.model_rebuild()


class TaintList(RootModel[list[TaintRequest]]):
    """The whole taint body (a JSON array)."""
