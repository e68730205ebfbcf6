"""Microsoft.PowerShell.Management: Test-Connection (Windows PowerShell 5.1 shape: Win32_PingStatus objects).

Echo replies follow the lab's reachability rule and the target's firewall (lab/world/network.py). A target
that never answers gets the 5.1 error ``Testing connection to computer 'X' failed: Error due to lack of
resources`` (what 5.1 prints when every echo timed out); a name that does not resolve gets ``... failed: No
such host is known`` (CategoryInfo ResourceUnavailable, PingException, FQID
TestConnectionException,Microsoft.PowerShell.Commands.TestConnectionCommand; public 5.1 transcripts).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import U32, PSObj
from hvconsole.lab.world.network import answers_echo, owner_of, resolve

PING_STATUS_TYPES = (
    "System.Management.ManagementObject#root\\cimv2\\Win32_PingStatus",
    "System.Management.ManagementObject",
    "System.Management.ManagementBaseObject",
    "System.ComponentModel.Component",
    "System.MarshalByRefObject",
)


def ping_status_object(source: str, target: str, address: str, response_ms: int, size: int) -> PSObj:
    return dotnet_object(
        PING_STATUS_TYPES,
        {
            "__SERVER": source,
            "PSComputerName": source,
            "Address": target,
            "BufferSize": U32(size),
            "NoFragmentation": False,
            "PrimaryAddressResolutionStatus": U32(0),
            "ProtocolAddress": address,
            "ProtocolAddressResolved": "",
            "ResponseTime": U32(response_ms),
            "ResponseTimeToLive": U32(128),
            "StatusCode": U32(0),  # 0 Success
            "Timeout": U32(4000),
            "TimeToLive": U32(80),
            "IPV4Address": address,
            "IPV6Address": None,
        },
        to_string=f'\\\\{source}\\root\\cimv2:Win32_PingStatus.Address="{target}",BufferSize={size},'
        'NoFragmentation=false,RecordRoute=0,ResolveAddressNames=false,SourceRoute="",SourceRouteType=0,'
        "Timeout=4000,TimestampRoute=0,TimeToLive=80,TypeofService=0",
    )


@cmdlet
class TestConnection(Cmdlet):
    command_name = "Test-Connection"
    module_name = "Microsoft.PowerShell.Management"
    class_name = "Microsoft.PowerShell.Commands.TestConnectionCommand"

    ComputerName = Param(
        types.STRINGS,
        position=0,
        mandatory=True,
        aliases=("CN", "IPAddress", "__SERVER", "Server", "Destination"),
        from_pipeline_by_name=True,
    )
    Count = Param(types.INT32, default=4)
    BufferSize = Param(types.INT32, aliases=("Size", "Bytes", "BS"), default=32)
    Delay = Param(types.INT32, default=1)
    TimeToLive = Param(types.INT32, aliases=("TTL",))
    Quiet = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for target in self.ComputerName:
            address = resolve(self.world, target)
            answered = address is not None and answers_echo(self.world, self.host, address)
            if self.Quiet:
                yield answered
                continue
            if address is None or not answered:
                reason = "No such host is known" if address is None else "Error due to lack of resources"
                self.write_error(
                    self.make_error(
                        f"Testing connection to computer '{target}' failed: {reason}",
                        "TestConnectionException",
                        category="ResourceUnavailable",
                        exception_type="System.Net.NetworkInformation.PingException",
                        reason="PingException",
                        target=target,
                        target_name=target,
                        target_type="String",
                    )
                )
                continue
            owner = owner_of(self.world, address)
            local = owner is not None and owner.host is self.host
            for _ in range(max(1, self.Count)):
                yield ping_status_object(self.host.name, target, address, 0 if local else 1, self.BufferSize)
