"""The dashboard and journal against the real lab, through Textual's Pilot."""

from __future__ import annotations

from hvconsole.launch import Opened
from hvconsole.remoting.journal import Outcome
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.dashboard import DashboardScreen
from hvconsole.ui.screens.help import HelpScreen
from hvconsole.ui.screens.host import HostScreen
from hvconsole.ui.screens.journal import JournalScreen
from hvconsole.ui.widgets.host_table import HostTable
from tests.ui.waiting import wait_for


def connected_rows(app: HvConsoleApp) -> list[str]:
    table = app.screen.query_one(HostTable)
    return [
        name
        for name, row in table.rows_by_host.items()
        if row.state == "connected" and row.overview is not None
    ]


async def test_dashboard_shows_every_lab_host_connected_with_identity(shared_lab: Opened) -> None:
    workspace = shared_lab.workspace
    app = HvConsoleApp(workspace, poll_seconds=0)
    async with app.run_test(size=(120, 30)):
        await wait_for(lambda: len(connected_rows(app)) == 3)
        table = app.screen.query_one(HostTable)
        row = table.rows_by_host[workspace.host_names()[0]]
        assert row.overview is not None
        assert row.overview.os.edition == "Windows Server 2022 Datacenter"
        assert row.overview.system.membership == "workgroup WORKGROUP"
        assert "3/3 connected" in str(app.screen.query_one("#dashboard-status").render())


async def test_filter_open_host_help_and_journal_by_keyboard(shared_lab: Opened) -> None:
    workspace = shared_lab.workspace
    second = workspace.host_names()[1]
    app = HvConsoleApp(workspace, poll_seconds=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: len(connected_rows(app)) == 3)
        await pilot.press("slash", *second[-4:])
        table = app.screen.query_one(HostTable)
        await wait_for(lambda: table.row_count == 1)
        assert table.selected_host == second
        await pilot.press("escape")
        await wait_for(lambda: table.row_count == 3)
        table.focus()
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, HostScreen))
        assert app.screen.row.name == second  # the cursor stayed on the host found by the filter  # type: ignore[attr-defined]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("j")
        assert isinstance(app.screen, JournalScreen)
        journal = app.screen
        await wait_for(lambda: len(journal.entries) >= 3)
        assert {e.host for e in journal.entries} >= set(workspace.host_names())
        assert all(e.outcome is Outcome.OK for e in journal.entries)
        assert journal.entries[-1].command.startswith("Get-CimInstance -ClassName 'Win32_ComputerSystem'")


async def test_journal_is_live_and_shows_a_rows_full_command(shared_lab: Opened) -> None:
    workspace = shared_lab.workspace
    app = HvConsoleApp(workspace, poll_seconds=0, initial_refresh=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        journal = app.screen
        assert isinstance(journal, JournalScreen)
        before = len(journal.entries)
        await pilot.press(
            "escape", "r"
        )  # refresh the dashboard: three new journal lines appear by themselves
        await pilot.press("j")
        journal = app.screen
        assert isinstance(journal, JournalScreen)
        await wait_for(lambda: len(journal.entries) >= before + 3)
        await pilot.press("enter")
        detail = str(journal.query_one("#journal-detail").render())
        assert "Get-WindowsFeature -Name 'Hyper-V', 'Failover-Clustering'" in detail


async def test_hosts_that_go_away_show_unreachable_with_the_reason(lab_factory) -> None:  # type: ignore[no-untyped-def]
    opened = lab_factory(seed=11)
    workspace = opened.workspace
    victim = workspace.host_names()[0]
    app = HvConsoleApp(workspace, poll_seconds=0)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: len(connected_rows(app)) == 3)
        assert opened.lab is not None
        opened.lab.stop()  # every endpoint goes away at once
        await pilot.press("r")
        table = app.screen.query_one(HostTable)
        row = table.rows_by_host[victim]
        await wait_for(lambda: row.state == "unreachable" and bool(row.last_error), timeout=90)
        assert "refused" in row.last_error.lower() or "unreachable" in row.last_error.lower()


async def test_a_host_that_moved_shows_its_new_address(lab_factory) -> None:  # type: ignore[no-untyped-def]
    opened = lab_factory(seed=12)
    workspace = opened.workspace
    host = workspace.host_names()[0]
    app = HvConsoleApp(workspace, poll_seconds=0)
    async with app.run_test(size=(120, 30)):
        await wait_for(lambda: len(connected_rows(app)) == 3)
        workspace.move_host(host, "127.0.0.99")  # as the network stage does after changing the address
        row = app.screen.query_one(HostTable).rows_by_host[host]
        await app.workers.wait_for_complete()
        app.screen.action_refresh()  # type: ignore[attr-defined]
        await wait_for(lambda: row.address.startswith("127.0.0.99"), timeout=60)
