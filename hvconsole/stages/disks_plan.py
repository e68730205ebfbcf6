"""Disks stage, planning: bring a disk to "online, writable, GPT, one data partition, formatted with a label,
at a letter" on the host that prepares it, and optionally give it the same letter on every other host.

Order on the preparing host (reference §6.2–§6.6, StorageDsc's order): online, then writable, initialize
(GPT), New-Partition -UseMaximumSize, Format-Volume, letter. A disk that is already initialized is never
initialized again (41001): the plan says so in a Finding. Letters on the other hosts come in a later phase,
after the partition exists; a disk must be online there to have a letter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, field_validator

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties
from hvconsole.stages.disks import DiskGroup, DisksState, Placement
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.windows.storage import Disk

MAX_LABEL = 32


class DiskProblem(ValueError):
    """Bad input for one form field (``field`` names it: label, letter, disk)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class DesiredDisk(BaseModel):
    key: str  # DiskGroup.key
    file_system: Literal["NTFS", "ReFS"] = "NTFS"
    label: str = ""
    letter: str = ""  # "" = the next free letter on the preparing host
    same_letter_everywhere: bool = False
    reformat: bool = False  # re-format a volume whose file system/label differ (erases its data)

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        if len(value) > MAX_LABEL:
            raise ValueError(f"a volume label is at most {MAX_LABEL} characters (this one has {len(value)})")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("a volume label cannot contain line breaks, tabs or other control characters")
        return value

    @field_validator("letter")
    @classmethod
    def _letter(cls, value: str) -> str:
        text = value.strip().rstrip("\\").rstrip(":").upper()
        if not text:
            return ""
        if len(text) != 1 or not ("D" <= text <= "Z"):
            raise ValueError("a drive letter is one letter from D to Z (A–C are floppies and the system)")
        return text


def desired_from_form(raw: dict[str, object]) -> DesiredDisk:
    from pydantic import ValidationError

    try:
        return DesiredDisk.model_validate(raw)
    except ValidationError as error:
        problem = error.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else "label"
        raise DiskProblem(field, problem["msg"].removeprefix("Value error, ")) from None


def _disk_holds(number: int, test: Callable[[dict[str, object]], bool]) -> Verification:
    def holds(result: PipelineResult) -> bool:
        found = [properties(o) for o in result.objects if hasattr(o, "types")]
        return bool(found) and test(found[0])

    return Verification(Pipeline.of(Command("Get-Disk", Number=number)), holds)


def _letter_holds(number: int, partition: int, letter: str) -> Verification:
    def holds(result: PipelineResult) -> bool:
        found = [properties(o) for o in result.objects if hasattr(o, "types")]
        return bool(found) and str(found[0].get("DriveLetter") or "").upper() == letter

    pipeline = Pipeline.of(Command("Get-Partition", DiskNumber=number, PartitionNumber=partition))
    return Verification(pipeline, holds)


def _online_steps(host: str, disk: Disk, writable: bool) -> list[Step]:
    steps = []
    if disk.is_offline:
        steps.append(
            Step(
                host,
                f"Bring disk {disk.number} online",
                Pipeline.of(Command("Set-Disk", Number=disk.number, IsOffline=False)),
                verify=_disk_holds(disk.number, lambda p: p.get("IsOffline") is False),
            )
        )
    if writable and disk.is_readonly:
        steps.append(
            Step(
                host,
                f"Clear read-only on disk {disk.number}",
                Pipeline.of(Command("Set-Disk", Number=disk.number, IsReadOnly=False)),
                verify=_disk_holds(disk.number, lambda p: p.get("IsReadOnly") is False),
            )
        )
    return steps


def preparing_host(group: DiskGroup, hosts: list[str]) -> Placement:
    """The first host where the disk is online, else the first selected host that sees it."""
    online = [p for p in group.placements if not p.disk.is_offline]
    ordered = sorted(online or group.placements, key=lambda p: hosts.index(p.host) if p.host in hosts else 99)
    return ordered[0]


def _confirm(placement: Placement) -> str:
    return f"Disk {placement.disk.number} on {placement.host}"


