"""Failover clusters: one shared object of the world (``World.clusters``) that every node sees the same way.

* A ``ClusterData`` with ``formed`` False is what a failed New-Cluster leaves behind on its nodes: no cluster
  answers, yet the nodes count as joined until ``Clear-ClusterNode -Force`` (reference §7.2, [T-VL]).
* Node state is computed: Down when the host is not running (rebooting, stopped), Paused when suspended,
  otherwise Up (reference §7.4: a node whose cluster service is stopped or which reboots shows Down).
* Disk ownership: a Physical Disk resource (Available Storage, Cluster Group witness or CSV) is online on its
  owner node and offline on the others (the disk stays visible, ``Disk.is_clustered`` on every view).
* A CSV is mounted at ``C:\\ClusterStorage\\VolumeN`` on every node, numbered in order of addition (§8.1).
"""

from __future__ import annotations

import ipaddress

from hvconsole.lab.world.cluster_state import ClusterData, ClusterResourceData, SharedVolumeData
from hvconsole.lab.world.model import Disk, Host, World
from hvconsole.lab.world.network import interface, ipv4_addresses
from hvconsole.lab.world.settings import RegistryValue

CORE_GROUP = "Cluster Group"
STORAGE_GROUP = "Available Storage"
CSV_ROOT = "C:\\ClusterStorage"
# the cluster hive a node loads (inferred: it stays after a failed create until Clear-ClusterNode)
CLUSTER_KEY = "HKEY_LOCAL_MACHINE\\Cluster"
DISK_WITNESS_MIN = 512 * 1024**2  # Failover Cluster Manager's rule (anchors.md: disk witness ≥ 512 MB)


# ----- finding clusters ---------------------------------------------------------------------------------------
def short_name(name: str) -> str:
    return name.split(".")[0].strip().lower()


def find_cluster(world: World, name: str) -> ClusterData | None:
    """A formed cluster by name or FQDN (case-insensitive)."""
    return next((c for c in world.clusters if c.formed and c.name.lower() == short_name(name)), None)


def membership(world: World, host: Host) -> ClusterData | None:
    """The cluster record (formed or left over by a failed create) this host belongs to."""
    return next((c for c in world.clusters if host.id in c.nodes), None)


def local_cluster(world: World, host: Host) -> ClusterData | None:
    found = membership(world, host)
    return found if found is not None and found.formed else None


def node_hosts(world: World, cluster: ClusterData) -> list[Host]:
    return [h for h in (world.host(i) for i in cluster.nodes) if h is not None]


def node_state(world: World, cluster: ClusterData, host: Host) -> str:
    if host.power != "Running":
        return "Down"
    return "Paused" if host.id in cluster.paused else "Up"


def up_nodes(world: World, cluster: ClusterData) -> list[Host]:
    return [h for h in node_hosts(world, cluster) if node_state(world, cluster, h) == "Up"]


def mark_member(host: Host, cluster_name: str) -> None:
    """The node carries the cluster's configuration (``HKLM\\Cluster``, value ClusterName) until it leaves or is
    cleaned by Clear-ClusterNode; a failed create leaves it behind (inferred, reference §7.2)."""
    host.settings.registry[CLUSTER_KEY] = {"ClusterName": RegistryValue(kind="String", data=cluster_name)}


def unmark_member(host: Host) -> None:
    for key in [k for k in host.settings.registry if k.lower() == CLUSTER_KEY.lower()]:
        del host.settings.registry[key]


# ----- ownership and failover -------------------------------------------------------------------------------
def settle(world: World, cluster: ClusterData) -> None:
    """Groups and CSVs owned by a node that is not Up move to the first Up node (failover), and every clustered
    disk is online only on its owner."""
    up = up_nodes(world, cluster)
    if not up:
        return
    fallback = up[0].id
    alive = {h.id for h in node_hosts(world, cluster) if node_state(world, cluster, h) != "Down"}
    for group, owner in list(cluster.group_owners.items()):
        if owner not in alive:
            cluster.group_owners[group] = fallback
    for volume in cluster.shared_volumes:
        if volume.owner not in alive:
            volume.owner = fallback
    for resource in cluster.resources:
        if resource.disk_id is not None:
            place_disk(world, cluster, resource)


