"""Identity & domain: read each host's name, pending name, membership, DNS and clock in one round trip; plan
renames, joins, workgroup moves and a new forest with the restarts that finish them (reference §2.1–§2.5).

Phases (each waits for the one before, hosts run in parallel inside one):
  1. renames that are not part of a join (Rename-Computer), then a restart;
  2. the new forest: install AD DS with its tools, Install-ADDSForest (it restarts the host by itself);
  3. members: point DNS at the domain controller, Add-Computer (with -NewName when renaming too), restart.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hvconsole.remoting.command import SWITCH, Command, Pipeline, PSCredentialValue, Secret
from hvconsole.remoting.result import PipelineResult, properties, type_name
from hvconsole.stages.identity_checks import preflight
from hvconsole.stages.plan import Plan, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.identity import NAME_KEY, NETLOGON_KEY, ComputerIdentity, registry_value
from hvconsole.windows.system import ComputerSystem
from hvconsole.windows.values import to_datetime

_SYSTEM = ["Name", "DNSHostName", "Domain", "PartOfDomain", "Workgroup", "DomainRole"]
QUIET = "SilentlyContinue"


def identity_pipeline() -> Pipeline:
    """One round trip: Win32_ComputerSystem, the pending name and join, DNS servers, IPv4 addresses, clock."""
    return Pipeline.of(
        Command("Get-CimInstance", ClassName="Win32_ComputerSystem", Property=_SYSTEM),
        Command("Get-ItemProperty", Path=NAME_KEY, Name="ComputerName", ErrorAction=QUIET),
        Command("Get-ItemProperty", Path=NETLOGON_KEY, Name="JoinDomain", ErrorAction=QUIET),
        Command("Get-DnsClientServerAddress", AddressFamily="IPv4"),
        Command("Get-NetIPAddress", AddressFamily="IPv4"),
        Command("Get-Date"),
    )


def parse_identity(objects: Iterable[Any]) -> ComputerIdentity:
    system: ComputerSystem | None = None
    pending: str | None = None
    join: str | None = None
    dns: list[str] = []
    adapters: dict[str, list[str]] = {}
    clock: datetime.datetime | None = None
    for obj in objects:
        if isinstance(obj, datetime.datetime | str):  # Get-Date: a DateTime arrives as an ISO string
            clock = to_datetime(obj) or clock
            continue
        if not hasattr(obj, "types"):
            continue
        kind = (type_name(obj) or "").lower()
        p = properties(obj)
        if kind.endswith("win32_computersystem"):
            system = ComputerSystem.from_properties(p)
        elif p.get("PSChildName") == "ComputerName":
            pending = registry_value(p, "ComputerName")
        elif p.get("PSChildName") == "Netlogon":
            join = registry_value(p, "JoinDomain")
        elif kind.endswith("msft_dnsclientserveraddress"):
            dns += [str(s) for s in p.get("ServerAddresses") or [] if str(s) not in dns]
        elif kind.endswith("msft_netipaddress"):
            address = str(p.get("IPAddress") or "")
            if address and not address.startswith(("127.", "169.254.")):
                adapters.setdefault(str(p.get("InterfaceAlias") or ""), []).append(address)
    if system is None:
        raise ValueError("the host returned no Win32_ComputerSystem")
    return ComputerIdentity(
        system=system,
        pending_name=pending if pending and pending.lower() != system.name.lower() else None,
        join_pending=join,
        dns_servers=tuple(dns),
        addresses=tuple(a for addresses in adapters.values() for a in addresses),
        adapters=tuple((alias, tuple(addresses)) for alias, addresses in adapters.items()),
        clock=clock,
    )


@dataclass(frozen=True)
class IdentityState:
    hosts: dict[str, ComputerIdentity] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # host → why it could not be read


def read_identity(workspace: Workspace, hosts: list[str]) -> IdentityState:
    """Every host's identity, in parallel, one round trip each (blocking: call on a worker thread)."""
    found: dict[str, ComputerIdentity] = {}
    problems: dict[str, str] = {}
    for outcome in workspace.sessions.gather(identity_pipeline(), hosts, raise_on_failure=False):
        if outcome.error is not None or outcome.result is None:
            problems[outcome.host] = str(outcome.error)
            continue
        try:
            found[outcome.host] = parse_identity(outcome.result.objects)
        except ValueError as error:
            problems[outcome.host] = str(error)
    return IdentityState({h: found[h] for h in hosts if h in found}, problems)


