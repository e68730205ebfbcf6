"""Hyper-V module (reference §9): shared object builders and errors, and Get/New/Remove-VMSwitch (§9.1).

VMs are in ``hyperv_vm.py``, migration settings and Move-VM in ``hyperv_migration.py``; the data is
``Host.hyperv`` (``world/vms.py``); the migration model is ``world/migration.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, has_wildcards, like
from hvconsole.lab.protocol import I64, PSEnum, PSObj
from hvconsole.lab.world.migration import advance
from hvconsole.lab.world.model import Host, NetAdapter, World
from hvconsole.lab.world.vms import VM, VMSwitch, new_id, uptime_seconds

PS = "Microsoft.HyperV.PowerShell"
VIRTUALIZATION_EXCEPTION = "Microsoft.HyperV.PowerShell.VirtualizationException"  # inferred (reference §9.3)
VM_STATES = {  # VMState (reference §9.3)
    "Other": 1,
    "Running": 2,
    "Off": 3,
    "Stopping": 4,
    "Saved": 6,
    "Paused": 9,
    "Starting": 10,
    "Reset": 11,
    "Saving": 32773,
    "Pausing": 32776,
    "Resuming": 32777,
}
SWITCH_TYPES = {"Private": 0, "Internal": 1, "External": 2}
MIGRATING_STATUS = "Migrating"  # inferred (reference §12.1: the exact text was not found)


class HyperVCmdlet(Cmdlet):
    module_name = "Hyper-V"
    requires_feature = "Hyper-V-PowerShell"

    def hv_error(
        self, message: str, error_id: str, target: str | None, category: str = "InvalidArgument"
    ) -> Any:
        return self.make_error(
            message,
            error_id,
            category=category,
            exception_type=VIRTUALIZATION_EXCEPTION,
            target_name=target,
            target_type="String",
        )

    def vms_named(self, names: list[str] | None) -> Iterator[VM]:
        """By-name lookup acting on ALL matches (names are not unique, §9.2); not-found errors per name."""
        advance(self.world)
        vms = self.host.hyperv.vms
        if not names:
            yield from vms
            return
        for name in names:
            found = [vm for vm in vms if like(vm.name, name)]
            if not found and not has_wildcards(name):
                self.write_error(
                    self.hv_error(
                        f'Hyper-V was unable to find a virtual machine with name "{name}".',
                        "InvalidParameter",
                        name,
                    )
                )
            yield from found

    def vms_bound(self, names: list[str] | None, piped: Any) -> Iterator[VM]:
        """-VM (piped VirtualMachine objects) or -Name."""
        if piped:
            ids = {str(o.get("VMId")) for o in (piped if isinstance(piped, list) else [piped])}
            advance(self.world)
            yield from (vm for vm in self.host.hyperv.vms if vm.id.lower() in {i.lower() for i in ids})
            return
        yield from self.vms_named(names)


def vm_object(world: World, host: Host, vm: VM) -> PSObj:
    """``Microsoft.HyperV.PowerShell.VirtualMachine`` (reference §9.3)."""
    running = vm.state == "Running"
    status = MIGRATING_STATUS if vm.migrating else "Operating normally"
    vm_id = uuid.UUID(vm.id)
    return dotnet_object(
        (f"{PS}.VirtualMachine", f"{PS}.VirtualMachineBase", f"{PS}.VirtualizationObject"),
        {
            "Name": vm.name,
            "Id": vm_id,
            "VMId": vm_id,
            "VMName": vm.name,
            "State": PSEnum(f"{PS}.VMState", VM_STATES.get(vm.state, 1), vm.state),
            "Status": status,
            "CPUUsage": vm.cpu_usage if running else 0,
            "MemoryAssigned": I64(vm.memory_startup if running else 0),
            "MemoryStartup": I64(vm.memory_startup),
            "MemoryDemand": I64(vm.memory_startup * 3 // 4 if running else 0),  # inferred
            "ProcessorCount": I64(vm.processor_count),
            "Uptime": timedelta(seconds=round(uptime_seconds(world, vm), 3)),
            "ComputerName": host.name,
            "Generation": vm.generation,
            "Path": vm.path,
            "ConfigurationLocation": vm.path,
            "Version": "10.0",  # WS2022 configuration version (inferred, §9.3)
            "IsClustered": vm.clustered,
            "Heartbeat": PSEnum(
                f"{PS}.VMHeartbeatStatus",
                2 if running else 0,
                "OkApplicationsUnknown" if running else "Disabled",
            ),  # inferred values
            "ReplicationState": "Disabled",
        },
        to_string=f"VirtualMachine (Name = '{vm.name}') [Id = '{vm.id.lower()}']",
    )


def switch_object(host: Host, switch: VMSwitch) -> PSObj:
    """``Microsoft.HyperV.PowerShell.VMSwitch`` (reference §9.1)."""
    return dotnet_object(
        (f"{PS}.VMSwitch", f"{PS}.VirtualizationObject"),
        {
            "Name": switch.name,
            "Id": uuid.UUID(switch.id),
            "SwitchType": PSEnum(f"{PS}.VMSwitchType", SWITCH_TYPES[switch.switch_type], switch.switch_type),
            "NetAdapterInterfaceDescription": switch.adapter_description,
            "AllowManagementOS": switch.allow_management_os,
            "ComputerName": host.name,
        },
        to_string=f"VMSwitch (Name = '{switch.name}') [Id = '{switch.id.lower()}']",
    )


def switches_named(host: Host, name: str) -> list[VMSwitch]:
    return [s for s in host.hyperv.switches if like(s.name, name)]


@cmdlet
class GetVMSwitch(HyperVCmdlet):
    command_name = "Get-VMSwitch"
    class_name = "Microsoft.HyperV.PowerShell.Commands.GetVMSwitch"
    Name = Param(types.STRINGS, position=0, aliases=("SwitchName",))
    SwitchType = Param(types.EnumType(f"{PS}.VMSwitchType", list(SWITCH_TYPES)))
    ComputerName = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        for pattern in self.Name or ["*"]:
            found = [
                s
                for s in switches_named(self.host, pattern)
                if self.SwitchType is None or s.switch_type == self.SwitchType
            ]
            if not found and not has_wildcards(pattern):
                self.write_error(
                    self.hv_error(
                        f'Hyper-V was unable to find a virtual switch with name "{pattern}".',
                        "InvalidParameter",
                        pattern,
                    )
                )
            yield from (switch_object(self.host, s) for s in found)


@cmdlet
class NewVMSwitch(HyperVCmdlet):
    command_name = "New-VMSwitch"
    class_name = "Microsoft.HyperV.PowerShell.Commands.NewVMSwitch"
    default_set = "NetAdapterName"
    supports_should_process = True
    Name = Param(types.STRING, position=0, mandatory=True, aliases=("SwitchName",))
    NetAdapterName = Param(types.STRING, mandatory=True, sets=("NetAdapterName",))
    NetAdapterInterfaceDescription = Param(
        types.STRING, mandatory=True, sets=("NetAdapterInterfaceDescription",)
    )
    SwitchType = Param(
        types.EnumType(f"{PS}.VMSwitchType", list(SWITCH_TYPES)), mandatory=True, sets=("SwitchType",)
    )
    AllowManagementOS = Param(types.BOOL)
    EnableEmbeddedTeaming = Param(types.BOOL)
    MinimumBandwidthMode = Param(types.STRING)
    ComputerName = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        nic: NetAdapter | None = None
        if self.parameter_set != "SwitchType":
            key = self.NetAdapterName or self.NetAdapterInterfaceDescription
            nic = next(
                (
                    a
                    for a in self.host.adapters
                    if not a.virtual
                    and (a.name.lower() == key.lower() or a.description.lower() == key.lower())
                ),
                None,
            )
            if nic is None:  # inferred wording
                self.throw(
                    self.hv_error(
                        f'Hyper-V was unable to find a network adapter named "{key}".',
                        "InvalidParameter",
                        key,
                    )
                )
                return
            if any(s.adapter == nic.name for s in self.host.hyperv.switches):  # inferred (§9.1)
                self.throw(
                    self.hv_error(
                        f"The network adapter '{nic.description}' is already bound to a virtual switch.",
                        "InvalidOperation",
                        nic.name,
                        category="InvalidOperation",
                    )
                )
                return
        kind = self.SwitchType or "External"
        if not self.should_process(self.Name):
            return
        allow = True if self.AllowManagementOS is None else bool(self.AllowManagementOS)
        switch = VMSwitch(
            id=new_id(),
            name=self.Name,
            switch_type=kind,
            adapter=nic.name if nic else None,
            adapter_description=nic.description if nic else None,
            allow_management_os=allow if kind == "External" else kind == "Internal",
        )
        self.host.hyperv.switches.append(switch)
        if switch.allow_management_os:
            add_host_vnic(self.world, self.host, switch, nic)
        yield switch_object(self.host, switch)


def add_host_vnic(world: World, host: Host, switch: VMSwitch, nic: NetAdapter | None) -> None:
    """The host vNIC ``vEthernet (<name>)``; an external switch's adapter hands it its IP settings (§9.1,
    inferred) so the management address keeps working."""
    index = max((a.if_index for a in host.adapters), default=1) + 1
    vnic = NetAdapter(
        name=f"vEthernet ({switch.name})",
        description="Hyper-V Virtual Ethernet Adapter",
        if_index=index,
        mac=nic.mac if nic else "00-15-5D-00-00-01",
        guid="{" + new_id() + "}",
        subnet=nic.subnet if nic else None,
        speed_bps=nic.speed_bps if nic else 10_000_000_000,
        virtual=True,
    )
    if nic is not None:
        for field in ("dhcp", "addresses", "gateway", "static_dns", "dhcp_dns"):
            setattr(vnic, field, getattr(nic, field))
        nic.addresses, nic.gateway, nic.static_dns = [], None, []
    host.adapters.append(vnic)
    if nic is not None:
        world.addresses_changed(host)


@cmdlet
class RemoveVMSwitch(HyperVCmdlet):
    command_name = "Remove-VMSwitch"
    class_name = "Microsoft.HyperV.PowerShell.Commands.RemoveVMSwitch"
    supports_should_process = True
    confirm_impact = "High"
    Name = Param(types.STRINGS, position=0, mandatory=True, aliases=("SwitchName",))
    Force = Param(types.SWITCH)
    ComputerName = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        for name in self.Name:
            found = switches_named(self.host, name)
            if not found:
                self.write_error(
                    self.hv_error(
                        f'Hyper-V was unable to find a virtual switch with name "{name}".',
                        "InvalidParameter",
                        name,
                    )
                )
            for switch in found:
                if not self.Force and not self.should_process(switch.name):
                    continue
                self.host.hyperv.switches.remove(switch)
                vnic = self.host.adapter(f"vEthernet ({switch.name})")
                if vnic is not None:
                    self.host.adapters.remove(vnic)
                    phys = self.host.adapter(switch.adapter or "")
                    if phys is not None:
                        phys.addresses, phys.gateway, phys.static_dns = (
                            vnic.addresses,
                            vnic.gateway,
                            vnic.static_dns,
                        )
                        self.world.addresses_changed(self.host)
        yield from ()


def one_switch(cmd: HyperVCmdlet, name: str) -> VMSwitch | None:
    """A by-name switch lookup for -SwitchName: not found or ambiguous names fail (§9.1)."""
    found = [s for s in cmd.host.hyperv.switches if s.name.lower() == name.lower()]
    if len(found) > 1:
        cmd.throw(
            cmd.hv_error(
                f'More than one Ethernet switch exists with the name "{name}".', "InvalidParameter", name
            )
        )
    if not found:
        cmd.throw(
            cmd.hv_error(
                f'Hyper-V was unable to find a virtual switch with name "{name}".', "InvalidParameter", name
            )
        )
    return found[0] if found else None
