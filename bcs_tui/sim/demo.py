"""Deterministic demo data: a game company's cluster (`demo`) or a big one (`large`)."""

from __future__ import annotations

import base64
import copy
from typing import Any

from bcs_tui.sim.commands import HOSTILE_TEXT
from bcs_tui.sim.model import Application, Deployment
from bcs_tui.sim.templates import parse_app

REGISTRY = "mirrors.bkgame.internal"
DAY = 86400.0


def rc_body(name: str, ns: str, image: str, instances: int, *, cpu: float = 1.0, mem: int = 1024,
            ports: list[tuple[str, int, str]] | None = None, labels: dict | None = None,
            env: dict | None = None, command: str = "/data/app/bin/start.sh",
            args: list[str] | None = None, health: str | None = "HTTP",
            constraint: list | None = None, network: str = "BRIDGE",
            sidecar: str | None = None) -> dict:
    """A ReplicaController body like the ones game teams write."""
    ports = ports if ports is not None else [("http", 8080, "HTTP")]
    labels = {"app": name, **(labels or {})}
    container: dict[str, Any] = {
        "type": "MESOS", "image": image, "imagePullPolicy": "IfNotPresent", "command": command,
        "args": args if args is not None else ["--config", "/data/app/conf/server.conf"],
        "env": [{"name": k, "value": v} for k, v in (env or {}).items()],
        "ports": [{"name": n, "containerPort": p, "hostPort": 0, "protocol": proto}
                  for n, p, proto in ports],
        "resources": {"limits": {"cpu": str(cpu), "memory": str(mem)}},
        "volumes": [{"name": "logs", "volume": {"hostPath": f"/data/logs/{ns}/{name}",
                                                "mountPath": "/data/app/logs", "readOnly": False}}],
        "healthChecks": [], "parameters": [], "secrets": [], "configmaps": []}
    if health and ports:
        hc: dict[str, Any] = {"type": health, "delaySeconds": 10, "intervalSeconds": 10,
                              "timeoutSeconds": 5, "consecutiveFailures": 3, "gracePeriodSeconds": 30}
        if health in ("HTTP", "REMOTE_HTTP"):
            hc["http"] = {"port": 0, "portName": ports[0][0], "scheme": "http", "path": "/healthz"}
        else:
            hc["tcp"] = {"port": 0, "portName": ports[0][0]}
        container["healthChecks"] = [hc]
    containers = [container]
    if sidecar:
        containers.append({"type": "MESOS", "image": sidecar, "imagePullPolicy": "IfNotPresent",
                           "command": "/usr/bin/fluent-bit", "args": ["-c", "/etc/fluent-bit.conf"],
                           "ports": [], "env": [], "resources": {"limits": {"cpu": "0.1",
                                                                            "memory": "128"}}})
    return {"apiVersion": "v4", "kind": "application",
            "restartPolicy": {"policy": "OnFailure", "interval": 5, "backoff": 10, "maxtimes": 10},
            "killPolicy": {"gracePeriod": 10},
            "constraint": {"intersectionItem": constraint or []},
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"instance": instances,
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": containers, "networkMode": network,
                                           "networkType": "cnm"}}}}


def deployment_body(app_body: dict, *, manual: bool = False, surge: int = 1, unavailable: int = 1,
                    duration: int = 30) -> dict:
    meta = app_body["metadata"]
    return {"apiVersion": "v4", "kind": "deployment",
            "metadata": {"name": meta["name"], "namespace": meta["namespace"],
                         "labels": dict(meta.get("labels") or {})},
            "restartPolicy": app_body["restartPolicy"], "killPolicy": app_body["killPolicy"],
            "constraint": app_body["constraint"],
            "spec": {"instance": app_body["spec"]["instance"],
                     "selector": {"app": meta["name"]},
                     "strategy": {"type": "RollingUpdate", "rollingupdate": {
                         "maxUnavilable": unavailable, "maxSurge": surge, "upgradeDuration": duration,
                         "rollingOrder": "CreateFirst", "rollingManually": manual}},
                     "template": copy.deepcopy(app_body["spec"]["template"])}}