def disk_owner(cluster: ClusterData, resource: ClusterResourceData) -> str | None:
    volume = cluster.shared_volume(resource.name)
    if volume is not None:
        return volume.owner
    return cluster.group_owners.get(resource.group)


def place_disk(world: World, cluster: ClusterData, resource: ClusterResourceData) -> None:
    assert resource.disk_id is not None
    owner = disk_owner(cluster, resource)
    for host in node_hosts(world, cluster):
        view = next((v for v in host.disks if v.disk_id == resource.disk_id), None)
        if view is not None:
            view.is_offline = host.id != owner
            view.offline_reason = None if host.id == owner else 5  # inferred: 5 = "ByPolicy"/cluster-owned
            view.is_readonly = False


# ----- shared disks --------------------------------------------------------------------------------------------
def seen_by(world: World, disk_id: str) -> set[str]:
    return {h.id for h in world.hosts for v in h.disks if v.disk_id == disk_id}


def shared_disks(world: World, hosts: list[Host]) -> list[Disk]:
    """Disks every one of ``hosts`` sees, not boot/system, initialized, not yet clustered (reference §7.5)."""
    ids = {h.id for h in hosts}
    out = []
    for disk in world.disks.values():
        views = [v for h in hosts for v in h.disks if v.disk_id == disk.id]
        if disk.is_clustered or any(v.is_boot or v.is_system for v in views):
            continue
        if (
            ids <= seen_by(world, disk.id) and disk.partition_style != 0
        ):  # inferred: RAW disks are not eligible
            out.append(disk)
    return out


def partly_shared(world: World, hosts: list[Host]) -> list[Disk]:
    """iSCSI disks some but not all of ``hosts`` see (a node that did not connect the target)."""
    ids = {h.id for h in hosts}
    return [
        d
        for d in world.disks.values()
        if d.bus_type == 9 and not d.is_clustered and 0 < len(seen_by(world, d.id) & ids) < len(ids)
    ]


def add_disk(world: World, cluster: ClusterData, disk: Disk) -> ClusterResourceData:
    cluster.disk_counter += 1
    resource = ClusterResourceData(
        name=f"Cluster Disk {cluster.disk_counter}",
        resource_type="Physical Disk",
        group=STORAGE_GROUP,
        id=new_id(world),
        disk_id=disk.id,
    )
    cluster.resources.append(resource)
    disk.is_clustered = True
    for host in node_hosts(world, cluster):
        for view in host.disks:
            if view.disk_id == disk.id:
                view.drive_letters.clear()  # inferred: letters are per owner; cleared while clustered
    place_disk(world, cluster, resource)
    return resource


def disk_of(world: World, resource: ClusterResourceData) -> Disk | None:
    return world.disks.get(resource.disk_id) if resource.disk_id else None


def data_volume_size(disk: Disk) -> tuple[int, int]:
    """(size, free) of the disk's largest volume."""
    volumes = [p.volume for p in disk.partitions if p.volume is not None]
    if not volumes:
        return disk.size, disk.size
    biggest = max(volumes, key=lambda v: v.size)
    return biggest.size, biggest.size_remaining


def csv_path(volume: SharedVolumeData) -> str:
    return f"{CSV_ROOT}\\Volume{volume.volume}"


def path_on_csv(world: World, host: Host, path: str) -> bool:
    """``path`` is under a CSV mount point of the host's cluster."""
    cluster = local_cluster(world, host)
    if cluster is None:
        return False
    lowered = path.lower().rstrip("\\")
    return any(
        lowered == csv_path(v).lower() or lowered.startswith(csv_path(v).lower() + "\\")
        for v in cluster.shared_volumes
    )


# ----- addresses ---------------------------------------------------------------------------------------------
def node_networks(host: Host) -> list[ipaddress.IPv4Network]:
    return [interface(a).network for nic in host.adapters if nic.status == "Up" for a in ipv4_addresses(nic)]


