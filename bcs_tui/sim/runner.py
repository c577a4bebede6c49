"""`bcs-tui sim`: serve a simulated cluster on a socket and print how to connect."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

from bcs_tui.sim.chaos import ChaosError, ChaosSpec
from bcs_tui.sim.clock import SimClock


def connect_help(url: str, cluster_id: str, token: str | None, namespace: str = "hero-prod") -> str:
    """The lines printed when the simulator is up: URL, cluster, token, curl and bcs-tui lines."""
    auth = f' -H "Authorization: Bearer {token}"' if token else ""
    token_env = f"BCS_TOKEN={token} " if token else ""  # the console takes tokens from the env, never argv
    return "\n".join([
        f"BCS simulator listening on {url}",
        f"  cluster id : {cluster_id}",
        f"  token      : {token if token else '(none: no Authorization header needed)'}",
        "",
        "Try it:",
        f'  curl -s{auth} -H "BCS-ClusterID: {cluster_id}" '
        f"{url}/bcsapi/v4/scheduler/mesos/namespaces/{namespace}/applications",
        f'  curl -s{auth} -X POST -d \'{{"namespace":"{namespace}"}}\' '
        f"{url}/bcsapi/v4/storage/query/mesos/dynamic/clusters/{cluster_id}/application",
        f"  curl -sN{auth} -X POST -d '{{}}' "
        f"{url}/bcsapi/v4/storage/dynamic/watch/{cluster_id}/taskgroup",
        "",
        "Connect the console:",
        f"  {token_env}bcs-tui --server {url} --cluster {cluster_id}",
        "",
        "Ctrl+C stops the simulator.",
    ])


def run_sim(host: str = "127.0.0.1", port: int = 8899, cluster_id: str = "BCS-MESOS-10001",
            token: str | None = None, scale: str = "demo", seed: int = 0,
            chaos: str | None = None, *, out: TextIO | None = None,
            err: TextIO | None = None, hostile: bool = False, stream_mode: str = "stream",
            rereport: float = 240.0) -> int:
    """Serve until interrupted. Returns the process exit code (2 for bad arguments)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        spec = ChaosSpec.parse(chaos) if chaos else None
    except ChaosError as exc:
        print(f"bcs-tui sim: {exc}", file=err)
        return 2
    if scale not in ("demo", "large", "xlarge", "empty"):
        print(f"bcs-tui sim: --scale must be demo, large, xlarge or empty (got {scale!r})", file=err)
        return 2
    if stream_mode not in ("stream", "break", "none"):
        print(f"bcs-tui sim: --stream-mode must be stream, break or none (got {stream_mode!r})",
              file=err)
        return 2
    if not 0 <= rereport <= 86400:
        print(f"bcs-tui sim: --rereport must be 0..86400 seconds (got {rereport})", file=err)
        return 2
    if not 0 <= port <= 65535:
        print(f"bcs-tui sim: --port must be 0..65535 (got {port})", file=err)
        return 2
    # After the checks: a bad flag answers at once, without loading the simulator.
    from bcs_tui.sim.cluster import SimCluster
    from bcs_tui.sim.server import serve_forever_coroutine

    started = time.perf_counter()
    cluster = SimCluster(seed=seed, scale=scale, cluster_id=cluster_id,
                         clock=SimClock(manual=False), hostile=hostile, stream_mode=stream_mode,
                         rereport=rereport)
    cluster.storage.sync()  # storage holds every record before the first request
    built = time.perf_counter() - started
    shown = host if ":" not in host else f"[{host}]"

    def on_started(real_port: int) -> None:
        print(f"Built a {scale} cluster in {built:.1f}s: {len(cluster.apps)} applications, "
              f"{len(cluster.taskgroups)} taskgroups, {len(cluster.agents)} agents, "
              f"{len(cluster.deployments)} deployments; storage watch: {stream_mode}, "
              + (f"re-report every {rereport:g} s" if rereport else "no re-report")
              + (f"; chaos: {chaos}" if chaos else ""), file=out, flush=True)
        print(connect_help(f"http://{shown}:{real_port}", cluster_id, token), file=out, flush=True)

    try:
        asyncio.run(serve_forever_coroutine(cluster, host, port, token, spec, on_started))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"bcs-tui sim: cannot listen on {host}:{port}: {exc.strerror or exc}", file=err)
        return 1
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        if exc.code not in (0, None):
            print(f"bcs-tui sim: cannot listen on {host}:{port}", file=err)
            return 1
    return 0