class _Builder:
    def __init__(self, cluster) -> None:
        self.c = cluster
        self.now = cluster.now()
        self.stamp_seq = 0

    def stamp(self, ts: float) -> int:
        self.stamp_seq += 1
        return int(ts) * 1_000_000_000 + 316_356_269 + self.stamp_seq * 1_000

    def app(self, body: dict, *, age_days: float, deployment: str = "", name: str | None = None,
            definition: bool = True, built: int | None = None,
            states: dict[int, tuple[str, str]] | None = None,
            restarts: dict[int, int] | None = None) -> Application:
        c = self.c
        tpl = parse_app(body, kind=body.get("kind") or "application", from_deployment=bool(deployment))
        created = self.now - age_days * DAY
        app = c._new_app(tpl, definition=body if definition else None,  # body is fresh: no copy
                         deployment=deployment, name=name)
        app.created = created
        vid = str(self.stamp(created - 60))
        app.versions = [(vid, dict(app.versions[-1][1], Name=vid))]
        want = app.define_instances if built is None else built
        for i in range(want):
            tg = c._build_taskgroup(app, i, version=vid, stamp=self.stamp(created + i))
            if tg is None:
                break
            started = created + 30 + i
            tg.start_time = started
            tg.update_time = tg.last_update_time = started + 20
            for t in tg.tasks:
                t.container_id = c._container_id()
                t.started_at = started + 5
                t.status, t.last_status = "Running", "Starting"
                t.message = "container is running"
                t.update_time = started + 20
            tg.status, tg.last_status, tg.message = "Running", "Starting", "pod is running"
            tg.rescheded_times = (restarts or {}).get(i, 0)
            if tg.rescheded_times:
                tg.last_resched_time = self.now - 3600 * (i + 1)
            app.taskgroups.append(tg)
        for i, (status, message) in (states or {}).items():
            tg = app.taskgroups[i]
            if status == "Starting":
                # a slow image pull: Running only after 90 s
                for t in tg.tasks:
                    t.status, t.last_status, t.started_at = "Starting", "Staging", 0.0
                    t.message = "task is starting"
                tg.status, tg.last_status, tg.message = "Starting", "Staging", "some tasks are starting"
                tg.start_time = tg.update_time = tg.last_update_time = self.now - 40
                tg.executor_seq += 1
                c.schedule(90.0, c._tg_running, tg, tg.executor_seq)
            else:
                c.set_tg_status(tg, status, message=message, recompute=False,
                                exit_code=137 if "137" in message else 1)
                tg.update_time = tg.last_update_time = self.now - 600 * (i + 1)
        c.recompute_app(app, force=True)
        app.update_time = app.last_update_time = max(
            [created + 60] + [tg.update_time for tg in app.taskgroups])
        app.last_status = "Deploying" if app.status == "Running" else "Running"
        app.touch()
        return app

    def deployment(self, body: dict, app: Application, *, age_days: float) -> Deployment:
        meta = body["metadata"]
        created = self.now - age_days * DAY
        d = Deployment(name=meta["name"], namespace=meta["namespace"],
                       labels=dict(meta.get("labels") or {}), selector=dict(body["spec"]["selector"]),
                       strategy=copy.deepcopy(body["spec"]["strategy"]), raw_json=copy.deepcopy(body),
                       status="Running", app_name=app.name, created=created,
                       update_time=app.update_time, target_instances=app.define_instances,
                       last_rolling_time=created, step_target=-1)
        self.c.deployments[(d.namespace, d.name)] = d
        return d

    def obj(self, kind: str, body: dict, age_days: float) -> None:
        ns = body["metadata"]["namespace"]
        self.c.create_object(ns, kind, body)
        o = self.c.objects[kind][(ns, body["metadata"]["name"])]
        o.created = o.updated = self.now - age_days * DAY


