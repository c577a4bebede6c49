"""Envelope rules and error cases of bcs-api-facts §7, through the client and the bare decoder."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcs_tui.api.client import decode_envelope, decode_kube
from bcs_tui.api.errors import (
    ApiError,
    AuthError,
    BcsError,
    KubeError,
    ProtocolError,
)
from tests.api.conftest import TOKEN, Recorder


def answer(status: int, body: bytes | str | dict | list, content_type: str = "application/json"):
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return lambda request: httpx.Response(status, content=body, headers={"content-type": content_type})


async def call_list_apps(make_client, responder):
    client = make_client(transport=Recorder(responder).transport)
    return await client.list_applications("prod")


# --- data null / [] / {} ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [None, [], {}])
async def test_empty_list_shapes_are_an_empty_list(make_client, data):
    apps = await call_list_apps(make_client, answer(200, {"result": True, "code": 0, "message": "success", "data": data}))
    assert apps == []


@pytest.mark.parametrize("data", [None, [], {}])
async def test_taskgroups_and_versions_of_missing_app_are_empty(make_client, data):
    rec = Recorder(answer(200, {"result": True, "code": 0, "message": "success", "data": data}))
    client = make_client(transport=rec.transport)
    assert await client.list_taskgroups("prod", "gone") == []
    assert await client.list_versions("prod", "gone") == []
    assert await client.get_agent_setting_list(["10.0.0.9"]) == []


async def test_envelope_without_result_key_is_accepted(make_client):
    # the API document's examples leave `result` out
    apps = await call_list_apps(make_client, answer(200, {"code": 0, "message": "success", "data": []}))
    assert apps == []


async def test_write_success_with_data_null(make_client, recorder):
    client = make_client()
    assert await client.scale_application("prod", "web", 2) is None


# --- business errors (HTTP 200, code != 0) -----------------------------------------------------


async def test_code_not_zero_is_api_error_with_code_and_message(make_client):
    body = {"result": False, "code": 1405200, "message": "(bcs-scheduler):store: Not Found", "data": {}}
    client = make_client(transport=Recorder(answer(200, body)).transport)
    with pytest.raises(ApiError) as info:
        await client.fetch_application("prod", "gone")
    err = info.value
    assert err.code == 1405200
    assert err.http_status == 200
    assert "store: Not Found" in err.message
    assert err.not_found


async def test_already_exists(make_client):
    body = {"result": False, "code": 1405201, "message": "(bcs-scheduler):application already exist", "data": {}}
    client = make_client(transport=Recorder(answer(200, body)).transport)
    with pytest.raises(ApiError) as info:
        await client.scale_application("prod", "web", 2)
    assert info.value.already_exists
    assert "already exist" in info.value.message


async def test_wrong_cluster_id_400_1405234_says_so(make_client):
    body = {"result": False, "code": 1405234, "message": "http header BCS-ClusterID BCS-MESOS-99 don't exist", "data": None}
    client = make_client(transport=Recorder(answer(400, body)).transport)
    with pytest.raises(ApiError) as info:
        await client.list_applications("prod")
    err = info.value
    assert not isinstance(err, AuthError)
    assert err.code == 1405234 and err.http_status == 400
    assert "wrong cluster id" in err.message and "cluster id" in err.message


async def test_webhook_refusal_1405234_is_api_error(make_client):
    body = {"result": False, "code": 1405234, "message": "request webhoook container-images error: denied", "data": None}
    client = make_client(transport=Recorder(answer(400, body)).transport)
    with pytest.raises(ApiError) as info:
        await client.scale_application("prod", "web", 2)
    assert "admission webhook" in info.value.message
    assert "webhoook container-images" in info.value.message


# --- gateway ----------------------------------------------------------------------------------


async def test_gateway_401_is_auth_error(make_client):
    body = {"code": 401, "result": False, "message": "Resource is Unauthorized"}
    client = make_client(transport=Recorder(answer(401, body)).transport)
    with pytest.raises(AuthError) as info:
        await client.list_applications("prod")
    assert info.value.http_status == 401
    assert "Resource is Unauthorized" in info.value.message
    assert "token" in info.value.message


@pytest.mark.parametrize("message", ["Bad Request: lost Authorization", "lost BCS-ClusterID in header",
                                     "Authorization format error"])
async def test_gateway_400_without_data_is_auth_error(make_client, message):
    client = make_client(transport=Recorder(answer(400, {"code": 400, "result": False, "message": message})).transport)
    with pytest.raises(AuthError) as info:
        await client.get_cluster_resources()
    assert info.value.http_status == 400
    assert message in info.value.message


async def test_auth_errors_are_not_retried(make_client):
    rec = Recorder(answer(401, {"code": 401, "result": False, "message": "Resource is Unauthorized"}))
    client = make_client(transport=rec.transport)
    with pytest.raises(AuthError):
        await client.get_cluster_offers()
    assert len(rec.requests) == 1


# --- bodies that are not JSON -----------------------------------------------------------------


async def test_plain_text_with_http_200_is_protocol_error_carrying_the_text(make_client):
    client = make_client(transport=Recorder(answer(200, "Name can't contains contains '.'", "text/plain")).transport)
    with pytest.raises(ProtocolError) as info:
        await client.scale_application("prod", "web", 2)
    assert info.value.text == "Name can't contains contains '.'"
    assert "Name can't contains contains '.'" in info.value.message
    assert info.value.http_status == 200


async def test_dead_route_404_text_passed_through_with_200(make_client):
    client = make_client(transport=Recorder(answer(200, "404 page not found", "text/plain")).transport)
    with pytest.raises(ProtocolError) as info:
        await client.list_tasks("prod", "web")
    assert "not available" in info.value.message
    assert info.value.text == "404 page not found"


async def test_empty_body_from_non_master_is_protocol_error_saying_so(make_client):
    client = make_client(transport=Recorder(answer(200, b"")).transport)
    with pytest.raises(ProtocolError) as info:
        await client.get_cluster_resources()
    assert "empty response" in info.value.message and "master" in info.value.message


async def test_json_that_is_not_an_envelope(make_client):
    client = make_client(transport=Recorder(answer(200, [1, 2, 3])).transport)
    with pytest.raises(ProtocolError):
        await client.get_cluster_resources()
    client = make_client(transport=Recorder(answer(200, {"hello": "world"})).transport)
    with pytest.raises(ProtocolError):
        await client.get_cluster_resources()


async def test_unexpected_data_shape_is_protocol_error(make_client):
    client = make_client(transport=Recorder(answer(200, {"code": 0, "data": "not a list"})).transport)
    with pytest.raises(ProtocolError) as info:
        await client.list_applications("prod")
    assert "applications" in info.value.message
    client = make_client(transport=Recorder(answer(200, {"code": 0, "data": [{"Created": "yesterday"}]})).transport)
    with pytest.raises(ProtocolError) as info:
        await client.list_applications("prod")
    assert "applications[0]" in info.value.message


# --- 5xx --------------------------------------------------------------------------------------


async def test_5xx_with_envelope_is_api_error_with_status(make_client):
    body = {"result": False, "code": 1405009, "message": "do http request failed", "data": {}}
    client = make_client(transport=Recorder(answer(502, body)).transport, get_retries=0)
    with pytest.raises(ApiError) as info:
        await client.get_cluster_resources()
    assert info.value.http_status == 502 and info.value.code == 1405009


async def test_5xx_with_text_is_protocol_error_with_status(make_client):
    client = make_client(transport=Recorder(answer(503, "Service Unavailable", "text/plain")).transport, get_retries=0)
    with pytest.raises(ProtocolError) as info:
        await client.get_cluster_resources()
    assert info.value.http_status == 503
    assert "503" in info.value.message


# --- kube proxy -------------------------------------------------------------------------------


async def test_kube_status_from_crd_route_is_kube_error(make_client):
    status = {"kind": "Status", "apiVersion": "v1", "status": "Failure",
              "message": "customresourcedefinitions.apiextensions.k8s.io \"x\" not found", "reason": "NotFound", "code": 404}
    client = make_client(transport=Recorder(answer(404, status)).transport)
    with pytest.raises(KubeError) as info:
        await client.get_crd("x")
    assert info.value.status == 404 and info.value.reason == "NotFound" and info.value.not_found
    assert "not found" in info.value.message


async def test_kube_conflict_on_create(make_client):
    status = {"kind": "Status", "status": "Failure", "message": "already exists", "reason": "AlreadyExists", "code": 409}
    client = make_client(transport=Recorder(answer(409, status)).transport)
    crd = {"apiVersion": "v4", "kind": "CustomResourceDefinition", "metadata": {"name": "a.b"},
           "spec": {"group": "b", "version": "v1", "names": {"plural": "as", "kind": "A"}}}
    with pytest.raises(KubeError) as info:
        await client.create_crd(crd)
    assert info.value.status == 409


async def test_kube_route_with_gateway_envelope(make_client):
    client = make_client(transport=Recorder(answer(401, {"code": 401, "result": False, "message": "Resource is Unauthorized"})).transport)
    with pytest.raises(AuthError):
        await client.list_crds()


async def test_kube_route_without_kubeconfig_is_plain_404(make_client):
    client = make_client(transport=Recorder(answer(404, "404 page not found", "text/plain")).transport)
    with pytest.raises(ProtocolError):
        await client.list_crds()


def test_kube_list_and_empty():
    assert decode_kube(200, b'{"kind":"XList","items":[]}') == {"kind": "XList", "items": []}
    assert decode_kube(200, b"") is None


# --- the token never shows --------------------------------------------------------------------


async def test_server_echoing_the_token_is_redacted(make_client):
    body = {"result": False, "code": 1405200, "message": f"bad token {TOKEN} / Authorization: Bearer {TOKEN}", "data": {}}
    client = make_client(transport=Recorder(answer(200, body)).transport)
    with pytest.raises(ApiError) as info:
        await client.list_applications("prod")
    assert TOKEN not in str(info.value)
    assert TOKEN not in info.value.message and TOKEN not in info.value.server_message
    assert TOKEN not in repr(info.value.args)


async def test_text_body_echoing_the_token_is_redacted(make_client):
    client = make_client(transport=Recorder(answer(200, f"denied for {TOKEN}", "text/plain")).transport)
    with pytest.raises(ProtocolError) as info:
        await client.list_applications("prod")
    assert TOKEN not in info.value.message and TOKEN not in info.value.text


# --- the decoder on arbitrary bytes -----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(status=st.sampled_from([200, 201, 204, 400, 401, 403, 404, 409, 500, 502, 503]),
       content=st.one_of(st.binary(max_size=300),
                         st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                                      lambda children: st.lists(children, max_size=4)
                                      | st.dictionaries(st.sampled_from(["code", "result", "message", "data", "kind", "status",
                                                                         "reason", "items", "x"]), children, max_size=5),
                                      max_leaves=20).map(lambda v: json.dumps(v).encode())))
def test_decoders_raise_only_bcs_errors(status, content):
    for decoder in (decode_envelope, decode_kube):
        try:
            decoder(status, content)
        except BcsError as exc:
            assert isinstance(exc.message, str) and exc.message
        # anything else propagates and fails the test


def test_deeply_nested_json_is_a_protocol_error():
    with pytest.raises(ProtocolError):
        decode_envelope(200, b"[" * 100000 + b"]" * 100000)


async def test_gateway_404_json_route_not_found(make_client):
    client = make_client(transport=Recorder(answer(404, {"error_msg": "404 Route Not Found"})).transport)
    with pytest.raises(ProtocolError) as info:
        await client.get_cluster_resources()
    assert "404 Route Not Found" in info.value.message and info.value.http_status == 404


def test_client_side_api_error_has_no_code_suffix():
    assert ApiError(0, "no CRD named 'x'", 200).message == "no CRD named 'x'"
    assert ApiError(1405200, "boom").message == "boom (code 1405200)"


async def test_bad_item_deep_in_a_big_list_is_named_by_index(make_client):
    items = [{"ID": f"a{i}", "Kind": "application"} for i in range(1200)]
    items[777]["Created"] = "yesterday"
    client = make_client(transport=Recorder(answer(200, {"code": 0, "data": items})).transport)
    with pytest.raises(ProtocolError) as info:
        await client.list_applications("prod")
    assert "applications[777]" in info.value.message and "Created" in info.value.message
    items[777] = "not an object"
    client = make_client(transport=Recorder(answer(200, {"code": 0, "data": items})).transport)
    with pytest.raises(ProtocolError) as info:
        await client.list_applications("prod")
    assert "applications[777]: expected a JSON object" in info.value.message


JSONISH = st.recursive(st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats() | st.text(max_size=10),
                       lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=12), c, max_size=4), max_leaves=15)


@settings(max_examples=200, deadline=None)
@given(data=JSONISH, keys=st.dictionaries(st.sampled_from(["ID", "Kind", "Pods", "ObjectMeta", "Taskgroup", "StatusData",
                                                           "resources", "attributes", "deltaResource", "metadata",
                                                           "containerStatuses", "strings", "noSchedule", "data"]),
                                          JSONISH, max_size=5))
def test_model_conversion_raises_only_protocol_errors(data, keys):
    from bcs_tui.api import models as m
    from bcs_tui.api.client import _model, _models

    for model in (m.Application, m.TaskGroup, m.Offer, m.AgentSetting, m.StorageRecord[m.PodStatus],
                  m.StorageRecord[m.Deployment], m.CommandInfo, m.ClusterResource):
        for value in (data, keys, [keys], [data]):
            try:
                result = _models(model, value, "x") if isinstance(value, list) else _model(model, value, "x")
            except ProtocolError:
                continue
            if isinstance(result, list):
                for item in result:
                    getattr(item, "status_info", None)
                    getattr(item, "pod_ip", None)


def test_process_prefix_is_dropped_from_the_display_message():
    err = ApiError(1405200, "(bcs-scheduler):store: Not Found")
    assert err.message == "store: Not Found (code 1405200)"
    assert err.server_message == "(bcs-scheduler):store: Not Found"


async def test_truncated_json_is_a_protocol_error_saying_so(make_client):
    client = make_client(transport=Recorder(answer(200, '{"result":true,"code":0,"data":[{"Kind":"appl')).transport)
    with pytest.raises(ProtocolError) as info:
        await client.list_applications("prod")
    assert "not valid JSON" in info.value.message
