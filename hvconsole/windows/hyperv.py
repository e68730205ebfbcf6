"""Hyper-V module objects: VMSwitch, VirtualMachine, VMHost migration settings, VMMigrationNetwork
(reference §9.1, §9.3, §9.5). Enums may arrive as names or numbers (remoting, reference §0.2)."""

from __future__ import annotations

import datetime
import enum
from typing import Any

from pydantic import BaseModel, ConfigDict

from hvconsole.windows.values import to_enum, to_timedelta

VM_TYPE = "Microsoft.HyperV.PowerShell.VirtualMachine"
SWITCH_TYPE = "Microsoft.HyperV.PowerShell.VMSwitch"
VMHOST_TYPE = "Microsoft.HyperV.PowerShell.VMHost"
MIGRATION_NETWORK_TYPE = "Microsoft.HyperV.PowerShell.VMMigrationNetwork"
MB = 1024 * 1024
GB = 1024 * MB


class VMState(enum.IntEnum):
    """[neonSDK] VMState.cs (reference §9.3)."""

    Other = 1
    Running = 2
    Off = 3
    Stopping = 4
    Saved = 6
    Paused = 9
    Starting = 10
    Reset = 11
    Saving = 32773
    Pausing = 32776
    Resuming = 32777
    FastSaved = 32779
    FastSaving = 32780
    ForceShutdown = 32781
    ForceReboot = 32782
    Hibernated = 32783
    ComponentServicing = 32784
    RunningCritical = 32785
    OffCritical = 32786
    SavedCritical = 32788


class SwitchType(enum.IntEnum):
    Private = 0  # inferred: Microsoft.HyperV.PowerShell.VMSwitchType numbering
    Internal = 1
    External = 2


class MigrationAuthentication(enum.IntEnum):
    """Msvm_VirtualSystemMigrationServiceSettingData.AuthenticationType (reference §9.5)."""

    CredSSP = 0
    Kerberos = 1


class MigrationPerformance(enum.IntEnum):
    TCPIP = 0  # inferred numbering; the names are the reference's (§9.5)
    Compression = 1
    SMB = 2


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _name_of(value: Any) -> str:
    """A nested object's Name (deserialized as a dict) or the value's text."""
    if isinstance(value, dict):
        return str(value.get("Name") or "")
    return "" if value is None else str(value)


class VMSwitch(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    switch_type: SwitchType = SwitchType.Private
    adapter_description: str = ""
    allow_management_os: bool = False
    computer_name: str = ""

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> VMSwitch:
        return cls(
            name=str(p.get("Name") or ""),
            switch_type=to_enum(SwitchType, p.get("SwitchType"), SwitchType.Private),
            adapter_description=str(p.get("NetAdapterInterfaceDescription") or ""),
            allow_management_os=bool(p.get("AllowManagementOS")),
            computer_name=str(p.get("ComputerName") or ""),
        )


class VirtualMachine(BaseModel):
    """Get-VM's VirtualMachine: MemoryAssigned in bytes, Uptime a TimeSpan, ComputerName the Hyper-V host."""

    model_config = ConfigDict(frozen=True)

    name: str
    id: str = ""
    state: VMState = VMState.Other
    cpu_usage: int = 0
    memory_assigned: int = 0
    memory_startup: int = 0
    processor_count: int = 1
    uptime: datetime.timedelta = datetime.timedelta(0)
    status: str = ""
    computer_name: str = ""
    generation: int = 1
    path: str = ""
    is_clustered: bool = False
    heartbeat: str = ""  # inferred: VMHeartbeatStatus names (OkApplicationsHealthy, NoContact, ...)

    @property
    def running(self) -> bool:
        return self.state in (VMState.Running, VMState.RunningCritical)

    @property
    def key(self) -> str:
        return self.id or f"{self.computer_name}/{self.name}"

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> VirtualMachine:
        return cls(
            name=str(p.get("Name") or ""),
            id=str(p.get("Id") or p.get("VMId") or ""),
            state=to_enum(VMState, p.get("State"), VMState.Other),
            cpu_usage=_int(p.get("CPUUsage")),
            memory_assigned=_int(p.get("MemoryAssigned")),
            memory_startup=_int(p.get("MemoryStartup")),
            processor_count=_int(p.get("ProcessorCount"), 1) or 1,
            uptime=to_timedelta(p.get("Uptime")) or datetime.timedelta(0),
            status=str(p.get("Status") or ""),
            computer_name=str(p.get("ComputerName") or ""),
            generation=_int(p.get("Generation"), 1) or 1,
            path=str(p.get("Path") or p.get("ConfigurationLocation") or ""),
            is_clustered=bool(p.get("IsClustered")),
            heartbeat=_name_of(p.get("Heartbeat")),
        )


class MigrationNetwork(BaseModel):
    model_config = ConfigDict(frozen=True)

    subnet: str
    priority: int = 0

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> MigrationNetwork:
        return cls(subnet=str(p.get("Subnet") or ""), priority=_int(p.get("Priority")))


class VMHostMigration(BaseModel):
    """The migration settings of Get-VMHost (reference §9.5)."""

    model_config = ConfigDict(frozen=True)

    name: str
    enabled: bool = False
    maximum_migrations: int = 2
    authentication: MigrationAuthentication = MigrationAuthentication.CredSSP
    performance: MigrationPerformance = MigrationPerformance.Compression
    use_any_network: bool = True
    networks: tuple[MigrationNetwork, ...] = ()
    memory_capacity: int = 0
    logical_processors: int = 0

    @classmethod
    def from_properties(
        cls, p: dict[str, Any], networks: tuple[MigrationNetwork, ...] = ()
    ) -> VMHostMigration:
        return cls(
            name=str(p.get("Name") or ""),
            enabled=bool(p.get("VirtualMachineMigrationEnabled")),
            maximum_migrations=_int(p.get("MaximumVirtualMachineMigrations"), 2),
            authentication=to_enum(
                MigrationAuthentication,
                p.get("VirtualMachineMigrationAuthenticationType"),
                MigrationAuthentication.CredSSP,
            ),
            performance=to_enum(
                MigrationPerformance,
                p.get("VirtualMachineMigrationPerformanceOption"),
                MigrationPerformance.Compression,
            ),
            use_any_network=bool(p.get("UseAnyNetworkForMigration")),
            networks=networks,
            memory_capacity=_int(p.get("MemoryCapacity")),
            logical_processors=_int(p.get("LogicalProcessorCount")),
        )


def csv_path_of(path: str) -> str:
    """The CSV volume part of a VM path ("C:\\ClusterStorage\\Volume1\\VMs\\VM1" → "Volume1"), or ""."""
    parts = path.replace("/", "\\").split("\\")
    lowered = [p.lower() for p in parts]
    if "clusterstorage" in lowered:
        index = lowered.index("clusterstorage")
        if index + 1 < len(parts):
            return parts[index + 1]
    return ""
