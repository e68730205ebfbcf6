"""Firewall stage: the rule groups remote administration needs, custom port rules with stable names (so
re-planning is idempotent), and ``firewall_preflight`` — which rules each later stage needs (reference §1.8,
anchors pain point 4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.firewall import FirewallRule

ECHO_RULE = "FPS-ICMP4-ERQ-In"
PING = "File and Printer Sharing (Echo Request)"  # one rule of its group, enabled by -Name
FIREWALL_ADMIN = ("Windows Defender Firewall Remote Management", "Windows Firewall Remote Management")
GROUPS = (
    "Remote Desktop",
    "Windows Remote Management",
    "Remote Volume Management",
    FIREWALL_ADMIN[0],
    "Remote Event Log Management",
    "iSCSI Service",
    PING,
)


@dataclass(frozen=True)
class PortRule:
    name: str  # stable -Name: a second plan finds it and plans nothing
    display_name: str
    port: int
    protocol: str = "TCP"


PORT_RULES = {
    "iscsi-target": PortRule("hvconsole-iSCSI-Target-In-TCP-3260", "iSCSI Target (TCP-In 3260)", 3260),
    "cluster": PortRule("hvconsole-Cluster-In-TCP-3343", "Failover Cluster (TCP-In 3343)", 3343),
    "cluster-udp": PortRule("hvconsole-Cluster-In-UDP-3343", "Failover Cluster (UDP-In 3343)", 3343, "UDP"),
    "live-migration": PortRule("hvconsole-LiveMigration-In-TCP-6600", "Live Migration (TCP-In 6600)", 6600),
}


@dataclass(frozen=True)
class HostFirewall:
    rules: tuple[FirewallRule, ...]

    def group_rules(self, group: str) -> list[FirewallRule]:
        if group == PING:
            return [r for r in self.rules if r.name == ECHO_RULE]
        names = FIREWALL_ADMIN if group in FIREWALL_ADMIN else (group,)
        return [r for r in self.rules if r.display_group in names]

    def group_state(self, group: str) -> str:
        """'on', 'off', 'partly' or 'absent'."""
        rules = self.group_rules(group)
        if not rules:
            return "absent"
        on = sum(r.enabled for r in rules)
        return "on" if on == len(rules) else ("off" if on == 0 else "partly")

    def rule(self, name: str) -> FirewallRule | None:
        return next((r for r in self.rules if r.name == name), None)


def read_pipeline() -> Pipeline:
    groups = [g for g in GROUPS if g != PING] + [FIREWALL_ADMIN[1]]
    return Pipeline.of(
        Command("Get-NetFirewallRule", DisplayGroup=groups, ErrorAction="SilentlyContinue"),
        Command("Get-NetFirewallRule", Name=[ECHO_RULE, "hvconsole-*"], ErrorAction="SilentlyContinue"),
    )


def parse_result(result: PipelineResult) -> HostFirewall:
    seen: dict[str, FirewallRule] = {}
    for obj in result.objects:
        if hasattr(obj, "types"):
            rule = FirewallRule.from_properties(properties(obj))
            seen[rule.name] = rule
    return HostFirewall(tuple(seen.values()))


def read_firewall(workspace: Workspace, hosts: list[str]) -> dict[str, HostFirewall | str]:
    out: dict[str, HostFirewall | str] = {}
    for outcome in workspace.sessions.gather(read_pipeline(), hosts, raise_on_failure=False):
        out[outcome.host] = parse_result(outcome.result) if outcome.result is not None else str(outcome.error)
    return out


def _target(state: HostFirewall, group: str) -> dict[str, object]:
    if group == PING:
        return {"Name": ECHO_RULE}
    present = {r.display_group for r in state.group_rules(group)}
    return {"DisplayGroup": next(iter(present), group)}


def _group_holds(group: str, on: bool) -> Verification:
    def holds(result: PipelineResult) -> bool:
        rules = parse_result(result)
        return rules.group_state(group) == ("on" if on else "off")

    return Verification(read_pipeline(), holds)


@dataclass(frozen=True)
class DesiredFirewall:
    host: str
    groups: dict[str, bool]  # group → enabled (groups not named are left alone)
    port_rules: tuple[str, ...] = ()  # keys of PORT_RULES that must exist and be enabled


def plan_firewall(desired: Iterable[DesiredFirewall], state: dict[str, HostFirewall]) -> Plan:
    steps: list[Step] = []
    findings: list[Finding] = []
    for want in desired:
        current = state[want.host]
        for group, on in want.groups.items():
            now = current.group_state(group)
            if now == "absent":
                findings.append(
                    Finding(Severity.WARNING, f"no {group!r} rules on {want.host}", host=want.host)
                )
                continue
            if now == ("on" if on else "off"):
                continue
            verb = "Enable-NetFirewallRule" if on else "Disable-NetFirewallRule"
            command = Command(verb, **_target(current, group))  # type: ignore[arg-type]
            title = f"{'Allow' if on else 'Block'} {group}"
            steps.append(Step(want.host, title, Pipeline.of(command), verify=_group_holds(group, on)))
        for key in want.port_rules:
            rule = PORT_RULES[key]
            found = current.rule(rule.name)
            if found is not None and found.enabled:
                continue
            if found is not None:
                command = Command("Enable-NetFirewallRule", Name=rule.name)
            else:
                command = Command(
                    "New-NetFirewallRule",
                    Name=rule.name,
                    DisplayName=rule.display_name,
                    Direction="Inbound",
                    Action="Allow",
                    Protocol=rule.protocol,
                    LocalPort=[str(rule.port)],
                    Enabled="True",
                )
            steps.append(
                Step(
                    want.host,
                    f"Allow {rule.protocol} {rule.port} in ({rule.display_name})",
                    Pipeline.of(command),
                )
            )
    return Plan.of("Firewall", steps, findings)


# --- what later stages need (shown as a checklist on the firewall screen) -------------------------------------
@dataclass(frozen=True)
class Need:
    stage: str
    host: str
    group: str | None = None  # a GROUPS entry, or
    port_rule: str | None = None  # a PORT_RULES key
    why: str = ""


def stage_needs(storage: str, nodes: list[str]) -> list[Need]:
    everyone = [storage, *nodes]
    needs = [Need("Network", h, group=PING, why="ping checks between hosts") for h in everyone]
    needs += [Need("Storage", storage, port_rule="iscsi-target", why="initiators log in on TCP 3260")]
    needs += [
        Need("Storage", h, group="Remote Volume Management", why="disk management from the admin box")
        for h in everyone
    ]
    needs += [Need("iSCSI", h, group="iSCSI Service", why="the initiator talks to the target") for h in nodes]
    needs += [
        Need("Cluster", h, port_rule=k, why="cluster service")
        for h in nodes
        for k in ("cluster", "cluster-udp")
    ]
    needs += [
        Need("Cluster", h, group="Remote Event Log Management", why="validation reads event logs")
        for h in nodes
    ]
    needs += [
        Need("Live migration", h, port_rule="live-migration", why="VM memory moves on TCP 6600")
        for h in nodes
    ]
    return needs


def firewall_preflight(state: dict[str, HostFirewall], needs: Iterable[Need]) -> list[Finding]:
    """One Finding per need: OK when the rule(s) already allow it, BLOCKER with the fix otherwise."""
    findings = []
    for need in needs:
        current = state.get(need.host)
        label = need.group or (PORT_RULES[need.port_rule].display_name if need.port_rule else "?")
        if current is None:
            findings.append(
                Finding(Severity.BLOCKER, f"{need.stage}: {label} — {need.host} not read", host=need.host)
            )
            continue
        if need.group:
            ok = current.group_state(need.group) == "on"
        else:
            found = current.rule(PORT_RULES[need.port_rule or ""].name)
            ok = found is not None and found.enabled
        severity = Severity.OK if ok else Severity.BLOCKER
        fix = None if ok else f"allow {label} on {need.host} (firewall screen)"
        findings.append(Finding(severity, f"{need.stage}: {label} ({need.why})", host=need.host, fix=fix))
    return findings
