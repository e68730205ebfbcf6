"""Live and quick migration against the `clustered` lab, through the same plans, applier and MigrationWatch the
console uses: a live move keeps the VM running with its uptime unbroken, a quick move restarts it, a drain
never runs more moves than the limit, a cancel leaves the VM on the source; each failure mode of pain point
7 with the message an admin sees (switch, processor, ISO, the limit, the destination going down)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command
from hvconsole.remoting.errors import ConnectionLost
from hvconsole.stages.migration import move_command, plan_cancel, plan_drain, plan_migrate
from hvconsole.stages.migration_checks import read_preflight
from hvconsole.stages.migration_views import MigrationView
from hvconsole.stages.migration_watch import MigrationWatch, jobs_command
from hvconsole.windows.hyperv import VMState
from tests.conftest import open_lab
from tests.stages.lab_vms import (
    add_switch,
    apply,
    eventually,
    host_doc,
    restart_with,
    run,
    running_vm,
    the_vm,
)

CLUSTER = "CLUSTER1"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("migration-lab"), scenario="clustered", seed=71, speed=50.0)
    for node in ("HV1", "HV2"):
        add_switch(opened, node)
    yield opened
    opened.close()


def watch_of(opened: Opened) -> MigrationWatch:
    watch = MigrationWatch(opened.workspace, opened.workspace.host_names(), CLUSTER)
    watch.poll()
    return watch


def follow(watch: MigrationWatch, vm: str, timeout: float = 60.0) -> list[MigrationView]:
    """Poll until ``vm``'s migration has finished; every view seen, oldest first."""
    seen: list[MigrationView] = []

    def finished() -> bool:
        mine = [v for v in watch.poll() if v.vm.lower() == vm.lower()]
        seen.extend(mine[:1])
        return bool(mine) and mine[0].finished

    eventually(finished, timeout, every=0.05)
    return seen


def test_live_migration_keeps_the_vm_running_with_uptime_unbroken(lab: Opened) -> None:
    vm = running_vm(lab, "Live1", switch="External")
    assert vm.is_clustered and vm.path.startswith("C:\\ClusterStorage\\Volume1\\") and vm.running
    before = the_vm(lab, "Live1").uptime
    watch = watch_of(lab)
    plan = plan_migrate([vm], "HV2", CLUSTER, preflight=read_preflight(lab.workspace, [vm], "HV2"))
    assert not plan.blocked
    assert plan.steps[0].powershell == (
        "Move-ClusterVirtualMachineRole -Name 'Live1' -Node 'HV2' -MigrationType 'Live' -Cluster 'CLUSTER1'"
    )
    reports = []
    mover = threading.Thread(target=lambda: reports.append(apply(lab, plan)))
    mover.start()
    views = follow(watch, "Live1")
    mover.join(60)
    assert reports and reports[0].succeeded
    phases = {v.phase for v in views}
    assert any(p.startswith("pass") for p in phases), phases
    last = views[-1]
    assert last.outcome == "done" and last.route == "HV1 → HV2"
    assert last.blackout is not None and 0 < last.blackout < 1.0  # event 20415
    assert last.pass_number >= 1
    after = the_vm(lab, "Live1")
    assert after.computer_name == "HV2" and after.state is VMState.Running
    assert after.uptime > before  # never restarted


def test_quick_migration_has_downtime_and_restarts_uptime(lab: Opened) -> None:
    vm = the_vm(lab, "Live1")
    assert vm.computer_name == "HV2"
    report = apply(lab, plan_migrate([vm], "HV1", CLUSTER, quick=True))
    assert report.succeeded, report.details
    after = the_vm(lab, "Live1")
    assert after.computer_name == "HV1" and after.state is VMState.Running
    assert after.uptime < vm.uptime  # saved, moved, restored: the guest's uptime starts again
    assert plan_migrate([after], "HV1", CLUSTER).empty  # a second plan moves nothing


