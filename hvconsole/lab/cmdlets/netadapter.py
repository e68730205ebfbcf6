"""NetAdapter module: Get-NetAdapter (a CDXML cmdlet over ROOT/StandardCimv2/MSFT_NetAdapter, reference §1.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, has_wildcards, like
from hvconsole.lab.protocol import U32, U64, PSObj
from hvconsole.lab.world.model import Host, NetAdapter

NAMESPACE = "ROOT/StandardCimv2"


def link_speed_text(bps: int) -> str:
    for unit, size in (("Gbps", 10**9), ("Mbps", 10**6), ("Kbps", 10**3)):
        if bps >= size:
            value = bps / size
            return f"{value:g} {unit}"
    return f"{bps} bps"


def net_adapter_object(host: Host, nic: NetAdapter) -> PSObj:
    up = nic.status == "Up"
    oper = {"Up": 1, "Disconnected": 7, "Disabled": 2}.get(nic.status, 4)  # 7 Lower layer down (inferred)
    speed = nic.speed_bps if up else 0
    return cim_object(
        NAMESPACE,
        "MSFT_NetAdapter",
        {
            "Name": nic.name,
            "InterfaceDescription": nic.description,
            "InterfaceIndex": U32(nic.if_index),
            "Status": nic.status,  # the formatted "Up"/"Disconnected" string (reference §1.1)
            "MacAddress": nic.mac,
            "LinkSpeed": link_speed_text(speed),
            "MediaConnectionState": U32(1 if up else 2),  # inferred alias of MediaConnectState
            "MediaConnectState": U32(1 if up else 2),
            "MediaType": "802.3",
            "PhysicalMediaType": "Unspecified",
            "InterfaceOperationalStatus": U32(oper),
            "InterfaceAdminStatus": U32(2 if nic.status == "Disabled" else 1),
            "MtuSize": U32(nic.mtu),
            "Speed": U64(speed),
            "ReceiveLinkSpeed": U64(speed),
            "TransmitLinkSpeed": U64(speed),
            "Virtual": nic.virtual,
            "HardwareInterface": not nic.virtual,
            "iSCSIInterface": False,
            "ConnectorPresent": not nic.virtual,
            "State": U32(3 if nic.status == "Disabled" else 2),
            "DeviceID": nic.guid,
            "InterfaceGuid": nic.guid,
            "InterfaceName": f"ethernet_{32768 + nic.if_index}",  # inferred
            "DriverDescription": nic.description,
            "DriverProvider": "Microsoft",
            "FullDuplex": True,
            "PromiscuousMode": False,
            "SystemName": host.fqdn.upper() if not host.domain else host.fqdn,
            "CreationClassName": "MSFT_NetAdapter",
            # type-data aliases (reference §1.1): serialized with the object
            "ifIndex": U32(nic.if_index),
            "ifAlias": nic.name,
            "InterfaceAlias": nic.name,
            "ifDesc": nic.description,
            "LinkLayerAddress": nic.mac,
        },
        to_string=f'MSFT_NetAdapter (CreationClassName = "MSFT_NetAdapter", DeviceID = "{nic.guid}", '
        f'SystemCreationClassName = "CIM_NetworkPort", SystemName = "{host.name}")',  # inferred
    )


@cmdlet
class GetNetAdapter(Cmdlet):
    command_name = "Get-NetAdapter"
    module_name = "NetAdapter"
    default_set = "ByName"

    Name = Param(types.STRINGS, position=0, aliases=("ifAlias", "InterfaceAlias"), sets=("ByName",))
    InterfaceDescription = Param(types.STRINGS, aliases=("ifDesc",), sets=("ByInstanceID",), mandatory=True)
    InterfaceIndex = Param(types.UINT32S, aliases=("ifIndex",), sets=("ByIfIndex",), mandatory=True)
    IncludeHidden = Param(types.SWITCH)
    Physical = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        nics = sorted(self.host.adapters, key=lambda n: n.name.lower())
        if self.Physical:
            nics = [n for n in nics if not n.virtual]
        if self.parameter_set == "ByIfIndex":
            for index in self.InterfaceIndex:
                hits = [n for n in nics if n.if_index == index]
                if not hits:
                    self.not_found("MSFT_NetAdapter", "InterfaceIndex", index)
                yield from (net_adapter_object(self.host, n) for n in hits)
            return
        by_desc = self.parameter_set == "ByInstanceID"
        key = "InterfaceDescription" if by_desc else "Name"
        patterns = (self.InterfaceDescription if by_desc else self.Name) or ["*"]
        for pattern in patterns:
            hits = [n for n in nics if like(n.description if by_desc else n.name, pattern)]
            if not hits and not has_wildcards(pattern):
                self.not_found("MSFT_NetAdapter", key, pattern)
            yield from (net_adapter_object(self.host, n) for n in hits)


@cmdlet
class RenameNetAdapter(Cmdlet):
    command_name = "Rename-NetAdapter"
    module_name = "NetAdapter"
    supports_should_process = True

    Name = Param(types.STRINGS, position=0, mandatory=True, aliases=("ifAlias", "InterfaceAlias"))
    NewName = Param(types.STRING, position=1, mandatory=True)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for pattern in self.Name:
            hits = [n for n in self.host.adapters if like(n.name, pattern)]
            if not hits:
                self.not_found("MSFT_NetAdapter", "Name", pattern)
            for nic in hits:
                clash = any(
                    o is not nic and o.name.lower() == self.NewName.lower() for o in self.host.adapters
                )
                if clash:  # inferred: ERROR_ALREADY_EXISTS from the provider
                    self.write_error(
                        self.make_error(
                            "Cannot create a file when that file already exists.",
                            "Windows System Error 183",
                            category="ResourceExists",
                            exception_type="Microsoft.Management.Infrastructure.CimException",
                            reason="CimException",
                        )
                    )
                    continue
                if self.should_process(nic.name, "Rename"):
                    nic.name = self.NewName  # same name: silent (inferred)
                    if self.PassThru:
                        yield net_adapter_object(self.host, nic)
