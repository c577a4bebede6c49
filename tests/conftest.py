"""Shared test setup."""

import os

# NO_COLOR in the environment makes every SVG snapshot differ.
os.environ.pop("NO_COLOR", None)

# Tests never touch the user's real config or audit log: point both at a throwaway place.
# (Tests that need their own set these again with monkeypatch.)
import tempfile  # noqa: E402

_SCRATCH = tempfile.mkdtemp(prefix="bcs-tui-tests-")
os.environ.setdefault("BCS_TUI_STATE_DIR", os.path.join(_SCRATCH, "state"))
os.environ.setdefault("BCS_TUI_CONFIG", os.path.join(_SCRATCH, "config.toml"))
# ... nor a /var/bcs/bcs.conf of the machine (bcs-client's config, used when there is no config).
os.environ.setdefault("BCS_CLIENT_CONF", "none")


# ---------------------------------------------------------------------------------------------
# Simulator fixtures (owned by the sim engineer).

import httpx  # noqa: E402
from tests.asgistream import StreamingASGITransport  # noqa: E402
import pytest  # noqa: E402

SIM_TOKEN = "demo-token"
SIM_CLUSTER_ID = "BCS-MESOS-10001"


@pytest.fixture
def sim_cluster():
    """The demo cluster, seed 0, manual clock: move time with `sim_cluster.advance(seconds)`."""
    from bcs_tui.sim.clock import SimClock
    from bcs_tui.sim.cluster import SimCluster

    return SimCluster(seed=0, scale="demo", cluster_id=SIM_CLUSTER_ID, clock=SimClock(manual=True))


@pytest.fixture
def sim_app(sim_cluster):
    """The simulator's ASGI app for `sim_cluster`, requiring the token "demo-token"."""
    from bcs_tui.sim.server import create_app

    return create_app(sim_cluster, token=SIM_TOKEN)


@pytest.fixture
async def sim_http(sim_app):
    """A plain httpx client on the simulator (no socket), with the token and cluster headers."""
    async with httpx.AsyncClient(transport=StreamingASGITransport(sim_app), base_url="http://sim",
                                 headers={"Authorization": f"Bearer {SIM_TOKEN}",
                                          "BCS-ClusterID": SIM_CLUSTER_ID}) as client:
        yield client


@pytest.fixture
async def sim_client(sim_app):
    """A BcsClient wired to the simulator through httpx.ASGITransport (token "demo-token")."""
    from bcs_tui.api.client import BcsClient

    client = BcsClient("http://sim", SIM_CLUSTER_ID, SIM_TOKEN,
                       transport=StreamingASGITransport(sim_app), get_retries=0)
    try:
        yield client
    finally:
        await client.aclose()
