"""Disks stage, reading: every host's disks, partitions and volumes in one round trip (three statements with
narrow Select-Object lists), and shared LUNs recognised across hosts by serial number / unique id.

Planning is in ``disks_plan.py``: a shared LUN is prepared (initialized, partitioned, formatted) on ONE host
only — the first host where it is online, else the first selected — because the same disk on another host
shows Offline + GPT and a second Initialize-Disk fails with StorageWMI 41001 (reference §6.3, [T-VL]).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties, type_name
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.storage import BusType, Disk, HostDisks, Partition, Volume, parse_host_disks

DISK_PROPERTIES = [
    "Number",
    "FriendlyName",
    "SerialNumber",
    "UniqueId",
    "BusType",
    "Size",
    "IsOffline",
    "IsReadOnly",
    "IsClustered",
    "IsBoot",
    "IsSystem",
    "PartitionStyle",
    "OfflineReason",
    "OperationalStatus",
    "HealthStatus",
]
PARTITION_PROPERTIES = [
    "DiskNumber",
    "PartitionNumber",
    "DriveLetter",
    "Offset",
    "Size",
    "Type",
    "AccessPaths",
]
VOLUME_PROPERTIES = ["DriveLetter", "FileSystemLabel", "FileSystem", "Size", "SizeRemaining", "Path"]

ALREADY_INITIALIZED = (
    "StorageWMI 41001 “The disk has already been initialized.”: the disk is a shared LUN that another host "
    "already initialized. Its partition table is shared, so there is nothing to initialize here: bring it "
    "online on this host to use it (before the cluster exists), or leave it to the cluster. Clear-Disk "
    "-RemoveData would erase what the other host wrote."
)


def read_pipeline() -> Pipeline:
    return Pipeline.of(
        Command("Get-Disk") | Command("Select-Object", Property=DISK_PROPERTIES),
        Command("Get-Partition") | Command("Select-Object", Property=PARTITION_PROPERTIES),
        Command("Get-Volume") | Command("Select-Object", Property=VOLUME_PROPERTIES),
    )


def parse_result(result: PipelineResult) -> HostDisks:
    return parse_host_disks(
        (type_name(o) or "", properties(o)) for o in result.objects if hasattr(o, "types")
    )


@dataclass(frozen=True)
class Placement:
    """One host's view of a disk."""

    host: str
    disk: Disk
    partitions: tuple[Partition, ...] = ()
    volumes: tuple[Volume | None, ...] = ()

    @property
    def data(self) -> list[tuple[Partition, Volume | None]]:
        return [(p, v) for p, v in zip(self.partitions, self.volumes, strict=True) if p.is_data]


@dataclass
class DiskGroup:
    """A disk as one thing: a local disk (one placement) or a shared LUN seen by several hosts."""

    key: str
    placements: list[Placement] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len(self.placements) > 1

    @property
    def first(self) -> Disk:
        return self.placements[0].disk

    @property
    def online_on(self) -> list[str]:
        return [p.host for p in self.placements if not p.disk.is_offline]

    def on(self, host: str) -> Placement | None:
        return next((p for p in self.placements if p.host == host), None)

    def label(self) -> str:
        disk = self.first
        bus = disk.bus_type.name
        return f"{disk.friendly_name} ({bus}, {disk.size / 1024**3:.0f} GB)" + (
            f" serial {disk.serial}" if disk.serial else ""
        )


@dataclass
class DisksState:
    hosts: dict[str, HostDisks] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # host → why it could not be read

    def groups(self) -> list[DiskGroup]:
        """Every disk, shared LUNs merged by serial/unique id, in host order then disk number."""
        found: dict[str, DiskGroup] = {}
        for host, state in self.hosts.items():
            for disk in state.disks:
                parts = state.partitions_of(disk.number)
                placement = Placement(host, disk, tuple(parts), tuple(state.volume_of(p) for p in parts))
                shareable = (
                    disk.bus_type in (BusType.iSCSI, BusType.SAS, BusType.FibreChannel) and disk.shared_key
                )
                key = disk.shared_key if shareable else f"{host}#{disk.number}"
                found.setdefault(key, DiskGroup(key)).placements.append(placement)
        return list(found.values())

    def group(self, key: str) -> DiskGroup | None:
        return next((g for g in self.groups() if g.key == key), None)


def read_disks(workspace: Workspace, hosts: list[str]) -> DisksState:
    """Every host in parallel, one round trip each."""
    state = DisksState()
    answers: dict[str, HostDisks] = {}
    for outcome in workspace.sessions.gather(read_pipeline(), hosts, raise_on_failure=False):
        if outcome.error is not None or outcome.result is None:
            state.problems[outcome.host] = str(outcome.error)
        else:
            answers[outcome.host] = parse_result(outcome.result)
    state.hosts = {h: answers[h] for h in hosts if h in answers}  # keep the selection's order
    return state


def explain(message: str) -> str | None:
    """An admin's explanation for a Storage error the plan could not rule out."""
    if "41001" in message or "already been initialized" in message:
        return ALREADY_INITIALIZED
    if "42002" in message or "access path is already in use" in message:
        return "That drive letter is already used on this host: pick another letter."
    if "41018" in message or "Failover Clustering" in message:
        return "The cluster manages this disk now: change it from the cluster's storage screen."
    return None
