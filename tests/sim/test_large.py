"""`--scale large`: counts, not time (the build time is measured in the report/benchmarks)."""

import json

import httpx

from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import create_app

CID = "BCS-MESOS-10001"


async def test_large_cluster_counts_and_storage_queries():
    c = SimCluster(scale="large", clock=SimClock(manual=True))
    assert len(c.apps) >= 3000
    assert len(c.taskgroups) >= 20000
    assert len(c.agents) >= 2000
    assert len(c.deployments) >= 300
    statuses = {a.status for a in c.apps.values()}
    assert {"Running", "Abnormal"} <= statuses
    # nothing sits on a disabled agent, and tainted agents only hold tolerating apps (none here)
    for ag in c.agents:
        if ag.disabled or ag.taints:
            assert not ag.taskgroups
    app = create_app(c)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s",
                                 headers={"BCS-ClusterID": CID}) as h:
        r = await h.post(f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CID}/taskgroup",
                         json={"namespace": "kart-prod"})
        assert len(r.json()["data"]) == sum(len(a.taskgroups) for (ns, _), a in c.apps.items()
                                            if ns == "kart-prod")
        assert len(c.storage_query("taskgroup", None, None)) == len(c.taskgroups)
        r = await h.post(f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CID}/application",
                         json={"namespace": "hero-prod,saga-test"})
        assert len(r.json()["data"]) == 150
        # a change shows up in the next query (per-object caches are invalidated)
        tg = next(iter(c.apps[("hero-prod", "gamesvr-00")].taskgroups))
        c.set_tg_status(tg, "Lost")
        r = await h.post(f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CID}/application",
                         json={"namespace": "hero-prod"})
        rec = next(x for x in r.json()["data"] if x["resourceName"] == "gamesvr-00")
        assert rec["data"]["status"] == "Abnormal"
        r = await h.get("/bcsapi/v4/scheduler/mesos/cluster/current/offers")
        assert len(r.json()["data"]) >= 1990
        json.dumps(r.json())  # valid JSON all through


def test_churn_is_deterministic_for_a_seed():
    def run(seed):
        c = SimCluster(seed=seed, clock=SimClock(manual=True), churn=True)
        c.advance(40)
        return sorted((tg.id, tg.status, tg.rescheded_times) for tg in c.taskgroups.values())

    a, b = run(3), run(3)
    assert a == b
    assert any(r[2] > 0 for r in a)


def test_the_xlarge_scale_has_50000_taskgroups():
    c = SimCluster(scale="xlarge", clock=SimClock(manual=True))
    assert len(c.apps) == 3000 and len(c.taskgroups) >= 50_000
