"""What SConfig shows about a host, parsed from one read (see ``stages/host_settings.py`` for the read).

Registry facts (the keys SConfig and Group Policy use; # inferred where Microsoft documents only the policy):
* Remote Desktop: ``HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server`` ``fDenyTSConnections`` (1 = off)
  and ``...\\WinStations\\RDP-Tcp`` ``UserAuthentication`` (1 = Network Level Authentication required).
* Windows Update: ``HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU`` ``NoAutoUpdate`` (1 = manual)
  and ``AUOptions`` (3 = download only, 4 = automatic). No policy means Windows' default: download only.
* Telemetry: ``HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection`` ``AllowTelemetry`` 0–3; no value
  means the Server default, Required (1) (# inferred).
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hvconsole.windows.values import to_datetime

TERMINAL_SERVER = r"HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server"
RDP_TCP = TERMINAL_SERVER + r"\WinStations\RDP-Tcp"
WINDOWS_UPDATE_AU = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU"
DATA_COLLECTION = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\DataCollection"
WU_NAMESPACE = "root/Microsoft/Windows/WindowsUpdate"
PING_RULE = "FPS-ICMP4-ERQ-In"
PRODUCT_KEY = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$")


class RemoteDesktop(enum.StrEnum):
    DISABLED = "Disabled"
    NLA_ONLY = "Enabled (NLA clients only)"
    ANY_CLIENT = "Enabled (any client)"


class UpdateSetting(enum.StrEnum):
    AUTOMATIC = "Automatic"
    DOWNLOAD_ONLY = "Download only"
    MANUAL = "Manual"


class Telemetry(enum.IntEnum):
    SECURITY = 0
    REQUIRED = 1
    ENHANCED = 2
    OPTIONAL = 3

    @property
    def label(self) -> str:
        return {0: "Security (off)", 1: "Required", 2: "Enhanced", 3: "Optional"}[self.value]


LICENSE_STATUS = {
    0: "Unlicensed",
    1: "Licensed",
    2: "Initial grace period",
    3: "Additional grace period",
    4: "Non-genuine grace period",
    5: "Notification",
    6: "Extended grace period",
}


class PendingUpdate(BaseModel):
    model_config = ConfigDict(frozen=True)
    update_id: str
    title: str
    kb: str = ""
    severity: str | None = None


class HostSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str
    winrm_running: bool = True
    winrm_start_type: str = ""
    ping_enabled: bool | None = None  # None: the rule could not be read
    remote_desktop: RemoteDesktop = RemoteDesktop.DISABLED
    update_setting: UpdateSetting = UpdateSetting.DOWNLOAD_ONLY
    update_policy_key: bool = False  # the AU policy key exists
    telemetry_key: bool = False
    telemetry: Telemetry = Telemetry.REQUIRED
    time_zone: str = ""
    time_zone_name: str = ""
    time_zones: tuple[str, ...] = ()
    clock: datetime.datetime | None = None
    license_status: int = 0
    partial_product_key: str = ""
    administrators: tuple[str, ...] = ()
    logged_on_user: str | None = None
    updates: tuple[PendingUpdate, ...] = ()
    updates_error: str | None = None
    hyperv: bool = False
    running_vms: tuple[str, ...] = Field(default_factory=tuple)

    @property
    def activation(self) -> str:
        return LICENSE_STATUS.get(self.license_status, f"status {self.license_status}")

    def is_administrator(self, member: str) -> bool:
        """True when ``member`` ("x", ".\\x", "HOST\\x", "DOM\\x") is already in the Administrators list."""
        wanted = member.strip().lower()
        where, sep, user = wanted.rpartition("\\")
        candidates = {wanted}
        if not sep or where == ".":
            candidates = {f"{self.host.lower()}\\{user or wanted}", user or wanted}
        return any(
            a.lower() in candidates or a.lower().rpartition("\\")[2] == wanted for a in self.administrators
        )


def _reg(values: dict[str, dict[str, Any]], key: str, name: str) -> Any:
    return values.get(key.lower(), {}).get(name)


def _registry_key(ps_path: str) -> str:
    """'Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\X' → 'hklm:\\x' (lower-case lookup key)."""
    path = ps_path.partition("::")[2] or ps_path
    return ("HKLM:" + path.removeprefix("HKEY_LOCAL_MACHINE")).lower()


def parse_host_settings(host: str, objects: list[tuple[str, Any]]) -> HostSettings:
    """``objects``: (first type name, properties dict or plain value) in the read's statement order."""
    registry: dict[str, dict[str, Any]] = {}
    fields: dict[str, Any] = {"host": host}
    zones: list[str] = []
    updates: list[PendingUpdate] = []
    admins: list[str] = []
    for type_name, value in objects:
        lowered = type_name.lower()
        props = value if isinstance(value, dict) else {}
        if "PSPath" in props:
            registry[_registry_key(str(props["PSPath"]))] = props
        elif lowered.startswith("system.serviceprocess.servicecontroller"):
            fields["winrm_running"] = str(props.get("Status")) in ("Running", "4")
            fields["winrm_start_type"] = str(props.get("StartType") or "")
        elif lowered == "system.timezoneinfo":
            if "time_zone" not in fields:
                fields["time_zone"] = str(props.get("Id") or "")
                fields["time_zone_name"] = str(props.get("DisplayName") or "")
            else:
                zones.append(str(props.get("Id") or ""))
        elif lowered.endswith("win32_computersystem"):
            fields["logged_on_user"] = props.get("UserName") or None
        elif lowered.endswith("localprincipal"):
            admins.append(str(props.get("Name") or ""))
        elif lowered.endswith("softwarelicensingproduct"):
            fields["license_status"] = int(props.get("LicenseStatus") or 0)
            fields["partial_product_key"] = str(props.get("PartialProductKey") or "")
        elif lowered.endswith("cimmethodresult"):
            for update in props.get("Updates") or []:
                if isinstance(update, dict):
                    updates.append(
                        PendingUpdate(
                            update_id=str(update.get("UpdateID") or ""),
                            title=str(update.get("Title") or ""),
                            kb=str(update.get("KBArticleID") or ""),
                            severity=update.get("MsrcSeverity") or None,
                        )
                    )
        elif lowered.endswith("msft_netfirewallrule"):
            fields["ping_enabled"] = str(props.get("Enabled")) in ("True", "1")
        elif lowered.endswith("cmdletinfo") or lowered.endswith("functioninfo"):
            fields["hyperv"] = True
        elif isinstance(value, datetime.datetime | str) and "clock" not in fields:
            fields["clock"] = to_datetime(value)
    deny = _reg(registry, TERMINAL_SERVER, "fDenyTSConnections")
    nla = _reg(registry, RDP_TCP, "UserAuthentication")
    if deny is None or int(deny) != 0:
        fields["remote_desktop"] = RemoteDesktop.DISABLED
    else:
        fields["remote_desktop"] = RemoteDesktop.ANY_CLIENT if nla == 0 else RemoteDesktop.NLA_ONLY
    fields["update_policy_key"] = WINDOWS_UPDATE_AU.lower() in registry
    no_auto, options = (
        _reg(registry, WINDOWS_UPDATE_AU, "NoAutoUpdate"),
        _reg(registry, WINDOWS_UPDATE_AU, "AUOptions"),
    )
    if no_auto is not None and int(no_auto) == 1:
        fields["update_setting"] = UpdateSetting.MANUAL
    elif options is not None and int(options) == 4:
        fields["update_setting"] = UpdateSetting.AUTOMATIC
    fields["telemetry_key"] = DATA_COLLECTION.lower() in registry
    level = _reg(registry, DATA_COLLECTION, "AllowTelemetry")
    if level is not None and int(level) in range(4):
        fields["telemetry"] = Telemetry(int(level))
    return HostSettings(
        **fields, time_zones=tuple(zones), updates=tuple(updates), administrators=tuple(admins)
    )
