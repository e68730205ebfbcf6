"""The VMs screen, the migration monitor and the migration-settings form (Pilot, 80×24) against the
`clustered` lab: l checks the move first (a switch the destination lacks is a blocker in the plan), c plans
the cancel of a VM being migrated, the monitor shows a real migration mid-flight and then done, g opens the
settings form whose bad input stops at the field (hostile strings refused or sent literally)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command
from hvconsole.stages.migration import move_command
from hvconsole.stages.plan import Plan
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.migration_monitor import MigrationMonitorScreen, MigrationRow
from hvconsole.ui.screens.migration_settings import MigrationSettingsScreen
from hvconsole.ui.screens.plan import PlanScreen
from hvconsole.ui.screens.vms import VmsScreen
from hvconsole.ui.widgets.fields import Field
from tests.conftest import open_lab
from tests.stages.lab_vms import add_switch, run, running_vm
from tests.ui.waiting import wait_for


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("mig-ui-lab"), scenario="clustered", seed=81, speed=20.0)
    add_switch(opened, "HV1")
    add_switch(opened, "HV2")
    assert run(opened, "HV1", Command("New-VMSwitch", Name="OnlyHV1", SwitchType="Internal")).ok
    running_vm(opened, "Web1", switch="External")
    running_vm(opened, "Lonely", switch="OnlyHV1")
    yield opened
    opened.close()


async def vms_screen(app: HvConsoleApp) -> VmsScreen:
    screen = VmsScreen(app.workspace)
    await app.push_screen(screen)
    await wait_for(lambda: screen.state is not None)
    return screen


async def test_move_is_checked_first_and_a_missing_switch_blocks(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await vms_screen(app)
        assert screen.nodes() == ["HV1", "HV2"]  # STOR1 is not a node to move to
        screen.query_one("#vm-target", Field).value = "STOR1"
        screen.query_one(DataTable).focus()
        await pilot.press("l")
        assert screen.query_one("#vm-target", Field).has_class("-invalid")
        screen.query_one("#vm-target", Field).value = "hv2"
        screen.marked = {vm.key for vm in screen.state.vms}
        screen.query_one(DataTable).focus()
        await pilot.press("l")
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        plan: Plan = app.screen.plan  # type: ignore[attr-defined]
        assert plan.blocked
        assert any("'OnlyHV1', which HV2 does not have" in f.text for f in plan.findings)
        assert any("'Web1' -Node 'HV2' -MigrationType 'Live'" in s.powershell for s in plan.steps)


async def test_monitor_follows_a_real_migration_and_cancel_key(lab: Opened) -> None:
    running_vm(lab, "Big1", memory_mb=4096)
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await vms_screen(app)
        assert run(lab, "HV1", move_command("Big1", "HV2", "CLUSTER1", wait=0)).ok
        screen.action_reload()
        await wait_for(lambda: any(vm.name == "Big1" and vm.status == "Migrating" for vm in screen.state.vms))
        await pilot.pause()
        key = next(k for k, vm in screen.shown.items() if vm.name == "Big1")
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(key))
        table.focus()
        await pilot.press("c")
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        assert app.screen.plan.steps[0].powershell == (  # type: ignore[attr-defined]
            "Move-ClusterVirtualMachineRole -Name 'Big1' -Cancel -Cluster 'CLUSTER1'"
        )
        app.pop_screen()
        await pilot.pause()
        await pilot.press("m")
        await wait_for(lambda: isinstance(app.screen, MigrationMonitorScreen))
        monitor: MigrationMonitorScreen = app.screen  # type: ignore[assignment]
        await wait_for(lambda: any(v.vm == "Big1" and v.phase.startswith("pass") for v in monitor.views))
        await pilot.pause()
        assert "1 running" in str(monitor.summary_text())
        row = next(r for r in monitor.query(MigrationRow) if r.view.vm == "Big1")
        assert "HV1 → HV2" in str(row.query_one(".mig-title").render())
        await wait_for(lambda: any(v.vm == "Big1" and v.outcome == "done" for v in monitor.views), 60)
        await pilot.pause()
        done = next(v for v in monitor.views if v.vm == "Big1")
        assert done.blackout is not None and done.percent == 100
        assert row.is_attached and row.view.outcome == "done"  # the same row, updated in place


async def test_settings_form_plans_and_explains(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await vms_screen(app)
        screen.query_one(DataTable).focus()
        await pilot.press("g")
        await wait_for(lambda: isinstance(app.screen, MigrationSettingsScreen))
        form: MigrationSettingsScreen = app.screen  # type: ignore[assignment]
        await wait_for(lambda: form.state is not None and form.query_one("#mig-node", Field).value != "")
        help_text = str(form.query_one("#mig-help").render())
        assert "constrained delegation" in help_text and "logged on locally" in help_text
        form.query_one("#mig-max", Field).value = "4"
        form.query_one("#mig-auth", Field).value = "kerberos"
        plan = form.make_plan()
        assert "Set-VMHost -MaximumVirtualMachineMigrations 4" in plan.script()
        assert "'Kerberos'" in plan.script()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("10./2$;`'\"\n ,é漢a")), max_size=20))
def test_hostile_networks_refused_or_sent_literally(lab: Opened, text: str) -> None:
    from hvconsole.ui.screens.stage import FormError

    async def check() -> None:
        app = HvConsoleApp(lab.workspace, initial_refresh=False)
        async with app.run_test(size=(80, 24)):
            form = MigrationSettingsScreen(app.workspace, ["HV1", "HV2"])
            await app.push_screen(form)
            await wait_for(lambda: form.state is not None and form.query_one("#mig-node", Field).value != "")
            form.query_one("#mig-networks", Field).value = text
            try:
                plan = form.make_plan()
            except FormError as problem:
                assert problem.field_id in ("mig-networks", "mig-max")
                return
            for step in plan.steps:
                for command in step.pipeline.commands:
                    subnet = command.get("Subnet")
                    if subnet is not None:
                        assert subnet in text.replace(" ", "") or "/" in subnet

    asyncio.run(check())
