"""Get-ClusterAvailableDisk / Add-ClusterDisk (§7.5), Get-ClusterResource (§7.6), Get-ClusterGroup (§7.7),
Get-ClusterParameter (§7.3, §7.5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.clustervm import role_groups, role_parameters, role_resources
from hvconsole.lab.cmdlets.failoverclusters import (
    NS,
    RESOURCE_STATES,
    ClusterCmdlet,
    _enum,
    group_object,
    resource_object,
)
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, matches_any
from hvconsole.lab.protocol import U32, U64, PSObj
from hvconsole.lab.world import cluster as clusters
from hvconsole.lab.world.cluster_state import ClusterData, ClusterResourceData
from hvconsole.lab.world.model import Disk

CLUSTER_OBJECT = types.ObjectType(f"{NS}.Cluster", (f"{NS}.Cluster",))
DISK_INPUT = types.ObjectType(
    "ClusterDiskInfo or MSFT_Disk",
    (f"{NS}.ClusterDiskInfo", "Microsoft.Management.Infrastructure.CimInstance#MSFT_Disk"),
)
ANY_CLUSTER_OBJECT = types.ObjectType(
    "ClusterObject", tuple(f"{NS}.{k}" for k in ("Cluster", "ClusterResource", "ClusterGroup", "ClusterNode"))
)


def disk_key(disk: Disk) -> str:
    return disk.unique_id


@cmdlet
class GetClusterAvailableDisk(ClusterCmdlet):
    command_name = "Get-ClusterAvailableDisk"
    class_name = f"{NS}.GetClusterAvailableDiskCommand"  # inferred class name
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)
    All = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        hosts = clusters.node_hosts(self.world, cluster)
        seer = self.host if self.host in hosts else hosts[0]
        for index, disk in enumerate(clusters.shared_disks(self.world, hosts)):
            view = next(v for v in seer.disks if v.disk_id == disk.id)
            yield dotnet_object(
                (f"{NS}.ClusterDiskInfo",),
                {
                    "Cluster": cluster.name,
                    "Id": disk_key(disk),
                    "Name": f"Cluster Disk {cluster.disk_counter + index + 1}",
                    "Number": U32(view.number),
                    "ScsiAddress": U32(50331648 + view.number),
                    "Size": U64(disk.size),
                    "Partitions": [
                        f"\\\\?\\GLOBALROOT\\Device\\Harddisk{view.number}\\Partition{p.number}\\"
                        for p in disk.partitions
                    ],
                },
                to_string=f"Cluster Disk {cluster.disk_counter + index + 1}",
            )


@cmdlet
class AddClusterDisk(ClusterCmdlet):
    command_name = "Add-ClusterDisk"
    class_name = f"{NS}.AddClusterDiskCommand"  # inferred class name
    InputObject = Param(DISK_INPUT, from_pipeline=True, mandatory=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from()
        piped: PSObj = self.InputObject
        key = str(
            piped.get("Id")
            if any(t.endswith("ClusterDiskInfo") for t in piped.type_names)
            else piped.get("UniqueId")
        )
        hosts = clusters.node_hosts(self.world, cluster)
        disk = next((d for d in clusters.shared_disks(self.world, hosts) if disk_key(d) == key), None)
        if disk is None:
            self.write_error(
                self.failure(
                    "The disk is not eligible for clustering: it is already clustered or not visible on every node.",
                    "AddClusterDisk",
                    "InvalidOperation",
                )  # inferred message
            )
            return
        resource = clusters.add_disk(self.world, cluster, disk)
        obj = resource_object(self.world, cluster, resource)
        obj.properties["State"] = _enum("ClusterResourceState", "OnlinePending", RESOURCE_STATES)
        yield obj  # reference §7.5: briefly OnlinePending


def _resources(cluster: ClusterData, names: list[str] | None) -> list[ClusterResourceData]:
    return [r for r in cluster.resources if matches_any(r.name, names)]


@cmdlet
class GetClusterResource(ClusterCmdlet):
    command_name = "Get-ClusterResource"
    class_name = f"{NS}.GetResourceCommand"  # inferred class name
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        names = list(self.Name) if self.was_bound("Name") else None
        found = _resources(cluster, names)
        roles = role_resources(self.world, cluster, names)  # VM roles' resources (clustervm.py)
        if names and not found and not roles:
            self.write_error(
                self.failure(
                    f"The cluster resource '{names[0]}' could not be found.",
                    "ClusterObjectNotFound",
                    "ObjectNotFound",
                )  # inferred
            )
        rows = [(r.name, resource_object(self.world, cluster, r)) for r in found] + roles
        for _name, obj in sorted(rows, key=lambda row: row[0]):
            yield obj


@cmdlet
class GetClusterGroup(ClusterCmdlet):
    command_name = "Get-ClusterGroup"
    class_name = f"{NS}.GetClusterGroupCommand"  # inferred class name
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        names = list(self.Name) if self.was_bound("Name") else None
        rows = [
            (g, group_object(self.world, cluster, g)) for g in cluster.group_owners if matches_any(g, names)
        ]
        rows += role_groups(self.world, cluster, names)  # one group per VM role (§9.7, clustervm.py)
        for _name, obj in sorted(rows, key=lambda row: row[0].lower()):
            yield obj


def _parameters(world: Any, cluster: ClusterData, resource: ClusterResourceData | None) -> dict[str, Any]:
    if resource is None:
        return {
            "SharedVolumesRoot": clusters.CSV_ROOT,
            "MaximumParallelMigrations": U32(cluster.maximum_parallel_migrations),
        }
    if resource.resource_type == "IP Address":
        mask = (0xFFFFFFFF << (32 - cluster.prefix_length)) & 0xFFFFFFFF
        return {
            "Address": resource.address,
            "SubnetMask": ".".join(str((mask >> s) & 255) for s in (24, 16, 8, 0)),
            "EnableDhcp": U32(0),
        }
    if resource.resource_type == "Network Name":
        return {"Name": cluster.name, "DnsName": cluster.name}
    if resource.resource_type == "File Share Witness":
        return {"SharePath": resource.share_path}
    disk = clusters.disk_of(world, resource)
    # a GPT disk's DiskIdGuid is its disk GUID, the Guid Get-Disk shows (FailoverClusterDsc matches disks this way)
    guid = disk.guid if disk is not None and disk.guid else "{" + (resource.disk_id or "") + "}"  # inferred
    return {"DiskIdGuid": guid, "MaintenanceMode": U32(0)}


@cmdlet
class GetClusterParameter(ClusterCmdlet):
    command_name = "Get-ClusterParameter"
    class_name = f"{NS}.GetParameterCommand"
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(ANY_CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        piped = self.InputObject
        if piped is None:  # reference §7.3 [T-VL]
            self.throw(self.failure("No cluster object was specified.", "PSArgument", "InvalidArgument"))
        cluster_name = str(piped.get("Cluster") or piped.get("Name"))
        cluster = clusters.find_cluster(self.world, cluster_name)
        if cluster is None:
            self.throw(
                self.failure(f"The cluster '{cluster_name}' could not be found.", "ClusterObjectNotFound")
            )
        assert cluster is not None
        is_resource = any(t.endswith(".ClusterResource") for t in piped.type_names)
        vm_params = role_parameters(self.world, cluster, str(piped.get("Name"))) if is_resource else None
        resource = (
            self.resource_named(cluster, str(piped.get("Name"))) if is_resource and not vm_params else None
        )
        names = list(self.Name) if self.was_bound("Name") else None
        for name, value in (vm_params or _parameters(self.world, cluster, resource)).items():
            if matches_any(name, names):
                yield dotnet_object(
                    (f"{NS}.ClusterParameter",),
                    {
                        "ClusterObject": str(piped.get("Name")),
                        "Name": name,
                        "IsReadOnly": False,
                        "ParameterType": type(value).__name__ if value is not None else "String",
                        "Value": value,
                    },
                    to_string=name,
                )
