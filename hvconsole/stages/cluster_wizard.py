"""The cluster wizard's stages: read the chosen nodes (one round trip each), preflight checks that say what is
wrong and how to fix it, validation (Test-Cluster as a read: per-test results, warnings vs failures, the
report's path), create (name, static address in the nodes' subnet, storage or not), and the clean-up of what a
failed create leaves on the nodes (reference §7.2: retries fail until ``Clear-ClusterNode -Force``).
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import properties, type_name
from hvconsole.stages.firewall import HostFirewall, firewall_preflight, read_firewall, stage_needs
from hvconsole.stages.identity import identity_pipeline, parse_identity
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.cluster import ValidationReport, parse_validation
from hvconsole.windows.storage import BusType, Disk

CLUSTER_KEY = (
    "HKLM:\\Cluster"  # the cluster hive: a node not in an answering cluster that has it holds leftovers
)
CLOCK_TOLERANCE = 300  # seconds (Kerberos' default)


@dataclass
class NodeFacts:
    name: str
    domain: str | None = None
    dns_servers: tuple[str, ...] = ()
    networks: list[ipaddress.IPv4Interface] = field(default_factory=list)
    clock: datetime.datetime | None = None
    clustering: bool = False  # Failover-Clustering installed
    msiscsi: tuple[str, str] = ("", "")  # (Status, StartType)
    disks: list[Disk] = field(default_factory=list)
    hive: str | None = None  # ClusterName in HKLM\Cluster
    member_of: str | None = None  # the cluster that answers on this node


@dataclass
class WizardState:
    nodes: dict[str, NodeFacts] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    firewall: dict[str, HostFirewall] = field(default_factory=dict)

    @property
    def leftovers(self) -> dict[str, str]:
        """node -> cluster name a failed create (or an eviction) left on it."""
        return {n: f.hive for n, f in self.nodes.items() if f.hive and not f.member_of}

    @property
    def members(self) -> dict[str, str]:
        return {n: f.member_of for n, f in self.nodes.items() if f.member_of}


def node_pipeline() -> Pipeline:
    return (
        identity_pipeline()
        .then(Command("Get-WindowsFeature", Name=["Failover-Clustering"]))
        .then(Command("Get-Service", Name=["MSiSCSI"]))
        .then(Command("Get-Disk"))
        .then(
            Command("Get-ItemProperty", Path=CLUSTER_KEY, Name="ClusterName", ErrorAction="SilentlyContinue")
        )
    )


def parse_node(name: str, objects: list[Any]) -> NodeFacts:
    identity = parse_identity(objects)
    facts = NodeFacts(name, domain=identity.system.domain if identity.system.part_of_domain else None)
    facts.dns_servers, facts.clock = identity.dns_servers, identity.clock
    for obj in objects:
        if not hasattr(obj, "types"):
            continue
        kind, p = (type_name(obj) or "").lower(), properties(obj)
        if kind.endswith("msft_netipaddress") and p.get("IPAddress") and p.get("PrefixLength"):
            address = str(p["IPAddress"])
            if not address.startswith(("127.", "169.254.")):
                facts.networks.append(ipaddress.IPv4Interface(f"{address}/{int(p['PrefixLength'])}"))
        elif kind.endswith("servermanager.commands.feature"):
            facts.clustering = bool(p.get("Installed"))
        elif kind.endswith("servicecontroller"):
            facts.msiscsi = (str(p.get("Status")), str(p.get("StartType")))
        elif kind.endswith("msft_disk"):
            facts.disks.append(Disk.from_properties(p))
        elif p.get("PSChildName") == "Cluster" and p.get("ClusterName"):
            facts.hive = str(p["ClusterName"])
    return facts


def read_wizard(workspace: Workspace, nodes: list[str], storage: str | None = None) -> WizardState:
    """Every chosen node in parallel (one round trip each), their firewalls, and whether a cluster answers on a
    node that carries cluster configuration (blocking)."""
    state = WizardState()
    for outcome in workspace.sessions.gather(node_pipeline(), nodes, raise_on_failure=False):
        if outcome.error is not None or outcome.result is None:
            state.problems[outcome.host] = str(outcome.error)
            continue
        try:
            state.nodes[outcome.host] = parse_node(outcome.host, outcome.result.objects)
        except ValueError as error:
            state.problems[outcome.host] = str(error)
    for facts in state.nodes.values():
        if facts.hive:
            result = workspace.sessions[facts.name].invoke(
                Pipeline.of(Command("Get-Cluster") | Command("Select-Object", Property=["Name"])),
                raise_on_failure=False,
            )
            facts.member_of = next((str(r["Name"]) for r in result.dicts() if isinstance(r, dict)), None)
    state.nodes = {n: state.nodes[n] for n in nodes if n in state.nodes}
    firewalls = read_firewall(workspace, list(state.nodes))
    state.firewall = {h: f for h, f in firewalls.items() if isinstance(f, HostFirewall)}
    return state


# ----- preflight ------------------------------------------------------------------------------------------------
def _shared_keys(facts: NodeFacts) -> set[str]:
    return {
        d.shared_key for d in facts.disks if d.bus_type is BusType.iSCSI and d.shared_key and not d.is_boot
    }


def preflight(state: WizardState, storage: str | None = None) -> list[Finding]:
    """What stands between these nodes and a cluster, each with its fix."""
    found = [
        Finding(Severity.BLOCKER, f"could not be read: {why}", host, "check the connection (dashboard)")
        for host, why in state.problems.items()
    ]
    nodes = list(state.nodes.values())
    if not nodes:
        return found
    domains = {f.domain for f in nodes}
    for f in nodes:
        if f.domain is None:
            found.append(
                Finding(Severity.BLOCKER, "is not in a domain", f.name, "join the domain (Identity, 3)")
            )
    if len(domains - {None}) > 1:
        found.append(
            Finding(Severity.BLOCKER, "the nodes are in different domains", None, "join them to one domain")
        )
    elif None not in domains:
        found.append(Finding(Severity.OK, f"every node is in {nodes[0].domain}"))
    for f in nodes:
        if f.clustering:
            found.append(Finding(Severity.OK, "Failover Clustering is installed", f.name))
        else:
            found.append(
                Finding(
                    Severity.BLOCKER,
                    "Failover Clustering is not installed",
                    f.name,
                    "install it (Roles & features, 4)",
                )
            )
        status, start = f.msiscsi
        if (status, start) != ("Running", "Automatic"):
            found.append(
                Finding(
                    Severity.WARNING,
                    f"MSiSCSI is {status or 'missing'}/{start or '?'}: shared disks vanish after a restart",
                    f.name,
                    "set the iSCSI initiator service to start automatically (iSCSI initiator, 6)",
                )
            )
        if f.hive and not f.member_of:
            found.append(
                Finding(
                    Severity.BLOCKER,
                    f"carries configuration of cluster {f.hive} from a failed create: a new create fails",
                    f.name,
                    "clean it with Clear-ClusterNode -Force (the wizard's clean-up plan)",
                )
            )
        elif f.member_of:
            found.append(
                Finding(Severity.BLOCKER, f"is already a node of {f.member_of}", f.name, "pick another node")
            )
    found += _disk_checks(nodes)
    found += _dns_and_time(nodes)
    needs = [n for n in stage_needs(storage or "", [f.name for f in nodes]) if n.stage == "Cluster"]
    for finding in firewall_preflight(state.firewall, needs):
        if finding.severity is Severity.BLOCKER and "Event Log" in finding.text:  # validation still runs
            finding = Finding(Severity.WARNING, finding.text, finding.host, finding.fix)
        found.append(finding)
    return found


def _disk_checks(nodes: list[NodeFacts]) -> list[Finding]:
    keys = [_shared_keys(f) for f in nodes]
    everywhere = set.intersection(*keys) if keys else set()
    found = []
    for f, mine in zip(nodes, keys, strict=True):
        missing = set().union(*keys) - mine
        if missing:
            found.append(
                Finding(
                    Severity.BLOCKER,
                    f"does not see {len(missing)} shared disk(s) the other nodes see",
                    f.name,
                    "connect the iSCSI target on it (iSCSI initiator, 6)",
                )
            )
    if everywhere:
        found.append(Finding(Severity.OK, f"{len(everywhere)} shared disk(s) visible on every node"))
    else:
        found.append(
            Finding(
                Severity.WARNING,
                "no shared disk is visible on every node",
                None,
                "connect the iSCSI LUNs first",
            )
        )
    return found


def _dns_and_time(nodes: list[NodeFacts]) -> list[Finding]:
    found = []
    servers = {s for f in nodes for s in f.dns_servers}
    for f in nodes:
        if not f.dns_servers:
            found.append(
                Finding(
                    Severity.BLOCKER,
                    "has no DNS server",
                    f.name,
                    "point DNS at the domain controller (Network, 1)",
                )
            )
        elif len(servers) > 1 and set(f.dns_servers) != set(nodes[0].dns_servers):
            found.append(
                Finding(
                    Severity.WARNING,
                    "uses other DNS servers than the first node",
                    f.name,
                    "use the domain's DNS servers",
                )
            )
    clocks = [f.clock for f in nodes if f.clock is not None]
    if clocks:
        skew = (max(clocks) - min(clocks)).total_seconds()
        if skew > CLOCK_TOLERANCE:
            found.append(
                Finding(
                    Severity.BLOCKER,
                    f"the nodes' clocks differ by {skew / 60:.0f} minutes (Kerberos allows 5)",
                    None,
                    "set the date and time (Host settings, s)",
                )
            )
        else:
            found.append(Finding(Severity.OK, "the nodes' clocks agree"))
    return found


# ----- validation -----------------------------------------------------------------------------------------------
def validation_pipeline(nodes: list[str]) -> Pipeline:
    return Pipeline.of(Command("Test-Cluster", List=True), Command("Test-Cluster", Node=list(nodes)))


def run_validation(workspace: Workspace, runner: str, nodes: list[str]) -> ValidationReport:
    """Test-Cluster as a read (it changes nothing but writes its report); raises on a hard error."""
    result = workspace.sessions[runner].invoke(
        validation_pipeline(nodes), raise_on_failure=False, timeout=900
    )
    if result.had_errors and result.terminating_error is not None:
        raise RuntimeError(result.terminating_error.message)
    listed = [r for r in result.dicts() if isinstance(r, dict) and "DisplayName" in r]
    report = next((str(r["FullName"]) for r in result.dicts() if isinstance(r, dict) and "FullName" in r), "")
    return parse_validation(listed, result.warnings, report)


# ----- create and clean-up ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateRequest:
    name: str
    address: str
    nodes: tuple[str, ...]
    add_storage: bool = True


def create_problems(request: CreateRequest, state: WizardState) -> dict[str, str]:
    """field id -> message; empty when the request can be sent."""
    found: dict[str, str] = {}
    name = request.name
    if (
        not name
        or len(name) > 15
        or name.isdigit()
        or not all(c.isascii() and (c.isalnum() or c == "-") for c in name)
    ):
        found["cw-name"] = (
            "A cluster name: 1–15 letters, digits or hyphens, not only digits (it becomes a computer name)."
        )
    elif name.upper() in {n.upper() for n in state.nodes}:
        found["cw-name"] = "The cluster name must differ from every node's name."
    if not request.nodes:
        found["cw-nodes"] = "Pick at least one node."
    try:
        address = ipaddress.IPv4Address(request.address)
    except ValueError:
        found["cw-address"] = "Type an IPv4 address such as 10.20.0.50."
        return found
    nets = [{i.network for i in state.nodes[n].networks} for n in request.nodes if n in state.nodes]
    common = set.intersection(*nets) if nets else set()
    inside = [n for n in common if address in n]
    taken = {i.ip for n in state.nodes.values() for i in n.networks}
    if not inside:
        shown = ", ".join(str(n) for n in sorted(common, key=str)) or "none"
        found["cw-address"] = f"{address} is not in a subnet every node has (shared subnets: {shown})."
    elif address == inside[0].network_address or address == inside[0].broadcast_address:
        found["cw-address"] = f"{address} is the subnet's network or broadcast address."
    elif address in taken:
        found["cw-address"] = f"{address} is already a node's address."
    return found


def plan_create(state: WizardState, request: CreateRequest) -> Plan:
    leftovers = state.leftovers
    findings = [
        Finding(
            Severity.BLOCKER,
            f"still carries cluster {c} from a failed create",
            n,
            "apply the clean-up plan first",
        )
        for n, c in leftovers.items()
    ]
    command = Command(
        "New-Cluster", Name=request.name, Node=list(request.nodes), StaticAddress=[request.address]
    )
    if not request.add_storage:
        command = command.switch("NoStorage")
    verify = Verification(
        Pipeline.of(Command("Get-Cluster", Name=request.name) | Command("Select-Object", Property=["Name"])),
        lambda result: result.ok and bool(result.objects),
    )
    step = Step(
        request.nodes[0],
        f"Create cluster {request.name} ({request.address}) of {', '.join(request.nodes)}",
        Pipeline.of(command),
        takes_long=True,
        verify=verify,
        timeout=900,
    )
    return Plan.of(f"Create cluster {request.name}", [step], findings)


def plan_cleanup(state: WizardState) -> Plan:
    """Clear-ClusterNode -Force on every node a failed create left configuration on (reference §7.2)."""
    steps = [
        Step(
            node,
            f"Clean what cluster {cluster} left on {node}",
            Pipeline.of(Command("Clear-ClusterNode", Name=[node]).switch("Force")),
            destructive=True,
        )
        for node, cluster in state.leftovers.items()
    ]
    return Plan.of("Clean up after a failed create", steps)
