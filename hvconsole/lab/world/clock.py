"""The lab clock: lab time runs ``speed`` times faster than real time, from where the saved state left it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class LabClock:
    def __init__(self, start: float, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("the lab clock's speed must be positive")
        self.start = start
        self.speed = speed
        self._real_start = time.monotonic()

    def now(self) -> float:
        """Lab time in epoch seconds."""
        return self.start + (time.monotonic() - self._real_start) * self.speed

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def real_seconds(self, lab_seconds: float) -> float:
        """How long ``lab_seconds`` of lab time take in real time."""
        return max(0.0, lab_seconds / self.speed)

    def sleep(self, lab_seconds: float) -> None:
        time.sleep(self.real_seconds(lab_seconds))
