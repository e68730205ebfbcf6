"""--read-only: no path can change a host — not the plan screen, not the applier, not a direct session call;
the lab's record of what it received proves nothing was sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hvconsole.cli import build_parser
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.errors import ReadOnlyRefused
from hvconsole.stages.apply import ReadOnlyMode
from hvconsole.stages.workspace import ObservedJournal, Workspace
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.plan import PlanScreen
from tests.reliability.conftest import FaultyLab, firewall_plan, start_faulty_lab


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultyLab, Workspace]]:
    root = tmp_path_factory.mktemp("read-only")
    lab = start_faulty_lab(root)
    source = lab.workspace
    workspace = Workspace(
        source.inventory, source.credentials, ObservedJournal(root / "ro.jsonl"), label="ro", read_only=True
    )
    yield lab, workspace
    workspace.close()
    lab.opened.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["--read-only"],
        ["status", "--read-only"],
        ["--read-only", "status"],
        ["--read-only", "migrate", "VM1", "--to", "HV2"],  # before the subcommand: not reset by its default
        ["migrate", "VM1", "--to", "HV2", "--read-only"],
    ],
)
def test_the_flag_is_seen_wherever_it_is_given(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).read_only


def test_cli_commands_that_change_hosts_refuse_in_read_only_mode(capsys: pytest.CaptureFixture[str]) -> None:
    from hvconsole.cli import main

    assert main(["--read-only", "migrate", "VM1", "--to", "HV2"]) == 2
    assert "read-only" in capsys.readouterr().err


def test_reads_work_changes_are_never_sent(read_only: tuple[FaultyLab, Workspace]) -> None:
    lab, workspace = read_only
    host = lab.hosts[0]
    lab.control.forget_received(host)
    assert (
        workspace.sessions[host].invoke(Pipeline.of(Command("Get-Service", Name="WinRM")), timeout=20).objects
    )
    changes = [
        Pipeline.of(Command("New-NetFirewallRule", Name="ro", DisplayName="ro")),
        Pipeline.of(
            Command("Get-Service", Name="WinRM") | Command("Stop-Service")
        ),  # a read piped into a change
        Pipeline.of(Command("Get-Service"), Command("Restart-Computer").switch("Force")),
        Pipeline.of(Command("Invoke-CimMethod", MethodName="Win32Shutdown")),
    ]
    for pipeline in changes:
        with pytest.raises(ReadOnlyRefused):
            workspace.sessions[host].invoke(pipeline, timeout=20)
    outcomes = list(workspace.sessions.fan_out(changes[0], lab.hosts, raise_on_failure=False))
    assert all(isinstance(o.error, ReadOnlyRefused) for o in outcomes)
    assert [c["name"] for c in lab.control.received(host)] == ["Get-Service"]


def test_the_applier_refuses(read_only: tuple[FaultyLab, Workspace]) -> None:
    lab, workspace = read_only
    applier = workspace.applier(firewall_plan(lab.hosts[0], ["ro"]), lambda event: None)
    with pytest.raises(ReadOnlyMode):
        workspace.run_applier(applier)
    with pytest.raises(ReadOnlyMode):
        applier.run(skip={0})


async def test_the_plan_screen_refuses(read_only: tuple[FaultyLab, Workspace], tmp_path: Path) -> None:
    lab, workspace = read_only
    host = lab.hosts[1]
    lab.control.forget_received(host)
    app = HvConsoleApp(workspace, initial_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        app.push_screen(PlanScreen(workspace, firewall_plan(host, ["ro-ui"])))
        await pilot.pause(0.1)
        await pilot.press("a")
        await pilot.pause(0.1)
        await pilot.press("enter")  # in case anything asked: nothing must be applied anyway
        await pilot.pause(0.3)
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.report is None
    assert not [c for c in lab.control.received(host) if c["name"] == "New-NetFirewallRule"]
