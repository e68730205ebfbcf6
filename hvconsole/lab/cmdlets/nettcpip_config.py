"""NetTCPIP module, the changing half: New/Remove/Set-NetIPAddress (reference §1.3–§1.4),
Get/Set-NetIPInterface (§1.5), Get/New/Remove-NetRoute (default routes only).

Every change to a host's IPv4 addresses calls ``world.addresses_changed(host)`` so the runtime can move the
host's loopback endpoint to the new mirrored address (lab/world/runtime.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.nettcpip import NAMESPACE, ip_address_object
from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, like
from hvconsole.lab.protocol import U8, U16, U32, ErrorRec, PSObj
from hvconsole.lab.world.model import IPAddress, NetAdapter
from hvconsole.lab.world.network import dhcp_lease

CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"
DEFAULT_ROUTE = "0.0.0.0/0"


class InterfaceCmdlet(Cmdlet):
    """Shared: find the interface by -InterfaceAlias / -InterfaceIndex (not-found pattern of §0.2)."""

    module_name = "NetTCPIP"
    cim_class = "MSFT_NetIPInterface"

    def interfaces(self) -> list[NetAdapter]:
        alias = getattr(self, "InterfaceAlias", None)
        index = getattr(self, "InterfaceIndex", None)
        nics = sorted(self.host.adapters, key=lambda n: n.if_index)
        if alias:
            hits = [n for n in nics if like(n.name, alias)]
            if not hits:
                self.not_found(self.cim_class, "InterfaceAlias", alias)
            return hits
        if index is not None:
            hits = [n for n in nics if n.if_index == index]
            if not hits:
                self.not_found(self.cim_class, "InterfaceIndex", index)
            return hits
        return nics

    def cim_error(
        self, message: str, code: int, category: str = "InvalidArgument", cim_class: str = ""
    ) -> ErrorRec:
        target = f"{cim_class}:{NAMESPACE}/{cim_class}" if cim_class else None
        return self.make_error(
            message,
            f"Windows System Error {code}",
            category=category,
            exception_type=CIM_EXCEPTION,
            target_name=target,
            target_type=cim_class or None,
            reason="CimException",
        )


def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def dhcp_off(nic: NetAdapter) -> None:
    """DHCP turned off: the leased addresses go; the learned route lingers (why NetworkingDsc removes routes
    first, reference §1.3) and so do the learned DNS servers. # inferred"""
    nic.dhcp = False
    nic.addresses = [a for a in nic.addresses if not (a.family == "IPv4" and a.prefix_origin == "Dhcp")]


