"""Hyper-V migration settings and Move-VM in-process (reference §9.5, §9.9) on two classic nodes where Hyper-V
was installed by the real cmdlets; clustered VMs on the recipe-built ``clustered`` scenario."""

from __future__ import annotations

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.world.clock import LabClock
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run

GiB = 1024**3


@pytest.fixture
def nodes() -> tuple[Session, Session]:
    world = build_world(seed=7, now=1_700_000_000.0)
    world.attach_clock(LabClock(world.lab_time, speed=500))
    sessions = []
    for host in world.hosts[1:3]:
        session = Session(world=world, host=host)
        assert (
            run(session, cmd("Install-WindowsFeature", Name=["Hyper-V"], IncludeManagementTools=True)).failure
            is None
        )
        world.finish_reboot(host)
        assert run(session, cmd("New-VMSwitch", Name="External", NetAdapterName="Ethernet")).failure is None
        sessions.append(session)
    a = sessions[0]
    made = run(a, cmd("New-VM", Name="VM1", MemoryStartupBytes=GiB, SwitchName="External", NoVHD=True))
    assert made.failure is None
    assert run(a, cmd("Start-VM", Name=["VM1"])).failure is None
    return sessions[0], sessions[1]


def test_settings_round_trip_through_get_vmhost(nodes: tuple[Session, Session]) -> None:
    a, _b = nodes
    host = run(a, cmd("Get-VMHost")).output[0]
    assert host.get("VirtualMachineMigrationEnabled") is False
    assert host.get("VirtualMachineMigrationPerformanceOption").name == "Compression"
    assert host.get("VirtualMachineMigrationAuthenticationType").name == "CredSSP"
    assert run(a, cmd("Enable-VMMigration")).output == []
    changed = run(
        a,
        cmd(
            "Set-VMHost",
            MaximumVirtualMachineMigrations=4,
            VirtualMachineMigrationAuthenticationType="Kerberos",
            VirtualMachineMigrationPerformanceOption="smb",
            UseAnyNetworkForMigration=False,
            Passthru=True,
        ),
    )
    assert changed.sink.warnings == [
        "You must log off and log on again to use the selected virtual machine migration authentication type."
    ]
    shown = changed.output[0]
    assert (
        shown.get("VirtualMachineMigrationEnabled") is True
        and shown.get("MaximumVirtualMachineMigrations") == 4
    )
    assert shown.get("VirtualMachineMigrationAuthenticationType").name == "Kerberos"
    assert shown.get("VirtualMachineMigrationPerformanceOption").name == "SMB"
    assert shown.get("UseAnyNetworkForMigration") is False
    assert (
        run(a, cmd("Disable-VMMigration", Passthru=True)).output[0].get("VirtualMachineMigrationEnabled")
        is False
    )


def test_migration_networks(nodes: tuple[Session, Session]) -> None:
    a, _b = nodes
    assert run(a, cmd("Get-VMMigrationNetwork")).output == []
    assert run(a, cmd("Add-VMMigrationNetwork", Subnet="10.20.0.0/24", Priority=1)).failure is None
    twice = run(a, cmd("Add-VMMigrationNetwork", Subnet="10.20.0.0/24"))
    assert twice.failure is not None
    assert (
        twice.failure.message == "The subnet '10.20.0.0/24' already exists in the allowed list for migration."
    )
    (network,) = run(a, cmd("Get-VMMigrationNetwork")).output
    assert network.type_names[0] == "Microsoft.HyperV.PowerShell.VMMigrationNetwork"
    assert (network.get("Subnet"), network.get("Priority"), network.get("ComputerName")) == (
        "10.20.0.0/24",
        1,
        a.host.name,
    )
    assert run(a, cmd("Add-VMMigrationNetwork", Subnet="127.0.0.0/8")).failure is not None
    assert run(a, cmd("Remove-VMMigrationNetwork", Subnet="10.20.0.0/24")).errors == []
    missing = run(a, cmd("Remove-VMMigrationNetwork", Subnet="10.20.0.0/24"))
    assert missing.errors[0].message.startswith(
        "Windows cannot find the specified subnet in the list of subnets"
    )
    assert run(a, cmd("Get-VMMigrationNetwork", Subnet="10.99.0.0/24")).errors


