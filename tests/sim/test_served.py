"""The simulator on a real loopback socket (start_in_loop) and the standalone runner."""

import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time

import httpx

from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.runner import connect_help, run_sim
from bcs_tui.sim.server import start_in_loop

CID = "BCS-MESOS-10001"


async def test_start_in_loop_serves_http_and_ticks():
    cluster = SimCluster(clock=SimClock(manual=False), churn=False)
    sim = await start_in_loop(cluster, token="s3cret")
    try:
        assert sim.url.startswith("http://127.0.0.1:") and sim.cluster_id == CID
        headers = {"Authorization": "Bearer s3cret", "BCS-ClusterID": CID}
        async with httpx.AsyncClient(base_url=sim.url, headers=headers) as c:
            r = await c.get("/bcsapi/v4/scheduler/mesos/namespaces/pay/applications")
            assert r.status_code == 200 and r.json()["result"] is True
            r = await c.get("/bcsapi/v4/scheduler/mesos/cluster/resources", headers={
                "Authorization": "Bearer nope"})
            assert r.status_code == 401
            body = {"apiVersion": "v4", "kind": "configmap",
                    "metadata": {"name": "live", "namespace": "pay"}, "datas": {}}
            r = await c.post("/bcsapi/v4/scheduler/mesos/namespaces/pay/configmaps", json=body)
            assert r.json()["code"] == 0
            # wall clock: a scale completes by itself within a few seconds
            r = await c.put("/bcsapi/v4/scheduler/mesos/namespaces/pay/applications/order/scale/3")
            assert r.json()["code"] == 0
            for _ in range(100):
                await asyncio.sleep(0.1)
                app = (await c.get("/bcsapi/v4/scheduler/mesos/namespaces/pay/applications/order")
                       ).json()["data"]
                if app["Status"] == "Running" and app["RunningInstances"] == 3:
                    break
            assert app["Status"] == "Running" and app["RunningInstances"] == 3
    finally:
        await sim.stop()
    with socket.socket() as s:  # the port is free again
        s.bind(("127.0.0.1", int(sim.url.rsplit(":", 1)[1])))


async def test_dropped_connection_over_a_socket(capfd):
    cluster = SimCluster(clock=SimClock(manual=True))
    sim = await start_in_loop(cluster, chaos="drop=1")
    try:
        async with httpx.AsyncClient(base_url=sim.url, headers={"BCS-ClusterID": CID}) as c:
            try:
                await c.get("/bcsapi/v4/scheduler/mesos/cluster/endpoints")
            except httpx.TransportError:
                pass
            else:
                raise AssertionError("the connection was not dropped")
            cluster.chaos = None
            r = await c.get("/bcsapi/v4/scheduler/mesos/cluster/endpoints")
            assert r.status_code == 200
    finally:
        await sim.stop()
    # served inside the console's loop: nothing may reach the terminal
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "Exception" not in err and out == ""


async def test_port_in_use_is_an_oserror_not_an_exit():
    import pytest

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(OSError):
            await start_in_loop(SimCluster(clock=SimClock(manual=True)), port=port)


def test_connect_help_names_everything():
    text = connect_help("http://127.0.0.1:8899", CID, "tok")
    assert "curl" in text and "Authorization: Bearer tok" in text
    assert "BCS_TOKEN=tok bcs-tui --server http://127.0.0.1:8899 --cluster BCS-MESOS-10001" in text


def test_run_sim_rejects_bad_arguments():
    err = io.StringIO()
    assert run_sim(chaos="error=9", err=err) == 2 and "between 0 and 1" in err.getvalue()
    err = io.StringIO()
    assert run_sim(scale="huge", err=err) == 2 and "--scale" in err.getvalue()


def test_standalone_runner_answers_curl_like_requests():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("import sys; from bcs_tui.sim.runner import run_sim; "
            f"sys.exit(run_sim('127.0.0.1', {port}, '{CID}', 'tok', 'demo', 0, None))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        line = proc.stdout.readline()
        assert line.startswith("Built a demo cluster"), line + proc.stderr.read()
        assert proc.stdout.readline().startswith(f"BCS simulator listening on http://127.0.0.1:{port}")
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.post(f"http://127.0.0.1:{port}/bcsapi/v4/storage/query/mesos/dynamic/"
                               f"clusters/{CID}/application", content=json.dumps({"namespace": "pay"}),
                               headers={"Authorization": "Bearer tok"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert r.status_code == 200 and len(r.json()["data"]) == 4
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_default_clock_goes_live_when_served_explicit_manual_stays():
    live = SimCluster()
    sim = await start_in_loop(live)
    await sim.stop()
    assert not live.clock.manual and live.churn
    manual = SimCluster(clock=SimClock(manual=True))
    sim = await start_in_loop(manual)
    await sim.stop()
    assert manual.clock.manual and not manual.churn


async def test_stop_and_restart_on_the_same_port_keeps_the_state():
    cluster = SimCluster(clock=SimClock(manual=True))
    sim = await start_in_loop(cluster, token="t")
    port = int(sim.url.rsplit(":", 1)[1])
    headers = {"Authorization": "Bearer t", "BCS-ClusterID": CID}
    async with httpx.AsyncClient(base_url=sim.url, headers=headers) as c:
        r = await c.put("/bcsapi/v4/scheduler/mesos/namespaces/pay/applications/order/scale/4")
        assert r.json()["code"] == 0
        await sim.stop()
        try:
            await c.get("/bcsapi/v4/scheduler/mesos/cluster/endpoints")
        except httpx.TransportError:
            pass
        else:
            raise AssertionError("the server is still answering")
        sim = await start_in_loop(cluster, port=port, token="t")
        try:
            r = await c.get("/bcsapi/v4/scheduler/mesos/namespaces/pay/applications/order")
            assert r.json()["data"]["DefineInstances"] == 4
            cluster.token = "rotated"  # the token expired
            r = await c.get("/bcsapi/v4/scheduler/mesos/cluster/endpoints")
            assert r.status_code == 401
        finally:
            await sim.stop()
