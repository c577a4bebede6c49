"""The simulator's HTTP face: the BCS gateway + mesos driver + bcs-storage routes (Starlette).

Every request that reaches the app is recorded in `cluster.requests` (refused ones included),
then chaos (if any) may delay or break it, then the gateway's token check and the driver's
`BCS-ClusterID` check run, then the route.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable
from urllib.parse import unquote

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute

from bcs_tui.sim.chaos import ChaosSpec
from bcs_tui.sim.cluster import SimCluster, SimRequest
from bcs_tui.sim.errors import (CODE_AUTH, CODE_BAD_REQUEST, CODE_JSON_DECODE,
                                DRIVER, GO_RESTFUL_404, KubeStatusError, PlainTextAnswer, SimError)
from bcs_tui.sim.model import dumps
from bcs_tui.sim.storage import (BREAK_BYTES, CODE_LIST_FAILED, CODE_NOT_EXIST, GATEWAY_502,
                                 QUERY_TYPES, QueryError, parse_watch_options)
from bcs_tui.sim.webconsole import webconsole_of

SCHED = "/bcsapi/v4/scheduler/mesos"
STORAGE = "/bcsapi/v4/storage"
TICK_SECONDS = 0.5
JSON_TYPE = "application/json"

_OK_HEAD = b'{"result":true,"code":0,"message":"success","data":'


def envelope(data: Any) -> bytes:
    return _OK_HEAD + dumps(data) + b"}"


def envelope_raw_list(items: list[bytes], message: str = "success") -> bytes:
    head = b'{"result":true,"code":0,"message":"' + message.encode() + b'","data":['
    return head + b",".join(items) + b"]}"


class _Answer:
    """A response being built: status, body bytes, content type."""

    def __init__(self, body: bytes, status: int = 200, content_type: str = JSON_TYPE) -> None:
        self.body = body
        self.status = status
        self.content_type = content_type
        self.stream: AsyncIterator[bytes] | None = None  # the storage watch stream


Handler = Callable[..., Any]


class _Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern, Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        self.routes.append((method, re.compile(regex), handler))

    def match(self, method: str, path: str) -> tuple[Handler | None, dict, bool]:
        path_known = False
        for m, rx, h in self.routes:
            hit = rx.match(path)
            if hit:
                path_known = True
                if m == method:
                    return h, {k: unquote(v) for k, v in hit.groupdict().items()}, True
        return None, {}, path_known


class _Ctx:
    def __init__(self, cluster: SimCluster, query: dict[str, str], body: Any, raw: bytes) -> None:
        self.cluster = cluster
        self.query = query
        self.body = body
        self.raw = raw


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SimError(CODE_BAD_REQUEST, f"{what} {value!r} is not a number", proc=DRIVER) from None


def _ips(q: dict[str, str]) -> list[str]:
    return [ip.strip() for ip in (q.get("ips") or "").split(",") if ip.strip()]


def _json_body(ctx: _Ctx, code: int = CODE_JSON_DECODE) -> Any:
    if isinstance(ctx.body, str) or ctx.body is None:
        if code == CODE_BAD_REQUEST:
            raise SimError(code, "Unmarshal TypeMeta failed: invalid character in request body",
                           proc=DRIVER)
        raise SimError(code, "json decode failed: request body is not JSON", proc=DRIVER)
    return ctx.body


def _build_scheduler_routes(r: _Router) -> None:
    def ok(data: Any = None) -> bytes:
        return envelope(data)

    # applications
    def list_apps(ctx, ns):
        apps = [a for (n, _), a in sorted(ctx.cluster.apps.items()) if n == ns]
        return envelope_raw_list([a.sched_bytes() for a in apps])

    r.add("GET", "/namespaces/{ns}/applications", list_apps)
    def admitted(kind: str, operation: str, fn):
        # The driver's filter reads the body's own kind and namespace (webhooks fire only for
        # kind "application" or "deployment" exactly), not the route's.
        def handler(ctx, ns, **kw):
            body = ctx.body if isinstance(ctx.body, dict) else {}
            meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            if body.get("kind") in ("application", "deployment"):
                ctx.cluster.admit(body["kind"], operation, str(meta.get("namespace") or ""))
            return fn(ctx, ns, **kw)
        return handler

    r.add("POST", "/namespaces/{ns}/applications", admitted("application", "Create", lambda ctx, ns: ok(
        ctx.cluster.create_application(ns, _json_body(ctx, CODE_BAD_REQUEST)))))
    r.add("PUT", "/namespaces/{ns}/applications", admitted("application", "Update", lambda ctx, ns: ok(
        ctx.cluster.update_application(ns, _json_body(ctx, CODE_BAD_REQUEST),
                                       instances=ctx.query.get("instances"),
                                       args=ctx.query.get("args")))))
    r.add("PUT", "/namespaces/{ns}/applications/rollback", admitted(
        "application", "Update", lambda ctx, ns: ok(
            ctx.cluster.rollback_application(ns, _json_body(ctx, CODE_BAD_REQUEST)))))
    r.add("GET", "/namespaces/{ns}/applications/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.get_app(ns, name).sched_json()))
    r.add("DELETE", "/namespaces/{ns}/applications/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.delete_application(ns, name, enforce=ctx.query.get("enforce") == "1")))
    r.add("PUT", "/namespaces/{ns}/applications/{name}/scale/{n}", lambda ctx, ns, name, n: ok(
        ctx.cluster.scale_application(ns, name, n)))
    r.add("GET", "/namespaces/{ns}/applications/{name}/taskgroups", lambda ctx, ns, name: ok(
        ctx.cluster.list_taskgroups(ns, name)))

    def dead(ctx, **_):
        # the scheduler route is gone; the driver passes go-restful's 404 text through with 200
        raise PlainTextAnswer(GO_RESTFUL_404, 200)

    r.add("GET", "/namespaces/{ns}/applications/{name}/tasks", dead)

    def reschedule(ctx, ns, name, tg):
        retain = ctx.query.get("hostRetainTime") or "0"
        return ok(ctx.cluster.reschedule_taskgroup(tg, _int(retain, "hostRetainTime")))

    r.add("PUT", "/namespaces/{ns}/applications/{name}/taskgroups/{tg}/rescheduler", reschedule)
    for op in ("restart", "reload"):
        r.add("POST", "/namespaces/{ns}/applications/{name}/taskgroups/{tg}/" + op,
              lambda ctx, ns, name, tg, op=op: ok(ctx.cluster.process_only(ns, name, tg, op)))
    # process apps: the same scheduler object with Kind "process" (DRV/backend/v4http/
    # scheduler-api.go:103-109); the scheduler ignores `kind` on fetch and list
    r.add("POST", "/namespaces/{ns}/processes", lambda ctx, ns: ok(
        ctx.cluster.create_application(ns, _json_body(ctx, CODE_BAD_REQUEST), kind="process")))
    r.add("PUT", "/namespaces/{ns}/processes", lambda ctx, ns: ok(
        ctx.cluster.update_application(ns, _json_body(ctx, CODE_BAD_REQUEST), kind="process",
                                       instances=ctx.query.get("instances"),
                                       args=ctx.query.get("args"))))
    r.add("PUT", "/namespaces/{ns}/processes/rollback", lambda ctx, ns: ok(
        ctx.cluster.rollback_application(ns, _json_body(ctx, CODE_BAD_REQUEST), kind="process")))
    r.add("DELETE", "/namespaces/{ns}/processes/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.delete_application(ns, name, enforce=ctx.query.get("enforce") == "1",
                                       kind="process")))
    r.add("PUT", "/namespaces/{ns}/processes/{name}/scale/{n}", lambda ctx, ns, name, n: ok(
        ctx.cluster.scale_application(ns, name, n, kind="process")))
    r.add("GET", "/namespaces/{ns}/processes", list_apps)
    r.add("GET", "/namespaces/{ns}/processes/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.get_app(ns, name).sched_json()))
    r.add("GET", "/namespaces/{ns}/applications/{name}/versions", lambda ctx, ns, name: ok(
        ctx.cluster.list_versions(ns, name)))
    r.add("GET", "/namespaces/{ns}/applications/{name}/versions/{vid}",
          lambda ctx, ns, name, vid: ok(ctx.cluster.get_version(ns, name, vid)))
    r.add("POST", "/namespaces/{ns}/applications/{name}/message", lambda ctx, ns, name: ok(
        ctx.cluster.send_application_message(ns, name, _json_body(ctx))))
    r.add("POST", "/namespaces/{ns}/applications/{name}/taskgroups/{tg}/message",
          lambda ctx, ns, name, tg: ok(ctx.cluster.send_taskgroup_message(ns, name, tg,
                                                                          _json_body(ctx))))
    # configmaps, secrets, services
    for plural, kind in (("configmaps", "configmap"), ("secrets", "secret"), ("services", "service")):
        r.add("POST", "/namespaces/{ns}/" + plural, lambda ctx, ns, kind=kind: ok(
            ctx.cluster.create_object(ns, kind, _json_body(ctx, CODE_BAD_REQUEST))))
        r.add("PUT", "/namespaces/{ns}/" + plural, lambda ctx, ns, kind=kind: ok(
            ctx.cluster.update_object(ns, kind, _json_body(ctx, CODE_BAD_REQUEST))))
        r.add("DELETE", "/namespaces/{ns}/" + plural + "/{name}", lambda ctx, ns, name, kind=kind: ok(
            ctx.cluster.delete_object(ns, kind, name)))
    # cluster
    r.add("GET", "/cluster/resources", lambda ctx: ok(ctx.cluster.cluster_resources()))
    r.add("GET", "/cluster/endpoints", lambda ctx: ok(ctx.cluster.cluster_endpoints()))
    r.add("GET", "/cluster/current/offers", lambda ctx: ok(ctx.cluster.offers()))
    # deployments
    r.add("POST", "/namespaces/{ns}/deployments", admitted("deployment", "Create", lambda ctx, ns: ok(
        ctx.cluster.create_deployment(ns, _json_body(ctx, CODE_BAD_REQUEST)))))
    r.add("PUT", "/namespaces/{ns}/deployments", admitted("deployment", "Update", lambda ctx, ns: ok(
        ctx.cluster.update_deployment(ns, _json_body(ctx, CODE_BAD_REQUEST),
                                      args=ctx.query.get("args")))))
    r.add("DELETE", "/namespaces/{ns}/deployments/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.delete_deployment(ns, name, enforce=ctx.query.get("enforce") == "1")))
    r.add("PUT", "/namespaces/{ns}/deployments/{name}/cancelupdate", lambda ctx, ns, name: ok(
        ctx.cluster.cancel_deployment(ns, name)))
    r.add("PUT", "/namespaces/{ns}/deployments/{name}/pauseupdate", lambda ctx, ns, name: ok(
        ctx.cluster.pause_deployment(ns, name)))
    r.add("PUT", "/namespaces/{ns}/deployments/{name}/resumeupdate", lambda ctx, ns, name: ok(
        ctx.cluster.resume_deployment(ns, name)))
    r.add("PUT", "/namespaces/{ns}/deployments/{name}/scale/{n}", lambda ctx, ns, name, n: ok(
        ctx.cluster.scale_deployment(ns, name, _int(n, "instances"))))
    # agent settings (both with and without the trailing slash bcs-client uses)
    for base in ("/agentsettings", "/agentsettings/"):
        r.add("GET", base, lambda ctx: ok(ctx.cluster.list_agent_settings(_ips(ctx.query))))
        r.add("POST", base, lambda ctx: ok(ctx.cluster.set_agent_settings(_json_body(ctx,
                                                                                    CODE_BAD_REQUEST))))
        r.add("DELETE", base, dead)  # removed in the scheduler; the driver still forwards it
    r.add("POST", "/agentsettings/enable", lambda ctx: ok(
        ctx.cluster.set_agents_disabled(_ips(ctx.query), False)))
    r.add("POST", "/agentsettings/disable", lambda ctx: ok(
        ctx.cluster.set_agents_disabled(_ips(ctx.query), True)))
    r.add("PUT", "/agentsettings/taint", lambda ctx: ok(
        ctx.cluster.taint_agents(_json_body(ctx, CODE_BAD_REQUEST))))
    r.add("PUT", "/agentsettings/extendedresource", lambda ctx: ok(
        ctx.cluster.set_extended_resource(_json_body(ctx, CODE_BAD_REQUEST))))
    # image commit
    r.add("POST", "/image/commit/{tg}", lambda ctx, tg: ok(
        ctx.cluster.commit_image(tg, ctx.query.get("image", ""), ctx.query.get("url", ""))))
    # definitions
    r.add("GET", "/definition/application/{ns}/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.application_definition(ns, name)))
    r.add("GET", "/definition/deployment/{ns}/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.deployment_definition(ns, name)))
    # commands
    for kind in ("application", "deployment"):
        r.add("POST", f"/command/{kind}/{{ns}}/{{name}}", lambda ctx, ns, name, kind=kind: ok(
            ctx.cluster.create_command(kind, ns, name, _json_body(ctx))))
        r.add("GET", f"/command/{kind}/{{ns}}/{{name}}", lambda ctx, ns, name, kind=kind: ok(
            ctx.cluster.get_command(kind, ns, name, ctx.query.get("id", ""))))
        r.add("DELETE", f"/command/{kind}/{{ns}}/{{name}}", lambda ctx, ns, name, kind=kind: ok(
            ctx.cluster.delete_command(kind, ns, name, ctx.query.get("id", ""))))
    # admission webhooks

    def webhook_write(ctx, ns, create):
        body = _json_body(ctx, CODE_BAD_REQUEST)
        if isinstance(body, dict) and body.get("kind") != "admissionwebhook":
            raise SimError(CODE_BAD_REQUEST, f"Kind {body.get('kind')} is invalid", proc=DRIVER)
        (ctx.cluster.create_webhook if create else ctx.cluster.update_webhook)(ns, body)
        return ok(None)

    r.add("POST", "/namespaces/{ns}/admissionwebhook", lambda ctx, ns: webhook_write(ctx, ns, True))
    r.add("PUT", "/namespaces/{ns}/admissionwebhook", lambda ctx, ns: webhook_write(ctx, ns, False))
    r.add("GET", "/namespaces/{ns}/admissionwebhook/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.get_webhook(ns, name)))
    r.add("DELETE", "/namespaces/{ns}/admissionwebhook/{name}", lambda ctx, ns, name: ok(
        ctx.cluster.delete_webhook(ns, name)))
    r.add("GET", "/admissionwebhooks", lambda ctx: ok(ctx.cluster.list_webhooks()))
    # transactions (the scheduler's operation queue)
    r.add("GET", "/transactions/{ns}", lambda ctx, ns: ok(ctx.cluster.list_transactions(
        ns, ctx.query.get("objKind"), ctx.query.get("objName"))))
    r.add("DELETE", "/transactions/{ns}/{name}", lambda ctx, ns, name: ok(None))


_SCHED_ROUTER = _Router()
_build_scheduler_routes(_SCHED_ROUTER)

_CR_RX = re.compile(r"^/customresources/(?P<group>[^/]+)/(?P<version>[^/]+)"
                    r"(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?$")
_CRD_RX = re.compile(r"^/customresourcedefinitions(?:/(?P<name>[^/]+))?/?$")


def _kube(cluster: SimCluster, method: str, sub: str, body: Any) -> _Answer | None:
    """The driver's kube proxy: raw kube JSON with kube status codes (None: not a kube route)."""
    m_crd = _CRD_RX.match(sub)
    m_cr = _CR_RX.match(sub) if sub.startswith("/customresources/") else None
    if not m_crd and not m_cr:
        return None
    try:
        if "watch" in sub:
            raise KubeStatusError(404, "the server could not find the requested resource")
        if m_crd:
            name = m_crd.group("name")
            if method == "GET":
                status, out = cluster.get_crd(name) if name else cluster.list_crds()
            elif method == "POST" and not name:
                status, out = cluster.create_crd(body)
            elif method == "PUT" and name:
                status, out = cluster.update_crd(name, body)
            elif method == "DELETE" and name:
                status, out = cluster.delete_crd(name)
            else:
                raise KubeStatusError(405, "the server does not allow this method on the requested "
                                           "resource")
        else:
            g = m_cr.groupdict()
            status, out = cluster.custom_resource(method, g["group"], g["version"], g["ns"],
                                                  g["plural"], g["name"], body)
    except KubeStatusError as e:
        return _Answer(dumps(e.body()), e.status)
    return _Answer(dumps(out), status)


