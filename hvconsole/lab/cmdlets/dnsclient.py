"""DnsClient module: Get-DnsClientServerAddress (reference §1.6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, has_wildcards, like
from hvconsole.lab.protocol import U16, U32, PSObj
from hvconsole.lab.world.model import NetAdapter

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
