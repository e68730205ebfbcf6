"""A shared iSCSI LUN through the lab's own target and initiators (no world faked): initialized and formatted
once on node 1, the same letter on node 2, a second apply plans nothing, a second initialize is never planned,
and forced through with Initialize-Disk it fails with StorageWMI 41001 (reference §6.3 [T-VL])."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import properties
from hvconsole.stages.disks import explain, read_disks
from hvconsole.stages.disks_plan import DesiredDisk, plan_disk
from hvconsole.windows.storage import BusType, PartitionStyle
from tests.conftest import open_lab

iscsi_lab = pytest.importorskip("hvconsole.lab.cmdlets.iscsi", reason="needs the lab's iSCSI initiator")
VDISK = "L:\\iSCSIVirtualDisk\\Quorum.vhdx"


def run(lab: Opened, host: str, *statements: Command) -> list[dict[str, object]]:
    result = lab.workspace.sessions[host].invoke(Pipeline.of(*statements), raise_on_failure=False)
    assert result.ok, [e.message for e in result.errors]
    return [properties(o) for o in result.objects if hasattr(o, "types")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("shared-disks-lab"), seed=32, speed=50.0)
    storage, node1, node2 = opened.workspace.host_names()
    state = read_disks(opened.workspace, [storage])
    data = next(g for g in state.groups() if g.on(storage) and g.first.number == 1)
    prepare = plan_disk(DesiredDisk(key=data.key, label="iSCSI", letter="L"), state, [storage])
    assert opened.workspace.run_applier(opened.workspace.applier(prepare, lambda e: None)).succeeded
    run(opened, storage, Command("Install-WindowsFeature", Name="FS-iSCSITarget-Server"))
    run(
        opened,
        storage,
        Command(
            "New-NetFirewallRule",
            DisplayName="iSCSITargetIn",
            Direction="Inbound",
            Action="Allow",
            Protocol="TCP",
            LocalPort="3260",
        ),
    )
    run(opened, storage, Command("New-IscsiVirtualDisk", Path=VDISK, SizeBytes=2 * 1024**3))
    run(opened, storage, Command("New-IscsiServerTarget", TargetName="Target1", InitiatorIds=["IQN:*"]))
    run(opened, storage, Command("Add-IscsiVirtualDiskTargetMapping", TargetName="Target1", Path=VDISK))
    addresses = run(opened, storage, Command("Get-NetIPAddress", AddressFamily="IPv4"))
    portal = next(str(a["IPAddress"]) for a in addresses if str(a["IPAddress"]).startswith("10.20."))
    target = run(opened, storage, Command("Get-IscsiServerTarget", TargetName="Target1"))[0]["TargetIqn"]
    for node in (node1, node2):
        run(opened, node, Command("Start-Service", Name="MSiSCSI"))
        run(opened, node, Command("New-IscsiTargetPortal", TargetPortalAddress=portal))
        run(opened, node, Command("Connect-IscsiTarget", NodeAddress=str(target), IsPersistent=True))
    yield opened
    opened.close()


def test_lun_is_one_disk_seen_offline_raw_on_both_nodes(lab: Opened) -> None:
    _, node1, node2 = lab.workspace.host_names()
    state = read_disks(lab.workspace, [node1, node2])
    shared = [g for g in state.groups() if g.shared]
    assert len(shared) == 1
    lun = shared[0]
    assert {p.host for p in lun.placements} == {node1, node2} and lun.online_on == []
    disk = lun.first
    assert disk.bus_type is BusType.iSCSI and disk.friendly_name == "MSFT Virtual HD"
    assert disk.partition_style is PartitionStyle.RAW and disk.is_offline


def test_prepare_once_same_letter_everywhere_then_nothing(lab: Opened) -> None:
    _, node1, node2 = lab.workspace.host_names()
    state = read_disks(lab.workspace, [node1, node2])
    lun = next(g for g in state.groups() if g.shared)
    desired = DesiredDisk(key=lun.key, label="Quorum", letter="Q", same_letter_everywhere=True)
    plan = plan_disk(desired, state, [node1, node2])
    assert len(plan.phases) == 2
    assert {s.host for s in plan.phases[0]} == {node1} and {s.host for s in plan.phases[1]} == {node2}
    assert plan.script().count("Initialize-Disk") == 1
    assert [s.title.split(" ")[0] for s in plan.phases[1]] == ["Bring", "Give"]
    assert any("online on several hosts" in f.text for f in plan.findings)
    report = lab.workspace.run_applier(lab.workspace.applier(plan, lambda e: None))
    assert report.succeeded, report.details
    after = read_disks(lab.workspace, [node1, node2])
    lun = next(g for g in after.groups() if g.shared)
    assert sorted(lun.online_on) == sorted([node1, node2])
    for host in (node1, node2):
        placement = lun.on(host)
        assert placement is not None
        (partition, volume), *_ = placement.data
        assert partition.drive_letter == "Q" and volume is not None and volume.label == "Quorum"
    assert plan_disk(desired, after, [node1, node2]).empty
    assert "Initialize-Disk" not in plan_disk(desired, after, [node2, node1]).script()


def test_second_initialize_fails_41001_and_is_explained(lab: Opened) -> None:
    node2 = lab.workspace.host_names()[2]
    state = read_disks(lab.workspace, [node2])
    number = next(g for g in state.groups() if g.first.bus_type is BusType.iSCSI).first.number
    result = lab.workspace.sessions[node2].invoke(
        Pipeline.of(Command("Initialize-Disk", Number=number)), raise_on_failure=False
    )
    error = result.errors[0]
    assert error.fqid == "StorageWMI 41001,Initialize-Disk"
    assert "The disk has already been initialized." in error.message
    assert "another host already initialized" in (explain(f"{error.fqid} {error.message}") or "")
