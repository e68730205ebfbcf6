"""iSCSI initiator stage (reference §5), the iscsicpl replacement, for one or several hosts at once.

Connecting every cluster node is one plan, a phase per concern across all selected hosts: the target
server's TCP 3260 rule (without it discovery fails with 0xefff0003 "Connection Failed."), the MSiSCSI
service (stopped: every iSCSI cmdlet fails with 0xefff003e; start it and set it Automatic so persistent
logins come back after a restart), the target portal (adding it runs discovery), then the logins
(persistent by default; a second Connect would fail with 0xefff003f, so connected targets are skipped).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties, type_name
from hvconsole.stages.iscsi_target import SHORT_NAME_HELP, FieldProblem, TargetServer, firewall_step
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.iscsi import (
    InitiatorPort,
    IscsiSession,
    IscsiTarget,
    IscsiTargetPortal,
    kind_of,
)

SERVICE_STOPPED = "0xefff003e"
SERVICE_HELP = (
    "MSiSCSI (Microsoft iSCSI Initiator Service) is stopped: every iSCSI command fails with HRESULT "
    "0xefff003e until it runs. The plan starts it and sets it to Automatic so logins survive a restart."
)
DNS_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?")


@dataclass
class Initiator:
    host: str
    service_status: str = "Unknown"
    start_type: str = "Unknown"
    iqn: str = ""
    portals: list[IscsiTargetPortal] = field(default_factory=list)
    targets: list[IscsiTarget] = field(default_factory=list)
    sessions: list[IscsiSession] = field(default_factory=list)
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.service_status == "Running"

    def portal(self, address: str) -> IscsiTargetPortal | None:
        return next((p for p in self.portals if p.address.lower() == address.lower()), None)

    def session(self, iqn: str) -> IscsiSession | None:
        return next((s for s in self.sessions if s.target_node_address.lower() == iqn.lower()), None)

    def discovered(self, iqn: str) -> bool:
        return any(t.node_address.lower() == iqn.lower() for t in self.targets)


def read_pipeline() -> Pipeline:
    return Pipeline.of(
        Command("Get-Service", Name=["MSiSCSI"]),
        Command("Get-InitiatorPort"),
        Command("Get-IscsiTargetPortal"),
        Command("Get-IscsiTarget"),
        Command("Get-IscsiSession"),
    )


def parse_initiator(host: str, result: PipelineResult) -> Initiator:
    state = Initiator(host)
    for obj in result.objects:
        if not hasattr(obj, "types"):
            continue
        kind, p = kind_of(type_name(obj) or ""), properties(obj)
        if kind == "servicecontroller":
            state.service_status = str(p.get("Status") or "Unknown")
            state.start_type = str(p.get("StartType") or "Unknown")
        elif kind == "msft_initiatorport":
            state.iqn = InitiatorPort.from_properties(p).node_address
        elif kind == "msft_iscsitargetportal":
            state.portals.append(IscsiTargetPortal.from_properties(p))
        elif kind == "msft_iscsitarget":
            state.targets.append(IscsiTarget.from_properties(p))
        elif kind == "msft_iscsisession":
            state.sessions.append(IscsiSession.from_properties(p))
    if result.had_errors:
        state.error = str(result.terminating_error)
    return state


def read_initiators(workspace: Workspace, hosts: list[str]) -> dict[str, Initiator]:
    """Every host's initiator in one round trip each, hosts in parallel."""
    out: dict[str, Initiator] = {}
    for outcome in workspace.sessions.gather(read_pipeline(), hosts, raise_on_failure=False):
        if outcome.result is None:
            out[outcome.host] = Initiator(outcome.host, error=str(outcome.error))
        else:
            out[outcome.host] = parse_initiator(outcome.host, outcome.result)
    return out


def check_portal(text: str) -> str:
    value = text.strip()
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        pass
    if value and len(value) <= 253 and all(DNS_LABEL.fullmatch(part) for part in value.split(".")):
        return value
    raise FieldProblem(
        "portal", "the target server's IPv4 address or DNS name, like 10.30.0.10 or stor1.corp.example"
    )


def check_targets(text: str) -> tuple[str, ...]:
    found = tuple(t for t in re.split(r"[,\s]+", text.strip()) if t)
    for iqn in found:
        if not re.fullmatch(r"iqn\.\d{4}-\d{2}\.[a-z0-9.\-]+(:[a-z0-9.\-:]+)?", iqn):
            raise FieldProblem(
                "targets", f"{iqn!r} is not a target IQN (iqn.1991-05.com.microsoft:stor1-cluster-target)"
            )
    if not found:
        raise FieldProblem("targets", "name at least one target (the target server's targets are listed)")
    return found


@dataclass(frozen=True)
class DesiredLogins:
    hosts: tuple[str, ...]
    portal: str
    targets: tuple[str, ...]
    persistent: bool = True
    multipath: bool = False


def _service_query() -> Pipeline:
    return Pipeline.of(Command("Get-Service", Name=["MSiSCSI"]))


def _service_is(prop: str, value: str) -> Verification:
    def holds(result: PipelineResult) -> bool:
        return any(str(properties(o).get(prop)) == value for o in result.objects if hasattr(o, "types"))

    return Verification(_service_query(), holds)


def _connected(iqn: str) -> Verification:
    def holds(result: PipelineResult) -> bool:
        return any(properties(o).get("IsConnected") is True for o in result.objects if hasattr(o, "types"))

    return Verification(
        Pipeline.of(Command("Get-IscsiTarget", NodeAddress=[iqn], ErrorAction="SilentlyContinue")), holds
    )