def _prepare(
    desired: DesiredDisk, prep: Placement, group: DiskGroup, findings: list[Finding]
) -> tuple[list[Step], int | None, str | None]:
    """Steps on the preparing host; returns them, the data partition number and its letter there."""
    host, disk = prep.host, prep.disk
    steps = _online_steps(host, disk, writable=True)
    data = prep.data
    partition_number: int | None = data[0][0].number if data else None
    letter = data[0][0].drive_letter if data else None
    if not disk.initialized:
        steps.append(
            Step(
                host,
                f"Initialize disk {disk.number} (GPT)",
                Pipeline.of(Command("Initialize-Disk", Number=disk.number, PartitionStyle="GPT")),
                destructive=True,
                confirm_phrase=_confirm(prep),
                verify=_disk_holds(disk.number, lambda p: int(str(p.get("PartitionStyle") or 0)) != 0),
            )
        )
    elif group.shared and disk.is_offline:
        findings.append(
            Finding(
                Severity.OK,
                f"Disk {disk.number} is already initialized ({disk.partition_style.name}), by another host: it "
                "is not initialized again (a second Initialize-Disk fails with StorageWMI 41001).",
                host,
            )
        )
    if data and disk.is_offline:
        findings.append(
            Finding(
                Severity.WARNING,
                f"Disk {disk.number} already has partitions; its volumes only show once it is online on {host}. "
                "This plan brings it online; plan again afterwards to format or re-letter it.",
                host,
            )
        )
        return steps, partition_number, letter
    if partition_number is None:
        gpt_or_new = not disk.initialized or disk.partition_style.name == "GPT"
        partition_number = max((p.number for p in prep.partitions), default=1 if gpt_or_new else 0) + 1
        new = Command("New-Partition", DiskNumber=disk.number).switch("UseMaximumSize")
        new = new.param("DriveLetter", desired.letter) if desired.letter else new.switch("AssignDriveLetter")
        steps.append(
            Step(
                host,
                f"Create partition {partition_number} on disk {disk.number} (all the space)",
                Pipeline.of(new),
            )
        )
        letter = desired.letter or None
    volume = data[0][1] if data else None
    formatted = volume is not None and bool(volume.file_system)
    differs = (
        formatted
        and volume is not None
        and (volume.file_system.lower(), volume.label) != (desired.file_system.lower(), desired.label)
    )
    if not formatted or (differs and desired.reformat):
        select = Command("Get-Partition", DiskNumber=disk.number, PartitionNumber=partition_number)
        fmt = Command(
            "Format-Volume", FileSystem=desired.file_system, NewFileSystemLabel=desired.label, Confirm=False
        )
        steps.append(
            Step(
                host,
                f"Format disk {disk.number} partition {partition_number} as {desired.file_system} “{desired.label}”"
                + (" (erases its data)" if formatted else ""),
                Pipeline.of(select | fmt),
                destructive=True,
                confirm_phrase=_confirm(prep),
                takes_long=desired.file_system == "ReFS",
            )
        )
    elif differs and volume is not None:
        findings.append(
            Finding(
                Severity.WARNING,
                f"Disk {disk.number} is already formatted {volume.file_system} “{volume.label}”; it is left as it "
                "is (tick “re-format” to erase it and format again).",
                host,
            )
        )
    if desired.letter and letter and letter != desired.letter:
        steps.append(_set_letter(host, disk.number, partition_number, desired.letter))
        letter = desired.letter
    return steps, partition_number, letter


def _set_letter(host: str, disk: int, partition: int, letter: str) -> Step:
    return Step(
        host,
        f"Give disk {disk} partition {partition} the letter {letter}:",
        Pipeline.of(
            Command("Set-Partition", DiskNumber=disk, PartitionNumber=partition, NewDriveLetter=letter)
        ),
        verify=_letter_holds(disk, partition, letter),
    )


def _letter_owner(state: DisksState, host: str, letter: str, group: DiskGroup) -> str | None:
    found = state.hosts.get(host)
    if found is None:
        return None
    for partition in found.partitions:
        mine = group.on(host) is not None and partition.disk_number == group.on(host).disk.number  # type: ignore[union-attr]
        if partition.drive_letter == letter and not mine:
            return f"disk {partition.disk_number} partition {partition.number}"
    return None


def plan_disk(desired: DesiredDisk, state: DisksState, hosts: list[str]) -> Plan:
    group = state.group(desired.key)
    if group is None:
        raise DiskProblem("disk", "pick a disk in the table first")
    if any(p.disk.is_clustered for p in group.placements):
        raise DiskProblem(
            "disk",
            "the cluster manages this disk (StorageWMI 41018): change it from the cluster's storage screen",
        )
    if group.first.is_boot or group.first.is_system:
        raise DiskProblem("disk", "this is the system disk: hvconsole does not partition or format it")
    prep = preparing_host(group, hosts)
    if desired.letter:
        owner = _letter_owner(state, prep.host, desired.letter, group)
        if owner:
            raise DiskProblem("letter", f"{desired.letter}: is already used on {prep.host} by {owner}")
    findings: list[Finding] = []
    first, partition_number, letter = _prepare(desired, prep, group, findings)
    later: list[Step] = []
    if desired.same_letter_everywhere and group.shared and partition_number is not None:
        wanted = desired.letter or letter
        for other in group.placements:
            if other.host == prep.host:
                continue
            if wanted is None:
                findings.append(
                    Finding(Severity.WARNING, "Pick a letter to use the same one on every host.", other.host)
                )
                break
            owner = _letter_owner(state, other.host, wanted, group)
            if owner:
                raise DiskProblem("letter", f"{wanted}: is already used on {other.host} by {owner}")
            current = next((p.drive_letter for p, _ in other.data), None)
            steps = _online_steps(other.host, other.disk, writable=False)
            if steps or current != wanted:
                later += [*steps, _set_letter(other.host, other.disk.number, partition_number, wanted)]
        if later:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "The disk will be online on several hosts at once, as the recipe did before the cluster "
                    "existed. Write to it from one host only until the cluster owns it: NTFS/ReFS are not "
                    "cluster-aware without it, and writes from two hosts corrupt the volume.",
                )
            )
    phases = tuple(tuple(p) for p in (first, later) if p)
    return Plan(f"Prepare {group.label()}", phases, tuple(findings))
