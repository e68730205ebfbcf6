"""Hyper-V live-migration settings and the non-clustered move (reference §9.5, §9.9): Enable/Disable-VMMigration,
Get/Add/Remove-VMMigrationNetwork and Move-VM (Set-VMProcessor is in hyperv_processor.py).

The settings are the ``Host.hyperv`` fields Get/Set-VMHost show (hyperv_host.py) and the migration model reads.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.hyperv import PS, HyperVCmdlet, vm_object
from hvconsole.lab.cmdlets.hyperv_host import vmhost_object
from hvconsole.lab.cmdlets.hyperv_vm import VMCmdlet
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, like
from hvconsole.lab.protocol import U32
from hvconsole.lab.world import migration
from hvconsole.lab.world.migration_checks import TOO_MANY, reachable_everywhere, too_many_message
from hvconsole.lab.world.model import Host
from hvconsole.lab.world.vms import VM, MigrationNetwork

# [neonSDK] resource texts (reference §9.5 / §9.9)
SUBNET_EXISTS = "The subnet '{0}' already exists in the allowed list for migration."
NO_SUCH_SUBNET = (
    "Windows cannot find the specified subnet in the list of subnets allowed for migration. Use the "
    "Get-VMMigrationNetwork cmdlet to list all subnets allowed for migration."
)
SOURCE_DISABLED = (
    "The source host is not configured for live migration. Use the Enable-VMMigration cmdlet to modify the "
    "Hyper-V settings on the source host to enable migration."
)
DESTINATION_DISABLED = (
    "The destination host is not configured for live migration. Use the Enable-VMMigration cmdlet to modify the "
    "Hyper-V settings on the destination host to enable migration."
)
NO_NETWORKS = (
    "Live migrations of virtual machines cannot be sent to the destination host because no migration networks "
    "are specified for incoming live migrations. To specify networks, run the Add-VMMigrationNetwork cmdlet on "
    "the destination host. To use any available network for live migration, run the command Set-VMHost "
    "-UseAnyNetworkForMigration $true on the destination host."
)
CLUSTERED = (
    "This operation is not supported on a clustered virtual machine. To perform this operation, remove the "
    "virtual machine from the cluster and then try again."
)


class _HostCmdlet(HyperVCmdlet):
    ComputerName = Param(types.STRINGS)
    Passthru = Param(types.SWITCH)


@cmdlet
class EnableVMMigration(_HostCmdlet):
    """Idempotent (inferred); -Passthru returns the host (§9.5)."""

    command_name = "Enable-VMMigration"
    class_name = f"{PS}.Commands.EnableVMMigration"

    def process(self) -> Iterator[Any]:
        self.host.hyperv.migration_enabled = True
        if self.Passthru:
            yield vmhost_object(self.world, self.host)


@cmdlet
class DisableVMMigration(_HostCmdlet):
    command_name = "Disable-VMMigration"
    class_name = f"{PS}.Commands.DisableVMMigration"

    def process(self) -> Iterator[Any]:
        self.host.hyperv.migration_enabled = False
        if self.Passthru:
            yield vmhost_object(self.world, self.host)


def network_object(host: Host, network: MigrationNetwork) -> Any:
    """``Microsoft.HyperV.PowerShell.VMMigrationNetwork``: Subnet, Priority, ComputerName (§9.5, inferred set)."""
    return dotnet_object(
        (f"{PS}.VMMigrationNetwork",),
        {"Subnet": network.subnet, "Priority": U32(network.priority), "ComputerName": host.name},
        to_string=network.subnet,
    )


def same_subnet(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return a.lower() == b.lower()


@cmdlet
class GetVMMigrationNetwork(HyperVCmdlet):
    command_name = "Get-VMMigrationNetwork"
    class_name = f"{PS}.Commands.GetVMMigrationNetwork"
    Subnet = Param(types.STRING, position=0)
    ComputerName = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        found = [
            n
            for n in self.host.hyperv.migration_networks
            if not self.Subnet or like(n.subnet, self.Subnet) or same_subnet(n.subnet, self.Subnet)
        ]
        if self.Subnet and not found:  # GetVMMigrationNetwork_NoMigrationNetworksFound
            self.write_error(self.hv_error(NO_SUCH_SUBNET, "ObjectNotFound", self.Subnet, "ObjectNotFound"))
        yield from (network_object(self.host, n) for n in found)


@cmdlet
class AddVMMigrationNetwork(_HostCmdlet):
    command_name = "Add-VMMigrationNetwork"
    class_name = f"{PS}.Commands.AddVMMigrationNetwork"
    Subnet = Param(types.STRING, position=0, mandatory=True)
    Priority = Param(types.UINT32)

    def process(self) -> Iterator[Any]:
        subnet = str(self.Subnet)
        try:
            network = ipaddress.ip_network(subnet, strict=False)
        except ValueError:  # inferred wording
            self.throw(self.hv_error(f"The subnet '{subnet}' is not valid.", "InvalidParameter", subnet))
            return
        if network.is_loopback or network.is_link_local:  # MigrationNetworkUnacceptable… (inferred wording)
            kind = "loopback" if network.is_loopback else "link-local"
            self.throw(
                self.hv_error(
                    f"The {kind} subnet '{subnet}' cannot be used for migration.", "InvalidParameter", subnet
                )
            )
        hv = self.host.hyperv
        if any(same_subnet(n.subnet, subnet) for n in hv.migration_networks):
            self.throw(
                self.hv_error(
                    SUBNET_EXISTS.format(subnet), "ResourceExists", subnet, category="ResourceExists"
                )
            )
        added = MigrationNetwork(subnet=subnet, priority=int(self.Priority or 0))
        hv.migration_networks.append(added)
        if self.Passthru:
            yield network_object(self.host, added)


@cmdlet
class RemoveVMMigrationNetwork(_HostCmdlet):
    command_name = "Remove-VMMigrationNetwork"
    class_name = f"{PS}.Commands.RemoveVMMigrationNetwork"
    Subnet = Param(types.STRING, position=0, mandatory=True)

    def process(self) -> Iterator[Any]:
        hv = self.host.hyperv
        gone = [n for n in hv.migration_networks if same_subnet(n.subnet, str(self.Subnet))]
        if not gone:
            self.write_error(self.hv_error(NO_SUCH_SUBNET, "ObjectNotFound", self.Subnet, "ObjectNotFound"))
        hv.migration_networks = [n for n in hv.migration_networks if n not in gone]
        yield from ()


@cmdlet
class MoveVM(VMCmdlet):
    """Live migration of a NON-clustered VM (§9.9); waits for the move to finish."""

    command_name = "Move-VM"
    class_name = f"{PS}.Commands.MoveVM"
    Name = Param(types.STRINGS, position=0, mandatory=True, sets=("Name",), aliases=("VMName",))
    DestinationHost = Param(types.STRING, position=1, mandatory=True)
    IncludeStorage = Param(types.SWITCH)
    DestinationStoragePath = Param(types.STRING)
    supports_should_process = True

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if self.busy(vm) or not self.should_process(vm.name):
                continue
            destination = self.destination()
            self.check(vm, destination)
            move = migration.submit(self.world, self.host, vm, destination, "Live", clustered=False)
            while move.phase not in migration.FINISHED:
                if not self.wait_lab(0.5):
                    return
                migration.advance(self.world)
            if move.phase != "Done":
                self.throw(
                    self.hv_error(move.error or "The operation was canceled.", "OperationFailed", vm.name)
                )
            if self.Passthru:
                yield vm_object(self.world, destination, vm)

    def destination(self) -> Host:
        name = str(self.DestinationHost).split(".")[0]
        found = self.world.host(name)
        if found is None or found.power != "Running" or not found.feature_installed("Hyper-V"):
            self.throw(  # inferred wording (connection failure to the destination's VMMS)
                self.hv_error(
                    f"Failed to establish a connection with host '{self.DestinationHost}': The RPC server is "
                    "unavailable. (0x800706BA).",
                    "OperationFailed",
                    self.DestinationHost,
                    category="ConnectionError",
                )
            )
        assert found is not None
        return found

    def check(self, vm: VM, destination: Host) -> None:
        """The §9.9 prerequisites, in the order VMMS meets them (inferred order)."""
        source = self.host
        fail = lambda message, error_id="InvalidOperation": self.throw(  # noqa: E731
            self.hv_error(message, error_id, vm.name, category="InvalidOperation")
        )
        if vm.clustered:  # OperationFailed_NotSupportedInClusteredVM
            fail(CLUSTERED)
        if destination is source:  # inferred wording
            fail(f"The virtual machine '{vm.name}' is already on host '{source.name}'.")
        if not source.hyperv.migration_enabled:
            fail(SOURCE_DISABLED)
        if not destination.hyperv.migration_enabled:
            fail(DESTINATION_DISABLED)
        if not destination.hyperv.use_any_network and not destination.hyperv.migration_networks:
            fail(NO_NETWORKS)
        if not self.IncludeStorage and not all(reachable_everywhere(d.path) for d in vm.vhds):
            fail(  # inferred: without -IncludeStorage the destination must reach the VHDs (shared storage)
                f"Virtual machine migration operation for '{vm.name}' failed at migration destination "
                f"'{destination.name}'. The virtual hard disk '{vm.vhds[0].path}' is not accessible from the "
                "destination. Use -IncludeStorage to move the storage too."
            )
        for host in (source, destination):  # a non-clustered move fails instead of queueing (pain point 7)
            if migration.busy(self.world, host) >= host.hyperv.max_migrations:
                fail(too_many_message(vm, host), str(TOO_MANY))