_STORAGE_TEXT = "text/plain; charset=utf-8"
_Q_RX = re.compile(r"^/query/mesos/dynamic/clusters/(?P<cid>[^/]+)/(?P<kind>[^/]+)$")
_INSPECT_RX = re.compile(r"^/mesos/dynamic/namespace_resources/clusters/(?P<cid>[^/]+)/namespaces/"
                         r"(?P<ns>[^/]+)/(?P<kind>[^/]+)/(?P<name>[^/]+)$")
_WATCH_RX = re.compile(r"^/dynamic/watch/(?P<cid>[^/]+)/(?P<kind>[^/]+)$")


def _storage_envelope(items: list[bytes]) -> bytes:
    return b'{"result":true,"code":0,"message":"success","data":[' + b",".join(items) + b"]}"


def _storage_failed(code: int, message: str, data: bytes) -> _Answer:
    return _Answer(b'{"result":false,"code":%d,"message":"%s","data":%s}'
                   % (code, message.encode(), data))


def _storage(cluster: SimCluster, method: str, path: str, query: dict[str, str], body: Any,
             raw: bytes) -> _Answer | None:
    """bcs-storage (behind the gateway's `/bcsapi/v4/storage/` rewrite); the rules are in
    storage.py. A wrong cluster id is no error on storage: an empty success."""
    st = cluster.storage
    m = _Q_RX.match(path)
    if m:
        cid, kind = unquote(m.group("cid")), m.group("kind")
        if method not in ("GET", "POST"):
            return _Answer(b"405: Method Not Allowed", 405, _STORAGE_TEXT)
        if kind != "namespace" and kind not in QUERY_TYPES:
            return None  # no such route (the client's `endpoint`: the route is `endpoints`)
        params: dict[str, Any] = dict(query)
        if method == "POST":
            if isinstance(body, dict):
                params = body
            elif isinstance(body, str) and body.lstrip().startswith("{"):
                params = {}  # the decoder made the map before it failed: an empty body
            else:
                # no body, null, an array, a scalar: the body map stays nil, getQueryParamJSON
                # writes into it and panics, the connection closes, the gateway answers 502
                return _Answer(GATEWAY_502, 502, "text/html")
        try:
            if kind == "namespace":
                return _Answer(envelope(st.namespaces(cid, params)))
            return _Answer(_storage_envelope(st.query(kind, cid, params, post=method == "POST")))
        except QueryError:
            return _storage_failed(CODE_LIST_FAILED, "list resource failed.", b"[]")
    m = _INSPECT_RX.match(path)
    if m and method == "GET":
        rec = st.inspect(unquote(m.group("cid")), unquote(m.group("ns")), unquote(m.group("kind")),
                         unquote(m.group("name")))
        if rec is None:
            return _storage_failed(CODE_NOT_EXIST, "resource does not exist.", b"{}")
        return _Answer(_OK_HEAD + rec + b"}")
    m = _WATCH_RX.match(path)
    if m:
        if st.stream_mode == "none":
            return None  # an old bcs-storage without the watch route
        if method != "POST":
            return _Answer(b"405: Method Not Allowed", 405, _STORAGE_TEXT)
        options = parse_watch_options(raw)
        if options is None or st.stream_mode == "break":
            # a body that does not decode, or no change stream (no replica set): the break
            # event at once, HTTP 200 (dynamicwatch/utils.go:52-58, lib/watch.go:112-126)
            return _Answer(BREAK_BYTES, 200, _STORAGE_TEXT)
        watcher = st.subscribe(unquote(m.group("kind")), unquote(m.group("cid")), options)
        answer = _Answer(b"", 200, _STORAGE_TEXT)
        answer.stream = watcher.stream()
        return answer
    return None


