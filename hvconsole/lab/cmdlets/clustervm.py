"""FailoverClusters: clustered VM roles — Add-/Move-ClusterVirtualMachineRole (reference §9.6, §9.8), and the
VM roles as the cluster module shows them (groups, resources, parameters: ``failoverclusters_storage.py`` calls
``role_groups``/``role_resources``/``role_parameters`` below).

The role data lives on the VM (``world/vms.py``: ``clustered``/``group``); the node a VM runs on IS its group's
owner (VM groups are not in ``ClusterData.group_owners``). ``drain`` is what Suspend-ClusterNode -Drain calls
to move a node's VM roles away.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.failoverclusters import NS, ClusterCmdlet, group_object, resource_object
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.engine.objects import matches_any
from hvconsole.lab.protocol import PSObj
from hvconsole.lab.world import cluster as clusters
from hvconsole.lab.world import migration
from hvconsole.lab.world.cluster_state import ClusterData, ClusterResourceData
from hvconsole.lab.world.model import Host, World
from hvconsole.lab.world.vms import (
    VM,
    Migration,
    cluster_vms,
    group_state,
    resource_names,
    vm_resource_parameters,
    vm_role,
)

VM_INPUT = types.ObjectType(
    "VirtualMachine or ClusterGroup",
    (
        "Microsoft.HyperV.PowerShell.VirtualMachine",
        "Deserialized.Microsoft.HyperV.PowerShell.VirtualMachine",
        f"{NS}.ClusterGroup",
    ),
)


def role_group(world: World, cluster: ClusterData, host: Host, vm: VM) -> PSObj:
    """A VM role's ``ClusterGroup`` (§7.7/§9.7): OwnerNode is the node the VM runs on."""
    return group_object(world, cluster, vm.group or vm.name, owner=host.id, state=group_state(vm))


def role_groups(world: World, cluster: ClusterData, names: list[str] | None) -> list[tuple[str, PSObj]]:
    return [
        (vm.group or vm.name, role_group(world, cluster, host, vm))
        for host, vm in cluster_vms(world, cluster)
        if matches_any(vm.group or vm.name, names)
    ]


def role_resources(world: World, cluster: ClusterData, names: list[str] | None) -> list[tuple[str, PSObj]]:
    """Two resources per VM role (§7.6): ``Virtual Machine <VM>`` (Online while the VM runs) and its
    configuration (always Online, inferred); ids derived from the VMId (inferred)."""
    found = []
    for host, vm in cluster_vms(world, cluster):
        for name, kind, state in zip(
            resource_names(vm),
            ("Virtual Machine", "Virtual Machine Configuration"),
            (group_state(vm), "Online"),
            strict=True,
        ):
            if matches_any(name, names):
                data = ClusterResourceData(
                    name=name,
                    resource_type=kind,
                    group=vm.group or vm.name,
                    id=str(uuid.uuid5(uuid.UUID(vm.id), kind)),
                    state=state,
                )
                found.append((name, resource_object(world, cluster, data, owner=host.id)))
    return found


def role_parameters(world: World, cluster: ClusterData, resource: str) -> dict[str, Any] | None:
    """The private properties of ``Virtual Machine <VM>`` (§10.2) or ``Virtual Machine Configuration <VM>``;
    None when ``resource`` is no VM resource."""
    for _host, vm in cluster_vms(world, cluster):
        machine, configuration = resource_names(vm)
        if resource.lower() == machine.lower():
            return vm_resource_parameters(world, vm)
        if resource.lower() == configuration.lower():
            # inferred: the configuration resource's private properties name the VM and where its files live
            return {"VmID": vm.id, "ConfigStoreRootPath": vm.path}
    return None


def drain(world: World, host: Host) -> list[Migration]:
    """Move every VM role off ``host`` (Suspend-ClusterNode -Drain): live for running VMs, quick otherwise, to
    the Up node with the fewest VMs; the simultaneous-migration limit queues the rest (world/migration.py)."""
    cluster = clusters.local_cluster(world, host)
    if cluster is None:
        return []
    others = [h for h in clusters.up_nodes(world, cluster) if h is not host]
    moves: list[Migration] = []
    for vm in [v for v in host.hyperv.vms if v.clustered and not v.migrating]:
        if not others:
            break
        target = min(others, key=lambda h: len(h.hyperv.vms) + sum(1 for m in moves if m.destination == h.id))
        kind = "Live" if vm.state == "Running" else "Quick"
        moves.append(migration.submit(world, host, vm, target, kind, clustered=True))
    return moves


