"""MSFT_Disk, MSFT_Partition and MSFT_Volume as the disks stage reads them (reference §6.1, §6.4, §6.7).

Over remoting the CIM enums arrive as numbers (``BusType : 9``, ``OperationalStatus : {53267}``, §0.2);
names are accepted too. A drive letter arrives as a char: ``"\\0"`` means none.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hvconsole.windows.values import to_enum, to_str_list


class BusType(enum.IntEnum):
    Unknown = 0
    SCSI = 1
    ATAPI = 2
    ATA = 3
    IEEE1394 = 4
    SSA = 5
    FibreChannel = 6
    USB = 7
    RAID = 8
    iSCSI = 9
    SAS = 10
    SATA = 11
    SD = 12
    MMC = 13
    Virtual = 14
    FileBackedVirtual = 15
    StorageSpaces = 16
    NVMe = 17


class OperationalStatus(enum.IntEnum):
    Unknown = 0
    Other = 1
    OK = 2
    Degraded = 3
    Online = 0xD010
    NotReady = 0xD011
    NoMedia = 0xD012
    Offline = 0xD013
    Failed = 0xD014


class PartitionStyle(enum.IntEnum):
    RAW = 0  # "Unknown" in the class, shown as RAW by PowerShell (§6.1)
    MBR = 1
    GPT = 2


class OfflineReason(enum.IntEnum):
    NotOffline = 0
    Policy = 1
    RedundantPath = 2
    Snapshot = 3
    Collision = 4
    ResourceExhaustion = 5
    CriticalWriteFailures = 6
    DataIntegrityScanRequired = 7


class HealthStatus(enum.IntEnum):
    Healthy = 0
    Warning = 1
    Unhealthy = 2


def _letter(value: Any) -> str | None:
    text = str(value or "")
    return text.upper() if len(text) == 1 and text.isalpha() else None


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class Disk(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    friendly_name: str = ""
    serial: str = ""
    unique_id: str = ""
    bus_type: BusType = BusType.Unknown
    size: int = 0
    is_offline: bool = False
    is_readonly: bool = False
    is_clustered: bool = False
    is_boot: bool = False
    is_system: bool = False
    partition_style: PartitionStyle = PartitionStyle.RAW
    offline_reason: OfflineReason = OfflineReason.NotOffline
    status: list[OperationalStatus] = Field(default_factory=list)
    health: HealthStatus = HealthStatus.Healthy

    @property
    def shared_key(self) -> str:
        """What identifies the same LUN on every host that sees it (§6.1: the vdisk's serial)."""
        return (self.serial or self.unique_id).strip().upper()

    @property
    def initialized(self) -> bool:
        return self.partition_style is not PartitionStyle.RAW

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> Disk:
        statuses = p.get("OperationalStatus")
        items = statuses if isinstance(statuses, list | tuple) else [statuses] if statuses is not None else []
        return cls(
            number=_int(p.get("Number")),
            friendly_name=str(p.get("FriendlyName") or ""),
            serial=str(p.get("SerialNumber") or "").strip(),
            unique_id=str(p.get("UniqueId") or ""),
            bus_type=to_enum(BusType, p.get("BusType"), BusType.Unknown),
            size=_int(p.get("Size")),
            is_offline=bool(p.get("IsOffline")),
            is_readonly=bool(p.get("IsReadOnly")),
            is_clustered=bool(p.get("IsClustered")),
            is_boot=bool(p.get("IsBoot")),
            is_system=bool(p.get("IsSystem")),
            partition_style=to_enum(PartitionStyle, p.get("PartitionStyle"), PartitionStyle.RAW),
            offline_reason=to_enum(OfflineReason, p.get("OfflineReason"), OfflineReason.NotOffline),
            status=[to_enum(OperationalStatus, s, OperationalStatus.Unknown) for s in items],
            health=to_enum(HealthStatus, p.get("HealthStatus"), HealthStatus.Healthy),
        )


class Partition(BaseModel):
    model_config = ConfigDict(frozen=True)

    disk_number: int
    number: int
    drive_letter: str | None = None
    offset: int = 0
    size: int = 0
    type: str = ""
    access_paths: list[str] = Field(default_factory=list)

    @property
    def is_data(self) -> bool:
        return self.type not in ("Reserved", "System", "Recovery")

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> Partition:
        return cls(
            disk_number=_int(p.get("DiskNumber")),
            number=_int(p.get("PartitionNumber")),
            drive_letter=_letter(p.get("DriveLetter")),
            offset=_int(p.get("Offset")),
            size=_int(p.get("Size")),
            type=str(p.get("Type") or ""),
            access_paths=to_str_list(p.get("AccessPaths")),
        )


class Volume(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str = ""
    drive_letter: str | None = None
    label: str = ""
    file_system: str = ""
    size: int = 0
    size_remaining: int = 0

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> Volume:
        return cls(
            path=str(p.get("Path") or p.get("UniqueId") or ""),
            drive_letter=_letter(p.get("DriveLetter")),
            label=str(p.get("FileSystemLabel") or ""),
            file_system=str(p.get("FileSystem") or ""),
            size=_int(p.get("Size")),
            size_remaining=_int(p.get("SizeRemaining")),
        )


class HostDisks(BaseModel):
    """One host's disks, partitions and volumes (one round trip, three statements)."""

    model_config = ConfigDict(frozen=True)

    disks: list[Disk] = Field(default_factory=list)
    partitions: list[Partition] = Field(default_factory=list)
    volumes: list[Volume] = Field(default_factory=list)

    def disk(self, number: int) -> Disk | None:
        return next((d for d in self.disks if d.number == number), None)

    def partitions_of(self, number: int) -> list[Partition]:
        return sorted((p for p in self.partitions if p.disk_number == number), key=lambda p: p.number)

    def volume_of(self, partition: Partition) -> Volume | None:
        paths = {a.lower() for a in partition.access_paths}
        return next((v for v in self.volumes if v.path and v.path.lower() in paths), None)

    def letters_in_use(self) -> set[str]:
        return {p.drive_letter for p in self.partitions if p.drive_letter}


def parse_host_disks(objects: Iterable[tuple[str, dict[str, Any]]]) -> HostDisks:
    """Tell the three statements apart by CIM class (``Selected.…#MSFT_Disk`` after Select-Object)."""
    disks: list[Disk] = []
    partitions: list[Partition] = []
    volumes: list[Volume] = []
    for type_name, props in objects:
        lowered = type_name.lower()
        if lowered.endswith("msft_disk"):
            disks.append(Disk.from_properties(props))
        elif lowered.endswith("msft_partition"):
            partitions.append(Partition.from_properties(props))
        elif lowered.endswith("msft_volume"):
            volumes.append(Volume.from_properties(props))
    return HostDisks(disks=sorted(disks, key=lambda d: d.number), partitions=partitions, volumes=volumes)
