"""The data of failover clusters (``World.clusters``); behaviour lives in ``cluster.py``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ClusterResourceData(BaseModel):
    name: str  # "Cluster Disk 1", "Cluster IP Address", "File Share Witness"
    resource_type: str  # "Physical Disk" | "IP Address" | "Network Name" | "File Share Witness" | ...
    group: str  # owner group; "" while the disk is a Cluster Shared Volume
    id: str
    state: str = "Online"
    disk_id: str | None = None
    address: str | None = None
    share_path: str | None = None


class SharedVolumeData(BaseModel):
    resource: str  # "Cluster Disk 2"
    volume: int  # N of C:\ClusterStorage\VolumeN
    owner: str  # Host.id of the coordinator node


class ClusterData(BaseModel):
    name: str
    id: str
    domain: str
    address: str | None = None
    prefix_length: int = 24
    nodes: list[str] = Field(default_factory=list)  # Host.id, in join order (node Id = index + 1)
    node_numbers: dict[str, int] = Field(default_factory=dict)
    paused: dict[str, str] = Field(default_factory=dict)  # Host.id -> DrainStatus
    formed: bool = True
    group_owners: dict[str, str] = Field(default_factory=dict)  # group name -> Host.id
    resources: list[ClusterResourceData] = Field(default_factory=list)
    shared_volumes: list[SharedVolumeData] = Field(default_factory=list)
    witness: str | None = None  # the quorum resource's name
    disk_counter: int = 0
    volume_counter: int = 0
    maximum_parallel_migrations: int = 1  # inferred (reference §12.5: the default is not documented)

    def resource(self, name: str) -> ClusterResourceData | None:
        return next((r for r in self.resources if r.name.lower() == name.lower()), None)

    def shared_volume(self, name: str) -> SharedVolumeData | None:
        return next((v for v in self.shared_volumes if v.resource.lower() == name.lower()), None)
