"""FailoverClusters: clustered VM roles — Add-/Move-ClusterVirtualMachineRole (reference §9.6, §9.8).

The role data lives on the VM (``world/vms.py``: ``clustered``/``group``; ``ClusterData.group_owners`` is kept
in step). ``drain`` is what Suspend-ClusterNode -Drain calls to move a node's VM roles away.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import PSObj
from hvconsole.lab.world import migration
from hvconsole.lab.world.cluster_state import ClusterData
from hvconsole.lab.world.model import Host, World
from hvconsole.lab.world.vms import VM, Migration, clustered_vm, group_state

FC = "Microsoft.FailoverClusters.PowerShell"
CLUSTER_EXCEPTION = f"{FC}.ClusterCmdletException"


def cluster_of(world: World, host: Host) -> ClusterData | None:
    return next((c for c in world.clusters if host.id in c.nodes), None)


def group_object(world: World, host: Host, vm: VM) -> PSObj:
    """A VM role's ``ClusterGroup`` (reference §7.7: Name, OwnerNode, State, GroupType VirtualMachine)."""
    cluster = cluster_of(world, host)
    return dotnet_object(
        (f"{FC}.ClusterGroup", f"{FC}.ClusterObject"),
        {
            "Name": vm.group,
            "OwnerNode": host.name,
            "State": group_state(vm),
            "Cluster": cluster.name if cluster else None,
            "IsCoreGroup": False,
            "GroupType": "VirtualMachine",
            "Description": "",
            "Priority": 2000,
        },
        to_string=vm.group,
    )


def drain(world: World, host: Host) -> list[Migration]:
    """Move every VM role off ``host`` (Suspend-ClusterNode -Drain): live for running VMs, to the up node with
    the fewest VMs; the simultaneous-migration limit queues the rest (world/migration.py)."""
    cluster = cluster_of(world, host)
    if cluster is None:
        return []
    others = [
        h for h in (world.host(n) for n in cluster.nodes) if h and h is not host and h.power == "Running"
    ]
    moves: list[Migration] = []
    for vm in [v for v in host.hyperv.vms if v.clustered and not v.migrating]:
        if not others:
            break
        target = min(others, key=lambda h: len(h.hyperv.vms) + sum(1 for m in moves if m.destination == h.id))
        kind = "Live" if vm.state == "Running" else "Quick"
        moves.append(migration.submit(world, host, vm, target, kind, clustered=True))
    return moves


class ClusterVMCmdlet(Cmdlet):
    module_name = "FailoverClusters"
    requires_feature = "RSAT-Clustering-PowerShell"
    Cluster = Param(types.STRING)

    def fail(
        self, message: str, error_id: str, target: str | None, category: str = "InvalidOperation"
    ) -> None:
        self.throw(
            self.make_error(
                message,
                error_id,
                category=category,
                exception_type=CLUSTER_EXCEPTION,
                target_name=target,
                target_type="String",
            )
        )

    def cluster(self) -> ClusterData:
        found = cluster_of(self.world, self.host)
        if self.Cluster:
            found = next(
                (c for c in self.world.clusters if c.name.lower() == self.Cluster.split(".")[0].lower()),
                found,
            )
        if found is None:  # reference §0.3
            self.fail(
                "The cluster service is not running.  Make sure that the service is running on all nodes in "
                "the cluster.\n    There are no more endpoints available from the endpoint mapper",
                "ClusterEndpointNotRegistered",
                None,
                category="ConnectionError",
            )
        assert found is not None
        return found


@cmdlet
class AddClusterVirtualMachineRole(ClusterVMCmdlet):
    command_name = "Add-ClusterVirtualMachineRole"
    class_name = f"{FC}.AddClusterVirtualMachineRoleCommand"
    VirtualMachine = Param(types.STRING, aliases=("VMName",))
    Name = Param(types.STRING)
    VMId = Param(types.STRING)
    Wait = Param(types.INT32)
    InputObject = Param(types.OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster()
        wanted = self.VirtualMachine or (
            self.InputObject.get("Name") if isinstance(self.InputObject, PSObj) else None
        )
        vm_id = self.VMId or (
            str(self.InputObject.get("VMId")) if isinstance(self.InputObject, PSObj) else None
        )
        found = [
            (h, v)
            for h in (self.world.host(n) for n in cluster.nodes)
            if h
            for v in h.hyperv.vms
            if (vm_id and v.id.lower() == vm_id.lower())
            or (not vm_id and wanted and v.name.lower() == wanted.lower())
        ]
        if not found:  # inferred wording
            self.fail(
                f"The virtual machine '{wanted or vm_id}' was not found on any node of the cluster.",
                "AddClusterVirtualMachineRole",
                wanted or vm_id,
                category="ObjectNotFound",
            )
        host, vm = found[0]
        if vm.clustered:  # reference §9.6 (third-party wording, unverified)
            self.fail(
                "The resource is already configured for high availability.",
                "AddClusterVirtualMachineRole",
                vm.name,
            )
        vm.clustered, vm.group = True, self.Name or vm.name
        cluster.group_owners[vm.group] = host.id
        yield group_object(self.world, host, vm)


@cmdlet
class MoveClusterVirtualMachineRole(ClusterVMCmdlet):
    command_name = "Move-ClusterVirtualMachineRole"
    class_name = f"{FC}.MoveClusterVirtualMachineRoleCommand"
    Name = Param(types.STRING, position=0)
    Node = Param(types.STRING, position=1)
    MigrationType = Param(
        types.EnumType(f"{FC}.VmMigrationType", ["TurnOff", "Quick", "Shutdown", "ShutdownForce", "Live"])
    )
    Wait = Param(types.UINT32)
    Cancel = Param(types.SWITCH)
    IgnoreLocked = Param(types.SWITCH)
    VMId = Param(types.STRING)
    InputObject = Param(types.OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        self.cluster()
        name = self.Name or (self.InputObject.get("Name") if isinstance(self.InputObject, PSObj) else "")
        migration.advance(self.world)
        found = clustered_vm(self.world, name or "")
        if found is None:  # inferred: the cluster's group-not-found error
            self.fail(
                f"The cluster group '{name}' was not found.", "ClusterObjectNotFound", name, "ObjectNotFound"
            )
        source, vm = found  # type: ignore[misc]
        if self.Cancel:
            running = migration.find_migration(self.world, vm.id)
            if running is not None:
                migration.cancel(self.world, running)
            yield group_object(self.world, source, vm)
            return
        destination = self.world.host(self.Node or "")
        cluster = cluster_of(self.world, source)
        if destination is None or cluster is None or destination.id not in cluster.nodes:
            self.fail(
                f"The cluster node '{self.Node}' was not found.",
                "ClusterObjectNotFound",
                self.Node,
                "ObjectNotFound",
            )
        assert destination is not None
        if destination is source:  # reference §11: a no-op (inferred)
            yield group_object(self.world, source, vm)
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
                name,
            )
        if move.phase == "Canceled":
            self.fail(
                "The operation was canceled.", "MoveClusterVirtualMachineRole", name, "OperationStopped"
            )
        owner = destination if move.phase == "Done" else source
        yield group_object(self.world, owner, vm)
