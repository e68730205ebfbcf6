"""Start-/Stop-/Remove-ClusterGroup for VM roles (reference §7.7, §9.6; the behaviour is **inferred** from the
"Virtual Machine" resource: online starts the VM, offline applies its OfflineAction = save).

The core groups (``Cluster Group``, ``Available Storage``) are always Online in the lab: starting one returns it,
stopping or removing one is refused (inferred).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.clustervm import ClusterVMCmdlet, role_group
from hvconsole.lab.cmdlets.failoverclusters import NS, group_object
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.protocol import PSObj
from hvconsole.lab.world import migration
from hvconsole.lab.world.cluster_state import ClusterData
from hvconsole.lab.world.model import Host
from hvconsole.lab.world.vms import VM, vm_role

GROUP_INPUT = types.ObjectType(f"{NS}.ClusterGroup", (f"{NS}.ClusterGroup", f"{NS}.Cluster"))


class _GroupCmdlet(ClusterVMCmdlet):
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(GROUP_INPUT, from_pipeline=True)
    Wait = Param(types.INT32)
    IgnoreLocked = Param(types.SWITCH)

    def groups(self) -> Iterator[tuple[ClusterData, str, tuple[Host, VM] | None]]:
        piped = self.InputObject if isinstance(self.InputObject, PSObj) else None
        is_group = piped is not None and any(t.endswith(".ClusterGroup") for t in piped.type_names)
        cluster = self.cluster_from(None if is_group else piped)
        names = [str(piped.get("Name"))] if is_group and piped else [str(n) for n in self.Name or []]
        migration.advance(self.world)
        for name in names:
            role = vm_role(self.world, cluster, name)
            if role is None and name not in cluster.group_owners:
                self.fail(
                    f"The cluster group '{name}' was not found.", "ClusterObjectNotFound", "ObjectNotFound"
                )
            yield cluster, name, role

    def busy(self, vm: VM) -> None:
        if vm.migrating:  # inferred: a group being migrated is locked
            self.fail(f"The group '{vm.group}' is locked by a migration in progress.", self.command_name)


@cmdlet
class StartClusterGroup(_GroupCmdlet):
    command_name = "Start-ClusterGroup"
    class_name = f"{NS}.StartClusterGroupCommand"  # inferred class name

    def process(self) -> Iterator[Any]:
        for cluster, name, role in self.groups():
            if role is None:
                yield group_object(self.world, cluster, name)
                continue
            host, vm = role
            self.busy(vm)
            if vm.state != "Running":  # a saved VM resumes, an Off VM boots: both count from now
                vm.state, vm.started_at, vm.cpu_usage = "Running", self.world.now(), 2
            yield role_group(self.world, cluster, host, vm)


@cmdlet
class StopClusterGroup(_GroupCmdlet):
    command_name = "Stop-ClusterGroup"
    class_name = f"{NS}.StopClusterGroupCommand"  # inferred class name

    def process(self) -> Iterator[Any]:
        for cluster, name, role in self.groups():
            if role is None:
                self.fail(f"The core cluster group '{name}' cannot be taken offline.", "StopClusterGroup")
                continue
            host, vm = role
            self.busy(vm)
            if vm.state in ("Running", "Paused"):  # OfflineAction 1 = save (vms.vm_resource_parameters)
                vm.state, vm.started_at, vm.cpu_usage = "Saved", None, 0
            yield role_group(self.world, cluster, host, vm)


@cmdlet
class RemoveClusterGroup(_GroupCmdlet):
    """Removing a VM role leaves the VM in Hyper-V, no longer highly available (inferred)."""

    command_name = "Remove-ClusterGroup"
    class_name = f"{NS}.RemoveClusterGroupCommand"  # inferred class name
    supports_should_process = True
    confirm_impact = "High"
    RemoveResources = Param(types.SWITCH)
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for _cluster, name, role in self.groups():
            if role is None:
                self.fail(f"The core cluster group '{name}' cannot be removed.", "RemoveClusterGroup")
                continue
            _host, vm = role
            self.busy(vm)
            if not self.RemoveResources:  # inferred wording
                self.fail(
                    f"The group '{name}' contains resources. Use -RemoveResources to remove them with the group.",
                    "RemoveClusterGroup",
                )
            if self.Force or self.should_process(name):
                vm.clustered, vm.group = False, None
                vm.migration_state, vm.migration_progress, vm.migration_failure = 0, 0, ""
        yield from ()