# ----- what the admin asks for ------------------------------------------------------------------------------
@dataclass(frozen=True)
class HostChange:
    host: str
    new_name: str | None = None
    join: bool = False  # join the request's domain
    workgroup: str | None = None  # move to this workgroup instead


@dataclass(frozen=True)
class DomainJoin:
    domain: str
    credential: PSCredentialValue
    point_dns: bool = True  # set the members' DNS servers to the DC first


@dataclass(frozen=True)
class NewForest:
    host: str
    domain: str
    netbios: str
    safe_mode_password: Secret


@dataclass(frozen=True)
class IdentityRequest:
    changes: tuple[HostChange, ...] = ()
    join: DomainJoin | None = None
    forest: NewForest | None = None
    restart: bool = True


# ----- steps ------------------------------------------------------------------------------------------------
def _system_holds(check: Any) -> Verification:
    pipeline = Pipeline.of(Command("Get-CimInstance", ClassName="Win32_ComputerSystem", Property=_SYSTEM))

    def holds(result: PipelineResult) -> bool:
        systems = [ComputerSystem.from_properties(d) for d in result.dicts() if isinstance(d, dict)]
        return bool(systems) and bool(check(systems[0]))

    return Verification(pipeline, holds)


def restart_step(host: str, why: str) -> Step:
    return Step(
        host,
        f"Restart to finish {why}",
        Pipeline.of(Command("Restart-Computer").switch("Force")),
        restarts_host=True,
    )


def rename_step(host: str, new_name: str) -> Step:
    return Step(
        host, f"Rename the computer to {new_name}", Pipeline.of(Command("Rename-Computer", NewName=new_name))
    )


def forest_steps(forest: NewForest) -> list[Step]:
    install = Command("Install-WindowsFeature", Name=["AD-Domain-Services"]).switch("IncludeManagementTools")
    promote = Command(
        "Install-ADDSForest",
        DomainName=forest.domain,
        DomainNetbiosName=forest.netbios,
        SafeModeAdministratorPassword=forest.safe_mode_password,
        InstallDns=SWITCH,
        Force=SWITCH,
    )
    feature_check = Pipeline.of(Command("Get-WindowsFeature", Name=["AD-Domain-Services"]))
    return [
        Step(
            forest.host,
            "Install Active Directory Domain Services (with its tools)",
            Pipeline.of(install),
            takes_long=True,
            verify=Verification(feature_check, lambda r: any(d.get("Installed") for d in r.dicts())),
        ),
        Step(
            forest.host,
            f"Promote to the first domain controller of the new forest {forest.domain} (restarts)",
            Pipeline.of(promote),
            restarts_host=True,
            takes_long=True,
            timeout=900,
            verify=_system_holds(lambda s: s.domain_role >= 4 and s.domain.lower() == forest.domain.lower()),
        ),
    ]


def dns_step(host: str, alias: str, servers: list[str]) -> Step:
    command = Command("Set-DnsClientServerAddress", InterfaceAlias=alias, ServerAddresses=servers)
    return Step(
        host, f"Point DNS on {alias} at the domain controller ({', '.join(servers)})", Pipeline.of(command)
    )


def join_step(host: str, join: DomainJoin, new_name: str | None) -> Step:
    command = Command("Add-Computer", DomainName=join.domain, Credential=join.credential)
    if new_name:
        command = command.param("NewName", new_name)
    title = f"Join the domain {join.domain}" + (f" as {new_name}" if new_name else "")
    domain = join.domain.lower()
    return Step(
        host,
        title,
        Pipeline.of(command),
        verify=_system_holds(lambda s: s.part_of_domain and s.domain.lower() == domain),
    )


def workgroup_step(host: str, workgroup: str) -> Step:
    command = Command("Add-Computer", WorkgroupName=workgroup)
    return Step(host, f"Move to the workgroup {workgroup}", Pipeline.of(command))


