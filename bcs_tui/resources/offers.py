"""The offers kind (the scheduler's mesos offers)."""

from __future__ import annotations

from typing import Any, Callable

from bcs_tui.resources.base import col, FetchEnv, fmt_num, g, ResourceKind, RUNNING, Scope

# ---------------------------------------------------------------------------------------------
# Offers


def _offer_attr(o: Any, name: str) -> Any:
    for attr in g(o, "attributes", default=[]) or []:
        if g(attr, "name") == name:
            text = g(attr, "text")
            if text is not None:
                return g(text, "value")
            scalar = g(attr, "scalar")
            if scalar is not None:
                return g(scalar, "value")
            st = g(attr, "set")
            if st is not None:
                return list(g(st, "item", default=[]) or [])
    return None


def _offer_call(o: Any, method: str, fallback: Callable[[], Any]) -> Any:
    fn = getattr(o, method, None)
    if callable(fn):
        return fn()
    if fn is not None:
        return fn
    return fallback()


def _offer_resource(o: Any, name: str) -> Any:
    for res in g(o, "resources", default=[]) or []:
        if g(res, "name") == name:
            return res
    return None


def _offer_scalar_free(o: Any, name: str, delta_key: str) -> float | None:
    res = _offer_resource(o, name)
    if res is None:
        return None
    value = float(g(g(res, "scalar"), "value", default=0) or 0)
    delta = g(g(o, "delta_resource", "deltaResource"), delta_key.lower(), delta_key, default=0) or 0
    return value - float(delta)


def _offer_ports(o: Any) -> str:
    ports = getattr(o, "ports", None)
    if isinstance(ports, list):
        return " ".join(f"{b}-{e}" for b, e in ports)
    res = _offer_resource(o, "ports")
    ranges = g(g(res, "ranges"), "range", default=[]) or []
    return " ".join(f"{g(r, 'begin')}-{g(r, 'end')}" for r in ranges)


def offer_ip(o: Any) -> str:
    return str(_offer_call(o, "inner_ip", lambda: _offer_attr(o, "InnerIP")) or "")


async def fetch_offers(env: FetchEnv, scope: Scope) -> list[Any]:
    """1 request: get cluster offers (current offers with deltaResource)."""
    return list(await env.client.get_cluster_offers() or [])


def _offer_free(name: str, method: str, delta_key: str) -> Callable[[Any], float | None]:
    def free(o: Any) -> float | None:
        return _offer_call(o, method, lambda: _offer_scalar_free(o, name, delta_key))

    return free


_offer_cpus = _offer_free("cpus", "cpus_free", "Cpus")
_offer_mem = _offer_free("mem", "mem_free", "Mem")
_offer_disk = _offer_free("disk", "disk_free", "Disk")


def _taints_from_offer(o: Any) -> str:
    taints = getattr(o, "no_schedule", None)
    if isinstance(taints, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(taints.items()))
    items = _offer_attr(o, "NoSchedule")
    return ",".join(str(i) for i in items) if isinstance(items, list) else ""


OFFERS = ResourceKind(
    name="offers",
    title="Offers",
    aliases=("offer", "of"),
    columns=(
        col("HOST", lambda o, rc: g(o, "hostname")),
        col("IP", lambda o, rc: offer_ip(o)),
        col("CPUS", lambda o, rc: fmt_num(_offer_cpus(o)), sort=lambda o, rc: _offer_cpus(o) or 0, numeric=True),
        col("MEM", lambda o, rc: fmt_num(_offer_mem(o)), sort=lambda o, rc: _offer_mem(o) or 0, numeric=True),
        col("DISK", lambda o, rc: fmt_num(_offer_disk(o)), sort=lambda o, rc: _offer_disk(o) or 0, numeric=True),
        col("PORTS", lambda o, rc: _offer_ports(o)),
        col("CITY", lambda o, rc: _offer_call(o, "city", lambda: _offer_attr(o, "City"))),
        col("IP-RES", lambda o, rc: fmt_num(_offer_call(o, "ip_resources", lambda: _offer_attr(o, "ip-resources")))),
        col("TAINTS", lambda o, rc: _taints_from_offer(o)),
    ),
    fetch=fetch_offers,
    row_key=lambda o: str(g(g(o, "id"), "value", default="") or offer_ip(o)),
    status=lambda o: RUNNING,
    is_bad=lambda o: (_offer_cpus(o) or 0) <= 0.05,
    copy_id=offer_ip,
)
