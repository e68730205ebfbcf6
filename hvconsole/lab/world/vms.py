"""Hyper-V data of one host: virtual switches, VMs, live-migration settings, migrations it drives, VMMS events.

``Host.hyperv`` holds a ``HyperVState``. Behaviour lives in the cmdlets (``lab/cmdlets/hyperv*.py``,
``clustervm.py``) and in ``world/migration.py`` (the live-migration model).

Clustered VM roles (reference §9.6/§9.7) are kept ON THE VM (``VM.clustered``/``group``): the role's group is
named after the VM, its owner node is the host the VM lives on, and its two resources are
``Virtual Machine <VM>`` / ``Virtual Machine Configuration <VM>``. The cluster module reads them through
``cluster_vms``/``vm_role``/``vm_resource_parameters`` below (one source of truth: moving the VM moves the
group; VM groups are NOT in ``ClusterData.group_owners``). The VMHost migration settings (Get/Set-VMHost, §9.5) live here too, in ``HyperVState``.

Hardware the cmdlets cannot change (a scenario chooses it): the migration link's rate is the LinkSpeed of the
adapters on the network the hosts share (``migration.link_bps``: 100 Mbps in the recipe scenarios, 1 GbE in
``clustered-1g`` and ``scale``), and ``cpu_model`` (processor compatibility, §9.9 / pain point 7).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from hvconsole.lab.world.cluster_state import ClusterData
    from hvconsole.lab.world.model import Host, World

MiB = 1024**2
GiB = 1024**3
DEFAULT_DIRTY_RATE = 1 * MiB  # bytes/s a guest dirties by default: a modest, idle-ish server (inferred)
MAX_EVENTS = 500


class VMSwitch(BaseModel):
    id: str
    name: str
    switch_type: str = "External"  # External | Internal | Private
    adapter: str | None = None  # the physical NIC's name (External)
    adapter_description: str | None = None
    allow_management_os: bool = True


class VHD(BaseModel):
    path: str
    max_size: int
    dynamic: bool = True
    controller_type: str = "SCSI"  # Generation 2: SCSI; Generation 1: IDE


class VM(BaseModel):
    id: str  # VMId (GUID)
    name: str
    generation: int = 1
    memory_startup: int = 512 * MiB
    processor_count: int = 1
    state: str = "Off"  # VMState name (reference §9.3)
    path: str  # configuration folder
    vhds: list[VHD] = Field(default_factory=list)
    switch_name: str | None = None  # the network adapter's switch (None: not connected)
    mac: str = "000000000000"
    dvd_drives: list[str | None] = Field(default_factory=list)  # ISO path per DVD drive (None: empty)
    started_at: float | None = None  # lab time the VM started/restored (Uptime); None when not running
    cpu_usage: int = 0
    dirty_rate: int = DEFAULT_DIRTY_RATE  # bytes/s the guest dirties while running (migration model)
    processor_compat: bool = False  # Set-VMProcessor -CompatibilityForMigrationEnabled
    clustered: bool = False  # Add-ClusterVirtualMachineRole made it highly available
    group: str | None = None  # its cluster group's name
    migrating: bool = False  # Status shows "Migrating..." and state changes are refused
    migration_state: int = 0  # cluster resource MigrationState (reference §10.2)
    migration_progress: int = 0
    migration_failure: str = ""


class MigrationNetwork(BaseModel):
    subnet: str
    priority: int = 0


class VmmsEvent(BaseModel):
    id: int
    time: float
    level: str  # Information | Warning | Error
    message: str


class Migration(BaseModel):
    """One VM move driven by its SOURCE host (world/migration.py has the model; reference §10)."""

    id: str  # Msvm_MigrationJob InstanceID
    vm_id: str
    vm_name: str
    source: str  # Host.id
    destination: str  # Host.id
    kind: str = "Live"  # Live | Quick
    option: str = "Compression"  # TCPIP | Compression | SMB (source's performance option at start)
    clustered: bool = True
    phase: str = (
        "Queued"  # Queued | Setup | Transfer | Blackout | Save | Move | Restore | Done | Failed | Canceled
    )
    submitted: float
    started: float | None = None
    phase_started: float = 0.0
    finished: float | None = None
    updated: float = 0.0  # lab time the model last advanced this migration to
    memory: int
    dirty_rate: int
    pass_number: int = 0
    pass_size: int = 0  # bytes this pass must send
    pass_sent: int = 0
    pass_started: float = 0.0
    dirty_pages: int = 0  # pages dirtied so far in this pass (Transfer pass: Dirty Page Count)
    sent: int = 0  # memory bytes sent in total (uncompressed)
    wire_bytes: int = 0  # bytes on the wire (after compression)
    rate: float = 0.0  # memory bytes/s right now (0 outside transfer)
    wire_rate: float = 0.0
    blackout: float = 0.0  # seconds of the final stop-and-copy
    percent: int = 0
    error_code: int = 0
    error: str = ""


class HyperVState(BaseModel):
    switches: list[VMSwitch] = Field(default_factory=list)
    vms: list[VM] = Field(default_factory=list)
    # Get/Set-VMHost (reference §9.5); defaults from Msvm_VirtualSystemMigrationServiceSettingData
    migration_enabled: bool = False
    max_migrations: int = 2  # WS2022 documents 2 (reference §12.5)
    max_storage_migrations: int = 2
    authentication: str = "CredSSP"
    performance_option: str = "Compression"
    use_any_network: bool = True
    migration_networks: list[MigrationNetwork] = Field(default_factory=list)
    virtual_machine_path: str = "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"
    virtual_hard_disk_path: str = (
        "C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks"  # 2016+ (inferred)
    )
    # hardware (scenario-chosen)
    cpu_model: str = "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"
    # live migrations this host drives as their SOURCE (world/migration.py) and its VMMS Admin log
    migrations: list[Migration] = Field(default_factory=list)
    events: list[VmmsEvent] = Field(default_factory=list)
    last_tick: float = 0.0


def new_id() -> str:
    return str(uuid.uuid4()).upper()


def log_event(host: Host, world: World, event_id: int, level: str, message: str) -> None:
    """A Microsoft-Windows-Hyper-V-VMMS-Admin event on ``host``."""
    events = host.hyperv.events
    events.append(VmmsEvent(id=event_id, time=world.now(), level=level, message=message))
    del events[:-MAX_EVENTS]


def all_vms(world: World) -> Iterator[tuple[Host, VM]]:
    for host in world.hosts:
        for vm in host.hyperv.vms:
            yield host, vm


def find_vm(world: World, vm_id: str) -> tuple[Host, VM] | None:
    return next(((h, v) for h, v in all_vms(world) if v.id == vm_id), None)


def clustered_vm(world: World, group: str) -> tuple[Host, VM] | None:
    """The clustered VM whose role group is ``group`` (case-insensitive)."""
    lowered = group.lower()
    return next(
        ((h, v) for h, v in all_vms(world) if v.clustered and (v.group or "").lower() == lowered), None
    )


def uptime_seconds(world: World, vm: VM) -> float:
    return max(0.0, world.now() - vm.started_at) if vm.started_at is not None else 0.0


# ----- for the cluster module: VM roles as groups/resources ----------------------------------------------
def group_state(vm: VM) -> str:
    return "Online" if vm.state in ("Running", "Paused", "Starting") else "Offline"  # §9.6 (Off -> Offline)


def cluster_vms(world: World, cluster: ClusterData) -> list[tuple[Host, VM]]:
    """The cluster's VM roles with the node each runs on (its group's OwnerNode), in node order."""
    return [
        (host, vm)
        for host in (world.host(n) for n in cluster.nodes)
        if host is not None
        for vm in host.hyperv.vms
        if vm.clustered
    ]


def vm_role(world: World, cluster: ClusterData, group: str) -> tuple[Host, VM] | None:
    lowered = group.lower()
    return next(((h, v) for h, v in cluster_vms(world, cluster) if (v.group or "").lower() == lowered), None)


def resource_names(vm: VM) -> tuple[str, str]:
    """Reference §7.6 / §9.6: ``Virtual Machine <VM>`` and ``Virtual Machine Configuration <VM>``."""
    return f"Virtual Machine {vm.name}", f"Virtual Machine Configuration {vm.name}"


def vm_resource_parameters(world: World, vm: VM) -> dict[str, Any]:
    """Private properties of a ``Virtual Machine <VM>`` resource (reference §10.2), after catching up the
    migration model."""
    from hvconsole.lab.world.migration import advance

    advance(world)
    return {
        "VmID": vm.id,
        "MigrationState": vm.migration_state,
        "MigrationProgress": vm.migration_progress,
        "MigrationFailureReason": vm.migration_failure,
        "OfflineAction": 1,  # inferred: save (quick migration's behaviour)
    }


def drain_status(world: World, cluster: ClusterData, host: Host) -> str:
    """DrainStatus of a node (§7.4): InProgress while the VM roles it drains are moving, then Completed (or
    Failed when roles are left on it, inferred)."""
    status = cluster.paused.get(host.id, "NotInitiated")
    if status != "InProgress":
        return status
    from hvconsole.lab.world.migration import FINISHED, advance

    advance(world)
    if any(m.phase not in FINISHED for m in host.hyperv.migrations):
        return status
    status = "Failed" if any(v.clustered for v in host.hyperv.vms) else "Completed"
    cluster.paused[host.id] = status
    return status
