"""VMs against the `clustered` lab: the inventory skips the storage box, a highly available VM is created on
the CSV in one plan (New-VM → Set-VMProcessor → DVD → Add-ClusterVirtualMachineRole), power plans reach the
wanted state and a second plan is empty, removal takes the role, the VM and leaves nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command
from hvconsole.stages.vms import NewVm, VmInputError, plan_new_vm, plan_power, plan_remove, validate_new_vm
from hvconsole.windows.hyperv import VMState
from tests.conftest import open_lab
from tests.stages.lab_vms import CSV, add_switch, apply, inventory, run, the_vm


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("vms-lab"), scenario="clustered", seed=61, speed=50.0)
    for node in ("HV1", "HV2"):
        add_switch(opened, node)
    yield opened
    opened.close()


def test_inventory_of_an_empty_cluster(lab: Opened) -> None:
    found = inventory(lab)
    assert found.vms == [] and found.problems == {}  # STOR1 has no Hyper-V: skipped, not a problem
    assert found.nodes == ["HV1", "HV2"] and found.cluster == "CLUSTER1"


def test_highly_available_vm_on_the_csv_in_one_flow(lab: Opened) -> None:
    request = NewVm("Web1", "HV1", CSV, memory_mb=1024, processors=2, disk_gb=40, switch="External",
                    iso=f"{CSV}\\ISO\\WS2022.iso")  # fmt: skip
    validate_new_vm(request, inventory(lab), {"External"})
    plan = plan_new_vm(request, inventory(lab))
    assert [s.pipeline.commands[0].name for s in plan.steps] == [
        "New-VM", "Set-VMProcessor", "Add-VMDvdDrive", "Add-ClusterVirtualMachineRole",
    ]  # fmt: skip
    assert not plan.findings  # the ISO is on the CSV: reachable from every node
    report = apply(lab, plan)
    assert report.succeeded, report.details
    vm = the_vm(lab, "Web1")
    assert vm.is_clustered and vm.processor_count == 2 and vm.state is VMState.Off
    assert vm.path == f"{CSV}\\VMs\\Web1" and vm.computer_name == "HV1"
    groups = run(lab, "HV1", Command("Get-ClusterGroup", Cluster="CLUSTER1")).dicts()
    assert any(g.get("Name") == "Web1" and "HV1" in str(g.get("OwnerNode")) for g in groups)
    with pytest.raises(VmInputError) as again:
        validate_new_vm(request, inventory(lab), {"External"})
    assert again.value.field == "name"


def test_power_plans_reach_the_state_and_a_second_plan_is_empty(lab: Opened) -> None:
    assert apply(lab, plan_power("start", [the_vm(lab, "Web1")])).succeeded
    vm = the_vm(lab, "Web1")
    assert vm.running and vm.memory_assigned == 1024 * 2**20
    assert plan_power("start", [vm]).empty
    assert apply(lab, plan_power("save", [vm])).succeeded
    assert the_vm(lab, "Web1").state is VMState.Saved


def test_remove_takes_role_and_vm(lab: Opened) -> None:
    plan = plan_remove([the_vm(lab, "Web1")], "CLUSTER1")
    assert all(step.confirm_phrase == "Web1" for step in plan.steps)
    report = apply(lab, plan)
    assert report.succeeded, report.details
    assert inventory(lab).named("Web1") == []
