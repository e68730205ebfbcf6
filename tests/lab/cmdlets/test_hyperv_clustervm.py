"""Clustered VM roles in-process: Add-ClusterVirtualMachineRole, Move-ClusterVirtualMachineRole (live, quick,
-Wait 0, -Cancel, a missing switch), drain. The cluster itself is built as data (ClusterData) until the cluster
module's New-Cluster lands; everything Hyper-V goes through the cmdlets."""

from __future__ import annotations

import pytest

from hvconsole.lab.cmdlets.clustervm import drain
from hvconsole.lab.engine import Session
from hvconsole.lab.world.clock import LabClock
from hvconsole.lab.world.cluster_state import ClusterData
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run


@pytest.fixture
def nodes() -> tuple[Session, Session]:
    world = build_world(seed=7, now=1_700_000_000.0)
    world.attach_clock(LabClock(world.lab_time, speed=2000))
    sessions = []
    for host in world.hosts[1:3]:
        session = Session(world=world, host=host)
        install = cmd(
            "Install-WindowsFeature", Name=["Hyper-V", "Failover-Clustering"], IncludeManagementTools=True
        )
        assert run(session, install).failure is None
        world.finish_reboot(host)
        sessions.append(session)
    world.clusters.append(ClusterData(name="Cluster1", id="c1", domain="lab", nodes=["node1", "node2"]))
    for session in sessions:
        run(session, cmd("New-VMSwitch", Name="External", NetAdapterName="Ethernet"))
    a = sessions[0]
    run(
        a,
        cmd(
            "New-VM",
            Name="VM1",
            MemoryStartupBytes=256 * 1024**2,
            SwitchName="External",
            Path="C:\\ClusterStorage\\Volume1",
            NewVHDPath="C:\\ClusterStorage\\Volume1\\VM1.vhdx",
            NewVHDSizeBytes=1024**3,
        ),
    )
    run(a, cmd("Start-VM", Name=["VM1"]))
    return sessions[0], sessions[1]


def test_role_then_live_migration_keeps_uptime(nodes: tuple[Session, Session]) -> None:
    a, b = nodes
    group = run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1")).output[0]
    assert (group.get("Name"), group.get("OwnerNode"), group.get("State")) == ("VM1", a.host.name, "Online")
    again = run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    assert again.failure is not None and "already configured for high availability" in again.failure.message
    before = run(a, cmd("Get-VM", Name=["VM1"])).output[0].get("Uptime")
    moved = run(a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node=b.host.name))
    assert moved.failure is None and moved.output[0].get("OwnerNode") == b.host.name
    after = run(b, cmd("Get-VM", Name=["VM1"])).output[0]
    assert after.get("State").name == "Running" and after.get("Uptime") > before
    assert after.get("ComputerName") == b.host.name and after.get("IsClustered") is True
    assert a.world.clusters[0].group_owners["VM1"] == "node2"
    assert [e.id for e in a.host.hyperv.events] == [20415]


def test_quick_migration_restarts_uptime(nodes: tuple[Session, Session]) -> None:
    a, b = nodes
    run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    before = run(a, cmd("Get-VM", Name=["VM1"])).output[0].get("Uptime")
    moved = run(a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node=b.host.name, MigrationType="Quick"))
    assert moved.failure is None
    after = run(b, cmd("Get-VM", Name=["VM1"])).output[0]
    assert after.get("State").name == "Running" and after.get("Uptime") < before


def test_wait_zero_then_cancel(nodes: tuple[Session, Session]) -> None:
    a, b = nodes
    run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    started = run(a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node=b.host.name, Wait=0))
    assert started.failure is None and started.output[0].get("OwnerNode") == a.host.name
    assert run(a, cmd("Get-VM", Name=["VM1"])).output[0].get("Status") == "Migrating"
    cancelled = run(a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Cancel=True))
    assert cancelled.output[0].get("OwnerNode") == a.host.name
    assert a.host.hyperv.vms[0].migration_state == 4


def test_switch_missing_on_destination(nodes: tuple[Session, Session]) -> None:
    a, b = nodes
    run(b, cmd("Remove-VMSwitch", Name=["External"], Force=True))
    run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    failed = run(a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node=b.host.name))
    assert (
        failed.failure is not None and "could not find Ethernet switch 'External'" in failed.failure.message
    )
    vm = a.host.hyperv.vms[0]
    assert vm.state == "Running" and vm.migration_state == 5
    assert b.host.hyperv.events[-1].id == 20413


def test_drain_moves_every_role(nodes: tuple[Session, Session]) -> None:
    a, _b = nodes
    run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    moves = drain(a.world, a.host)
    assert [m.destination for m in moves] == ["node2"]


def test_monitor_sources_mid_migration(nodes: tuple[Session, Session]) -> None:
    a, b = nodes
    run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    a.world.attach_clock(LabClock(a.world.now(), speed=1))  # slow the clock down to look mid-flight
    run(a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node=b.host.name, Wait=0))
    a.world.attach_clock(LabClock(a.world.now() + 10, speed=1))
    (job,) = run(a, cmd("Get-CimInstance", "Msvm_MigrationJob", Namespace="root\\virtualization\\v2")).output
    assert job.get("JobState") == 4 and job.get("JobType") == 305 and 0 < job.get("PercentComplete") < 100
    assert job.get("DestinationHost") == b.host.name
    assert (
        run(b, cmd("Get-CimInstance", "Msvm_MigrationJob", Namespace="root\\virtualization\\v2")).output == []
    )
    (sample_set,) = run(
        a, cmd("Get-Counter", Counter=["\\Hyper-V VM Live Migration(*)\\Transfer Pass: Number"])
    ).output
    (sample,) = sample_set.get("CounterSamples")
    assert sample.get("InstanceName") == "vm1:vm live migration" and sample.get("CookedValue") >= 1
    listed = run(a, cmd("Get-Counter", ListSet=["Hyper-V VM Live Migration"])).output[0]
    assert "\\Hyper-V VM Live Migration(*)\\TCP Transport: Bytes Sent/sec" in listed.get("Paths")
    assert run(a, cmd("Get-WinEvent", LogName=["Microsoft-Windows-Hyper-V-VMMS-Admin"])).errors
