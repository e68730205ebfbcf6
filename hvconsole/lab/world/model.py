"""The simulated world's data: hosts, their NICs, services, features, firewall, and disks.

Everything here is plain pydantic data (persisted as JSON by ``store``); behaviour that changes it lives in
the cmdlets and in ``World``'s few methods. Shape chosen for what comes later:

* A ``Disk`` is one object in ``World.disks`` (its content: partition style, partitions, volumes). A host
  sees it through a ``DiskView`` (its disk number there, its own offline/read-only state), so a LUN shared
  by several hosts is one ``Disk`` with a view on each host.
* ``Host.pending`` holds changes that take effect at the next reboot (rename, domain join, features).
* ``Host.power`` is "Running" or "Rebooting"; ``World.request_reboot`` notifies listeners (the runtime stops
  the host's endpoint and starts it again after the delay on the lab clock).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, Field, PrivateAttr

from hvconsole.lab.world.cluster_state import ClusterData
from hvconsole.lab.world.iscsi_state import IscsiHostState
from hvconsole.lab.world.settings import HostSettings
from hvconsole.lab.world.vms import HyperVState

STATE_VERSION = 1


class Subnet(BaseModel):
    name: str
    prefix: str  # "10.20.0.0/24"
    gateway: str | None = None
    dns_servers: list[str] = Field(default_factory=list)
    dhcp: bool = True
    leased: list[str] = Field(default_factory=list)  # addresses handed out by the simulated DHCP server


class IPAddress(BaseModel):
    address: str
    prefix_length: int
    family: str = "IPv4"  # "IPv4" | "IPv6"
    prefix_origin: str = "Dhcp"  # Other | Manual | WellKnown | Dhcp | RouterAdvertisement
    suffix_origin: str = "Dhcp"  # Other | Manual | WellKnown | Dhcp | Link | Random
    state: str = "Preferred"  # Invalid | Tentative | Duplicate | Deprecated | Preferred
    lease_obtained: float | None = None  # lab time (epoch seconds) for DHCP leases
    lease_seconds: int | None = None


class NetAdapter(BaseModel):
    name: str  # "Ethernet", "Ethernet 2"
    description: str  # "Microsoft Hyper-V Network Adapter", "... #2"
    if_index: int
    mac: str  # "00-15-5D-0A-01-02"
    guid: str  # "{...}" InterfaceGuid / DeviceID
    subnet: str | None = None  # the simulated segment it is plugged into
    status: str = "Up"  # Up | Disconnected | Disabled
    speed_bps: int = 10_000_000_000
    mtu: int = 1500
    virtual: bool = False
    dhcp: bool = True
    addresses: list[IPAddress] = Field(default_factory=list)
    gateway: str | None = None
    static_dns: list[str] = Field(default_factory=list)  # empty: the DHCP-provided servers apply
    dhcp_dns: list[str] = Field(default_factory=list)

    @property
    def dns_servers(self) -> list[str]:
        return list(self.static_dns or self.dhcp_dns)


class Service(BaseModel):
    name: str
    display_name: str
    status: str = "Stopped"  # Stopped | StartPending | StopPending | Running | ...
    start_type: str = "Manual"  # Boot | System | Automatic | Manual | Disabled
    service_type: str = "Win32ShareProcess"  # Win32OwnProcess | Win32ShareProcess
    depends_on: list[str] = Field(default_factory=list)


class FirewallRule(BaseModel):
    name: str  # the rule ID, e.g. "WINRM-HTTP-In-TCP"
    display_name: str
    group: str  # DisplayGroup
    enabled: bool
    direction: str = "Inbound"
    action: str = "Allow"
    profile: str = "Any"
    protocol: str = "TCP"
    local_port: str = "Any"


class Volume(BaseModel):
    id: str  # the GUID in \\?\Volume{guid}\
    label: str = ""
    file_system: str = "NTFS"
    size: int
    size_remaining: int
    allocation_unit: int = 4096
    files: dict[str, int] = Field(default_factory=dict)  # path -> bytes, e.g. iSCSI .vhdx (world/storage.py)


class Partition(BaseModel):
    number: int
    offset: int
    size: int
    type: str = "Basic"  # Basic | Reserved | System | IFS | ...
    gpt_type: str | None = None
    mbr_type: int | None = None
    drive_letter: str | None = None
    is_active: bool = False
    is_boot: bool = False
    is_system: bool = False
    guid: str | None = None
    volume: Volume | None = None


class Disk(BaseModel):
    """The disk itself (a VHD of a simulated VM, or an iSCSI LUN): what every host that sees it shares."""

    id: str
    friendly_name: str
    model: str
    manufacturer: str = "Msft"
    serial: str = ""
    size: int
    bus_type: int  # MSFT_Disk BusType (reference §6.1): 3 ATA, 9 iSCSI, 10 SAS
    partition_style: int = 0  # 0 RAW, 1 MBR, 2 GPT
    provisioning_type: int = 2  # 1 Thin, 2 Fixed
    signature: int | None = None
    guid: str | None = None
    unique_id: str
    is_clustered: bool = False  # managed by Failover Clustering: Storage cmdlets refuse with 41018 (ref §6.1)
    partitions: list[Partition] = Field(default_factory=list)

    @property
    def allocated(self) -> int:
        return sum(p.size for p in self.partitions)


class DiskView(BaseModel):
    """One host's view of a disk."""

    disk_id: str
    number: int
    location: str
    path: str
    is_offline: bool = False
    is_readonly: bool = False
    offline_reason: int | None = None  # 1 Policy, ...
    is_boot: bool = False
    is_system: bool = False
    drive_letters: dict[str, str] = Field(default_factory=dict)  # partition number -> this host's letter


