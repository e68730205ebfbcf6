"""Storage module: Get-Disk (reference §6.1) and Get-Volume (§6.7), CDXML over ROOT/Microsoft/Windows/Storage."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, has_wildcards, like
from hvconsole.lab.protocol import U16, U32, U64, Char, PSObj
from hvconsole.lab.world.model import Disk, DiskView, Host, Partition, World

NAMESPACE = "ROOT/Microsoft/Windows/Storage"
ONLINE, OFFLINE = 0xD010, 0xD013  # MSFT_Disk OperationalStatus (reference §6.1)
FILE_SYSTEM_TYPE = {
    "NTFS": 14,
    "ReFS": 15,
    "CSVFS_NTFS": 0x8000,
    "CSVFS_ReFS": 0x8001,
}  # MSFT_Volume, inferred


def disk_object(world: World, host: Host, view: DiskView) -> PSObj:
    disk = world.disk(view.disk_id)
    object_id = f'{{1}}\\\\{host.name}\\root/Microsoft/Windows/Storage/Providers_v2\\SPACES_Disk.ObjectId="{{{disk.id}}}:DI:\\\\?\\{view.path}"'
    free = disk.size - disk.allocated - (2 * 1024**2 if disk.partition_style else 0)
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
            "IsClustered": False,
            "IsHighlyAvailable": False,
            "IsOffline": view.is_offline,
            "IsReadOnly": view.is_readonly,
            "IsScaleOut": False,
            "IsSystem": view.is_system,
            "LargestFreeExtent": U64(max(0, free) if disk.partition_style else 0),
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
    letter = partition.drive_letter
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
    command_name = "Get-Volume"
    module_name = "Storage"
    default_set = "ByDriveLetter"

    DriveLetter = Param(
        types.ArrayOf(types.CHAR), position=0, sets=("ByDriveLetter",), from_pipeline_by_name=True
    )
    FileSystemLabel = Param(types.STRINGS, sets=("ByLabel",), mandatory=True)
    Path = Param(types.STRINGS, sets=("ByPaths",), mandatory=True, from_pipeline_by_name=True)

    def process(self) -> Iterator[Any]:
        rows: list[PSObj] = []
        for view in sorted(self.host.disks, key=lambda v: v.number):
            disk = self.world.disk(view.disk_id)
            if view.is_offline:
                continue
            for partition in disk.partitions:
                obj = volume_object(self.host, disk, view, partition)
                if obj is not None:
                    rows.append(obj)
        checks: list[tuple[str, list[Any] | None, Any]] = [
            (
                "DriveLetter",
                self.DriveLetter,
                lambda o, x: str(o.get("DriveLetter")).lower() == str(x).lower(),
            ),
            ("FileSystemLabel", self.FileSystemLabel, lambda o, x: like(o.get("FileSystemLabel"), x)),
            ("Path", self.Path, lambda o, x: str(o.get("Path")).lower() == str(x).lower()),
        ]
        for name, values, test in checks:
            if values is None:
                continue
            for value in values:
                if not any(test(o, value) for o in rows) and not has_wildcards(str(value)):
                    self.not_found("MSFT_Volume", name, value)
            rows = [o for o in rows if any(test(o, x) for x in values)]
        yield from rows
