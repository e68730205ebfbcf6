"""FirewallScreen over the lab (Pilot, 80×24): the groups × hosts matrix, space toggles a cell's wanted state,
the plan enables exactly that group, and the preflight checklist shows what later stages still need."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from hvconsole.launch import Opened
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.firewall import ROWS, FirewallScreen
from hvconsole.ui.screens.plan import PlanScreen
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("firewall-ui-lab"))
    yield opened
    opened.close()


async def test_matrix_toggle_plan_and_preflight(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = FirewallScreen(app.workspace)
        await app.push_screen(screen)
        for _ in range(200):
            if screen.state is not None:
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert table.row_count == len(ROWS)
        rdp = [key for _, key in ROWS].index("Remote Desktop")
        assert table.get_cell_at(Coordinate(rdp, 1)) == "off"
        preflight = str(screen.query_one("#fw-preflight", Static).render())
        assert "✘ Network" in preflight and "✘ Storage" in preflight
        table.focus()
        table.cursor_coordinate = Coordinate(rdp, 1)
        await pilot.press("space")
        assert table.get_cell_at(Coordinate(rdp, 1)) == "off → on"
        await pilot.press("p")
        for _ in range(100):
            if isinstance(app.screen, PlanScreen):
                break
            await asyncio.sleep(0.05)
        assert isinstance(app.screen, PlanScreen)
        script = app.screen.plan.script()
        assert script.count("Enable-NetFirewallRule") == 1 and "'Remote Desktop'" in script


async def test_nothing_toggled_says_so(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = FirewallScreen(app.workspace)
        await app.push_screen(screen)
        for _ in range(200):
            if screen.state is not None:
                break
            await asyncio.sleep(0.05)
        screen.query_one(DataTable).focus()
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is screen
