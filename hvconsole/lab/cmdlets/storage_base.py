"""What the changing Storage cmdlets share: finding the target disk/partition the way the CDXML cmdlets do,
StorageWMI errors as CimException (reference §0.2, §6.3), and the MSFT_Partition object (§6.4)."""

from __future__ import annotations

from typing import Any

from hvconsole.lab.cmdlets.storage import MESSAGES, MSFT_DISK, NAMESPACE, NOT_INITIALIZED_EXTENDED
from hvconsole.lab.engine import Cmdlet, Param, errors, types
from hvconsole.lab.engine.objects import cim_object, like
from hvconsole.lab.protocol import U16, U32, U64, Char, ErrorRec, PSObj
from hvconsole.lab.world.model import Disk, DiskView, Host, Partition
from hvconsole.lab.world.storage import StorageProblem, letter_of, new_guid


def partition_object(host: Host, disk: Disk, view: DiskView, partition: Partition) -> PSObj:
    letter = letter_of(view, partition)
    paths = [f"{letter}:\\"] if letter else []
    if partition.volume is not None:
        paths.append(f"\\\\?\\Volume{{{partition.volume.id}}}\\")
    object_id = (
        f"{{1}}\\\\{host.name}\\root/Microsoft/Windows/Storage/Providers_v2\\WSP_Partition.ObjectId="
        f'"{{{disk.id}}}:PR:{{{partition.guid or partition.number}}}\\\\?\\{view.path}"'
    )
    return cim_object(
        NAMESPACE,
        "MSFT_Partition",
        {
            "OperationalStatus": U16(4 if view.is_offline else 1),  # 1 Online, 4 Offline
            "MbrType": U16(partition.mbr_type) if partition.mbr_type is not None else None,
            "ObjectId": object_id,
            "UniqueId": f"{{00000000-0000-0000-0000-000000000000}}{disk.unique_id}:{partition.offset}",
            "AccessPaths": paths,
            "DiskId": view.path,
            "DiskNumber": U32(view.number),
            "DiskPath": view.path,
            "DriveLetter": Char(letter) if letter else Char("\0"),
            "GptType": partition.gpt_type,
            "Guid": partition.guid,
            "IsActive": partition.is_active,
            "IsBoot": partition.is_boot,
            "IsHidden": False,
            "IsOffline": view.is_offline,
            "IsReadOnly": view.is_readonly,
            "IsShadowCopy": False,
            "IsSystem": partition.is_system,
            "NoDefaultDriveLetter": partition.type == "Reserved",
            "Offset": U64(partition.offset),
            "PartitionNumber": U32(partition.number),
            "Size": U64(partition.size),
            "TransitionState": U16(1),
            "Type": partition.type,  # the Storage module's script property (Basic, Reserved, IFS, ...)
        },
        to_string=f'MSFT_Partition (ObjectId = "{object_id}")',
    )


class StorageCmdlet(Cmdlet):
    """A Storage CDXML cmdlet. ``method_suffix`` is set for cmdlets that call a CIM method through
    Invoke-CimMethod, whose FQIDs read ``StorageWMI <code>,...InvokeCimMethodCommand,<cmdlet>`` ([T-VL])."""

    module_name = "Storage"
    method_suffix: bool = False
    target_class = "MSFT_Disk"

    def storage_error(self, problem: StorageProblem | int) -> ErrorRec:
        if isinstance(problem, int):
            problem = StorageProblem(problem, MESSAGES[problem])
        lines = [problem.message]
        if problem.code == 41001:  # the full text [T-VL] shows (reference §6.3)
            lines += ["", "Extended information:", NOT_INITIALIZED_EXTENDED, "", "Recommended Actions:"]
            lines += ["- Clear the disk.", ""]
        lines.append(f"Activity ID: {{{new_guid(self.world)}}}")
        suffix = self.command_name
        if self.method_suffix:
            suffix = f"Microsoft.Management.Infrastructure.CimCmdlets.InvokeCimMethodCommand,{suffix}"
        return ErrorRec(
            message="\r\n".join(lines),
            fqid=f"StorageWMI {problem.code},{suffix}",
            category="NotSpecified",
            exception_type=errors.CIM_EXCEPTION,
            activity=self.command_name,
            reason="CimException",
            target_name=None if self.method_suffix else "StorageWMI",
            target_type=None if self.method_suffix else f"{NAMESPACE}/{self.target_class}",
        )

    def fail(self, problem: StorageProblem | int) -> None:
        self.write_error(self.storage_error(problem))

    def refuse_clustered(self, disk: Disk) -> bool:
        """Cluster-managed disks refuse every change (41018, reference §6.1 cluster effect)."""
        if disk.is_clustered:
            self.fail(41018)
            return True
        return False

    def disk_views(self, number_param: str = "Number") -> list[DiskView]:
        """The views named by -Number/-UniqueId/-Path/-FriendlyName or a piped MSFT_Disk (not-found per §0.2)."""
        views = sorted(self.host.disks, key=lambda v: v.number)
        piped = self.bound.get("InputObject")
        if piped is not None:
            numbers = [int(o.get("Number")) for o in (piped if isinstance(piped, list) else [piped])]
            return [v for v in views if v.number in numbers]
        checks: list[tuple[str, Any]] = [
            (number_param, lambda v, x: v.number == int(x)),
            ("UniqueId", lambda v, x: self.world.disk(v.disk_id).unique_id.lower() == str(x).lower()),
            ("Path", lambda v, x: v.path.lower() == str(x).lower()),
            ("FriendlyName", lambda v, x: like(self.world.disk(v.disk_id).friendly_name, x)),
        ]
        return filter_by_keys(self, views, checks, "MSFT_Disk")


def filter_by_keys(cmdlet: Any, rows: list[Any], checks: list[tuple[str, Any]], cim_class: str) -> list[Any]:
    """CDXML key filtering: each bound key parameter narrows ``rows``; a value that matches nothing writes
    the §0.2 not-found error for that key (non-terminating) and the others still filter."""
    for name, test in checks:
        if name not in cmdlet.declared or not cmdlet.was_bound(name):
            continue
        wanted = cmdlet.bound[name]
        values = wanted if isinstance(wanted, list) else [wanted]
        for value in values:
            if not any(test(row, value) for row in rows):
                cmdlet.not_found(cim_class, name, value)
        rows = [row for row in rows if any(test(row, x) for x in values)]
    return rows


def disk_input() -> Param[Any]:
    """-InputObject: a piped MSFT_Disk (Get-Disk | Initialize-Disk)."""
    return Param(
        types.ObjectType("Microsoft.Management.Infrastructure.CimInstance[]", MSFT_DISK),
        mandatory=True,
        sets=("InputObject (cdxml)",),
        from_pipeline=True,
    )


def valid_letter(letter: Any) -> str | None:
    text = str(letter or "")
    return text.upper() if len(text) == 1 and text.isascii() and text.isalpha() else None
