"""Network stage: read adapters and IPv4 settings (one round trip per host), validate a desired adapter
configuration, plan the changes (NetworkingDsc order, reference §1.3–§1.7), and follow a session whose
address changes: warn in the plan, apply, reconnect at the new address and update the inventory.

The session address after a change: a real host whose inventory address is the old IP moves to the new IP;
an embedded-lab host (``HostEntry.lab``) whose endpoint mirrors the old IP (10.b.c.d → 127.b.c.d) moves to
the new IP's mirror. Going back to DHCP on that adapter cannot be followed (the new address is unknown
until the lease comes): the plan says so.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from hvconsole.inventory import HostEntry
from hvconsole.remoting.command import Command, Pipeline, Statement
from hvconsole.remoting.result import PipelineResult, properties, type_name
from hvconsole.stages.apply import ApplyReport, StepOutcome
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.network import AdapterConfig, HostNetwork, parse_host_network


class InputProblem(ValueError):
    """Bad input for one form field (``field`` is the DesiredAdapter attribute name)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def read_pipeline() -> Pipeline:
    return Pipeline.of(
        Command("Get-NetAdapter"),
        Command("Get-NetIPAddress", AddressFamily="IPv4"),
        Command("Get-NetRoute", DestinationPrefix="0.0.0.0/0", ErrorAction="SilentlyContinue"),
        Command("Get-DnsClientServerAddress", AddressFamily="IPv4"),
        Command("Get-NetIPInterface", AddressFamily="IPv4"),
    )


def parse_result(result: PipelineResult) -> HostNetwork:
    return parse_host_network(
        (type_name(o) or "", properties(o)) for o in result.objects if hasattr(o, "types")
    )


def read_network(workspace: Workspace, hosts: list[str]) -> dict[str, HostNetwork | str]:
    """Each host's network (or the error text), hosts in parallel, one round trip each."""
    out: dict[str, HostNetwork | str] = {}
    for outcome in workspace.sessions.gather(read_pipeline(), hosts, raise_on_failure=False):
        if outcome.error is not None or outcome.result is None:
            out[outcome.host] = str(outcome.error)
        else:
            out[outcome.host] = parse_result(outcome.result)
    return out


def _ipv4(text: str, what: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text.strip()))
    except ValueError:
        raise ValueError(f"{text!r} is not an IPv4 address (like 10.20.0.10)") from None


