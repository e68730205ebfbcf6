"""Pause (optionally draining its roles to the other nodes) and resume a cluster node (reference §7.4).
Run from another Up node with the cluster named, so the node being drained is not the one answering."""

from __future__ import annotations

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.plan import Finding, Plan, Severity, Step
from hvconsole.windows.cluster import ClusterView


def _node(view: ClusterView, name: str) -> str:
    found = next((n for n in view.nodes if n.name.lower() == name.lower()), None)
    if found is None:
        raise ValueError(f"{name!r} is not a node of {view.name}.")
    return found.name


def _runner(view: ClusterView, avoid: str) -> str:
    others = [n.name for n in view.nodes if n.state == "Up" and n.name != avoid]
    return others[0] if others else avoid


def plan_pause(view: ClusterView, name: str, drain: bool = True) -> Plan:
    node = _node(view, name)
    state = next(n for n in view.nodes if n.name == node)
    title = f"{'Drain and pause' if drain else 'Pause'} {node}"
    if state.state == "Paused":
        return Plan.of(title, [])
    findings = []
    others_up = [n for n in view.nodes if n.state == "Up" and n.name != node]
    roles = view.roles_on(node)
    if drain and roles and not others_up:
        findings.append(
            Finding(
                Severity.BLOCKER,
                f"no other node is Up to take {len(roles)} role(s)",
                node,
                "resume another node",
            )
        )
    command = Command("Suspend-ClusterNode", Cluster=view.name, Name=node)
    if drain:
        command = command.switch("Drain")
    moving = f" — {len(roles)} role(s) move to {others_up[0].name}" if drain and roles and others_up else ""
    step = Step(
        _runner(view, node), f"{title}{moving}", Pipeline.of(command), takes_long=drain and bool(roles)
    )
    return Plan.of(title, [step], findings)


def plan_resume(view: ClusterView, name: str) -> Plan:
    node = _node(view, name)
    state = next(n for n in view.nodes if n.name == node)
    title = f"Resume {node}"
    if state.state != "Paused":
        return Plan.of(title, [])
    command = Command("Resume-ClusterNode", Cluster=view.name, Name=node)
    return Plan.of(title, [Step(_runner(view, node), title, Pipeline.of(command))])
