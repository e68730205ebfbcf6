"""Clustered VM roles in-process on the ``clustered`` scenario (the recipe replayed through the real cmdlets:
CLUSTER1 = HV1 + HV2, CSV Volume1, 100 Mbps adapters). Everything after that goes through cmdlets too:
switches, VMs, roles, moves, drains. Nothing here writes world fields."""

from __future__ import annotations

from typing import Any

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.world.clock import LabClock
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run

GiB = 1024**3
NS = "root\\virtualization\\v2"


class Lab:
    def __init__(self, scenario: str = "clustered", speed: float = 300) -> None:
        self.world = build_world(scenario, seed=7, now=1_700_000_000.0)
        self.world.attach_clock(LabClock(self.world.lab_time, speed=speed))
        self.a, self.b = (Session(world=self.world, host=h) for h in self.world.hosts[1:3])
        for session in (self.a, self.b):
            assert (
                run(session, cmd("New-VMSwitch", Name="External", NetAdapterName="Ethernet")).failure is None
            )

    def new_vm(self, name: str, memory: int = GiB, start: bool = True, role: bool = True) -> None:
        made = run(
            self.a,
            cmd(
                "New-VM",
                Name=name,
                MemoryStartupBytes=memory,
                Generation=2,
                SwitchName="External",
                Path="C:\\ClusterStorage\\Volume1",
                NewVHDPath=f"C:\\ClusterStorage\\Volume1\\{name}.vhdx",
                NewVHDSizeBytes=20 * GiB,
            ),
        )
        assert made.failure is None
        if start:
            assert run(self.a, cmd("Start-VM", Name=[name])).failure is None
        if role:
            assert run(self.a, cmd("Add-ClusterVirtualMachineRole", VMName=name)).failure is None

    def slow(self) -> None:
        """Run the clock at real time from here (to look at a migration in flight)."""
        self.world.attach_clock(LabClock(self.world.now(), speed=1))

    def skip(self, seconds: float, speed: float = 1) -> None:
        """Jump the lab clock ahead (the VMs keep running meanwhile)."""
        self.world.attach_clock(LabClock(self.world.now() + seconds, speed=speed))

    def vm_parameters(self, session: Session, vm: str) -> dict[str, object]:
        rows = run(
            session,
            cmd("Get-Cluster", Name="CLUSTER1"),
            cmd("Get-ClusterResource", Name=[f"Virtual Machine {vm}"]),
            cmd(
                "Get-ClusterParameter", Name=["MigrationState", "MigrationProgress", "MigrationFailureReason"]
            ),
        ).output
        return {str(r.get("Name")): r.get("Value") for r in rows}


@pytest.fixture
def lab() -> Lab:
    return Lab()


def name(obj: Any) -> str:
    """A nested cluster object (OwnerNode, OwnerGroup, ResourceType) as its table column shows it."""
    return "" if obj is None else str(obj.to_string)


LOWER_100M = GiB / (100_000_000 / 8 * 0.94)  # ~91 s: memory / usable rate of 100 Mbps TCP (performance.md)


def elapsed(source: Session) -> float:
    """The last migration's ElapsedTime as Msvm_MigrationJob on its source reports it (§10.1)."""
    jobs = run(source, cmd("Get-CimInstance", "Msvm_MigrationJob", Namespace=NS)).output
    return float(jobs[-1].get("ElapsedTime").total_seconds())


def groups(session: Session) -> dict[str, tuple[str, str]]:
    return {
        str(g.get("Name")): (name(g.get("OwnerNode")), g.get("State").name)
        for g in run(session, cmd("Get-ClusterGroup")).output
    }


