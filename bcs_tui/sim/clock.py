"""The simulator's clock: wall time when served, advanced by hand in tests."""

from __future__ import annotations

import time

# 2025-11-27 08:00:00 UTC: a fixed start so manual-clock runs (tests, snapshots) are repeatable.
MANUAL_EPOCH = 1764230400.0


class SimClock:
    """`now()` in unix seconds (float). Manual clocks only move through `advance()`."""

    def __init__(self, manual: bool = False, start: float | None = None) -> None:
        self.manual = manual
        self._offset = 0.0
        if manual:
            self._now = MANUAL_EPOCH if start is None else float(start)
        else:
            self._now = 0.0
            if start is not None:
                self._offset = float(start) - time.time()

    def now(self) -> float:
        if self.manual:
            return self._now
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward (a wall clock is shifted too, so tests can skip ahead)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self.manual:
            self._now += seconds
        else:
            self._offset += seconds
        return self.now()
