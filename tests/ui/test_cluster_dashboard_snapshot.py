"""Snapshot of the cluster dashboard on --scenario clustered (fixed seed and port, no polling, slow clock)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.cluster_dashboard import ClusterDashboardScreen

# A rendered-screen comparison now and then differs in styling only (root cause not found yet): one retry.
pytestmark = [pytest.mark.snapshot, pytest.mark.flaky(reruns=2)]


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    from tests.conftest import open_lab

    lab = open_lab(
        tmp_path_factory.mktemp("dash-snap"), seed=2026, speed=1.0, port=5993, scenario="clustered"
    )
    yield lab
    lab.close()


def test_cluster_dashboard_snapshot(snap_compare, clustered: Opened) -> None:  # type: ignore[no-untyped-def]
    app = HvConsoleApp(clustered.workspace, poll_seconds=0, initial_refresh=False)

    async def open_dashboard(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = ClusterDashboardScreen(clustered.workspace, poll_seconds=0)
        await pilot.app.push_screen(screen)
        for _ in range(400):
            if screen.state is not None:
                break
            await asyncio.sleep(0.05)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(100, 26), run_before=open_dashboard)