def test_cancel_a_migration_in_flight(lab: Opened) -> None:
    running_vm(lab, "Big1", memory_mb=4096)
    watch = watch_of(lab)
    started = run(lab, "HV1", move_command("Big1", "HV2", CLUSTER, wait=0))
    assert started.ok, started.errors
    eventually(lambda: any(v.vm == "Big1" and v.phase.startswith("pass") for v in watch.poll()))
    report = apply(lab, plan_cancel("Big1", "HV1", CLUSTER))
    assert report.succeeded, report.details
    views = follow(watch, "Big1")
    assert views[-1].outcome == "canceled"
    vm = the_vm(lab, "Big1")
    assert vm.computer_name == "HV1" and vm.state is VMState.Running


def test_switch_missing_on_the_destination(lab: Opened) -> None:
    assert run(lab, "HV1", Command("New-VMSwitch", Name="OnlyHV1", SwitchType="Internal")).ok
    vm = running_vm(lab, "Sw1", switch="OnlyHV1")
    preflight = read_preflight(lab.workspace, [vm], "HV2")
    plan = plan_migrate([vm], "HV2", CLUSTER, preflight=preflight)
    assert plan.blocked  # said before anything runs
    assert any("'OnlyHV1', which HV2 does not have" in f.text for f in plan.findings)
    watch = watch_of(lab)
    moved = run(lab, "HV1", move_command("Sw1", "HV2", CLUSTER))  # moved anyway, from a shell
    assert not moved.ok and "could not find Ethernet switch 'OnlyHV1'" in str(moved.errors[-1])
    last = follow(watch, "Sw1")[-1]
    assert last.outcome == "failed"
    assert last.failure is not None and "HV2" in last.failure and "OnlyHV1" in last.failure  # 20413 there
    vm = the_vm(lab, "Sw1")
    assert vm.computer_name == "HV1" and vm.state is VMState.Running


def test_iso_not_reachable_from_the_destination(lab: Opened) -> None:
    running_vm(lab, "Iso1", iso="D:\\ISO\\WS2022.iso")
    moved = run(lab, "HV1", move_command("Iso1", "HV2", CLUSTER))
    assert not moved.ok and "0xC03A0014" in str(moved.errors[-1])
    vm = the_vm(lab, "Iso1")
    assert vm.computer_name == "HV1" and vm.state is VMState.Running


def test_more_moves_than_the_limit_go_in_batches(lab: Opened) -> None:
    vms = [running_vm(lab, f"Many{i}", memory_mb=1024) for i in range(3)]
    plan = plan_migrate(vms, "HV2", CLUSTER, limit=2, nodes=["HV1", "HV2"])
    assert [len(p) for p in plan.phases] == [2, 1]
    assert any("3 moves, the hosts run 2 at a time" in f.text for f in plan.findings)
    for vm in vms:  # all at once from a shell: the cluster queues the third
        assert run(lab, "HV1", move_command(vm.name, "HV2", CLUSTER, wait=0)).ok
    most = 0

    def all_done() -> bool:
        nonlocal most
        jobs = [row for row in run(lab, "HV1", jobs_command()).dicts() if isinstance(row, dict)]
        mine = [
            j for j in jobs if int(j.get("JobState") or 0) == 4 and int(j.get("PercentComplete") or 0) > 0
        ]
        most = max(most, len(mine))
        return all(the_vm(lab, vm.name).computer_name == "HV2" for vm in vms)

    eventually(all_done, 60)
    assert most <= 2


def test_drain_respects_the_limit_then_pauses_the_node(lab: Opened) -> None:
    from tests.stages.lab_vms import inventory

    vms = inventory(lab).vms
    on_hv2 = [vm for vm in vms if vm.computer_name == "HV2"]
    assert len(on_hv2) >= 3
    plan = plan_drain("HV2", vms, ["HV1"], CLUSTER, limit=2)
    assert all(len(phase) <= 2 for phase in plan.phases)
    assert plan.steps[-1].powershell == "Suspend-ClusterNode -Name 'HV2' -Cluster 'CLUSTER1'"
    report = apply(lab, plan)
    assert report.succeeded, report.details
    assert all(vm.computer_name == "HV1" for vm in inventory(lab).vms)
    nodes = run(lab, "HV1", Command("Get-ClusterNode", Cluster=CLUSTER)).dicts()
    assert any(n.get("Name") == "HV2" and "Paused" in str(n.get("State")) for n in nodes)
    assert run(lab, "HV1", Command("Resume-ClusterNode", Name="HV2", Cluster=CLUSTER)).ok


