"""The iSCSI data a simulated host keeps: as a target server (virtual disks, targets, the VHDX files on its
volumes) and as an initiator (portals, discovered targets, sessions, favorite targets, remembered disks).
Plain pydantic data; the behaviour is in ``lab/world/iscsi.py``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class VirtualDiskData(BaseModel):
    path: str  # as given, e.g. "L:\\iSCSIVirtualDisks\\Quorum.vhdx"
    size: int
    fixed: bool = False
    serial: str  # GUID, upper-case; the initiator sees it as the disk's SerialNumber (reference §4.1, §6.1)
    index: int  # VirtualDiskIndex
    host_volume_id: str  # "{GUID}" of the volume holding the file
    description: str = ""
    disk_id: str  # the LUN's content in World.disks


class LunMapping(BaseModel):
    path: str
    lun: int


class ServerTargetData(BaseModel):
    name: str
    iqn: str
    initiator_ids: list[str] = Field(default_factory=list)  # "DnsName:x", "Iqn:x", "IpAddress:x", ...
    luns: list[LunMapping] = Field(default_factory=list)
    description: str = ""
    last_login: float | None = None
    logins: int = 0  # TargetSideIdentifier counter (0100, 0200, … reference §5.4)


class TargetServerState(BaseModel):
    virtual_disks: list[VirtualDiskData] = Field(default_factory=list)
    targets: list[ServerTargetData] = Field(default_factory=list)
    files: dict[str, int] = Field(default_factory=dict)  # lower-case VHDX path -> bytes taken on its volume
    next_index: int = 1


class PortalData(BaseModel):
    address: str  # as given: IP or DNS name
    port: int = 3260
    initiator_portal: str = ""


class DiscoveredTarget(BaseModel):
    node_address: str
    portal: str
    port: int = 3260


class SessionData(BaseModel):
    target: str  # target IQN
    target_host: str  # Host.id of the target server
    portal: str
    port: int = 3260
    session_id: str
    initiator_side_id: str
    target_side_id: str
    persistent: bool = False
    multipath: bool = False
    disks: list[str] = Field(default_factory=list)  # World.disks ids attached through this session


class FavoriteTarget(BaseModel):
    """A persistent login: logged in again at boot (Register-IscsiSession / -IsPersistent $true)."""

    target: str
    portal: str
    port: int = 3260
    multipath: bool = False


class RememberedDisk(BaseModel):
    """What the host remembers about a LUN it saw before (# inferred: Windows keeps a disk's online state
    and number by its identity, so a LUN that comes back after a logout or reboot is as it was)."""

    number: int
    is_offline: bool = True
    is_readonly: bool = True


class InitiatorState(BaseModel):
    portals: list[PortalData] = Field(default_factory=list)
    discovered: list[DiscoveredTarget] = Field(default_factory=list)
    sessions: list[SessionData] = Field(default_factory=list)
    favorites: list[FavoriteTarget] = Field(default_factory=list)
    remembered: dict[str, RememberedDisk] = Field(default_factory=dict)  # disk id -> state


class IscsiHostState(BaseModel):
    target: TargetServerState = Field(default_factory=TargetServerState)
    initiator: InitiatorState = Field(default_factory=InitiatorState)
