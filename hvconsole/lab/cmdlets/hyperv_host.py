"""Hyper-V host settings: Get-VMHost / Set-VMHost (reference §9.5).

The default VM and VHD folders live where Hyper-V keeps them, in the registry (``…\\Virtualization``
DefaultExternalDataRoot / DefaultVirtualHardDiskPath); the migration settings next to them (**inferred** value
names). A path must be on a volume the host has: a drive letter or a CSV of its cluster (``C:\\ClusterStorage``);
the lab has no folders, so a missing subfolder is created (**inferred**).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import I64, U32, PSEnum
from hvconsole.lab.world import cluster as clusters
from hvconsole.lab.world import storage
from hvconsole.lab.world.model import Host, World
from hvconsole.lab.world.settings import HKLM, RegistryValue

KEY = HKLM + r"\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization"
NS = "Microsoft.HyperV.PowerShell"
DEFAULTS: dict[str, Any] = {
    "DefaultExternalDataRoot": "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
    "DefaultVirtualHardDiskPath": "C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks",  # inferred (2016+)
    "MaximumVirtualMachineMigrations": 2,
    "MaximumStorageMigrations": 2,
    "VirtualMachineMigrationEnabled": 0,
    "VirtualMachineMigrationAuthenticationType": 0,  # CredSSP
    "VirtualMachineMigrationPerformanceOption": 1,  # Compression
    "UseAnyNetworkForMigration": 0,
}
AUTH = ("CredSSP", "Kerberos")
PERFORMANCE = ("TCPIP", "Compression", "SMB")


def host_value(host: Host, name: str) -> Any:
    found = host.settings.value(KEY, name)
    return found.data if found is not None else DEFAULTS[name]


def set_host_value(host: Host, name: str, data: Any) -> None:
    key = host.settings.find_key(KEY) or KEY
    host.settings.registry.setdefault(key, {})
    host.settings.registry[key][name] = RegistryValue(
        kind="String" if isinstance(data, str) else "DWord", data=data
    )


def path_exists(world: World, host: Host, path: str) -> bool:
    if clusters.path_on_csv(world, host, path):
        return True
    return len(path) >= 3 and path[1:3] == ":\\" and storage.find_letter(world, host, path[0]) is not None


def vmhost_object(world: World, host: Host) -> Any:
    auth = int(host_value(host, "VirtualMachineMigrationAuthenticationType"))
    perf = int(host_value(host, "VirtualMachineMigrationPerformanceOption"))
    return dotnet_object(
        (f"{NS}.VMHost",),
        {
            "Name": host.name,
            "ComputerName": host.name,
            "FullyQualifiedDomainName": host.domain or host.workgroup or "",
            "LogicalProcessorCount": host.processors,
            "MemoryCapacity": I64(host.memory_bytes),
            "VirtualMachinePath": host_value(host, "DefaultExternalDataRoot"),
            "VirtualHardDiskPath": host_value(host, "DefaultVirtualHardDiskPath"),
            "NumaSpanningEnabled": True,
            "EnableEnhancedSessionMode": False,
            "VirtualMachineMigrationEnabled": bool(host_value(host, "VirtualMachineMigrationEnabled")),
            "MaximumVirtualMachineMigrations": U32(host_value(host, "MaximumVirtualMachineMigrations")),
            "MaximumStorageMigrations": U32(host_value(host, "MaximumStorageMigrations")),
            "VirtualMachineMigrationAuthenticationType": PSEnum(
                f"{NS}.MigrationAuthenticationType", auth, AUTH[auth]
            ),
            "VirtualMachineMigrationPerformanceOption": PSEnum(
                f"{NS}.VMMigrationPerformance", perf, PERFORMANCE[perf]
            ),
            "UseAnyNetworkForMigration": bool(host_value(host, "UseAnyNetworkForMigration")),
        },
        to_string=host.name,
    )


class _VMHostCmdlet(Cmdlet):
    module_name = "Hyper-V"
    requires_feature = "Hyper-V-PowerShell"
    ComputerName = Param(types.STRINGS)


@cmdlet
class GetVMHost(_VMHostCmdlet):
    command_name = "Get-VMHost"
    class_name = f"{NS}.Commands.GetVMHost"

    def process(self) -> Iterator[Any]:
        yield vmhost_object(self.world, self.host)


@cmdlet
class SetVMHost(_VMHostCmdlet):
    command_name = "Set-VMHost"
    class_name = f"{NS}.Commands.SetVMHost"
    VirtualMachinePath = Param(types.STRING)
    VirtualHardDiskPath = Param(types.STRING)
    MaximumVirtualMachineMigrations = Param(types.UINT32)
    MaximumStorageMigrations = Param(types.UINT32)
    VirtualMachineMigrationAuthenticationType = Param(types.STRING, validate_set=AUTH)
    VirtualMachineMigrationPerformanceOption = Param(types.STRING, validate_set=PERFORMANCE)
    UseAnyNetworkForMigration = Param(types.BOOL)
    Passthru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for param, value_name in (
            ("VirtualMachinePath", "DefaultExternalDataRoot"),
            ("VirtualHardDiskPath", "DefaultVirtualHardDiskPath"),
        ):
            if not self.was_bound(param):
                continue
            path = str(getattr(self, param)).rstrip("\\")
            if not path_exists(self.world, self.host, path):
                self.throw(
                    self.make_error(  # inferred message and id
                        f"The path '{path}' does not exist or is not on a volume of this computer.",
                        "InvalidParameter",
                        category="InvalidArgument",
                        exception_type="Microsoft.HyperV.PowerShell.VirtualizationException",
                    )
                )
            set_host_value(self.host, value_name, path)
        for param in ("MaximumVirtualMachineMigrations", "MaximumStorageMigrations"):
            if self.was_bound(param):
                set_host_value(self.host, param, int(getattr(self, param)))
        if self.was_bound("VirtualMachineMigrationAuthenticationType"):
            wanted = str(self.VirtualMachineMigrationAuthenticationType)
            index = [a.lower() for a in AUTH].index(wanted.lower())
            set_host_value(self.host, "VirtualMachineMigrationAuthenticationType", index)
        if self.was_bound("VirtualMachineMigrationPerformanceOption"):
            wanted = str(self.VirtualMachineMigrationPerformanceOption)
            set_host_value(
                self.host,
                "VirtualMachineMigrationPerformanceOption",
                [p.lower() for p in PERFORMANCE].index(wanted.lower()),
            )
        if self.was_bound("UseAnyNetworkForMigration"):
            set_host_value(self.host, "UseAnyNetworkForMigration", int(bool(self.UseAnyNetworkForMigration)))
        if self.Passthru:
            yield vmhost_object(self.world, self.host)
