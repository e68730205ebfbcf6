"""The ``scale`` scenario, a benchmark fixture: sixteen clustered Hyper-V nodes (HV01…HV16 in lab.local,
cluster SCALE1 with CSV Volume1) running 1,024 highly available VMs, on 1 GbE.

Built DIRECTLY AS DATA (replaying New-VM 1,024 times through the cmdlets would make every benchmark start slow),
but with exactly the shapes the cmdlets produce: the same ``HyperVState``/``VM``/``VMSwitch`` records that
New-VMSwitch, New-VM, Start-VM and Add-ClusterVirtualMachineRole write (world/vms.py), the same ``ClusterData``
New-Cluster + Add-ClusterSharedVolume leave (core groups, IP and Name resources, a CSV), the same domain
membership Add-Computer leaves. Everything the cmdlets derive (Get-VM, Get-ClusterGroup, migrations) is then
computed by the ordinary code. Not the recipe's storage: the CSV's disk is the storage box's first data disk
seen as clustered (no iSCSI sessions; inferred as irrelevant to what the benchmarks read).
"""

from __future__ import annotations

import random
import uuid

from hvconsole.lab.world.cluster import CORE_GROUP, STORAGE_GROUP, mark_member
from hvconsole.lab.world.cluster_state import ClusterData, ClusterResourceData, SharedVolumeData
from hvconsole.lab.world.model import Domain, Host, NetAdapter, World
from hvconsole.lab.world.vms import VHD, VM, GiB, MiB, VMSwitch

DOMAIN = "lab.local"
CLUSTER = "SCALE1"
VMS_PER_NODE = 64
LINK_BPS = 1_000_000_000
FEATURES = ("Hyper-V", "Hyper-V-PowerShell", "Failover-Clustering", "RSAT-Clustering-PowerShell")
CSV_FOLDER = "C:\\ClusterStorage\\Volume1"


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def build(world: World, rng: random.Random) -> None:
    storage, nodes = world.hosts[0], world.hosts[1:]
    storage.name = "STOR1"
    world.domains.append(Domain(name=DOMAIN, netbios="LAB", dc=storage.id))
    storage.domain, storage.workgroup, storage.domain_role = DOMAIN, None, 5
    cluster = ClusterData(name=CLUSTER, id=_guid(rng).lower(), domain=DOMAIN, address="10.20.0.50")
    for number, node in enumerate(nodes, start=1):
        _node(world, node, number, rng)
        cluster.nodes.append(node.id)
        cluster.node_numbers[node.id] = number
        mark_member(node, CLUSTER)
    for group in (CORE_GROUP, STORAGE_GROUP):
        cluster.group_owners[group] = nodes[0].id
    for name, kind in (("Cluster IP Address", "IP Address"), ("Cluster Name", "Network Name")):
        cluster.resources.append(
            ClusterResourceData(
                name=name,
                resource_type=kind,
                group=CORE_GROUP,
                id=_guid(rng).lower(),
                address=cluster.address if kind == "IP Address" else None,
            )
        )
    disk = world.disks[f"{storage.id}-data1"]
    disk.is_clustered = True
    cluster.resources.append(
        ClusterResourceData(
            name="Cluster Disk 1",
            resource_type="Physical Disk",
            group="",
            id=_guid(rng).lower(),
            disk_id=disk.id,
        )
    )
    cluster.shared_volumes.append(SharedVolumeData(resource="Cluster Disk 1", volume=1, owner=nodes[0].id))
    cluster.disk_counter = cluster.volume_counter = 1
    world.clusters.append(cluster)
    world.domains[0].records[f"{CLUSTER.lower()}.{DOMAIN}"] = cluster.address or ""
    serial = 0
    for node in nodes:
        for _ in range(VMS_PER_NODE):
            serial += 1
            node.hyperv.vms.append(_vm(world, rng, serial))


def _node(world: World, node: Host, number: int, rng: random.Random) -> None:
    node.name = f"HV{number:02d}"
    node.domain, node.workgroup, node.domain_role = DOMAIN, None, 3
    node.memory_bytes, node.processors = 512 * GiB, 32
    for feature in FEATURES:
        node.features[feature] = "Installed"
    for nic in node.adapters:
        nic.speed_bps = LINK_BPS
    hv = node.hyperv
    hv.virtual_machine_path, hv.virtual_hard_disk_path = f"{CSV_FOLDER}\\VMs", f"{CSV_FOLDER}\\VHDs"
    physical = node.adapters[0]
    switch = VMSwitch(
        id=_guid(rng),
        name="External",
        adapter=physical.name,
        adapter_description=physical.description,
    )
    hv.switches.append(switch)
    vnic = NetAdapter(  # what New-VMSwitch -AllowManagementOS leaves (cmdlets/hyperv.py add_host_vnic)
        name="vEthernet (External)",
        description="Hyper-V Virtual Ethernet Adapter",
        if_index=max(a.if_index for a in node.adapters) + 1,
        mac=physical.mac,
        guid="{" + _guid(rng) + "}",
        subnet=physical.subnet,
        speed_bps=physical.speed_bps,
        virtual=True,
        dhcp=physical.dhcp,
        addresses=physical.addresses,
        gateway=physical.gateway,
        static_dns=physical.static_dns,
        dhcp_dns=physical.dhcp_dns,
    )
    physical.addresses, physical.gateway, physical.static_dns = [], None, []
    node.adapters.append(vnic)


def _vm(world: World, rng: random.Random, serial: int) -> VM:
    name = f"VM{serial:04d}"
    running = rng.random() < 0.9
    memory = rng.choice((1, 2, 4, 8)) * GiB
    return VM(
        id=_guid(rng),
        name=name,
        generation=2,
        memory_startup=memory,
        processor_count=rng.choice((1, 2, 4)),
        state="Running" if running else rng.choice(("Off", "Saved")),
        path=f"{CSV_FOLDER}\\VMs\\{name}",
        vhds=[VHD(path=f"{CSV_FOLDER}\\VHDs\\{name}.vhdx", max_size=60 * GiB)],
        switch_name="External",
        mac=f"00155D{serial:06X}",
        started_at=world.lab_time - rng.randrange(600, 30 * 86400) if running else None,
        cpu_usage=rng.randrange(0, 30) if running else 0,
        dirty_rate=rng.choice((1, 2, 8)) * MiB,
        clustered=True,
        group=name,
    )
