"""The last context, namespace and view are remembered per context and restored at start,
unless the command line says otherwise."""

from __future__ import annotations

import json
import stat

import pytest

from bcs_tui import cli, remember
from bcs_tui.api.client import BcsClient
from bcs_tui.sim.server import create_app
from tests.asgistream import StreamingASGITransport
from tests.apptest import demo_cluster

CONFIG = '''current_context = "test"
[contexts.test]
server = "http://sim"
cluster_id = "BCS-MESOS-10001"
namespace = "hero-prod"
refresh = 3600
[contexts.prod]
server = "http://sim"
cluster_id = "BCS-MESOS-10001"
refresh = 3600
'''


@pytest.fixture
def env(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text(CONFIG)
    monkeypatch.setenv("BCS_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def start(argv: list[str]):
    return cli.build_settings(cli._console_parser().parse_args(argv))


async def run_session(settings, keys_then_command: str | None):
    """Drive the real app on the simulator; type a `:` command; quit with q; as run_console does."""
    from bcs_tui.ui.app import BcsApp

    cluster = demo_cluster()
    client = BcsClient("http://sim", cluster.cluster_id, transport=StreamingASGITransport(create_app(cluster)))
    app = BcsApp(settings, client=client, now=cluster.clock.now)
    async with app.run_test(size=(120, 40)) as pilot:
        async def loaded():
            for _ in range(200):
                await pilot.pause(0.02)
                if app.browser.state.loaded or app.browser.state.error:
                    return
        await loaded()
        if keys_then_command:
            await pilot.press("colon")
            await pilot.pause()
            app.screen.query_one("#command-input").value = keys_then_command
            await pilot.press("enter")
            await loaded()
        shown = (app.browser.state.kind.name, app.namespace)
        await pilot.press("q")
        await pilot.pause()
    cli.remember_run(settings, app.last_view)
    return shown


async def test_quit_in_a_view_and_the_next_start_opens_it_again(env):
    settings = start([])
    assert settings.context.name == "test" and settings.namespace == "hero-prod" and settings.initial_command is None
    assert await run_session(settings, "agent") == ("agents", "hero-prod")
    saved = json.loads(remember.state_file(env).read_text())
    assert saved == {"context": "test", "contexts": {"test": {"namespace": "hero-prod", "view": "agents"}}}
    assert stat.S_IMODE(remember.state_file(env).stat().st_mode) == 0o600

    again = start([])
    assert again.initial_command == "agents"
    assert await run_session(again, "tg all") == ("taskgroups", None)  # all namespaces is remembered too
    third = start([])
    assert (third.namespace, third.initial_command) == (None, "taskgroups")

    # the command line wins
    flags = start(["-n", "hero-test", "--command", "dp"])
    assert (flags.namespace, flags.initial_command) == ("hero-test", "dp")


async def test_the_last_context_wins_over_current_context_unless_one_is_named(env):
    prod = start(["--context", "prod"])
    await run_session(prod, "svc hero-prod")
    s = start([])
    assert (s.context.name, s.namespace, s.initial_command) == ("prod", "hero-prod", "services")
    assert start(["--context", "test"]).context.name == "test"
    # a context removed from the config is forgotten, not an error
    (env.parent / "config.toml").write_text(CONFIG.split("[contexts.prod]")[0])
    assert start([]).context.name == "test"


async def test_a_drilled_view_remembers_only_the_namespace(env):
    settings = start([])
    await run_session(settings, "tg hero-prod/gateway")
    assert remember.load(env)["contexts"]["test"] == {"namespace": "hero-prod"}


@pytest.mark.parametrize("text", ["not json", "[]", '{"context": "a b", "contexts": {"x": {"namespace": "\\u001b[31m"}}}',
                                  '{"contexts": {"bad name!": {}}}'])
def test_a_broken_state_file_is_ignored(env, text):
    env.mkdir(parents=True)
    remember.state_file(env).write_text(text)
    data = remember.load(env)
    assert "context" not in data and all("\x1b" not in json.dumps(v) for v in data.get("contexts", {}).values())
    s = start([])
    assert s.context.name == "test" and s.initial_command is None


def test_demo_is_never_remembered(env):
    settings = start(["--demo"])
    cli.remember_run(settings, {"context": "demo", "namespace": "x", "view": "agents"})
    assert not remember.state_file(env).exists()
