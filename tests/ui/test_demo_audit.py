"""`--demo` writes leave the same audit trail as a real context's."""

import json

from bcs_tui.compose import Backend
from bcs_tui.config import demo_settings
from bcs_tui.ui.app import BcsApp


async def test_demo_writes_are_audited(tmp_path, monkeypatch):
    monkeypatch.setenv("BCS_TUI_STATE_DIR", str(tmp_path))
    settings = demo_settings()
    app = BcsApp(settings, backend=Backend(settings))
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(100):
            if app.client is not None:
                break
            await pilot.pause(0.05)
        await app.client.scale_application("hero-test", "battle", 3)
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    record = json.loads(lines[-1])
    assert record["context"] == "demo"
    assert record["method"] == "PUT"
    assert record["path"].endswith("/namespaces/hero-test/applications/battle/scale/3")
    assert "Bearer" not in lines[-1]
