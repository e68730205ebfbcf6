"""Scenarios: the world a new lab starts from. ``classic`` is three freshly installed Windows Server 2022
Datacenter boxes (the storage + DC box and two future Hyper-V hosts) on two simulated 10.x segments.

Choice: the Hyper-V hosts run Windows Server 2022 Datacenter too (not Hyper-V Server: there is no 2022
Hyper-V Server, and Datacenter licenses unlimited VMs), so Get-WindowsFeature looks the same on all three.
The hosts are Generation 1 VMs (system disk "Virtual HD" on ATA, MBR) as in [T-VL] (reference §6.1).
"""

from __future__ import annotations

import random
import secrets
import string
import time
import uuid

from hvconsole.lab.world.catalog import default_features, default_firewall_rules, default_services
from hvconsole.lab.world.model import (
    Disk,
    DiskView,
    Host,
    IPAddress,
    NetAdapter,
    Partition,
    Subnet,
    Volume,
    World,
)

GiB = 1024**3
MiB = 1024**2
DISK_CLASS_GUID = "{53f56307-b6bf-11d0-94f2-00a0c91efb8b}"
DHCP_LEASE_SECONDS = 8 * 24 * 3600  # inferred: Windows DHCP server default lease (8 days)
SCENARIOS = ("classic", "sixteen", "prepared", "clustered", "clustered-1g", "scale")
# classic: the recipe's three boxes (storage + DC, two Hyper-V hosts).
# sixteen: the same storage box and fifteen Hyper-V hosts, for fan-out benchmarks at scale.
# prepared / clustered: the classic boxes after the recipe's storage stages / cluster stages (world/recipe.py),
#   on the recipe's 100 Mbps network (every adapter's LinkSpeed; the live-migration model's link rate).
# clustered-1g: ``clustered`` on gigabit adapters (lab-only knob for migration timings; Get-NetAdapter shows it).
# scale: sixteen clustered Hyper-V nodes running 1,000+ VMs on 1 GbE, built as data (world/scale.py; benchmarks).
RECIPE_LINK = {"prepared": 100_000_000, "clustered": 100_000_000, "clustered-1g": 1_000_000_000}
NODES = {"classic": 2, "sixteen": 15, "scale": 16}