@cmdlet
class NewNetIPAddress(InterfaceCmdlet):
    command_name = "New-NetIPAddress"

    IPAddress = Param(types.STRING, mandatory=True, aliases=("LocalAddress",))
    InterfaceAlias = Param(types.STRING, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    PrefixLength = Param(types.BYTE)
    DefaultGateway = Param(types.STRING)
    AddressFamily = Param(types.STRING, validate_set=("IPv4", "IPv6"))
    Type = Param(types.STRING, validate_set=("Unicast", "Anycast"))
    PolicyStore = Param(types.STRING)
    SkipAsSource = Param(types.BOOL)

    def process(self) -> Iterator[Any]:
        if self.InterfaceAlias is None and self.InterfaceIndex is None:
            self.throw(self.cim_error("Invalid parameter InterfaceAlias", 87))  # inferred
        address = _ipv4(self.IPAddress)
        prefix = 24 if self.PrefixLength is None else self.PrefixLength  # inferred default
        if address is None or prefix > 32:
            self.write_error(self.cim_error("Invalid parameter IPAddress", 87))  # inferred
            return
        nics = self.interfaces()
        if not nics:
            return
        nic = nics[0]
        taken = any(a.address == str(address) for n in self.host.adapters for a in n.addresses)
        if taken:  # reference §1.3: a second call fails like this
            self.write_error(
                self.cim_error("Instance MSFT_NetIPAddress already exists", 87, cim_class="MSFT_NetIPAddress")
            )
            return
        gateway = self.DefaultGateway
        if gateway is not None and (_ipv4(gateway) is None):
            self.write_error(self.cim_error("Invalid parameter DefaultGateway", 87))  # inferred
            return
        if gateway is not None and nic.gateway:  # reference §1.3
            self.write_error(
                self.cim_error("Instance DefaultGateway already exists", 87, cim_class="MSFT_NetRoute")
            )
            return
        if nic.dhcp:
            dhcp_off(nic)  # reference §1.3: adding a static address turns DHCP off
        new = IPAddress(
            address=str(address), prefix_length=prefix, prefix_origin="Manual", suffix_origin="Manual"
        )
        v4 = [a for a in nic.addresses if a.family == "IPv4"]
        others = [a for a in nic.addresses if a.family != "IPv4"]
        nic.addresses = [*v4, new, *others]
        if gateway is not None:
            nic.gateway = gateway
        self.world.addresses_changed(self.host)
        now = self.world.now()
        # reference §1.3: two objects, ActiveStore Tentative then PersistentStore Invalid
        yield ip_address_object(nic, new.model_copy(update={"state": "Tentative"}), now, "ActiveStore")
        yield ip_address_object(nic, new, now, "PersistentStore")


@cmdlet
class RemoveNetIPAddress(InterfaceCmdlet):
    command_name = "Remove-NetIPAddress"
    supports_should_process = True
    confirm_impact = "High"  # inferred: NetworkingDsc always passes -Confirm:$false (reference §1.4)
    cim_class = "MSFT_NetIPAddress"

    IPAddress = Param(types.STRINGS, position=0, aliases=("LocalAddress",))
    InterfaceAlias = Param(types.STRING, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    AddressFamily = Param(types.STRINGS, validate_set=("IPv4", "IPv6"))
    PrefixLength = Param(types.ArrayOf(types.BYTE))
    PolicyStore = Param(types.STRING)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        nics = self.interfaces()
        rows = [(n, a) for n in nics for a in n.addresses]
        if self.AddressFamily:
            rows = [(n, a) for n, a in rows if a.family in self.AddressFamily]
        if self.PrefixLength:
            rows = [(n, a) for n, a in rows if a.prefix_length in self.PrefixLength]
        for wanted in self.IPAddress or []:
            if not any(like(a.address, wanted) for _, a in rows):
                self.not_found("MSFT_NetIPAddress", "IPAddress", wanted)  # reference §1.4 (inferred)
        if self.IPAddress:
            rows = [(n, a) for n, a in rows if any(like(a.address, w) for w in self.IPAddress)]
        changed = False
        now = self.world.now()
        for nic, address in rows:
            if not self.should_process(f"{address.address}/{address.prefix_length}", "Delete"):
                continue
            nic.addresses = [a for a in nic.addresses if a is not address]
            changed = changed or address.family == "IPv4"
            if self.PassThru:
                yield ip_address_object(nic, address, now)
        if changed:
            self.world.addresses_changed(self.host)


def ip_interface_object(nic: NetAdapter, family: str) -> PSObj:
    v4 = family == "IPv4"
    return cim_object(
        NAMESPACE,
        "MSFT_NetIPInterface",
        {
            "InterfaceAlias": nic.name,
            "InterfaceIndex": U32(nic.if_index),
            "AddressFamily": U16(2 if v4 else 23),
            "Dhcp": U32(1 if (nic.dhcp and v4) else 0),  # 0 Disabled, 1 Enabled
            "ConnectionState": U32(1 if nic.status == "Up" else 0),  # 0 Disconnected, 1 Connected
            "InterfaceMetric": U32(15),  # inferred: 10 Gbps adapters get metric 15 (automatic metric)
            "NlMtu": U32(nic.mtu),
            "Forwarding": U32(0),
            "PolicyStore": "ActiveStore",
        },
    )


@cmdlet
class GetNetIPInterface(InterfaceCmdlet):
    command_name = "Get-NetIPInterface"

    InterfaceAlias = Param(types.STRING, position=0, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    AddressFamily = Param(types.STRINGS, validate_set=("IPv4", "IPv6"))
    Dhcp = Param(types.STRING, validate_set=("Enabled", "Disabled"))

    def process(self) -> Iterator[Any]:
        for nic in self.interfaces():
            for family in self.AddressFamily or ["IPv6", "IPv4"]:
                dhcp = "Enabled" if nic.dhcp and family == "IPv4" else "Disabled"
                if self.Dhcp is None or self.Dhcp == dhcp:
                    yield ip_interface_object(nic, family)


@cmdlet
class SetNetIPInterface(InterfaceCmdlet):
    command_name = "Set-NetIPInterface"
    supports_should_process = True

    InterfaceAlias = Param(types.STRING, position=0, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    AddressFamily = Param(types.STRING, validate_set=("IPv4", "IPv6"))
    Dhcp = Param(types.STRING, validate_set=("Enabled", "Disabled"))
    InterfaceMetric = Param(types.UINT32)
    NlMtuBytes = Param(types.UINT32)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for nic in self.interfaces():
            if not self.should_process(nic.name, "Set"):
                continue
            if self.NlMtuBytes is not None:
                nic.mtu = self.NlMtuBytes
            if self.Dhcp == "Disabled" and nic.dhcp:
                dhcp_off(nic)
                self.world.addresses_changed(self.host)
            elif self.Dhcp == "Enabled" and not nic.dhcp:
                # reference §1.5: static addresses and routes stay; a lease comes when none is left (inferred)
                nic.dhcp = True
                if not any(a.family == "IPv4" for a in nic.addresses):
                    lease = dhcp_lease(self.world, nic)
                    if lease is not None:
                        nic.addresses.insert(0, lease)
                        self.world.addresses_changed(self.host)
            if self.PassThru:
                yield ip_interface_object(nic, self.AddressFamily or "IPv4")


def route_object(nic: NetAdapter, prefix: str, next_hop: str) -> PSObj:
    return cim_object(
        NAMESPACE,
        "MSFT_NetRoute",
        {
            "DestinationPrefix": prefix,
            "NextHop": next_hop,
            "InterfaceIndex": U32(nic.if_index),
            "InterfaceAlias": nic.name,
            "AddressFamily": U16(2),
            "RouteMetric": U16(256 if prefix != DEFAULT_ROUTE else 0),
            "Protocol": U16(3 if nic.dhcp else 2),  # inferred: 3 NetMgmt (DHCP), 2 Local
            "State": U32(1),
            "TypeOfRoute": U8(3),
            "PolicyStore": "ActiveStore",
        },
    )


def routes(nic: NetAdapter) -> list[PSObj]:
    out = [route_object(nic, DEFAULT_ROUTE, nic.gateway)] if nic.gateway else []
    for address in nic.addresses:
        if address.family == "IPv4":
            network = ipaddress.IPv4Interface(f"{address.address}/{address.prefix_length}").network
            out.append(route_object(nic, str(network), "0.0.0.0"))
    return out


@cmdlet
class GetNetRoute(InterfaceCmdlet):
    command_name = "Get-NetRoute"
    cim_class = "MSFT_NetRoute"

    DestinationPrefix = Param(types.STRINGS, position=0)
    InterfaceAlias = Param(types.STRING, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    AddressFamily = Param(types.STRINGS, validate_set=("IPv4", "IPv6"))
    NextHop = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        found = [r for n in self.interfaces() for r in routes(n)]
        if self.AddressFamily and "IPv4" not in self.AddressFamily:
            found = []
        if self.NextHop:
            found = [r for r in found if any(like(r.get("NextHop"), h) for h in self.NextHop)]
        for prefix in self.DestinationPrefix or []:
            if not any(like(r.get("DestinationPrefix"), prefix) for r in found):
                self.not_found("MSFT_NetRoute", "DestinationPrefix", prefix)  # inferred
        if self.DestinationPrefix:
            found = [
                r for r in found if any(like(r.get("DestinationPrefix"), p) for p in self.DestinationPrefix)
            ]
        yield from found


@cmdlet
class NewNetRoute(InterfaceCmdlet):
    command_name = "New-NetRoute"

    DestinationPrefix = Param(types.STRING, mandatory=True)
    InterfaceAlias = Param(types.STRING, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    NextHop = Param(types.STRING)
    RouteMetric = Param(types.UINT16)
    PolicyStore = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        nics = self.interfaces()
        if not nics:
            return
        nic = nics[0]
        if self.DestinationPrefix != DEFAULT_ROUTE or self.NextHop is None or _ipv4(self.NextHop) is None:
            self.write_error(self.cim_error("Invalid parameter DestinationPrefix", 87))  # inferred: lab limit
            return
        if nic.gateway:
            self.write_error(
                self.cim_error("Instance MSFT_NetRoute already exists", 87, cim_class="MSFT_NetRoute")
            )
            return
        nic.gateway = self.NextHop
        yield route_object(nic, DEFAULT_ROUTE, nic.gateway)


@cmdlet
class RemoveNetRoute(InterfaceCmdlet):
    command_name = "Remove-NetRoute"
    supports_should_process = True
    confirm_impact = "High"  # inferred, as Remove-NetIPAddress (NetworkingDsc passes -Confirm:$false)
    cim_class = "MSFT_NetRoute"

    DestinationPrefix = Param(types.STRINGS, position=0)
    InterfaceAlias = Param(types.STRING, aliases=("ifAlias",))
    InterfaceIndex = Param(types.UINT32, aliases=("ifIndex",))
    NextHop = Param(types.STRINGS)
    AddressFamily = Param(types.STRINGS, validate_set=("IPv4", "IPv6"))
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        prefixes = self.DestinationPrefix or [DEFAULT_ROUTE]
        hits = [
            n
            for n in self.interfaces()
            if n.gateway
            and any(like(DEFAULT_ROUTE, p) for p in prefixes)
            and (not self.NextHop or any(like(n.gateway, h) for h in self.NextHop))
        ]
        if not hits:
            self.not_found("MSFT_NetRoute", "DestinationPrefix", prefixes[0])  # inferred
        for nic in hits:
            if self.should_process(f"{DEFAULT_ROUTE} {nic.gateway}", "Delete"):
                gone = route_object(nic, DEFAULT_ROUTE, nic.gateway or "")
                nic.gateway = None
                if self.PassThru:
                    yield gone
