"""The monitor's merging, from recorded property dicts shaped like the reference's outputs (§9.3, §10):
jobs + counters + cluster parameters + VMMS events → one MigrationView per migration; the summary line."""

from __future__ import annotations

from typing import Any

from hvconsole.remoting.render import render
from hvconsole.stages.migration_views import human_rate, human_seconds, summary
from hvconsole.stages.migration_watch import MigrationWatch, parse_node, poll_pipeline
from hvconsole.windows.hyperv import VirtualMachine, VMState, csv_path_of
from hvconsole.windows.migration import parse_counter_samples

VM1_ID = "5b6f1c0e-8a52-4c1a-9d1e-0c5b2a7f1e01"
VM2_ID = "5b6f1c0e-8a52-4c1a-9d1e-0c5b2a7f1e02"
GB = 1024**3


def job(vm_id: str, percent: int, state: int = 4, **extra: Any) -> dict[str, Any]:
    return {
        "InstanceID": f"job-{vm_id[-2:]}",
        "VirtualSystemName": vm_id.upper(),
        "DestinationHost": "HV2",
        "PercentComplete": percent,
        "JobState": state,
        "JobType": 305,
        "ElapsedTime": "PT12.5S",
        "StartTime": "2025-04-28T10:00:00.0000000+00:00",
        "Cancellable": True,
        "ErrorCode": 0,
        "ErrorDescription": None,
        "StatusDescriptions": ["OK"],
    } | extra


def counters(vm: str, number: int, dirty: int, rate: float, blackout: int = 0) -> dict[str, Any]:
    base = f"\\\\hv1\\hyper-v vm live migration({vm.lower()}:vm live migration)\\"
    values = {
        "transfer pass: number": number,
        "transfer pass: dirty page count": dirty,
        "transfer pass: is blackout": blackout,
        "tcp transport: bytes sent/sec": rate,
        "compressor: compressed bytes sent/sec": 0,
    }
    return {
        "Timestamp": "2025-04-28T10:00:12",
        "CounterSamples": [
            {"Path": base + name, "InstanceName": f"{vm.lower()}:vm live migration", "CookedValue": value}
            for name, value in values.items()
        ],
    }


def vm_row(name: str, vm_id: str) -> dict[str, Any]:
    return {"Name": name, "Id": vm_id, "MemoryAssigned": GB}


def event(event_id: int, message: str, machine: str = "HV2.virtuallab.com") -> dict[str, Any]:
    return {
        "Id": event_id,
        "TimeCreated": "2025-04-28T10:00:30.0000000+00:00",
        "Message": message,
        "MachineName": machine,
    }


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def watch() -> tuple[MigrationWatch, Clock]:
    clock = Clock()
    return MigrationWatch(None, ["HV1", "HV2"], "Cluster1", clock=clock), clock  # type: ignore[arg-type]


def test_poll_pipeline_is_structured_and_cluster_read_only_once() -> None:
    first = render(poll_pipeline("Cluster1", with_cluster=True, with_vm_ids=True))
    assert "Get-CimInstance -Namespace 'root\\virtualization\\v2' -ClassName 'Msvm_MigrationJob'" in first
    assert "Get-Cluster -Name 'Cluster1' | Get-ClusterResource" in first
    assert "Get-ClusterParameter -Name 'MigrationState', 'MigrationProgress'" in first
    assert "Get-WinEvent" in first and "Get-Counter" in first
    other = render(poll_pipeline("Cluster1", with_cluster=False, with_vm_ids=False))
    assert "Get-Cluster" not in other and "Get-VM" not in other
    w, _ = watch()
    pipelines = w.pipelines()
    assert pipelines["HV1"].mentions("Get-Cluster") and not pipelines["HV2"].mentions("Get-Cluster")