def test_role_groups_and_resources_then_live_migration_keeps_uptime(lab: Lab) -> None:
    lab.new_vm("VM1", role=False)
    added = run(lab.a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    (group,) = added.output
    assert (group.get("Name"), name(group.get("OwnerNode")), group.get("State").name) == (
        "VM1",
        "HV1",
        "Online",
    )
    assert group.get("GroupType").name == "VirtualMachine"
    again = run(lab.a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    assert again.failure is not None and "already configured for high availability" in again.failure.message
    assert groups(lab.b)["VM1"] == ("HV1", "Online")
    assert {"Cluster Group", "Available Storage"} <= set(groups(lab.b))
    resources = {
        str(r.get("Name")): (name(r.get("ResourceType")), name(r.get("OwnerGroup")), name(r.get("OwnerNode")))
        for r in run(lab.b, cmd("Get-ClusterResource")).output
    }
    assert resources["Virtual Machine VM1"] == ("Virtual Machine", "VM1", "HV1")
    assert resources["Virtual Machine Configuration VM1"] == ("Virtual Machine Configuration", "VM1", "HV1")
    run(lab.a, cmd("Set-VMHost", VirtualMachineMigrationPerformanceOption="TCPIP"))
    before = run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("Uptime")
    moved = run(lab.a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node="HV2"))
    assert moved.failure is None and name(moved.output[0].get("OwnerNode")) == "HV2"
    # 1 GiB over 100 Mbps with TCP/IP: over the ~91 s lower bound, plus a few seconds (performance.md)
    assert LOWER_100M < elapsed(lab.a) < LOWER_100M * 1.1 + 6
    after = run(lab.b, cmd("Get-VM", Name=["VM1"])).output[0]
    assert after.get("State").name == "Running" and after.get("Uptime") > before
    assert after.get("ComputerName") == "HV2" and after.get("IsClustered") is True
    assert run(lab.a, cmd("Get-VM")).output == []
    assert groups(lab.a)["VM1"] == ("HV2", "Online")
    assert [e.id for e in lab.a.host.hyperv.events] == [20415]
    assert lab.vm_parameters(lab.a, "VM1") == {
        "MigrationState": 0,
        "MigrationProgress": 100,
        "MigrationFailureReason": "",
    }


def test_quick_migration_restarts_uptime(lab: Lab) -> None:
    lab.new_vm("VM1")
    lab.skip(3600, speed=300)
    before = run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("Uptime")
    moved = run(lab.a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node="HV2", MigrationType="Quick"))
    assert moved.failure is None
    after = run(lab.b, cmd("Get-VM", Name=["VM1"])).output[0]
    assert after.get("State").name == "Running" and after.get("Uptime") < before


def test_wait_zero_progress_through_cluster_parameters_then_cancel(lab: Lab) -> None:
    lab.new_vm("VM1")
    lab.slow()
    started = run(lab.a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node="HV2", Wait=0))
    assert started.failure is None and name(started.output[0].get("OwnerNode")) == "HV1"
    lab.skip(20)
    mid = lab.vm_parameters(lab.b, "VM1")
    assert mid["MigrationState"] == 2 and 0 < int(mid["MigrationProgress"]) < 100  # type: ignore[call-overload]
    assert run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("Status") == "Migrating"
    cancelled = run(lab.a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Cancel=True))
    assert name(cancelled.output[0].get("OwnerNode")) == "HV1"
    assert lab.vm_parameters(lab.a, "VM1")["MigrationState"] == 4
    assert run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("State").name == "Running"


def test_switch_missing_on_destination(lab: Lab) -> None:
    lab.new_vm("VM1")
    run(lab.b, cmd("Remove-VMSwitch", Name=["External"], Force=True))
    failed = run(lab.a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node="HV2"))
    assert (
        failed.failure is not None and "could not find Ethernet switch 'External'" in failed.failure.message
    )
    assert failed.failure.fqid.startswith("MoveClusterVirtualMachineRole,")
    params = lab.vm_parameters(lab.a, "VM1")
    assert params["MigrationState"] == 5 and "External" in str(params["MigrationFailureReason"])
    assert run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("State").name == "Running"
    assert lab.b.host.hyperv.events[-1].id == 20413 and lab.a.host.hyperv.events[-1].id == 21502


def test_drain_moves_every_role_within_the_limit(lab: Lab) -> None:
    for name in ("VM1", "VM2", "VM3"):
        lab.new_vm(name, memory=256 * 1024**2)
    lab.new_vm("OFF1", start=False)
    drained = run(lab.b, cmd("Suspend-ClusterNode", Name=["HV1"], Drain=True, Wait=True))
    assert drained.failure is None and drained.output[0].get("DrainStatus").name == "Completed"
    assert drained.output[0].get("State").name == "Paused"
    assert {
        name: owner for name, (owner, _state) in groups(lab.a).items() if name.startswith(("VM", "OFF"))
    } == {
        "VM1": "HV2",
        "VM2": "HV2",
        "VM3": "HV2",
        "OFF1": "HV2",
    }
    assert groups(lab.a)["OFF1"][1] == "Offline"
    assert lab.a.host.hyperv.vms == []


def test_set_vmhost_maximum_is_what_the_model_enforces(lab: Lab) -> None:
    for name in ("VM1", "VM2"):
        lab.new_vm(name, memory=256 * 1024**2)
    assert run(lab.a, cmd("Set-VMHost", MaximumVirtualMachineMigrations=1)).failure is None
    assert run(lab.a, cmd("Get-VMHost")).output[0].get("MaximumVirtualMachineMigrations") == 1
    lab.slow()
    for name in ("VM1", "VM2"):
        run(lab.a, cmd("Move-ClusterVirtualMachineRole", Name=name, Node="HV2", Wait=0))
    lab.skip(5)
    states = {vm: lab.vm_parameters(lab.b, vm)["MigrationProgress"] for vm in ("VM1", "VM2")}
    assert int(states["VM1"]) > 0 and states["VM2"] == 0  # type: ignore[call-overload]
    jobs = run(lab.a, cmd("Get-CimInstance", "Msvm_MigrationJob", Namespace=NS)).output
    assert sorted(j.get("PercentComplete") > 0 for j in jobs) == [False, True]


