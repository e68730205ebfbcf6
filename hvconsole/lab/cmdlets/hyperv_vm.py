"""Hyper-V VMs (reference §9.2-§9.4): New/Get/Start/Stop/Save/Remove-VM (DVD drives, adapters and disks are in
hyperv_devices.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.hyperv import PS, HyperVCmdlet, one_switch, vm_object
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.world.model import Volume, World
from hvconsole.lab.world.vms import VHD, MiB, new_id
from hvconsole.lab.world.vms import VM as VMData

VM_TYPE = types.ObjectType(
    f"{PS}.VirtualMachine", [f"{PS}.VirtualMachine", f"Deserialized.{PS}.VirtualMachine"]
)
VHDX_EMPTY = 4 * MiB  # a new dynamic VHDX file (inferred)
CSV = re.compile(r"^c:\\clusterstorage\\volume(\d+)(\\|$)", re.IGNORECASE)


def csv_volume(world: World, path: str) -> Volume | None:
    """The volume behind ``C:\\ClusterStorage\\VolumeN\\...`` (world.clusters' CSVs), for space accounting."""
    match = CSV.match(path)
    if not match:
        return None
    for cluster in world.clusters:
        for shared in cluster.shared_volumes:
            resource = cluster.resource(shared.resource)
            if shared.volume == int(match.group(1)) and resource and resource.disk_id in world.disks:
                vols = [p.volume for p in world.disks[resource.disk_id].partitions if p.volume]
                return max(vols, key=lambda v: v.size) if vols else None
    return None


class VMCmdlet(HyperVCmdlet):
    Name = Param(types.STRINGS, position=0, mandatory=True, sets=("Name",), aliases=("VMName",))
    VM = Param(types.ArrayOf(VM_TYPE), position=0, mandatory=True, sets=("VMObject",), from_pipeline=True)
    ComputerName = Param(types.STRINGS, sets=("Name",))
    Passthru = Param(types.SWITCH)
    AsJob = Param(types.SWITCH)
    default_set = "Name"
    supports_should_process = True

    def targets(self) -> Iterator[VMData]:
        yield from self.vms_bound(self.Name, self.VM)

    def passthru(self, vm: VMData) -> Iterator[Any]:
        if self.Passthru:
            yield vm_object(self.world, self.host, vm)

    def busy(self, vm: VMData) -> bool:
        if vm.migrating:  # §9.4 OperationFailed_InvalidState
            self.write_error(
                self.hv_error(
                    "The operation cannot be performed while the virtual machine is in its current state.",
                    "InvalidState",
                    vm.name,
                    category="InvalidOperation",
                )
            )
        return vm.migrating


@cmdlet
class GetVM(HyperVCmdlet):
    command_name = "Get-VM"
    class_name = "Microsoft.HyperV.PowerShell.Commands.GetVM"
    Name = Param(types.STRINGS, position=0, aliases=("VMName",))
    Id = Param(types.STRINGS)
    ComputerName = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        for vm in self.vms_named(self.Name):
            if self.Id is None or vm.id.lower() in {i.lower() for i in self.Id}:
                yield vm_object(self.world, self.host, vm)


@cmdlet
class NewVM(HyperVCmdlet):
    command_name = "New-VM"
    class_name = "Microsoft.HyperV.PowerShell.Commands.NewVM"
    default_set = "No VHD"
    supports_should_process = True
    Name = Param(types.STRING, position=0, aliases=("VMName",))
    MemoryStartupBytes = Param(types.INT64, position=1)
    Generation = Param(types.INT32, validate_set=("1", "2"))
    Path = Param(types.STRING)
    NewVHDPath = Param(types.STRING, mandatory=True, sets=("New VHD",))
    NewVHDSizeBytes = Param(types.UINT64, mandatory=True, sets=("New VHD",))
    VHDPath = Param(types.STRING, mandatory=True, sets=("Existing VHD",))
    NoVHD = Param(types.SWITCH, sets=("No VHD",))
    SwitchName = Param(types.STRING)
    BootDevice = Param(types.STRING)
    Version = Param(types.STRING)
    ComputerName = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        name = self.Name or "New virtual machine"
        hv = self.host.hyperv
        if self.SwitchName:
            one_switch(self, self.SwitchName)
        folder = (self.Path or hv.virtual_machine_path).rstrip("\\") + "\\" + name
        generation = self.Generation or 1
        vm = VMData(
            id=new_id(),
            name=name,
            generation=generation,
            path=folder,
            memory_startup=self.MemoryStartupBytes or 512 * MiB,
            switch_name=self.SwitchName,
            mac=f"00155D{self.world.rng_counter % 0xFFFFFF:06X}",
        )
        self.world.rng_counter += 1
        if self.NewVHDPath:
            path = (
                self.NewVHDPath
                if ":" in self.NewVHDPath
                else f"{hv.virtual_hard_disk_path}\\{self.NewVHDPath}"
            )
            if any(
                d.path.lower() == path.lower()
                for _h in self.world.hosts
                for v in _h.hyperv.vms
                for d in v.vhds
            ):
                self.throw(
                    self.hv_error(  # inferred wording (§9.2)
                        f"Failed to create the virtual hard disk. The file '{path}' already exists.",
                        "InvalidParameter",
                        path,
                        category="ResourceExists",
                    )
                )
            volume = csv_volume(self.world, path)
            if volume is not None:
                volume.files[path] = VHDX_EMPTY  # dynamic: grows as the guest writes (inferred)
                volume.size_remaining -= VHDX_EMPTY
            vm.vhds.append(
                VHD(
                    path=path,
                    max_size=self.NewVHDSizeBytes,
                    controller_type="SCSI" if generation == 2 else "IDE",
                )
            )
        elif self.VHDPath:
            vm.vhds.append(
                VHD(path=self.VHDPath, max_size=0, controller_type="SCSI" if generation == 2 else "IDE")
            )
        if not self.should_process(name):
            return
        hv.vms.append(vm)
        yield vm_object(self.world, self.host, vm)


@cmdlet
class StartVM(VMCmdlet):
    command_name = "Start-VM"
    class_name = "Microsoft.HyperV.PowerShell.Commands.StartVM"

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if self.busy(vm) or not self.should_process(vm.name):
                continue
            if vm.state == "Running":
                self.write_warning("The virtual machine is already in the specified state.")  # §9.4
            else:
                vm.state, vm.started_at, vm.cpu_usage = "Running", self.world.now(), 2
            yield from self.passthru(vm)


@cmdlet
class StopVM(VMCmdlet):
    command_name = "Stop-VM"
    class_name = "Microsoft.HyperV.PowerShell.Commands.StopVM"
    TurnOff = Param(types.SWITCH)
    Force = Param(types.SWITCH)
    Save = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if self.busy(vm) or not self.should_process(vm.name):
                continue
            if vm.state == "Off":
                self.write_warning("The virtual machine is already in the specified state.")
            else:
                saved = self.Save and vm.state == "Running"
                vm.state, vm.started_at, vm.cpu_usage = ("Saved" if saved else "Off"), None, 0
            yield from self.passthru(vm)


@cmdlet
class SaveVM(VMCmdlet):
    command_name = "Save-VM"
    class_name = "Microsoft.HyperV.PowerShell.Commands.SaveVM"

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if self.busy(vm) or not self.should_process(vm.name):
                continue
            if vm.state == "Saved":
                self.write_warning("The virtual machine is already in the specified state.")
            elif vm.state != "Running":
                self.write_error(
                    self.hv_error(
                        "The operation cannot be performed while the virtual machine is in its current state.",
                        "InvalidState",
                        vm.name,
                        category="InvalidOperation",
                    )
                )
                continue
            else:
                vm.state, vm.started_at, vm.cpu_usage = "Saved", None, 0
            yield from self.passthru(vm)


@cmdlet
class RemoveVM(VMCmdlet):
    command_name = "Remove-VM"
    class_name = "Microsoft.HyperV.PowerShell.Commands.RemoveVM"
    confirm_impact = "High"
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if self.busy(vm) or (not self.Force and not self.should_process(vm.name)):
                continue
            if vm.state not in ("Off", "Saved"):
                self.write_error(
                    self.hv_error(  # inferred: Remove-VM refuses a running VM
                        "The operation cannot be performed while the virtual machine is in its current state.",
                        "InvalidState",
                        vm.name,
                        category="InvalidOperation",
                    )
                )
                continue
            self.host.hyperv.vms.remove(vm)  # the VHDX files stay on disk, as on Windows
        yield from ()
