"""A host's identity as Windows reports it (reference §2.1–§2.3), and the naming rules Windows enforces.

The pending computer name is read from the registry, as scripts do: ``ComputerName\\ComputerName`` holds the
name after the next restart, ``ActiveComputerName`` the current one (# inferred: no CIM class shows it).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from hvconsole.windows.system import ComputerSystem, DomainRole

NAME_KEY = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName"
ACTIVE_NAME_KEY = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName"
NETLOGON_KEY = "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Netlogon"
_NAME = re.compile(r"^[A-Za-z0-9-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def computer_name_problem(name: str) -> str | None:
    """Why Rename-Computer would refuse ``name`` (§2.1), or None. 15 characters is the NetBIOS limit."""
    if not name:
        return "Enter a computer name."
    if not _NAME.match(name):
        return "Use letters, digits and hyphens only (no spaces, periods or other characters)."
    if name.isdigit():
        return "A computer name cannot be all digits."
    if len(name) > 15:
        return f"At most 15 characters (the NetBIOS limit); this one has {len(name)}."
    return None


def domain_name_problem(name: str) -> str | None:
    """Why ``name`` is not a usable AD DNS domain name (e.g. corp.example.com), or None."""
    if not name:
        return "Enter the domain's DNS name, e.g. corp.example.com."
    labels = name.rstrip(".").split(".")
    if len(labels) < 2:
        return (
            "Use a full DNS name with a dot, e.g. corp.example.com (single-label domains are not supported)."
        )
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return "Each part may hold letters, digits and inner hyphens only, e.g. corp.example.com."
    if len(name) > 255:
        return "A DNS name has at most 255 characters."
    return None


def netbios_name_problem(name: str) -> str | None:
    if not name:
        return None
    if len(name) > 15 or not _NAME.match(name) or name.isdigit():
        return "Up to 15 letters, digits or hyphens, e.g. CORP."
    return None


def default_netbios(domain: str) -> str:
    return domain.split(".")[0].upper()[:15]


class ComputerIdentity(BaseModel):
    """Name, pending name, membership and role of one host, plus what the preflight needs (DNS, clock)."""

    model_config = ConfigDict(frozen=True)

    system: ComputerSystem
    pending_name: str | None = None  # set only when it differs from the current name
    join_pending: str | None = None  # Netlogon JoinDomain: a join waiting for the restart
    dns_servers: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()  # IPv4 addresses (a DC's are what members point their DNS at)
    adapters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (InterfaceAlias, its IPv4 addresses)
    clock: datetime.datetime | None = None

    @property
    def name(self) -> str:
        return self.system.name

    @property
    def is_dc(self) -> bool:
        return self.system.domain_role >= DomainRole.BackupDomainController

    @property
    def restart_pending(self) -> bool:
        return bool(self.pending_name or self.join_pending)

    @property
    def role_text(self) -> str:
        return self.system.domain_role.label


def registry_value(properties: dict[str, Any], name: str) -> str | None:
    value = properties.get(name)
    return str(value) if value not in (None, "") else None