def _gateway_refusal(token: str | None, headers) -> _Answer | None:
    """The apisix bkbcs-auth plugin: 400 without/with a malformed token, 401 for a wrong one."""
    if token is None:
        return None
    auth = headers.get("authorization")
    if not auth:
        return _Answer(dumps({"code": 400, "result": False,
                              "message": "Bad Request: lost Authorization"}), 400)
    parts = auth.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return _Answer(dumps({"code": 400, "result": False,
                              "message": "Bad Request: Authorization format error"}), 400)
    if not parts[1].strip():
        return _Answer(dumps({"code": 400, "result": False,
                              "message": "Bad Request: Authorization token lost"}), 400)
    if parts[1].strip() != token:
        return _Answer(dumps({"code": 401, "result": False, "message": "Resource is Unauthorized"}), 401)
    return None


class ChaosDrop(httpx.RemoteProtocolError):
    """Raised mid-answer to drop the connection (uvicorn closes it; ASGITransport re-raises)."""


class _DropFilter(logging.Filter):
    """uvicorn logs an app exception with a traceback; a chaos drop is not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ChaosDrop)


logging.getLogger("uvicorn.error").addFilter(_DropFilter())


class _ChaosResponse(Response):
    """Sends headers promising more body than it sends, then fails: a dropped connection."""

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"result":tr', "more_body": True})
        raise ChaosDrop("sim chaos: connection dropped")


def create_app(cluster: SimCluster, token: str | None = None, chaos: ChaosSpec | str | None = None
               ) -> Starlette:
    """The ASGI app. `token` enables the gateway's bearer check (`cluster.token` changes it at
    runtime: a rotated or expired token); `chaos` breaks things on purpose."""
    if token is not None:
        cluster.token = token
    if chaos is not None:
        cluster.chaos = ChaosSpec.parse(chaos) if isinstance(chaos, str) else chaos

    async def handle(request: Request) -> Response:
        raw = await request.body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                body = raw.decode(errors="replace")
        path = request.url.path
        query = dict(request.query_params)
        method = request.method
        headers = {k.lower(): ("Bearer ***" if k.lower() == "authorization" else v)
                   for k, v in request.headers.items()}
        cluster.requests.append(SimRequest(method, path, query, body, headers))
        if not cluster.clock.manual:
            cluster.tick()
        spec = cluster.chaos
        if isinstance(spec, str):
            spec = cluster.chaos = ChaosSpec.parse(spec)
        fault = spec.decide(path) if spec is not None else None
        if fault is not None:
            if fault.latency > 0:
                await asyncio.sleep(fault.latency)
            if fault.kind == "drop":
                return _ChaosResponse()
            if fault.kind is not None and fault.kind != "truncate":
                a = fault.answer()
                return Response(a[0], status_code=a[1], media_type=a[2])
        answer = _dispatch(cluster, cluster.token, method, path, query, body, raw, request.headers)
        if answer.stream is not None:
            return StreamingResponse(answer.stream, status_code=answer.status,
                                     media_type=answer.content_type)
        data = answer.body
        if fault is not None and fault.kind == "truncate" and len(data) > 1:
            data = data[: max(1, int(len(data) * fault.cut))]
        return Response(data, status_code=answer.status, media_type=answer.content_type)

    async def webconsole_socket(websocket) -> None:
        # start_exec: the gateway's and the driver's checks, then the console proxy (webconsole.py)
        def refusal(headers) -> tuple[int, bytes, str] | None:
            a = _gateway_refusal(cluster.token, headers) or _cluster_refusal(cluster, cluster.token, headers)
            return None if a is None else (a.status, a.body, a.content_type)

        await webconsole_of(cluster).serve(websocket, websocket.path_params["uri"], refusal)

    app = Starlette(routes=[WebSocketRoute(SCHED + "/webconsole/{uri:path}", webconsole_socket),
                            Route("/{path:path}", handle,
                                  methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])])
    app.state.cluster = cluster
    return app


def _cluster_refusal(cluster: SimCluster, token: str | None, headers) -> _Answer | None:
    """The gateway's BCS-ClusterID check and the driver's (the header names the cluster)."""
    cid = headers.get("bcs-clusterid")
    if token is not None and not cid:
        return _Answer(dumps({"code": 400, "result": False,
                              "message": "Bad Request: lost BCS-ClusterID in header"}), 400)
    if cid != cluster.cluster_id:
        return _Answer(dumps({"result": False, "code": CODE_AUTH,
                              "message": f"http header BCS-ClusterID {cid or ''} don't exist",
                              "data": None}), 400)
    return None


def _dispatch(cluster: SimCluster, token: str | None, method: str, path: str,
              query: dict[str, str], body: Any, raw: bytes, headers) -> _Answer:
    refusal = _gateway_refusal(token, headers)
    if refusal is not None:
        return refusal
    if path.startswith(STORAGE + "/"):
        answer = _storage(cluster, method, path[len(STORAGE):], query, body, raw)
        return answer or _Answer(GO_RESTFUL_404.encode(), 404, "text/plain; charset=utf-8")
    if not path.startswith(SCHED + "/"):
        return _Answer(b"404 page not found", 404, "text/plain; charset=utf-8")
    refused = _cluster_refusal(cluster, token, headers)
    if refused is not None:
        return refused
    sub = path[len(SCHED):]
    if sub.startswith("/webconsole/"):  # the driver forwards these to the agent's console proxy
        status, data, ctype = webconsole_of(cluster).http(method, sub[len("/webconsole/"):], query, raw)
        return _Answer(data, status, ctype)
    kube = _kube(cluster, method, sub, body)
    if kube is not None:
        return kube
    handler, params, known = _SCHED_ROUTER.match(method, sub)
    if handler is None:
        status = 405 if known else 404
        text = "405: Method Not Allowed" if known else GO_RESTFUL_404
        return _Answer(text.encode(), status, "text/plain; charset=utf-8")
    try:
        out = handler(_Ctx(cluster, query, body, raw), **params)
    except SimError as e:
        # the driver's filters (HTTP 400) answer data:null; handlers answer data:{}
        data = None if e.http_status == 400 else {}
        return _Answer(dumps({"result": False, "code": e.code, "message": e.message, "data": data}),
                       e.http_status)
    except PlainTextAnswer as e:
        return _Answer(e.text.encode(), e.http_status, "text/plain; charset=utf-8")
    except Exception:  # a simulator bug must not take the served cluster down
        logging.getLogger("bcs_tui.sim").exception("%s %s failed", method, path)
        return _Answer(b"Internal Server Error", 500, "text/plain; charset=utf-8")
    return _Answer(out)


# ---------------------------------------------------------------------------------------------
# Serving on a socket


@dataclass
class RunningSim:
    url: str
    cluster_id: str
    token: str | None
    cluster: SimCluster
    _server: Any
    _task: asyncio.Task
    _ticker: asyncio.Task
    _warm: asyncio.Task | None = None

    async def stop(self) -> None:
        if self._warm is not None:
            self._warm.cancel()
        self._ticker.cancel()
        self._server.should_exit = True
        self.cluster.storage.cut_streams()  # endless watch answers would hold the shutdown
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._task, timeout=5)
        with contextlib.suppress(asyncio.CancelledError):
            await self._ticker


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (OSError with the reason when the address is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _silence_uvicorn() -> None:
    """In-loop serving shares the console's terminal: uvicorn must never write to stderr."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        log = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
            log.addHandler(logging.NullHandler())
        log.propagate = False
    sim_log = logging.getLogger("bcs_tui.sim")
    if not sim_log.handlers:
        sim_log.addHandler(logging.NullHandler())
    sim_log.propagate = False


