"""Hyper-V cmdlets in-process (reference §9.1-§9.4) on a node where Hyper-V was installed by the real cmdlets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run


@pytest.fixture
def node() -> Session:
    world = build_world(seed=7, now=1_700_000_000.0)
    session = Session(world=world, host=world.hosts[1])
    assert (
        run(session, cmd("Install-WindowsFeature", Name=["Hyper-V"], IncludeManagementTools=True)).failure
        is None
    )
    world.finish_reboot(world.hosts[1])  # what Restart-Computer's reboot ends with
    return session


def test_external_switch_makes_a_host_vnic_and_names_are_not_unique(node: Session) -> None:
    made = run(node, cmd("New-VMSwitch", Name="External", NetAdapterName="Ethernet", AllowManagementOS=True))
    assert made.failure is None
    switch = made.output[0]
    assert switch.type_names[0] == "Microsoft.HyperV.PowerShell.VMSwitch"
    assert switch.get("SwitchType").name == "External"
    vnic = node.host.adapter("vEthernet (External)")
    assert vnic is not None and vnic.addresses and not node.host.adapter("Ethernet").addresses
    second = run(node, cmd("New-VMSwitch", Name="External", SwitchType="Internal"))
    assert second.failure is None and len(run(node, cmd("Get-VMSwitch", Name=["External"])).output) == 2
    ambiguous = run(node, cmd("New-VM", Name="VM1", SwitchName="External"))
    assert ambiguous.failure is not None
    assert ambiguous.failure.message == 'More than one Ethernet switch exists with the name "External".'
    missing = run(node, cmd("Get-VMSwitch", Name=["Nope"]))
    assert missing.errors[0].message == 'Hyper-V was unable to find a virtual switch with name "Nope".'


def test_vm_lifecycle_and_get_vm_shape(node: Session) -> None:
    run(node, cmd("New-VMSwitch", Name="External", NetAdapterName="Ethernet"))
    made = run(
        node,
        cmd(
            "New-VM",
            Name="VM1",
            MemoryStartupBytes=1024**3,
            Generation=2,
            SwitchName="External",
            NewVHDPath="C:\\VMs\\VM1.vhdx",
            NewVHDSizeBytes=40 * 1024**3,
        ),
    )
    assert made.failure is None
    vm = made.output[0]
    assert vm.type_names[0] == "Microsoft.HyperV.PowerShell.VirtualMachine"
    assert (vm.get("State").name, vm.get("MemoryAssigned"), vm.get("Uptime")) == ("Off", 0, timedelta(0))
    assert vm.get("Status") == "Operating normally" and vm.get("ComputerName") == node.host.name
    run(node, cmd("New-VM", Name="VM1", NoVHD=True))  # names are not unique (§9.2)
    assert len(run(node, cmd("Get-VM", Name=["VM1"])).output) == 2
    assert run(node, cmd("Start-VM", Name=["VM1"])).failure is None
    again = run(node, cmd("Start-VM", Name=["VM1"]))
    assert again.sink.warnings == ["The virtual machine is already in the specified state."] * 2
    running = run(node, cmd("Get-VM", Name=["VM1"])).output[0]
    assert running.get("State").name == "Running" and running.get("MemoryAssigned") == 1024**3
    assert run(node, cmd("Save-VM", Name=["VM1"])).failure is None
    assert {o.get("State").name for o in run(node, cmd("Get-VM")).output} == {"Saved"}
    run(node, cmd("Stop-VM", Name=["VM1"], TurnOff=True, Force=True))
    assert run(node, cmd("Remove-VM", Name=["VM1"], Force=True)).failure is None
    gone = run(node, cmd("Get-VM", Name=["VM1"]))
    assert gone.errors[0].message == 'Hyper-V was unable to find a virtual machine with name "VM1".'
    assert gone.errors[0].fqid == "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM"


def test_adapters_disks_and_dvd(node: Session) -> None:
    run(node, cmd("New-VMSwitch", Name="External", NetAdapterName="Ethernet"))
    run(
        node, cmd("New-VM", Name="VM1", SwitchName="External", NewVHDPath="VM1.vhdx", NewVHDSizeBytes=1024**3)
    )
    run(node, cmd("Add-VMDvdDrive", Name=["VM1"], Path="C:\\ISO\\setup.iso"))
    nic = run(node, cmd("Get-VMNetworkAdapter", Name=["VM1"])).output[0]
    assert nic.get("SwitchName") == "External"
    disk = run(node, cmd("Get-VMHardDiskDrive", Name=["VM1"])).output[0]
    assert disk.get("Path").endswith("\\VM1.vhdx") and disk.get("MaximumSize") == 1024**3
    assert node.host.hyperv.vms[0].dvd_drives == ["C:\\ISO\\setup.iso"]
