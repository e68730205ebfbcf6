"""FailoverClusters, SmbShare and VMHost cmdlets in process, on worlds built by replaying the recipe
(reference §0.3, §7, §8, §9.5)."""

from __future__ import annotations

import re

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.world import recipe
from hvconsole.lab.world.model import World
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run

NS = "Microsoft.FailoverClusters.PowerShell"


def world_of(scenario: str) -> World:
    return build_world(scenario, seed=11, now=1_700_000_000.0)


def on(world: World, index: int) -> Session:
    return Session(world=world, host=world.hosts[index])


def test_prepared_validates_with_warnings_only() -> None:
    world = world_of("prepared")
    result = run(on(world, 1), cmd("Test-Cluster", Node=["HV1", "HV2"]))
    assert result.failure is None
    (report,) = result.output
    assert report.type_names[0] == "System.IO.FileInfo"
    assert re.fullmatch(r"Validation Report \d{4}\.\d\d\.\d\d At \d\d\.\d\d\.\d\d\.htm", report.get("Name"))
    warnings = result.sink.warnings
    assert "System Configuration - Validate All Drivers Signed: The test reported some warnings.." in warnings
    assert not any("failures" in w for w in warnings[:-1])
    assert warnings[-1].startswith("\nTest Result:\nClusterConditionallyApproved\n")
    listed = run(on(world, 1), cmd("Test-Cluster", List=True)).output
    assert {o.get("Category") for o in listed} >= {"Inventory", "Network", "Storage", "System Configuration"}


def test_unreachable_node_is_the_wmi_error_and_a_missing_lun_a_failure() -> None:
    world = world_of("prepared")
    world.hosts[2].power = "Rebooting"
    down = run(on(world, 1), cmd("Test-Cluster", Node=["HV1", "HV2"]))
    assert down.failure is not None and down.failure.message.startswith("Unable to connect to HV2 via WMI.")
    assert down.failure.fqid == f"Test-Cluster,{NS}.TestClusterCommand"
    world.hosts[2].power = "Running"
    world.hosts[2].disks = [v for v in world.hosts[2].disks if not v.disk_id.startswith("iscsi-")]
    partial = run(on(world, 1), cmd("Test-Cluster", Node=["HV1", "HV2"]))
    assert (
        "Storage - List Potential Cluster Disks: The test reported some failures.." in partial.sink.warnings
    )
    assert "ClusterNotApproved" in partial.sink.warnings[-1]


def test_failed_create_leaves_state_until_clear_cluster_node() -> None:
    world = world_of("prepared")
    hv1, hv2 = on(world, 1), on(world, 2)
    world.hosts[2].power = "Rebooting"
    failed = run(hv1, cmd("New-Cluster", Name="CLUSTER1", Node=["HV1", "HV2"], StaticAddress=["10.20.0.50"]))
    assert failed.failure is not None and "This operation returned because the timeout period expired" in (
        failed.failure.message
    )
    assert "Create Cluster Wizard CLUSTER1 on " in failed.sink.warnings[0]
    world.hosts[2].power = "Running"
    retry = run(hv1, cmd("New-Cluster", Name="CLUSTER1", Node=["HV1", "HV2"], StaticAddress=["10.20.0.50"]))
    assert retry.failure is not None and "is joined to a cluster" in retry.failure.message
    refused = run(hv1, cmd("Clear-ClusterNode", Name=["HV1"]))
    assert refused.failure is not None  # confirm impact High: cannot prompt remotely
    assert run(hv1, cmd("Clear-ClusterNode", Name=["HV1"], Force=True)).output == []
    made = run(hv2, cmd("New-Cluster", Name="CLUSTER1", Node=["HV1", "HV2"], StaticAddress=["10.20.0.50"]))
    assert made.failure is None and made.output[0].to_string == "CLUSTER1"
    resources = {o.get("Name"): o for o in run(hv1, cmd("Get-ClusterResource")).output}
    assert set(resources) == {"Cluster IP Address", "Cluster Name", "Cluster Disk 1", "Cluster Disk 2"}
    assert run(hv1, cmd("Get-ClusterAvailableDisk")).output == []
    quorum = run(hv1, cmd("Get-ClusterQuorum")).output[0]
    assert (
        quorum.get("QuorumType") == "Majority"
        and quorum.get("QuorumResource").get("Name") == "Cluster Disk 1"
    )
    assert world.domains[0].records["cluster1.lab.local"] == "10.20.0.50"


def test_a_non_node_needs_an_explicit_cluster_target() -> None:
    world = world_of("clustered")
    stor = on(world, 0)
    run(stor, cmd("Install-WindowsFeature", Name=["RSAT-Clustering-PowerShell"]))
    hop = run(stor, cmd("Get-ClusterNode"))
    assert hop.failure is not None
    assert hop.failure.fqid == f"ClusterEndpointNotRegistered,{NS}.GetNodeCommand"
    assert hop.failure.category == "ConnectionError"
    assert hop.sink.warnings[0].startswith("If you are running Windows PowerShell remotely")
    direct = run(stor, cmd("Get-ClusterNode", Cluster="CLUSTER1"))
    assert [(o.get("Name"), str(o.get("State"))) for o in direct.output] == [("HV1", "Up"), ("HV2", "Up")]
    piped = run(stor, cmd("Get-Cluster", Name="CLUSTER1"), cmd("Get-ClusterNode"))
    assert len(piped.output) == 2
    world.hosts[2].power = "Rebooting"
    states = [str(o.get("State")) for o in run(on(world, 1), cmd("Get-ClusterNode")).output]
    assert states == ["Up", "Down"]