def plan_logins(
    desired: DesiredLogins, initiators: dict[str, Initiator], server: TargetServer | None
) -> Plan:
    """One plan for every selected host: firewall on the target server, service, portal, logins."""
    findings: list[Finding] = []
    firewall, service, portals, logins = [], [], [], []
    if server is not None and not server.firewall_open:
        firewall.append(
            firewall_step(
                server,
                "Open TCP 3260 on the target server (discovery fails without it: 0xefff0003 Connection Failed)",
            )
        )
    for host in desired.hosts:
        state = initiators.get(host)
        if state is None or (
            state.error and SERVICE_STOPPED not in state.error and state.service_status == "Unknown"
        ):
            findings.append(
                Finding(Severity.BLOCKER, f"could not read {host}: {state.error if state else '?'}", host)
            )
            continue
        if not state.running:
            findings.append(Finding(Severity.OK, SERVICE_HELP, host))
            service.append(
                Step(
                    host,
                    "Start the Microsoft iSCSI Initiator Service",
                    Pipeline.of(Command("Start-Service", Name=["MSiSCSI"])),
                    verify=_service_is("Status", "Running"),
                )
            )
        if state.start_type != "Automatic":
            service.append(
                Step(
                    host,
                    "Set MSiSCSI to start automatically",
                    Pipeline.of(Command("Set-Service", Name="MSiSCSI", StartupType="Automatic")),
                    verify=_service_is("StartType", "Automatic"),
                )
            )
        to_connect = [t for t in desired.targets if state.session(t) is None]
        if state.portal(desired.portal) is None:
            portals.append(
                Step(
                    host,
                    f"Add target portal {desired.portal} (runs discovery)",
                    Pipeline.of(Command("New-IscsiTargetPortal", TargetPortalAddress=desired.portal)),
                    verify=Verification(
                        Pipeline.of(
                            Command(
                                "Get-IscsiTargetPortal",
                                TargetPortalAddress=[desired.portal],
                                ErrorAction="SilentlyContinue",
                            )
                        ),
                        lambda r: bool(r.objects),
                    ),
                )
            )
        elif any(not state.discovered(t) for t in to_connect):
            portals.append(
                Step(host, "Refresh the discovered targets", Pipeline.of(Command("Update-IscsiTarget")))
            )
        for iqn in desired.targets:
            _check_access(iqn, state, server, findings)
            current = state.session(iqn)
            if current is None:
                command = Command(
                    "Connect-IscsiTarget",
                    NodeAddress=iqn,
                    TargetPortalAddress=desired.portal,
                    IsPersistent=desired.persistent,
                )
                if desired.multipath:
                    command = command.param("IsMultipathEnabled", True)
                logins.append(
                    Step(
                        host,
                        f"Connect to {iqn}" + (" (persistent)" if desired.persistent else ""),
                        Pipeline.of(command),
                        verify=_connected(iqn),
                    )
                )
            elif desired.persistent and not current.is_persistent:
                logins.append(
                    Step(
                        host,
                        f"Make the login to {iqn} persistent",
                        Pipeline.of(
                            Command("Register-IscsiSession", SessionIdentifier=[current.session_identifier])
                        ),
                    )
                )
    phases = tuple(tuple(p) for p in (firewall, service, portals, logins) if p)
    return Plan(
        f"Connect {', '.join(desired.hosts)} to {len(desired.targets)} iSCSI target(s)",
        phases,
        tuple(findings),
    )


def _check_access(iqn: str, state: Initiator, server: TargetServer | None, findings: list[Finding]) -> None:
    target = (
        next((t for t in server.targets if t.target_iqn.lower() == iqn.lower()), None) if server else None
    )
    if target is None or not state.iqn:
        return
    fqdn = state.iqn.split(":", 1)[1] if ":" in state.iqn else ""
    if target.allows(state.iqn, fqdn):
        return
    why = (
        f" It lists {', '.join(target.short_dns_names)}. {SHORT_NAME_HELP}" if target.short_dns_names else ""
    )
    findings.append(
        Finding(
            Severity.BLOCKER,
            f"target {target.target_name} does not allow {state.host} ({state.iqn}): the login "
            f"would fail with 0xefff0029 'The target name is not found or is marked as hidden from "
            f"login.'{why}",
            state.host,
            f"allow IQN:{state.iqn} on the iSCSI target screen",
        )
    )


def plan_disconnect(hosts: list[str], iqn: str, initiators: dict[str, Initiator]) -> Plan:
    """Log out (and forget the persistent login, or it comes back at the next restart)."""
    steps = []
    for host in hosts:
        state = initiators.get(host)
        current = state.session(iqn) if state else None
        if current is None:
            continue
        statements = [Command("Disconnect-IscsiTarget", NodeAddress=[iqn], Confirm=False)]
        if current.is_persistent:
            statements.insert(
                0, Command("Unregister-IscsiSession", SessionIdentifier=[current.session_identifier])
            )
        steps.append(Step(host, f"Disconnect {iqn}", Pipeline(statements), destructive=True))
    return Plan.of(f"Disconnect {iqn}", steps)


def plan_remove_portal(hosts: list[str], address: str, initiators: dict[str, Initiator]) -> Plan:
    steps = [
        Step(
            h,
            f"Remove target portal {address}",
            Pipeline.of(Command("Remove-IscsiTargetPortal", TargetPortalAddress=[address], Confirm=False)),
        )
        for h in hosts
        if initiators.get(h) and initiators[h].portal(address) is not None
    ]
    return Plan.of(f"Remove portal {address}", steps)
