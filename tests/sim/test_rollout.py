"""Rolling updates step by step on a manual clock: automatic, manual steps, pause, resume,
cancel, suspend on missing resources, DeleteFirst order."""

import pytest

from bcs_tui.sim.clock import SimClock
from bcs_tui.sim.cluster import SimCluster
from bcs_tui.sim.errors import SimError
from tests.sim.helpers import deployment_body


def fresh(scale="empty"):
    return SimCluster(scale=scale, clock=SimClock(manual=True))


def deployed(c, name="api", instances=4, **kw):
    c.create_deployment("qa", deployment_body(name, instances=instances, **kw))
    c.advance(4)
    d = c.deployments[("qa", name)]
    assert d.status == "Running"
    return d


def counts(c, d):
    app, ext = c.deployment_apps(d)
    return (len(app.taskgroups) if app else 0, len(ext.taskgroups) if ext else 0)


def images(app):
    return {tg.tasks[0].spec.image for tg in app.taskgroups}


def test_automatic_rolling_update_steps_to_the_end():
    c = fresh()
    d = deployed(c, instances=4)
    c.update_deployment("qa", deployment_body("api", instances=4, image="hub.local/qa/web:2.0"))
    assert d.status == "Update" and d.is_in_rolling
    app, ext = c.deployment_apps(d)
    assert ext.name.startswith("api-v") and ext.sub_status == "RollingUpdateUp"
    assert app.status == ext.status == "RollingUpdate" and app.sub_status == "RollingUpdateDown"
    assert d.raw_json_backup["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "hub.local/qa/web:1.0"
    seen = []
    for _ in range(60):
        c.advance(0.5)
        seen.append(counts(c, d))
        if d.status == "Running":
            break
    assert d.status == "Running" and not d.is_in_rolling
    # one surge, one unavailable at a time: never more than 5 or fewer than 3 taskgroups
    assert all(3 <= old + new <= 5 for old, new in seen)
    assert (4, 1) in seen or (4, 0) in seen
    app, ext = c.deployment_apps(d)
    assert ext is None and app.name.startswith("api-v") and images(app) == {"hub.local/qa/web:2.0"}
    c.advance(3)
    assert ("qa", "api") not in c.apps  # the old application is gone
    assert app.status == "Running" and app.running_count() == 4


def test_manual_rolling_pauses_after_each_step_and_resumes():
    c = fresh()
    d = deployed(c, instances=4)
    c.update_deployment("qa", deployment_body("api", instances=4, image="hub.local/qa/web:2.0",
                                              surge=2, unavailable=2, manual=True))
    c.advance(6)
    assert d.status == "UpdatePaused" and d.message == "rollingupdate paused"
    assert counts(c, d) == (2, 2)
    c.advance(30)
    assert counts(c, d) == (2, 2)  # paused means paused
    with pytest.raises(SimError) as err:
        c.pause_deployment("qa", "api")
    assert err.value.message.endswith("deployment is not in updating")
    c.resume_deployment("qa", "api")
    assert d.status == "Update"
    c.advance(6)
    assert counts(c, d) in ((0, 4),) or d.status == "Running"
    c.advance(2)
    assert d.status == "Running" and counts(c, d)[1] == 0


def test_pause_resume_and_their_refusals():
    c = fresh()
    d = deployed(c, instances=3)
    with pytest.raises(SimError) as err:
        c.resume_deployment("qa", "api")
    assert err.value.code == 1405200 and "not update paused or suspend" in err.value.text
    with pytest.raises(SimError) as err:
        c.cancel_deployment("qa", "api")
    assert err.value.text == "deployment is in not rollingupdate"
    c.update_deployment("qa", deployment_body("api", instances=3, image="hub.local/qa/web:2.0",
                                              duration=20))
    c.advance(4)
    c.pause_deployment("qa", "api")
    c.advance(2)  # a taskgroup kill already sent still completes
    frozen = counts(c, d)
    c.advance(60)
    assert d.status == "UpdatePaused" and counts(c, d) == frozen
    with pytest.raises(SimError) as err:
        c.scale_deployment("qa", "api", 5)
    assert "operation forbidden, the deployment status is UpdatePaused" in err.value.text
    with pytest.raises(SimError) as err:
        c.update_deployment("qa", deployment_body("api", instances=3))
    assert err.value.code == 1405200
    c.resume_deployment("qa", "api")
    c.advance(120)
    assert d.status == "Running"


def test_cancel_restores_the_old_application():
    c = fresh()
    d = deployed(c, instances=4)
    c.update_deployment("qa", deployment_body("api", instances=4, image="hub.local/qa/web:2.0",
                                              manual=True))
    c.advance(6)
    assert d.status == "UpdatePaused" and counts(c, d) == (3, 1)
    _, ext = c.deployment_apps(d)
    c.cancel_deployment("qa", "api")
    assert d.status == "Running" and d.app_ext_name == "" and d.raw_json_backup is None
    assert d.raw_json["spec"]["template"]["spec"]["containers"][0]["image"] == "hub.local/qa/web:1.0"
    c.advance(5)
    app, _ = c.deployment_apps(d)
    assert app.name == "api" and app.status == "Running" and len(app.taskgroups) == 4
    assert images(app) == {"hub.local/qa/web:1.0"}
    assert (ext.namespace, ext.name) not in c.apps


def test_step_without_resources_suspends_and_resume_retries():
    c = fresh()  # 6 agents x 16 cpus
    d = deployed(c, instances=2, cpu="15")
    c.update_deployment("qa", deployment_body("api", instances=2, image="hub.local/qa/web:2.0",
                                              cpu="15", duration=20))
    c.advance(10)
    assert d.status == "Update"  # 4 agents free: the first step works
    for ag in c.agents:
        if not ag.taskgroups:
            c.set_agents_disabled([ag.ip], True)
    c.advance(120)
    assert d.status == "UpdateSuspend"
    assert d.message in ("create taskgroup timeout, rollingupdate suspend",)
    with pytest.raises(SimError):
        c.pause_deployment("qa", "api")
    c.set_agents_disabled([ag.ip for ag in c.agents], False)
    c.resume_deployment("qa", "api")
    c.advance(60)
    assert d.status == "Running"


def test_delete_first_order():
    c = fresh()
    d = deployed(c, instances=3)
    c.update_deployment("qa", deployment_body("api", instances=3, image="hub.local/qa/web:2.0",
                                              order="DeleteFirst", manual=True))
    c.advance(1)
    assert d.curr_rolling_operation == "DELETE"
    c.advance(6)
    assert d.status == "UpdatePaused" and counts(c, d) == (2, 1)


def test_update_refusals():
    c = fresh()
    deployed(c, instances=2)
    body = deployment_body("api", instances=2, selector={"app": "other"})
    with pytest.raises(SimError) as err:
        c.update_deployment("qa", body)
    assert err.value.code == 1405008
    body = deployment_body("api", instances=2)
    del body["spec"]["strategy"]["rollingupdate"]
    with pytest.raises(SimError) as err:
        c.update_deployment("qa", body)
    assert err.value.text == "update strategy not set"
    with pytest.raises(SimError) as err:
        c.update_deployment("qa", deployment_body("ghost"))
    assert err.value.code == 1405202


def test_update_resource_in_place():
    c = fresh()
    d = deployed(c, instances=2)
    ids = [tg.id for tg in c.deployment_apps(d)[0].taskgroups]
    c.update_deployment("qa", deployment_body("api", instances=2, cpu="1"), args="resource")
    assert d.status == "UpdateResource"
    c.advance(3)
    app = c.deployment_apps(d)[0]
    assert d.status == "Running" and [tg.id for tg in app.taskgroups] == ids
    assert app.taskgroups[0].cpus == 1.0


def test_demo_mid_rollout_resumes_to_completion(sim_cluster):
    d = sim_cluster.deployments[("hero-prod", "battle")]
    assert d.status == "UpdatePaused"
    for _ in range(5):
        if d.status == "UpdatePaused":
            sim_cluster.resume_deployment("hero-prod", "battle")
        sim_cluster.advance(8)
    assert d.status == "Running"
    app = sim_cluster.deployment_apps(d)[0]
    assert app.name.startswith("battle-v") and len(app.taskgroups) == 6
    assert images(app) == {"mirrors.bkgame.internal/hero/battle:3.9.0"}


def test_bad_release_suspends_and_cancel_rolls_back():
    c = fresh()
    d = deployed(c, instances=3)
    c.update_deployment("qa", deployment_body("api", instances=3, image="hub.local/qa/web:broken"))
    c.advance(10)
    _, ext = c.deployment_apps(d)
    assert ext.taskgroups[0].status == "Failed"
    assert counts(c, d) == (3, 1)  # nothing old is deleted while the new one fails
    c.advance(60)
    assert d.status == "UpdateSuspend"
    assert d.message == "create taskgroup timeout, rollingupdate suspend"
    c.cancel_deployment("qa", "api")
    c.advance(5)
    app, ext = c.deployment_apps(d)
    assert ext is None and app.status == "Running" and images(app) == {"hub.local/qa/web:1.0"}


def test_old_app_deleted_by_hand_mid_rollout_still_finishes():
    c = fresh()
    d = deployed(c, instances=2)
    c.update_deployment("qa", deployment_body("api", instances=2, image="hub.local/qa/web:2.0",
                                              manual=True))
    c.advance(6)
    assert d.status == "UpdatePaused"
    c.delete_application("qa", "api", enforce=True)  # enforce is needed in RollingUpdate
    c.advance(3)
    c.resume_deployment("qa", "api")
    c.advance(20)
    app, ext = c.deployment_apps(d)
    assert d.status == "Running" and ext is None and len(app.taskgroups) == 2
