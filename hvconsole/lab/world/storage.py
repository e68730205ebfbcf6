"""Disks, partitions, volumes and drive letters as the Storage cmdlets change them (reference §6).

A ``Disk`` is shared content (partition style, partitions, volumes with file system and label); each host
sees it through its ``DiskView`` (number, online/read-only, and its own drive letters: a shared LUN's
partition may have a different letter on every host). Initializing or formatting a LUN on one host changes
what every other host sees: there it stays Offline but shows GPT and the partitions (reference §6.3 [T-VL]).

For the iSCSI target: the storage box's volumes hold files (``Volume.files``); ``volume_free_bytes`` and
``allocate_file``/``release_file`` do the space accounting of the .vhdx files written there.
"""

from __future__ import annotations

import random
import uuid

from hvconsole.lab.world.model import Disk, DiskView, Host, Partition, Volume, World

MiB = 1024**2
MSR_OFFSET = 17408  # after the primary GPT (34 sectors); inferred
FIRST_DATA_OFFSET = 16 * MiB  # the first data partition after Initialize-Disk (reference §6.4: 16777216)
GPT_TAIL = MiB  # backup GPT and alignment at the end of the disk; inferred
BASIC_DATA = "{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}"
MSR_GPT_TYPE = "{e3c9e316-0b5c-4db8-817d-f92df00215ae}"
LETTERS = "DEFGHIJKLMNOPQRSTUVWXYZ"  # inferred: A-C are never handed out automatically


class StorageProblem(Exception):
    """A Storage WMI method's failure: ``code`` is the StorageWMI return code (reference §6.3–§6.6)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def new_guid(world: World) -> str:
    world.rng_counter += 1
    rng = random.Random(world.seed * 6151 + world.rng_counter)
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# ----- who sees what -------------------------------------------------------------------------------------
def views_of(world: World, disk_id: str) -> list[tuple[Host, DiskView]]:
    return [(h, v) for h in world.hosts for v in h.disks if v.disk_id == disk_id]


def letter_of(view: DiskView, partition: Partition) -> str | None:
    """This host's letter for the partition (None while the disk is offline here)."""
    if view.is_offline:
        return None
    key = str(partition.number)
    if key in view.drive_letters:
        return view.drive_letters[key] or None
    return partition.drive_letter  # disks built by the scenario (the system disk) carry it on the partition


def letters_in_use(world: World, host: Host) -> set[str]:
    used: set[str] = set()
    for view in host.disks:
        for partition in world.disk(view.disk_id).partitions:
            letter = letter_of(view, partition)
            if letter:
                used.add(letter.upper())
    return used


def next_free_letter(world: World, host: Host) -> str | None:
    used = letters_in_use(world, host)
    return next((c for c in LETTERS if c not in used), None)


def find_letter(world: World, host: Host, letter: str) -> tuple[Disk, DiskView, Partition] | None:
    for view in host.disks:
        disk = world.disk(view.disk_id)
        for partition in disk.partitions:
            found = letter_of(view, partition)
            if found and found.upper() == letter.upper():
                return disk, view, partition
    return None


def data_partitions(disk: Disk) -> list[Partition]:
    return [p for p in disk.partitions if p.type != "Reserved"]


# ----- changes --------------------------------------------------------------------------------------------
def remember_letter(world: World, view: DiskView, partition: Partition, letter: str | None) -> None:
    """This host's letter. A disk only one host sees also keeps it on the partition itself, so code that reads
    ``Partition.drive_letter`` (the system disk, the storage box's own data disks) stays right."""
    view.drive_letters[str(partition.number)] = letter.upper() if letter else ""
    if len(views_of(world, view.disk_id)) == 1:
        partition.drive_letter = letter.upper() if letter else None


def bring_online(world: World, host: Host, view: DiskView) -> None:
    """Online on this host: basic data volumes without a letter here get the next free one (mount manager
    automount; inferred)."""
    if not view.is_offline:
        return
    view.is_offline = False
    view.offline_reason = None
    for partition in world.disk(view.disk_id).partitions:
        if str(partition.number) in view.drive_letters:
            continue
        automount = partition.volume is not None and partition.type == "Basic"
        remember_letter(world, view, partition, next_free_letter(world, host) if automount else None)


def initialize(world: World, host: Host, view: DiskView, style: str = "GPT") -> None:
    disk = world.disk(view.disk_id)
    if disk.partition_style != 0:
        raise StorageProblem(41001, "The disk has already been initialized.")
    # [T-VL]: a SAN-policy disk ends Online (observed) and writable (inferred, reference §12 item 6).
    view.is_readonly = False
    bring_online(world, host, view)
    if style.upper() == "MBR":
        disk.partition_style = 1
        disk.signature = random.Random(world.seed + world.rng_counter).getrandbits(32)
        world.rng_counter += 1
        return
    disk.partition_style = 2
    disk.guid = "{" + new_guid(world) + "}"
    disk.partitions = [
        Partition(
            number=1,
            offset=MSR_OFFSET,
            size=FIRST_DATA_OFFSET - MSR_OFFSET,
            type="Reserved",
            gpt_type=MSR_GPT_TYPE,
            guid="{" + new_guid(world) + "}",
        )
    ]


