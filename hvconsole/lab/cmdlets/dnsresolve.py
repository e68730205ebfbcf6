"""DnsClient module: Resolve-DnsName (A records) against the simulated DNS (lab/world/domain.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import U16, U32, PSEnum, PSObj
from hvconsole.lab.world import domain, network

RECORD_TYPE = "Microsoft.DnsClient.Commands.DnsRecord_A"
TTL = 1200  # inferred: the AD-integrated zone's default TTL (20 minutes)


def a_record(name: str, address: str) -> PSObj:
    return dotnet_object(
        (RECORD_TYPE, "Microsoft.DnsClient.Commands.DnsRecord"),
        {
            "Name": name,
            "Type": PSEnum("Microsoft.DnsClient.Commands.RecordType", 1, "A"),
            "TTL": U32(TTL),
            "DataLength": U16(4),
            "Section": PSEnum("Microsoft.DnsClient.Commands.Section", 1, "Answer"),
            "IPAddress": address,
            "IP4Address": address,
        },
        to_string=RECORD_TYPE,
    )


@cmdlet
class ResolveDnsName(Cmdlet):
    command_name = "Resolve-DnsName"
    module_name = "DnsClient"
    class_name = "Microsoft.DnsClient.Commands.ResolveDnsName"

    Name = Param(types.STRING, position=0, mandatory=True, from_pipeline=True, from_pipeline_by_name=True)
    Type = Param(types.STRING, position=1)
    Server = Param(types.STRINGS)
    DnsOnly = Param(types.SWITCH)
    NoHostsFile = Param(types.SWITCH)
    QuickTimeout = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        name = self.Name.rstrip(".")
        found = domain.resolve_name(self.world, self.host, name)
        if not found and "." not in name and not self.DnsOnly:
            local = network.resolve(self.world, name)  # inferred: LLMNR answers for a workgroup neighbour
            found = [local] if local else []
        if not found:
            self.write_error(
                self.make_error(
                    f"{name} : DNS name does not exist",
                    "DNS_ERROR_RCODE_NAME_ERROR",
                    category="ResourceUnavailable",
                    exception_type="System.ComponentModel.Win32Exception",
                    target=name,
                    target_name=name,
                    target_type="String",
                )
            )
            return
        fqdn = name if "." in name or domain.serving_domain(self.world, self.host) is None else None
        if fqdn is None:
            served = domain.serving_domain(self.world, self.host)
            fqdn = f"{name}.{served.name}" if served else name
        for address in found:
            yield a_record(fqdn.lower(), address)
