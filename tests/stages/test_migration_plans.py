"""Migration, VM and switch plans from recorded objects: the PowerShell each step runs, the simultaneous-
migration limit, idempotency (a second plan is empty), validation messages at the field."""

from __future__ import annotations

import pytest

from hvconsole.stages.migration import (
    MigrationSettings,
    plan_cancel,
    plan_drain,
    plan_migrate,
    plan_settings,
)
from hvconsole.stages.switches import NodeSwitches, SwitchesState, plan_external_switch
from hvconsole.stages.vms import (
    NewVm,
    VmInputError,
    VmInventory,
    plan_new_vm,
    plan_power,
    plan_remove,
    validate_new_vm,
)
from hvconsole.windows.hyperv import (
    MigrationAuthentication,
    MigrationPerformance,
    SwitchType,
    VirtualMachine,
    VMHostMigration,
    VMState,
    VMSwitch,
)


def vm(
    name: str, node: str = "HV1", state: VMState = VMState.Running, clustered: bool = True
) -> VirtualMachine:
    return VirtualMachine(name=name, computer_name=node, state=state, is_clustered=clustered)


def test_live_migration_of_marked_vms_in_batches_of_the_limit() -> None:
    vms = [vm(f"VM{i}") for i in range(5)] + [vm("Here", "HV2"), vm("Loose", clustered=False)]
    plan = plan_migrate(vms, "HV2", "Cluster1", limit=2, nodes=["HV1", "HV2"])
    assert [len(p) for p in plan.phases] == [2, 2, 1]
    first = plan.phases[0]
    assert {s.host for s in first} == {"HV1", "HV2"}  # two sessions: the two moves run side by side
    assert first[0].powershell == (
        "Move-ClusterVirtualMachineRole -Name 'VM0' -Node 'HV2' -MigrationType 'Live' -Cluster 'Cluster1'"
    )
    assert plan.blocked  # Loose is not highly available
    assert any("already runs on HV2" in f.text for f in plan.findings)
    quick = plan_migrate([vm("VM0")], "HV2", None, quick=True)
    assert (
        quick.steps[0].powershell
        == "Move-ClusterVirtualMachineRole -Name 'VM0' -Node 'HV2' -MigrationType 'Quick'"
    )


def test_drain_respects_limit_then_pauses() -> None:
    vms = [vm(f"VM{i}") for i in range(3)] + [vm("Other", "HV2")]
    plan = plan_drain("HV1", vms, ["HV2"], "Cluster1", limit=1)
    assert [len(p) for p in plan.phases] == [1, 1, 1, 1]
    assert plan.steps[-1].powershell == "Suspend-ClusterNode -Name 'HV1' -Cluster 'Cluster1'"
    assert plan_drain("HV1", vms, [], None).blocked


def test_cancel() -> None:
    plan = plan_cancel("VM1", "HV1", "Cluster1")
    assert (
        plan.steps[0].powershell == "Move-ClusterVirtualMachineRole -Name 'VM1' -Cancel -Cluster 'Cluster1'"
    )


def test_settings_plan_and_second_plan_empty() -> None:
    now = VMHostMigration(name="HV1")
    want = MigrationSettings(
        True, 4, MigrationAuthentication.Kerberos, MigrationPerformance.SMB, ("10.0.2.0/24",)
    )
    plan = plan_settings("HV1", want, now)
    text = plan.script()
    assert "Enable-VMMigration" in text
    assert (
        "Set-VMHost -MaximumVirtualMachineMigrations 4 -VirtualMachineMigrationAuthenticationType 'Kerberos'"
        in text
    )
    assert "Add-VMMigrationNetwork -Subnet '10.0.2.0/24' -Priority 1" in text
    after = now.model_copy(
        update={
            "enabled": True,
            "maximum_migrations": 4,
            "use_any_network": False,
            "authentication": MigrationAuthentication.Kerberos,
            "performance": MigrationPerformance.SMB,
        }
    )
    from hvconsole.windows.hyperv import MigrationNetwork

    after = after.model_copy(update={"networks": (MigrationNetwork(subnet="10.0.2.0/24", priority=1),)})
    assert plan_settings("HV1", want, after).empty


def test_new_vm_plan_and_validation() -> None:
    inventory = VmInventory([vm("Exists")], cluster="Cluster1")
    request = NewVm(
        "Web1",
        "HV1",
        "C:\\ClusterStorage\\Volume1",
        memory_mb=1024,
        processors=2,
        disk_gb=40,
        switch="External",
        iso="C:\\ClusterStorage\\Volume1\\ISO\\ws.iso",
    )
    validate_new_vm(request, inventory, {"External"})
    script = plan_new_vm(request, inventory).script()
    assert (
        "New-VM -Name 'Web1' -Generation 2 -MemoryStartupBytes 1073741824 -Path 'C:\\ClusterStorage\\Volume1\\VMs'"
        in script
    )
    assert "-NewVHDSizeBytes 42949672960 -SwitchName 'External'" in script
    assert "Set-VMProcessor -VMName 'Web1' -Count 2" in script
    assert "Add-ClusterVirtualMachineRole -VMName 'Web1' -Cluster 'Cluster1'" in script
    for bad, field in [
        (NewVm("Exists", "HV1", "C:\\ClusterStorage\\Volume1"), "name"),
        (NewVm("a/b", "HV1", "C:\\ClusterStorage\\Volume1"), "name"),
        (NewVm("ok", "HV1", "C:\\ClusterStorage\\Volume1", memory_mb=33), "memory"),
        (NewVm("ok", "HV1", "D:\\VMs"), "path"),
        (NewVm("ok", "HV1", "C:\\ClusterStorage\\Volume1", switch="Missing"), "switch"),
    ]:
        with pytest.raises(VmInputError) as caught:
            validate_new_vm(bad, inventory, {"External"})
        assert caught.value.field == field


def test_power_and_remove() -> None:
    vms = [vm("A"), vm("B", state=VMState.Off)]
    assert [s.title for s in plan_power("start", vms).steps] == ["Start: B"]
    turnoff = plan_power("turnoff", vms)
    assert turnoff.steps[0].confirm_phrase == "A" and turnoff.steps[0].destructive
    assert plan_power("shutdown", [vm("C", state=VMState.Off)]).empty
    remove = plan_remove([vm("A")], "Cluster1")
    assert [s.pipeline.commands[0].name for s in remove.steps] == [
        "Stop-VM",
        "Remove-ClusterGroup",
        "Remove-VM",
    ]
    assert all(s.confirm_phrase == "A" for s in remove.steps)


def test_switch_same_name_everywhere() -> None:
    state = SwitchesState(
        {
            "HV1": NodeSwitches(
                [VMSwitch(name="External", switch_type=SwitchType.External, adapter_description="NIC A")],
                [{"Name": "Ethernet", "InterfaceDescription": "NIC A", "Status": "Up"}],
            ),
            "HV2": NodeSwitches([], [{"Name": "Ethernet", "InterfaceDescription": "NIC B", "Status": "Up"}]),
        }
    )
    assert state.mismatches() == {"External": ["HV2"]}
    plan = plan_external_switch(state, "External", {"HV1": "Ethernet", "HV2": "Ethernet"}, True)
    assert [s.host for s in plan.steps] == ["HV2"]
    assert (
        plan.steps[0].powershell
        == "New-VMSwitch -Name 'External' -NetAdapterName 'Ethernet' -AllowManagementOS:$true"
    )
    clash = plan_external_switch(state, "Second", {"HV1": "Ethernet"}, False)
    assert clash.blocked
