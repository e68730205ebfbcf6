"""FeaturesScreen over the lab (Pilot, 80×24): the roles × hosts matrix, space toggles a cell, the plan
installs on several hosts at once, Hyper-V shows "pending restart" afterwards, nothing toggled says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from hvconsole.launch import Opened
from hvconsole.stages.features import ROLES
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.features import FeaturesScreen
from hvconsole.ui.screens.plan import PlanScreen
from tests.conftest import open_lab
from tests.ui.waiting import wait_for


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("features-ui-lab"), seed=24, speed=50.0)
    yield opened
    opened.close()


async def open_screen(app: HvConsoleApp, pilot) -> FeaturesScreen:  # type: ignore[no-untyped-def]
    screen = FeaturesScreen(app.workspace)
    await app.push_screen(screen)
    await wait_for(lambda: screen.state is not None)
    await pilot.pause()
    return screen


async def test_nothing_toggled_says_so(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        screen.query_one(DataTable).focus()
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is screen


async def test_toggle_plan_apply_and_pending_restart(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == len(ROLES)
        hyperv = ROLES.index("Hyper-V")
        assert table.get_cell_at(Coordinate(hyperv, 2)) == "available"
        table.focus()
        for column in (2, 3):
            table.cursor_coordinate = Coordinate(hyperv, column)
            await pilot.press("space")
        assert table.get_cell_at(Coordinate(hyperv, 2)) == "+ install"
        table.cursor_coordinate = Coordinate(ROLES.index("FS-iSCSITarget-Server"), 1)
        await pilot.press("space", "space", "space")  # on, off, on: toggling twice is back to no change
        await pilot.press("p")
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        plan_screen = app.screen
        assert isinstance(plan_screen, PlanScreen)
        assert len(plan_screen.plan.phases) == 1 and len(plan_screen.plan.hosts) == 3
        plan_screen._start_apply()
        await wait_for(lambda: plan_screen.report is not None, 60)
        assert plan_screen.report is not None and plan_screen.report.succeeded
        await pilot.press("escape")
        await wait_for(lambda: app.screen is screen and not screen.wanted)
        await pilot.pause(0.5)
        await wait_for(lambda: table.get_cell_at(Coordinate(hyperv, 2)) == "pending restart")
        assert table.get_cell_at(Coordinate(ROLES.index("FS-iSCSITarget-Server"), 1)) == "installed"