class ClusterVMCmdlet(ClusterCmdlet):
    def fail(self, message: str, error_id: str, category: str = "InvalidOperation") -> None:
        self.throw(self.failure(message, error_id, category))

    def role(self, cluster: ClusterData, name: str) -> tuple[Host, VM]:
        found = vm_role(self.world, cluster, name)
        if found is None:  # inferred: the cluster's group-not-found error
            self.fail(f"The cluster group '{name}' was not found.", "ClusterObjectNotFound", "ObjectNotFound")
        assert found is not None
        return found


@cmdlet
class AddClusterVirtualMachineRole(ClusterVMCmdlet):
    command_name = "Add-ClusterVirtualMachineRole"
    class_name = f"{NS}.AddClusterVirtualMachineRoleCommand"
    VirtualMachine = Param(types.STRING, aliases=("VMName",))
    Name = Param(types.STRING)
    VMId = Param(types.STRING)
    Wait = Param(types.INT32)
    InputObject = Param(VM_INPUT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from()
        piped = self.InputObject if isinstance(self.InputObject, PSObj) else None
        wanted = self.VirtualMachine or (str(piped.get("Name")) if piped else None)
        vm_id = self.VMId or (str(piped.get("VMId")) if piped else None)
        found = [
            (h, v)
            for h in clusters.node_hosts(self.world, cluster)
            for v in h.hyperv.vms
            if (vm_id and v.id.lower() == vm_id.lower())
            or (not vm_id and wanted and v.name.lower() == wanted.lower())
        ]
        if not found:  # inferred wording
            self.fail(
                f"The virtual machine '{wanted or vm_id}' was not found on any node of the cluster.",
                "AddClusterVirtualMachineRole",
                "ObjectNotFound",
            )
        host, vm = found[0]
        if vm.clustered:  # reference §9.6 (third-party wording, unverified)
            self.fail(
                "The resource is already configured for high availability.", "AddClusterVirtualMachineRole"
            )
        vm.clustered, vm.group = True, self.Name or vm.name
        yield role_group(self.world, cluster, host, vm)


@cmdlet
class MoveClusterVirtualMachineRole(ClusterVMCmdlet):
    command_name = "Move-ClusterVirtualMachineRole"
    class_name = f"{NS}.MoveClusterVirtualMachineRoleCommand"
    Name = Param(types.STRING, position=0)
    Node = Param(types.STRING, position=1)
    MigrationType = Param(
        types.EnumType(f"{NS}.VmMigrationType", ["TurnOff", "Quick", "Shutdown", "ShutdownForce", "Live"])
    )
    Wait = Param(types.UINT32)
    Cancel = Param(types.SWITCH)
    IgnoreLocked = Param(types.SWITCH)
    VMId = Param(types.STRING)
    InputObject = Param(VM_INPUT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from()
        name = self.Name or (str(self.InputObject.get("Name")) if isinstance(self.InputObject, PSObj) else "")
        migration.advance(self.world)
        source, vm = self.role(cluster, name)
        if self.Cancel:  # §9.8: the VM keeps running on the source
            running = migration.find_migration(self.world, vm.id)
            if running is not None:
                migration.cancel(self.world, running)
            yield role_group(self.world, cluster, source, vm)
            return
        destination = self.node_named(cluster, self.Node or "")
        if destination is source:  # reference §9.8: a no-op (inferred)
            yield role_group(self.world, cluster, source, vm)
            return
        kind = "Quick" if self.MigrationType == "Quick" else "Live"
        move = migration.submit(self.world, source, vm, destination, kind, clustered=True)
        limit = None if self.Wait is None else float(self.Wait)
        start = self.world.now()
        while move.phase not in migration.FINISHED and (limit is None or self.world.now() - start < limit):
            if not self.wait_lab(0.5):
                return
            migration.advance(self.world)
        if move.phase == "Failed":  # inferred shape (reference §9.8)
            self.fail(
                f"An error occurred while performing the operation.\n    {move.error}",
                "MoveClusterVirtualMachineRole",
            )
        if move.phase == "Canceled":
            self.fail("The operation was canceled.", "MoveClusterVirtualMachineRole", "OperationStopped")
        yield role_group(self.world, cluster, destination if move.phase == "Done" else source, vm)
