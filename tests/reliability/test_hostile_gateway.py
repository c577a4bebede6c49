"""A gateway that answers with nasty bodies and headers (issue 16: 11, 14, 16, 17, 18), against the
real console: what the user sees and what reached the server.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.results import ResultsModal

from .conftest import SIZE, TOKEN, finish, flashes, goto, screen_text, settle, title_text, wait_for, writes
from .hostile import HostileGateway, json_of, with_json

STORAGE_APPS = "/dynamic/clusters/BCS-MESOS-10001/application"


@pytest.fixture
def gateway(sim_asgi):
    return HostileGateway(sim_asgi)


@pytest.fixture
def gw_app(make_app, gateway):
    return lambda **kw: make_app(client_kw={"transport": gateway}, **kw)


def _error(message: str):
    async def rule(request, upstream):
        body = {"result": False, "code": 1405200, "message": message, "data": None}
        return httpx.Response(500, json=body)
    return rule


VARIANTS = {
    "prefix": TOKEN[:12],
    "upper": TOKEN.upper(),
    "split": TOKEN[:9] + " " + TOKEN[9:],
    "base64": base64.b64encode(TOKEN.encode()).decode(),
    "base64-of-header": base64.b64encode(f"Authorization: Bearer {TOKEN}".encode()).decode(),
    "base64url": base64.urlsafe_b64encode(b"\xfb" + TOKEN.encode()).decode(),
}


@pytest.mark.parametrize("variant", VARIANTS, ids=list(VARIANTS))
async def test_11_a_server_echoing_a_variant_of_the_token_never_gets_it_on_screen(gw_app, gateway, variant):
    echoed = VARIANTS[variant]
    app = gw_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod")
        gateway.answer("*", STORAGE_APPS, _error(f"denied for credential {echoed} (see logs)"))
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert app.browser.state.error
        seen = [title_text(app), screen_text(app), *flashes(app)]
        assert any("denied for credential" in s for s in seen)  # the message itself is shown
        for text in seen:
            assert echoed not in text
            assert TOKEN[:8].lower() not in text.lower().replace(" ", "")
            assert base64.b64encode(TOKEN.encode()).decode()[:12] not in text


async def test_14_server_cookies_are_never_stored_or_sent_back(gw_app, gateway):
    async def set_cookie(request, upstream):
        response = await upstream()
        return with_json(response, json_of(response), set_cookie="sid=\x1b[31mevil; Path=/")

    gateway.answer("*", "/", set_cookie)
    app = gw_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod")
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        await goto(pilot, app, "tg hero-prod")
    assert len(gateway.requests) >= 3
    assert all("cookie" not in r.headers for r in gateway.requests)


async def test_17_a_redirect_is_called_a_redirect_and_not_followed(gw_app, gateway):
    app = gw_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod")

        async def redirect(request, upstream):
            return httpx.Response(302, headers={"location": "https://login.example.com/sso"})

        gateway.answer("*", STORAGE_APPS, redirect)
        before = len(gateway.requests)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        shown = " ".join([title_text(app), *flashes(app)])
        assert "redirect" in shown and "not the master" not in shown
    assert all("login.example.com" not in str(r.url) for r in gateway.requests[before:])


async def test_17_a_dropped_write_connection_is_not_called_a_timeout(gw_app, gateway, cluster):
    async def drop(request, upstream):
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    gateway.answer("PUT", "/applications", drop)
    gateway.answer("POST", "/scale", drop)
    app = gw_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "3"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await finish(pilot, app)
        assert isinstance(app.screen, ResultsModal), flashes(app)
        text = screen_text(app)
        assert "unknown" in text
        assert "timed out" not in text
        assert "no answer came back" in text


async def test_18_records_sharing_a_name_each_get_a_row(gw_app, gateway):
    async def duplicate(request, upstream):
        response = await upstream()
        body = json_of(response)
        # list rows are projected records: the name is at data.metadata.name
        chat = [r for r in body["data"] if ((r.get("data") or {}).get("metadata") or {}).get("name") == "chat"]
        assert chat, body["data"][:1]
        body["data"] = body["data"] + chat * 6
        return with_json(response, body)

    gateway.answer("*", STORAGE_APPS, duplicate)
    app = gw_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod")
        table = app.browser.table
        total = len(app.browser.state.objects)
        assert table.view_count == total
        assert f"[{total}]" in title_text(app) and "/" not in title_text(app).split("[")[-1]
        keys = [r.key for r in table.rows]
        assert keys.count("hero-prod/chat") == 1 and "hero-prod/chat #7" in keys


BIG = "echo " + "A" * 100_000


async def _command_confirmation(app, pilot, command: str) -> None:
    await goto(pilot, app, "app hero-prod", "hero-prod/chat")
    await pilot.press("x")
    await settle(pilot, app)
    app.screen.query_one("#field-command").value = command
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert isinstance(app.screen, ConfirmModal)


async def test_16_a_huge_command_leaves_targets_request_and_answer_on_screen(make_app, cluster):
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await _command_confirmation(app, pilot, BIG)
        text = screen_text(app)
        assert "application hero-prod/chat" in text  # the target
        assert "POST /bcsapi/v4/scheduler/mesos/command/application/hero-prod/chat" in text.replace("\n", "")
        assert "chars)" in text  # the body is cut, with its size
        assert "y send" in text and "Send" in text
        await pilot.press("y")
        await finish(pilot, app)
    (req,) = writes(cluster)
    assert req.json["spec"]["command"] == ["echo", "A" * 100_000]  # sent whole, as confirmed


async def test_16_a_terminal_too_small_to_show_the_request_refuses_y(make_app, cluster):
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        await pilot.press("ctrl+s")  # the enforce choice: no
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.resize_terminal(20, 5)
        await settle(pilot, app)
        assert "Too small! Esc" in screen_text(app)
        await pilot.press("y")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        assert writes(cluster) == []
        await pilot.resize_terminal(100, 30)  # big enough again: the request shows, y answers
        await settle(pilot, app)
        await wait_for(pilot, lambda: "y send" in screen_text(app), what="the confirmation redrawn")
        text = screen_text(app)
        assert "DELETE" in text and "/bcsapi/v4/scheduler/mesos/namespaces/hero-prod/applications/chat" in text
        await pilot.press("y")
        await finish(pilot, app)
    assert [r.method for r in writes(cluster)] == ["DELETE"]