def test_quorum_rules_and_csv() -> None:
    world = world_of("clustered")
    hv1 = on(world, 1)
    (csv,) = run(hv1, cmd("Get-ClusterSharedVolume")).output
    info = csv.get("SharedVolumeInfo")[0]
    assert info.get("FriendlyVolumeName") == "C:\\ClusterStorage\\Volume1"
    assert info.get("Partition").get("FileSystem") == "CSVFS"
    on_csv = run(hv1, cmd("Set-ClusterQuorum", DiskWitness=csv.get("Name")))
    assert on_csv.failure is not None and "Cluster Shared Volume" in on_csv.failure.message
    no_share = run(hv1, cmd("Set-ClusterQuorum", FileShareWitness="\\\\STOR1\\Quorum"))
    assert no_share.failure is not None
    run(on(world, 0), cmd("New-SmbShare", Name="Quorum", Path="C:\\Quorum", FullAccess=["Everyone"]))
    fsw = run(hv1, cmd("Set-ClusterQuorum", NodeAndFileShareMajority="\\\\STOR1\\Quorum")).output[0]
    assert fsw.get("QuorumResource").get("ResourceType").get("DisplayName") == "File Share Quorum Witness"
    assert run(hv1, cmd("Get-ClusterAvailableDisk")).output == []  # the old witness is in Available Storage
    groups = {o.get("Name") for o in run(hv1, cmd("Get-ClusterGroup")).output}
    assert groups == {"Cluster Group", "Available Storage"}
    none = run(hv1, cmd("Set-ClusterQuorum", NoWitness=True)).output[0]
    assert none.get("QuorumResource") is None
    number = next(v.number for v in world.hosts[1].disks if v.disk_id.startswith("iscsi-"))
    locked = run(hv1, cmd("Set-Disk", Number=number, IsOffline=True))
    assert "41018" in (locked.failure.fqid if locked.failure else locked.errors[0].fqid)
    moved = run(hv1, cmd("Move-ClusterSharedVolume", Name=csv.get("Name"), Node="HV2")).output[0]
    assert str(moved.get("OwnerNode")) == "HV2" or moved.get("OwnerNode").get("Name") == "HV2"


def test_drain_resume_and_vmhost_paths() -> None:
    world = world_of("clustered")
    hv1 = on(world, 1)
    paused = run(hv1, cmd("Suspend-ClusterNode", Name=["HV1"], Drain=True)).output[0]
    assert str(paused.get("State")) == "Paused" and str(paused.get("DrainStatus")) == "Completed"
    assert world.clusters[0].group_owners["Cluster Group"] == "node2"
    assert str(run(hv1, cmd("Resume-ClusterNode", Name=["HV1"])).output[0].get("State")) == "Up"
    host = run(hv1, cmd("Get-VMHost")).output[0]
    assert host.get("VirtualMachinePath") == "C:\\ClusterStorage\\Volume1\\VMs"
    bad = run(hv1, cmd("Set-VMHost", VirtualMachinePath="Q:\\VMs"))
    assert bad.failure is not None


@pytest.mark.parametrize("scenario", ["prepared", "clustered"])
def test_recipe_scenarios_are_deterministic(scenario: str) -> None:
    assert world_of(scenario).model_dump(exclude={"admin_password"}) == world_of(scenario).model_dump(
        exclude={"admin_password"}
    )
    assert recipe.CLUSTER_NAME == "CLUSTER1"


def test_cluster_hive_marks_members_and_failed_create_leftovers() -> None:
    world = world_of("prepared")
    hv1 = on(world, 1)
    key = "HKLM:\\Cluster"
    assert run(hv1, cmd("Get-ItemProperty", Path=key, Name="ClusterName")).output == []
    world.hosts[2].power = "Rebooting"
    run(hv1, cmd("New-Cluster", Name="CLUSTER1", Node=["HV1", "HV2"], StaticAddress=["10.20.0.50"]))
    world.hosts[2].power = "Running"
    (left,) = run(hv1, cmd("Get-ItemProperty", Path=key, Name="ClusterName")).output
    assert left.get("ClusterName") == "CLUSTER1"
    assert run(on(world, 2), cmd("Get-ItemProperty", Path=key, Name="ClusterName")).output == []
    run(hv1, cmd("Clear-ClusterNode", Name=["HV1"], Force=True))
    assert run(hv1, cmd("Get-ItemProperty", Path=key, Name="ClusterName")).output == []
    run(hv1, cmd("New-Cluster", Name="CLUSTER1", Node=["HV1", "HV2"], StaticAddress=["10.20.0.50"]))
    for index in (1, 2):
        (member,) = run(on(world, index), cmd("Get-ItemProperty", Path=key, Name="ClusterName")).output
        assert member.get("ClusterName") == "CLUSTER1"


def test_disk_resource_guid_is_the_disk_guid_get_disk_shows() -> None:
    world = world_of("clustered")
    hv1 = on(world, 1)
    guids = {o.get("Guid"): int(o.get("Size")) for o in run(hv1, cmd("Get-Disk")).output if o.get("Guid")}
    disk = run(hv1, cmd("Get-ClusterResource", Name=["Cluster Disk 1"])).output[0]
    (param,) = run(hv1, cmd("Get-ClusterParameter", Name=["DiskIdGuid"]), input_objects=[disk]).output
    assert guids[param.get("Value")] == 1024**3  # the 1 GB quorum LUN
