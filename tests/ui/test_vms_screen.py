"""VmsScreen (Pilot, 80×24) against the lab: bad input stops at the field and sends nothing; the table
updates changed cells in place. (Create/migrate against the `clustered` scenario once the lab has it.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable

from hvconsole.launch import Opened
from hvconsole.stages.vms import VmInventory
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.vms import VmsScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.hyperv import VirtualMachine, VMState
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("vms-ui-lab"), seed=32, speed=50.0)
    yield opened
    opened.close()


async def open_screen(app: HvConsoleApp, pilot) -> VmsScreen:  # type: ignore[no-untyped-def]
    screen = VmsScreen(app.workspace)
    await app.push_screen(screen)
    for _ in range(600):
        if screen.state is not None:
            break
        await asyncio.sleep(0.05)
    await pilot.pause()
    return screen


def fake(n: int, state: VMState = VMState.Running) -> VmInventory:
    vms = [VirtualMachine(name=f"VM{i:04d}", id=f"id{i}", computer_name=f"HV{i % 2 + 1}", state=state,
                          memory_assigned=2**30, path="C:\\ClusterStorage\\Volume1\\VMs") for i in range(n)]  # fmt: skip
    return VmInventory(vms, cluster="Cluster1")


async def test_cells_update_in_place_and_marks(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        screen.state = fake(1000)
        screen.show_state(screen.state)
        table = screen.query_one(DataTable)
        assert table.row_count == 1000
        changed = fake(1000)
        changed.vms[5] = changed.vms[5].model_copy(update={"state": VMState.Off})
        screen.show_state(changed)
        assert table.row_count == 1000 and table.get_cell("id5", "State") == "Off"
        table.focus()
        await pilot.press("space")
        assert screen.marked == {"id0"}
        await pilot.press("l")  # no target node typed: message at the field
        await pilot.pause()
        assert screen.query_one("#vm-target", Field).has_class("-invalid")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet=st.sampled_from(list("ab$;`'\"\n/\\:|é 漢")), min_size=0, max_size=12))
def test_hostile_vm_names_refused_or_sent_literally(lab: Opened, name: str) -> None:
    async def run() -> None:
        app = HvConsoleApp(lab.workspace, initial_refresh=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_screen(app, pilot)
            screen.state = fake(2)
            screen.query_one("#vm-target", Field).value = lab.workspace.host_names()[1]
            screen.query_one("#vm-name", Field).value = name
            try:
                plan = screen.new_vm_plan()
            except Exception as problem:  # FormError at the name field
                assert getattr(problem, "field_id", "") == "vm-name"
                return
            assert plan.steps[0].pipeline.commands[0].get("Name") == name

    asyncio.run(run())


async def test_switches_screen_opens_and_refuses_bad_names(lab: Opened) -> None:
    from hvconsole.ui.screens.switches import SwitchesScreen

    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = SwitchesScreen(app.workspace)
        await app.push_screen(screen)
        for _ in range(600):
            if screen.state is not None:
                break
            await asyncio.sleep(0.05)
        screen.query_one("#sw-name", Field).value = "bad|name"
        screen.action_plan()
        await pilot.pause()
        assert screen.query_one("#sw-name", Field).has_class("-invalid")
