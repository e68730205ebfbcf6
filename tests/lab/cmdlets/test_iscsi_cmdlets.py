"""IscsiTarget and iSCSI initiator cmdlets in-process (reference §4, §5): objects, errors, access, firewall,
space accounting, LUN views, persistent logins across a restart."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hvconsole.lab.engine import Session
from hvconsole.lab.world.model import World
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run

GiB = 1024**3


def world_with_role() -> tuple[World, Session, Session]:
    world = build_world(seed=5, now=1_700_000_000.0)
    storage, node = Session(world=world, host=world.hosts[0]), Session(world=world, host=world.hosts[1])
    assert run(storage, cmd("Install-WindowsFeature", Name=["FS-iSCSITarget-Server"])).failure is None
    return world, storage, node


def portal(world: World) -> str:
    return world.hosts[0].adapters[0].addresses[0].address


def test_virtual_disks_need_a_volume_and_take_space() -> None:
    world, storage, _ = world_with_role()
    missing = run(storage, cmd("New-IscsiVirtualDisk", Path="L:\\iSCSI\\q.vhdx", SizeBytes=15 * GiB))
    assert (
        missing.failure is not None
        and missing.failure.message == "The system cannot find the path specified."
    )
    assert missing.failure.fqid.startswith("Microsoft.Iscsi.Target.Commands.IscsiCmdException,")
    c_volume = world.disks["storage-os"].partitions[1].volume
    assert c_volume is not None
    free = c_volume.size_remaining
    made = run(storage, cmd("New-IscsiVirtualDisk", Path="C:\\iSCSI\\q.vhdx", SizeBytes=15 * GiB))
    (vdisk,) = made.output
    assert vdisk.type_names[0] == "Microsoft.Iscsi.Target.Commands.IscsiVirtualDisk"
    assert vdisk.get("DiskType").name == "Dynamic" and vdisk.get("Status").name == "NotConnected"
    assert c_volume.size_remaining < free and free - c_volume.size_remaining < GiB  # dynamic: a few MB
    again = run(storage, cmd("New-IscsiVirtualDisk", Path="C:\\iSCSI\\q.vhdx", SizeBytes=15 * GiB))
    assert again.failure is not None and again.failure.message == "The file exists."
    too_big = run(
        storage, cmd("New-IscsiVirtualDisk", Path="C:\\iSCSI\\big.vhdx", SizeBytes=100 * GiB, UseFixed=True)
    )
    assert too_big.failure is not None and "not enough space" in too_big.failure.message
    nothing = run(storage, cmd("Get-IscsiVirtualDisk", Path="C:\\nope.vhdx"))
    assert nothing.output == [] and "IscsiCmdException" in nothing.errors[0].fqid


def test_target_iqn_warning_and_not_found() -> None:
    world, storage, _ = world_with_role()
    name = world.hosts[0].name
    made = run(storage, cmd("New-IscsiServerTarget", TargetName="Target1", InitiatorIds=["DNSName:HV1"]))
    assert made.output[0].get("TargetIqn") == f"iqn.1991-05.com.microsoft:{name.lower()}-target1-target"
    assert [str(i) for i in (o.to_string for o in made.output[0].get("InitiatorIds"))] == ["DnsName:HV1"]
    assert made.sink.warnings and "primary FQDN" in made.sink.warnings[0]
    dup = run(storage, cmd("New-IscsiServerTarget", TargetName="target1"))
    assert dup.failure is not None
    gone = run(storage, cmd("Get-IscsiServerTarget", TargetName="Nope"))
    assert gone.output == [] and gone.errors[0].category == "ObjectNotFound"


def test_initiator_errors_and_persistent_login_after_restart() -> None:
    world, storage, node = world_with_role()
    run(storage, cmd("New-IscsiVirtualDisk", Path="C:\\iSCSI\\q.vhdx", SizeBytes=15 * GiB))
    run(
        storage,
        cmd("New-IscsiServerTarget", TargetName="Short", InitiatorIds=[f"DNSName:{world.hosts[1].name}"]),
    )
    run(storage, cmd("New-IscsiServerTarget", TargetName="Cluster", InitiatorIds=["IQN:*"]))
    run(storage, cmd("Add-IscsiVirtualDiskTargetMapping", TargetName="Cluster", Path="C:\\iSCSI\\q.vhdx"))
    stopped = run(node, cmd("Get-IscsiTarget"))
    assert stopped.errors[0].fqid == "HRESULT 0xefff003e,Get-IscsiTarget"
    run(node, cmd("Start-Service", Name=["MSiSCSI"]))
    blocked = run(node, cmd("New-IscsiTargetPortal", TargetPortalAddress=portal(world)))
    assert blocked.errors[0].fqid == "HRESULT 0xefff0003,New-IscsiTargetPortal"
    run(storage, cmd("New-NetFirewallRule", Name="t", DisplayName="t", Protocol="TCP", LocalPort=["3260"]))
    assert run(node, cmd("New-IscsiTargetPortal", TargetPortalAddress=portal(world))).errors == []
    listed = [o.get("NodeAddress") for o in run(node, cmd("Get-IscsiTarget")).output]
    assert len(listed) == 1 and listed[0].endswith("-cluster-target")  # the short-name target is hidden
    short = next(t.iqn for t in world.hosts[0].iscsi.target.targets if t.name == "Short")
    refused = run(node, cmd("Connect-IscsiTarget", NodeAddress=short))
    assert refused.errors[0].fqid == "HRESULT 0xefff0029,Connect-IscsiTarget"
    session = run(node, cmd("Connect-IscsiTarget", NodeAddress=listed[0], IsPersistent=True)).output[0]
    assert session.get("IsPersistent") is True and session.get("TargetSideIdentifier") == "0100"
    assert (
        run(node, cmd("Connect-IscsiTarget", NodeAddress=listed[0]))
        .errors[0]
        .fqid.startswith("HRESULT 0xefff003f")
    )
    lun = next(o for o in run(node, cmd("Get-Disk")).output if o.get("BusType") == 9)
    assert lun.get("FriendlyName") == "MSFT Virtual HD" and lun.get("IsOffline") is True
    assert lun.get("PartitionStyle") == 0
    assert lun.get("SerialNumber") == world.hosts[0].iscsi.target.virtual_disks[0].serial
    host = world.hosts[1]
    world.finish_reboot(host)  # Manual start type: stopped again, no logins
    assert host.service("MSiSCSI").status == "Stopped" and not host.iscsi.initiator.sessions  # type: ignore[union-attr]
    run(node, cmd("Set-Service", Name="MSiSCSI", StartupType="Automatic"))
    world.finish_reboot(host)
    assert host.service("MSiSCSI").status == "Running"  # type: ignore[union-attr]
    assert [s.target for s in host.iscsi.initiator.sessions] == [listed[0]]
    assert any(v.disk_id.startswith("iscsi-") for v in host.disks)
    run(node, cmd("Unregister-IscsiSession", SessionIdentifier=[host.iscsi.initiator.sessions[0].session_id]))
    run(node, cmd("Disconnect-IscsiTarget", NodeAddress=[listed[0]], Confirm=False))
    world.finish_reboot(host)
    assert not host.iscsi.initiator.sessions and not any(v.disk_id.startswith("iscsi-") for v in host.disks)


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_target_name_is_refused_or_kept_literally(name: str) -> None:
    world, storage, _ = world_with_role()
    result = run(storage, cmd("New-IscsiServerTarget", TargetName=name, InitiatorIds=["IQN:*"]))
    if result.failure is None:
        assert world.hosts[0].iscsi.target.targets[0].name == name
    else:
        assert not world.hosts[0].iscsi.target.targets
