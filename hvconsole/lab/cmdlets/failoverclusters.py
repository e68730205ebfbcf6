"""FailoverClusters module (reference §7, §8): the base class every cluster cmdlet shares and the objects they emit.

Objects are .NET classes of ``Microsoft.FailoverClusters.PowerShell`` (not CIM); failures are
``ClusterCmdletException``. A cmdlet finds its cluster from a piped Cluster object (``Get-Cluster -Name X |``),
``-Cluster X`` or, on a node, the node's own cluster. Anywhere else it fails as in reference §0.3 (the remote
warning + ``ClusterEndpointNotRegistered``). Nested objects (OwnerNode, OwnerGroup, ResourceType) are emitted as
small objects whose ToString is the name, as their table columns show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import U32, U64, PSEnum, PSObj
from hvconsole.lab.world import cluster as clusters
from hvconsole.lab.world import domain
from hvconsole.lab.world.cluster_state import ClusterData, ClusterResourceData, SharedVolumeData
from hvconsole.lab.world.model import Host, World
from hvconsole.lab.world.vms import drain_status

NS = "Microsoft.FailoverClusters.PowerShell"
CLUSTER_EXCEPTION = f"{NS}.ClusterCmdletException"
TOOLS_FEATURE = "RSAT-Clustering-PowerShell"
REMOTE_WARNING = (
    "If you are running Windows PowerShell remotely, note that some failover clustering cmdlets do not work "
    "remotely. When possible, run the cmdlet locally and specify a remote computer as the target. To run the "
    "cmdlet remotely, try using the Credential Security Service Provider (CredSSP). All additional errors or "
    "warnings from this cmdlet might be caused by running it remotely."
)  # reference §0.3 [T-VL]
NOT_RUNNING = (
    "The cluster service is not running.  Make sure that the service is running on all nodes in the cluster.\n"
    "    There are no more endpoints available from the endpoint mapper"
)
NODE_STATES = {"Up": 0, "Down": 1, "Paused": 2, "Joining": 3, "Unknown": -1}  # CLUSTER_NODE_STATE (§7.4)
RESOURCE_STATES = {"Online": 2, "Offline": 3, "Failed": 4, "OnlinePending": 129, "OfflinePending": 130}
GROUP_STATES = {"Online": 0, "Offline": 1, "Failed": 2, "PartialOnline": 3, "Pending": 4}
DRAIN = {"NotInitiated": 0, "InProgress": 1, "Completed": 2, "Failed": 3}
TYPE_DISPLAY = {  # ResourceType.Name -> DisplayName (reference §7.6)
    "File Share Witness": "File Share Quorum Witness",
    "Physical Disk": "Physical Disk",
    "IP Address": "IP Address",
    "Network Name": "Network Name",
}


def _enum(kind: str, name: str, table: dict[str, int]) -> PSEnum:
    return PSEnum(f"{NS}.{kind}", table.get(name, -1), name)  # inferred enum type names


def named(kind: str, name: str, extra: dict[str, Any] | None = None) -> PSObj:
    """A nested object (ClusterNode, ClusterGroup, ResourceType…) that renders as its name."""
    return dotnet_object((f"{NS}.{kind}",), {"Name": name, **(extra or {})}, to_string=name)


def cluster_object(world: World, cluster: ClusterData) -> PSObj:
    return dotnet_object(
        (f"{NS}.Cluster",),
        {
            "Name": cluster.name,
            "Id": cluster.id,
            "Domain": cluster.domain,
            "SharedVolumesRoot": clusters.CSV_ROOT,
            "MaximumParallelMigrations": U32(cluster.maximum_parallel_migrations),
            "DynamicQuorum": U32(1),
            "WitnessDynamicWeight": U32(1),
            "QuarantineThreshold": U32(3),
            "QuarantineDuration": U32(7200),
            "CrossSubnetDelay": U32(1000),
            "CrossSubnetThreshold": U32(20),
            "SameSubnetDelay": U32(1000),
            "SameSubnetThreshold": U32(20),
            "PlumbAllCrossSubnetRoutes": U32(0),
        },
        to_string=cluster.name,
    )


def node_object(world: World, cluster: ClusterData, host: Host) -> PSObj:
    state = clusters.node_state(world, cluster, host)
    return dotnet_object(
        (f"{NS}.ClusterNode",),
        {
            "Name": host.name,
            "Id": str(cluster.node_numbers.get(host.id, 0)),
            "State": _enum("ClusterNodeState", state, NODE_STATES),
            "Type": "Node",
            "NodeWeight": U32(1),
            "DynamicWeight": U32(1 if state != "Down" else 0),
            "DrainStatus": _enum("ClusterNodeDrainStatus", drain_status(world, cluster, host), DRAIN),
            "StatusInformation": "Normal",
            "MajorVersion": U32(10),
            "MinorVersion": U32(0),
            "BuildNumber": U32(int(host.os_build)),
            "Cluster": cluster.name,
        },
        to_string=host.name,
    )


def owner_name(world: World, host_id: str | None) -> str:
    host = world.host(host_id) if host_id else None
    return host.name if host is not None else ""


def resource_object(
    world: World, cluster: ClusterData, resource: ClusterResourceData, owner: str | None = None
) -> PSObj:
    """``owner``: the owner node's Host.id when the caller knows it (VM roles, clustervm.py)."""
    owner = owner or (
        clusters.disk_owner(cluster, resource)
        if resource.disk_id
        else cluster.group_owners.get(resource.group)
    )
    return dotnet_object(
        (f"{NS}.ClusterResource",),
        {
            "Name": resource.name,
            "State": _enum("ClusterResourceState", resource.state, RESOURCE_STATES),
            "OwnerGroup": named("ClusterGroup", resource.group) if resource.group else None,
            "OwnerNode": named("ClusterNode", owner_name(world, owner)),
            "ResourceType": named(
                "ClusterResourceType",
                resource.resource_type,
                {"DisplayName": TYPE_DISPLAY.get(resource.resource_type, resource.resource_type)},
            ),
            "IsCoreResource": resource.group == clusters.CORE_GROUP,
            "Id": resource.id,
            "Cluster": cluster.name,
        },
        to_string=resource.name,
    )


