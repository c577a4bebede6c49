"""The composition root of the console: what it talks to, built from the resolved Settings.

`cli.run_console` hands a `Backend` to `BcsApp`; the app never builds a client or starts the
simulator itself. The app calls `connect()` once it runs (the simulator needs the app's event
loop), `client_for(ctx)` on `:ctx` (a client for another context of the run), and `aclose()` on
exit. Tests give the app a client directly, or a Backend with their own transport.
"""

from __future__ import annotations

from typing import Any

from bcs_tui.api.client import BcsClient
from bcs_tui.audit import AuditLog
from bcs_tui.config import Context, Secret, Settings, resolve_token


class Backend:
    """Clients for the contexts of one run, and the simulator of `--demo` (started on connect)."""

    def __init__(self, settings: Settings, *, scale: str = "demo", transport: Any = None) -> None:
        self.settings = settings
        self.scale = scale  # --demo cluster size
        self.transport = transport  # an httpx transport for every client (tests)
        self.sim: Any = None  # the running simulator in --demo
        # The run's first context keeps the token resolved at start when it names no source
        # (bcs-client's bcs_token): `:ctx` back to it must not lose it.
        self._start_token = (settings.context.name, settings.token)

    def audit_log(self) -> AuditLog:
        return AuditLog(self.settings.paths.audit_file)

    async def connect(self) -> BcsClient:
        """The client of the run's context; in `--demo` the simulator is started first."""
        if not self.settings.demo:
            return self._client(self.settings.context, self.settings.token)
        # The simulator only for --demo: a real run never imports it.
        from bcs_tui.sim.clock import SimClock
        from bcs_tui.sim.cluster import SimCluster
        from bcs_tui.sim.server import start_in_loop

        if self.sim is None:
            # A wall clock: the demo cluster lives (and ages) in real time.
            self.sim = await start_in_loop(SimCluster(scale=self.scale, clock=SimClock(manual=False)))
        # Demo writes are audited too (context "demo"): rehearsals leave the same trail.
        return BcsClient(self.sim.url, self.sim.cluster_id, self.sim.token,
                         read_only=self.settings.read_only, audit=self.audit_log(),
                         context_name="demo", transport=self.transport)

    def client_for(self, ctx: Context) -> BcsClient:
        """A client for another context of the run (`:ctx`): its token is resolved now, so a
        failing source raises ConfigError before anything is switched."""
        if ctx.name == self._start_token[0] and ctx.token_source.kind == "none" and self._start_token[1]:
            return self._client(ctx, self._start_token[1])
        return self._client(ctx, resolve_token(ctx))

    def _client(self, ctx: Context, token: Secret | None) -> BcsClient:
        return BcsClient(
            ctx.server,
            ctx.cluster_id,
            token,
            operator=ctx.operator,
            verify=ctx.verify,
            cert=ctx.cert,
            timeout=ctx.timeout or 10.0,
            # --readonly (force_read_only) holds for every context of the run.
            read_only=ctx.read_only or self.settings.force_read_only,
            audit=self.audit_log(),
            context_name=ctx.name,
            transport=self.transport,
        )

    async def aclose(self) -> None:
        if self.sim is not None:
            sim, self.sim = self.sim, None
            await sim.stop()