class DesiredAdapter(BaseModel):
    host: str
    adapter: str
    mode: Literal["static", "dhcp"] = "static"
    address: str = ""
    prefix_length: int = 24
    gateway: str = ""
    dns_servers: list[str] = []
    new_name: str = ""

    @field_validator("address", "gateway")
    @classmethod
    def _address(cls, value: str) -> str:
        return _ipv4(value, "address") if value.strip() else ""

    @field_validator("dns_servers")
    @classmethod
    def _dns(cls, value: list[str]) -> list[str]:
        return [_ipv4(v, "DNS server") for v in value if v.strip()]

    @field_validator("prefix_length")
    @classmethod
    def _prefix(cls, value: int) -> int:
        if not 1 <= value <= 32:
            raise ValueError("the prefix length is 1 to 32 (24 = 255.255.255.0)")
        return value

    @field_validator("new_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value and (len(value) > 64 or any(ord(c) < 32 for c in value)):
            raise ValueError("an adapter name is 1 to 64 printable characters")
        return value

    @model_validator(mode="after")
    def _static_is_complete(self) -> DesiredAdapter:
        if self.mode == "static":
            if not self.address:
                raise InputProblem("address", "a static configuration needs an address")
            interface = ipaddress.IPv4Interface(f"{self.address}/{self.prefix_length}")
            if self.prefix_length < 31 and interface.ip in (
                interface.network.network_address,
                interface.network.broadcast_address,
            ):
                raise InputProblem("address", f"{self.address} is the subnet's network or broadcast address")
            if self.gateway and ipaddress.IPv4Address(self.gateway) not in interface.network:
                raise InputProblem("gateway", f"the gateway {self.gateway} is outside {interface.network}")
            if self.gateway == self.address:
                raise InputProblem("gateway", "the gateway cannot be the host's own address")
        return self


def validate(raw: dict[str, object], state: dict[str, HostNetwork | str]) -> DesiredAdapter:
    """Build the desired configuration, or raise InputProblem naming the field that is wrong."""
    try:
        desired = DesiredAdapter.model_validate(raw)
    except ValidationError as error:
        problem = error.errors()[0]
        if isinstance(problem.get("ctx", {}).get("error"), InputProblem):
            raise problem["ctx"]["error"] from None
        loc = str(problem["loc"][0]) if problem["loc"] else "address"
        raise InputProblem(loc, problem["msg"].removeprefix("Value error, ")) from None
    except InputProblem:
        raise
    if desired.mode == "static":
        for other, network in state.items():
            if isinstance(network, str):
                continue
            for config in network.adapters:
                mine = other == desired.host and config.name.lower() == desired.adapter.lower()
                if not mine and desired.address in [a.address for a in config.addresses]:
                    raise InputProblem(
                        "address", f"{desired.address} is already used by {other} ({config.name})"
                    )
    return desired


def dns_probe(workspace: Workspace, host: str, servers: list[str]) -> list[str]:
    """The DNS servers that do not answer a ping from ``host`` (Test-Connection on the host)."""
    silent = []
    for server in servers:
        pipeline = Pipeline.of(Command("Test-Connection", ComputerName=server, Count=1, Quiet=True))
        result = workspace.sessions[host].invoke(pipeline, raise_on_failure=False)
        if result.objects != [True]:
            silent.append(server)
    return silent


@dataclass
class NetworkPlan:
    plan: Plan
    moves: dict[str, str] = field(default_factory=dict)  # host → session address after the plan


def session_address_after(entry: HostEntry, old_ips: list[str], new_ip: str) -> str | None:
    for old in old_ips:
        if entry.lab and entry.address == "127." + old.split(".", 1)[1]:
            return "127." + new_ip.split(".", 1)[1]
        if not entry.lab and entry.address == old:
            return new_ip
    return None


def _addresses_hold(alias: str, address: str, prefix: int) -> Verification:
    def holds(result: PipelineResult) -> bool:
        found = [properties(o) for o in result.objects if hasattr(o, "types")]
        return any(p.get("IPAddress") == address and int(p.get("PrefixLength") or 0) == prefix for p in found)

    return Verification(
        Pipeline.of(Command("Get-NetIPAddress", InterfaceAlias=alias, AddressFamily="IPv4")), holds
    )


def plan_adapter(desired: DesiredAdapter, current: AdapterConfig, entry: HostEntry) -> NetworkPlan:
    host, alias = desired.host, current.name
    steps: list[Step] = []
    findings: list[Finding] = []
    moves: dict[str, str] = {}
    if desired.new_name and desired.new_name != alias:
        steps.append(
            Step(
                host,
                f"Rename adapter {alias!r} to {desired.new_name!r}",
                Pipeline.of(Command("Rename-NetAdapter", Name=alias, NewName=desired.new_name)),
            )
        )
        alias = desired.new_name
    old_ips = [a.address for a in current.addresses]
    statements: list[Statement | Command] = []
    if desired.mode == "static":
        if list(current.dns_servers) != desired.dns_servers and desired.dns_servers:
            steps.append(
                Step(
                    host,
                    f"Set DNS servers of {alias} to {', '.join(desired.dns_servers)}",
                    Pipeline.of(
                        Command(
                            "Set-DnsClientServerAddress",
                            InterfaceAlias=alias,
                            ServerAddresses=desired.dns_servers,
                        )
                    ),
                )
            )
        same = [a for a in current.addresses if a.address == desired.address and a.static]
        gateway_ok = (current.gateway or "") == desired.gateway
        if not (
            same
            and same[0].prefix_length == desired.prefix_length
            and not current.dhcp
            and gateway_ok
            and len(current.addresses) == 1
        ):
            if current.gateway and not gateway_ok:
                statements.append(
                    Command(
                        "Remove-NetRoute", InterfaceAlias=alias, DestinationPrefix="0.0.0.0/0", Confirm=False
                    )
                )
            if current.dhcp and desired.address in old_ips:
                statements.append(Command("Set-NetIPInterface", InterfaceAlias=alias, Dhcp="Disabled"))
            new = Command(
                "New-NetIPAddress",
                InterfaceAlias=alias,
                IPAddress=desired.address,
                PrefixLength=desired.prefix_length,
            )
            if desired.gateway and not gateway_ok:
                new = new.param("DefaultGateway", desired.gateway)
            if not same or same[0].prefix_length != desired.prefix_length:
                if same:
                    statements.append(
                        Command(
                            "Remove-NetIPAddress",
                            InterfaceAlias=alias,
                            IPAddress=desired.address,
                            Confirm=False,
                        )
                    )
                statements.append(new)
            elif desired.gateway and not gateway_ok:
                statements.append(
                    Command(
                        "New-NetRoute",
                        InterfaceAlias=alias,
                        DestinationPrefix="0.0.0.0/0",
                        NextHop=desired.gateway,
                    )
                )
            for old in current.addresses:
                if old.static and old.address != desired.address:
                    statements.append(
                        Command(
                            "Remove-NetIPAddress", InterfaceAlias=alias, IPAddress=old.address, Confirm=False
                        )
                    )
            moved = (
                session_address_after(entry, old_ips, desired.address)
                if desired.address not in old_ips
                else None
            )
            title = f"Set {alias} to static {desired.address}/{desired.prefix_length}" + (
                f" via {desired.gateway}" if desired.gateway else ""
            )
            steps.append(
                Step(
                    host,
                    title,
                    Pipeline(statements),
                    verify=None if moved else _addresses_hold(alias, desired.address, desired.prefix_length),
                )
            )
            if moved:
                moves[host] = moved
                findings.append(
                    Finding(
                        Severity.WARNING,
                        f"hvconsole talks to {host} over {entry.address}; the session drops when "
                        f"the address changes, then reconnects at {moved} and updates the inventory",
                        host=host,
                    )
                )
    elif not current.dhcp:
        if current.gateway:
            statements.append(
                Command("Remove-NetRoute", InterfaceAlias=alias, DestinationPrefix="0.0.0.0/0", Confirm=False)
            )
        for old in current.addresses:
            statements.append(
                Command("Remove-NetIPAddress", InterfaceAlias=alias, IPAddress=old.address, Confirm=False)
            )
        statements.append(Command("Set-NetIPInterface", InterfaceAlias=alias, Dhcp="Enabled"))
        statements.append(
            Command("Set-DnsClientServerAddress", InterfaceAlias=alias, ResetServerAddresses=True)
        )
        steps.append(Step(host, f"Set {alias} to DHCP", Pipeline(statements)))
        if any(session_address_after(entry, [ip], ip) for ip in old_ips):
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"hvconsole talks to {host} over this adapter: with DHCP its address becomes "
                    "unknown and the session is lost; update the inventory afterwards",
                    host=host,
                )
            )
    return NetworkPlan(Plan.of(f"Network of {host}", steps, findings), moves)


def reconnect_moved(
    workspace: Workspace, moves: dict[str, str], report: ApplyReport | None, timeout: float = 30.0
) -> dict[str, str | None]:
    """After apply: for each host whose address step applied, move the session and wait until it answers."""
    outcome: dict[str, str | None] = {}
    applied_hosts = set()
    if report is not None:
        failed = {StepOutcome.FAILED, StepOutcome.SKIPPED, StepOutcome.PENDING}
        applied_hosts = {h for h in moves if not any(o in failed for o in report.outcomes.values())}
    for host in applied_hosts:
        workspace.move_host(host, moves[host])
        deadline = time.monotonic() + timeout
        error: str | None = "did not answer at the new address"
        while time.monotonic() < deadline:
            result = (
                workspace.sessions[host].invoke(
                    Pipeline.of(Command("Get-NetAdapter")), raise_on_failure=False
                )
                if _safe(workspace, host)
                else None
            )
            if result is not None and result.ok:
                error = None
                break
            time.sleep(0.5)
        outcome[host] = error
    return outcome


def _safe(workspace: Workspace, host: str) -> bool:
    try:
        workspace.sessions[host].connect().result(timeout=15)
    except Exception:
        return False
    return True
