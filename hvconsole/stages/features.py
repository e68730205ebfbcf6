"""Roles & features: read the cluster recipe's roles (and their management tools) on many hosts at once, and
plan installs/removals on several hosts in one phase (reference §3.1–§3.2).

Hyper-V needs a restart (InstallPending until then): the plan either adds a restart step for that host or
says, as a finding, that the host must restart before Hyper-V works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.features import ROLES_OF_INTEREST, InstallState, WindowsFeature

ROLES: tuple[str, ...] = tuple(ROLES_OF_INTEREST)
# -IncludeManagementTools adds these (# inferred from Server Manager's tool features, reference §3.2)
TOOLS: dict[str, tuple[str, ...]] = {
    "Hyper-V": ("Hyper-V-PowerShell", "Hyper-V-Tools"),
    "Failover-Clustering": ("RSAT-Clustering-PowerShell", "RSAT-Clustering-Mgmt"),
    "FS-iSCSITarget-Server": (),
    "AD-Domain-Services": ("RSAT-AD-PowerShell", "RSAT-ADDS"),
}
NEEDS_RESTART = frozenset({"Hyper-V"})  # §3.2's table: only Hyper-V of the four
PRESENT = (InstallState.Installed, InstallState.InstallPending)


def features_pipeline() -> Pipeline:
    names = [*ROLES, *(t for tools in TOOLS.values() for t in tools)]
    return Pipeline.of(Command("Get-WindowsFeature", Name=names))


@dataclass(frozen=True)
class FeaturesState:
    hosts: dict[str, dict[str, WindowsFeature]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def state(self, host: str, name: str) -> InstallState:
        found = self.hosts.get(host, {}).get(name)
        return found.install_state if found else InstallState.Available

    def tools_installed(self, host: str, role: str) -> bool:
        return all(self.state(host, t) in PRESENT for t in TOOLS.get(role, ()))


def parse_features(result: PipelineResult) -> dict[str, WindowsFeature]:
    found = [WindowsFeature.from_properties(properties(o)) for o in result.objects if hasattr(o, "types")]
    return {f.name: f for f in found}


def read_features(workspace: Workspace, hosts: list[str]) -> FeaturesState:
    """Every host's roles and tools, in parallel, one round trip each (blocking: call on a worker thread)."""
    found: dict[str, dict[str, WindowsFeature]] = {}
    problems: dict[str, str] = {}
    for outcome in workspace.sessions.gather(features_pipeline(), hosts, raise_on_failure=False):
        if outcome.error is not None or outcome.result is None:
            problems[outcome.host] = str(outcome.error)
        else:
            found[outcome.host] = parse_features(outcome.result)
    return FeaturesState({h: found[h] for h in hosts if h in found}, problems)


@dataclass(frozen=True)
class FeatureRequest:
    """``wanted[host][role]``: True = installed, False = removed; a role not named is left as it is."""

    wanted: Mapping[str, Mapping[str, bool]]
    restart: bool = False  # restart the hosts that need it (Hyper-V) right after installing


def _installed_check(names: list[str], present: bool) -> Verification:
    def holds(result: PipelineResult) -> bool:
        states = {f.name: f.install_state for f in parse_features(result).values()}
        return all((states.get(n) in PRESENT) == present for n in names)

    return Verification(Pipeline.of(Command("Get-WindowsFeature", Name=names)), holds)


def plan_features(request: FeatureRequest, state: FeaturesState) -> Plan:
    steps: list[Step] = []
    findings: list[Finding] = [
        Finding(Severity.BLOCKER, f"could not be read: {problem}", host)
        for host, problem in state.problems.items()
    ]
    for host, roles in request.wanted.items():
        if host not in state.hosts:
            continue
        install = [r for r, want in roles.items() if want and state.state(host, r) not in PRESENT]
        install += [
            r for r, want in roles.items() if want and r not in install and not state.tools_installed(host, r)
        ]
        remove = [r for r, want in roles.items() if not want and state.state(host, r) in PRESENT]
        if install:
            command = Command("Install-WindowsFeature", Name=install).switch("IncludeManagementTools")
            steps.append(
                Step(
                    host,
                    f"Install {', '.join(install)} (with management tools)",
                    Pipeline.of(command),
                    takes_long=True,
                    timeout=1800,
                    verify=_installed_check(install, True),
                )
            )
        if remove:
            command = Command("Uninstall-WindowsFeature", Name=remove).switch("IncludeManagementTools")
            steps.append(
                Step(
                    host,
                    f"Remove {', '.join(remove)}",
                    Pipeline.of(command),
                    destructive=True,
                    takes_long=True,
                    timeout=1800,
                    verify=_installed_check(remove, False),
                )
            )
        pending = any(state.state(host, r) == InstallState.InstallPending for r in ROLES)
        restart_needed = pending or any(r in NEEDS_RESTART for r in install + remove)
        if restart_needed and request.restart:
            steps.append(
                Step(
                    host,
                    "Restart to finish installing Hyper-V",
                    Pipeline.of(Command("Restart-Computer").switch("Force")),
                    restarts_host=True,
                )
            )
        elif restart_needed:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "needs a restart before Hyper-V works (install pending)",
                    host,
                    "tick 'restart when needed', or restart it from Identity (3) or Host settings (s)",
                )
            )
    return Plan.of("Roles & features", steps, findings)


def build_plan(workspace: Workspace, request: FeatureRequest) -> Plan:
    """Re-read the hosts named in the request, then plan (blocking: call on a worker thread)."""
    return plan_features(request, read_features(workspace, list(request.wanted)))
