"""What the iSCSI Target Server (reference §4) and the iSCSI initiator (§5) return, as the stages read it.

Target-side objects are .NET objects (``Microsoft.Iscsi.Target.Commands.*``); initiator-side ones are CIM
instances (``MSFT_iSCSITargetPortal``, ``MSFT_iSCSITarget``, ``MSFT_iSCSISession``, ``MSFT_InitiatorPort``).
Type names are matched case-insensitively by their last part (the docs spell them both ways, §0.2).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

IQN_PREFIX = "iqn.1991-05.com.microsoft:"
ID_TYPES = ("Iqn", "DnsName", "IpAddress", "Ipv6Address", "MacAddress")


def kind_of(type_name: str) -> str:
    """``…CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_iSCSISession`` → ``msft_iscsisession``."""
    return type_name.rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(".", 1)[-1].lower()


def initiator_id(value: Any) -> str:
    """An InitiatorId as ``Method:Value`` (a nested object's Method/Value, or its text)."""
    if isinstance(value, dict):
        return f"{value.get('Method') or ''}:{value.get('Value') or ''}"
    return str(value)


def target_iqn(server_name: str, target_name: str) -> str:
    """What New-IscsiServerTarget will call the target (reference §4.2)."""
    return f"{IQN_PREFIX}{server_name}-{target_name}-target".lower()


class IscsiVirtualDisk(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    size: int = 0
    disk_type: str = "Dynamic"  # Dynamic | Fixed | Differencing
    status: str = "NotConnected"
    serial_number: str = ""

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> IscsiVirtualDisk:
        return cls(
            path=str(p.get("Path") or ""),
            size=int(p.get("Size") or 0),
            disk_type=str(p.get("DiskType") or "Dynamic"),
            status=str(p.get("Status") or "NotConnected"),
            serial_number=str(p.get("SerialNumber") or ""),
        )


class LunMapping(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    lun: int


class IscsiServerTarget(BaseModel):
    model_config = ConfigDict(frozen=True)

    target_name: str
    target_iqn: str
    initiator_ids: tuple[str, ...] = ()
    lun_mappings: tuple[LunMapping, ...] = ()
    sessions: int = 0
    status: str = "NotConnected"

    @property
    def short_dns_names(self) -> list[str]:
        """DnsName entries without a domain: initiators named so cannot log in (0xefff0029, §4.2)."""
        return [i for i in self.initiator_ids if i.lower().startswith("dnsname:") and "." not in i]

    def maps(self, path: str) -> bool:
        return any(m.path.lower() == path.lower() for m in self.lun_mappings)

    def allows(self, iqn: str, fqdn: str = "", addresses: tuple[str, ...] = ()) -> bool:
        """Whether an initiator would be admitted (the same exact matching the target server does)."""
        for entry in self.initiator_ids:
            kind, _, value = entry.partition(":")
            kind, value = kind.lower(), value.lower()
            if kind == "iqn" and value in ("*", iqn.lower()):
                return True
            if kind == "dnsname" and "." in value and value == fqdn.lower():
                return True
            if kind in ("ipaddress", "ipv6address") and value in addresses:
                return True
        return False

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> IscsiServerTarget:
        mappings = [
            LunMapping(path=str(m.get("Path") or ""), lun=int(m.get("Lun") or 0))
            for m in p.get("LunMappings") or []
            if isinstance(m, dict)
        ]
        return cls(
            target_name=str(p.get("TargetName") or ""),
            target_iqn=str(p.get("TargetIqn") or ""),
            initiator_ids=tuple(initiator_id(v) for v in p.get("InitiatorIds") or []),
            lun_mappings=tuple(mappings),
            sessions=len(p.get("Sessions") or []),
            status=str(p.get("Status") or "NotConnected"),
        )


class IscsiTargetPortal(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: str
    port: int = 3260

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> IscsiTargetPortal:
        return cls(
            address=str(p.get("TargetPortalAddress") or ""), port=int(p.get("TargetPortalPortNumber") or 3260)
        )


class IscsiTarget(BaseModel):
    model_config = ConfigDict(frozen=True)

    node_address: str
    is_connected: bool = False

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> IscsiTarget:
        return cls(node_address=str(p.get("NodeAddress") or ""), is_connected=bool(p.get("IsConnected")))


class IscsiSession(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_identifier: str
    target_node_address: str
    initiator_node_address: str = ""
    is_persistent: bool = False
    is_connected: bool = True

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> IscsiSession:
        return cls(
            session_identifier=str(p.get("SessionIdentifier") or ""),
            target_node_address=str(p.get("TargetNodeAddress") or ""),
            initiator_node_address=str(p.get("InitiatorNodeAddress") or ""),
            is_persistent=bool(p.get("IsPersistent")),
            is_connected=bool(p.get("IsConnected")),
        )


class InitiatorPort(BaseModel):
    model_config = ConfigDict(frozen=True)

    node_address: str

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> InitiatorPort:
        return cls(node_address=str(p.get("NodeAddress") or ""))