def _img(project: str, name: str, tag: str) -> str:
    return f"{REGISTRY}/{project}/{name}:{tag}"


def build(cluster, scale: str) -> None:
    if scale == "empty":
        _agents(cluster, sz=3, sh=3)
        return
    if scale in ("large", "xlarge"):
        build_large(cluster, xlarge=scale == "xlarge")
        return
    build_demo(cluster)


def _agents(cluster, sz: int = 6, sh: int = 6, *, disable: str = "", taint: str = "") -> None:
    for city, prefix, net, count in (("shenzhen", "sz", "10.12.1", sz), ("shanghai", "sh", "10.24.3", sh)):
        for i in range(1, count + 1):
            host = f"{prefix}-mesos-node-{i:02d}"
            ip = f"{net}.{10 + i}"
            cluster.add_agent(host, ip, city, 16.0, 65536.0, 512000.0,
                              ip_resources=8.0, disabled=(host == disable),
                              taints={"dedicated": "battle-gpu"} if host == taint else None,
                              strings={"City": city, "rack": f"{prefix.upper()}-R{(i + 1) // 2:02d}"})


def build_demo(cluster) -> None:
    c = cluster
    _agents(c, disable="sz-mesos-node-06", taint="sh-mesos-node-06")
    b = _Builder(c)
    cid = c.cluster_id
    L = {"io.tencent.bcs.cluster": cid}

    def app(ns, name, project, tag, n, **kw):
        states = kw.pop("states", None)
        restarts = kw.pop("restarts", None)
        built = kw.pop("built", None)
        age = kw.pop("age", 30)
        body = rc_body(name, ns, _img(project, name, tag), n, labels={**L, "team": project}, **kw)
        return body, b.app(body, age_days=age, states=states, restarts=restarts, built=built)

    def deployed(ns, name, project, tag, n, age=40, **kw):
        body = rc_body(name, ns, _img(project, name, tag), n, labels={**L, "team": project}, **kw)
        dbody = deployment_body(body)
        a = b.app(body, age_days=age, deployment=name, definition=False)
        b.deployment(dbody, a, age_days=age)
        return a

    # hero: the flagship game
    deployed("hero-prod", "gamesvr", "hero", "2.14.3", 6, cpu=2, mem=4096,
             ports=[("game", 9000, "TCP"), ("admin", 8080, "HTTP")], health="TCP",
             env={"ZONE": "cn-south-1", "LOG_LEVEL": "info"}, sidecar=_img("ops", "fluent-bit", "2.2.0"))
    app("hero-prod", "gateway", "hero", "1.9.0", 4, cpu=1, mem=2048,
        ports=[("ws", 8443, "TCP"), ("http", 8080, "HTTP")], restarts={2: 1})
    app("hero-prod", "chat", "hero", "1.3.7", 3, mem=1536)
    app("hero-prod", "rank", "hero", "0.9.12", 2, mem=2048,
        states={1: ("Lost", "some tasks are lost")})
    app("hero-prod", "mail", "hero", "1.0.4", 2, cpu=0.5, mem=512)
    app("hero-prod", "battle-replay", "hero", "0.4.1", 1, cpu=4, mem=8192,
        constraint=[{"unionData": [{"name": "dedicated", "operate": "TOLERATION", "type": 3,
                                    "text": {"value": "battle-gpu"}}]},
                    {"unionData": [{"name": "hostname", "operate": "CLUSTER", "type": 3,
                                    "text": {"value": "sh-mesos-node-06"}}]}])
    _mid_rollout(c, b, L)
    # hero test environment
    deployed("hero-test", "gamesvr", "hero", "2.15.0-rc2", 2, cpu=1, mem=2048,
             ports=[("game", 9000, "TCP"), ("admin", 8080, "HTTP")], health="TCP", age=10)
    app("hero-test", "gateway", "hero", "1.9.1-rc1", 1, age=10)
    app("hero-test", "battle", "hero", "3.9.0", 2, cpu=1, mem=2048, age=10)
    app("hero-test", "gm-tool", "hero", "0.2.0", 1, cpu=0.5, mem=256, age=3,
        states={0: ("Failed", "container exited with code 137 (OOMKilled)")})
    # matchmaking
    deployed("match", "matchmaker", "match", "5.2.1", 4, cpu=2, mem=2048,
             ports=[("grpc", 7000, "TCP")], health="TCP")
    app("match", "room-alloc", "match", "5.2.1", 4, cpu=1, mem=1024, built=3,
        ports=[("grpc", 7100, "TCP")], health="TCP")
    app("match", "lobby", "match", "2.0.0", 3, cpu=1, mem=1024, age=0.01,
        states={2: ("Starting", "")})
    # login
    deployed("login", "auth", "login", "3.4.0", 4, cpu=1, mem=1024, env={"OAUTH_ISSUER": "https://passport.bkgame.internal"})
    app("login", "sdk-gateway", "login", "3.1.2", 3)
    app("login", "session-redis", "ops", "redis-6.2.14", 3, cpu=1, mem=4096,
        ports=[("redis", 6379, "TCP")], health="TCP", command="redis-server",
        args=["/etc/redis/redis.conf"], restarts={0: 3, 2: 1})
    app("login", "login-web", "login", "1.12.0", 2, cpu=0.5, mem=512, ports=[("http", 80, "HTTP")])
    # payment
    deployed("pay", "pay-api", "pay", "4.7.2", 3, cpu=1, mem=2048, env={"PAY_REGION": "cn"})
    app("pay", "order", "pay", "4.7.2", 2, cpu=1, mem=2048)
    app("pay", "pay-callback", "pay", "4.6.9", 3, cpu=0.5, mem=1024,
        states={1: ("Failed", "container exited with code 1")})
    app("pay", "billing-db-proxy", "ops", "proxysql-2.5.5", 2, cpu=1, mem=1024,
        ports=[("mysql", 6033, "TCP")], health="TCP", command="proxysql", args=["-f"])
    # ops tooling
    app("ops", "log-agent", "ops", "fluent-bit-2.2.0", 2, cpu=0.2, mem=256, ports=[], health=None,
        command="/usr/bin/fluent-bit", args=["-c", "/etc/fluent-bit.conf"])
    app("ops", "monitor-exporter", "ops", "exporter-1.6.1", 2, cpu=0.2, mem=256,
        ports=[("metrics", 9100, "HTTP")])
    app("ops", "cron-cleaner", "ops", "cleaner-0.3.0", 1, cpu=0.1, mem=128, ports=[], health=None,
        states={0: ("Finish", "")})
    app("ops", "nginx-ingress", "ops", "nginx-1.25.3", 2, cpu=1, mem=1024,
        ports=[("http", 80, "HTTP"), ("https", 443, "TCP")], network="HOST")
    app("defaultGroup", "hello-world", "library", "1.0", 1, cpu=0.1, mem=64,
        ports=[("http", 8000, "HTTP")])
    _process_and_legacy(b, L)

    # configmaps, secrets, services
    def meta(ns, name, **labels):
        return {"name": name, "namespace": ns, "labels": {**L, **labels}}

    for ns, name, conf in (
            ("hero-prod", "gamesvr-config", "[server]\nzone = cn-south-1\nmax_players = 5000\n"
                                            "tick_rate = 30\n"),
            ("hero-test", "gamesvr-config", "[server]\nzone = test\nmax_players = 200\ntick_rate = 30\n"),
            ("match", "matchmaker-rules", "elo_window: 150\nmax_wait_seconds: 45\nregions: [cn-south, cn-east]\n"),
            ("login", "auth-config", "token_ttl: 7200\nrefresh_ttl: 604800\n"),
            ("pay", "pay-channels", '{"wechat": true, "alipay": true, "apple_iap": true}\n')):
        b.obj("configmap", {"apiVersion": "v4", "kind": "configmap", "metadata": meta(ns, name),
                            "datas": {"server.conf" if "config" in name else "rules.yaml":
                                      {"type": "file", "content": conf},
                                      "log-level": {"type": "file", "content": "info"}}}, 20)
    for ns, name, keys in (("hero-prod", "db-secret", {"mysql-user": "hero", "mysql-password": "Hx7!pQ2v"}),
                           ("login", "oauth-keys", {"client-secret": "5f0c2d9e1b7a"}),
                           ("pay", "pay-keys", {"wechat-key": "wx-83f1a2", "alipay-key": "ali-19bd77"})):
        b.obj("secret", {"apiVersion": "v4", "kind": "secret", "metadata": meta(ns, name),
                         "type": "", "datas": {k: {"content": base64.b64encode(v.encode()).decode()}
                                               for k, v in keys.items()}}, 25)
    for ns, name, app_name, port in (("hero-prod", "gamesvr-svc", "gamesvr", 9000),
                                     ("hero-prod", "gateway-svc", "gateway", 8443),
                                     ("match", "matchmaker-svc", "matchmaker", 7000),
                                     ("login", "auth-svc", "auth", 8080),
                                     ("pay", "pay-api-svc", "pay-api", 8080)):
        b.obj("service", {"apiVersion": "v4", "kind": "service",
                          "metadata": meta(ns, name, BCSGROUP="external"),
                          "spec": {"selector": {"app": app_name}, "type": "ClusterIP",
                                   "clusterIP": [],
                                   "ports": [{"name": f"tcp-{port}", "protocol": "tcp",
                                              "servicePort": port, "targetPort": port,
                                              "domainName": f"{app_name}.{ns}.bkgame.internal",
                                              "path": ""}]}}, 35)
    # a CRD with custom resources, and an admission webhook
    c.create_crd({"apiVersion": "v4", "kind": "CustomResourceDefinition",
                  "metadata": {"name": "bklogconfigs.bkbcs.tencent.com"},
                  "spec": {"group": "bkbcs.tencent.com",
                           "versions": [{"name": "v2", "served": True, "storage": True}],
                           "scope": "Namespaced",
                           "names": {"plural": "bklogconfigs", "singular": "bklogconfig",
                                     "kind": "BKLogConfig"}}})
    for ns, app_name, dataid in (("hero-prod", "gamesvr", 1500123), ("login", "auth", 1500231),
                                 ("pay", "pay-api", 1500377)):
        c.custom_resource("POST", "bkbcs.tencent.com", "v2", ns, "bklogconfigs", None, {
            "apiVersion": "bkbcs.tencent.com/v2", "kind": "BKLogConfig",
            "metadata": {"name": f"{app_name}-log", "namespace": ns},
            "spec": {"selector": {"app": app_name}, "stdout": True,
                     "logpath": f"/data/app/logs/{app_name}.log", "dataid": dataid, "level": 3}})
    c.create_webhook("hero-prod", {
        "apiVersion": "v4", "kind": "admissionwebhook",
        "metadata": {"name": "image-policy", "namespace": "hero-prod"},
        "resourcesRef": {"operation": "Create", "kind": "application"},
        "admissionWebhooks": [{"name": "image-registry-check", "failurePolicy": "Ignore",
                               "clientConfig": {"url": "", "caBundle": "", "namespace": "ops",
                                                "name": "image-policy-svc", "path": "/validate",
                                                "port": 443},
                               "namespaceSelector": {"operator": "In",
                                                     "values": ["hero-prod", "hero-test"]}}]})
    if c.hostile:
        _hostile(c, b, L)


