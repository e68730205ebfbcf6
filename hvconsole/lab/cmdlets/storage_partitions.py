"""Storage module, partitions: Get-Partition, New-Partition (reference §6.4), Set-Partition -NewDriveLetter
(§6.6), Add-/Remove-PartitionAccessPath (drive-letter access paths only). Letters are per host."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.storage import MSFT_DISK, MSFT_PARTITION
from hvconsole.lab.cmdlets.storage_base import (
    StorageCmdlet,
    disk_input,
    filter_by_keys,
    partition_object,
    valid_letter,
)
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.world.model import Disk, DiskView, Partition
from hvconsole.lab.world.storage import (
    StorageProblem,
    create_partition,
    letter_of,
    letters_in_use,
    next_free_letter,
    remember_letter,
    set_letter,
)


class PartitionCmdlet(StorageCmdlet):
    target_class = "MSFT_Partition"

    def partitions(self) -> list[tuple[Disk, DiskView, Partition]]:
        """Partitions named by -DiskNumber/-PartitionNumber, -DriveLetter or a piped MSFT_Partition."""
        rows = [
            (self.world.disk(v.disk_id), v, p)
            for v in sorted(self.host.disks, key=lambda v: v.number)
            for p in self.world.disk(v.disk_id).partitions
        ]
        piped = self.bound.get("InputObject")
        if piped is not None:
            key = (int(piped.get("DiskNumber")), int(piped.get("PartitionNumber")))
            return [r for r in rows if (r[1].number, r[2].number) == key]
        checks: list[tuple[str, Any]] = [
            ("DiskNumber", lambda r, x: r[1].number == int(x)),
            ("DiskId", lambda r, x: r[1].path.lower() == str(x).lower()),
            ("PartitionNumber", lambda r, x: r[2].number == int(x)),
            ("DriveLetter", lambda r, x: (letter_of(r[1], r[2]) or "").upper() == str(x).upper()),
            ("Offset", lambda r, x: r[2].offset == int(x)),
        ]
        return filter_by_keys(self, rows, checks, "MSFT_Partition")


def partition_input() -> Param[Any]:
    return Param(
        types.ObjectType("Microsoft.Management.Infrastructure.CimInstance[]", MSFT_PARTITION),
        mandatory=True,
        sets=("InputObject (cdxml)",),
        from_pipeline=True,
    )


@cmdlet
class GetPartition(PartitionCmdlet):
    command_name = "Get-Partition"
    default_set = "ByNumber"

    DiskNumber = Param(types.UINT32S, position=0, aliases=("Number",), sets=("ByNumber",))
    PartitionNumber = Param(types.UINT32S, position=1, sets=("ByNumber", "ByDiskId"))
    DiskId = Param(types.STRINGS, sets=("ByDiskId",), mandatory=True)
    DriveLetter = Param(types.ArrayOf(types.CHAR), sets=("ByDriveLetter",), mandatory=True)
    Offset = Param(types.UINT64, sets=("ByNumber", "ByDiskId"))
    Disk = Param(
        types.ObjectType("Microsoft.Management.Infrastructure.CimInstance", MSFT_DISK),
        sets=("ByDisk",),
        mandatory=True,
        from_pipeline=True,
    )

    def process(self) -> Iterator[Any]:
        disk = self.bound.get("Disk")
        if disk is not None:
            self.bound.pop("Disk")
            self.bound["DiskNumber"] = [int(disk.get("Number"))]
        for disk_, view, partition in self.partitions():
            yield partition_object(self.host, disk_, view, partition)


@cmdlet
class NewPartition(PartitionCmdlet):
    """Checks in the order the method documents them; each call makes another partition (not idempotent)."""

    command_name = "New-Partition"
    target_class = "MSFT_Disk"
    default_set = "ByNumber"

    DiskNumber = Param(types.UINT32, position=0, aliases=("Number",), sets=("ByNumber",), mandatory=True)
    DiskId = Param(types.STRING, sets=("ByDiskId",), mandatory=True)
    DiskPath = Param(types.STRING, sets=("ByDiskPath",), mandatory=True)
    InputObject = disk_input()
    Size = Param(types.UINT64)
    UseMaximumSize = Param(types.SWITCH)
    Offset = Param(types.UINT64)
    Alignment = Param(types.UINT32)
    DriveLetter = Param(types.CHAR)
    AssignDriveLetter = Param(types.SWITCH)
    GptType = Param(types.STRING)
    MbrType = Param(types.STRING)
    IsActive = Param(types.SWITCH)
    IsHidden = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        views = self.disk_views("DiskNumber")
        if self.was_bound("DiskId"):
            views = [v for v in self.host.disks if v.path.lower() == str(self.DiskId).lower()]
        elif self.was_bound("DiskPath"):
            views = [v for v in self.host.disks if v.path.lower() == str(self.DiskPath).lower()]
        for view in views:
            disk = self.world.disk(view.disk_id)
            if self.refuse_clustered(disk):
                continue
            if bool(self.UseMaximumSize) == self.was_bound("Size"):
                self.fail(40005)
                continue
            letter = None
            if self.was_bound("DriveLetter"):
                letter = valid_letter(self.DriveLetter)
                if letter is None:
                    self.fail(5)
                    continue
            problem = next(
                (
                    code
                    for code, bad in (
                        (41003, view.is_offline),
                        (41002, view.is_readonly),
                        (41000, disk.partition_style == 0),
                        (42002, letter is not None and letter in letters_in_use(self.world, self.host)),
                    )
                    if bad
                ),
                None,
            )
            if problem is not None:
                self.fail(problem)
                continue
            if letter is None and self.AssignDriveLetter:
                letter = next_free_letter(self.world, self.host)
            try:
                size = None if self.UseMaximumSize else int(self.Size)
                partition = create_partition(self.world, self.host, view, size, letter)
            except StorageProblem as failure:
                self.fail(failure)
                continue
            yield partition_object(self.host, disk, view, partition)


class PartitionChange(PartitionCmdlet):
    default_set = "ByNumber"

    DiskNumber = Param(types.UINT32, sets=("ByNumber",), mandatory=True)
    PartitionNumber = Param(types.UINT32, sets=("ByNumber",), mandatory=True)
    DiskId = Param(types.STRING, sets=("ByDiskId",), mandatory=True)
    DriveLetter = Param(types.CHAR, sets=("ByDriveLetter",), mandatory=True)
    InputObject = partition_input()

    def change_letter(self, view: DiskView, partition: Partition, letter: str | None) -> None:
        disk = self.world.disk(view.disk_id)
        if self.refuse_clustered(disk):
            return
        if view.is_offline:
            self.fail(41003)  # a disk must be online on this host to have a letter here (inferred)
            return
        try:
            set_letter(self.world, self.host, view, partition, letter)
        except StorageProblem as problem:
            self.fail(problem)


@cmdlet
class SetPartition(PartitionChange):
    command_name = "Set-Partition"

    NewDriveLetter = Param(types.CHAR)
    IsOffline = Param(types.BOOL)
    IsReadOnly = Param(types.BOOL)
    NoDefaultDriveLetter = Param(types.BOOL)
    IsActive = Param(types.BOOL)
    IsHidden = Param(types.BOOL)

    def process(self) -> Iterator[Any]:
        for _, view, partition in self.partitions():
            if self.was_bound("NewDriveLetter"):
                letter = valid_letter(self.NewDriveLetter)
                if letter is None:
                    self.fail(5)
                    continue
                self.change_letter(view, partition, letter)
        return iter(())


def letter_path(path: str) -> str | None:
    """ "L:" or "L:\\" → "L"; a folder mount path → None (not simulated)."""
    text = path.strip()
    if len(text) in (2, 3) and text[1] == ":" and text[2:] in ("", "\\"):
        return valid_letter(text[0])
    return None


@cmdlet
class AddPartitionAccessPath(PartitionChange):
    command_name = "Add-PartitionAccessPath"

    AccessPath = Param(types.STRING, position=2)
    AssignDriveLetter = Param(types.SWITCH)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for _, view, partition in self.partitions():
            if self.AssignDriveLetter:
                letter = next_free_letter(self.world, self.host)
            else:
                letter = letter_path(self.AccessPath or "")
                if letter is None:
                    self.fail(5)  # the lab simulates drive-letter access paths only (inferred code)
                    continue
            if letter_of(view, partition):
                self.fail(42002)  # inferred: a partition has one drive letter per host
                continue
            self.change_letter(view, partition, letter)
        return iter(())


@cmdlet
class RemovePartitionAccessPath(PartitionChange):
    command_name = "Remove-PartitionAccessPath"
    supports_should_process = True

    AccessPath = Param(types.STRING, position=2, mandatory=True)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for _, view, partition in self.partitions():
            letter = letter_path(self.AccessPath or "")
            current = letter_of(view, partition)
            if letter is None or current is None or current.upper() != letter:
                self.fail(StorageProblem(42008, "The access path is not valid."))  # inferred code and text
                continue
            if self.should_process(self.AccessPath or "", "Remove access path"):
                remember_letter(self.world, view, partition, None)
        return iter(())
