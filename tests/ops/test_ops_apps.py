"""Operations on applications at the keyboard, against the simulator."""

from __future__ import annotations

from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.form import FormModal
from bcs_tui.ui.modals.results import ResultsModal

from .conftest import SIZE, finish, flashes, goto, settle, type_text, writes

SCHED = "/bcsapi/v4/scheduler/mesos"


def screen_text(app) -> str:
    from textual.widgets import Label, Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static)) + "\n".join(
        str(w.render()) for w in app.screen.query(Label))


async def test_scale_one_application(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        await pilot.press("ctrl+a", "backspace")  # clear the current count
        app.screen.query_one("#field-instances").value = ""
        await type_text(pilot, "5")
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "application hero-prod/chat" in text
        assert f"PUT {SCHED}/namespaces/hero-prod/applications/chat/scale/5" in text
        assert writes(cluster) == []  # nothing before the confirmation
        await pilot.press("y")
        await finish(pilot, app)
        sent = writes(cluster)
        assert [(r.method, r.path) for r in sent] == [("PUT", f"{SCHED}/namespaces/hero-prod/applications/chat/scale/5")]
        assert any("hero-prod/chat" in m and "scaled to 5" in m for m in flashes(app))
        assert cluster.apps[("hero-prod", "chat")].define_instances == 5


async def test_scale_rejects_bad_input_and_sends_nothing(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "0"
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        assert "at least 1" in str(app.screen.query_one("#form-error").render())
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []
        assert any("cancelled, nothing sent" in m for m in flashes(app))


async def test_scale_marked_applications_lists_every_target(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat", marks=("hero-prod/chat", "hero-prod/mail"))
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "3"
        await pilot.press("enter")
        await settle(pilot, app)
        text = screen_text(app)
        assert "applications/chat/scale/3" in text and "applications/mail/scale/3" in text
        await pilot.press("y")
        await finish(pilot, app)
        assert sorted(r.path for r in writes(cluster)) == [
            f"{SCHED}/namespaces/hero-prod/applications/chat/scale/3",
            f"{SCHED}/namespaces/hero-prod/applications/mail/scale/3"]
        assert isinstance(app.screen, ResultsModal)
        assert "2 ok" in str(app.screen.query_one("#results-title").render())


def _edit_image(app, old: str | None, new: str) -> str:
    import json

    editor = app.screen
    data = json.loads(editor.text)
    container = data["spec"]["template"]["spec"]["containers"][0]
    before = container["image"]
    container["image"] = new
    editor.set_text(json.dumps(data, indent=2))
    return before


async def test_edit_application_shows_diff_and_sends_the_manifest(make_app, cluster):
    from bcs_tui.ui.modals.manifest import ManifestEditor

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, ManifestEditor)
        old = _edit_image(app, None, "hub.example.com/hero/chat:v9")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "hub.example.com/hero/chat:v9" in text and old in text  # the diff, both sides
        assert f"PUT {SCHED}/namespaces/hero-prod/applications?instances=" in text
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("PUT", f"{SCHED}/namespaces/hero-prod/applications")
        assert req.query["instances"].isdigit()
        assert req.json["spec"]["template"]["spec"]["containers"][0]["image"] == "hub.example.com/hero/chat:v9"
        assert req.json["metadata"]["name"] == "chat"


async def test_edit_refuses_a_renamed_or_broken_manifest(make_app, cluster):
    import json

    from bcs_tui.ui.modals.manifest import ManifestEditor

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("e")
        await settle(pilot, app)
        editor = app.screen
        data = json.loads(editor.text)
        data["metadata"]["namespace"] = "pay"
        editor.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(editor.query_one("#manifest-error").render())
        assert "metadata.namespace" in error and "line" in error
        data["metadata"]["namespace"] = "hero-prod"
        data["spec"]["instance"] = 0
        editor.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(editor.query_one("#manifest-error").render())
        assert "spec.instance" in error
        line = int(error.split("line ")[1].split(")")[0].split(";")[0])
        assert '"instance"' in editor.text.splitlines()[line - 1]
        await pilot.press("escape")
        await finish(pilot, app)
        assert not isinstance(app.screen, ManifestEditor)  # Esc cancels from inside the editor
        assert writes(cluster) == []


async def test_update_resource_sends_args_resource(make_app, cluster):
    import json

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("ctrl+u")
        await settle(pilot, app)
        editor = app.screen
        data = json.loads(editor.text)
        data["spec"]["template"]["spec"]["containers"][0].setdefault("resources", {})["limits"] = {"cpu": "2", "memory": "1024"}
        editor.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "?args=resource" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert req.method == "PUT" and req.query == {"args": "resource"}


async def test_create_application_from_the_template(make_app, cluster):
    import json

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-test")
        await pilot.press("c")
        await settle(pilot, app)
        editor = app.screen
        data = json.loads(editor.text)
        assert data["kind"] == "application" and data["metadata"]["namespace"] == "hero-test"
        data["metadata"]["name"] = "newapp"
        editor.set_text(json.dumps(data, indent=2))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert f"POST {SCHED}/namespaces/hero-test/applications" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("POST", f"{SCHED}/namespaces/hero-test/applications")
        assert req.json["metadata"]["name"] == "newapp"
        assert ("hero-test", "newapp") in cluster.apps
        assert not any("failed" in m for m in flashes(app)), flashes(app)


async def test_versions_pick_diff_and_rollback(make_app, cluster):
    from bcs_tui.ui.modals.versions import VersionPicker

    # Make a second version: scale saves one.
    cluster.scale_application("hero-prod", "chat", 4)
    cluster.advance(30)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("v")
        await settle(pilot, app)
        assert isinstance(app.screen, VersionPicker)
        picker = app.screen
        assert len(picker.version_ids) >= 2
        older = picker.version_ids[1]
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert f"PUT {SCHED}/namespaces/hero-prod/applications/rollback" in text
        assert older in text
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("PUT", f"{SCHED}/namespaces/hero-prod/applications/rollback")
        assert req.json["kind"] == "application" and req.json["metadata"]["name"] == "chat"


async def test_signal_application(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("k")
        await settle(pilot, app)
        form = app.screen
        form.query_one("#field-process").value = "chat; reboot"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "process" in str(form.query_one("#form-error").render())
        form.query_one("#field-other").value = "HUP"
        form.query_one("#field-process").value = "chatsvr"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "SIGHUP (1)" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path) == ("POST", f"{SCHED}/namespaces/hero-prod/applications/chat/message")
        assert req.json["msgtype"] == "signal"
        assert req.json["msgdata"] == {"signal": 1, "processname": "chatsvr"}


async def test_delete_application_plain_and_enforced(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/mail")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)  # the enforce choice
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        assert f"DELETE {SCHED}/namespaces/hero-prod/applications/mail?enforce=0" in screen_text(app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert (req.method, req.path, req.query) == (
            "DELETE", f"{SCHED}/namespaces/hero-prod/applications/mail", {"enforce": "0"})
        # Enforced: the name must be typed.
        await goto(pilot, app, "app hero-prod", "hero-prod/rank")
        await pilot.press("ctrl+d")
        await settle(pilot, app)
        await pilot.press("space")  # tick "enforce"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and confirm.typed == "rank"
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is confirm and len(writes(cluster)) == 1
        await type_text(pilot, "ank")
        confirm.query_one("#confirm-typed").value = "rank"
        await pilot.press("enter")
        await finish(pilot, app)
        assert writes(cluster)[-1].query == {"enforce": "1"}
        assert writes(cluster)[-1].path.endswith("/applications/rank")


async def test_a_write_from_the_keyboard_is_audited(make_app, cluster, tmp_path):
    import json as _json

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.query_one("#field-instances").value = "2"
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
    lines = [_json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert len(lines) == 2  # the intent before sending, the outcome after
    intent, entry = lines
    assert intent["phase"] == "intent" and intent["outcome"] == "pending" and intent["id"] == entry["id"]
    assert intent["time"] == entry["time"] and entry["finished"] >= entry["time"]  # the send's time
    assert entry["method"] == "PUT" and entry["path"].endswith("/applications/chat/scale/2")
    assert entry["outcome"] == "ok"


async def test_signal_reports_the_taskgroups_it_did_not_reach(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/rank")  # one lost taskgroup
        await pilot.press("k")
        await settle(pilot, app)
        app.screen.query_one("#field-process").value = "rank"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        assert isinstance(app.screen, ResultsModal)
        listing = str(app.screen.query_one("#results-list").render())
        assert "not delivered to 1 taskgroup" in listing
        assert "must be running" in listing and "(Lost)" in listing


async def test_edit_an_application_made_by_a_deployment_starts_from_its_version(make_app, cluster):
    from bcs_tui.ui.modals.manifest import ManifestEditor

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/gamesvr")
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, ManifestEditor), flashes(app)
        assert "rebuilt from the newest version" in str(app.screen.query_one("#manifest-note").render())
        import json as _json

        data = _json.loads(app.screen.text)
        assert data["kind"] == "application" and data["metadata"]["name"] == "gamesvr"
        assert data["spec"]["template"]["spec"]["containers"][0]["image"]
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []


async def test_single_target_actions_use_the_cursor_row_when_rows_are_marked(make_app, cluster):
    from bcs_tui.ui.modals.manifest import ManifestEditor

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/mail", marks=("hero-prod/chat", "hero-prod/rank"))
        await pilot.press("e")
        await settle(pilot, app)
        assert isinstance(app.screen, ManifestEditor)
        assert "hero-prod/mail" in str(app.screen.query_one("#manifest-title").render())
        assert any("one object at a time" in m and "hero-prod/mail" in m for m in flashes(app))
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []


async def test_rolling_back_to_the_newest_version_is_refused(make_app, cluster):
    from bcs_tui.ui.modals.versions import VersionPicker

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("v")
        await settle(pilot, app)
        picker = app.screen
        assert isinstance(picker, VersionPicker)
        await pilot.press("home", "enter")
        await settle(pilot, app)
        assert app.screen is picker
        assert "newest version" in str(picker.query_one("#versions-error").render())
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []


async def test_rollback_from_the_versions_list(make_app, cluster):
    from bcs_tui.resources import VersionRow
    from bcs_tui.ui.operations import ActionContext

    cluster.scale_application("hero-prod", "chat", 4)
    cluster.advance(30)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        chat = app.browser.current_object()
        ids = sorted(cluster.list_versions("hero-prod", "chat"), reverse=True)
        row = VersionRow(ids[1], "hero-prod", "chat")
        await app.operations.run("rollback", ActionContext("versions", "hero-prod", [row], app.browser, parent=chat))
        await settle(pilot, app)
        assert app.screen.highlighted_id == ids[1]  # the picker starts on the chosen version
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("y")
        await finish(pilot, app)
        (req,) = writes(cluster)
        assert req.path == f"{SCHED}/namespaces/hero-prod/applications/rollback"
