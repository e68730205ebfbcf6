"""The disks stage against the lab: the storage box's own data disk from SAN-policy offline to a lettered
volume (it will hold the iSCSI vdisks); hostile labels/letters refused at the field or sent literally."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvconsole.launch import Opened
from hvconsole.stages.disks import explain, read_disks, read_pipeline
from hvconsole.stages.disks_plan import DesiredDisk, DiskProblem, desired_from_form, plan_disk
from hvconsole.windows.storage import BusType, PartitionStyle
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("disks-lab"), seed=31, speed=50.0)
    yield opened
    opened.close()


def test_read_is_one_round_trip_of_three_narrow_statements(lab: Opened) -> None:
    pipeline = read_pipeline()
    assert len(pipeline.statements) == 3
    assert all(s.commands[-1].name == "Select-Object" for s in pipeline.statements)
    storage, node1, _ = lab.workspace.host_names()
    state = read_disks(lab.workspace, [storage, node1])
    box = state.hosts[storage]
    data = box.disk(1)
    assert data is not None and data.is_offline and data.is_readonly and data.bus_type is BusType.SAS
    assert data.partition_style is PartitionStyle.RAW and data.offline_reason.name == "Policy"
    system = box.disk(0)
    assert system is not None and "C" in box.letters_in_use()
    assert [p.number for p in box.partitions_of(0)] == [1, 2]
    assert {v.label for v in box.volumes} >= {"System Reserved"}


def test_prepare_storage_data_disk_then_nothing_to_do(lab: Opened) -> None:
    storage = lab.workspace.host_names()[0]
    state = read_disks(lab.workspace, [storage])
    group = next(g for g in state.groups() if g.on(storage) and g.first.number == 1)
    desired = DesiredDisk(key=group.key, file_system="NTFS", label="iSCSI $disks; `x`", letter="L")
    plan = plan_disk(desired, state, [storage])
    titles = [s.title for s in plan.steps]
    assert titles[:3] == ["Bring disk 1 online", "Clear read-only on disk 1", "Initialize disk 1 (GPT)"]
    assert "Create partition 2 on disk 1 (all the space)" in titles
    script = plan.script()
    assert "Set-Disk -Number 1 -IsOffline:$false" in script
    assert "New-Partition -DiskNumber 1 -UseMaximumSize -DriveLetter 'L'" in script
    assert (
        "Format-Volume -FileSystem 'NTFS' -NewFileSystemLabel 'iSCSI $disks; `x`' -Confirm:$false" in script
    )
    assert {s.confirm_phrase for s in plan.destructive_steps} == {f"Disk 1 on {storage}"}
    report = lab.workspace.run_applier(lab.workspace.applier(plan, lambda e: None))
    assert report.succeeded, report.details
    after = read_disks(lab.workspace, [storage])
    box = after.hosts[storage]
    partition = next(p for p in box.partitions_of(1) if p.is_data)
    volume = box.volume_of(partition)
    assert (partition.number, partition.offset, partition.drive_letter) == (2, 16777216, "L")
    assert volume is not None and (volume.file_system, volume.label) == ("NTFS", "iSCSI $disks; `x`")
    assert plan_disk(desired, after, [storage]).empty  # a second apply plans nothing
    moved = plan_disk(desired.model_copy(update={"letter": "M"}), after, [storage])
    assert [s.title for s in moved.steps] == ["Give disk 1 partition 2 the letter M:"]
    with pytest.raises(DiskProblem) as taken:
        plan_disk(desired.model_copy(update={"letter": "C"}), after, [storage])
    assert taken.value.field == "letter" and "already used" in taken.value.message
    relabel = plan_disk(desired.model_copy(update={"label": "Other"}), after, [storage])
    assert relabel.empty and any("re-format" in f.text for f in relabel.findings)


def test_system_disk_is_refused(lab: Opened) -> None:
    storage = lab.workspace.host_names()[0]
    state = read_disks(lab.workspace, [storage])
    system = next(g for g in state.groups() if g.first.is_system)
    with pytest.raises(DiskProblem) as refused:
        plan_disk(DesiredDisk(key=system.key), state, [storage])
    assert refused.value.field == "disk"


def test_explanations() -> None:
    assert "another host" in (explain("StorageWMI 41001: The disk has already been initialized.") or "")
    assert explain("something else") is None


HOSTILE = st.text(
    alphabet=st.sampled_from(list("aZ09 '\"$;`&|(){}@#\n\r\t\x00é中🙂-_.:\\")), min_size=0, max_size=40
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(label=HOSTILE, letter=HOSTILE)
def test_form_fields_refuse_or_keep_the_literal(label: str, letter: str) -> None:
    try:
        desired = desired_from_form({"key": "k", "label": label, "letter": letter})
    except DiskProblem as problem:
        assert problem.field in ("label", "letter") and problem.message
        return
    assert desired.label == label  # sent exactly as typed
    assert desired.letter == "" or ("D" <= desired.letter <= "Z" and len(desired.letter) == 1)
    assert len(label) <= 32 and not any(ord(c) < 32 for c in label)