def clear(world: World, disk: Disk) -> None:
    """Back to RAW: every partition and letter goes, on every host."""
    disk.partition_style = 0
    disk.partitions = []
    disk.signature = None
    disk.guid = None
    for _, view in views_of(world, disk.id):
        view.drive_letters.clear()


def largest_free_extent(disk: Disk) -> tuple[int, int]:
    """(offset, size) of the free space after the last partition (1 MiB aligned; inferred)."""
    if disk.partition_style == 0:
        return 0, 0
    end = max((p.offset + p.size for p in disk.partitions), default=MiB)
    start = (end + MiB - 1) // MiB * MiB
    return start, max(0, disk.size - GPT_TAIL - start) // MiB * MiB


def create_partition(
    world: World, host: Host, view: DiskView, size: int | None, letter: str | None
) -> Partition:
    disk = world.disk(view.disk_id)
    offset, free = largest_free_extent(disk)
    wanted = free if size is None else (size + MiB - 1) // MiB * MiB
    if wanted <= 0 or wanted > free:
        # Real text from New-Partition (the reference paraphrases it as "Not enough free space").
        raise StorageProblem(40000, "Not enough available capacity")
    if letter and letter.upper() in letters_in_use(world, host):
        raise StorageProblem(42002, "The requested access path is already in use.")
    number = max((p.number for p in disk.partitions), default=0) + 1
    gpt = disk.partition_style == 2
    partition = Partition(
        number=number,
        offset=offset,
        size=wanted,
        type="Basic" if gpt else "IFS",
        gpt_type=BASIC_DATA if gpt else None,
        mbr_type=None if gpt else 7,
        guid="{" + new_guid(world) + "}" if gpt else None,
    )
    disk.partitions.append(partition)
    remember_letter(world, view, partition, letter)
    return partition


def format_partition(
    world: World, partition: Partition, file_system: str, label: str, unit: int = 0
) -> Volume:
    """A new, empty file system: a second format erases the data (reference §6.5), the volume id stays."""
    refs = file_system.upper() == "REFS"
    overhead = max(64 * MiB, partition.size // 100) if refs else max(16 * MiB, partition.size // 500)
    size = max(0, partition.size - (40 * MiB if refs else 4096))  # inferred metadata reserves
    volume_id = partition.volume.id if partition.volume else new_guid(world)
    partition.volume = Volume(
        id=volume_id,
        label=label,
        file_system=file_system,  # as spelled by Format-Volume's ValidateSet (NTFS, ReFS, exFAT, FAT32, FAT)
        size=size,
        size_remaining=max(0, size - overhead),
        allocation_unit=unit or 4096,
    )
    if partition.mbr_type is not None:
        partition.mbr_type = 7
    return partition.volume


def set_letter(world: World, host: Host, view: DiskView, partition: Partition, letter: str | None) -> None:
    current = letter_of(view, partition)
    if letter and current and current.upper() == letter.upper():
        return  # the same letter again: harmless (reference §6.6, inferred)
    if letter and letter.upper() in letters_in_use(world, host):
        raise StorageProblem(42002, "The requested access path is already in use.")
    remember_letter(world, view, partition, letter)


# ----- files on volumes (the iSCSI target's .vhdx files) --------------------------------------------------
def _volume_at(world: World, host: Host, path: str) -> Volume:
    letter = path[:1]
    if len(path) < 3 or path[1:3] != ":\\" or not letter.isalpha():
        raise StorageProblem(87, f"The path '{path}' is not a local path with a drive letter.")
    found = find_letter(world, host, letter)
    if found is None or found[2].volume is None:
        raise StorageProblem(3, "The system cannot find the path specified.")
    return found[2].volume


def volume_free_bytes(world: World, host: Host, drive_letter: str) -> int | None:
    """Free bytes on the host's volume with that letter (None when the host has no such volume)."""
    found = find_letter(world, host, drive_letter[:1])
    if found is None or found[2].volume is None:
        return None
    return found[2].volume.size_remaining


def file_size(world: World, host: Host, path: str) -> int | None:
    try:
        volume = _volume_at(world, host, path)
    except StorageProblem:
        return None
    return next((size for name, size in volume.files.items() if name.lower() == path.lower()), None)


def allocate_file(world: World, host: Host, path: str, size: int) -> None:
    """Write a file of ``size`` bytes at ``path`` (a new file, or grow/shrink an existing one).

    Raises StorageProblem: 3 no such volume, 87 not a drive-letter path, 112 not enough space
    ("There is not enough space on the disk.")."""
    volume = _volume_at(world, host, path)
    key = next((name for name in volume.files if name.lower() == path.lower()), path)
    grow = size - volume.files.get(key, 0)
    if grow > volume.size_remaining:
        raise StorageProblem(112, "There is not enough space on the disk.")
    volume.files[key] = size
    volume.size_remaining -= grow


def release_file(world: World, host: Host, path: str) -> int:
    """Delete the file; returns the bytes freed (0 when there was no such file)."""
    try:
        volume = _volume_at(world, host, path)
    except StorageProblem:
        return 0
    key = next((name for name in volume.files if name.lower() == path.lower()), None)
    if key is None:
        return 0
    size = volume.files.pop(key)
    volume.size_remaining += size
    return size
