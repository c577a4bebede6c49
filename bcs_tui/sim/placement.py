"""Placement of taskgroups on agents by resources, taints and constraints."""

from __future__ import annotations

import re
from typing import Iterable

from bcs_tui.sim.model import Agent, Application, AppTemplate


def tolerates(tpl: AppTemplate, taints: dict[str, str]) -> bool:
    """An agent's taints are tolerated only through TOLERATION constraint items (key and value)."""
    if not taints:
        return True
    tol = tpl.tolerations()
    return all(k in tol and (tol[k] == v or tol[k] == "") for k, v in taints.items())


def _constraint_ok(item: dict, agent: Agent, app: Application, attrs: dict) -> bool:
    op = str(item.get("operate", "")).upper()
    name = str(item.get("name", ""))
    if op in ("TOLERATION", "GROUPBY", "EXCLUDE", ""):
        return True
    value = attrs.get(name)
    text = str((item.get("text") or {}).get("value", ""))
    items = [str(x) for x in ((item.get("set") or {}).get("item") or [])]
    if op == "UNIQUE":
        return not any(tg.app is app and tg.alive for tg in agent.taskgroups.values())
    if op == "CLUSTER":
        wanted = items or ([text] if text else [])
        return value is not None and str(value) in wanted
    if op in ("LIKE", "UNLIKE"):
        try:
            hit = value is not None and re.fullmatch(text, str(value)) is not None
        except re.error:
            hit = False
        return hit if op == "LIKE" else not hit
    if op == "MAXPER":
        try:
            limit = int(float(text))
        except ValueError:
            return True
        same = 0
        for tg in app.taskgroups:
            if tg.alive and tg.agent is not None and tg.agent.attributes().get(name) == value:
                same += 1
        return same < limit
    if op == "GREATER":
        try:
            return float(value) > float((item.get("scalar") or {}).get("value", 0))
        except (TypeError, ValueError):
            return False
    return True


def fits(agent: Agent, app: Application, tpl: AppTemplate, *, cpus: float, mem: float,
         disk: float) -> bool:
    if agent.disabled:
        return False
    if not tolerates(tpl, agent.taints):
        return False
    fc, fm, fd = agent.free()
    if cpus > fc + 1e-9 or mem > fm + 1e-9 or disk > fd + 1e-9:
        return False
    need_dynamic = 0
    for c in tpl.containers:
        for p in c.ports:
            hp = p["hostPort"]
            if hp > 0 and hp in agent.used_ports:
                return False
            if hp == 0 and tpl.network == "BRIDGE":
                need_dynamic += 1
    if need_dynamic:
        free = sum(e - b + 1 for b, e in agent.port_ranges) - len(agent.used_ports)
        if free < need_dynamic:
            return False
    if tpl.constraints:
        attrs = agent.attributes()
        for union in tpl.constraints:
            checks = [u for u in union if str(u.get("operate", "")).upper() != "TOLERATION"]
            if checks and not any(_constraint_ok(u, agent, app, attrs) for u in checks):
                return False
    return True


class Placer:
    """Round-robin first fit: O(1) amortised per taskgroup, deterministic, spreads load."""

    def __init__(self, agents: list[Agent]) -> None:
        self.agents = agents
        self.cursor = 0

    def choose(self, app: Application, tpl: AppTemplate, *, cpus: float, mem: float, disk: float,
               only: Iterable[Agent] | None = None) -> Agent | None:
        if only is not None:
            for ag in only:
                if fits(ag, app, tpl, cpus=cpus, mem=mem, disk=disk):
                    return ag
            return None
        n = len(self.agents)
        for i in range(n):
            ag = self.agents[(self.cursor + i) % n]
            if fits(ag, app, tpl, cpus=cpus, mem=mem, disk=disk):
                self.cursor = (self.cursor + i + 1) % n
                return ag
        return None
