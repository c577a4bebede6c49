"""The operation modals on their own, in a tiny app."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static, TextArea

from bcs_tui.api.client import BcsClient
from bcs_tui.ui.modals.confirm import ConfirmModal
from bcs_tui.ui.modals.diff import diff_lines, render_diff
from bcs_tui.ui.modals.form import Field, FormModal
from bcs_tui.ui.modals.manifest import ManifestEditor
from bcs_tui.ui.modals.plan import PlannedRequest, render_requests
from bcs_tui.ui.modals.results import FAILED, OK, UNKNOWN, OpResult, ResultsModal
from bcs_tui.ui.validators import InvalidInput, ManifestRules, parse_instances


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list = []

    def ask(self, screen) -> None:
        self.push_screen(screen, self.answers.append)


PLANNER = BcsClient("https://bcs.example.com", "BCS-MESOS-10001")  # plans only: nothing is sent


def _req(name: str, body=None) -> PlannedRequest:
    request = PLANNER.plan_scale_application("prod", name, 3)
    if body is not None:
        from dataclasses import replace

        request = replace(request, body=body)
    return PlannedRequest(f"application prod/{name}", request, server=PLANNER.server)


def screen_text(app: App) -> str:
    return " ".join(str(w.render()) for w in app.screen.query(Static))


async def test_confirm_lists_every_target_and_defaults_to_no():
    app = Host()
    async with app.run_test() as pilot:
        app.ask(ConfirmModal("Scale 2 applications?", [_req("web"), _req("api")]))
        await pilot.pause()
        text = screen_text(app)
        assert "PUT /bcsapi/v4/scheduler/mesos/namespaces/prod/applications/web/scale/3" in text
        assert "application prod/api" in text
        await pilot.press("enter")  # focus is on Cancel
        await pilot.pause()
        assert app.answers == [False]
        app.ask(ConfirmModal("Scale?", [_req("web")]))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.answers == [False, True]


async def test_typed_confirmation_needs_the_exact_name():
    app = Host()
    async with app.run_test() as pilot:
        app.ask(ConfirmModal("Delete?", [_req("web")], typed="web"))
        await pilot.pause()
        await pilot.press("y", "enter")  # "y" is typed into the box, not an answer
        await pilot.pause()
        assert app.answers == []
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("backspace", "w", "e", "b", "enter")
        await pilot.pause()
        assert app.answers == [True]
        app.ask(ConfirmModal("Delete?", [_req("web")], typed="web"))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.answers == [True, False]


async def test_form_shows_error_and_stays_open_until_valid():
    app = Host()

    def validate(values):
        return parse_instances(values["instances"])

    async with app.run_test() as pilot:
        app.ask(FormModal("Scale web", [Field("instances", "Instances", value="")], validate))
        await pilot.pause()
        await pilot.press("0", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert "at least 1" in str(app.screen.query_one("#form-error", Static).render())
        await pilot.press("backspace", "5", "enter")
        await pilot.pause()
        assert app.answers == [5]


async def test_form_text_field_error_moves_cursor_to_line():
    app = Host()

    def validate(values):
        raise InvalidInput("bad", field="taints", line=3, column=2)

    async with app.run_test() as pilot:
        app.ask(FormModal("Taints", [Field("taints", "Taints", kind="text", value="a=1\nb=2\nc d\n")], validate))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        assert area.cursor_location == (2, 1)
        assert "line 3" in str(app.screen.query_one("#form-error", Static).render())


async def test_manifest_editor_reports_syntax_error_at_line():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        app.ask(ManifestEditor("Edit", '{\n  "kind": "configmap",\n  "metadata": {"name": "x",}\n}',
                               ManifestRules(kinds=("configmap",), require_namespace=False)))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ManifestEditor)
        error = str(app.screen.query_one("#manifest-error", Static).render())
        assert "JSON syntax error" in error and "line 3" in error
        assert app.screen.editor.cursor_location[0] == 2
        app.screen.set_text('{"kind": "configmap", "metadata": {"name": "x", "namespace": "ns"}}')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.answers[0].data["metadata"]["name"] == "x"


async def test_results_modal_rechecks_unknown_outcomes():
    app = Host()

    async def recheck():
        return "Running, 3 instances"

    results = [OpResult("application prod/web", OK, "scaled"),
               OpResult("application prod/api", FAILED, "Operation Not Allowed"),
               OpResult("application prod/db", UNKNOWN, "timed out", recheck=recheck)]
    async with app.run_test(size=(120, 30)) as pilot:
        app.ask(ResultsModal("Scale", results))
        await pilot.pause()
        assert "1 ok, 1 failed, 1 unknown" in str(app.screen.query_one("#results-title").render())
        await pilot.press("r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "re-checked: Running, 3 instances" in str(app.screen.query_one("#results-list", Static).render())


def test_diff_and_request_rendering():
    lines = diff_lines({"a": 1, "b": [1, 2]}, {"a": 2, "b": [1, 2]})
    assert any(line.startswith('-  "a": 1') for line in lines)
    assert any(line.startswith('+  "a": 2') for line in lines)
    assert "No change" in render_diff({"a": 1}, {"a": 1}).plain
    secret = {"apiVersion": "v4", "kind": "secret", "metadata": {"name": "db", "namespace": "prod"},
              "datas": {"password": {"content": "c2VjcmV0"}}}
    req = PlannedRequest("secret prod/db", PLANNER.plan_object("PUT", "secret", "prod", secret), mask_body=True,
                         server=PLANNER.server)
    text = render_requests([req]).plain
    assert "c2VjcmV0" not in text and "password" in text
    # the request line and the curl form render the very value that is sent
    assert "PUT /bcsapi/v4/scheduler/mesos/namespaces/prod/secrets" in text
    assert "curl -X PUT 'https://bcs.example.com/bcsapi/v4/scheduler/mesos/namespaces/prod/secrets'" in text
    assert "c2VjcmV0" not in req.curl() and "Bearer $BCS_TOKEN" in req.curl()
