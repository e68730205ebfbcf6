"""What the dashboard shows of a host, read in one round trip (three statements in one pipeline)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.windows.features import ROLES_OF_INTEREST, WindowsFeature
from hvconsole.windows.system import ComputerSystem, OperatingSystem, format_uptime

_SYSTEM_PROPERTIES = [
    "Name",
    "DNSHostName",
    "Domain",
    "PartOfDomain",
    "Workgroup",
    "DomainRole",
    "TotalPhysicalMemory",
]
_OS_PROPERTIES = ["Caption", "Version", "BuildNumber", "LastBootUpTime", "LocalDateTime"]


def overview_pipeline() -> Pipeline:
    return Pipeline.of(
        Command("Get-CimInstance", ClassName="Win32_ComputerSystem", Property=_SYSTEM_PROPERTIES),
        Command("Get-CimInstance", ClassName="Win32_OperatingSystem", Property=_OS_PROPERTIES),
        Command("Get-WindowsFeature", Name=list(ROLES_OF_INTEREST)),
    )


@dataclass(frozen=True)
class HostOverview:
    system: ComputerSystem
    os: OperatingSystem
    features: tuple[WindowsFeature, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> list[str]:
        """Short names of the installed roles of interest, in the recipe's order."""
        installed = {f.name for f in self.features if f.installed}
        return [short for name, short in ROLES_OF_INTEREST.items() if name in installed]

    @property
    def roles_pending(self) -> list[str]:
        pending = {f.name for f in self.features if f.pending}
        return [short for name, short in ROLES_OF_INTEREST.items() if name in pending]

    def uptime_text(self, now: datetime.datetime | None = None) -> str:
        return format_uptime(self.os.uptime(now))


def parse_overview(objects: Iterable[tuple[str, dict[str, Any]]]) -> HostOverview:
    """Build the overview from (first type name, properties) pairs, telling the statements apart by type."""
    system: ComputerSystem | None = None
    os_info = OperatingSystem()
    features: list[WindowsFeature] = []
    for type_name, properties in objects:
        lowered = type_name.lower()
        if lowered.endswith("win32_computersystem"):
            system = ComputerSystem.from_properties(properties)
        elif lowered.endswith("win32_operatingsystem"):
            os_info = OperatingSystem.from_properties(properties)
        elif "servermanager" in lowered or "InstallState" in properties:
            features.append(WindowsFeature.from_properties(properties))
    if system is None:
        raise ValueError("the host returned no Win32_ComputerSystem")
    return HostOverview(system, os_info, tuple(features))
