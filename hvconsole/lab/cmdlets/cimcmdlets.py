"""CimCmdlets: Get-CimInstance over the simulated CIM classes (reference §2.3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, errors, types
from hvconsole.lab.engine.objects import cim_object
from hvconsole.lab.protocol import U16, U32, U64
from hvconsole.lab.world.model import Host, World

# (namespace lower-case, class lower-case) -> (class name, key properties, rows)
CimRows = Callable[[World, Host], list[dict[str, Any]]]
CIM_CLASSES: dict[tuple[str, str], tuple[str, tuple[str, ...], CimRows]] = {}


def cim_class(namespace: str, name: str, keys: tuple[str, ...]) -> Callable[[CimRows], CimRows]:
    """Register a CIM class Get-CimInstance can enumerate (later modules add Msvm_*, MSCluster_*...)."""

    def register(rows: CimRows) -> CimRows:
        CIM_CLASSES[(namespace.lower(), name.lower())] = (name, keys, rows)
        return rows

    return register


def _time(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


@cim_class("root/cimv2", "Win32_ComputerSystem", ("Name",))
def _computer_system(world: World, host: Host) -> list[dict[str, Any]]:
    joined = host.domain is not None
    return [
        {
            "Name": host.name,
            "Caption": host.name,
            "Description": "AT/AT COMPATIBLE",
            "DNSHostName": host.name.lower(),  # inferred: Windows keeps the case given at rename; WIN- names
            "Domain": host.domain if joined else host.workgroup,
            "DomainRole": U16(host.domain_role),
            "PartOfDomain": joined,
            "Workgroup": None if joined else host.workgroup,
            "Manufacturer": "Microsoft Corporation",
            "Model": "Virtual Machine",
            "NumberOfProcessors": U32(1),
            "NumberOfLogicalProcessors": U32(host.processors),
            "TotalPhysicalMemory": U64(host.memory_bytes),
            "PrimaryOwnerName": "Windows User",
            "SystemType": "x64-based PC",
            "HypervisorPresent": True,
            "Status": "OK",
            "UserName": f"{host.name}\\{host.settings.logged_on[0]}" if host.settings.logged_on else None,
            "CurrentTimeZone": 0,
        }
    ]


@cim_class("root/cimv2", "Win32_OperatingSystem", ("Name",))
def _operating_system(world: World, host: Host) -> list[dict[str, Any]]:
    kib = host.memory_bytes // 1024
    return [
        {
            "Name": f"{host.os_caption}|C:\\Windows|\\Device\\Harddisk0\\Partition2",
            "Caption": host.os_caption,
            "Version": host.os_version,
            "BuildNumber": host.os_build,
            "OSArchitecture": "64-bit",
            "OSType": U16(18),
            "ProductType": U32(2 if host.domain_role >= 4 else 3),
            "CSName": host.name,
            "SerialNumber": host.os_serial,
            "InstallDate": _time(host.install_date),
            "LastBootUpTime": _time(host.boot_time),
            "LocalDateTime": _time(world.host_now(host)),
            "TotalVisibleMemorySize": U64(kib),
            "FreePhysicalMemory": U64(kib * 3 // 4),
            "SystemDrive": "C:",
            "WindowsDirectory": "C:\\Windows",
            "SystemDirectory": "C:\\Windows\\system32",
            "RegisteredUser": "Windows User",
            "Organization": "",
            "Status": "OK",
            "NumberOfProcesses": U32(60),
            "Locale": "0409",
            "MUILanguages": ["en-US"],
        }
    ]


@cmdlet
class GetCimInstance(Cmdlet):
    command_name = "Get-CimInstance"
    module_name = "CimCmdlets"
    class_name = "Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand"
    default_set = "ClassNameComputerSet"

    ClassName = Param(types.STRING, position=0, mandatory=True, sets=("ClassNameComputerSet",))
    Namespace = Param(types.STRING)
    Property = Param(types.STRINGS, aliases=("SelectProperties",))
    Filter = Param(types.STRING)
    ComputerName = Param(types.STRINGS, aliases=("CN", "ServerName"))
    OperationTimeoutSec = Param(types.UINT32, aliases=("OT",))
    KeyOnly = Param(types.SWITCH)
    Shallow = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        namespace = (self.Namespace or "root/cimv2").replace("\\", "/")
        entry = CIM_CLASSES.get((namespace.lower(), self.ClassName.lower()))
        if entry is None:
            # inferred from real output: "Invalid class " / HRESULT 0x80041010 (WBEM_E_INVALID_CLASS)
            self.write_error(
                self.make_error(
                    "Invalid class ",
                    "HRESULT 0x80041010",
                    category="ObjectNotFound",
                    exception_type=errors.CIM_EXCEPTION,
                    reason="CimException",
                    target_name=f"{namespace}:{self.ClassName}",
                    target_type="String",
                )
            )
            return
        name, keys, rows = entry
        if self.Filter:
            self.write_warning("The lab does not evaluate -Filter; all instances are returned.")  # inferred
        for row in rows(self.world, self.host):
            if self.Property is not None or self.KeyOnly:
                wanted = {p.lower() for p in self.Property or []} | {k.lower() for k in keys}
                row = {k: (v if k.lower() in wanted else None) for k, v in row.items()}
            yield cim_object(namespace, name, row, to_string=f'{name} (Name = "{row.get("Name")}")')
