"""Storage module: Get-Disk (reference §6.1) and Get-Volume (§6.7), CDXML over ROOT/Microsoft/Windows/Storage,
plus what the other Storage cmdlets share (``StorageCmdlet``: finding the disk, StorageWMI errors, objects).
The changing cmdlets are in storage_disks.py, storage_partitions.py and storage_volumes.py; the behaviour they
share with the iSCSI target (letters per host, space accounting) is in lab/world/storage.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, has_wildcards, like
from hvconsole.lab.protocol import U16, U32, U64, Char, PSObj
from hvconsole.lab.world.model import Disk, DiskView, Host, Partition, World
from hvconsole.lab.world.storage import largest_free_extent, letter_of

NAMESPACE = "ROOT/Microsoft/Windows/Storage"
ONLINE, OFFLINE = 0xD010, 0xD013  # MSFT_Disk OperationalStatus (reference §6.1)
FILE_SYSTEM_TYPE = {
    "NTFS": 14,
    "ReFS": 15,
    "CSVFS_NTFS": 0x8000,
    "CSVFS_ReFS": 0x8001,
    "FAT": 4,
    "FAT32": 6,
}  # MSFT_Volume, inferred
MSFT_DISK = ("Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Disk",)
MSFT_PARTITION = (
    "Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Partition",
)
MSFT_VOLUME = ("Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Volume",)
NOT_INITIALIZED_EXTENDED = (
    "The operation requires that the disk is either RAW or GPT with only MSR partition."
)
MESSAGES = {  # Storage WMI method return codes (reference §6.3, §6.4; createpartition-msft-disk.md)
    5: "Invalid Parameter",  # inferred: the generic method code for a bad argument
    40000: "Not enough available capacity",
    40005: "You must specify a size by using either the Size or the UseMaximumSize parameter. You can specify "
    "only one of these parameters at a time.",
    41000: "The disk has not been initialized.",
    41001: "The disk has already been initialized.",
    41002: "The disk is read only.",
    41003: "The disk is offline.",
    41008: "Cannot clear with data partitions present. To clear data partitions, use the RemoveData flag.",
    41018: "The specified object is managed by the Microsoft Failover Clustering component. The disk must be in "
    "cluster maintenance mode and the cluster resource status must be online to perform this operation.",
    42002: "The requested access path is already in use.",
}


def disk_object(world: World, host: Host, view: DiskView) -> PSObj:
    disk = world.disk(view.disk_id)
    object_id = f'{{1}}\\\\{host.name}\\root/Microsoft/Windows/Storage/Providers_v2\\SPACES_Disk.ObjectId="{{{disk.id}}}:DI:\\\\?\\{view.path}"'
    free = largest_free_extent(disk)[1]
    return cim_object(
        NAMESPACE,
        "MSFT_Disk",
        {
            "DiskNumber": U32(view.number),
            "PartitionStyle": U16(disk.partition_style),
            "ProvisioningType": U16(disk.provisioning_type),
            "OperationalStatus": [U16(OFFLINE if view.is_offline else ONLINE)],
            "HealthStatus": U16(0),
            "BusType": U16(disk.bus_type),
            "UniqueIdFormat": U16(3),
            "OfflineReason": U16(view.offline_reason) if view.is_offline and view.offline_reason else None,
            "ObjectId": object_id,
            "UniqueId": disk.unique_id,
            "AdapterSerialNumber": "",
            "AllocatedSize": U64(disk.allocated),
            "BootFromDisk": view.is_boot,
            "FirmwareVersion": "1.0",
            "FriendlyName": disk.friendly_name,
            "Guid": disk.guid,
            "IsBoot": view.is_boot,
            "IsClustered": disk.is_clustered,
            "IsHighlyAvailable": False,
            "IsOffline": view.is_offline,
            "IsReadOnly": view.is_readonly,
            "IsScaleOut": False,
            "IsSystem": view.is_system,
            "LargestFreeExtent": U64(free),
            "Location": view.location,
            "LogicalSectorSize": U32(512),
            "Manufacturer": disk.manufacturer,
            "Model": disk.model,
            "Number": U32(view.number),
            "NumberOfPartitions": U32(len(disk.partitions)),
            "Path": view.path,
            "PhysicalSectorSize": U32(4096 if disk.bus_type == 10 else 512),
            "SerialNumber": disk.serial or None,
            "Signature": U32(disk.signature) if disk.signature is not None else None,
            "Size": U64(disk.size),
            "PassThroughClass": None,
            "PassThroughIds": None,
            "PassThroughNamespace": None,
            "PassThroughServer": None,
        },
        to_string=f'MSFT_Disk (ObjectId = "{object_id}")',
    )


@cmdlet
class GetDisk(Cmdlet):
    command_name = "Get-Disk"
    module_name = "Storage"
    default_set = "ByNumber"

    Number = Param(
        types.UINT32S, position=0, aliases=("DeviceId",), sets=("ByNumber",), from_pipeline_by_name=True
    )
    UniqueId = Param(
        types.STRINGS, aliases=("Id",), sets=("ByUniqueId",), mandatory=True, from_pipeline_by_name=True
    )
    FriendlyName = Param(types.STRINGS, sets=("ByName",))
    SerialNumber = Param(types.STRINGS, sets=("ByName",))
    Path = Param(types.STRINGS, sets=("ByPath",), mandatory=True, from_pipeline_by_name=True)

    def process(self) -> Iterator[Any]:
        views = sorted(self.host.disks, key=lambda v: v.number)
        disks = {v.disk_id: self.world.disk(v.disk_id) for v in views}
        criteria: list[tuple[str, list[Any] | None, Any]] = [
            ("Number", self.Number, lambda v, d, x: v.number == x),
            ("UniqueId", self.UniqueId, lambda v, d, x: d.unique_id.lower() == str(x).lower()),
            ("FriendlyName", self.FriendlyName, lambda v, d, x: like(d.friendly_name, x)),
            ("SerialNumber", self.SerialNumber, lambda v, d, x: like(d.serial, x)),
            ("Path", self.Path, lambda v, d, x: v.path.lower() == str(x).lower()),
        ]
        for name, values, test in criteria:
            if values is None:
                continue
            for value in values:
                if not any(test(v, disks[v.disk_id], value) for v in views) and not has_wildcards(str(value)):
                    self.not_found("MSFT_Disk", name, value)
            views = [v for v in views if any(test(v, disks[v.disk_id], x) for x in values)]
        for view in views:
            yield disk_object(self.world, self.host, view)


def volume_object(host: Host, disk: Disk, view: DiskView, partition: Partition) -> PSObj | None:
    volume = partition.volume
    if volume is None:
        return None
    path = f"\\\\?\\Volume{{{volume.id}}}\\"
    letter = letter_of(view, partition)
    return cim_object(
        NAMESPACE,
        "MSFT_Volume",
        {
            "OperationalStatus": [U16(2)],  # OK
            "HealthStatus": U16(0),
            "DriveType": U32(3),  # Fixed
            "FileSystemType": U16(FILE_SYSTEM_TYPE.get(volume.file_system, 0)),
            "DedupMode": U32(4),  # NotAvailable (inferred)
            "ObjectId": f'{{1}}\\\\{host.name}\\root/Microsoft/Windows/Storage/Providers_v2\\WSP_Volume.ObjectId="{{{disk.id}}}:VO:{path}"',
            "UniqueId": path,
            "AllocationUnitSize": U32(volume.allocation_unit),
            "DriveLetter": Char(letter) if letter else Char("\0"),
            "FileSystem": volume.file_system,
            "FileSystemLabel": volume.label,
            "Path": path,
            "Size": U64(volume.size),
            "SizeRemaining": U64(volume.size_remaining),
        },
        to_string=f'MSFT_Volume (ObjectId = "{path}")',
    )


@cmdlet
class GetVolume(Cmdlet):
    """Volumes of the disks online on this host, with this host's letters; filters as in reference §6.7."""

    command_name = "Get-Volume"
    module_name = "Storage"
    default_set = "ByDriveLetter"

    DriveLetter = Param(
        types.ArrayOf(types.CHAR), position=0, sets=("ByDriveLetter",), from_pipeline_by_name=True
    )
    ObjectId = Param(types.STRINGS, sets=("ById",), mandatory=True)
    FileSystemLabel = Param(types.STRINGS, sets=("ByLabel",), mandatory=True)
    FriendlyName = Param(types.STRINGS, sets=("ByLabel",))
    UniqueId = Param(types.STRINGS, sets=("ByUniqueId",), mandatory=True)
    Path = Param(types.STRINGS, sets=("ByPaths",), mandatory=True, from_pipeline_by_name=True)
    Partition = Param(
        types.ObjectType("Microsoft.Management.Infrastructure.CimInstance", MSFT_PARTITION),
        sets=("ByPartition",),
        mandatory=True,
        from_pipeline=True,
    )

    def process(self) -> Iterator[Any]:
        rows: list[PSObj] = []
        piped = self.bound.get("Partition")
        for view in sorted(self.host.disks, key=lambda v: v.number):
            disk = self.world.disk(view.disk_id)
            if view.is_offline:
                continue
            for partition in disk.partitions:
                if piped is not None and (
                    int(piped.get("DiskNumber")),
                    int(piped.get("PartitionNumber")),
                ) != (
                    view.number,
                    partition.number,
                ):
                    continue
                obj = volume_object(self.host, disk, view, partition)
                if obj is not None:
                    rows.append(obj)

        def same(prop: str) -> Any:
            return lambda o, x: str(o.get(prop)).lower() == str(x).lower()

        checks: list[tuple[str, list[Any] | None, Any]] = [
            ("DriveLetter", self.DriveLetter, same("DriveLetter")),
            ("ObjectId", self.ObjectId, same("ObjectId")),
            ("FileSystemLabel", self.FileSystemLabel, lambda o, x: like(o.get("FileSystemLabel"), x)),
            ("FriendlyName", self.FriendlyName, lambda o, x: like(o.get("FileSystemLabel"), x)),
            ("UniqueId", self.UniqueId, same("UniqueId")),
            ("Path", self.Path, same("Path")),
        ]
        for name, values, test in checks:
            if values is None:
                continue
            for value in values:
                if not any(test(o, value) for o in rows) and not has_wildcards(str(value)):
                    self.not_found("MSFT_Volume", name, value)
            rows = [o for o in rows if any(test(o, x) for x in values)]
        yield from rows
