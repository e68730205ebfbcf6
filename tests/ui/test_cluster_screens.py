"""Pilot tests of the cluster wizard, quorum, Storage & CSV and cluster dashboard screens against the lab:
bad input gets a message at the field and no plan; good input opens the plan screen with the PowerShell."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from textual.widgets import DataTable, Select

from hvconsole.launch import Opened
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.cluster_dashboard import ClusterDashboardScreen
from hvconsole.ui.screens.cluster_wizard import ClusterWizardScreen
from hvconsole.ui.screens.csv import CsvScreen
from hvconsole.ui.screens.plan import PlanScreen
from hvconsole.ui.screens.quorum import QuorumScreen
from hvconsole.ui.screens.stage import StageScreen
from hvconsole.ui.widgets.fields import Field
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    lab = open_lab(tmp_path_factory.mktemp("wizard-ui"), seed=31, speed=200.0, scenario="prepared")
    yield lab
    lab.close()


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    lab = open_lab(tmp_path_factory.mktemp("cluster-ui"), seed=31, speed=200.0, scenario="clustered")
    yield lab
    lab.close()


async def _open(app: HvConsoleApp, screen: StageScreen) -> StageScreen:
    await app.push_screen(screen)
    for _ in range(400):
        if screen.state is not None:
            break
        await asyncio.sleep(0.05)
    assert screen.state is not None
    return screen


async def _plan(app: HvConsoleApp) -> PlanScreen | None:
    for _ in range(60):
        if isinstance(app.screen, PlanScreen):
            return app.screen
        await asyncio.sleep(0.05)
    return None


async def _refused(pilot, screen: StageScreen, field_id: str, key: str = "p") -> str:  # type: ignore[no-untyped-def]
    screen.set_focus(None)  # a key typed in a field goes to the field
    await pilot.press(key)
    await pilot.pause()
    assert pilot.app.screen is screen
    field = screen.query_one(f"#{field_id}", Field)
    assert field.has_class("-invalid"), field_id
    return str(field.query_one(".field-error").render())


async def test_wizard_refuses_an_address_outside_the_subnet_then_plans_the_create(prepared: Opened) -> None:
    app = HvConsoleApp(prepared.workspace, initial_refresh=False)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await _open(app, ClusterWizardScreen(prepared.workspace))
        assert isinstance(screen, ClusterWizardScreen)
        assert screen.picked == ["HV1", "HV2"]
        screen.query_one("#cw-address", Field).value = "192.168.7.7"
        assert "not in a subnet every node has" in await _refused(pilot, screen, "cw-address")
        screen.query_one("#cw-address", Field).value = "10.20.0.50"
        screen.query_one("#cw-name", Field).value = "BAD NAME;"
        assert "1–15 letters" in await _refused(pilot, screen, "cw-name")
        screen.query_one("#cw-name", Field).value = "CLUSTER1"
        screen.query_one(DataTable).focus()
        await pilot.press("p")
        shown = await _plan(app)
        assert shown is not None
        assert shown.plan.steps[0].powershell == (
            "New-Cluster -Name 'CLUSTER1' -Node 'HV1', 'HV2' -StaticAddress @('10.20.0.50')"
        )


async def test_quorum_refuses_a_csv_as_disk_witness_and_plans_a_file_share(clustered: Opened) -> None:
    app = HvConsoleApp(clustered.workspace, initial_refresh=False)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await _open(app, QuorumScreen(clustered.workspace))
        screen.query_one("#q-choice", Select).value = "disk"
        screen.query_one("#q-disk", Field).value = "Cluster Disk 2"
        screen.query_one("#q-choice", Select).focus()
        assert "a CSV cannot be the disk witness" in await _refused(pilot, screen, "q-disk")
        screen.query_one("#q-choice", Select).value = "share"
        screen.query_one("#q-share", Field).value = "Quo rum$"
        assert "share name" in await _refused(pilot, screen, "q-share")
        screen.query_one("#q-share", Field).value = "Quorum"
        assert screen.query_one("#q-storage", Field).value == "STOR1"
        screen.query_one("#q-choice", Select).focus()
        await pilot.press("p")
        shown = await _plan(app)
        assert shown is not None
        script = shown.plan.script()
        assert "New-SmbShare -Name 'Quorum' -Path 'C:\\Quorum' -FullAccess @('Everyone')" in script
        assert "Set-ClusterQuorum -Cluster 'CLUSTER1' -FileShareWitness '\\\\STOR1\\Quorum'" in script


async def test_csv_screen_lists_disks_and_refuses_bad_fields(clustered: Opened) -> None:
    app = HvConsoleApp(clustered.workspace, initial_refresh=False)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await _open(app, CsvScreen(clustered.workspace))
        table = screen.query_one("#csv-disks", DataTable)
        assert table.row_count == 2
        screen.query_one("#csv-vm-folder", Field).value = 'V"Ms'
        assert "folder name" in await _refused(pilot, screen, "csv-vm-folder", key="v")
        screen.query_one("#csv-vm-folder", Field).value = "VMs"
        screen.query_one("#csv-disk", Field).value = "Cluster Disk 2"
        screen.query_one("#csv-node", Field).value = "HV9"
        assert "not a node" in await _refused(pilot, screen, "csv-node", key="o")
        screen.query_one("#csv-disk", Field).value = "Cluster Disk 1"
        assert "disk witness" in await _refused(pilot, screen, "csv-disk", key="a")
        screen.query_one("#csv-disk", Field).value = "Cluster Disk 2"
        screen.query_one("#csv-node", Field).value = "HV2"
        table.focus()
        await pilot.press("o")
        shown = await _plan(app)
        assert shown is not None
        assert shown.plan.steps[0].powershell == (
            "Move-ClusterSharedVolume -Cluster 'CLUSTER1' -Name 'Cluster Disk 2' -Node 'HV2'"
        )


async def test_dashboard_shows_the_cluster_and_plans_a_drain(clustered: Opened) -> None:
    app = HvConsoleApp(clustered.workspace, initial_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, ClusterDashboardScreen(clustered.workspace, poll_seconds=0))
        await pilot.pause()
        nodes = screen.query_one("#cd-nodes", DataTable)
        assert [nodes.get_row_at(i)[:2] for i in range(nodes.row_count)] == [["HV1", "Up"], ["HV2", "Up"]]
        csvs = screen.query_one("#cd-csvs", DataTable)
        assert csvs.get_row_at(0)[1] == "C:\\ClusterStorage\\Volume1" and "used" in csvs.get_row_at(0)[3]
        nodes.focus()
        nodes.move_cursor(row=1)
        await pilot.press("d")
        shown = await _plan(app)
        assert shown is not None
        assert shown.plan.steps[0].host == "HV1"
        assert shown.plan.steps[0].powershell == "Suspend-ClusterNode -Cluster 'CLUSTER1' -Name 'HV2' -Drain"
