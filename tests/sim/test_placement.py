"""Placement by resources: never on disabled agents, on tainted agents only with a TOLERATION,
status recompute rules, and what offers show."""

from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from tests.sim.helpers import app_body


def fresh():
    return SimCluster(scale="empty", clock=SimClock(manual=True))  # 3 sz + 3 sh agents, 16 cpus


def hosts(app):
    return {tg.agent.hostname for tg in app.taskgroups}


def test_never_on_disabled_agents():
    c = fresh()
    off = [ag.ip for ag in c.agents[:4]]
    c.set_agents_disabled(off, True)
    c.create_application("qa", app_body("web", instances=6))
    c.advance(4)
    app = c.apps[("qa", "web")]
    assert len(app.taskgroups) == 6
    assert hosts(app) <= {ag.hostname for ag in c.agents[4:]}


def test_tainted_agent_needs_a_toleration():
    c = fresh()
    c.set_agents_disabled([ag.ip for ag in c.agents[1:]], True)
    c.taint_agents([{"innerIP": c.agents[0].ip, "noSchedule": {"dedicated": "db"}}])
    c.create_application("qa", app_body("plain", instances=1))
    c.advance(4)
    plain = c.apps[("qa", "plain")]
    assert plain.taskgroups == [] and plain.status == "Abnormal"
    assert plain.message == "have not enough resources to launch application"
    c.create_application("qa", app_body("wrong", instances=1, tolerate={"dedicated": "web"}))
    c.advance(4)
    assert c.apps[("qa", "wrong")].taskgroups == []
    c.create_application("qa", app_body("dbproxy", instances=1, tolerate={"dedicated": "db"}))
    c.advance(4)
    tol = c.apps[("qa", "dbproxy")]
    assert hosts(tol) == {c.agents[0].hostname} and tol.status == "Running"


def test_resources_limit_placement_and_offers_shrink():
    c = fresh()
    before = {o["hostname"]: o for o in c.offers()}
    c.create_application("qa", app_body("big", instances=8, cpu="7", memory="1024"))
    c.advance(4)
    app = c.apps[("qa", "big")]
    # 6 agents x 16 cpus fit two 7-cpu taskgroups each: 8 fit, spread round-robin
    assert len(app.taskgroups) == 8 and app.status == "Running"
    c.create_application("qa", app_body("more", instances=6, cpu="7"))
    c.advance(4)
    more = c.apps[("qa", "more")]
    assert len(more.taskgroups) == 4 and more.status == "Abnormal"
    after = {o["hostname"]: o for o in c.offers()}
    host = app.taskgroups[0].agent.hostname
    cpus = lambda o: next(r["scalar"]["value"] for r in o["resources"] if r["name"] == "cpus")  # noqa: E731
    assert cpus(after[host]) < cpus(before[host])
    ports = next(r for r in after[host]["resources"] if r["name"] == "ports")
    assert ports["ranges"]["range"][0]["begin"] > 31000  # host ports were taken


def test_unique_hostname_constraint():
    c = fresh()
    c.create_application("qa", app_body("uniq", instances=8, constraint=[
        {"unionData": [{"name": "hostname", "operate": "UNIQUE"}]}]))
    c.advance(4)
    app = c.apps[("qa", "uniq")]
    assert len(app.taskgroups) == 6 and len(hosts(app)) == 6


def test_cluster_constraint_on_city():
    c = fresh()
    c.create_application("qa", app_body("sh", instances=3, constraint=[
        {"unionData": [{"name": "City", "operate": "CLUSTER", "type": 3,
                        "text": {"value": "shanghai"}}]}]))
    c.advance(4)
    assert {tg.agent.city for tg in c.apps[("qa", "sh")].taskgroups} == {"shanghai"}


def test_status_rules_first_match_wins():
    c = fresh()
    c.create_application("qa", app_body("web", instances=3))
    c.advance(4)
    app = c.apps[("qa", "web")]
    tgs = app.taskgroups
    c.set_tg_status(tgs[0], "Lost")
    assert (app.status, app.message) == ("Abnormal", "have some lost taskgroups")
    c.set_tg_status(tgs[1], "Failed", message="container exited with code 1")
    assert app.message == "application has failed pods"
    c.set_tg_status(tgs[2], "Error", message="bad")
    assert (app.status, app.message) == ("Error", "application has error pods")


def test_failed_image_fails_the_taskgroup():
    c = fresh()
    c.create_application("qa", app_body("bad", instances=1, image="hub.local/qa/web:broken"))
    c.advance(4)
    app = c.apps[("qa", "bad")]
    tg = app.taskgroups[0]
    assert tg.status == "Failed" and "manifest unknown" in tg.tasks[0].message
    assert (app.status, app.message) == ("Abnormal", "application has failed pods")


def test_delete_frees_resources():
    c = fresh()
    c.create_application("qa", app_body("web", instances=6, cpu="8"))
    c.advance(4)
    used = sum(ag.used_cpus for ag in c.agents)
    assert used == 48
    c.delete_application("qa", "web", enforce=False)
    c.advance(3)
    assert sum(ag.used_cpus for ag in c.agents) == 0
    assert all(not ag.used_ports for ag in c.agents)