class Domain(BaseModel):
    """An Active Directory domain created by Install-ADDSForest (lab/world/domain.py has its behaviour)."""

    name: str  # FQDN, e.g. "virtuallab.com"
    netbios: str  # "VIRTUALLAB"
    dc: str  # Host.id of the (only) domain controller
    records: dict[str, str] = Field(default_factory=dict)  # DNS zone: lower-case FQDN -> IPv4 (A records)


class Host(BaseModel):
    id: str  # stable key in the scenario: "storage", "node1", "node2"
    role: str  # what the scenario intends it to become: "storage-dc" | "hyperv"
    name: str  # NetBIOS computer name, upper-case
    workgroup: str | None = "WORKGROUP"
    domain: str | None = None  # FQDN once joined
    domain_role: int = 2  # Win32_ComputerSystem.DomainRole: 2 Standalone Server
    os_caption: str = "Microsoft Windows Server 2022 Datacenter"
    os_version: str = "10.0.20348"
    os_build: str = "20348"
    os_serial: str = ""
    install_date: float = 0.0
    boot_time: float = 0.0
    memory_bytes: int = 8 * 1024**3
    processors: int = 4
    power: str = "Running"  # Running | Rebooting
    adapters: list[NetAdapter] = Field(default_factory=list)
    services: dict[str, Service] = Field(default_factory=dict)  # key: service name lower-case
    features: dict[str, str] = Field(default_factory=dict)  # name -> InstallState, for non-Available ones
    firewall_rules: list[FirewallRule] = Field(default_factory=list)
    disks: list[DiskView] = Field(default_factory=list)
    pending: dict[str, Any] = Field(default_factory=dict)  # changes applied at the next reboot
    settings: HostSettings = Field(default_factory=HostSettings)  # SConfig's items (settings.py)
    clock_offset: float = 0.0  # seconds this host's clock is ahead of the lab clock (Kerberos skew checks)
    iscsi: IscsiHostState = Field(default_factory=IscsiHostState)  # target server + initiator (world/iscsi.py)
    hyperv: HyperVState = Field(default_factory=HyperVState)  # switches, VMs, migrations (world/vms.py)

    def feature_state(self, name: str) -> str:
        for key, state in self.features.items():
            if key.lower() == name.lower():
                return state
        return "Available"

    def feature_installed(self, name: str) -> bool:
        return self.feature_state(name) == "Installed"

    def service(self, name: str) -> Service | None:
        return self.services.get(name.lower())

    def adapter(self, name: str) -> NetAdapter | None:
        return next((a for a in self.adapters if a.name.lower() == name.lower()), None)

    @property
    def fqdn(self) -> str:
        return f"{self.name.lower()}.{self.domain}" if self.domain else self.name.lower()


