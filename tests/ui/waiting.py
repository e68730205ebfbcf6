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


async def dashboard_ready(pilot, timeout: float = 90.0) -> None:  # type: ignore[no-untyped-def]
    """Every host connected and read, the refresh finished, the cursor on the first row: a stable screen."""
    from hvconsole.ui.widgets.host_table import HostTable

    screen = pilot.app.screen
    table = screen.query_one(HostTable)

    def ready() -> bool:
        rows = table.rows_by_host.values()
        connected = bool(rows) and all(r.state == "connected" and r.overview is not None for r in rows)
        return connected and not screen.refreshing

    await wait_for(ready, timeout)
    table.move_cursor(row=0)
    await settled(pilot)


async def settled(pilot, step: float = 0.25, attempts: int = 40) -> None:  # type: ignore[no-untyped-def]
    """Wait until two screenshots a moment apart are the same (late messages, a theme's styles being applied
    on a loaded machine), so a snapshot shows the screen at rest."""
    previous = None
    for _ in range(attempts):
        await pilot.pause(step)
        current = pilot.app.export_screenshot()
        if current == previous:
            return
        previous = current
    raise AssertionError("the screen did not settle")
