"""MigrationMonitorScreen (Pilot, 80×24): polls never overlap and reschedule themselves; rows update in place;
the summary names the one failure among many. Against the lab (the classic scenario until the `clustered`
scenario with Hyper-V lands: then nothing migrates and the summary says so)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.stages.migration_views import MigrationView
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.migration_monitor import MigrationMonitorScreen, MigrationRow
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("monitor-ui-lab"), seed=31, speed=50.0)
    yield opened
    opened.close()


def view(vm: str, outcome: str = "running", percent: int = 40, failure: str | None = None) -> MigrationView:
    return MigrationView(vm=vm, source="HV1", destination="HV2", outcome=outcome, phase="pass 2" if outcome == "running" else outcome,
                         percent=percent, pass_number=2, dirty_pages=900, rate_now=11e6, rate_avg=10e6, bytes_left=300 * 2**20,
                         eta=28.0, elapsed=60.0, blackout=0.2 if outcome == "done" else None, failure=failure,
                         history=(9e6, 11e6), started=float(hash(vm) % 1000))  # fmt: skip


async def test_polls_reschedule_without_overlap(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = MigrationMonitorScreen(app.workspace, interval=0.1)
        await app.push_screen(screen)
        for _ in range(400):
            if screen.polls >= 3:
                break
            screen.action_poll_now()  # asking while a poll runs does not start a second one
            await asyncio.sleep(0.05)
        assert screen.polls >= 3
        assert len([w for w in screen.workers if w.group == "migration-poll" and w.is_running]) <= 1
        await pilot.pause()
        assert "No migrations" in str(screen.summary_text()) or "Poll failed" not in str(
            screen.summary_text()
        )


async def test_rows_update_in_place_and_summary_names_failure(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = MigrationMonitorScreen(app.workspace, interval=3600)
        await app.push_screen(screen)
        await pilot.pause()
        views = [view(f"VM{i}", "done", 100) for i in range(7)]
        views.append(view("VM3x", "failed", 93, "HV2: the virtual switch 'External' was not found"))
        screen.show(views)
        await pilot.pause()
        rows = list(screen.query(MigrationRow))
        assert len(rows) == 8
        assert str(screen.summary_text()).startswith(
            "7 done, 1 failed: VM3x → HV2: HV2: the virtual switch 'External' was not found"
        )
        first = rows[0]
        screen.show([view("VM0", "running", 55), *views[1:]])
        await pilot.pause()
        assert screen.query(MigrationRow).first() is first  # updated, not rebuilt