def process_body(name: str, ns: str, instances: int, *, labels: dict, port: int) -> dict:
    """A `process` app: run on the hosts by the process executor (the /processes routes)."""
    return {"apiVersion": "v4", "kind": "process",
            "restartPolicy": {"policy": "Always", "interval": 5, "backoff": 10, "maxtimes": 10},
            "killPolicy": {"gracePeriod": 10},
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name, **labels}},
            "spec": {"instance": instances, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"processes": [{
                    "procName": name, "workPath": f"/data/proc/{name}",
                    "pidFile": f"/data/proc/{name}/{name}.pid", "user": "root",
                    "startCmd": f"./bin/{name} --port {port}", "checkCmd": f"./bin/{name} --check",
                    "stopCmd": "./bin/stop.sh", "restartCmd": "./bin/restart.sh",
                    "reloadCmd": "./bin/reload.sh", "killCmd": f"pkill -9 {name}",
                    "logPath": f"/data/logs/{name}", "cfgPath": f"/data/proc/{name}/etc",
                    "uris": [], "env": [{"name": "ZONE", "value": "cn-south-1"}],
                    "resources": {"limits": {"cpu": "0.5", "memory": "256"}},
                    "ports": [{"name": "metrics", "containerPort": port, "protocol": "TCP"}]}]}}}}


