"""Hyper-V VM devices (reference §9.2-§9.4): Add/Set-VMDvdDrive, Get-VMNetworkAdapter, Get-VMHardDiskDrive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.hyperv import PS
from hvconsole.lab.cmdlets.hyperv_vm import VMCmdlet, csv_volume
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import I64, U64
from hvconsole.lab.world.vms import VM as VMData


class DvdCmdlet(VMCmdlet):
    Path = Param(types.STRING)
    default_set = "Name"

    def attach(self, vm: VMData, index: int | None) -> None:
        if index is None:
            vm.dvd_drives.append(self.Path)
        else:
            vm.dvd_drives[index] = self.Path


@cmdlet
class AddVMDvdDrive(DvdCmdlet):
    command_name = "Add-VMDvdDrive"
    class_name = "Microsoft.HyperV.PowerShell.Commands.AddVMDvdDrive"
    Name = Param(types.STRINGS, position=0, mandatory=True, sets=("Name",), aliases=("VMName",))

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if not self.busy(vm) and self.should_process(vm.name):
                self.attach(vm, None)
                yield from self.passthru(vm)


@cmdlet
class SetVMDvdDrive(DvdCmdlet):
    command_name = "Set-VMDvdDrive"
    class_name = "Microsoft.HyperV.PowerShell.Commands.SetVMDvdDrive"
    Name = Param(types.STRINGS, position=0, mandatory=True, sets=("Name",), aliases=("VMName",))

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if not self.busy(vm) and self.should_process(vm.name):
                self.attach(vm, 0 if vm.dvd_drives else None)
                yield from self.passthru(vm)


@cmdlet
class GetVMNetworkAdapter(VMCmdlet):
    command_name = "Get-VMNetworkAdapter"
    class_name = "Microsoft.HyperV.PowerShell.Commands.GetVMNetworkAdapter"
    Name = Param(types.STRINGS, position=0, mandatory=True, sets=("Name",), aliases=("VMName",))
    supports_should_process = False

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            yield dotnet_object(
                (f"{PS}.VMNetworkAdapter", f"{PS}.VMNetworkAdapterBase"),
                {
                    "Name": "Network Adapter",
                    "VMName": vm.name,
                    "VMId": vm.id,
                    "SwitchName": vm.switch_name,
                    "MacAddress": vm.mac,
                    "Status": "Ok" if vm.state == "Running" else None,
                    "IPAddresses": [],
                    "IsManagementOs": False,
                    "ComputerName": self.host.name,
                    "Connected": vm.switch_name is not None,
                },
            )


@cmdlet
class GetVMHardDiskDrive(VMCmdlet):
    command_name = "Get-VMHardDiskDrive"
    class_name = "Microsoft.HyperV.PowerShell.Commands.GetVMHardDiskDrive"
    Name = Param(types.STRINGS, position=0, mandatory=True, sets=("Name",), aliases=("VMName",))
    supports_should_process = False

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            for number, vhd in enumerate(vm.vhds):
                volume = csv_volume(self.world, vhd.path)
                size = volume.files.get(vhd.path, 0) if volume else 0
                yield dotnet_object(
                    (f"{PS}.HardDiskDrive", f"{PS}.Drive"),
                    {
                        "Name": "Hard Drive",
                        "VMName": vm.name,
                        "VMId": vm.id,
                        "Path": vhd.path,
                        "ControllerType": vhd.controller_type,
                        "ControllerNumber": 0,
                        "ControllerLocation": number,
                        "MaximumSize": U64(vhd.max_size),
                        "FileSize": I64(size),
                        "ComputerName": self.host.name,
                    },
                )
