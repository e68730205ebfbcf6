"""Moving clustered VMs: live (default) or quick migration of one or several VMs to a node, draining a node
within the simultaneous-migration limit, cancelling a move in flight (Move-ClusterVirtualMachineRole,
reference §9.8), and each node's migration settings (Get/Set-VMHost, Enable-/Disable-VMMigration,
Add-VMMigrationNetwork, §9.5)."""

from __future__ import annotations

from dataclasses import dataclass

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import properties
from hvconsole.stages.migration_checks import Preflight, preflight_findings
from hvconsole.stages.plan import Finding, Plan, Severity, Step
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.hyperv import (
    MigrationAuthentication,
    MigrationNetwork,
    MigrationPerformance,
    VirtualMachine,
    VMHostMigration,
)

MOVE_TIMEOUT = 3600.0  # a blocking move of a big VM on 100 Mbps takes many minutes

AUTHENTICATION_HELP = {
    MigrationAuthentication.CredSSP: (
        "CredSSP: you must be logged on locally (console/RDP) to the SOURCE node when a move starts; from a "
        "remote session it fails with 'No credentials are available in the security package (0x8009030E)'."
    ),
    MigrationAuthentication.Kerberos: (
        "Kerberos: each node's computer account needs constrained delegation to the other nodes for the "
        "services 'cifs' and 'Microsoft Virtual System Migration Service'; without it the move fails with "
        "0x8009030D / 'The target principal name is incorrect'."
    ),
}
PERFORMANCE_HELP = {
    MigrationPerformance.TCPIP: "TCP/IP: memory sent as is over a TCP connection.",
    MigrationPerformance.Compression: "Compression (default): fewer bytes, more CPU — about twice as fast on CPU-rich hosts.",
    MigrationPerformance.SMB: "SMB: SMB Direct/multichannel; fastest on RDMA networks.",
}


def move_command(
    vm: str, node: str, cluster: str | None, *, quick: bool = False, wait: int | None = None
) -> Command:
    command = Command(
        "Move-ClusterVirtualMachineRole", Name=vm, Node=node, MigrationType="Quick" if quick else "Live"
    )
    if wait is not None:
        command = command.param("Wait", wait)
    return command.param("Cluster", cluster) if cluster else command


def cancel_command(vm: str, cluster: str | None) -> Command:
    command = Command("Move-ClusterVirtualMachineRole", Name=vm).switch("Cancel")
    return command.param("Cluster", cluster) if cluster else command


def _move_step(vm: VirtualMachine, node: str, cluster: str | None, quick: bool, runner: str) -> Step:
    kind = "Quick-migrate (save, move, restore)" if quick else "Live-migrate"
    return Step(
        runner,
        f"{kind} {vm.name}: {vm.computer_name} → {node}",
        Pipeline.of(move_command(vm.name, node, cluster, quick=quick)),
        takes_long=True,
        timeout=MOVE_TIMEOUT,
    )


def plan_migrate(
    vms: list[VirtualMachine],
    node: str,
    cluster: str | None,
    *,
    quick: bool = False,
    limit: int = 2,
    nodes: list[str] | None = None,
    preflight: Preflight | None = None,
) -> Plan:
    """One blocking move per VM, at most ``limit`` at once: each phase holds ``limit`` moves, issued from
    different nodes' sessions so they run side by side (a session runs its steps one after another)."""
    findings: list[Finding] = []
    moving = []
    for vm in vms:
        if vm.computer_name.lower() == node.lower():
            findings.append(Finding(Severity.OK, f"{vm.name} already runs on {node}", node))
        elif not vm.is_clustered:
            findings.append(
                Finding(
                    Severity.BLOCKER,
                    f"{vm.name} is not highly available: make it a cluster role first (or use Move-VM)",
                    vm.computer_name,
                )
            )
        else:
            moving.append(vm)
    limit = max(1, limit)
    findings += preflight_findings(moving, node, preflight, limit)
    runners = nodes or sorted({vm.computer_name for vm in moving}) or [node]
    phases = []
    for start in range(0, len(moving), limit):
        batch = moving[start : start + limit]
        phases.append(
            tuple(
                _move_step(vm, node, cluster, quick, runners[i % len(runners)]) for i, vm in enumerate(batch)
            )
        )
    return Plan(f"{'Quick' if quick else 'Live'} migration to {node}", tuple(phases), tuple(findings))


