"""DisksScreen over the lab (Pilot, 120×32): every host's disks in one table, bad letters/labels shown at the
field with nothing sent, the storage data disk prepared through the plan screen with the disk typed back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import DataTable, Input

from hvconsole.launch import Opened
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.confirm import TypedConfirmScreen
from hvconsole.ui.screens.disks import DisksScreen
from hvconsole.ui.screens.plan import PlanScreen
from hvconsole.ui.widgets.fields import Field
from tests.conftest import open_lab
from tests.ui.waiting import wait_for


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("disks-ui-lab"), seed=33, speed=50.0)
    yield opened
    opened.close()


async def open_screen(app: HvConsoleApp, pilot) -> DisksScreen:  # type: ignore[no-untyped-def]
    screen = DisksScreen(app.workspace)
    await app.push_screen(screen)
    await wait_for(lambda: screen.state is not None and bool(screen.row_keys))
    await pilot.pause()
    return screen


def storage_data_row(screen: DisksScreen, storage: str) -> int:
    table = screen.query_one(DataTable)
    for index in range(table.row_count):
        row = table.get_row_at(index)
        if row[0] == storage and row[1] == "1":
            return index
    raise AssertionError("no storage data disk row")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("#disk-letter", "C", "D to Z"),
        ("#disk-letter", "L;rm", "D to Z"),
        ("#disk-letter", "$x", "D to Z"),
        ("#disk-label", "a\nb", "control characters"),
        ("#disk-label", "x" * 33, "at most 32"),
    ],
)
async def test_bad_input_is_shown_at_the_field_and_nothing_is_sent(
    lab: Opened, field: str, value: str, expected: str
) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await open_screen(app, pilot)
        storage = lab.workspace.host_names()[0]
        screen.query_one(DataTable).move_cursor(row=storage_data_row(screen, storage))
        before = len(lab.workspace.journal_entries())
        screen.query_one(field, Field).value = value
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is screen
        target = screen.query_one(field, Field)
        assert target.has_class("-invalid")
        assert expected in str(target.query_one(".field-error").render())
        assert len(lab.workspace.journal_entries()) == before


async def test_table_plan_typed_confirmation_apply(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one(DataTable)
        storage = lab.workspace.host_names()[0]
        assert table.row_count == 5  # storage: system + two data disks; each node: its system disk
        row = storage_data_row(screen, storage)
        assert table.get_row_at(row)[3:7] == ["SAS", "250 GB", "offline, read-only", "RAW"]
        table.move_cursor(row=row)
        screen.query_one("#disk-label", Field).value = "iSCSI 'disks'"
        screen.query_one("#disk-letter", Field).value = "l:"
        await pilot.press("p")
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        plan_screen = app.screen
        assert isinstance(plan_screen, PlanScreen)
        assert "Initialize-Disk -Number 1 -PartitionStyle 'GPT'" in plan_screen.plan.script()
        await pilot.press("a")
        await wait_for(lambda: isinstance(app.screen, TypedConfirmScreen))
        app.screen.query_one(Input).value = f"Disk 1 on {storage}"
        await pilot.press("enter")
        await wait_for(lambda: plan_screen.report is not None, 60)
        assert plan_screen.report is not None and plan_screen.report.succeeded
        await pilot.press("escape")
        await wait_for(lambda: app.screen is screen)
        await wait_for(lambda: "NTFS" in str(table.get_row_at(storage_data_row(screen, storage))[7]))
        row_after = table.get_row_at(storage_data_row(screen, storage))
        assert row_after[5:8] == ["online", "GPT", "L: NTFS “iSCSI 'disks'”"]
