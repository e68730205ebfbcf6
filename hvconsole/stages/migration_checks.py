"""Checks before a move (anchors.md pain point 7): what would make the destination refuse the VM, said in the
plan before anything runs — a virtual switch the VM uses that the destination lacks (21125 on the
destination, 21502 on the source), and more moves than the hosts run at once (they go in batches; more at
once queue in the cluster or fail with 21501 outside it). Reading is blocking: call on a worker thread."""

from __future__ import annotations

from dataclasses import dataclass, field

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.plan import Finding, Severity
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.hyperv import VirtualMachine


@dataclass
class Preflight:
    vm_switches: dict[str, set[str]] = field(default_factory=dict)  # VM name (lower case) → its switches
    node_switches: dict[str, set[str]] = field(default_factory=dict)  # node → switch names (lower case)
    problems: dict[str, str] = field(default_factory=dict)


def adapters_pipeline(names: list[str]) -> Pipeline:
    return Pipeline.of(
        Command("Get-VMNetworkAdapter", VMName=names)
        | Command("Select-Object", Property=["VMName", "SwitchName"])
    )


def node_switches_pipeline() -> Pipeline:
    return Pipeline.of(Command("Get-VMSwitch") | Command("Select-Object", Property=["Name"]))


def read_preflight(workspace: Workspace, vms: list[VirtualMachine], node: str) -> Preflight:
    """The moving VMs' switch names (on their owners) and the destination's switches: one round trip each."""
    found = Preflight()
    owners: dict[str, list[str]] = {}
    for vm in vms:
        owners.setdefault(vm.computer_name, []).append(vm.name)
    plans = {owner: adapters_pipeline(sorted(set(names))) for owner, names in owners.items()}
    plans[node] = node_switches_pipeline() if node not in plans else plans[node]
    outcomes = list(workspace.sessions.fan_out(plans, raise_on_failure=False))
    if node in owners:  # the destination owns some of them too: ask it for its switches separately
        outcomes += list(workspace.sessions.fan_out(node_switches_pipeline(), [node], raise_on_failure=False))
    for outcome in outcomes:
        if outcome.result is None:
            found.problems[outcome.host] = str(outcome.error)
            continue
        for row in outcome.result.dicts():
            if not isinstance(row, dict):
                continue
            if "VMName" in row:
                if row.get("SwitchName"):
                    found.vm_switches.setdefault(str(row["VMName"]).lower(), set()).add(
                        str(row["SwitchName"])
                    )
            elif outcome.host == node and row.get("Name"):
                found.node_switches.setdefault(node, set()).add(str(row["Name"]).lower())
    return found


def preflight_findings(
    vms: list[VirtualMachine], node: str, preflight: Preflight | None, limit: int
) -> list[Finding]:
    findings: list[Finding] = []
    if preflight is not None and node not in preflight.problems:
        have = preflight.node_switches.get(node, set())
        for vm in vms:
            missing = sorted(
                s for s in preflight.vm_switches.get(vm.name.lower(), set()) if s.lower() not in have
            )
            for switch in missing:
                findings.append(
                    Finding(
                        Severity.BLOCKER,
                        f"{vm.name} is connected to virtual switch '{switch}', which {node} does not have: the "
                        "move would fail its compatibility check (21125 on the destination, 21502)",
                        node,
                        f"create switch '{switch}' on {node} (Virtual switches screen) or disconnect the VM",
                    )
                )
    if len(vms) > max(1, limit):
        findings.append(
            Finding(
                Severity.OK,
                f"{len(vms)} moves, the hosts run {limit} at a time: they go in batches of {limit} "
                "(more at once queue in the cluster, or fail with 21501 outside it)",
                node,
            )
        )
    return findings