def _process_and_legacy(b: _Builder, L: dict) -> None:
    """ops/host-agent: a process app (scale, edit, rollback, delete through /processes; its
    taskgroups restart and reload). ops/legacy-billing: an app from before raw_json was kept
    (no definition; its versions hold PascalCase Volumes, Docker.Network, ForcePullImage and
    Hostname, which a console must map back to the driver's form)."""
    b.app(process_body("host-agent", "ops", 2, labels={**L, "team": "ops"}, port=9256),
          age_days=120)
    body = rc_body("legacy-billing", "ops", _img("pay", "billing", "1.8.2"), 2, cpu=0.5, mem=512,
                   labels={**L, "team": "pay"}, ports=[("http", 8080, "HTTP")], network="HOST")
    container = body["spec"]["template"]["spec"]["containers"][0]
    container.update(imagePullPolicy="Always", hostname="billing")
    container["volumes"].append({"name": "conf", "volume": {"hostPath": "/data/billing/conf",
                                                            "mountPath": "/app/conf",
                                                            "readOnly": True}})
    b.app(body, age_days=900, definition=False)


def _mid_rollout(c, b: _Builder, L: dict) -> None:
    """hero-prod/battle: a manual rolling update paused after its first step (2 of 6 new)."""
    old_body = rc_body("battle", "hero-prod", _img("hero", "battle", "3.8.1"), 6, cpu=1, mem=2048,
                       labels={**L, "team": "hero"}, ports=[("udp", 9500, "UDP"), ("http", 8080, "HTTP")])
    new_body = rc_body("battle", "hero-prod", _img("hero", "battle", "3.9.0"), 6, cpu=1, mem=2048,
                       labels={**L, "team": "hero"}, ports=[("udp", 9500, "UDP"), ("http", 8080, "HTTP")])
    old_dep = deployment_body(old_body, manual=True, surge=2, unavailable=2)
    new_dep = deployment_body(new_body, manual=True, surge=2, unavailable=2)
    old = b.app(old_body, age_days=50, deployment="battle", definition=False, built=4)
    ext_name = f"battle-v{int(b.now - 600)}"
    ext = b.app(new_body, age_days=600 / DAY, deployment="battle", definition=False, name=ext_name,
                built=2)
    old.define_instances = 4
    ext.define_instances = 2
    for a, sub in ((old, "RollingUpdateDown"), (ext, "RollingUpdateUp")):
        a.last_status, a.status, a.sub_status = "Running", "RollingUpdate", sub
        a.message = "application in rolling update"
        a.touch()
    d = b.deployment(new_dep, old, age_days=50)
    d.raw_json_backup = old_dep
    d.app_ext_name = ext.name
    d.status = "UpdatePaused"
    d.message = "rollingupdate paused"
    d.is_in_rolling = True
    d.curr_rolling_operation = "DELETE"
    d.last_rolling_time = b.now - 300
    d.target_instances = 6
    d.old_instances = 6
    # the first step began at 6 old / 0 new with surge 2, unavailable 2
    d.app_target, d.app_rolling, d.ext_target, d.ext_rolling = 4, 2, 2, 2
    d.phase = "START"
    d.update_time = b.now - 300


