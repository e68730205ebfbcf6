"""Virtual switches per node (reference §9.1): read every node's switches and physical adapters in one
round trip each; plan an external switch with the same name on every node that lacks it (a name that
differs between nodes is a classic migration failure, events 21125/21502). New-VMSwitch is not
idempotent (names are not unique), so the plan skips nodes that have the name already."""

from __future__ import annotations

from dataclasses import dataclass, field

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import properties
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.hyperv import SwitchType, VMSwitch


def switches_pipeline() -> Pipeline:
    return Pipeline.of(
        Command("Get-VMSwitch")
        | Command(
            "Select-Object",
            Property=["Name", "SwitchType", "NetAdapterInterfaceDescription", "AllowManagementOS"],
        ),
        Command("Get-NetAdapter").switch("Physical")
        | Command("Select-Object", Property=["Name", "InterfaceDescription", "Status", "LinkSpeed"]),
    )


@dataclass
class NodeSwitches:
    switches: list[VMSwitch] = field(default_factory=list)
    adapters: list[dict[str, str]] = field(default_factory=list)  # Name, InterfaceDescription, Status


@dataclass
class SwitchesState:
    nodes: dict[str, NodeSwitches] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def names_on(self, node: str) -> set[str]:
        return {s.name for s in self.nodes.get(node, NodeSwitches()).switches}

    def common_names(self) -> set[str]:
        sets = [self.names_on(n) for n in self.nodes]
        return set.intersection(*sets) if sets else set()

    def mismatches(self) -> dict[str, list[str]]:
        """Switch name → nodes that lack it (for names some node has)."""
        every = set().union(*(self.names_on(n) for n in self.nodes)) if self.nodes else set()
        return {
            name: [n for n in self.nodes if name not in self.names_on(n)]
            for name in sorted(every)
            if any(name not in self.names_on(n) for n in self.nodes)
        }


def read_switches(workspace: Workspace, nodes: list[str]) -> SwitchesState:
    state = SwitchesState()
    for outcome in workspace.sessions.gather(switches_pipeline(), nodes, raise_on_failure=False):
        if outcome.result is None or outcome.result.had_errors:
            state.problems[outcome.host] = str(
                outcome.error or (outcome.result and outcome.result.terminating_error)
            )
            continue
        found = NodeSwitches()
        for row in (properties(o) for o in outcome.result.objects if hasattr(o, "adapted_properties")):
            if "SwitchType" in row:
                found.switches.append(VMSwitch.from_properties(row))
            elif "InterfaceDescription" in row:
                found.adapters.append(
                    {k: str(row.get(k) or "") for k in ("Name", "InterfaceDescription", "Status")}
                )
        state.nodes[outcome.host] = found
    return SwitchesState({n: state.nodes[n] for n in nodes if n in state.nodes}, state.problems)


def plan_external_switch(
    state: SwitchesState, name: str, adapters: dict[str, str], allow_management_os: bool
) -> Plan:
    """``adapters``: node → physical adapter name to bind; nodes that have ``name`` already are skipped."""
    steps, findings = [], []
    for node, adapter in adapters.items():
        if name in state.names_on(node):
            findings.append(Finding(Severity.OK, f"switch {name} exists", node))
            continue
        bound = [
            s for s in state.nodes.get(node, NodeSwitches()).switches if s.switch_type is SwitchType.External
        ]
        described = {
            a["Name"]: a["InterfaceDescription"] for a in state.nodes.get(node, NodeSwitches()).adapters
        }
        if any(s.adapter_description and s.adapter_description == described.get(adapter) for s in bound):
            findings.append(
                Finding(Severity.BLOCKER, f"{adapter} is bound to another external switch already", node)
            )
            continue
        command = Command(
            "New-VMSwitch", Name=name, NetAdapterName=adapter, AllowManagementOS=allow_management_os
        )
        check = Verification(
            Pipeline.of(Command("Get-VMSwitch", [("ErrorAction", "SilentlyContinue")], Name=name)),
            lambda r: bool(r.objects),
        )
        steps.append(
            Step(
                node,
                f"Create external switch {name} on {adapter}"
                + (
                    " (shared with the management OS: the link drops for a moment)"
                    if allow_management_os
                    else ""
                ),
                Pipeline.of(command),
                verify=check,
            )
        )
    return Plan.of(f"Virtual switch {name}", steps, findings)
