"""DnsClient module: Get-DnsClientServerAddress (reference §1.6) and Set-DnsClientServerAddress (§1.7)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, has_wildcards, like
from hvconsole.lab.protocol import U16, U32, PSObj
from hvconsole.lab.world.model import Host, NetAdapter, World
from hvconsole.lab.world.network import owner_of, reachable

NAMESPACE = "ROOT/StandardCimv2"
FAMILIES = {"IPv4": 2, "IPv6": 23}


def dns_server_object(nic: NetAdapter, family: str) -> PSObj:
    servers = [s for s in nic.dns_servers if (":" in s) == (family == "IPv6")]
    return cim_object(
        NAMESPACE,
        "MSFT_DNSClientServerAddress",
        {
            "InterfaceAlias": nic.name,
            "InterfaceIndex": U32(nic.if_index),
            "AddressFamily": U16(FAMILIES[family]),
            "ServerAddresses": servers,
            "Name": f"{nic.if_index}/{FAMILIES[family]}",  # inferred key format
            "ElementName": nic.name,
        },
    )


@cmdlet
class GetDnsClientServerAddress(Cmdlet):
    command_name = "Get-DnsClientServerAddress"
    module_name = "DnsClient"

    InterfaceAlias = Param(types.STRINGS, position=0, aliases=("Alias",))
    InterfaceIndex = Param(types.UINT32S, aliases=("Index",))
    AddressFamily = Param(types.STRINGS, aliases=("Family",), validate_set=("IPv4", "IPv6"))

    def process(self) -> Iterator[Any]:
        nics = sorted(self.host.adapters, key=lambda n: n.if_index)
        families = self.AddressFamily or ["IPv4", "IPv6"]
        if self.InterfaceIndex:
            for index in self.InterfaceIndex:
                hits = [n for n in nics if n.if_index == index]
                if not hits:
                    self.not_found("MSFT_DNSClientServerAddress", "InterfaceIndex", index)
                yield from (dns_server_object(n, f) for n in hits for f in families)
            return
        for pattern in self.InterfaceAlias or ["*"]:
            hits = [n for n in nics if like(n.name, pattern)]
            if not hits and not has_wildcards(pattern):
                self.not_found("MSFT_DNSClientServerAddress", "InterfaceAlias", pattern)
            yield from (dns_server_object(n, f) for n in hits for f in families)


@cmdlet
class SetDnsClientServerAddress(Cmdlet):
    """Reference §1.7: overwrite (idempotent), reset to the DHCP-provided servers, or validate first."""

    command_name = "Set-DnsClientServerAddress"
    module_name = "DnsClient"
    supports_should_process = True

    InterfaceAlias = Param(types.STRINGS, position=0, aliases=("Alias",))
    InterfaceIndex = Param(types.UINT32S, aliases=("Index",))
    ServerAddresses = Param(types.STRINGS, aliases=("Addresses",))
    ResetServerAddresses = Param(types.SWITCH)
    Validate = Param(types.SWITCH)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        nics = sorted(self.host.adapters, key=lambda n: n.if_index)
        targets: list[NetAdapter] = []
        for index in self.InterfaceIndex or []:
            hits = [n for n in nics if n.if_index == index]
            if not hits:
                self.not_found("MSFT_DNSClientServerAddress", "InterfaceIndex", index)
            targets += hits
        for pattern in self.InterfaceAlias or []:
            hits = [n for n in nics if like(n.name, pattern)]
            if not hits:
                self.not_found("MSFT_DNSClientServerAddress", "InterfaceAlias", pattern)
            targets += hits
        servers = list(self.ServerAddresses or [])
        for server in servers:
            if not _is_ip(server):
                self.write_error(self._cim_error(f"Invalid parameter ServerAddresses {server}"))  # inferred
                return
        if self.Validate:
            for server in servers:
                if not dns_server_answers(self.world, self.host, server):
                    # inferred message: NetworkingDsc catches a CimException here (reference §1.7)
                    self.write_error(self._cim_error(f"The DNS server {server} could not be validated."))
                    return
        for nic in targets:
            if not self.should_process(nic.name, "Set"):
                continue
            nic.static_dns = [] if self.ResetServerAddresses else servers
            if self.PassThru:
                yield dns_server_object(nic, "IPv4")

    def _cim_error(self, message: str) -> Any:
        return self.make_error(
            message,
            "Windows System Error 87",
            category="InvalidArgument",
            exception_type="Microsoft.Management.Infrastructure.CimException",
            reason="CimException",
        )


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def dns_server_answers(world: World, host: Host, server: str) -> bool:
    """A DNS server answers when reachable and it is a segment's DNS server or a host running DNS."""
    if not reachable(world, host, server):
        return False
    owner = owner_of(world, server)
    if owner is None:
        return False
    if owner.host is None:
        return owner.subnet is not None and server in owner.subnet.dns_servers
    return owner.host.feature_installed("DNS")
