"""Chaos specs: parsing with clear errors, and their effect on answers (switchable at runtime)."""

import httpx
import pytest

from bcs_tui.api import errors as E
from bcs_tui.sim.chaos import ChaosError, ChaosSpec

P = "/bcsapi/v4/scheduler/mesos"


def test_parse_full_spec():
    spec = ChaosSpec.parse("latency=300ms,error=0.1,truncate=0.05,drop=0.02,route=/cluster/*;"
                           "business=0.5,latency=1.5s,jitter=20,seed=7")
    a, b = spec.rules
    assert (a.latency, a.error, a.truncate, a.drop, a.route) == (0.3, 0.1, 0.05, 0.02, "/cluster/*")
    assert (b.business, b.latency, b.jitter, b.route) == (0.5, 1.5, 0.02, "*")
    assert spec.seed == 7


@pytest.mark.parametrize("text, needle", [
    ("", "empty spec"),
    ("latency=fast", "not a duration"),
    ("error=2", "between 0 and 1"),
    ("error=lots", "not a number"),
    ("boom=1", "unknown key 'boom'"),
    ("error", "not key=value"),
    ("error=0.7,drop=0.6", "add up to 1.3"),
    ("route=", "needs a path glob"),
])
def test_bad_specs_say_what_is_wrong(text, needle):
    with pytest.raises(ChaosError) as err:
        ChaosSpec.parse(text)
    assert needle in str(err.value)


def test_route_globs_match_relative_or_full_paths():
    spec = ChaosSpec.parse("error=1,route=/cluster/*")
    assert spec.decide(f"{P}/cluster/resources").kind == "error"
    assert spec.decide(f"{P}/namespaces/a/applications") is None
    spec = ChaosSpec.parse("error=1,route=/bcsapi/v4/storage/*")
    assert spec.decide("/bcsapi/v4/storage/query/mesos/dynamic/clusters/X/namespace").kind == "error"


def test_seeded_decisions_repeat():
    a = ChaosSpec.parse("error=0.3,truncate=0.3,seed=3")
    b = ChaosSpec.parse("error=0.3,truncate=0.3,seed=3")
    assert [getattr(a.decide("/x"), "kind", None) for _ in range(50)] == \
        [getattr(b.decide("/x"), "kind", None) for _ in range(50)]


async def test_break_and_heal_mid_session(sim_client, sim_cluster):
    assert len(await sim_client.get_cluster_offers()) == 11
    sim_cluster.chaos = "error=1,route=/cluster/*"
    with pytest.raises(E.BcsError):
        await sim_client.get_cluster_offers()
    assert await sim_client.list_applications("pay")  # other routes are untouched
    sim_cluster.chaos = "business=1"
    with pytest.raises(E.ApiError) as err:
        await sim_client.list_applications("pay")
    assert err.value.code == 1405200 and "no mesos master" in err.value.message
    sim_cluster.chaos = "truncate=1"
    with pytest.raises(E.ProtocolError):
        await sim_client.list_applications("pay")
    sim_cluster.chaos = "empty=1"
    with pytest.raises(E.ProtocolError):
        await sim_client.list_applications("pay")
    sim_cluster.chaos = "text=1"
    with pytest.raises(E.ProtocolError):
        await sim_client.list_applications("pay")
    sim_cluster.chaos = "drop=1"
    with pytest.raises(E.TransportError):
        await sim_client.list_applications("pay")
    sim_cluster.chaos = None
    assert await sim_client.list_applications("pay")


async def test_chaos_does_not_apply_writes(sim_http, sim_cluster):
    sim_cluster.chaos = ChaosSpec.parse("error=1")
    r = await sim_http.put(f"{P}/namespaces/pay/applications/order/scale/5")
    assert r.status_code in (502, 503, 504)
    assert sim_cluster.apps[("pay", "order")].define_instances == 2
    assert sim_cluster.requests[-1].path.endswith("/scale/5")  # still recorded


async def test_latency_is_applied(sim_cluster):
    from bcs_tui.sim.server import create_app

    app = create_app(sim_cluster, chaos="latency=1ms")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s",
                                 headers={"BCS-ClusterID": "BCS-MESOS-10001"}) as c:
        r = await c.get(f"{P}/cluster/endpoints")
    assert r.status_code == 200
    assert sim_cluster.chaos.rules[0].latency == 0.001


from hypothesis import given, settings, strategies as st  # noqa: E402

_ALPHABET = st.sampled_from(list("=,;.*/msx0123456789 ") + ["latency", "error", "drop", "route",
                                                              "truncate", "seed", "jitter"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=20).map("".join))
def test_any_text_parses_or_fails_with_a_chaos_error(text):
    try:
        spec = ChaosSpec.parse(text)
    except ChaosError as err:
        assert str(err).startswith("chaos: ")
        return
    for rule in spec.rules:
        shares = [rule.error, rule.business, rule.truncate, rule.drop, rule.empty, rule.text]
        assert all(0 <= s <= 1 for s in shares) and sum(shares) <= 1 + 1e-9
        assert rule.latency >= 0 and rule.jitter >= 0
    spec.decide("/bcsapi/v4/scheduler/mesos/cluster/resources")
