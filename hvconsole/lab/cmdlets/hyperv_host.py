"""Hyper-V host settings: Get-VMHost / Set-VMHost (reference §9.5).

ONE source of truth: ``Host.hyperv`` (``world/vms.py`` ``HyperVState``) holds the default VM/VHD folders and the
migration settings; the migration model (``world/migration.py``) reads the same fields, so what Set-VMHost
writes is what the model enforces. A path must be on a volume the host has: a drive letter or a CSV of its
cluster (``C:\\ClusterStorage``); the lab has no folders, so a missing subfolder is created (**inferred**).
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

NS = "Microsoft.HyperV.PowerShell"
AUTH = ("CredSSP", "Kerberos")
PERFORMANCE = ("TCPIP", "Compression", "SMB")
# [neonSDK] Warning_CredSSP; printed when the type changes (inferred: only then)
AUTH_WARNING = (
    "You must log off and log on again to use the selected virtual machine migration authentication type."
)


def path_exists(world: World, host: Host, path: str) -> bool:
    if clusters.path_on_csv(world, host, path):
        return True
    return len(path) >= 3 and path[1:3] == ":\\" and storage.find_letter(world, host, path[0]) is not None


def canonical(choices: tuple[str, ...], wanted: str) -> str:
    return next(c for c in choices if c.lower() == wanted.lower())


def vmhost_object(world: World, host: Host) -> Any:
    hv = host.hyperv
    return dotnet_object(
        (f"{NS}.VMHost",),
        {
            "Name": host.name,
            "ComputerName": host.name,
            "FullyQualifiedDomainName": host.domain or host.workgroup or "",
            "LogicalProcessorCount": host.processors,
            "MemoryCapacity": I64(host.memory_bytes),
            "VirtualMachinePath": hv.virtual_machine_path,
            "VirtualHardDiskPath": hv.virtual_hard_disk_path,
            "NumaSpanningEnabled": True,
            "EnableEnhancedSessionMode": False,
            "VirtualMachineMigrationEnabled": hv.migration_enabled,
            "MaximumVirtualMachineMigrations": U32(hv.max_migrations),
            "MaximumStorageMigrations": U32(hv.max_storage_migrations),
            "VirtualMachineMigrationAuthenticationType": PSEnum(
                f"{NS}.MigrationAuthenticationType", AUTH.index(hv.authentication), hv.authentication
            ),
            "VirtualMachineMigrationPerformanceOption": PSEnum(
                f"{NS}.VMMigrationPerformance",
                PERFORMANCE.index(hv.performance_option),
                hv.performance_option,
            ),
            "UseAnyNetworkForMigration": hv.use_any_network,
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
    """No output unless -Passthru; idempotent (§9.5)."""

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
        hv = self.host.hyperv
        for param in ("VirtualMachinePath", "VirtualHardDiskPath"):
            if self.was_bound(param):
                self.check_path(str(getattr(self, param)).rstrip("\\"))
        if self.was_bound("VirtualMachinePath"):
            hv.virtual_machine_path = str(self.VirtualMachinePath).rstrip("\\")
        if self.was_bound("VirtualHardDiskPath"):
            hv.virtual_hard_disk_path = str(self.VirtualHardDiskPath).rstrip("\\")
        if self.was_bound("MaximumVirtualMachineMigrations"):
            hv.max_migrations = int(self.MaximumVirtualMachineMigrations)
        if self.was_bound("MaximumStorageMigrations"):
            hv.max_storage_migrations = int(self.MaximumStorageMigrations)
        if self.was_bound("VirtualMachineMigrationAuthenticationType"):
            wanted = canonical(AUTH, str(self.VirtualMachineMigrationAuthenticationType))
            if wanted != hv.authentication:
                self.write_warning(AUTH_WARNING)
            hv.authentication = wanted
        if self.was_bound("VirtualMachineMigrationPerformanceOption"):
            hv.performance_option = canonical(PERFORMANCE, str(self.VirtualMachineMigrationPerformanceOption))
        if self.was_bound("UseAnyNetworkForMigration"):
            hv.use_any_network = bool(self.UseAnyNetworkForMigration)
        if self.Passthru:
            yield vmhost_object(self.world, self.host)

    def check_path(self, path: str) -> None:
        if not path_exists(self.world, self.host, path):
            self.throw(
                self.make_error(  # inferred message and id
                    f"The path '{path}' does not exist or is not on a volume of this computer.",
                    "InvalidParameter",
                    category="InvalidArgument",
                    exception_type="Microsoft.HyperV.PowerShell.VirtualizationException",
                )
            )