def group_object(
    world: World, cluster: ClusterData, name: str, owner: str | None = None, state: str = "Online"
) -> PSObj:
    """``owner``/``state``: given for VM roles, whose data lives on the VM (clustervm.py, world/vms.py)."""
    core = name == clusters.CORE_GROUP
    kind = "Cluster" if core else ("AvailableStorage" if name == clusters.STORAGE_GROUP else "VirtualMachine")
    return dotnet_object(
        (f"{NS}.ClusterGroup",),
        {
            "Name": name,
            "OwnerNode": named("ClusterNode", owner_name(world, owner or cluster.group_owners.get(name))),
            "State": _enum("ClusterGroupState", state, GROUP_STATES),
            "IsCoreGroup": core,
            "GroupType": _enum(
                "GroupType", kind, {"Cluster": 1, "AvailableStorage": 2, "VirtualMachine": 111}
            ),
            "Priority": U32(3000 if core else 1000),
            "FailoverThreshold": U32(4294967295),
            "FailoverPeriod": U32(6),
            "Cluster": cluster.name,
        },
        to_string=name,
    )


def shared_volume_object(world: World, cluster: ClusterData, volume: SharedVolumeData) -> PSObj:
    resource = cluster.resource(volume.resource)
    disk = clusters.disk_of(world, resource) if resource else None
    size, free = clusters.data_volume_size(disk) if disk else (0, 0)
    partition = dotnet_object(
        (f"{NS}.ClusterDiskPartitionInfo",),
        {
            "DriveLetterMask": U32(0),
            "FileSystem": "CSVFS",
            "FreeSpace": U64(free),
            "HasDriveLetter": False,
            "IsFormatted": True,
            "IsNtfs": False,
            "Name": f"\\\\?\\Volume{{{resource.id if resource else ''}}}\\",
            "PartitionNumber": U32(2),
            "PercentFree": float(round(100 * free / size, 2)) if size else 0.0,
            "Size": U64(size),
            "UsedSpace": U64(size - free),
        },
    )
    info = dotnet_object(
        (f"{NS}.ClusterSharedVolumeInfo",),
        {
            "FaultState": "NoFaults",
            "FriendlyVolumeName": clusters.csv_path(volume),
            "MaintenanceMode": False,
            "Partition": partition,
            "PartitionNumber": U32(2),
            "RedirectedAccess": False,
            "VolumeOffset": U64(135266304),
        },
    )
    return dotnet_object(
        (f"{NS}.ClusterSharedVolume",),
        {
            "Name": volume.resource,
            "State": _enum("ClusterSharedVolumeState", "Online", RESOURCE_STATES),
            "OwnerNode": named("ClusterNode", owner_name(world, volume.owner)),
            "Id": resource.id if resource else "",
            "SharedVolumeInfo": [info],
            "Cluster": cluster.name,
        },
        to_string=volume.resource,
    )


