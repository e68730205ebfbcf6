"""NetTCPIP module: Get-NetIPAddress (reference §1.2) and Get-NetIPConfiguration."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from hvconsole.lab.cmdlets.dnsclient import dns_server_object
from hvconsole.lab.cmdlets.netadapter import net_adapter_object
from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, dotnet_object, has_wildcards, like
from hvconsole.lab.protocol import U8, U16, U32, PSObj
from hvconsole.lab.world.model import Host, IPAddress, NetAdapter
from hvconsole.lab.world.model import IPAddress as Address

NAMESPACE = "ROOT/StandardCimv2"
INFINITE = timedelta(days=10675199, seconds=10085, microseconds=477580)  # [TimeSpan]::MaxValue
PREFIX_ORIGIN = {"Other": 0, "Manual": 1, "WellKnown": 2, "Dhcp": 3, "RouterAdvertisement": 4}
SUFFIX_ORIGIN = {"Other": 0, "Manual": 1, "WellKnown": 2, "Dhcp": 3, "Link": 4, "Random": 5}
ADDRESS_STATE = {"Invalid": 0, "Tentative": 1, "Duplicate": 2, "Deprecated": 3, "Preferred": 4}
FAMILY = {"IPv4": 2, "IPv6": 23}
LOOPBACK = NetAdapter(
    name="Loopback Pseudo-Interface 1",
    description="Software Loopback Interface 1",
    if_index=1,
    mac="",
    guid="{00000000-0000-0000-0000-000000000001}",
    virtual=True,
    dhcp=False,
    addresses=[
        IPAddress(address="127.0.0.1", prefix_length=8, prefix_origin="WellKnown", suffix_origin="WellKnown"),
        IPAddress(
            address="::1",
            prefix_length=128,
            family="IPv6",
            prefix_origin="WellKnown",
            suffix_origin="WellKnown",
        ),
    ],
)


def _lifetime(address: IPAddress, now: float) -> timedelta:
    if address.lease_obtained is None or address.lease_seconds is None:
        return INFINITE
    return timedelta(seconds=max(0, int(address.lease_obtained + address.lease_seconds - now)))


def ip_address_object(nic: NetAdapter, address: IPAddress, now: float, store: str = "ActiveStore") -> PSObj:
    # Enum-valued CIM properties are raw integers, as deserialized objects show them (reference §0.2);
    # the integer widths of PrefixOrigin/SuffixOrigin/AddressState/Store are inferred.
    lifetime = _lifetime(address, now)
    v4 = address.family == "IPv4"
    return cim_object(
        NAMESPACE,
        "MSFT_NetIPAddress",
        {
            "IPAddress": address.address,
            "InterfaceIndex": U32(nic.if_index),
            "InterfaceAlias": nic.name,
            "AddressFamily": U16(FAMILY[address.family]),
            "Type": U8(1),  # Unicast
            "PrefixLength": U8(address.prefix_length),
            "PrefixOrigin": U8(PREFIX_ORIGIN[address.prefix_origin]),
            "SuffixOrigin": U8(SUFFIX_ORIGIN[address.suffix_origin]),
            "AddressState": U16(ADDRESS_STATE[address.state] if store == "ActiveStore" else 0),
            "ValidLifetime": lifetime,
            "PreferredLifetime": lifetime,
            "SkipAsSource": False,
            "PolicyStore": store,
            "Store": U8(1 if store == "ActiveStore" else 0),
            "IPv4Address": address.address if v4 else None,
            "IPv6Address": None if v4 else address.address,
        },
        to_string=f'MSFT_NetIPAddress (Name = "{address.address}", CreationClassName = "", '
        'SystemCreationClassName = "", SystemName = "")',  # inferred
    )


def all_interfaces(host: Host) -> list[NetAdapter]:
    return [*sorted(host.adapters, key=lambda n: n.if_index), LOOPBACK]


@cmdlet
class GetNetIPAddress(Cmdlet):
    command_name = "Get-NetIPAddress"
    module_name = "NetTCPIP"

    IPAddress = Param(types.STRINGS, position=0, aliases=("LocalAddress",))
    InterfaceIndex = Param(types.UINT32S, aliases=("ifIndex",))
    InterfaceAlias = Param(types.STRINGS, aliases=("ifAlias",))
    AddressFamily = Param(types.STRINGS, aliases=("Family",), validate_set=("IPv4", "IPv6"))
    Type = Param(types.STRINGS, validate_set=("Unicast", "Anycast"))
    PrefixLength = Param(types.ArrayOf(types.BYTE))
    PrefixOrigin = Param(types.STRINGS, validate_set=tuple(PREFIX_ORIGIN))
    SuffixOrigin = Param(types.STRINGS, validate_set=tuple(SUFFIX_ORIGIN))
    AddressState = Param(types.STRINGS, validate_set=tuple(ADDRESS_STATE))
    PolicyStore = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        now = self.world.now()
        rows = [(nic, a) for nic in all_interfaces(self.host) for a in nic.addresses]
        rows = [r for r in rows if self._keep(*r)]
        keys: list[tuple[str, list[Any] | None, Callable[[NetAdapter, Address, Any], bool]]] = [
            ("IPAddress", self.IPAddress, lambda nic, a, v: like(a.address, v)),
            ("InterfaceIndex", self.InterfaceIndex, lambda nic, a, v: nic.if_index == v),
            ("InterfaceAlias", self.InterfaceAlias, lambda nic, a, v: like(nic.name, v)),
        ]
        given = [(k, values, test) for k, values, test in keys if values]
        for name, values, test in given:
            for value in values:
                missing = not any(test(nic, a, value) for nic, a in rows) and not has_wildcards(str(value))
                if missing and len(given) == 1:  # one key: the §0.2 pattern (several keys: inferred silent)
                    self.not_found("MSFT_NetIPAddress", name, value)
            rows = [(nic, a) for nic, a in rows if any(test(nic, a, v) for v in values)]
        for nic, address in rows:
            yield ip_address_object(nic, address, now)

    def _keep(self, nic: NetAdapter, address: Address) -> bool:
        if self.AddressFamily and address.family not in self.AddressFamily:
            return False
        if self.PrefixLength and address.prefix_length not in self.PrefixLength:
            return False
        if self.PrefixOrigin and address.prefix_origin not in self.PrefixOrigin:
            return False
        if self.SuffixOrigin and address.suffix_origin not in self.SuffixOrigin:
            return False
        if self.AddressState and address.state not in self.AddressState:
            return False
        return not (self.Type and "Unicast" not in self.Type)


def _route_object(nic: NetAdapter, gateway: str) -> PSObj:
    return cim_object(
        NAMESPACE,
        "MSFT_NetRoute",
        {
            "DestinationPrefix": "0.0.0.0/0",
            "NextHop": gateway,
            "InterfaceIndex": U32(nic.if_index),
            "InterfaceAlias": nic.name,
            "AddressFamily": U16(2),
            "RouteMetric": U16(0),
            "Protocol": U16(3),  # inferred: NetMgmt/DHCP origin
            "State": U32(1),
        },
    )


@cmdlet
class GetNetIPConfiguration(Cmdlet):
    command_name = "Get-NetIPConfiguration"
    module_name = "NetTCPIP"

    InterfaceAlias = Param(types.STRING, position=0, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    All = Param(types.SWITCH)
    Detailed = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        nics = sorted(self.host.adapters, key=lambda n: n.if_index)
        if not self.All:
            nics = [n for n in nics if n.status == "Up"]
        if self.InterfaceAlias is not None:
            nics = [n for n in nics if like(n.name, self.InterfaceAlias)]
            if not nics and not has_wildcards(self.InterfaceAlias):
                self.not_found("MSFT_NetAdapter", "InterfaceAlias", self.InterfaceAlias)  # inferred
        if self.InterfaceIndex is not None:
            nics = [n for n in nics if n.if_index == self.InterfaceIndex]
            if not nics:
                self.not_found("MSFT_NetAdapter", "InterfaceIndex", self.InterfaceIndex)  # inferred
        now = self.world.now()
        for nic in nics:
            v4 = [ip_address_object(nic, a, now) for a in nic.addresses if a.family == "IPv4"]
            v6 = [ip_address_object(nic, a, now) for a in nic.addresses if a.family == "IPv6"]
            dns = [dns_server_object(nic, "IPv4"), dns_server_object(nic, "IPv6")]
            # inferred: NetIPConfiguration is a .NET-backed object of the NetTCPIP module
            yield dotnet_object(
                ("NetIPConfiguration",),
                {
                    "ComputerName": self.host.name,
                    "InterfaceAlias": nic.name,
                    "InterfaceIndex": U32(nic.if_index),
                    "InterfaceDescription": nic.description,
                    "NetAdapter": net_adapter_object(self.host, nic),
                    "NetProfile": None,
                    "IPv4Address": v4,
                    "IPv6Address": [],
                    "IPv6LinkLocalAddress": v6,
                    "IPv4DefaultGateway": [_route_object(nic, nic.gateway)] if nic.gateway else [],
                    "IPv6DefaultGateway": [],
                    "DNSServer": [d for d in dns if d.get("ServerAddresses")] or dns[:1],
                },
                to_string="NetIPConfiguration",
            )
