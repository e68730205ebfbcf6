"""Snapshot tests of the console against the lab (fixed seed, fixed port, slow clock, so the screen is stable).

They run in one xdist group: the lab they start listens on fixed loopback addresses and port 5986.
Update the SVGs with `pytest tests/ui/test_snapshots.py --snapshot-update` and review them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.journal import JournalEntry, Outcome
from hvconsole.ui.app import HvConsoleApp
from tests.ui.waiting import dashboard_ready, settled

# A rendered-screen comparison now and then differs in styling only (root cause not found yet): one retry.
pytestmark = [pytest.mark.snapshot, pytest.mark.flaky(reruns=2)]


@pytest.fixture(scope="module")
def snapshot_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    from tests.conftest import open_lab

    lab = open_lab(tmp_path_factory.mktemp("snapshot-lab"), seed=2026, speed=1.0, port=5986)
    yield lab
    lab.close()


def test_dashboard_snapshot_wide(snap_compare, snapshot_lab: Opened) -> None:  # type: ignore[no-untyped-def]
    app = HvConsoleApp(snapshot_lab.workspace, poll_seconds=0)
    assert snap_compare(app, terminal_size=(120, 30), run_before=dashboard_ready)


def test_dashboard_snapshot_80x24(snap_compare, snapshot_lab: Opened) -> None:  # type: ignore[no-untyped-def]
    app = HvConsoleApp(snapshot_lab.workspace, poll_seconds=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=dashboard_ready)


def test_help_snapshot(snap_compare, snapshot_lab: Opened) -> None:  # type: ignore[no-untyped-def]
    app = HvConsoleApp(snapshot_lab.workspace, poll_seconds=0)

    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        await dashboard_ready(pilot)
        await pilot.press("question_mark")
        await settled(pilot)

    assert snap_compare(app, terminal_size=(100, 34), run_before=open_help)


def test_journal_snapshot(snap_compare, snapshot_lab: Opened) -> None:  # type: ignore[no-untyped-def]
    workspace = snapshot_lab.workspace
    host = workspace.host_names()[0]
    entries = [
        JournalEntry("2026-11-24T09:00:01.000Z", host, "Get-NetAdapter", 12, Outcome.OK),
        JournalEntry(
            "2026-11-24T09:00:02.000Z",
            host,
            "Get-NetAdapter -Name 'x''; Remove-Item C:\\ -Recurse #'",
            9,
            Outcome.ERROR,
            "CmdletizationQuery_NotFound_Name,Get-NetAdapter",
            "No MSFT_NetAdapter objects found with property 'Name' equal to 'x'; Remove-Item C:\\ -Recurse #'.",
        ),
        JournalEntry(
            "2026-11-24T09:00:03.000Z",
            host,
            "New-NetIPAddress -InterfaceAlias 'Ethernet'",
            5012,
            Outcome.CONNECTION,
            None,
            "the connection dropped",
        ),
    ]
    workspace.journal.path.unlink(missing_ok=True)
    for entry in entries:
        workspace.journal.record(entry)
    app = HvConsoleApp(workspace, poll_seconds=0, initial_refresh=False)

    async def open_journal(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("j")
        await pilot.pause(0.2)
        pilot.app.screen.sub_title = "journal.jsonl"  # the real path is a temporary directory
        await pilot.press("up", "enter")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(100, 24), run_before=open_journal)