async def warm_caches(cluster: SimCluster, chunk: int = 1000) -> None:
    """Fill storage's tables ahead of the first query (large clusters), yielding to the loop."""
    await cluster.storage.warm(chunk)
    for app in list(cluster.apps.values()):
        app.sched_bytes()
        await asyncio.sleep(0)


async def tick_forever(cluster: SimCluster, every: float = TICK_SECONDS) -> None:
    """Served mode: move the cluster on with wall time."""
    while True:
        await asyncio.sleep(every)
        try:
            cluster.tick()
        except Exception:  # a bug in one timer must not stop the cluster
            logging.getLogger("bcs_tui.sim").exception("tick failed")


# uvicorn is imported inside the functions that serve: the tests (and the app's own tests) talk
# to create_app() through httpx.ASGITransport and never pay for it.
def _quiet_server(config):
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):  # the host app (the console) owns the signals
            yield

    return _Server(config)


async def start_in_loop(cluster: SimCluster, host: str = "127.0.0.1", port: int = 0,
                        token: str | None = None, chaos: ChaosSpec | str | None = None
                        ) -> RunningSim:
    """Serve the cluster with uvicorn inside the running event loop (`--demo`, tests)."""
    import uvicorn

    if cluster.clock_defaulted:
        cluster.go_live()  # an explicit manual clock stays manual (deterministic tests)
    _silence_uvicorn()
    app = create_app(cluster, token=token, chaos=chaos)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                            access_log=False, log_config=None)
    server = _quiet_server(config)
    sock = bind_socket(host, port)  # uvicorn would sys.exit() on a bind error: bind here instead
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            sock.close()
            try:
                task.result()
            except SystemExit:
                pass
            raise OSError(f"the simulator could not start on {host}:{port}")
        await asyncio.sleep(0.01)
    sock = server.servers[0].sockets[0]
    real_port = sock.getsockname()[1]
    ticker = asyncio.create_task(tick_forever(cluster))
    warm = asyncio.create_task(warm_caches(cluster)) if len(cluster.taskgroups) > 2000 else None
    return RunningSim(url=f"http://{host}:{real_port}", cluster_id=cluster.cluster_id, token=token,
                      cluster=cluster, _server=server, _task=task, _ticker=ticker, _warm=warm)


def serve_forever_coroutine(cluster: SimCluster, host: str, port: int, token: str | None,
                            chaos: ChaosSpec | str | None,
                            on_started: Callable[[int], None]) -> Awaitable[None]:
    """The standalone runner's main coroutine (signals handled by uvicorn)."""
    import uvicorn

    async def main() -> None:
        app = create_app(cluster, token=token, chaos=chaos)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                                access_log=False)
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[bind_socket(host, port)]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if task.done():
            task.result()
            return
        on_started(server.servers[0].sockets[0].getsockname()[1])
        ticker = asyncio.create_task(tick_forever(cluster))
        warm = asyncio.create_task(warm_caches(cluster))
        try:
            await task
        finally:
            ticker.cancel()
            warm.cancel()

    return main()