def test_start_stop_remove_cluster_group(lab: Lab) -> None:
    lab.new_vm("VM1", start=False)
    assert groups(lab.a)["VM1"] == ("HV1", "Offline")
    started = run(lab.b, cmd("Start-ClusterGroup", Name=["VM1"]))
    assert started.output[0].get("State").name == "Online"
    assert run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("State").name == "Running"
    stopped = run(lab.b, cmd("Stop-ClusterGroup", Name=["VM1"]))
    assert stopped.output[0].get("State").name == "Offline"
    assert run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("State").name == "Saved"
    refused = run(lab.b, cmd("Stop-ClusterGroup", Name=["Cluster Group"]))
    assert refused.failure is not None
    missing = run(lab.b, cmd("Start-ClusterGroup", Name=["Nope"]))
    assert (
        missing.failure is not None and missing.failure.message == "The cluster group 'Nope' was not found."
    )
    removed = run(lab.b, cmd("Remove-ClusterGroup", Name=["VM1"], RemoveResources=True, Force=True))
    assert removed.failure is None and "VM1" not in groups(lab.a)
    assert run(lab.a, cmd("Get-VM", Name=["VM1"])).output[0].get("IsClustered") is False


def test_monitor_sources_mid_migration(lab: Lab) -> None:
    lab.new_vm("VM1")
    lab.slow()
    run(lab.a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node="HV2", Wait=0))
    lab.skip(10)
    (job,) = run(lab.a, cmd("Get-CimInstance", "Msvm_MigrationJob", Namespace=NS)).output
    assert job.get("JobState") == 4 and job.get("JobType") == 305 and 0 < job.get("PercentComplete") < 100
    assert job.get("DestinationHost") == "HV2"
    assert run(lab.b, cmd("Get-CimInstance", "Msvm_MigrationJob", Namespace=NS)).output == []
    (sample_set,) = run(
        lab.a, cmd("Get-Counter", Counter=["\\Hyper-V VM Live Migration(*)\\Transfer Pass: Number"])
    ).output
    (sample,) = sample_set.get("CounterSamples")
    assert sample.get("InstanceName") == "vm1:vm live migration" and sample.get("CookedValue") >= 1
    listed = run(lab.a, cmd("Get-Counter", ListSet=["Hyper-V VM Live Migration"])).output[0]
    assert "\\Hyper-V VM Live Migration(*)\\TCP Transport: Bytes Sent/sec" in listed.get("Paths")


def test_gigabit_scenario_is_about_ten_times_faster() -> None:
    fast = Lab("clustered-1g")
    adapter = run(fast.a, cmd("Get-NetAdapter", Name=["vEthernet (External)"])).output[0]
    assert adapter.get("LinkSpeed") == "1 Gbps"  # the knob an admin sees
    run(fast.a, cmd("Set-VMHost", VirtualMachineMigrationPerformanceOption="TCPIP"))
    fast.new_vm("VM1")
    assert run(fast.a, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node="HV2")).failure is None
    assert LOWER_100M / 10 < elapsed(fast.a) < LOWER_100M / 10 * 1.1 + 6  # about a tenth of 100 Mbps
    # the default option, Compression, roughly halves it on these 8-processor hosts (performance.md)
    run(fast.a, cmd("Set-VMHost", VirtualMachineMigrationPerformanceOption="Compression"))
    assert run(fast.b, cmd("Move-ClusterVirtualMachineRole", Name="VM1", Node="HV1")).failure is None
    assert LOWER_100M / 20 < elapsed(fast.b) < LOWER_100M / 20 * 1.1 + 6


def test_every_resource_of_the_cluster_answers_get_cluster_parameter(lab: Lab) -> None:
    """What the cluster dashboard reads: every resource piped into Get-ClusterParameter, VM roles included."""
    lab.new_vm("VM1")
    piped = run(
        lab.a,
        cmd("Get-ClusterResource", Cluster="CLUSTER1"),
        cmd("Get-ClusterParameter", Name=["DiskIdGuid", "Address", "SharePath", "VmID"]),
    )
    assert piped.failure is None and not piped.errors
    names = {str(r.get("ClusterObject")): r.get("Value") for r in piped.output if r.get("Name") == "VmID"}
    assert "Virtual Machine Configuration VM1" in names and "Virtual Machine VM1" in names
