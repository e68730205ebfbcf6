"""Storage module, file systems: Format-Volume (reference §6.5) and New-Volume on a disk (§6.3 [T-VL]: the
one-step online + initialize + partition + format that fails with 41001 on a disk already initialized)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.storage import MSFT_PARTITION, MSFT_VOLUME, volume_object
from hvconsole.lab.cmdlets.storage_base import StorageCmdlet, valid_letter
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.world import model
from hvconsole.lab.world.storage import (
    StorageProblem,
    bring_online,
    create_partition,
    find_letter,
    format_partition,
    initialize,
    letter_of,
    letters_in_use,
)

FILE_SYSTEMS = ("FAT", "FAT32", "exFAT", "NTFS", "ReFS")
MAX_LABEL = 32  # NTFS/ReFS label length; inferred bound for the lab's Invalid Parameter (5)


@cmdlet
class FormatVolume(StorageCmdlet):
    """A second format succeeds and erases the data (reference §6.5): destructive, never an error."""

    command_name = "Format-Volume"
    target_class = "MSFT_Volume"
    default_set = "ByDriveLetter"
    supports_should_process = True

    DriveLetter = Param(types.ArrayOf(types.CHAR), position=0, sets=("ByDriveLetter",), mandatory=True)
    Path = Param(types.STRINGS, sets=("ByPaths",), mandatory=True)
    ObjectId = Param(types.STRINGS, sets=("ById",), mandatory=True)
    FileSystemLabel = Param(types.STRINGS, sets=("ByLabel",), mandatory=True)
    Partition = Param(
        types.ObjectType("Microsoft.Management.Infrastructure.CimInstance", MSFT_PARTITION),
        sets=("ByPartition",),
        mandatory=True,
        from_pipeline=True,
    )
    InputObject = Param(
        types.ObjectType("Microsoft.Management.Infrastructure.CimInstance[]", MSFT_VOLUME),
        sets=("InputObject (cdxml)",),
        mandatory=True,
        from_pipeline=True,
    )
    FileSystem = Param(types.STRING, validate_set=FILE_SYSTEMS)
    NewFileSystemLabel = Param(types.STRING)
    AllocationUnitSize = Param(types.UINT32)
    Full = Param(types.SWITCH)
    Force = Param(types.SWITCH)
    Compress = Param(types.SWITCH)
    ShortFileNameSupport = Param(types.BOOL)
    SetIntegrityStreams = Param(types.BOOL)
    UseLargeFRS = Param(types.SWITCH)
    DisableHeatGathering = Param(types.SWITCH)

    def targets(self) -> list[tuple[model.Disk, model.DiskView, model.Partition]]:
        found: list[tuple[model.Disk, model.DiskView, model.Partition]] = []
        rows = [
            (self.world.disk(v.disk_id), v, p)
            for v in sorted(self.host.disks, key=lambda v: v.number)
            for p in self.world.disk(v.disk_id).partitions
        ]
        if self.was_bound("Partition"):
            obj = self.bound["Partition"]
            key = (int(obj.get("DiskNumber")), int(obj.get("PartitionNumber")))
            return [r for r in rows if (r[1].number, r[2].number) == key]
        if self.was_bound("DriveLetter"):
            for letter in self.DriveLetter or []:
                hit = find_letter(self.world, self.host, str(letter))
                if hit is None:
                    self.not_found("MSFT_Volume", "DriveLetter", letter)
                else:
                    found.append(hit)
            return found
        volume_paths: list[str] = []
        for name in ("Path", "ObjectId"):
            if self.was_bound(name):
                volume_paths += [str(x) for x in self.bound[name]]
        if self.was_bound("InputObject"):
            volume_paths.append(str(self.bound["InputObject"].get("Path")))
        labels = [str(x).lower() for x in (self.FileSystemLabel or [])]
        for disk, view, partition in rows:
            volume = partition.volume
            if view.is_offline or volume is None:
                continue
            path = f"\\\\?\\Volume{{{volume.id}}}\\"
            if any(path.lower() in p.lower() for p in volume_paths) or volume.label.lower() in labels:
                found.append((disk, view, partition))
        if not found:
            name = "FileSystemLabel" if labels else "Path"
            self.not_found("MSFT_Volume", name, (self.FileSystemLabel or volume_paths or [""])[0])
        return found

    def process(self) -> Iterator[Any]:
        label = self.NewFileSystemLabel
        if label is not None and (len(label) > MAX_LABEL or any(ord(c) < 32 for c in label)):
            self.fail(5)
            return
        for disk, view, partition in self.targets():
            if self.refuse_clustered(disk):
                continue
            if view.is_offline:
                self.fail(41003)
                continue
            if view.is_readonly:
                self.fail(41002)
                continue
            if not self.should_process(
                f"Volume ({letter_of(view, partition) or partition.number})", "Format"
            ):
                continue
            current = partition.volume
            file_system = self.FileSystem or (current.file_system if current else "NTFS")
            new_label = label if label is not None else (current.label if current else "")
            format_partition(self.world, partition, file_system, new_label, self.AllocationUnitSize or 0)
            obj = volume_object(self.host, disk, view, partition)
            if obj is not None:
                yield obj


@cmdlet
class NewVolume(StorageCmdlet):
    """On a disk: online, initialize GPT, one partition, format, letter — only on a RAW disk (or GPT with
    only the MSR); anything else fails with 41001 and the extended text ([T-VL], reference §6.3)."""

    command_name = "New-Volume"
    method_suffix = True
    default_set = "ByDiskNumber"

    DiskNumber = Param(types.UINT32, sets=("ByDiskNumber",), mandatory=True)
    DiskPath = Param(types.STRING, sets=("ByDiskPath",), mandatory=True)
    DiskUniqueId = Param(types.STRING, sets=("ByDiskUniqueId",), mandatory=True)
    FriendlyName = Param(types.STRING, mandatory=True)
    FileSystem = Param(types.STRING, validate_set=(*FILE_SYSTEMS, "CSVFS_NTFS", "CSVFS_ReFS"))
    DriveLetter = Param(types.CHAR)
    AccessPath = Param(types.STRING)
    Size = Param(types.UINT64)
    AllocationUnitSize = Param(types.UINT32)

    def process(self) -> Iterator[Any]:
        views = [
            v
            for v in self.host.disks
            if (self.was_bound("DiskNumber") and v.number == self.DiskNumber)
            or (self.was_bound("DiskPath") and v.path.lower() == str(self.DiskPath).lower())
            or (
                self.was_bound("DiskUniqueId")
                and self.world.disk(v.disk_id).unique_id.lower() == str(self.DiskUniqueId).lower()
            )
        ]
        if not views:
            name = next(n for n in ("DiskNumber", "DiskPath", "DiskUniqueId") if self.was_bound(n))
            self.not_found("MSFT_Disk", name, self.bound[name])
            return
        view = views[0]
        disk = self.world.disk(view.disk_id)
        if self.refuse_clustered(disk):
            return
        only_msr = disk.partition_style == 2 and all(p.type == "Reserved" for p in disk.partitions)
        if disk.partition_style != 0 and not only_msr:
            self.fail(41001)
            return
        letter = valid_letter(self.DriveLetter) if self.was_bound("DriveLetter") else None
        if self.was_bound("DriveLetter") and letter is None:
            self.fail(5)
            return
        if letter and letter in letters_in_use(self.world, self.host):
            self.fail(42002)
            return
        view.is_readonly = False
        bring_online(self.world, self.host, view)
        if disk.partition_style == 0:
            initialize(self.world, self.host, view, "GPT")
        try:
            partition = create_partition(self.world, self.host, view, self.Size, letter)
        except StorageProblem as problem:
            self.fail(problem)
            return
        file_system = (self.FileSystem or "NTFS").removeprefix("CSVFS_")
        format_partition(
            self.world, partition, file_system, self.FriendlyName or "", self.AllocationUnitSize or 0
        )
        obj = volume_object(self.host, disk, view, partition)
        if obj is not None:
            yield obj
