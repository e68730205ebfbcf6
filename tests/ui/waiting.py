"""Waiting in Pilot tests for something the app does on a worker or a timer (reads against the lab)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Yield to the app until ``condition()`` holds; fail the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"the condition was not met within {timeout:.0f} s")
        await asyncio.sleep(0.05)