def _hostile(c, b: _Builder, L: dict) -> None:
    """Names, messages and outputs with markup, ANSI CSI and OSC 52 (for reliability tests)."""
    evil = "[@click=app.quit]x[/]"
    body = rc_body("evil-[bold]app[/bold]", "hostile", _img("evil", "app", "1.0"), 2,
                   labels={**L, "note": evil, "ansi": "\x1b[31mred\x1b[0m"},
                   env={"PAYLOAD": HOSTILE_TEXT})
    b.app(body, age_days=1, states={1: ("Failed", "\x1b]52;c;ZXZpbA==\x07\x1b[31mboom\x1b[0m "
                                                  "[@click=app.quit]quit[/] [bold]x[/bold]")})
    b.obj("configmap", {"apiVersion": "v4", "kind": "configmap",
                        "metadata": {"name": "evil-config", "namespace": "hostile",
                                     "labels": {"note": evil}},
                        "datas": {"payload": {"type": "file", "content": HOSTILE_TEXT}}}, 1)
    c.settings[c.agents[0].ip].strings["note"] = HOSTILE_TEXT


def build_large(cluster, xlarge: bool = False) -> None:
    """>= 2,000 agents, 3,000 applications, 20,000 taskgroups (xlarge: 50,000), 300 deployments."""
    c = cluster
    b = _Builder(c)
    for i in range(2000):
        city = "shenzhen" if i % 2 == 0 else "shanghai"
        c.add_agent(f"{'sz' if i % 2 == 0 else 'sh'}-mesos-node-{i:04d}",
                    f"10.{40 + i // 250}.{(i // 250) % 250}.{i % 250 + 2}", city,
                    32.0, 131072.0, 1024000.0, ports=(31000, 31400), ip_resources=16.0,
                    disabled=(i % 997 == 500), taints={"dedicated": "db"} if i % 499 == 7 else None,
                    strings={"City": city})
    games = ["hero", "saga", "kart", "legend", "arena", "farm", "chess", "race", "tower", "pets"]
    envs = ["prod", "test", "pre", "dev"]
    kinds = ["gamesvr", "gateway", "battle", "chat", "rank", "mail", "match", "login", "pay", "gm"]
    L = {"io.tencent.bcs.cluster": c.cluster_id}
    n = 0
    # 3,000 apps; sizes cycle so that they sum to 20,000+ taskgroups
    sizes = [4, 9, 6, 7, 8, 5, 10, 4, 6, 8]
    if xlarge:  # 2.5 times as many taskgroups: 50,700
        sizes = [10, 23, 15, 18, 20, 13, 25, 10, 15, 20]
    rng = c.rng
    for g in games:
        for e in envs:
            ns = f"{g}-{e}"
            for k in range(75):
                kind = kinds[k % len(kinds)]
                name = f"{kind}-{k // len(kinds):02d}"
                inst = sizes[n % len(sizes)]
                body = rc_body(name, ns, _img(g, kind, f"{1 + k % 4}.{k % 13}.{n % 7}"), inst,
                               cpu=0.25, mem=512, labels={**L, "team": g}, health=None,
                               ports=[("game", 9000, "TCP")])
                dep = (k % 10 == 0)
                states = None
                if n % 37 == 5:
                    states = {0: ("Lost", "some tasks are lost")}
                elif n % 53 == 11:
                    states = {inst - 1: ("Failed", "container exited with code 1")}
                a = b.app(body, age_days=5 + rng.random() * 90, deployment=name if dep else "",
                          definition=not dep, states=states)
                if dep:
                    b.deployment(deployment_body(body), a, age_days=(c.now() - a.created) / DAY)
                n += 1