def test_move_vm_prerequisites_then_a_live_move(nodes: tuple[Session, Session]) -> None:
    a, b = nodes

    def refused() -> str:
        result = run(a, cmd("Move-VM", Name=["VM1"], DestinationHost=b.host.name, IncludeStorage=True))
        assert result.failure is not None
        return result.failure.message

    assert refused().startswith("The source host is not configured for live migration.")
    run(a, cmd("Enable-VMMigration"))
    assert refused().startswith("The destination host is not configured for live migration.")
    run(b, cmd("Enable-VMMigration"))
    run(b, cmd("Set-VMHost", UseAnyNetworkForMigration=False))
    assert refused().startswith("Live migrations of virtual machines cannot be sent to the destination host")
    run(b, cmd("Add-VMMigrationNetwork", Subnet="10.20.0.0/24"))
    before = run(a, cmd("Get-VM", Name=["VM1"])).output[0].get("Uptime")
    moved = run(
        a, cmd("Move-VM", Name=["VM1"], DestinationHost=b.host.name, IncludeStorage=True, Passthru=True)
    )
    assert moved.failure is None and moved.output[0].get("ComputerName") == b.host.name
    after = run(b, cmd("Get-VM", Name=["VM1"])).output[0]
    assert after.get("State").name == "Running" and after.get("Uptime") > before
    assert run(a, cmd("Get-VM")).output == []


def test_move_vm_over_the_simultaneous_limit_fails_with_21501(nodes: tuple[Session, Session]) -> None:
    a, b = nodes
    for session in (a, b):
        run(session, cmd("Enable-VMMigration"))
    run(a, cmd("Set-VMHost", MaximumVirtualMachineMigrations=0))
    result = run(a, cmd("Move-VM", Name=["VM1"], DestinationHost=b.host.name, IncludeStorage=True))
    assert (
        result.failure is not None
        and "maximum number of simultaneous live migrations (0)" in result.failure.message
    )
    assert result.failure.fqid.startswith("21501,")


def test_move_vm_needs_shared_storage_or_include_storage(nodes: tuple[Session, Session]) -> None:
    a, b = nodes
    for session in (a, b):
        run(session, cmd("Enable-VMMigration"))
    run(a, cmd("New-VM", Name="VM2", NewVHDPath="C:\\VMs\\VM2.vhdx", NewVHDSizeBytes=GiB))
    result = run(a, cmd("Move-VM", Name=["VM2"], DestinationHost=b.host.name))
    assert result.failure is not None and "is not accessible from the destination" in result.failure.message
    gone = run(a, cmd("Move-VM", Name=["VM1"], DestinationHost="NOWHERE", IncludeStorage=True))
    assert gone.failure is not None and "NOWHERE" in gone.failure.message


def test_move_vm_refuses_a_clustered_vm_and_set_vmprocessor() -> None:
    world = build_world("clustered", seed=7, now=1_700_000_000.0)
    world.attach_clock(LabClock(world.lab_time, speed=500))
    a = Session(world=world, host=world.hosts[1])
    run(a, cmd("New-VM", Name="VM1", Path="C:\\ClusterStorage\\Volume1", NoVHD=True))
    changed = run(
        a,
        cmd("Set-VMProcessor", VMName=["VM1"], Count=4, CompatibilityForMigrationEnabled=True, Passthru=True),
    )
    assert changed.failure is None
    assert run(a, cmd("Get-VM", Name=["VM1"])).output[0].get("ProcessorCount") == 4
    run(a, cmd("Add-ClusterVirtualMachineRole", VMName="VM1"))
    result = run(a, cmd("Move-VM", Name=["VM1"], DestinationHost="HV2"))
    assert result.failure is not None
    assert result.failure.message == (
        "This operation is not supported on a clustered virtual machine. To perform this operation, remove the "
        "virtual machine from the cluster and then try again."
    )
    run(a, cmd("Start-VM", Name=["VM1"]))
    running = run(a, cmd("Set-VMProcessor", VMName=["VM1"], Count=2))
    assert running.errors and running.errors[0].fqid.startswith("InvalidState,")
