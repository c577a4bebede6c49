"""Property tests for the text and input boundaries (what tests/api and tests/ops do not cover):
sanitising of untrusted text, token redaction, and that the manifest and form validators fail
only with InvalidInput, whatever they are given."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from bcs_tui.api.errors import ApiError, AuthError, BcsError, ProtocolError, redact, register_secret
from bcs_tui.ui import validators as v
from bcs_tui.ui.textsafe import one_line, safe_renderable, safe_text

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Pieces of terminal sequences, glued in any order: complete and broken CSI/OSC/DCS, 8-bit forms.
PIECES = st.sampled_from([
    "\x1b", "\x1b[", "\x1b[31m", "\x1b[0m", "\x1b[2J", "\x1b]", "\x1b]52;c;ZXZpbA==", "\x07", "\x1b\\",
    "\x1b]0;title", "\x1bP1$q", "\x9b", "\x9d", "\x90", "\x9c", "\x9b2J", "\x1b(B", "\x1b7", "\r", "\r\n",
    "\x00", "\x7f", "\x08", "[bold]", "[/]", "[@click=app.quit]", "\t", "\n", "é", "日本", "ok",
])
HOSTILE = st.lists(PIECES | st.text(max_size=4), max_size=20).map("".join)


@given(HOSTILE)
def test_safe_text_leaves_no_control_character(s):
    out = safe_text(s)
    assert CONTROL.search(out) is None, repr(out)
    assert safe_text(out) == out  # idempotent


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=50))
def test_safe_text_keeps_ordinary_text_and_markup_as_is(s):
    assert safe_text(s) == s


@given(HOSTILE, st.integers(min_value=1, max_value=80))
def test_one_line_is_one_clean_line_within_the_limit(s, limit):
    out = one_line(s, limit)
    assert "\n" not in out and "\t" not in out and CONTROL.search(out) is None
    assert len(out) <= limit


@given(st.lists(st.tuples(HOSTILE, st.sampled_from(["", "bold", "red", "reverse"])), max_size=6))
def test_safe_renderable_cleans_styled_text(parts):
    t = Text()
    for s, style in parts:
        t.append(s, style=style or None)
    out = safe_renderable(t)
    assert CONTROL.search(out.plain) is None
    assert all(0 <= span.start <= span.end <= len(out.plain) for span in out.spans)


TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@settings(max_examples=60)
@given(st.text(alphabet=TOKEN_CHARS, min_size=8, max_size=40), st.text(max_size=30), st.text(max_size=30))
def test_no_error_message_can_carry_a_registered_token(token, before, after):
    register_secret(token)
    text = f"{before}{token}{after}"
    assert token not in redact(text)
    for err in (BcsError(text), ApiError(1405200, text), AuthError(text, 401),
                ProtocolError(text, text, 502)):
        assert token not in err.message and token not in str(err)
        assert token not in getattr(err, "server_message", "") and token not in getattr(err, "text", "")


@given(st.text(alphabet=TOKEN_CHARS + "-._~+/", min_size=1, max_size=40))
def test_a_bearer_header_echoed_back_is_redacted(secret):
    assert redact(f'{{"Authorization": "Bearer {secret}"}}') == '{"Authorization": "Bearer ***"}'


# ------------------------------------------------------------------ validators fail only cleanly

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)
APP = {"apiVersion": "v4", "kind": "application",
       "metadata": {"name": "chat", "namespace": "hero-prod", "labels": {}},
       "spec": {"instance": 3, "template": {"spec": {"containers": [{"docker": {"image": "x:1"}}]}}}}
PATHS = [("kind",), ("metadata",), ("metadata", "name"), ("metadata", "namespace"), ("spec",),
         ("spec", "instance"), ("spec", "template"), ("apiVersion",)]


def _set(doc: dict, path: tuple, value) -> dict:
    doc = json.loads(json.dumps(doc))
    node = doc
    for k in path[:-1]:
        if not isinstance(node.get(k), dict):
            node[k] = {}
        node = node[k]
    node[path[-1]] = value
    return doc


@settings(max_examples=150)
@given(st.sampled_from(PATHS), JSON_VALUES, st.sampled_from([None, 2]))
def test_manifest_validation_raises_only_invalid_input_and_names_a_line(path, value, indent):
    from bcs_tui.api.models import ReplicaController

    text = json.dumps(_set(APP, path, value), indent=indent)
    rules = v.ManifestRules(kinds=("application",), namespace="hero-prod", name="chat", model=ReplicaController)
    try:
        data = v.validate_manifest(text, rules)
    except v.InvalidInput as exc:
        assert exc.message
        if indent:  # a multi-line manifest: the error points at a line that exists
            assert exc.line is None or 1 <= exc.line <= len(text.splitlines())
        return
    assert data["metadata"]["name"] == "chat" and data["metadata"]["namespace"] == "hero-prod"
    assert data["kind"].lower() == "application"


@given(st.text(max_size=200))
def test_manifest_validation_of_any_text_raises_only_invalid_input(text):
    try:
        v.validate_manifest(text, v.ManifestRules())
    except v.InvalidInput:
        pass


@given(st.text(max_size=60))
def test_form_parsers_raise_only_invalid_input(text):
    for parse in (v.parse_instances, v.parse_signal, v.validate_process_name, v.parse_taints, v.parse_env,
                  v.parse_attributes, v.parse_ip_list, v.validate_user, v.validate_workdir, v.validate_image,
                  v.parse_seconds, lambda s: v.parse_command(s, shell=False), lambda s: v.parse_command(s, shell=True)):
        try:
            parse(text)
        except v.InvalidInput as exc:
            assert exc.describe()


@given(HOSTILE)
def test_process_names_with_controls_are_refused(junk):
    if CONTROL.search(junk) is None:
        return
    try:
        v.validate_process_name("ngi" + junk + "nx")  # inside the name: not trimmed away
    except v.InvalidInput:
        return
    raise AssertionError(f"accepted a process name with control characters: {junk!r}")