def plan_identity(
    request: IdentityRequest, state: IdentityState, resolved: dict[str, bool] | None = None
) -> Plan:
    """Steps for what does not hold yet (a second plan after applying is empty) and the preflight findings.
    ``resolved``: host → whether the domain name resolved there (read by ``build_plan``)."""
    renames: list[Step] = []
    forest: list[Step] = []
    members: list[Step] = []
    unfinished: list[str] = []
    for change in request.changes:
        now = state.hosts.get(change.host)
        if now is None:
            continue
        wanted = change.new_name
        renamed = bool(wanted and now.pending_name and now.pending_name.lower() == wanted.lower())
        new_name = wanted if wanted and wanted.lower() != now.name.lower() and not renamed else None
        steps: list[Step] = []
        joining = change.join and request.join is not None
        if joining and request.join is not None and not _member_of(now, request.join.domain):
            steps += _join_steps(change.host, now, request, state, new_name)
        elif change.workgroup and (
            now.system.part_of_domain or now.system.domain.lower() != change.workgroup.lower()
        ):
            steps.append(workgroup_step(change.host, change.workgroup))
        if new_name and not any(s.pipeline.mentions("Add-Computer") for s in steps):
            steps.insert(0, rename_step(change.host, new_name))
        needs = bool(steps) or renamed or (joining and bool(now.join_pending))
        if needs and request.restart:
            steps.append(restart_step(change.host, "the name and membership change"))
        elif needs:
            unfinished.append(change.host)
        target = members if any(s.pipeline.mentions("Add-Computer") for s in steps) else renames
        target += steps
    if request.forest is not None:
        dc = state.hosts.get(request.forest.host)
        if dc is not None and not (dc.is_dc and dc.system.domain.lower() == request.forest.domain.lower()):
            forest = forest_steps(request.forest)
    phases = tuple(tuple(p) for p in (renames, forest, members) if p)
    findings = preflight(request, state, resolved or {}, unfinished)
    return Plan("Identity & domain", phases, tuple(findings))


def _member_of(now: ComputerIdentity, domain: str) -> bool:
    return now.system.part_of_domain and now.system.domain.lower() == domain.lower()


def dc_addresses(request: IdentityRequest, state: IdentityState) -> list[str]:
    """The domain controller's IPv4 addresses, from the host promoted in this plan or an existing DC."""
    if request.join is None:
        return []
    wanted = request.join.domain.lower()
    if request.forest is not None and request.forest.domain.lower() == wanted:
        dc = state.hosts.get(request.forest.host)
        return list(dc.addresses) if dc else []
    for identity in state.hosts.values():
        if identity.is_dc and identity.system.domain.lower() == wanted:
            return list(identity.addresses)
    return []


def _join_steps(
    host: str, now: ComputerIdentity, request: IdentityRequest, state: IdentityState, new_name: str | None
) -> list[Step]:
    assert request.join is not None
    steps: list[Step] = []
    servers = dc_addresses(request, state)
    if request.join.point_dns and servers and not set(servers) & set(now.dns_servers):
        for alias, addresses in now.adapters:
            if _same_subnet(addresses, servers):
                dc = [s for s in servers if _same_subnet((s,), addresses)][:1]
                steps.append(dns_step(host, alias, dc))
                break
    steps.append(join_step(host, request.join, new_name))
    return steps


def _same_subnet(mine: Iterable[str], theirs: Iterable[str]) -> bool:
    """Same /24 (# inferred: the lab's segments are /24; the adapter's prefix is not read here)."""
    prefixes = {a.rsplit(".", 1)[0] for a in mine}
    return any(t.rsplit(".", 1)[0] in prefixes for t in theirs)


def build_plan(workspace: Workspace, request: IdentityRequest) -> Plan:
    """Re-read the hosts, check that joining hosts resolve the domain, and plan (blocking: a worker)."""
    hosts = [c.host for c in request.changes] + ([request.forest.host] if request.forest else [])
    if request.join is not None:  # every host: the domain controller is found among them
        hosts += workspace.host_names()
    state = read_identity(workspace, list(dict.fromkeys(hosts)))
    resolved: dict[str, bool] = {}
    if request.join is not None:
        joiners = [c.host for c in request.changes if c.join and c.host in state.hosts]
        query = Pipeline.of(Command("Resolve-DnsName", Name=request.join.domain, ErrorAction=QUIET))
        for outcome in workspace.sessions.gather(query, joiners, raise_on_failure=False):
            resolved[outcome.host] = bool(outcome.result and outcome.result.objects)
    return plan_identity(request, state, resolved)
