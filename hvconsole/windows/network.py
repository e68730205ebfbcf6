"""NetAdapter, NetIPAddress, NetRoute, DnsClientServerAddress and NetIPInterface as the network stage reads
them (reference §1.1–§1.6). CIM enums arrive as numbers over remoting (§0.2); names are accepted too."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hvconsole.windows.values import to_enum, to_str_list

CIM = "Microsoft.Management.Infrastructure.CimInstance#"


class PrefixOrigin(enum.IntEnum):
    Other = 0
    Manual = 1
    WellKnown = 2
    Dhcp = 3
    RouterAdvertisement = 4


class NetAdapter(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    description: str = ""
    if_index: int = 0
    status: str = ""
    mac: str = ""
    link_speed: str = ""

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> NetAdapter:
        return cls(
            name=str(p.get("Name") or ""),
            description=str(p.get("InterfaceDescription") or ""),
            if_index=int(p.get("InterfaceIndex") or p.get("ifIndex") or 0),
            status=str(p.get("Status") or ""),
            mac=str(p.get("MacAddress") or ""),
            link_speed=str(p.get("LinkSpeed") or ""),
        )


class NetIPAddress(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: str
    prefix_length: int
    interface_alias: str
    prefix_origin: PrefixOrigin = PrefixOrigin.Other

    @property
    def static(self) -> bool:
        return self.prefix_origin is PrefixOrigin.Manual

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> NetIPAddress:
        return cls(
            address=str(p.get("IPAddress") or ""),
            prefix_length=int(p.get("PrefixLength") or 0),
            interface_alias=str(p.get("InterfaceAlias") or ""),
            prefix_origin=to_enum(PrefixOrigin, p.get("PrefixOrigin"), PrefixOrigin.Other),
        )


class AdapterConfig(BaseModel):
    """One adapter with its IPv4 settings: what the network screen shows per row."""

    model_config = ConfigDict(frozen=True)

    adapter: NetAdapter
    addresses: tuple[NetIPAddress, ...] = ()
    gateway: str | None = None
    dns_servers: tuple[str, ...] = ()
    dhcp: bool = True

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def ipv4(self) -> str:
        return ", ".join(f"{a.address}/{a.prefix_length}" for a in self.addresses) or "—"


class HostNetwork(BaseModel):
    model_config = ConfigDict(frozen=True)

    adapters: tuple[AdapterConfig, ...] = Field(default_factory=tuple)

    def adapter(self, name: str) -> AdapterConfig | None:
        return next((a for a in self.adapters if a.name.lower() == name.lower()), None)

    @property
    def addresses(self) -> list[str]:
        return [a.address for c in self.adapters for a in c.addresses]


def parse_host_network(objects: Iterable[tuple[str, dict[str, Any]]]) -> HostNetwork:
    """Build from (first type name, properties) pairs of the read pipeline, telling classes apart by type."""
    adapters: list[NetAdapter] = []
    addresses: list[NetIPAddress] = []
    gateways: dict[str, str] = {}
    dns: dict[str, list[str]] = {}
    dhcp: dict[str, bool] = {}
    for type_name, p in objects:
        cls = type_name.rsplit("/", 1)[-1]
        alias = str(p.get("InterfaceAlias") or "")
        if cls == "MSFT_NetAdapter":
            adapters.append(NetAdapter.from_properties(p))
        elif cls == "MSFT_NetIPAddress" and str(p.get("AddressFamily")) in ("2", "IPv4"):
            addresses.append(NetIPAddress.from_properties(p))
        elif cls == "MSFT_NetRoute" and p.get("DestinationPrefix") == "0.0.0.0/0":
            gateways.setdefault(alias, str(p.get("NextHop")))
        elif cls == "MSFT_DNSClientServerAddress" and str(p.get("AddressFamily")) in ("2", "IPv4"):
            dns[alias] = to_str_list(p.get("ServerAddresses"))
        elif cls == "MSFT_NetIPInterface" and str(p.get("AddressFamily")) in ("2", "IPv4"):
            dhcp[alias] = str(p.get("Dhcp")) in ("1", "Enabled")
    configs = [
        AdapterConfig(
            adapter=a,
            addresses=tuple(x for x in addresses if x.interface_alias == a.name),
            gateway=gateways.get(a.name),
            dns_servers=tuple(dns.get(a.name, [])),
            dhcp=dhcp.get(a.name, True),
        )
        for a in sorted(adapters, key=lambda a: a.name.lower())
    ]
    return HostNetwork(adapters=tuple(configs))
