"""What SConfig shows and changes on a host: registry values, time zone, pending updates, activation, local
administrators and logged-on users (``Host.settings``).

Fresh-install defaults (all **inferred** where the reference is silent): Remote Desktop off
(``fDenyTSConnections`` 1, NLA on), no Windows Update policy key (Windows' default behaviour), telemetry policy
key present but empty, time zone "Pacific Standard Time" (the Windows Setup default), the Datacenter KMS client
key installed but not activated (LicenseStatus 2, OOB grace), the local Administrator logged on at the console.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

HKLM = "HKEY_LOCAL_MACHINE"
TERMINAL_SERVER = HKLM + r"\SYSTEM\CurrentControlSet\Control\Terminal Server"
RDP_TCP = TERMINAL_SERVER + r"\WinStations\RDP-Tcp"
WINDOWS_POLICIES = HKLM + r"\SOFTWARE\Policies\Microsoft\Windows"
WINDOWS_UPDATE_AU = WINDOWS_POLICIES + r"\WindowsUpdate\AU"
DATA_COLLECTION = WINDOWS_POLICIES + r"\DataCollection"

# KMS client setup key of Windows Server 2022 Datacenter (published by Microsoft): ...-6VM33
DEFAULT_KEY_PARTIAL = "6VM33"
WINDOWS_APPLICATION_ID = "55c92734-d682-4d71-983e-d6ec3f16059f"


class RegistryValue(BaseModel):
    kind: str = "DWord"  # String | ExpandString | Binary | DWord | MultiString | QWord
    data: int | str | list[str] = 0


class Update(BaseModel):
    update_id: str
    title: str
    kb: str  # "5034129"
    severity: str | None = None  # MsrcSeverity: Critical | Important | Moderate | Low | None
    size_bytes: int = 0
    reboot_required: bool = False
    installed: bool = False


class TimeZoneDef(BaseModel):
    id: str
    display_name: str
    standard_name: str
    daylight_name: str
    offset_minutes: int
    supports_dst: bool


def _tz(id: str, display: str, offset: int, dst: bool, daylight: str | None = None) -> TimeZoneDef:
    return TimeZoneDef(
        id=id,
        display_name=display,
        standard_name=id,
        daylight_name=daylight or id.replace("Standard", "Daylight"),
        offset_minutes=offset,
        supports_dst=dst,
    )


# A slice of `tzutil /l` (Ids as Windows spells them).
TIME_ZONES: list[TimeZoneDef] = [
    _tz("Dateline Standard Time", "(UTC-12:00) International Date Line West", -720, False),
    _tz("Hawaiian Standard Time", "(UTC-10:00) Hawaii", -600, False),
    _tz("Pacific Standard Time", "(UTC-08:00) Pacific Time (US & Canada)", -480, True),
    _tz("Mountain Standard Time", "(UTC-07:00) Mountain Time (US & Canada)", -420, True),
    _tz("Central Standard Time", "(UTC-06:00) Central Time (US & Canada)", -360, True),
    _tz("Eastern Standard Time", "(UTC-05:00) Eastern Time (US & Canada)", -300, True),
    _tz("UTC", "(UTC) Coordinated Universal Time", 0, False, "Coordinated Universal Time"),
    _tz("GMT Standard Time", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London", 0, True, "GMT Daylight Time"),
    _tz("W. Europe Standard Time", "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", 60, True),
    _tz("Romance Standard Time", "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", 60, True),
    _tz("FLE Standard Time", "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", 120, True),
    _tz("Russian Standard Time", "(UTC+03:00) Moscow, St. Petersburg", 180, False),
    _tz("India Standard Time", "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", 330, False),
    _tz("China Standard Time", "(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", 480, False),
    _tz("Tokyo Standard Time", "(UTC+09:00) Osaka, Sapporo, Tokyo", 540, False),
    _tz("AUS Eastern Standard Time", "(UTC+10:00) Canberra, Melbourne, Sydney", 600, True),
]


def time_zone(id: str) -> TimeZoneDef | None:
    return next((tz for tz in TIME_ZONES if tz.id.lower() == id.lower()), None)


def default_registry() -> dict[str, dict[str, RegistryValue]]:
    return {
        TERMINAL_SERVER: {"fDenyTSConnections": RegistryValue(data=1)},
        RDP_TCP: {"UserAuthentication": RegistryValue(data=1), "PortNumber": RegistryValue(data=3389)},
        WINDOWS_POLICIES: {},
        DATA_COLLECTION: {},
        HKLM + r"\SOFTWARE\Microsoft\Windows NT\CurrentVersion": {
            "ProductName": RegistryValue(kind="String", data="Windows Server 2022 Datacenter"),
            "CurrentBuild": RegistryValue(kind="String", data="20348"),
        },
    }


def default_updates() -> list[Update]:
    return [
        Update(
            update_id="0d7a2f5e-3c1b-4e8a-9f10-5b2c7d1e4a01",
            title="2024-01 Cumulative Update for Microsoft server operating system version 21H2 for x64-based "
            "Systems (KB5034129)",
            kb="5034129",
            severity="Critical",
            size_bytes=402_653_184,
            reboot_required=True,
        ),
        Update(
            update_id="5e1c9b7a-2d4f-4b3e-8a61-0c9f2e7d3b02",
            title="2024-01 Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for Microsoft server operating "
            "system version 21H2 for x64 (KB5034613)",
            kb="5034613",
            severity="Important",
            size_bytes=75_497_472,
        ),
        Update(
            update_id="9a3e4c2b-7f1d-4d6a-b5e8-3c0a1f9e6d03",
            title="Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.403.3002.0)",
            kb="2267602",
            size_bytes=62_914_560,
        ),
    ]


class HostSettings(BaseModel):
    registry: dict[str, dict[str, RegistryValue]] = Field(default_factory=default_registry)
    time_zone: str = "Pacific Standard Time"
    updates: list[Update] = Field(default_factory=default_updates)
    license_status: int = 2  # SoftwareLicensingProduct.LicenseStatus: 1 Licensed, 2 OOBGrace, 5 Notification
    partial_product_key: str = DEFAULT_KEY_PARTIAL
    product_key_channel: str = "Volume:GVLK"
    local_users: list[str] = Field(
        default_factory=lambda: ["Administrator", "DefaultAccount", "Guest", "WDAGUtilityAccount"]
    )
    administrators: list[str] = Field(default_factory=lambda: ["Administrator"])  # "NAME" local, "DOM\\NAME"
    logged_on: list[str] = Field(default_factory=lambda: ["Administrator"])  # interactive sessions

    # ----- registry ---------------------------------------------------------------------------------------
    def find_key(self, path: str) -> str | None:
        """The stored spelling of an existing key (case-insensitive), or None. Parents of stored keys exist."""
        lowered = path.lower()
        for key in self.registry:
            if key.lower() == lowered:
                return key
        for key in self.registry:
            if key.lower().startswith(lowered + "\\"):
                return key[: len(path)]
        return None

    def create_key(self, path: str) -> str:
        existing = self.find_key(path)
        if existing is not None and existing in self.registry:
            self.registry[existing] = {}
            return existing
        self.registry[path] = {}
        return path

    def value(self, key: str, name: str) -> RegistryValue | None:
        found = self.find_key(key)
        values = self.registry.get(found or "", {})
        return next((v for n, v in values.items() if n.lower() == name.lower()), None)