def new_password() -> str:
    """A random administrator password meeting Windows complexity rules."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(18))
        if (
            any(c.islower() for c in body)
            and any(c.isupper() for c in body)
            and any(c.isdigit() for c in body)
        ):
            return body + secrets.choice("!#%+-=")


def computer_name(rng: random.Random) -> str:
    return "WIN-" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(11))


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _mac(rng: random.Random) -> str:
    return "-".join(["00", "15", "5D"] + [f"{rng.randrange(256):02X}" for _ in range(3)])


def lease_address(subnet: Subnet, rng: random.Random) -> str:
    base = subnet.prefix.split("/")[0].rsplit(".", 1)[0]
    while True:
        address = f"{base}.{rng.randrange(100, 200)}"
        if address not in subnet.leased:
            subnet.leased.append(address)
            return address


def _link_local(rng: random.Random, if_index: int) -> IPAddress:
    hextets = ":".join(f"{rng.randrange(0x10000):x}" for _ in range(4))
    return IPAddress(
        address=f"fe80::{hextets}%{if_index}",
        prefix_length=64,
        family="IPv6",
        prefix_origin="WellKnown",
        suffix_origin="Link",
    )


def _adapter(rng: random.Random, index: int, if_index: int, subnet: Subnet, now: float) -> NetAdapter:
    suffix = "" if index == 0 else f" #{index + 1}"
    nic = NetAdapter(
        name="Ethernet" if index == 0 else f"Ethernet {index + 1}",
        description=f"Microsoft Hyper-V Network Adapter{suffix}",
        if_index=if_index,
        mac=_mac(rng),
        guid="{" + _guid(rng).upper() + "}",
        subnet=subnet.name,
        gateway=subnet.gateway,
        dhcp_dns=list(subnet.dns_servers),
    )
    nic.addresses.append(
        IPAddress(
            address=lease_address(subnet, rng),
            prefix_length=int(subnet.prefix.split("/")[1]),
            lease_obtained=now,
            lease_seconds=DHCP_LEASE_SECONDS,
        )
    )
    nic.addresses.append(_link_local(rng, if_index))
    return nic


def _system_disk(rng: random.Random, host_id: str) -> Disk:
    size = 40 * GiB
    reserved = 549 * MiB
    c_size = size - MiB - reserved - MiB
    return Disk(
        id=f"{host_id}-os",
        friendly_name="Virtual HD",
        model="Virtual HD",
        size=size,
        bus_type=3,
        partition_style=1,
        provisioning_type=1,
        signature=rng.getrandbits(32),
        unique_id=f"{rng.getrandbits(128):032X}",
        partitions=[
            Partition(
                number=1,
                offset=MiB,
                size=reserved,
                type="IFS",
                mbr_type=7,
                is_active=True,
                is_system=True,
                volume=Volume(
                    id=_guid(rng), label="System Reserved", size=reserved, size_remaining=reserved - 36 * MiB
                ),
            ),
            Partition(
                number=2,
                offset=MiB + reserved,
                size=c_size,
                type="IFS",
                mbr_type=7,
                drive_letter="C",
                is_boot=True,
                volume=Volume(
                    id=_guid(rng), size=c_size, size_remaining=c_size - rng.randrange(10, 13) * GiB
                ),
            ),
        ],
    )


def _data_disk(rng: random.Random, host_id: str, lun: int) -> Disk:
    return Disk(
        id=f"{host_id}-data{lun + 1}",
        friendly_name="Msft Virtual Disk",  # a SCSI-attached VHDX on a Hyper-V VM ([T-VL], reference §6.1)
        model="Virtual Disk",
        size=250 * GiB,
        bus_type=10,
        provisioning_type=1,
        unique_id=f"{rng.getrandbits(128):032X}",
    )


def _host(
    rng: random.Random, world: World, host_id: str, role: str, memory_gib: int, cpus: int, now: float
) -> Host:
    host = Host(
        id=host_id,
        role=role,
        name=computer_name(rng),
        memory_bytes=memory_gib * GiB,
        processors=cpus,
        os_serial=f"00454-60000-00001-AA{rng.randrange(1000):03d}",  # inferred format (Datacenter eval)
        install_date=now - rng.randrange(2, 6) * 3600,
        boot_time=now - rng.randrange(120, 900),
        services=default_services(),
        features=default_features(),
        firewall_rules=default_firewall_rules(),
    )
    first = rng.randrange(4, 9)
    for index, subnet in enumerate(world.subnets[:2]):
        host.adapters.append(_adapter(rng, index, first + index * rng.randrange(1, 4) + index, subnet, now))
    system = _system_disk(rng, host_id)
    world.disks[system.id] = system
    host.disks.append(
        DiskView(
            disk_id=system.id,
            number=0,
            location="Integrated : Adapter 0 : Port 0 : Target 0 : LUN 0",
            path=f"\\\\?\\ide#diskvirtual_hd______________________________1.1.0___#5&{rng.getrandbits(28):x}&0&000000#{DISK_CLASS_GUID}",
            is_boot=True,
            is_system=True,
        )
    )
    return host


def build_world(scenario: str = "classic", seed: int | None = None, now: float | None = None) -> World:
    """A new world in its fresh-install state. The same seed gives the same world (except the password)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
    seed = secrets.randbits(32) if seed is None else seed
    now = time.time() if now is None else now
    rng = random.Random(seed)
    world = World(
        scenario=scenario,
        seed=seed,
        lab_time=now,
        admin_password=new_password(),
        subnets=[
            Subnet(name="Management", prefix="10.20.0.0/24", gateway="10.20.0.1", dns_servers=["10.20.0.1"]),
            Subnet(name="Storage", prefix="10.30.0.0/24"),
        ],
    )
    if scenario in RECIPE_LINK:
        from hvconsole.lab.world import recipe  # replays the recipe through the cmdlets

        base = build_world("classic", seed, now)
        for host in base.hosts:
            for nic in host.adapters:
                nic.speed_bps = RECIPE_LINK[scenario]
        built = recipe.build(base, "prepared" if scenario == "prepared" else "clustered")
        built.scenario = scenario
        return built
    nodes = NODES[scenario]
    world.hosts = [_host(rng, world, "storage", "storage-dc", 8, 4, now)]
    world.hosts += [_host(rng, world, f"node{i}", "hyperv", 16, 8, now) for i in range(1, nodes + 1)]
    storage = world.hosts[0]
    for lun in range(2):
        disk = _data_disk(rng, storage.id, lun)
        world.disks[disk.id] = disk
        storage.disks.append(
            DiskView(
                disk_id=disk.id,
                number=lun + 1,
                location=f"Integrated : Bus 0 : Device 8331 : Function 65486 : Adapter 2 : Port 0 : Target 0 : LUN {lun}",
                path=f"\\\\?\\scsi#disk&ven_msft&prod_virtual_disk#5&{rng.getrandbits(28):x}&0&00000{lun}#{DISK_CLASS_GUID}",
                is_offline=True,
                is_readonly=True,
                offline_reason=1,  # SAN policy (reference §6.1)
            )
        )
    world.rng_counter = 1
    if scenario == "scale":
        from hvconsole.lab.world.scale import build as build_scale  # data, not cmdlets: a benchmark fixture

        build_scale(world, rng)
    return world
