"""Command output: plausible text for common commands, 127 for unknown ones, 1024-byte cap."""

from bcs_tui.sim.commands import OUTPUT_CAP, run_script


def run(cluster, command, app=("pay", "order")):
    cid = cluster.create_command("application", *app, {"spec": {
        "commandTargetRef": {"kind": "Application", "namespace": app[0], "name": app[1]},
        "command": command}})
    cluster.advance(3)
    info = cluster.get_command("application", *app, cid)
    return [t for tg in info["status"]["taskgroups"] for t in tg["tasks"]]


def test_hostname_and_env(sim_cluster):
    tasks = run(sim_cluster, ["/bin/bash", "-c", "hostname"])
    assert all(t["status"] == "finish" for t in tasks)
    assert all(len(t["commInspect"]["stdout"].strip()) == 12 for t in tasks)
    (task, *_) = run(sim_cluster, ["env"])
    out = task["commInspect"]["stdout"]
    assert "BCS_CONTAINER_IP=172.17." in out and "PATH=" in out


def test_common_commands(sim_cluster):
    for cmd, needle in (("ps aux", "PID"), ("cat /etc/hosts", "localhost"), ("df -h", "Filesystem"),
                        ("echo hello world", "hello world"), ("date", "CST 2025"),
                        ("ps -ef | grep start", "start.sh")):
        (task, *_) = run(sim_cluster, ["/bin/sh", "-c", cmd])
        assert task["status"] == "finish", cmd
        assert needle in task["commInspect"]["stdout"], cmd


def test_unknown_command_is_127(sim_cluster):
    (task, *_) = run(sim_cluster, ["/bin/sh", "-c", "frobnicate --now"])
    assert task["status"] == "failed"
    assert task["commInspect"] == {"exitCode": 127, "stdout": "",
                                   "stderr": "sh: frobnicate: command not found\n"}


def test_missing_file_fails(sim_cluster):
    (task, *_) = run(sim_cluster, ["cat", "/nope"])
    assert task["commInspect"]["exitCode"] == 1 and "No such file" in task["commInspect"]["stderr"]


def test_output_is_capped(sim_cluster):
    tg = sim_cluster.apps[("pay", "order")].taskgroups[0]
    code, out, err = run_script("echo " + "x" * 5000, tg, 0, sim_cluster.now())
    assert code == 0 and len(out.encode()) == OUTPUT_CAP


def test_command_validation(sim_cluster):
    import pytest

    from bcs_tui.sim.errors import SimError

    with pytest.raises(SimError) as err:
        sim_cluster.create_command("application", "pay", "order", {})
    assert err.value.text == "command has no spec"
    with pytest.raises(SimError) as err:
        sim_cluster.create_command("application", "pay", "order", {"spec": {
            "commandTargetRef": {"kind": "Deployment", "namespace": "pay", "name": "order"},
            "command": ["ls"]}})
    assert err.value.text == "request data error"


def test_hostile_output_and_names():
    from bcs_tui.sim.clock import SimClock
    from bcs_tui.sim.cluster import SimCluster

    c = SimCluster(clock=SimClock(manual=True), hostile=True)
    app = next(a for (ns, _), a in c.apps.items() if ns == "hostile")
    assert "[bold]" in app.name
    failed = next(tg for tg in app.taskgroups if tg.status == "Failed")
    assert "\x1b]52;" in failed.tasks[0].message
    tasks = run(c, ["hostname"], app=("hostile", app.name))
    done = next(t for t in tasks if t["status"] == "finish")
    assert "[@click=app.quit]" in done["commInspect"]["stdout"]
    assert "\x1b[" in done["commInspect"]["stdout"]