def test_processor_compatibility(tmp_path: Path) -> None:
    root = tmp_path / "cpu"
    first = open_lab(root, scenario="clustered", seed=72, speed=50.0)

    def older_cpu(world: dict) -> None:  # type: ignore[type-arg]
        host_doc(world, "HV2")["hyperv"]["cpu_model"] = "Intel(R) Xeon(R) E5-2680 v2 @ 2.80GHz"

    lab = restart_with(root, first, older_cpu, scenario="clustered", seed=72, speed=50.0)
    try:
        running_vm(lab, "Cpu1")
        moved = run(lab, "HV1", move_command("Cpu1", "HV2", CLUSTER))
        assert not moved.ok and "processor-specific features" in str(moved.errors[-1])
        assert the_vm(lab, "Cpu1").computer_name == "HV1"
        quick = run(lab, "HV1", move_command("Cpu1", "HV2", CLUSTER, quick=True))  # a restart is allowed
        assert quick.ok, quick.errors
        assert the_vm(lab, "Cpu1").computer_name == "HV2"
    finally:
        lab.close()


def test_destination_going_down_mid_migration(lab_factory) -> None:  # type: ignore[no-untyped-def]
    from hvconsole.lab.control import LabControl

    lab = lab_factory(scenario="clustered", seed=73, speed=50.0)
    assert lab.lab is not None and lab.lab.control is not None
    control = LabControl(lab.lab.control["url"], lab.lab.control["token"])
    running_vm(lab, "Down1", memory_mb=4096)
    watch = watch_of(lab)
    assert run(lab, "HV1", move_command("Down1", "HV2", CLUSTER, wait=0)).ok
    eventually(lambda: any(v.vm == "Down1" and v.phase.startswith("pass") for v in watch.poll()))
    control.apply("HV2:reboot-after=1")
    with pytest.raises(ConnectionLost):
        run(lab, "HV2", Command("Get-VM"))  # HV2 crashes while answering
    vm = eventually(
        lambda: the_vm(lab, "Down1") if not the_vm(lab, "Down1").status.startswith("Migr") else None
    )
    assert vm.computer_name == "HV1" and vm.state is VMState.Running
    last = eventually(
        lambda: next(
            (
                v
                for v in watch.poll()
                if v.vm == "Down1"
                and v.failure
                and "HV2" in v.failure
                and "failed the live migration" in v.failure
            ),
            None,
        ),
        60,
    )
    assert last.outcome == "failed"


@pytest.mark.parametrize(
    ("scenario", "low", "high"),
    [
        ("clustered", 91.0, 130.0),  # 100 Mbps: 1 GiB ÷ 11.75 MB/s ≈ 91 s, plus setup and a few dirty passes
        ("clustered-1g", 9.1, 20.0),  # 1 GbE: about a tenth of it (performance.md)
    ],
)
def test_migration_time_and_blackout_follow_the_link(
    lab_factory, scenario: str, low: float, high: float
) -> None:  # type: ignore[no-untyped-def]
    from hvconsole.lab.world.scenario import SCENARIOS

    if scenario not in SCENARIOS:
        pytest.skip(f"the lab has no {scenario} scenario yet")
    lab = lab_factory(scenario=scenario, seed=74, speed=100.0)
    tcp = Command("Set-VMHost", VirtualMachineMigrationPerformanceOption="TCPIP")  # no compression: raw link
    assert run(lab, "HV1", tcp).ok
    running_vm(lab, "Gig1", memory_mb=1024)
    watch = watch_of(lab)
    assert run(lab, "HV1", move_command("Gig1", "HV2", CLUSTER, wait=0)).ok
    last = follow(watch, "Gig1", timeout=120)[-1]
    assert last.outcome == "done"
    assert low <= last.elapsed <= high, last.elapsed  # lab seconds, from Msvm_MigrationJob.ElapsedTime
    assert last.blackout is not None and last.blackout < 1.0  # it converged: a sub-second blackout
    assert last.rate_avg > 0
