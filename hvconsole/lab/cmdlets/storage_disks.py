"""Storage module, disk-level changes: Set-Disk (reference §6.2), Initialize-Disk (§6.3), Clear-Disk (§6.3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.storage import disk_object
from hvconsole.lab.cmdlets.storage_base import StorageCmdlet, disk_input
from hvconsole.lab.engine import Param, cmdlet, errors, types
from hvconsole.lab.world.storage import StorageProblem, bring_online, clear, data_partitions, initialize

BY_NUMBER, BY_ID, BY_PATH, BY_NAME = "ByNumber", "ByUniqueId", "ByPath", "ByName"


class DiskChange(StorageCmdlet):
    default_set = BY_NUMBER

    Number = Param(types.UINT32, position=0, aliases=("DiskNumber",), sets=(BY_NUMBER,), mandatory=True)
    UniqueId = Param(types.STRING, aliases=("Id",), sets=(BY_ID,), mandatory=True)
    Path = Param(types.STRING, sets=(BY_PATH,), mandatory=True)
    InputObject = disk_input()


@cmdlet
class SetDisk(DiskChange):
    """-IsOffline and -IsReadOnly belong to different parameter sets, so StorageDsc sets them in two calls:
    online first, then writable (reference §6.2). Clearing read-only on an offline disk fails with 41003
    (inferred: that is why the order matters). Setting the current value again is silent (§11, inferred)."""

    command_name = "Set-Disk"

    IsOffline = Param(types.BOOL)
    IsReadOnly = Param(types.BOOL)
    Signature = Param(types.UINT32)
    Guid = Param(types.STRING)
    PartitionStyle = Param(types.STRING, validate_set=("MBR", "GPT"))

    def process(self) -> Iterator[Any]:
        changes = [
            n for n in ("IsOffline", "IsReadOnly", "Signature", "Guid", "PartitionStyle") if self.was_bound(n)
        ]
        if len(changes) > 1:
            self.throw(errors.ambiguous_parameter_set(self.command_name, self.command_name))
        for view in self.disk_views():
            disk = self.world.disk(view.disk_id)
            if self.refuse_clustered(disk):
                continue
            if self.was_bound("IsOffline"):
                if self.IsOffline:
                    view.is_offline = True
                    view.offline_reason = None  # inferred: offline by the admin, not by policy
                else:
                    bring_online(self.world, self.host, view)
            elif self.was_bound("IsReadOnly"):
                if view.is_readonly != self.IsReadOnly and view.is_offline:
                    self.fail(41003)
                    continue
                view.is_readonly = bool(self.IsReadOnly)
        return iter(())


@cmdlet
class InitializeDisk(DiskChange):
    """GPT by default; an offline SAN-policy disk ends Online and GPT in one step ([T-VL]); the MSR partition
    makes the first data partition number 2. A second call fails with 41001 (not idempotent, §6.3)."""

    command_name = "Initialize-Disk"
    supports_should_process = True

    FriendlyName = Param(types.STRING, sets=(BY_NAME,), mandatory=True)
    PartitionStyle = Param(types.STRING, validate_set=("MBR", "GPT"), default="GPT")
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for view in self.disk_views():
            disk = self.world.disk(view.disk_id)
            if self.refuse_clustered(disk):
                continue
            if not self.should_process(f"Disk {view.number}", "Initialize"):
                continue
            try:
                initialize(self.world, self.host, view, self.PartitionStyle or "GPT")
            except StorageProblem as problem:
                self.fail(problem)
                continue
            if self.PassThru:
                yield disk_object(self.world, self.host, view)


@cmdlet
class ClearDisk(DiskChange):
    """Back to RAW on every host that sees the disk. Data partitions need -RemoveData (41008, [T-VL]); it
    works on a disk that is offline on this host ([T-VL] VL-CL2). [T-VL] shows no confirmation prompt for it,
    so it is not ConfirmImpact High here (inferred); hvconsole passes -Confirm:$false anyway."""

    command_name = "Clear-Disk"
    supports_should_process = True

    FriendlyName = Param(types.STRING, sets=(BY_NAME,), mandatory=True)
    RemoveData = Param(types.SWITCH)
    RemoveOEM = Param(types.SWITCH)
    ZeroOutEntireDisk = Param(types.SWITCH)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for view in self.disk_views():
            disk = self.world.disk(view.disk_id)
            if self.refuse_clustered(disk):
                continue
            if not self.should_process(f"Disk {view.number}", "Clear"):
                continue
            if data_partitions(disk) and not self.RemoveData:
                self.fail(41008)
                continue
            clear(self.world, disk)
            if self.PassThru:
                yield disk_object(self.world, self.host, view)
