"""Get/Set-ClusterQuorum (reference §7.8) and Add/Get/Remove/Move-ClusterSharedVolume (§8)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.failoverclusters import NS, ClusterCmdlet, resource_object, shared_volume_object
from hvconsole.lab.cmdlets.smbshare import share_path_of
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, matches_any
from hvconsole.lab.world import cluster as clusters
from hvconsole.lab.world import domain
from hvconsole.lab.world.cluster_state import ClusterData

CLUSTER_OBJECT = types.ObjectType(f"{NS}.Cluster", (f"{NS}.Cluster",))
RESOURCE_OR_CLUSTER = types.ObjectType(
    "ClusterResource or Cluster", (f"{NS}.Cluster", f"{NS}.ClusterResource")
)


def quorum_object(world: Any, cluster: ClusterData) -> Any:
    witness = cluster.resource(cluster.witness) if cluster.witness else None
    return dotnet_object(
        (f"{NS}.ClusterQuorumSettings",),
        {
            "Cluster": cluster.name,
            "QuorumResource": resource_object(world, cluster, witness) if witness else None,
            "QuorumType": "Majority",  # WS2016+ with dynamic quorum (reference §7.8, §12.4)
        },
        to_string=cluster.name,
    )


@cmdlet
class GetClusterQuorum(ClusterCmdlet):
    command_name = "Get-ClusterQuorum"
    class_name = f"{NS}.GetClusterQuorumCommand"  # inferred class name
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        yield quorum_object(self.world, self.cluster_from(self.InputObject))


@cmdlet
class SetClusterQuorum(ClusterCmdlet):
    command_name = "Set-ClusterQuorum"
    class_name = f"{NS}.SetClusterQuorumCommand"
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)
    NoWitness = Param(types.SWITCH, aliases=("NodeMajority",), sets=("NoWitness",), mandatory=True)
    DiskWitness = Param(types.STRING, aliases=("NodeAndDiskMajority",), sets=("DiskWitness",), mandatory=True)
    FileShareWitness = Param(
        types.STRING, aliases=("NodeAndFileShareMajority",), sets=("FileShareWitness",), mandatory=True
    )

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        if self.parameter_set == "NoWitness":
            clusters.drop_witness(self.world, cluster)
        elif self.parameter_set == "DiskWitness":
            resource = self.resource_named(cluster, str(self.DiskWitness))
            disk = clusters.disk_of(self.world, resource)
            if cluster.shared_volume(resource.name) is not None:  # failover-cluster-csvs doc (reference §7.8)
                self.throw(
                    self.failure(
                        f"The resource '{resource.name}' is a Cluster Shared Volume and cannot be used as the disk "
                        "witness.",
                        "SetClusterQuorum",
                        "InvalidOperation",
                    )
                )  # inferred message
            if disk is None or disk.size < clusters.DISK_WITNESS_MIN:
                self.throw(
                    self.failure(
                        f"The resource '{resource.name}' cannot be the disk witness: it must be a Physical Disk of at "
                        "least 512 MB.",
                        "SetClusterQuorum",
                        "InvalidArgument",
                    )
                )  # inferred message
            if cluster.witness != resource.name:
                clusters.make_disk_witness(self.world, cluster, resource)
        else:
            path = str(self.FileShareWitness)
            if not self.share_exists(path):
                self.throw(
                    self.failure(
                        f"The file share '{path}' is not valid or does not exist. Make sure the share exists and the "
                        "cluster can reach it.",
                        "SetClusterQuorum",
                        "InvalidArgument",
                    )
                )  # inferred message
            current = cluster.resource(cluster.witness) if cluster.witness else None
            if current is None or (current.share_path or "").lower() != path.lower():
                clusters.make_share_witness(self.world, cluster, path)
        yield quorum_object(self.world, cluster)

    def share_exists(self, path: str) -> bool:
        parts = path.lstrip("\\").split("\\")
        if not path.startswith("\\\\") or len(parts) != 2 or not all(parts):
            return False
        server = self.world.host(clusters.short_name(parts[0]))
        if server is None or server.power != "Running":
            return False
        if "." in parts[0] or domain.resolve_name(self.world, self.host, parts[0]):
            return share_path_of(server, parts[1]) is not None
        return False


def _csv_named(cmd: ClusterCmdlet, cluster: ClusterData, name: str) -> Any:
    volume = cluster.shared_volume(name)
    if volume is None:
        cmd.throw(
            cmd.failure(
                f"The Cluster Shared Volume '{name}' could not be found.",
                "ClusterObjectNotFound",
                "ObjectNotFound",
            )
        )  # inferred message
    return volume


@cmdlet
class AddClusterSharedVolume(ClusterCmdlet):
    command_name = "Add-ClusterSharedVolume"
    class_name = f"{NS}.AddClusterSharedVolumeCommand"
    Name = Param(types.STRING, position=0)
    InputObject = Param(RESOURCE_OR_CLUSTER, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        piped = self.InputObject
        is_resource = piped is not None and any(t.endswith(".ClusterResource") for t in piped.type_names)
        cluster = self.cluster_from(None if is_resource else piped)
        name = str(piped.get("Name")) if is_resource else str(self.Name)
        resource = self.resource_named(cluster, name)
        if resource.resource_type != "Physical Disk" or resource.group != clusters.STORAGE_GROUP:
            why = (
                "is already a Cluster Shared Volume"
                if cluster.shared_volume(name)
                else "is not in Available Storage"
            )
            self.throw(
                self.failure(
                    f"The resource '{name}' {why}. Only a disk in Available Storage can be added to Cluster Shared "
                    "Volumes.",
                    "AddClusterSharedVolume",
                    "InvalidOperation",
                )
            )  # inferred message (reference §12.2)
        self.wait_lab(3.0)
        volume = clusters.add_shared_volume(self.world, cluster, resource)
        yield shared_volume_object(self.world, cluster, volume)


@cmdlet
class GetClusterSharedVolume(ClusterCmdlet):
    command_name = "Get-ClusterSharedVolume"
    class_name = f"{NS}.GetClusterSharedVolumeCommand"
    Name = Param(types.STRINGS, position=0)
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        names = list(self.Name) if self.was_bound("Name") else None
        for volume in cluster.shared_volumes:
            if matches_any(volume.resource, names):
                yield shared_volume_object(self.world, cluster, volume)


@cmdlet
class RemoveClusterSharedVolume(ClusterCmdlet):
    command_name = "Remove-ClusterSharedVolume"
    class_name = f"{NS}.RemoveClusterSharedVolumeCommand"
    Name = Param(types.STRING, position=0)
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        volume = _csv_named(self, cluster, str(self.Name))
        resource = clusters.remove_shared_volume(self.world, cluster, volume)
        yield resource_object(self.world, cluster, resource)


@cmdlet
class MoveClusterSharedVolume(ClusterCmdlet):
    command_name = "Move-ClusterSharedVolume"
    class_name = f"{NS}.MoveClusterSharedVolumeCommand"
    Name = Param(types.STRING, position=0)
    Node = Param(types.STRING)
    InputObject = Param(CLUSTER_OBJECT, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        cluster = self.cluster_from(self.InputObject)
        volume = _csv_named(self, cluster, str(self.Name))
        candidates = [h for h in clusters.up_nodes(self.world, cluster) if h.id != volume.owner]
        target = (
            self.node_named(cluster, str(self.Node)) if self.was_bound("Node") else (candidates[0] if candidates else None)
        )
        if target is None or clusters.node_state(self.world, cluster, target) != "Up":
            self.throw(
                self.failure(
                    "No node is available to move the Cluster Shared Volume to.",
                    "MoveClusterSharedVolume",
                    "InvalidOperation",
                )
            )  # inferred
        assert target is not None
        self.wait_lab(2.0)
        volume.owner = target.id
        clusters.settle(self.world, cluster)
        yield shared_volume_object(self.world, cluster, volume)
