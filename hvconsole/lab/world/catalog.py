"""What Windows Server 2022 Datacenter ships: the feature tree, a fresh install's services, firewall groups.

Feature names/display names for the lab are from reference §3.2; the tree's shape (Path, Depth, parents) and
the set installed by default on a fresh Server install are # inferred from Server Manager's layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from hvconsole.lab.world.model import FirewallRule, Service


@dataclass(frozen=True)
class FeatureDef:
    name: str
    display_name: str
    feature_type: str  # "Role" | "Role Service" | "Feature"
    parent: str | None = None
    depends_on: tuple[str, ...] = ()
    restart_needed: bool = False
    default_installed: bool = False


def _f(
    name: str,
    display: str,
    kind: str,
    parent: str | None = None,
    *,
    depends: tuple[str, ...] = (),
    restart: bool = False,
    installed: bool = False,
) -> FeatureDef:
    return FeatureDef(name, display, kind, parent, depends, restart, installed)


# In Get-WindowsFeature's order (roles, then features; children after their parent).
FEATURES: tuple[FeatureDef, ...] = (
    _f(
        "AD-Domain-Services",
        "Active Directory Domain Services",
        "Role",
        depends=("GPMC", "RSAT-AD-PowerShell"),
    ),
    _f("DNS", "DNS Server", "Role"),
    _f("FileAndStorage-Services", "File and Storage Services", "Role", installed=True),
    _f("File-Services", "File and iSCSI Services", "Role Service", "FileAndStorage-Services", installed=True),
    _f("FS-FileServer", "File Server", "Role Service", "File-Services", installed=True),
    _f(
        "FS-iSCSITarget-Server",
        "iSCSI Target Server",
        "Role Service",
        "File-Services",
        depends=("FS-FileServer",),
    ),
    _f("Storage-Services", "Storage Services", "Role Service", "FileAndStorage-Services", installed=True),
    _f("Hyper-V", "Hyper-V", "Role", restart=True),
    _f("Failover-Clustering", "Failover Clustering", "Feature"),
    _f("GPMC", "Group Policy Management", "Feature"),
    _f("NET-Framework-45-Features", ".NET Framework 4.8 Features", "Feature", installed=True),
    _f("NET-Framework-45-Core", ".NET Framework 4.8", "Feature", "NET-Framework-45-Features", installed=True),
    _f("RSAT", "Remote Server Administration Tools", "Feature"),
    _f("RSAT-Feature-Tools", "Feature Administration Tools", "Feature", "RSAT"),
    _f("RSAT-Clustering", "Failover Clustering Tools", "Feature", "RSAT-Feature-Tools"),
    _f("RSAT-Clustering-Mgmt", "Failover Cluster Management Tools", "Feature", "RSAT-Clustering"),
    _f(
        "RSAT-Clustering-PowerShell",
        "Failover Cluster Module for Windows PowerShell",
        "Feature",
        "RSAT-Clustering",
    ),
    _f("RSAT-Role-Tools", "Role Administration Tools", "Feature", "RSAT"),
    _f("RSAT-AD-Tools", "AD DS and AD LDS Tools", "Feature", "RSAT-Role-Tools"),
    _f("RSAT-AD-PowerShell", "Active Directory module for Windows PowerShell", "Feature", "RSAT-AD-Tools"),
    _f("RSAT-ADDS", "AD DS Tools", "Feature", "RSAT-AD-Tools"),
    _f("RSAT-AD-AdminCenter", "Active Directory Administrative Center", "Feature", "RSAT-ADDS"),
    _f("RSAT-ADDS-Tools", "AD DS Snap-Ins and Command-Line Tools", "Feature", "RSAT-ADDS"),
    _f("RSAT-Hyper-V-Tools", "Hyper-V Management Tools", "Feature", "RSAT-Role-Tools"),
    _f("Hyper-V-Tools", "Hyper-V GUI Management Tools", "Feature", "RSAT-Hyper-V-Tools"),
    _f("Hyper-V-PowerShell", "Hyper-V Module for Windows PowerShell", "Feature", "RSAT-Hyper-V-Tools"),
    _f("RSAT-DNS-Server", "DNS Server Tools", "Feature", "RSAT-Role-Tools"),
    _f("System-DataArchiver", "System Data Archiver", "Feature", installed=True),
    _f("Windows-Defender", "Microsoft Defender Antivirus", "Feature", installed=True),
    _f("PowerShellRoot", "Windows PowerShell", "Feature", installed=True),
    _f("PowerShell", "Windows PowerShell 5.1", "Feature", "PowerShellRoot", installed=True),
    _f("PowerShell-ISE", "Windows PowerShell ISE", "Feature", "PowerShellRoot", installed=True),
    _f("WoW64-Support", "WoW64 Support", "Feature", installed=True),
    _f("XPS-Viewer", "XPS Viewer", "Feature", installed=True),
)
FEATURES_BY_NAME: dict[str, FeatureDef] = {f.name.lower(): f for f in FEATURES}


def feature(name: str) -> FeatureDef | None:
    return FEATURES_BY_NAME.get(name.lower())


def feature_path(definition: FeatureDef) -> tuple[str, int]:
    """(Path, Depth): display names from the root, joined with backslashes; depth 1 at the root."""
    parts = [definition.display_name]
    current = definition
    while current.parent:
        parent = FEATURES_BY_NAME[current.parent.lower()]
        parts.insert(0, parent.display_name)
        current = parent
    return "\\".join(parts), len(parts)


def subfeatures(name: str) -> list[str]:
    return [f.name for f in FEATURES if f.parent and f.parent.lower() == name.lower()]


def default_features() -> dict[str, str]:
    return {f.name: "Installed" for f in FEATURES if f.default_installed}


# Fresh Server 2022 services relevant to the lab (reference §5.1 for MSiSCSI; others # inferred).
_SERVICES: tuple[tuple[str, str, str, str, str], ...] = (
    ("BFE", "Base Filtering Engine", "Running", "Automatic", "Win32ShareProcess"),
    ("Dhcp", "DHCP Client", "Running", "Automatic", "Win32ShareProcess"),
    ("Dnscache", "DNS Client", "Running", "Automatic", "Win32ShareProcess"),
    ("EventLog", "Windows Event Log", "Running", "Automatic", "Win32ShareProcess"),
    ("LanmanServer", "Server", "Running", "Automatic", "Win32ShareProcess"),
    ("LanmanWorkstation", "Workstation", "Running", "Automatic", "Win32ShareProcess"),
    ("mpssvc", "Windows Defender Firewall", "Running", "Automatic", "Win32ShareProcess"),
    ("MSiSCSI", "Microsoft iSCSI Initiator Service", "Stopped", "Manual", "Win32ShareProcess"),
    ("Netlogon", "Netlogon", "Stopped", "Manual", "Win32ShareProcess"),
    ("RpcSs", "Remote Procedure Call (RPC)", "Running", "Automatic", "Win32ShareProcess"),
    ("TermService", "Remote Desktop Services", "Stopped", "Manual", "Win32ShareProcess"),
    ("vds", "Virtual Disk", "Stopped", "Manual", "Win32OwnProcess"),
    ("W32Time", "Windows Time", "Stopped", "Manual", "Win32ShareProcess"),
    ("WinDefend", "Microsoft Defender Antivirus Service", "Running", "Automatic", "Win32OwnProcess"),
    ("Winmgmt", "Windows Management Instrumentation", "Running", "Automatic", "Win32ShareProcess"),
    ("WinRM", "Windows Remote Management (WS-Management)", "Running", "Automatic", "Win32ShareProcess"),
    ("wuauserv", "Windows Update", "Stopped", "Manual", "Win32ShareProcess"),
)
_DEPENDS = {
    "WinRM": ["RPCSS", "HTTP"],
    "LanmanServer": ["SamSS", "Srv2"],
    "MSiSCSI": [],
    "mpssvc": ["mpsdrv", "BFE"],
}


def default_services() -> dict[str, Service]:
    return {
        name.lower(): Service(
            name=name,
            display_name=display,
            status=status,
            start_type=start,
            service_type=kind,
            depends_on=_DEPENDS.get(name, []),
        )
        for name, display, status, start, kind in _SERVICES
    }


# Reference §1.8: built-in rule groups and their default state on Server 2022.
_RULES: tuple[tuple[str, str, str, bool, str, str, str], ...] = (
    # name, display name, group, enabled, direction, profile, port
    (
        "RemoteDesktop-UserMode-In-TCP",
        "Remote Desktop - User Mode (TCP-In)",
        "Remote Desktop",
        False,
        "Inbound",
        "Any",
        "3389",
    ),
    (
        "RemoteDesktop-UserMode-In-UDP",
        "Remote Desktop - User Mode (UDP-In)",
        "Remote Desktop",
        False,
        "Inbound",
        "Any",
        "3389",
    ),
    (
        "RemoteDesktop-Shadow-In-TCP",
        "Remote Desktop - Shadow (TCP-In)",
        "Remote Desktop",
        False,
        "Inbound",
        "Any",
        "Any",
    ),
    (
        "WINRM-HTTP-In-TCP",
        "Windows Remote Management (HTTP-In)",
        "Windows Remote Management",
        True,
        "Inbound",
        "Domain, Private",
        "5985",
    ),
    (
        "WINRM-HTTP-In-TCP-PUBLIC",
        "Windows Remote Management (HTTP-In)",
        "Windows Remote Management",
        True,
        "Inbound",
        "Public",
        "5985",
    ),  # ID inferred
    (
        "RVM-VDS-In-TCP",
        "Remote Volume Management - Virtual Disk Service (RPC)",
        "Remote Volume Management",
        False,
        "Inbound",
        "Any",
        "RPC",
    ),
    (
        "RVM-VDSLDR-In-TCP",
        "Remote Volume Management - Virtual Disk Service Loader (RPC)",
        "Remote Volume Management",
        False,
        "Inbound",
        "Any",
        "RPC",
    ),
    (
        "RVM-RPCSS-In-TCP",
        "Remote Volume Management (RPC-EPMAP)",
        "Remote Volume Management",
        False,
        "Inbound",
        "Any",
        "RPCEPMap",
    ),
    (
        "RemoteEventLogSvc-In-TCP",
        "Remote Event Log Management (RPC)",
        "Remote Event Log Management",
        False,
        "Inbound",
        "Any",
        "RPC",
    ),
    (
        "RemoteEventLogSvc-NP-In-TCP",
        "Remote Event Log Management (NP-In)",
        "Remote Event Log Management",
        False,
        "Inbound",
        "Any",
        "445",
    ),
    (
        "RemoteEventLogSvc-RPCSS-In-TCP",
        "Remote Event Log Management (RPC-EPMAP)",
        "Remote Event Log Management",
        False,
        "Inbound",
        "Any",
        "RPCEPMap",
    ),
    (
        "RemoteFwAdmin-In-TCP",
        "Windows Defender Firewall Remote Management (RPC)",
        "Windows Defender Firewall Remote Management",
        False,
        "Inbound",
        "Any",
        "RPC",
    ),
    (
        "RemoteFwAdmin-RPCSS-In-TCP",
        "Windows Defender Firewall Remote Management (RPC-EPMAP)",
        "Windows Defender Firewall Remote Management",
        False,
        "Inbound",
        "Any",
        "RPCEPMap",
    ),
    ("MsiScsi-In-TCP", "iSCSI Service (TCP-In)", "iSCSI Service", False, "Inbound", "Any", "Any"),
    ("MsiScsi-Out-TCP", "iSCSI Service (TCP-Out)", "iSCSI Service", False, "Outbound", "Any", "Any"),
    (
        "FPS-SMB-In-TCP",
        "File and Printer Sharing (SMB-In)",
        "File and Printer Sharing",
        True,
        "Inbound",
        "Any",
        "445",
    ),  # inferred: enabled with FS-FileServer
    (
        "FPS-ICMP4-ERQ-In",
        "File and Printer Sharing (Echo Request - ICMPv4-In)",
        "File and Printer Sharing",
        False,
        "Inbound",
        "Any",
        "Any",
    ),
)


def default_firewall_rules() -> list[FirewallRule]:
    return [
        FirewallRule(
            name=name,
            display_name=display,
            group=group,
            enabled=enabled,
            direction=direction,
            profile=profile,
            protocol="ICMPv4" if "ICMP" in name else ("UDP" if name.endswith("UDP") else "TCP"),
            local_port=port,
        )
        for name, display, group, enabled, direction, profile, port in _RULES
    ]
