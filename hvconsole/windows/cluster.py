"""Failover cluster objects as Windows returns them (reference §7, §8): nodes, resources, quorum, CSVs.

Nested objects (OwnerNode, OwnerGroup, ResourceType) arrive as dicts or as their names; ``name_of`` reads both.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

NS = "Microsoft.FailoverClusters.PowerShell"
DOUBLE_HOP = "ClusterEndpointNotRegistered"
DOUBLE_HOP_HELP = (
    "The failover-cluster cmdlets ran on a computer that is not a cluster node without naming the cluster, "
    "so they could not reach the cluster service (the remoting 'double hop'). hvconsole always names the "
    "cluster (-Cluster or Get-Cluster -Name … |); check that the cluster name resolves from this host."
)


def name_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("Name") or "")
    return "" if value is None else str(value)


class ClusterNode(BaseModel):
    name: str
    state: str  # Up | Down | Paused | Joining | Unknown
    drain_status: str = "NotInitiated"

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> ClusterNode:
        return cls(
            name=str(p["Name"]),
            state=str(p["State"]),
            drain_status=str(p.get("DrainStatus") or "NotInitiated"),
        )


class ClusterResource(BaseModel):
    name: str
    state: str
    group: str  # "" for a CSV
    resource_type: str  # ResourceType.Name: "Physical Disk", "IP Address", ...
    owner_node: str = ""

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> ClusterResource:
        return cls(
            name=str(p["Name"]),
            state=str(p["State"]),
            group=name_of(p.get("OwnerGroup")),
            resource_type=name_of(p.get("ResourceType")),
            owner_node=name_of(p.get("OwnerNode")),
        )


class SharedVolume(BaseModel):
    name: str
    owner_node: str
    path: str
    size: int
    free: int

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> SharedVolume:
        infos = p.get("SharedVolumeInfo") or [{}]
        info = infos[0] if isinstance(infos, list) and infos else {}
        partition = info.get("Partition") or {} if isinstance(info, dict) else {}
        return cls(
            name=str(p["Name"]),
            owner_node=name_of(p.get("OwnerNode")),
            path=str(info.get("FriendlyVolumeName") or "") if isinstance(info, dict) else "",
            size=int(partition.get("Size") or 0),
            free=int(partition.get("FreeSpace") or 0),
        )


class AvailableDisk(BaseModel):
    name: str
    number: int
    size: int

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> AvailableDisk:
        return cls(name=str(p["Name"]), number=int(p["Number"]), size=int(p["Size"]))


class ClusterView(BaseModel):
    name: str
    nodes: list[ClusterNode]
    resources: list[ClusterResource]
    witness: str | None  # the quorum resource's name
    shared_volumes: list[SharedVolume]
    available: list[AvailableDisk]

    def resource(self, name: str) -> ClusterResource | None:
        return next((r for r in self.resources if r.name.lower() == name.lower()), None)

    @property
    def disks(self) -> list[ClusterResource]:
        return [r for r in self.resources if r.resource_type == "Physical Disk"]
