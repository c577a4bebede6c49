"""Validators: pure functions, property-tested."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings, strategies as st
from pydantic import BaseModel, ConfigDict, Field

from bcs_tui.ui import validators as v
from bcs_tui.ui.validators import InvalidInput, ManifestRules

settings.register_profile("ops", max_examples=60, deadline=None)
settings.load_profile("ops")


# ---------------------------------------------------------------- instances


@given(st.integers(min_value=1, max_value=v.MAX_INSTANCES))
def test_instances_accepts_every_sane_count(n):
    assert v.parse_instances(str(n)) == n
    assert v.parse_instances(f"  {n} ") == n


@given(st.integers(max_value=0) | st.integers(min_value=v.MAX_INSTANCES + 1))
def test_instances_refuses_out_of_range(n):
    with pytest.raises(InvalidInput) as err:
        v.parse_instances(str(n))
    assert "instances" in err.value.describe()


@given(st.text().filter(lambda s: not s.strip().lstrip("+").replace("_", "").isdigit()))
def test_instances_refuses_non_numbers(s):
    with pytest.raises(InvalidInput):
        v.parse_instances(s)


def test_instances_messages():
    with pytest.raises(InvalidInput, match="at least 1"):
        v.parse_instances("0")
    with pytest.raises(InvalidInput, match="whole number"):
        v.parse_instances("2.5")
    with pytest.raises(InvalidInput, match="empty"):
        v.parse_instances("")


def test_seconds():
    assert v.parse_seconds("") == 0
    assert v.parse_seconds("90") == 90
    assert v.parse_seconds("5m") == 300
    assert v.parse_seconds("2h") == 7200
    with pytest.raises(InvalidInput):
        v.parse_seconds("soon")
    with pytest.raises(InvalidInput):
        v.parse_seconds("30d")


# ---------------------------------------------------------------- IPs


@given(st.lists(st.ip_addresses(v=4), min_size=1, max_size=8), st.sampled_from([",", " ", "\n", ", "]))
def test_ip_list_roundtrip(ips, sep):
    text = sep.join(str(ip) for ip in ips)
    out = v.parse_ip_list(text)
    assert out == list(dict.fromkeys(str(ip) for ip in ips))


@pytest.mark.parametrize("text", ["", "10.0.0", "10.0.0.256", "host-1", "10.0.0.1,,x"])
def test_ip_list_refuses(text):
    with pytest.raises(InvalidInput):
        v.parse_ip_list(text)


# ---------------------------------------------------------------- taints

taint_key = st.from_regex(r"\A[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?\Z")
taint_value = st.from_regex(r"\A([A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?)?\Z")


@given(st.dictionaries(taint_key, taint_value, max_size=6))
def test_taints_roundtrip(taints):
    assert v.parse_taints(v.format_taints(taints)) == taints


def test_taints_empty_means_none():
    assert v.parse_taints("") == {}
    assert v.parse_taints("\n# comment\n\n") == {}


@pytest.mark.parametrize("text,line", [
    ("a=1\nnoequals", 2),
    ("a=1\nb c=2", 2),
    ("a=1\n\na=2", 3),
    ("k=$(reboot)", 1),
    ("=v", 1),
])
def test_taints_errors_name_the_line(text, line):
    with pytest.raises(InvalidInput) as err:
        v.parse_taints(text)
    assert err.value.line == line
    assert f"line {line}" in err.value.describe()


@given(st.text(alphabet=string.punctuation.replace("=", "").replace("#", "") + " ", min_size=1, max_size=5))
def test_taint_keys_with_punctuation_refused(junk):
    key = "a" + junk + "b"
    if v._TAINT_KEY.fullmatch(key):
        return
    with pytest.raises(InvalidInput):
        v.parse_taints(f"{key}=x")


# ---------------------------------------------------------------- env and attributes


@given(st.dictionaries(st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,10}\Z"),
                       st.text(alphabet=string.ascii_letters + string.digits + " =:/._-", max_size=12), max_size=5))
def test_env_lines(env):
    text = "\n".join(f"{k}={val}" for k, val in env.items())
    assert v.parse_env(text) == [f"{k}={val.strip()}" for k, val in env.items()]


def test_env_errors():
    with pytest.raises(InvalidInput, match="bad variable name"):
        v.parse_env("1X=2")
    with pytest.raises(InvalidInput, match="twice"):
        v.parse_env("A=1\nA=2")


attr_key = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?\Z")


@given(st.dictionaries(attr_key, st.text(alphabet=string.ascii_letters + string.digits + "-_ ", max_size=10).map(str.strip),
                       max_size=4),
       st.dictionaries(attr_key, st.integers(-1000, 1000).map(float) | st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3)),
                       max_size=4))
def test_attributes_roundtrip(strings, scalars):
    scalars = {k: val for k, val in scalars.items() if k not in strings}
    parsed = v.parse_attributes(v.format_attributes(strings, scalars))
    assert parsed.strings == strings
    assert parsed.scalars == scalars


def test_attributes_errors():
    with pytest.raises(InvalidInput) as err:
        v.parse_attributes("City=sz\n[scalars]\nip-resources=ten")
    assert err.value.line == 3
    with pytest.raises(InvalidInput, match="unknown section"):
        v.parse_attributes("[labels]")


# ---------------------------------------------------------------- signals


@given(st.integers(1, 64))
def test_signal_numbers(n):
    assert v.parse_signal(str(n)) == n


@given(st.integers().filter(lambda n: not 1 <= n <= 64))
def test_signal_numbers_out_of_range(n):
    with pytest.raises(InvalidInput):
        v.parse_signal(str(n))


@given(st.sampled_from(sorted(v.SIGNALS)), st.sampled_from(["", "SIG", "sig", "Sig"]), st.booleans())
def test_signal_names(name, prefix, lower):
    text = prefix + (name.lower() if lower else name)
    assert v.parse_signal(text) == v.SIGNALS[name]


def test_signal_examples():
    assert v.parse_signal("SIGTERM") == 15
    assert v.parse_signal("TERM") == 15
    assert v.parse_signal("15") == 15
    assert v.parse_signal("SIGRTMIN+2") == 36
    assert v.signal_label(9) == "SIGKILL (9)"
    with pytest.raises(InvalidInput, match="unknown signal"):
        v.parse_signal("SIGFOO")


# ---------------------------------------------------------------- process names

SAFE = string.ascii_letters + string.digits + "_.+@:,%/-"


@given(st.text(alphabet=SAFE, min_size=1, max_size=60).filter(lambda s: not s.startswith("-")))
def test_process_names_accepted(name):
    assert v.validate_process_name(name) == name


@given(st.text(alphabet=SAFE, max_size=10), st.sampled_from(list(" \t'\"`$;|&<>()*?[]{}\\!~#\n")),
       st.text(alphabet=SAFE, max_size=10))
def test_process_names_with_shell_metacharacters_refused(a, bad, b):
    name = "p" + a + bad + b + "q"
    with pytest.raises(InvalidInput):
        v.validate_process_name(name)


def test_process_name_cases():
    with pytest.raises(InvalidInput, match="empty"):
        v.validate_process_name("")
    with pytest.raises(InvalidInput, match="start with '-'"):
        v.validate_process_name("-9")
    with pytest.raises(InvalidInput, match="';'"):
        v.validate_process_name("nginx;reboot")


# ---------------------------------------------------------------- commands


@given(st.lists(st.text(alphabet=string.ascii_letters + string.digits + " -_./|;'\"$", min_size=1, max_size=10),
                min_size=1, max_size=5))
def test_command_split_roundtrip(argv):
    import shlex

    assert v.parse_command(shlex.join(argv)) == argv


def test_command_shell_and_errors():
    assert v.parse_command("ps -ef | grep game", shell=True) == ["/bin/sh", "-c", "ps -ef | grep game"]
    assert v.parse_command("echo 'a b'") == ["echo", "a b"]
    with pytest.raises(InvalidInput, match="quote"):
        v.parse_command("echo 'oops")
    with pytest.raises(InvalidInput, match="empty"):
        v.parse_command("   ")
    assert v.looks_like_shell("ps | grep x")
    assert not v.looks_like_shell("ls -l /")


def test_user_and_workdir():
    assert v.validate_user("") == ""
    assert v.validate_user("root") == "root"
    assert v.validate_user("1000:1000") == "1000:1000"
    with pytest.raises(InvalidInput):
        v.validate_user("root; id")
    assert v.validate_workdir("") == ""
    assert v.validate_workdir("/data/app") == "/data/app"
    with pytest.raises(InvalidInput, match="absolute"):
        v.validate_workdir("data")


def test_image_and_name():
    assert v.validate_image("hub.example.com:8443/game/server:1.2.3") == "hub.example.com:8443/game/server:1.2.3"
    with pytest.raises(InvalidInput):
        v.validate_image("bad image")
    assert v.validate_name("web-1") == "web-1"
    with pytest.raises(InvalidInput, match="'.'"):
        v.validate_name("web.1")


# ---------------------------------------------------------------- manifests

APP = """{
  "apiVersion": "v4",
  "kind": "application",
  "metadata": {
    "name": "web",
    "namespace": "prod"
  },
  "spec": {
    "instance": 2,
    "template": {"spec": {"containers": [
      {"docker": {"image": "nginx:1"}},
      {"docker": {"image": 5}}
    ]}}
  }
}"""


class _Docker(BaseModel):
    model_config = ConfigDict(extra="allow")
    image: str


class _Container(BaseModel):
    docker: _Docker


class _TemplateSpec(BaseModel):
    containers: list[_Container]


class _Template(BaseModel):
    spec: _TemplateSpec


class _Spec(BaseModel):
    instance: int = Field(ge=1)
    template: _Template


class _App(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    spec: _Spec


def test_json_syntax_error_has_line_and_column():
    with pytest.raises(InvalidInput) as err:
        v.validate_manifest('{\n  "kind": "application",\n  "metadata": {"name": "x",}\n}', ManifestRules())
    assert err.value.line == 3
    assert err.value.column is not None
    assert "JSON syntax error" in err.value.message


def test_model_error_points_at_the_field_line():
    rules = ManifestRules(kinds=("application",), namespace="prod", model=_App)
    with pytest.raises(InvalidInput) as err:
        v.validate_manifest(APP, rules)
    assert err.value.field == "spec.template.spec.containers[1].docker.image"
    assert err.value.line == 12


def test_manifest_rules():
    ok = v.validate_manifest(APP.replace('"image": 5', '"image": "redis:7"'),
                             ManifestRules(kinds=("application",), namespace="prod", model=_App))
    assert ok["metadata"]["name"] == "web"
    with pytest.raises(InvalidInput) as err:
        v.validate_manifest(APP, ManifestRules(kinds=("deployment",)))
    assert err.value.field == "kind" and err.value.line == 3
    with pytest.raises(InvalidInput) as err:
        v.validate_manifest(APP, ManifestRules(namespace="dev"))
    assert err.value.field == "metadata.namespace" and err.value.line == 6
    with pytest.raises(InvalidInput, match="contains '.'"):
        v.validate_manifest(APP.replace('"web"', '"web.v2"'), ManifestRules())
    with pytest.raises(InvalidInput, match="you are editing"):
        v.validate_manifest(APP, ManifestRules(name="api"))
    with pytest.raises(InvalidInput, match="JSON object"):
        v.validate_manifest("[1]", ManifestRules())
    with pytest.raises(InvalidInput, match="namespace is missing"):
        v.validate_manifest('{"metadata": {"name": "a"}}', ManifestRules())


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=3)
                    | st.dictionaries(st.text(max_size=4), children, max_size=3), max_leaves=12),
       st.integers(0, 2))
def test_json_positions_cover_every_path(doc, indent):
    text = json.dumps({"root": doc}, indent=indent or None)
    positions = v.json_positions(text)

    def paths(node, prefix):
        yield prefix
        if isinstance(node, dict):
            for k, child in node.items():
                yield from paths(child, prefix + (k,))
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from paths(child, prefix + (i,))

    lines = text.count("\n") + 1
    for path in paths({"root": doc}, ()):
        assert path in positions
        assert 1 <= positions[path] <= lines
