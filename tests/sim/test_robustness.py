"""Junk in, a real error out: no route of the simulator answers 5xx or raises on bad input,
and the cluster still answers every read afterwards."""

import itertools
import json
import re

import httpx

from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.server import _SCHED_ROUTER, create_app

CID = "BCS-MESOS-10001"
P = "/bcsapi/v4/scheduler/mesos"

JUNK = [None, b"junk", b"[]", b"{}", b"123", b'"s"', b"null",
        {"kind": "application", "metadata": {"name": 5}},
        {"kind": "application", "metadata": {"name": "x"}, "spec": {"instance": "2", "template": []}},
        {"kind": "application", "metadata": {"name": "x"}, "spec": {"instance": 2, "template": {
            "spec": {"containers": [{"image": "a", "ports": [{"containerPort": "x"}]}]}}}},
        {"kind": "application", "metadata": {"name": "x", "labels": []},
         "spec": {"instance": 2, "template": {"spec": {"containers": [5]}}}},
        {"kind": "deployment", "metadata": {"name": "d"}, "spec": {"selector": [], "strategy": 5}},
        {"kind": "deployment", "metadata": {"name": "d"}, "spec": {
            "instance": 1, "template": {"spec": {"containers": [{"image": "a"}]}},
            "strategy": {"rollingupdate": {"maxSurge": "x"}}}},
        [{"innerIP": "1.1.1.1", "strings": [], "noSchedule": []}], [{"innerIP": 5}],
        {"msgtype": "signal", "msgdata": []},
        {"spec": {"commandTargetRef": {"kind": "Application", "namespace": "pay", "name": "order"},
                  "command": ["ls"], "taskgroups": 5}},
        {"kind": "configmap", "metadata": {"name": "c", "labels": "x"}, "datas": {}},
        {"kind": "admissionwebhook", "metadata": {"name": "w"}, "resourcesRef": "x",
         "admissionWebhooks": [5]},
        {"kind": "service", "metadata": {"name": "s", "namespace": 5}}]


def _paths(cluster):
    tg = cluster.apps[("pay", "order")].taskgroups[0].id
    fill = {"ns": "pay", "name": "order", "tg": tg, "n": "3", "vid": "123"}
    for method, rx, _ in _SCHED_ROUTER.routes:
        pattern = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", lambda m: fill[m.group(1)], rx.pattern.strip("^$"))
        yield method, P + pattern
    yield "POST", f"{P}/customresourcedefinitions"
    yield "PUT", f"{P}/customresourcedefinitions/bklogconfigs.bkbcs.tencent.com"
    yield "POST", f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/pay/bklogconfigs"
    yield "PUT", f"{P}/customresources/bkbcs.tencent.com/v2/namespaces/pay/bklogconfigs/pay-api-log"
    yield "POST", f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CID}/taskgroup"


async def test_junk_bodies_and_params_never_break_the_server():
    cluster = SimCluster(clock=SimClock(manual=True), hostile=True)
    app = create_app(cluster)
    params = [{}, {"instances": "x", "args": "resource", "ips": "1.1.1.1", "id": "zz",
                   "hostRetainTime": "-5", "image": "", "url": ""}]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s",
                                 headers={"BCS-ClusterID": CID}) as h:
        for (method, path), body, q in itertools.product(list(_paths(cluster)), JUNK, params):
            content = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
            r = await h.request(method, path, content=content, params=q)
            if "/storage/" in path and not (isinstance(body, dict) or body == b"{}"):
                # bcs-storage panics on a POST body that is not a JSON object (it writes into the
                # nil map, dynamicquery/utils.go:144-148): the connection closes, the gateway 502s
                assert r.status_code == 502, (method, path, body, r.text)
                continue
            assert r.status_code < 500, (method, path, body, r.text)
        cluster.advance(120)
        for kind in ("application", "taskgroup", "deployment", "configmap", "secret", "service",
                     "endpoints"):
            r = await h.post(f"/bcsapi/v4/storage/query/mesos/dynamic/clusters/{CID}/{kind}", json={})
            assert r.status_code == 200 and r.json()["result"] is True
        for ns in cluster.namespaces():
            r = await h.get(f"{P}/namespaces/{ns}/applications")
            assert r.status_code == 200
        for path in ("/cluster/resources", "/cluster/current/offers", "/agentsettings"):
            assert (await h.get(P + path)).status_code == 200
