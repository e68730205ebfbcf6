"""Lab Storage cmdlets: the storage box's data disk from SAN-policy offline to a lettered volume, and every
misuse's StorageWMI error (reference §6.2–§6.7, [T-VL])."""

from __future__ import annotations

from typing import Any

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.world.model import World
from hvconsole.lab.world.scenario import build_world
from hvconsole.lab.world.storage import allocate_file, release_file, volume_free_bytes
from tests.lab.engine.harness import Result, cmd, run

GiB = 1024**3


@pytest.fixture
def world() -> World:
    return build_world(seed=11, now=1_700_000_000.0)


def storage(world: World) -> Session:
    return Session(world=world, host=world.hosts[0])


def one(result: Result) -> dict[str, Any]:
    assert result.failure is None and result.errors == [], result.errors
    assert len(result.output) == 1
    return dict(result.output[0].properties)


def error(result: Result) -> tuple[str, str]:
    record = result.failure or result.errors[0]
    return record.fqid, record.message


def test_san_policy_disk_initialize_partition_format(world: World) -> None:
    s = storage(world)
    disk = one(run(s, cmd("Get-Disk", Number=1)))
    assert (disk["IsOffline"], disk["IsReadOnly"], disk["OfflineReason"], disk["PartitionStyle"]) == (
        True,
        True,
        1,
        0,
    )
    # New-Partition on the RAW offline disk: offline first.
    assert (
        error(run(s, cmd("New-Partition", DiskNumber=1, UseMaximumSize=True)))[0]
        == "StorageWMI 41003,New-Partition"
    )
    out = one(run(s, cmd("Initialize-Disk", Number=1, PassThru=True)))
    assert (out["IsOffline"], out["IsReadOnly"], out["PartitionStyle"]) == (False, False, 2)  # §4.5 [T-VL]
    fqid, message = error(run(s, cmd("Initialize-Disk", Number=1)))
    assert fqid == "StorageWMI 41001,Initialize-Disk"
    assert message.startswith("The disk has already been initialized.\r\n\r\nExtended information:\r\n")
    assert "The operation requires that the disk is either RAW or GPT with only MSR partition." in message
    assert "Recommended Actions:\r\n- Clear the disk." in message and "Activity ID: {" in message
    both = run(s, cmd("New-Partition", DiskNumber=1))
    assert error(both)[0] == "StorageWMI 40005,New-Partition"
    assert error(run(s, cmd("New-Partition", DiskNumber=1, UseMaximumSize=True, DriveLetter="C")))[0] == (
        "StorageWMI 42002,New-Partition"
    )
    part = one(run(s, cmd("New-Partition", DiskNumber=1, UseMaximumSize=True, DriveLetter="L")))
    assert (part["PartitionNumber"], part["Offset"], part["DriveLetter"], part["Type"]) == (
        2,
        16777216,
        "L",
        "Basic",
    )
    assert error(run(s, cmd("New-Partition", DiskNumber=1, Size=GiB)))[0] == "StorageWMI 40000,New-Partition"
    volume = one(
        run(
            s,
            cmd(
                "Format-Volume", DriveLetter="L", FileSystem="ReFS", NewFileSystemLabel="Data", Confirm=False
            ),
        )
    )
    assert (volume["FileSystem"], volume["FileSystemLabel"], volume["DriveLetter"]) == ("ReFS", "Data", "L")
    assert 0 < volume["SizeRemaining"] < volume["Size"] <= part["Size"]
    assert one(run(s, cmd("Get-Volume", FileSystemLabel="Data")))["DriveLetter"] == "L"
    assert [
        p["PartitionNumber"]
        for p in (dict(o.properties) for o in run(s, cmd("Get-Partition", DiskNumber=1)).output)
    ] == [1, 2]