def address_network(hosts: list[Host], address: str) -> ipaddress.IPv4Network | None:
    """The network every node has an address in that contains ``address`` (the cluster IP's network)."""
    try:
        wanted = ipaddress.IPv4Address(address)
    except ValueError:
        return None
    for network in node_networks(hosts[0]) if hosts else []:
        if wanted in network and all(network in node_networks(h) for h in hosts):
            return network
    return None


def address_in_use(world: World, address: str) -> bool:
    used = {a.address for h in world.hosts for nic in h.adapters for a in ipv4_addresses(nic)}
    used |= {r.address for c in world.clusters for r in c.resources if r.address}
    return address in used


def new_id(world: World) -> str:
    import random
    import uuid

    world.rng_counter += 1
    rng = random.Random(world.seed * 7919 + world.rng_counter)
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# ----- quorum ------------------------------------------------------------------------------------------------
def default_witness(
    world: World, cluster: ClusterData, resources: list[ClusterResourceData]
) -> ClusterResourceData | None:
    """The disk the create wizard picks as witness: the smallest clustered disk of at least 512 MB (inferred
    from the recipe: its wizard chose the small quorum LUN)."""
    sized = [
        (d.size, r) for r in resources if (d := disk_of(world, r)) is not None and d.size >= DISK_WITNESS_MIN
    ]
    return min(sized, key=lambda pair: pair[0])[1] if sized else None


def drop_witness(world: World, cluster: ClusterData) -> None:
    current = cluster.resource(cluster.witness) if cluster.witness else None
    cluster.witness = None
    if current is None:
        return
    if current.resource_type == "Physical Disk":
        current.group = STORAGE_GROUP
        place_disk(world, cluster, current)
    else:
        cluster.resources.remove(current)


def make_disk_witness(world: World, cluster: ClusterData, resource: ClusterResourceData) -> None:
    drop_witness(world, cluster)
    resource.group = CORE_GROUP
    cluster.witness = resource.name
    place_disk(world, cluster, resource)


def make_share_witness(world: World, cluster: ClusterData, share_path: str) -> ClusterResourceData:
    drop_witness(world, cluster)
    resource = ClusterResourceData(
        name="File Share Witness",
        resource_type="File Share Witness",
        group=CORE_GROUP,
        id=new_id(world),
        share_path=share_path,
    )
    cluster.resources.append(resource)
    cluster.witness = resource.name
    return resource


# ----- Cluster Shared Volumes ---------------------------------------------------------------------------------
def add_shared_volume(world: World, cluster: ClusterData, resource: ClusterResourceData) -> SharedVolumeData:
    owner = cluster.group_owners.get(STORAGE_GROUP) or cluster.nodes[0]
    cluster.volume_counter += 1
    volume = SharedVolumeData(resource=resource.name, volume=cluster.volume_counter, owner=owner)
    cluster.shared_volumes.append(volume)
    resource.group = ""
    disk = disk_of(world, resource)
    for partition in disk.partitions if disk else []:
        if partition.volume is not None:
            partition.volume.file_system = "CSVFS"  # reference §8.1: the file system shows as CSVFS
    place_disk(world, cluster, resource)
    return volume


def remove_shared_volume(world: World, cluster: ClusterData, volume: SharedVolumeData) -> ClusterResourceData:
    cluster.shared_volumes.remove(volume)
    resource = cluster.resource(volume.resource)
    assert resource is not None
    resource.group = STORAGE_GROUP
    disk = disk_of(world, resource)
    for partition in disk.partitions if disk else []:
        if partition.volume is not None and partition.volume.file_system == "CSVFS":
            partition.volume.file_system = "NTFS"
    place_disk(world, cluster, resource)
    return resource


def remove_node(world: World, cluster: ClusterData, host: Host) -> None:
    """The node leaves: its ownerships move to another node; the last one dissolves the record."""
    if host.id in cluster.nodes:
        cluster.nodes.remove(host.id)
    unmark_member(host)
    cluster.paused.pop(host.id, None)
    cluster.node_numbers.pop(host.id, None)
    if not cluster.nodes:
        world.clusters.remove(cluster)
        for resource in cluster.resources:
            disk = disk_of(world, resource)
            if disk is not None:
                disk.is_clustered = False
        return
    settle(world, cluster)
