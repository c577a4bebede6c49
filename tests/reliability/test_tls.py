"""TLS against a real loopback HTTPS simulator with a self-signed certificate: verification is on
by default (refused, with the setting that fixes it), a CA file makes it work, and `insecure`
works only when asked for, with the warning badge on screen."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
import uvicorn

from bcs_tui.api.client import BcsClient
from bcs_tui.api.errors import TransportError
from bcs_tui.compose import Backend
from bcs_tui.config import load_config, resolve_settings
from bcs_tui.sim.server import bind_socket, create_app
from bcs_tui.ui.app import BcsApp

from .conftest import SIZE, TOKEN, flashes, screen_text, settle

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


@pytest.fixture
async def https_sim(cluster, certificate):
    cert, key = certificate
    config = uvicorn.Config(create_app(cluster, token=TOKEN), ssl_certfile=str(cert), ssl_keyfile=str(key),
                            log_level="error", lifespan="off", access_log=False, log_config=None)
    server = uvicorn.Server(config)
    sock = bind_socket("127.0.0.1", 0)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done()
        await asyncio.sleep(0.01)
    yield f"https://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def test_verification_is_on_by_default_and_says_how_to_fix_it(https_sim, cluster):
    async with BcsClient(https_sim, cluster.cluster_id, TOKEN, get_retries=0) as client:
        with pytest.raises(TransportError) as info:
            await client.list_applications("hero-prod")
    message = info.value.message
    assert "certificate" in message and "ca_file" in message and "--insecure" in message
    assert TOKEN not in message


async def test_a_ca_file_or_insecure_connects(https_sim, cluster, certificate):
    async with BcsClient(https_sim, cluster.cluster_id, TOKEN, verify=str(certificate[0]), get_retries=0) as c:
        assert await c.list_applications("hero-prod")
    async with BcsClient(https_sim, cluster.cluster_id, TOKEN, verify=False, get_retries=0) as c:
        assert await c.list_applications("hero-prod")


def console(settings, cluster) -> BcsApp:
    return BcsApp(settings, backend=Backend(settings), now=cluster.clock.now)


def _settings(tmp_path, server: str, extra: str):
    token_file = tmp_path / "t.token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o600)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[contexts.prod]\nserver = "{server}"\ncluster_id = "BCS-MESOS-10001"\n'
                   f'token_file = "{token_file}"\nrefresh = 3600\n{extra}')
    env = {"BCS_TUI_CONFIG": str(cfg), "BCS_TUI_STATE_DIR": str(tmp_path / "state"), "HOME": str(tmp_path)}
    return resolve_settings(load_config(cfg), environ=env)


async def test_the_console_refuses_an_untrusted_server_and_says_why(https_sim, cluster, tmp_path):
    app = console(_settings(tmp_path, https_sim, ""), cluster)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        shown = screen_text(app)
        assert "Cannot load applications" in shown and "certificate" in shown, shown
        assert "TLS NOT VERIFIED" not in shown
        assert not app.browser.state.objects


async def test_the_console_with_a_ca_file_loads_and_with_insecure_warns(https_sim, cluster, tmp_path, certificate):
    app = console(_settings(tmp_path, https_sim, f'ca_file = "{certificate[0]}"\n'), cluster)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        assert app.browser.state.objects and "TLS NOT VERIFIED" not in screen_text(app)
    (tmp_path / "i").mkdir()
    app = console(_settings(tmp_path / "i", https_sim, "insecure = true\n"), cluster)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        assert app.browser.state.objects
        assert "TLS NOT VERIFIED" in screen_text(app)
        assert any("verification is OFF" in m for m in flashes(app))
