"""ServerManager's Feature objects (reference §3.2)."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict

from hvconsole.windows.values import to_enum

FEATURE_TYPE = "Microsoft.Windows.ServerManager.Commands.Feature"


class InstallState(enum.IntEnum):
    Available = 0
    Installed = 1
    UninstallPending = 2
    InstallPending = 3
    Removed = 5


class WindowsFeature(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    display_name: str = ""
    installed: bool = False
    install_state: InstallState = InstallState.Available

    @property
    def pending(self) -> bool:
        return self.install_state in (InstallState.InstallPending, InstallState.UninstallPending)

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> WindowsFeature:
        return cls(
            name=str(p.get("Name") or ""),
            display_name=str(p.get("DisplayName") or ""),
            installed=bool(p.get("Installed")),
            install_state=to_enum(InstallState, p.get("InstallState"), InstallState.Available),
        )


# The roles the cluster recipe cares about, with the short names the dashboard shows.
ROLES_OF_INTEREST: dict[str, str] = {
    "Hyper-V": "Hyper-V",
    "Failover-Clustering": "Clustering",
    "FS-iSCSITarget-Server": "iSCSI Target",
    "AD-Domain-Services": "AD DS",
}
