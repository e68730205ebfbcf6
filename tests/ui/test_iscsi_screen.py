"""The iSCSI target and initiator screens against the lab, through Textual's Pilot: state shown, bad input
refused at the field, the plan screen opened with the steps (and the short-DNS-name explanation)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.iscsi_initiator import IscsiInitiatorScreen
from hvconsole.ui.screens.iscsi_target import IscsiTargetScreen
from hvconsole.ui.screens.plan import PlanScreen
from hvconsole.ui.widgets.fields import Field
from tests.conftest import open_lab
from tests.ui.waiting import wait_for


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("iscsi-ui"))
    storage = opened.workspace.host_names()[0]
    result = opened.workspace.sessions[storage].invoke(
        Pipeline.of(Command("Install-WindowsFeature", Name=["FS-iSCSITarget-Server"])), raise_on_failure=False
    )
    if result.had_errors:
        opened.close()
        pytest.skip(f"Install-WindowsFeature is not available in the lab yet: {result.terminating_error}")
    yield opened
    opened.close()


async def plan_key(app: HvConsoleApp, pilot: object) -> None:
    """Press p with the focus out of the text fields (a focused Input takes the letter)."""
    app.screen.query_one(DataTable).focus()
    await pilot.press("p")  # type: ignore[attr-defined]


def field(app: HvConsoleApp, field_id: str) -> Field:
    return app.screen.query_one(f"#{field_id}", Field)


async def test_target_screen_plans_the_recipe_and_refuses_bad_input(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, poll_seconds=0, initial_refresh=False)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = IscsiTargetScreen(lab.workspace)
        app.push_screen(screen)
        await wait_for(lambda: screen.state is not None and field(app, "initiators").value)
        assert field(app, "folder").value == "C:\\iSCSIVirtualDisks"  # no data volume yet
        assert field(app, "initiators").value.count("IQN:iqn.1991-05.com.microsoft:") == 2
        field(app, "initiators").value = "DNSName:HV1"
        await pilot.press("p")
        assert "0xefff0029" in str(field(app, "initiators").query_one(".field-error").render())
        assert not isinstance(app.screen, PlanScreen)
        field(app, "initiators").value = "IQN:*"
        field(app, "quorum-size").value = "15; Remove-Item C:\\"
        await plan_key(app, pilot)
        assert field(app, "quorum-size").has_class("-invalid")
        field(app, "quorum-size").value = "15"
        await plan_key(app, pilot)
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        plan = app.screen.plan  # type: ignore[attr-defined]
        assert [s.pipeline.statements[0].commands[0].name for s in plan.steps] == [
            "New-NetFirewallRule",
            "New-IscsiVirtualDisk",
            "New-IscsiVirtualDisk",
            "New-IscsiServerTarget",
            "Add-IscsiVirtualDiskTargetMapping",
            "Add-IscsiVirtualDiskTargetMapping",
        ]


async def test_initiator_screen_shows_hosts_and_plans_service_first(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, poll_seconds=0, initial_refresh=False)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = IscsiInitiatorScreen(lab.workspace)
        app.push_screen(screen)
        await wait_for(lambda: screen.state is not None)
        assert len(screen.state.initiators) == 2
        assert all(i.service_status == "Stopped" for i in screen.state.initiators.values())
        field(app, "portal").value = "stor1; rm -rf"
        await pilot.press("p")
        assert field(app, "portal").has_class("-invalid")
        field(app, "portal").value = lab.workspace.host_names()[0]
        field(app, "targets").value = "iqn.1991-05.com.microsoft:x-cluster-target"
        await plan_key(app, pilot)
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        plan = app.screen.plan  # type: ignore[attr-defined]
        first = [s.title for s in plan.phases[1]]
        assert any(t.startswith("Start the Microsoft iSCSI Initiator Service") for t in first)
        assert set(plan.hosts) >= set(lab.workspace.host_names()[1:])


def test_screens_are_in_navigation(tmp_path: Path) -> None:
    from hvconsole.ui.navigation import available

    names = {d.screen_class for d in available()}
    assert {"IscsiTargetScreen", "IscsiInitiatorScreen"} <= names
