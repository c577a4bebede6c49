"""The agents kind (cluster resources merged with agent settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bcs_tui.resources.writes import Write
from bcs_tui.resources.base import col, ColumnSpec, DISABLED, FAILED, FetchEnv, fmt_num, g, RenderContext, ResourceKind, RUNNING, Scope, to_jsonable, UNKNOWN, WARNING

# ---------------------------------------------------------------------------------------------
# Agents: cluster resources merged with agent settings


@dataclass
class Agent:
    """One mesos agent: its cluster/resources entry and its agent setting (None when it has none)."""

    ip: str
    hostname: str
    resource: Any = None
    setting: Any = None

    @property
    def object_name(self) -> str:
        return self.ip

    @property
    def disabled(self) -> bool:
        return bool(g(self.setting, "disabled") or g(self.resource, "disabled"))

    @property
    def taints(self) -> dict[str, str]:
        return dict(g(self.setting, "no_schedule", "noSchedule", default={}) or {})

    def attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in (g(self.setting, "strings", default={}) or {}).items():
            out[k] = g(v, "value")
        for k, v in (g(self.setting, "scalars", default={}) or {}).items():
            out[k] = g(v, "value")
        return out

    def used_total(self, what: str) -> tuple[float, float]:
        used = float(g(self.resource, f"{what}_used", f"{what}used", default=0) or 0)
        total = float(g(self.resource, f"{what}_total", f"{what}total", default=0) or 0)
        return used, total

    def to_json(self) -> Any:
        return {"resource": to_jsonable(self.resource), "setting": to_jsonable(self.setting)}


async def fetch_agents(env: FetchEnv, scope: Scope) -> list[Any]:
    """2 requests: get cluster resources and get agent setting list (all records)."""
    resources = await env.client.get_cluster_resources()
    settings = await env.client.get_agent_settings()
    by_ip = {str(g(s, "inner_ip", "innerIP", default="")): s for s in settings or []}
    out = []
    for res in g(resources, "agents", default=[]) or []:
        ip = str(g(res, "ip", default=""))
        out.append(Agent(ip=ip, hostname=str(g(res, "hostname", default="")), resource=res, setting=by_ip.pop(ip, None)))
    # Settings for agents the master no longer reports still deserve a row (they may be the problem).
    for ip, setting in by_ip.items():
        if ip:
            out.append(Agent(ip=ip, hostname="", resource=None, setting=setting))
    return out


def _usage(what: str) -> ColumnSpec:
    def value(o: Agent, rc: RenderContext) -> str:
        used, total = o.used_total(what)
        if not total:
            return "-"
        return f"{fmt_num(used)}/{fmt_num(total)} {int(round(100 * used / total))}%"

    def sort(o: Agent, rc: RenderContext) -> float:
        used, total = o.used_total(what)
        return used / total if total else 0.0

    def status(o: Agent) -> str | None:
        used, total = o.used_total(what)
        if not total:
            return None
        ratio = used / total
        return FAILED if ratio >= 0.95 else WARNING if ratio >= 0.85 else None

    return ColumnSpec(what.upper(), value, sort=sort, status=status, numeric=True)


def _agent_status(o: Agent) -> str:
    if o.resource is None:
        return UNKNOWN
    return DISABLED if o.disabled else RUNNING


# ---------------------------------------------------------------------------------------------
# Writes (agent settings: every one takes all the targets in one request)


def agent_ip(agent: Any) -> str:
    return str(g(agent, "ip", "inner_ip", default="") or getattr(agent, "object_name", ""))


def agent_attributes(agent: Any) -> tuple[dict[str, str], dict[str, float]]:
    """The agent's string and scalar attributes as plain values."""
    setting = g(agent, "setting", default=agent)
    strings = {k: str(g(v, "value", default="")) for k, v in (g(setting, "strings", default={}) or {}).items()}
    scalars = {k: float(g(v, "value", default=0) or 0) for k, v in (g(setting, "scalars", default={}) or {}).items()}
    return strings, scalars


def _taint(client: Any, targets: list[Any], scope: Any, *, taints: dict[str, str]) -> Any:
    return client.plan_taint_agents([{"innerIP": agent_ip(a), "noSchedule": dict(taints)} for a in targets])


def _attributes(client: Any, targets: list[Any], scope: Any, *, strings: dict[str, str],
                scalars: dict[str, float]) -> Any:
    """One agent: the lists replace its attributes. Several: they are added to each agent's
    (the others kept). The setting's other keys go back unchanged (the server keeps them anyway)."""
    body = []
    for agent in targets:
        setting = g(agent, "setting", default=agent)
        old_strings, old_scalars = agent_attributes(agent)
        merged_strings = dict(strings) if len(targets) == 1 else {**old_strings, **strings}
        merged_scalars = dict(scalars) if len(targets) == 1 else {**old_scalars, **scalars}
        body.append({
            "innerIP": agent_ip(agent),
            "disabled": bool(g(setting, "disabled", default=False)),
            "noSchedule": dict(g(setting, "no_schedule", default={}) or {}),
            "strings": {k: {"value": v} for k, v in merged_strings.items()},
            "scalars": {k: {"value": v} for k, v in merged_scalars.items()},
        })
    return client.plan_set_agent_setting_list(body)


AGENT_WRITES = {
    "taint": Write(_taint, whole=True),
    "disable_agent": Write(lambda client, targets, scope: client.plan_agent_ips("disable", [agent_ip(a) for a in targets]),
                           whole=True),
    "enable_agent": Write(lambda client, targets, scope: client.plan_agent_ips("enable", [agent_ip(a) for a in targets]),
                          whole=True),
    "set_attributes": Write(_attributes, whole=True),
}


AGENTS = ResourceKind(
    name="agents",
    title="Agents",
    aliases=("agent", "node", "nodes", "as"),
    columns=(
        col("IP", lambda o, rc: o.ip),
        col("HOST", lambda o, rc: o.hostname),
        col("STATE", lambda o, rc: "missing" if o.resource is None else "disabled" if o.disabled else "enabled",
            status=_agent_status),
        _usage("cpu"),
        _usage("mem"),
        _usage("disk"),
        col("TAINTS", lambda o, rc: ",".join(f"{k}={v}" for k, v in sorted(o.taints.items()))),
        col("ATTRIBUTES", lambda o, rc: ",".join(f"{k}={fmt_num(v) if isinstance(v, float) else v}"
                                                  for k, v in sorted(o.attributes().items()))),
    ),
    fetch=fetch_agents,
    row_key=lambda o: o.ip,
    status=_agent_status,
    is_bad=lambda o: o.resource is None or o.disabled,
    drill=lambda o, scope: ("taskgroups", Scope(parent_kind="agents", parent=o, label=f"agent {o.ip}")),
    copy_id=lambda o: o.ip,
    noun="agent",
    writes=AGENT_WRITES,
)