def test_running_migration_view() -> None:
    w, clock = watch()
    hv1 = parse_node("HV1", [job(VM1_ID, 40), vm_row("VM1", VM1_ID), counters("VM1", 1, 0, 11_000_000)])
    views = w.merge([hv1])
    assert len(views) == 1
    view = views[0]
    assert (view.vm, view.source, view.destination, view.outcome) == ("VM1", "HV1", "HV2", "running")
    assert view.phase == "pass 1" and view.percent == 40
    assert view.bytes_left == int(GB * 0.6)
    assert view.eta is not None and 50 < view.eta < 60  # 614 MiB at 11 MB/s
    assert view.elapsed == 12.5
    clock.now += 1
    hv1 = parse_node("HV1", [job(VM1_ID, 80), counters("VM1", 3, 1000, 12_000_000)])
    view = w.merge([hv1])[0]
    assert view.phase == "pass 3" and view.dirty_pages == 1000 and view.bytes_left == 4096 * 1000
    assert view.history == (11_000_000, 12_000_000) and view.rate_avg == 11_500_000


def test_done_with_blackout_and_failed_with_destination_reason() -> None:
    w, clock = watch()
    hv1 = parse_node(
        "HV1",
        [job(VM1_ID, 60), job(VM2_ID, 30), vm_row("VM1", VM1_ID), vm_row("VM2", VM2_ID)],
    )
    w.merge([hv1])
    clock.now += 5
    hv1 = parse_node(
        "HV1",
        [
            job(VM1_ID, 100, state=7),
            job(VM2_ID, 95, state=10, ErrorCode=32768, ErrorDescription="Migration operation failed."),
            event(
                20415,
                "Virtual machine migration operation for 'VM1' completed successfully with "
                "blackout time 0.2 seconds (Virtual machine ID 5B6F...).",
            ),
        ],
    )
    hv2 = parse_node(
        "HV2",
        [
            event(
                20413,
                "Virtual machine migration for 'VM2' failed at migration destination 'HV2': "
                "the virtual switch 'External' was not found.",
            )
        ],
    )
    views = {v.vm: v for v in w.merge([hv1, hv2])}
    assert views["VM1"].outcome == "done" and views["VM1"].blackout == 0.2 and views["VM1"].percent == 100
    assert views["VM2"].outcome == "failed"
    assert views["VM2"].failure is not None and "switch 'External' was not found" in views["VM2"].failure
    assert views["VM2"].failure.startswith("HV2.virtuallab.com:")
    line = summary(list(views.values()))
    assert line.startswith("1 done, 1 failed: VM2 → HV2: HV2.virtuallab.com:")


def test_cluster_only_migration_and_cancel() -> None:
    w, clock = watch()
    param = {"ClusterObject": {"Name": "Virtual Machine VM3"}, "Name": "MigrationState", "Value": 2}
    progress = {"ClusterObject": "Virtual Machine VM3", "Name": "MigrationProgress", "Value": 20}
    view = w.merge([parse_node("HV1", [param, progress])])[0]
    assert view.vm == "VM3" and view.percent == 20 and view.phase == "copying memory"
    clock.now += 1
    canceled = {"ClusterObject": {"Name": "Virtual Machine VM3"}, "Name": "MigrationState", "Value": 4}
    view = w.merge([parse_node("HV1", [canceled])])[0]
    assert view.outcome == "canceled"


def test_summary_many() -> None:
    assert summary([]) == "No migrations in flight or recently finished."


def test_counter_paths_and_units() -> None:
    found = parse_counter_samples([counters("Web (1)", 2, 5, 1.0)])
    assert found["web (1)"]["transfer pass: number"] == 2
    assert human_rate(11_750_000) == "94 Mbit/s"
    assert human_seconds(75) == "1m15s" and human_seconds(None) == "—"


def test_vm_parsing_bytes_timespan_enum() -> None:
    vm = VirtualMachine.from_properties(
        {
            "Name": "VM1",
            "Id": VM1_ID,
            "State": "Running",
            "MemoryAssigned": 2 * GB,
            "Uptime": "P51DT5H14M44.673S",
            "ComputerName": "HV1",
            "Status": "Operating normally",
            "ProcessorCount": 2,
            "Path": "C:\\ClusterStorage\\Volume1\\VMs\\VM1",
            "Heartbeat": "OkApplicationsHealthy",
        }
    )
    assert vm.state is VMState.Running and vm.memory_assigned == 2 * GB
    assert vm.uptime.days == 51 and vm.computer_name == "HV1"
    assert csv_path_of(vm.path) == "Volume1"
    assert VirtualMachine.from_properties({"Name": "x", "State": 6}).state is VMState.Saved