class World(BaseModel):
    version: int = STATE_VERSION
    scenario: str
    seed: int
    lab_time: float  # lab clock (epoch seconds) when last saved
    admin_username: str = "Administrator"
    admin_password: str = Field(repr=False)
    subnets: list[Subnet] = Field(default_factory=list)
    hosts: list[Host] = Field(default_factory=list)
    disks: dict[str, Disk] = Field(default_factory=dict)
    domains: list[Domain] = Field(default_factory=list)
    clusters: list[ClusterData] = Field(default_factory=list)  # failover clusters (world/cluster.py)
    rng_counter: int = 0

    _reboot_listeners: list[Callable[[Host, float], None]] = PrivateAttr(default_factory=list)
    _service_listeners: list[Callable[[Host, str], None]] = PrivateAttr(default_factory=list)
    _address_listeners: list[Callable[[Host], None]] = PrivateAttr(default_factory=list)
    _clock: Any = PrivateAttr(default=None)
    # ``hook(world, host)`` after a host booted and its pending changes applied (lab/world/iscsi.py: services
    # that start at boot, persistent iSCSI logins). Modules register at import.
    boot_hooks: ClassVar[list[Callable[[World, Host], None]]] = []

    def host(self, key: str) -> Host | None:
        """By id or computer name (case-insensitive)."""
        lowered = key.lower()
        return next((h for h in self.hosts if h.id.lower() == lowered or h.name.lower() == lowered), None)

    def disk(self, disk_id: str) -> Disk:
        return self.disks[disk_id]

    def subnet(self, name: str) -> Subnet | None:
        return next((s for s in self.subnets if s.name == name), None)

    # ----- clock ------------------------------------------------------------------------------------------
    def attach_clock(self, clock: Any) -> None:
        self._clock = clock

    def now(self) -> float:
        """Lab time in epoch seconds (the attached LabClock, or the saved time when none runs)."""
        return float(self._clock.now()) if self._clock is not None else self.lab_time

    # ----- reboots ----------------------------------------------------------------------------------------
    def on_service_change(self, listener: Callable[[Host, str], None]) -> None:
        """``listener(host, service_name)`` after a service's status or start type changed (the runtime stops
        a host's endpoint when its WinRM service stops)."""
        self._service_listeners.append(listener)

    def service_changed(self, host: Host, name: str) -> None:
        for listener in list(self._service_listeners):
            listener(host, name)

    def on_reboot(self, listener: Callable[[Host, float], None]) -> None:
        """``listener(host, delay_lab_seconds)`` is called when a host starts rebooting."""
        self._reboot_listeners.append(listener)

    def request_reboot(self, host: Host, delay_lab_seconds: float = 45.0) -> None:
        host.power = "Rebooting"
        for listener in list(self._reboot_listeners):
            listener(host, delay_lab_seconds)

    # ----- address changes: the runtime moves the host's endpoint (lab/world/network.py) ------------------
    def on_address_change(self, listener: Callable[[Host], None]) -> None:
        """``listener(host)`` is called after a cmdlet changed the host's IPv4 addresses."""
        self._address_listeners.append(listener)

    def addresses_changed(self, host: Host) -> None:
        for listener in list(self._address_listeners):
            listener(host)

    def finish_reboot(self, host: Host) -> None:
        """The host is up again, with its pending changes (rename, join, features, promotion) applied."""
        from hvconsole.lab.world.domain import apply_pending  # the boot-time behaviour lives there

        apply_pending(self, host)
        host.power = "Running"
        host.boot_time = self.now()
        for hook in list(World.boot_hooks):
            hook(self, host)

    def host_now(self, host: Host) -> float:
        """The host's own clock (lab time plus its offset)."""
        return self.now() + host.clock_offset