def report_time(world: World, host: Host) -> str:
    return dt.datetime.fromtimestamp(world.host_now(host), dt.UTC).strftime(
        "%Y.%m.%d At %H.%M.%S"
    )  # inferred: UTC


class ClusterCmdlet(Cmdlet):
    module_name = "FailoverClusters"
    requires_feature = TOOLS_FEATURE
    Cluster = Param(types.STRING)

    def failure(self, message: str, error_id: str | None = None, category: str = "NotSpecified") -> Any:
        return self.make_error(
            message, error_id or self.command_name, category=category, exception_type=CLUSTER_EXCEPTION
        )

    def cluster_from(self, piped: Any = None) -> ClusterData:
        """The target cluster (reference §0.3); fails as Windows does when there is none."""
        name = None
        if isinstance(piped, PSObj) and any(t.endswith(".Cluster") for t in piped.type_names):
            name = str(piped.get("Name"))
        elif self.was_bound("Cluster"):
            name = str(self.Cluster)
        found = self._connect(name) if name else clusters.local_cluster(self.world, self.host)
        if found is None:
            self.write_warning(REMOTE_WARNING)
            self.throw(self.failure(NOT_RUNNING, "ClusterEndpointNotRegistered", "ConnectionError"))
        assert found is not None
        clusters.settle(self.world, found)
        return found

    def _connect(self, name: str) -> ClusterData | None:
        node = self.world.host(clusters.short_name(name))
        if node is not None and node.power == "Running":
            return clusters.local_cluster(self.world, node)
        found = clusters.find_cluster(self.world, name)
        if found is None:
            return None
        if clusters.local_cluster(self.world, self.host) is found:
            return found
        resolves = domain.resolve_name(self.world, self.host, name)  # the cluster name must resolve from here
        return found if resolves and clusters.up_nodes(self.world, found) else None

    def node_named(self, cluster: ClusterData, name: str) -> Host:
        host = self.world.host(clusters.short_name(name))
        if host is None or host.id not in cluster.nodes:
            self.throw(
                self.failure(
                    f"The cluster node '{name}' was not found in the cluster.",
                    "ClusterNodeNotFound",
                    "ObjectNotFound",
                )  # inferred message
            )
        assert host is not None
        return host

    def resource_named(self, cluster: ClusterData, name: str) -> ClusterResourceData:
        resource = cluster.resource(name)
        if resource is None:
            self.throw(
                self.failure(
                    f"The cluster resource '{name}' could not be found.",
                    "ClusterObjectNotFound",
                    "ObjectNotFound",
                )  # inferred message
            )
        assert resource is not None
        return resource
