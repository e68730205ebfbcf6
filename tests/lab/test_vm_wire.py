"""VMs and migrations over the wire (PSRP to ``lab serve --scenario clustered``), with only structured commands:
an HA VM on the CSV, a live move watched through what Windows exposes (the cluster resource's parameters,
Msvm_MigrationJob, the live-migration counters) until done with uptime unbroken, the destination restarting
mid-move (the VM stays on the source, running; 20413 on the destination), and the ``scale`` scenario's 1,024
VMs listed per node in parallel as the VM inventory does."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.errors import ConnectionLost
from hvconsole.remoting.result import properties
from tests.conftest import open_lab

CLUSTER = "CLUSTER1"
CSV = "C:\\ClusterStorage\\Volume1"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("vm-wire"), scenario="clustered", seed=17, speed=50.0)
    for node in ("HV1", "HV2"):
        assert call(opened, node, Command("New-VMSwitch", Name="External", NetAdapterName="Ethernet")).ok
    yield opened
    opened.close()


def call(opened: Opened, host: str, *commands: Command) -> Any:
    return opened.workspace.sessions[host].invoke(Pipeline(list(commands)), raise_on_failure=False)


def rows(result: Any) -> list[dict[str, Any]]:
    return [properties(o) for o in result.objects if hasattr(o, "adapted_properties")]


def ha_vm(opened: Opened, name: str, memory: int = 1024**3) -> None:
    new = Command(
        "New-VM",
        Name=name,
        MemoryStartupBytes=memory,
        Generation=2,
        SwitchName="External",
        Path=CSV,
        NewVHDPath=f"{CSV}\\{name}.vhdx",
        NewVHDSizeBytes=20 * 1024**3,
    )
    assert call(opened, "HV1", new).ok
    assert call(opened, "HV1", Command("Add-ClusterVirtualMachineRole", VMName=name)).ok
    assert call(opened, "HV1", Command("Start-VM", Name=name)).ok


def progress(opened: Opened, vm: str) -> dict[str, Any]:
    piped = (
        Command("Get-Cluster", Name=CLUSTER)
        | Command("Get-ClusterResource", Name=f"Virtual Machine {vm}")
        | Command("Get-ClusterParameter", Name=["MigrationState", "MigrationProgress"])
    )
    result = opened.workspace.sessions["HV1"].invoke(Pipeline.of(piped), raise_on_failure=False)
    return {r["Name"]: r.get("Value") for r in rows(result) if "Name" in r}


def uptime(opened: Opened, node: str, vm: str) -> Any:
    (row,) = rows(call(opened, node, Command("Get-VM", Name=vm)))
    return row["Uptime"]


def wait_for(check: Any, timeout: float = 60.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_live_migration_watched_until_done(lab: Opened) -> None:
    ha_vm(lab, "Wire1")
    before = uptime(lab, "HV1", "Wire1")
    move = Command("Move-ClusterVirtualMachineRole", Name="Wire1", Node="HV2", MigrationType="Live", Wait=0)
    assert call(lab, "HV1", move).ok
    seen: list[int] = []

    def done() -> bool:
        now = progress(lab, "Wire1")
        seen.append(int(now["MigrationProgress"]))
        return now["MigrationState"] == 0 and now["MigrationProgress"] == 100

    wait_for(lambda: (jobs := rows(call(lab, "HV1", job_query()))) and jobs[0]["JobState"] == 4)
    counters = call(
        lab, "HV1", Command("Get-Counter", Counter=["\\Hyper-V VM Live Migration(*)\\Transfer Pass: Number"])
    )
    assert counters.ok and counters.objects
    wait_for(done)
    assert any(0 < p < 100 for p in seen)
    (job,) = rows(call(lab, "HV1", job_query()))
    assert job["JobState"] == 7 and job["PercentComplete"] == 100
    assert 40 < seconds(job["ElapsedTime"]) < 90  # 1 GiB, 100 Mbps, Compression on 8 CPUs (performance.md)
    (vm,) = rows(call(lab, "HV2", Command("Get-VM", Name="Wire1")))
    assert (
        vm["State"] == "Running" and vm["ComputerName"] == "HV2" and seconds(vm["Uptime"]) > seconds(before)
    )
    groups = {r["Name"]: r for r in rows(call(lab, "HV1", Command("Get-ClusterGroup")))}
    assert str(groups["Wire1"]["OwnerNode"]).endswith("HV2") or groups["Wire1"]["OwnerNode"]["Name"] == "HV2"


def seconds(value: Any) -> float:
    """A TimeSpan, or an xs:duration (``PT52.179S``) as a CIM interval crosses the wire."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    found = re.fullmatch(r"P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", str(value))
    assert found is not None, value
    days, hours, minutes, secs = (float(g or 0) for g in found.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + secs


def job_query() -> Command:
    return Command("Get-CimInstance", Namespace="root\\virtualization\\v2", ClassName="Msvm_MigrationJob")


def test_destination_restarting_mid_migration_leaves_the_vm_on_the_source(lab: Opened) -> None:
    # 8 GiB over 100 Mbps TCP/IP: ~12 minutes of lab time, a wide window for the restart to land in
    assert call(lab, "HV1", Command("Set-VMHost", VirtualMachineMigrationPerformanceOption="TCPIP")).ok
    ha_vm(lab, "Wire2", memory=8 * 1024**3)
    move = Command("Move-ClusterVirtualMachineRole", Name="Wire2", Node="HV2", MigrationType="Live", Wait=0)
    assert call(lab, "HV1", move).ok
    wait_for(lambda: progress(lab, "Wire2").get("MigrationState") == 2)
    with contextlib.suppress(ConnectionLost):  # the reply may not make it out before the host goes down
        call(lab, "HV2", Command("Restart-Computer", Force=True))
    wait_for(lambda: progress(lab, "Wire2").get("MigrationState") == 5)
    (vm,) = rows(call(lab, "HV1", Command("Get-VM", Name="Wire2")))
    assert vm["State"] == "Running" and vm["ComputerName"] == "HV1"

    def destination_event() -> bool:
        try:
            result = call(lab, "HV2", Command("Get-WinEvent", LogName="Microsoft-Windows-Hyper-V-VMMS-Admin"))
        except ConnectionLost:  # still rebooting
            return False
        return result.ok and any(r.get("Id") == 20413 for r in rows(result))

    wait_for(destination_event, timeout=120)


def test_scale_inventory_per_node_in_parallel(tmp_path_factory: pytest.TempPathFactory) -> None:
    opened = open_lab(tmp_path_factory.mktemp("scale"), scenario="scale", seed=5, speed=50.0)
    try:
        nodes = [h for h in opened.workspace.host_names() if h.startswith("HV")]
        assert len(nodes) == 16
        pipeline = Pipeline.of(
            Command("Get-VM") | Command("Select-Object", Property=["Name", "State", "ComputerName"])
        )
        opened.workspace.sessions.fan_out(pipeline, nodes, raise_on_failure=False)  # connect
        started = time.perf_counter()
        outcomes = opened.workspace.sessions.fan_out(pipeline, nodes, raise_on_failure=False)
        took = time.perf_counter() - started
        names = {r["Name"] for o in outcomes if o.result is not None for r in rows(o.result)}
        assert len(names) == 1024
        assert took < 5.0, took
    finally:
        opened.close()
