"""Bad input at the keyboard: every modal validates before sending. The message says what is wrong
and where (the field, the line), the modal stays open so the user can fix it, and nothing reaches
the simulator (it records every request)."""

from __future__ import annotations

import json

import pytest

from bcs_tui.ui.modals.form import FormModal
from bcs_tui.ui.modals.manifest import ManifestEditor

from .conftest import SIZE, finish, flashes, goto, settle, writes

# (view, cursor key, action key, {field: bad value}, words in the error)
FORM_CASES = [
    ("app hero-prod", "hero-prod/chat", "s", {"instances": "0"}, ["at least 1", "instances"]),
    ("app hero-prod", "hero-prod/chat", "s", {"instances": "-3"}, ["instances"]),
    ("app hero-prod", "hero-prod/chat", "s", {"instances": "three"}, ["instances"]),
    ("app hero-prod", "hero-prod/chat", "s", {"instances": "2.5"}, ["instances"]),
    ("app hero-prod", "hero-prod/chat", "s", {"instances": "1000000"}, ["instances"]),
    ("dp hero-prod", "hero-prod/battle", "s", {"instances": ""}, ["instances"]),
    ("app hero-prod", "hero-prod/chat", "k", {"other": "65", "process": "chat"}, ["other"]),
    ("app hero-prod", "hero-prod/chat", "k", {"other": "0", "process": "chat"}, ["other"]),
    ("app hero-prod", "hero-prod/chat", "k", {"other": "SIGBOGUS", "process": "chat"}, ["other"]),
    ("app hero-prod", "hero-prod/chat", "k", {"process": "chat; rm -rf /"}, ["process"]),
    ("app hero-prod", "hero-prod/chat", "k", {"process": ""}, ["process"]),
    ("app hero-prod", "hero-prod/chat", "k", {"process": "$(reboot)"}, ["process"]),
    ("app hero-prod", "hero-prod/chat", "x", {"command": ""}, ["command"]),
    ("app hero-prod", "hero-prod/chat", "x", {"command": "cat /etc/passwd > /tmp/x"}, ["shell", "command"]),
    ("app hero-prod", "hero-prod/chat", "x", {"command": "ls", "env": "NOEQUALS"}, ["env", "line 1"]),
    ("app hero-prod", "hero-prod/chat", "x", {"command": "ls", "user": "root; id"}, ["user"]),
    ("app hero-prod", "hero-prod/chat", "x", {"command": "ls", "workdir": "relative/dir"}, ["workdir"]),
    ("agent", "10.12.1.11", "t", {"taints": "dedicated=db\nno-equals-sign"}, ["line 2"]),
    ("agent", "10.12.1.11", "t", {"taints": "bad key=1"}, ["line 1"]),
    ("agent", "10.12.1.11", "t", {"taints": "=value"}, ["line 1"]),
]


async def fill(form: FormModal, values: dict[str, str]) -> None:
    from textual.widgets import Checkbox, TextArea

    for name, value in values.items():
        widget = form.query_one(f"#field-{name}")
        if isinstance(widget, TextArea):
            widget.load_text(value)
        elif isinstance(widget, Checkbox):
            widget.value = bool(value)
        else:
            widget.value = value


@pytest.mark.parametrize("view,key,action,values,words", FORM_CASES,
                         ids=[f"{c[2]}-{'-'.join(c[3])}-{i}" for i, c in enumerate(FORM_CASES)])
async def test_form_refuses_bad_input_says_where_and_sends_nothing(make_app, cluster, view, key, action,
                                                                   values, words):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, view, key)
        await pilot.press(action)
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal), (action, app.screen)
        await fill(form, values)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form, "the form closed on bad input"
        error = str(form.query_one("#form-error").render())
        for word in words:
            assert word in error, (word, error)
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []
        assert any("nothing sent" in m for m in flashes(app))


async def test_commit_image_refuses_the_same_or_a_malformed_target(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "tg hero-prod")
        await pilot.press("i")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        current = form.query_one("#field-image").value
        for bad in (current, "Bad Image Name!", ""):
            form.query_one("#field-url").value = bad
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert app.screen is form
            assert "url" in str(form.query_one("#form-error").render())
        await pilot.press("escape")
        await finish(pilot, app)
        assert writes(cluster) == []


# ------------------------------------------------------------------ manifests in the editor


def _edit(data: dict, path: str, value) -> dict:
    data = json.loads(json.dumps(data))
    node = data
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return data


MANIFEST_CASES = [
    # (how to break it, words in the error)
    ("syntax", ["JSON syntax error", "line"]),
    ("kind", ["kind"]),
    ("dotted-name", ["'.'"]),
    ("renamed", ["metadata.name"]),
    ("namespace", ["metadata.namespace"]),
    ("model", ["spec.instance"]),
    ("not-an-object", ["JSON object"]),
]


@pytest.mark.parametrize("case,words", MANIFEST_CASES, ids=[c[0] for c in MANIFEST_CASES])
async def test_manifest_editor_refuses_bad_manifests_and_sends_nothing(make_app, cluster, case, words):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "app hero-prod", "hero-prod/chat")
        await pilot.press("e")
        await settle(pilot, app)
        editor = app.screen
        assert isinstance(editor, ManifestEditor)
        data = json.loads(editor.text)
        text = {
            "syntax": lambda: editor.text.replace('"metadata"', '"metadata" "', 1),
            "kind": lambda: json.dumps(_edit(data, "kind", "deployment"), indent=2),
            "dotted-name": lambda: json.dumps(_edit(data, "metadata.name", "chat.v2"), indent=2),
            "renamed": lambda: json.dumps(_edit(data, "metadata.name", "chat2"), indent=2),
            "namespace": lambda: json.dumps(_edit(data, "metadata.namespace", "pay"), indent=2),
            "model": lambda: json.dumps(_edit(data, "spec.instance", "many"), indent=2),
            "not-an-object": lambda: "[1, 2]",
        }[case]()
        editor.set_text(text)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is editor, "the editor closed on a bad manifest"
        error = str(editor.query_one("#manifest-error").render())
        for word in words:
            assert word in error, (word, error)
        await pilot.press("escape")  # Esc cancels even with the focus in the JSON editor
        await finish(pilot, app)
        assert not isinstance(app.screen, ManifestEditor)
        assert any("cancelled, nothing sent" in m for m in flashes(app))
        assert writes(cluster) == []


async def test_create_from_template_refuses_until_the_manifest_is_valid(make_app, cluster):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await goto(pilot, app, "cm hero-prod")
        await pilot.press("c")
        await settle(pilot, app)
        editor = app.screen
        assert isinstance(editor, ManifestEditor)
        data = json.loads(editor.text)
        assert data["kind"] == "configmap" and editor.rules.namespace == "hero-prod", (data, editor.rules)
        data["metadata"]["namespace"] = "pay"  # the view is hero-prod
        editor.set_text(json.dumps(data, indent=2))
        assert '"pay"' in editor.text
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is editor, (app.screen, editor.text, editor.rules, writes(cluster))
        assert "metadata.namespace" in str(editor.query_one("#manifest-error").render())
        editor.set_text("{")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "JSON syntax error" in str(editor.query_one("#manifest-error").render())
        await pilot.press("escape")
        await finish(pilot, app)
        assert not isinstance(app.screen, ManifestEditor)
        assert writes(cluster) == []