def test_letters_clear_and_space(world: World) -> None:
    s = storage(world)
    run(s, cmd("Initialize-Disk", Number=1))
    run(s, cmd("New-Partition", DiskNumber=1, UseMaximumSize=True, AssignDriveLetter=True))
    assert one(run(s, cmd("Get-Partition", DiskNumber=1, PartitionNumber=2)))["DriveLetter"] == "D"
    run(s, cmd("Format-Volume", DriveLetter="D", FileSystem="NTFS", NewFileSystemLabel="VMs", Confirm=False))
    assert (
        error(run(s, cmd("Set-Partition", DriveLetter="D", NewDriveLetter="C")))[0]
        == "StorageWMI 42002,Set-Partition"
    )
    assert run(s, cmd("Set-Partition", DriveLetter="D", NewDriveLetter="L")).errors == []
    assert (
        run(s, cmd("Set-Partition", DriveLetter="L", NewDriveLetter="L")).errors == []
    )  # same letter: silent
    host = world.hosts[0]
    free = volume_free_bytes(world, host, "L")
    assert free is not None and free > 10 * GiB
    allocate_file(world, host, "L:\\iSCSIVirtualDisk\\q.vhdx", 10 * GiB)
    assert volume_free_bytes(world, host, "L") == free - 10 * GiB
    assert release_file(world, host, "l:\\iscsivirtualdisk\\Q.VHDX") == 10 * GiB
    again = one(run(s, cmd("Format-Volume", DriveLetter="L", Confirm=False)))  # destructive, not an error
    assert again["FileSystemLabel"] == "VMs" and again["FileSystem"] == "NTFS"
    fqid, message = error(run(s, cmd("Clear-Disk", Number=1, Confirm=False)))
    assert fqid == "StorageWMI 41008,Clear-Disk"
    assert message.startswith(
        "Cannot clear with data partitions present. To clear data partitions, use the RemoveData flag."
    )
    assert run(s, cmd("Clear-Disk", Number=1, RemoveData=True, Confirm=False)).errors == []
    assert one(run(s, cmd("Get-Disk", Number=1)))["PartitionStyle"] == 0
    assert (
        error(run(s, cmd("New-Partition", DiskNumber=1, UseMaximumSize=True)))[0]
        == "StorageWMI 41000,New-Partition"
    )


def test_set_disk_order_and_cluster_refusal(world: World) -> None:
    s = storage(world)
    assert error(run(s, cmd("Set-Disk", Number=2, IsReadOnly=False)))[0] == "StorageWMI 41003,Set-Disk"
    assert (
        error(run(s, cmd("Set-Disk", Number=2, IsOffline=False, IsReadOnly=False)))[0]
        == "AmbiguousParameterSet,Set-Disk"
    )
    assert run(s, cmd("Set-Disk", Number=2, IsOffline=False)).errors == []
    assert run(s, cmd("Set-Disk", Number=2, IsReadOnly=False)).errors == []
    assert run(s, cmd("Set-Disk", Number=2, IsReadOnly=False)).errors == []  # same value: silent
    disk = one(run(s, cmd("Get-Disk", Number=2)))
    assert (disk["IsOffline"], disk["IsReadOnly"]) == (False, False)
    assert error(run(s, cmd("Get-Disk", Number=9)))[1].startswith(
        "No MSFT_Disk objects found with property 'Number' equal to '9'."
    )
    world.disk(world.hosts[0].disks[2].disk_id).is_clustered = True
    fqid, message = error(run(s, cmd("Initialize-Disk", Number=2)))
    assert fqid == "StorageWMI 41018,Initialize-Disk" and "Failover Clustering" in message


def test_new_volume_on_initialized_disk_fails_41001_with_invoke_cim_method_fqid(world: World) -> None:
    s = storage(world)
    vol = one(
        run(s, cmd("New-Volume", DiskNumber=1, FriendlyName="CSV1", FileSystem="ReFS", DriveLetter="S"))
    )
    assert (vol["DriveLetter"], vol["FileSystemLabel"]) == ("S", "CSV1")
    fqid, message = error(
        run(s, cmd("New-Volume", DiskNumber=1, FriendlyName="CSV1", FileSystem="ReFS", DriveLetter="T"))
    )
    assert (
        fqid
        == "StorageWMI 41001,Microsoft.Management.Infrastructure.CimCmdlets.InvokeCimMethodCommand,New-Volume"
    )
    assert message.startswith("The disk has already been initialized.")
