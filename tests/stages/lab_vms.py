"""Helpers for the VM and migration tests against the `clustered` lab (STOR1 + HV1/HV2 in CLUSTER1, CSV
C:\\ClusterStorage\\Volume1): apply a plan through the real applier, create a running HA VM, wait for things,
change a lab knob the cmdlets cannot change (the saved world: stop the lab, edit, start again)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.apply import Applier, ApplyReport
from hvconsole.stages.plan import Plan
from hvconsole.stages.vms import NewVm, VmInventory, plan_new_vm, plan_power, read_cluster_name, read_vms
from hvconsole.windows.hyperv import VirtualMachine
from tests.conftest import open_lab

NODES = ["HV1", "HV2"]
CSV = "C:\\ClusterStorage\\Volume1"


def apply(opened: Opened, plan: Plan) -> ApplyReport:
    assert not plan.blocked, plan.findings
    return Applier(opened.workspace.sessions, plan).run()


def inventory(opened: Opened) -> VmInventory:
    hosts = opened.workspace.host_names()
    return read_vms(opened.workspace, hosts, read_cluster_name(opened.workspace, hosts))


def the_vm(opened: Opened, name: str) -> VirtualMachine:
    found = inventory(opened).named(name)
    assert len(found) == 1, found
    return found[0]


def run(opened: Opened, host: str, *commands: Command) -> Any:
    return opened.workspace.sessions[host].invoke(Pipeline(list(commands)), raise_on_failure=False)


def add_switch(opened: Opened, node: str, name: str = "External") -> None:
    result = run(
        opened, node, Command("New-VMSwitch", Name=name, NetAdapterName="Ethernet", AllowManagementOS=True)
    )
    assert result.ok, result.errors


def running_vm(
    opened: Opened, name: str, node: str = "HV1", *, memory_mb: int = 512, switch: str = "", iso: str = ""
) -> VirtualMachine:
    """Create ``name`` on the CSV, highly available, and start it (the VMs screen's flow)."""
    request = NewVm(name, node, CSV, memory_mb=memory_mb, processors=1, disk_gb=10, switch=switch, iso=iso)
    report = apply(opened, plan_new_vm(request, inventory(opened)))
    assert report.succeeded, report.details
    report = apply(opened, plan_power("start", [the_vm(opened, name)]))
    assert report.succeeded, report.details
    return the_vm(opened, name)


def eventually(check: Callable[[], Any], timeout: float = 30.0, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


def restart_with(
    root: Path, opened: Opened, change: Callable[[dict[str, Any]], None], **options: Any
) -> Opened:
    """Stop the lab, change its saved world (``change`` gets the JSON document), start it again."""
    opened.close()
    state = root / "lab" / "state.json"
    world = json.loads(state.read_text(encoding="utf-8"))
    change(world)
    state.write_text(json.dumps(world), encoding="utf-8")
    return open_lab(root, **options)


def host_doc(world: dict[str, Any], name: str) -> dict[str, Any]:
    return next(h for h in world["hosts"] if h["name"].lower() == name.lower())
