"""Get/Add/Remove/Suspend/Resume/Clear-ClusterNode (reference §7.4, §7.2 for Clear-ClusterNode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.clustervm import drain
from hvconsole.lab.cmdlets.failoverclusters import NS, ClusterCmdlet, node_object
from hvconsole.lab.cmdlets.failoverclusters_create import CLUSTER_FEATURE, _NodesCmdlet
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.engine.objects import matches_any
from hvconsole.lab.world import cluster as clusters
from hvconsole.lab.world.vms import drain_status

CLUSTER_OBJECT = types.ObjectType("Microsoft.FailoverClusters.PowerShell.Cluster", (f"{NS}.Cluster",))
NODE_OR_CLUSTER = types.ObjectType("ClusterNode or Cluster", (f"{NS}.Cluster", f"{NS}.ClusterNode"))


@cmdlet
class GetClusterNode(ClusterCmdlet):
    command_name = "Get-ClusterNode"
    class_name = f"{NS}.GetNodeCommand"
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        wanted = [clusters.short_name(n) for n in self.Name] if self.was_bound("Name") else None
        for host in clusters.node_hosts(self.world, cluster):
            if matches_any(host.name.lower(), wanted):
                yield node_object(self.world, cluster, host)
        for name in wanted or []:
            if not any(matches_any(h.name.lower(), [name]) for h in clusters.node_hosts(self.world, cluster)):
                self.write_error(
                    self.failure(
                        f"The cluster node '{name}' was not found in the cluster.",
                        "ClusterObjectNotFound",
                        "ObjectNotFound",
                    )  # inferred message
                )


class _NodeChange(ClusterCmdlet):
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(NODE_OR_CLUSTER, from_pipeline=True)

    def targets(self) -> Iterator[Any]:
        piped = self.InputObject
        node_piped = piped is not None and any(t.endswith(".ClusterNode") for t in piped.type_names)
        cluster = self.cluster_from(None if node_piped else piped)
        if node_piped:
            names = [str(piped.get("Name"))]
        elif self.was_bound("Name"):
            names = [str(n) for n in self.Name]
        else:
            names = [self.host.name]
        for name in names:
            yield cluster, self.node_named(cluster, name)


@cmdlet
class SuspendClusterNode(_NodeChange):
    command_name = "Suspend-ClusterNode"
    class_name = f"{NS}.SuspendClusterNodeCommand"  # inferred class name
    Drain = Param(types.SWITCH)
    ForceDrain = Param(types.SWITCH)
    Wait = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for cluster, host in self.targets():
            if self.Drain:
                self.write_progress(f"Draining {host.name}", "Moving roles", 50)
                cluster.paused[host.id] = "InProgress"
                others = [h for h in clusters.up_nodes(self.world, cluster) if h.id != host.id]
                if others:  # drain: every group and CSV this node owns moves away (reference §7.4)
                    for group, owner in list(cluster.group_owners.items()):
                        if owner == host.id:
                            cluster.group_owners[group] = others[0].id
                drain(self.world, host)  # VM roles: live/quick migrations within the limit (clustervm.py)
                # -Wait: until every role moved; DrainStatus says InProgress until then (vms.drain_status)
                while self.Wait and drain_status(self.world, cluster, host) == "InProgress":
                    if not self.wait_lab(0.5):
                        return
                self.write_progress(f"Draining {host.name}", "Completed", 100, completed=True)
            else:
                cluster.paused.setdefault(host.id, "NotInitiated")
            clusters.settle(self.world, cluster)
            yield node_object(self.world, cluster, host)


@cmdlet
class ResumeClusterNode(_NodeChange):
    command_name = "Resume-ClusterNode"
    class_name = f"{NS}.ResumeClusterNodeCommand"  # inferred class name
    Failback = Param(types.STRING, validate_set=("Immediate", "NoFailback", "Policy"))

    def process(self) -> Iterator[Any]:
        for cluster, host in self.targets():
            cluster.paused.pop(host.id, None)  # resuming a node that is Up is silent (inferred)
            yield node_object(self.world, cluster, host)


@cmdlet
class AddClusterNode(_NodesCmdlet):
    command_name = "Add-ClusterNode"
    class_name = f"{NS}.AddClusterNodeCommand"  # inferred class name
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)
    NoStorage = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        for name in self.Name or []:
            host = self.lookup(name)
            if not self.reachable(host) or host is None or not host.feature_installed(CLUSTER_FEATURE):
                self.throw(self.wmi_unreachable(clusters.short_name(name).upper()))
            assert host is not None
            if host.domain != cluster.domain:
                self.throw(
                    self.failure(f"The computer '{name}' is not in the cluster's domain '{cluster.domain}'.")
                )
            if clusters.membership(self.world, host) is not None:
                self.throw(self.failure(f"The computer '{host.fqdn}' is joined to a cluster."))  # inferred
            self.wait_lab(10.0)
            cluster.nodes.append(host.id)
            clusters.mark_member(host, cluster.name)
            cluster.node_numbers[host.id] = max(cluster.node_numbers.values(), default=0) + 1
            clusters.settle(self.world, cluster)
        return iter(())  # no output ([T-VL])


@cmdlet
class RemoveClusterNode(_NodeChange):
    command_name = "Remove-ClusterNode"
    class_name = f"{NS}.RemoveClusterNodeCommand"
    supports_should_process = True
    confirm_impact = "High"
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for cluster, host in self.targets():
            if self.Force or self.should_process(host.name, "Remove-ClusterNode"):
                clusters.remove_node(self.world, cluster, host)
        return iter(())


@cmdlet
class ClearClusterNode(_NodesCmdlet):
    """Removes what a cluster left on a node (after a failed create or an evicted node); no output ([T-VL])."""

    command_name = "Clear-ClusterNode"
    class_name = f"{NS}.ClearClusterNodeCommand"  # inferred class name
    supports_should_process = True
    confirm_impact = "High"
    Name = Param(types.STRINGS, position=0)
    Force = Param(types.SWITCH)
    CleanupDisks = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for name in list(self.Name or [self.host.name]):
            host = self.lookup(name)
            if not self.reachable(host) or host is None:
                self.throw(self.wmi_unreachable(clusters.short_name(name).upper()))
            assert host is not None
            if not self.Force and not self.should_process(host.name, "Clear-ClusterNode"):
                continue
            record = clusters.membership(self.world, host)
            if record is not None:
                clusters.remove_node(self.world, record, host)
            clusters.unmark_member(host)
        return iter(())