def plan_drain(
    node: str, vms: list[VirtualMachine], others: list[str], cluster: str | None, limit: int = 2
) -> Plan:
    """Move every VM off ``node`` (spread over the other nodes, ``limit`` at a time), then pause it."""
    if not others:
        return Plan(
            "Drain " + node, (), (Finding(Severity.BLOCKER, "no other node to move the VMs to", node),)
        )
    on_node = [vm for vm in vms if vm.computer_name.lower() == node.lower() and vm.is_clustered]
    limit = max(1, limit)
    phases = []
    for start in range(0, len(on_node), limit):
        batch = on_node[start : start + limit]
        phases.append(
            tuple(
                _move_step(
                    vm, others[(start + i) % len(others)], cluster, False, others[(start + i) % len(others)]
                )
                for i, vm in enumerate(batch)
            )
        )
    pause = Command("Suspend-ClusterNode", Name=node)
    if cluster:
        pause = pause.param("Cluster", cluster)
    phases.append((Step(others[0], f"Pause {node} (no roles move back to it)", Pipeline.of(pause)),))
    return Plan(f"Drain {node}: {len(on_node)} VM(s), {limit} at a time", tuple(phases))


def plan_cancel(vm: str, runner: str, cluster: str | None) -> Plan:
    return Plan.of(
        f"Cancel the migration of {vm}",
        [
            Step(
                runner,
                f"Cancel the live migration of {vm} (it keeps running on the source)",
                Pipeline.of(cancel_command(vm, cluster)),
            )
        ],
    )


# --- per-node migration settings ---------------------------------------------------------------------
def settings_pipeline() -> Pipeline:
    host = Command("Get-VMHost") | Command(
        "Select-Object",
        Property=[
            "Name",
            "VirtualMachineMigrationEnabled",
            "MaximumVirtualMachineMigrations",
            "VirtualMachineMigrationAuthenticationType",
            "VirtualMachineMigrationPerformanceOption",
            "UseAnyNetworkForMigration",
            "MemoryCapacity",
            "LogicalProcessorCount",
        ],
    )
    return Pipeline.of(host, Command("Get-VMMigrationNetwork"))


def read_settings(
    workspace: Workspace, nodes: list[str]
) -> tuple[dict[str, VMHostMigration], dict[str, str]]:
    found: dict[str, VMHostMigration] = {}
    problems: dict[str, str] = {}
    for outcome in workspace.sessions.gather(settings_pipeline(), nodes, raise_on_failure=False):
        if outcome.result is None:
            problems[outcome.host] = str(outcome.error)
            continue
        rows = [properties(o) for o in outcome.result.objects if hasattr(o, "adapted_properties")]
        networks = tuple(MigrationNetwork.from_properties(r) for r in rows if "Subnet" in r)
        host = next((r for r in rows if "VirtualMachineMigrationEnabled" in r), None)
        if host is not None:  # Get-VMMigrationNetwork may fail after it: the host settings still count
            found[outcome.host] = VMHostMigration.from_properties(host, networks)
        elif outcome.result.had_errors:
            problems[outcome.host] = str(outcome.result.terminating_error)
    return found, problems


def simultaneous_limit(settings: dict[str, VMHostMigration], default: int = 2) -> int:
    """The smallest MaximumVirtualMachineMigrations of the hosts involved (each end counts, reference §9.5)."""
    return min((s.maximum_migrations for s in settings.values()), default=default) or 1


@dataclass(frozen=True)
class MigrationSettings:
    enabled: bool
    maximum: int
    authentication: MigrationAuthentication
    performance: MigrationPerformance
    networks: tuple[str, ...] = ()  # subnets, e.g. 10.0.2.0/24; empty = use any network


def plan_settings(node: str, want: MigrationSettings, now: VMHostMigration) -> Plan:
    steps = []
    if want.enabled != now.enabled:
        verb = "Enable" if want.enabled else "Disable"
        steps.append(Step(node, f"{verb} live migration", Pipeline.of(Command(f"{verb}-VMMigration"))))
    changes: list[tuple[str, str | int | bool]] = []
    if want.maximum != now.maximum_migrations:
        changes.append(("MaximumVirtualMachineMigrations", want.maximum))
    if want.authentication != now.authentication:
        changes.append(("VirtualMachineMigrationAuthenticationType", want.authentication.name))
    if want.performance != now.performance:
        changes.append(("VirtualMachineMigrationPerformanceOption", want.performance.name))
    use_any = not want.networks
    if use_any != now.use_any_network:
        changes.append(("UseAnyNetworkForMigration", use_any))
    if changes:
        steps.append(
            Step(node, "Set " + ", ".join(k for k, _ in changes), Pipeline.of(Command("Set-VMHost", changes)))
        )
    have = {n.subnet for n in now.networks}
    for priority, subnet in enumerate(want.networks, start=1):
        if subnet not in have:
            steps.append(
                Step(
                    node,
                    f"Allow migration on {subnet}",
                    Pipeline.of(Command("Add-VMMigrationNetwork", Subnet=subnet, Priority=priority)),
                )
            )
    for subnet in sorted(have - set(want.networks)):
        steps.append(
            Step(
                node,
                f"Stop migrating on {subnet}",
                Pipeline.of(Command("Remove-VMMigrationNetwork", Subnet=subnet)),
            )
        )
    return Plan.of(f"Migration settings of {node}", steps)
