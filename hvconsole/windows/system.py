"""Win32_ComputerSystem and Win32_OperatingSystem (reference §2.3)."""

from __future__ import annotations

import datetime
import enum
from typing import Any

from pydantic import BaseModel, ConfigDict

from hvconsole.windows.values import to_datetime, to_enum

COMPUTER_SYSTEM_TYPE = "Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_ComputerSystem"
OPERATING_SYSTEM_TYPE = "Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_OperatingSystem"


class DomainRole(enum.IntEnum):
    StandaloneWorkstation = 0
    MemberWorkstation = 1
    StandaloneServer = 2
    MemberServer = 3
    BackupDomainController = 4
    PrimaryDomainController = 5

    @property
    def label(self) -> str:
        return {
            0: "Standalone workstation",
            1: "Member workstation",
            2: "Standalone server",
            3: "Member server",
            4: "Backup domain controller",
            5: "Primary domain controller",
        }[self.value]


class ComputerSystem(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    dns_host_name: str = ""
    domain: str = ""
    part_of_domain: bool = False
    workgroup: str | None = None
    domain_role: DomainRole = DomainRole.StandaloneServer
    total_physical_memory: int = 0

    @property
    def membership(self) -> str:
        """What an admin says: 'domain contoso.com' or 'workgroup WORKGROUP'."""
        if self.part_of_domain:
            return f"domain {self.domain}"
        return f"workgroup {self.workgroup or self.domain}"

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> ComputerSystem:
        return cls(
            name=str(p.get("Name") or ""),
            dns_host_name=str(p.get("DNSHostName") or ""),
            domain=str(p.get("Domain") or ""),
            part_of_domain=bool(p.get("PartOfDomain")),
            workgroup=p.get("Workgroup") or None,
            domain_role=to_enum(DomainRole, p.get("DomainRole"), DomainRole.StandaloneServer),
            total_physical_memory=int(p.get("TotalPhysicalMemory") or 0),
        )


class OperatingSystem(BaseModel):
    model_config = ConfigDict(frozen=True)

    caption: str = ""
    version: str = ""
    build_number: str = ""
    last_boot_up_time: datetime.datetime | None = None
    local_date_time: datetime.datetime | None = None

    @property
    def edition(self) -> str:
        """'Microsoft Windows Server 2022 Datacenter' → 'Windows Server 2022 Datacenter'."""
        return self.caption.removeprefix("Microsoft ").strip()

    def uptime(self, now: datetime.datetime | None = None) -> datetime.timedelta | None:
        if self.last_boot_up_time is None:
            return None
        reference = now or self.local_date_time or datetime.datetime.now(datetime.UTC)
        boot = self.last_boot_up_time
        if boot.tzinfo is None:
            boot = boot.replace(tzinfo=datetime.UTC)
        if reference.tzinfo is None:
            reference = reference.replace(tzinfo=datetime.UTC)
        return max(reference - boot, datetime.timedelta(0))

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> OperatingSystem:
        return cls(
            caption=str(p.get("Caption") or ""),
            version=str(p.get("Version") or ""),
            build_number=str(p.get("BuildNumber") or ""),
            last_boot_up_time=to_datetime(p.get("LastBootUpTime")),
            local_date_time=to_datetime(p.get("LocalDateTime")),
        )


def format_uptime(delta: datetime.timedelta | None) -> str:
    if delta is None:
        return "—"
    total = int(delta.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
