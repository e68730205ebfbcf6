"""iSCSI initiator module (reference §5), CDXML over ROOT/Microsoft/Windows/Storage, on every host; and
Get-InitiatorPort (Storage module) for the initiator's IQN.

Every iSCSI cmdlet fails with ``HRESULT 0xefff003e`` while MSiSCSI is stopped (§5.1). Provider failures are
CimExceptions with FQID ``HRESULT 0x…,<cmdlet>`` and the iscsierr.h texts (§5.4).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.errors import CIM_EXCEPTION
from hvconsole.lab.engine.objects import cim_object
from hvconsole.lab.protocol import U16, U32, PSObj
from hvconsole.lab.world import iscsi
from hvconsole.lab.world.iscsi_state import FavoriteTarget, PortalData, SessionData

NAMESPACE = "ROOT/Microsoft/Windows/Storage"
MESSAGES = {  # iscsierr.h (reference §5.4, index id 373933719)
    0xEFFF0003: "Connection Failed.",
    0xEFFF0029: "The target name is not found or is marked as hidden from login.",
    0xEFFF001C: "Invalid Session Id.",
    0xEFFF003E: "The Microsoft iSCSI Initiator Service is not running. Please start the service and retry.",
    0xEFFF003F: "The target has already been logged in via an iSCSI session.",
    0xEFFF0043: "The specified portal was not found.",
}


def portal_object(portal: PortalData) -> PSObj:
    return cim_object(
        NAMESPACE,
        "MSFT_iSCSITargetPortal",
        {
            "InitiatorInstanceName": None,
            "InitiatorPortalAddress": portal.initiator_portal or None,
            "IsDataDigest": False,
            "IsHeaderDigest": False,
            "TargetPortalAddress": portal.address,
            "TargetPortalPortNumber": U16(portal.port),
        },
        to_string=f'MSFT_iSCSITargetPortal (TargetPortalAddress = "{portal.address}")',
    )


def target_object(node_address: str, connected: bool) -> PSObj:
    return cim_object(
        NAMESPACE,
        "MSFT_iSCSITarget",
        {"IsConnected": connected, "NodeAddress": node_address},
        to_string=f'MSFT_iSCSITarget (NodeAddress = "{node_address}")',
    )


def session_object(host: Any, session: SessionData) -> PSObj:
    return cim_object(
        NAMESPACE,
        "MSFT_iSCSISession",
        {  # reference §5.4 [T-VL]
            "AuthenticationType": "NONE",
            "InitiatorInstanceName": "ROOT\\ISCSIPRT\\0000_0",
            "InitiatorNodeAddress": iscsi.initiator_iqn(host),
            "InitiatorPortalAddress": "0.0.0.0",
            "InitiatorSideIdentifier": session.initiator_side_id,
            "IsConnected": True,
            "IsDataDigest": False,
            "IsDiscovered": False,
            "IsHeaderDigest": False,
            "IsPersistent": session.persistent,
            "NumberOfConnections": U32(1),
            "SessionIdentifier": session.session_id,
            "TargetNodeAddress": session.target,
            "TargetSideIdentifier": session.target_side_id,
        },
        to_string=f'MSFT_iSCSISession (SessionIdentifier = "{session.session_id}")',
    )


class _Initiator(Cmdlet):
    module_name = "iSCSI"
    cim_class = "MSFT_iSCSITarget"
    blocked = False

    def hresult(self, code: int, terminating: bool = False) -> None:
        record = self.make_error(
            MESSAGES[code],
            f"HRESULT 0x{code:08x}",
            exception_type=CIM_EXCEPTION,
            reason="CimException",
            target_name=f"{self.cim_class}:{NAMESPACE}/{self.cim_class}",
            target_type="CimInstance",
        )
        if terminating:
            self.throw(record)
        self.write_error(record)

    def begin(self) -> Iterator[Any]:
        service = self.host.service("MSiSCSI")
        self.blocked = service is None or service.status != "Running"
        if self.blocked:
            self.hresult(0xEFFF003E)
        return iter(())

    def process(self) -> Iterator[Any]:
        return iter(()) if self.blocked else self.work()

    def work(self) -> Iterator[Any]:
        return iter(())

    @property
    def state(self) -> Any:
        return self.host.iscsi.initiator

    def session_for(self, node_address: str) -> SessionData | None:
        return next((s for s in self.state.sessions if s.target.lower() == node_address.lower()), None)


@cmdlet
class NewIscsiTargetPortal(_Initiator):
    command_name = "New-IscsiTargetPortal"
    cim_class = "MSFT_iSCSITargetPortal"
    TargetPortalAddress = Param(types.STRING, position=0, mandatory=True)
    TargetPortalPortNumber = Param(types.UINT16, default=3260)
    InitiatorPortalAddress = Param(types.STRING)
    InitiatorInstanceName = Param(types.STRING)
    AuthenticationType = Param(types.STRING)

    def work(self) -> Iterator[Any]:
        portal = PortalData(
            address=self.TargetPortalAddress,
            port=int(self.TargetPortalPortNumber),
            initiator_portal=self.InitiatorPortalAddress or "",
        )
        found = iscsi.discover(self.world, self.host, portal)
        if found is None:  # inferred: unreachable, nothing listening or TCP 3260 blocked → Connection Failed
            self.hresult(0xEFFF0003)
            return
        existing = next((p for p in self.state.portals if p.address.lower() == portal.address.lower()), None)
        if existing is None:  # inferred: adding a known portal again just runs discovery again
            self.state.portals.append(portal)
        key = portal.address.lower()
        self.state.discovered = [d for d in self.state.discovered if d.portal.lower() != key] + (found or [])
        yield portal_object(existing or portal)


@cmdlet
class GetIscsiTargetPortal(_Initiator):
    command_name = "Get-IscsiTargetPortal"
    cim_class = "MSFT_iSCSITargetPortal"
    TargetPortalAddress = Param(types.STRINGS, position=0)

    def work(self) -> Iterator[Any]:
        portals = list(self.state.portals)
        for wanted in self.TargetPortalAddress or []:
            if not any(p.address.lower() == wanted.lower() for p in portals):
                self.not_found("MSFT_iSCSITargetPortal", "TargetPortalAddress", wanted)
        if self.TargetPortalAddress:
            names = {w.lower() for w in self.TargetPortalAddress}
            portals = [p for p in portals if p.address.lower() in names]
        yield from (portal_object(p) for p in portals)


@cmdlet
class RemoveIscsiTargetPortal(_Initiator):
    command_name = "Remove-IscsiTargetPortal"
    cim_class = "MSFT_iSCSITargetPortal"
    supports_should_process = True
    TargetPortalAddress = Param(types.STRINGS, position=0, mandatory=True, from_pipeline_by_name=True)
    TargetPortalPortNumber = Param(types.UINT16)

    def work(self) -> Iterator[Any]:
        for wanted in self.TargetPortalAddress:
            portal = next((p for p in self.state.portals if p.address.lower() == wanted.lower()), None)
            if portal is None:
                self.not_found("MSFT_iSCSITargetPortal", "TargetPortalAddress", wanted)
                continue
            if self.should_process(portal.address, "Remove"):
                self.state.portals.remove(portal)
                self.state.discovered = [
                    d for d in self.state.discovered if d.portal.lower() != portal.address.lower()
                ]
        return iter(())


@cmdlet
class UpdateIscsiTarget(_Initiator):
    command_name = "Update-IscsiTarget"
    NodeAddress = Param(types.STRINGS, position=0)

    def work(self) -> Iterator[Any]:
        iscsi.refresh_discovery(self.world, self.host)
        return iter(())


@cmdlet
class GetIscsiTarget(_Initiator):
    command_name = "Get-IscsiTarget"
    NodeAddress = Param(types.STRINGS, position=0)

    def work(self) -> Iterator[Any]:
        seen: dict[str, None] = {}
        for found in self.state.discovered:
            seen.setdefault(found.node_address, None)
        for session in self.state.sessions:
            seen.setdefault(session.target, None)
        rows = list(seen)
        for wanted in self.NodeAddress or []:
            if not any(r.lower() == wanted.lower() for r in rows):
                self.not_found("MSFT_iSCSITarget", "NodeAddress", wanted)
        if self.NodeAddress:
            rows = [r for r in rows if r.lower() in {w.lower() for w in self.NodeAddress}]
        yield from (target_object(r, self.session_for(r) is not None) for r in rows)


@cmdlet
class ConnectIscsiTarget(_Initiator):
    command_name = "Connect-IscsiTarget"
    NodeAddress = Param(types.STRING, position=0, mandatory=True, from_pipeline_by_name=True)
    TargetPortalAddress = Param(types.STRING)
    TargetPortalPortNumber = Param(types.UINT16)
    InitiatorPortalAddress = Param(types.STRING)
    IsPersistent = Param(types.BOOL, default=False)
    IsMultipathEnabled = Param(types.BOOL, default=False)
    AuthenticationType = Param(types.STRING, validate_set=("NONE", "ONEWAYCHAP", "MUTUALCHAP"))
    ReportToPnP = Param(types.BOOL)

    def work(self) -> Iterator[Any]:
        if self.session_for(self.NodeAddress) is not None:
            self.hresult(0xEFFF003F)  # a second Connect (§5.4)
            return
        known = [d for d in self.state.discovered if d.node_address.lower() == self.NodeAddress.lower()]
        if self.TargetPortalAddress:
            known = [d for d in known if d.portal.lower() == self.TargetPortalAddress.lower()]
        found = iscsi.find_target(self.world, self.NodeAddress)
        portal = PortalData(address=known[0].portal, port=known[0].port) if known else None
        server = iscsi.portal_server(self.world, self.host, portal) if portal else None
        if found is None or server is None or found[0] is not server or not iscsi.admits(found[1], self.host):
            self.hresult(0xEFFF0029)  # not discovered, gone, or this initiator is not allowed (§4.2, §5.4)
            return
        assert found is not None and portal is not None
        session = iscsi.login(
            self.world,
            self.host,
            found[0],
            found[1],
            portal,
            bool(self.IsPersistent),
            bool(self.IsMultipathEnabled),
        )
        if self.IsPersistent:
            self._remember(session)
        yield session_object(self.host, session)

    def _remember(self, session: SessionData) -> None:
        favorites = [f for f in self.state.favorites if f.target.lower() != session.target.lower()]
        favorites.append(
            FavoriteTarget(
                target=session.target, portal=session.portal, port=session.port, multipath=session.multipath
            )
        )
        self.state.favorites = favorites


@cmdlet
class DisconnectIscsiTarget(_Initiator):
    command_name = "Disconnect-IscsiTarget"
    supports_should_process = True
    confirm_impact = "High"  # reference §5.6: it prompts by default; iSCSIDsc passes -Confirm:$false
    NodeAddress = Param(types.STRINGS, position=0, from_pipeline_by_name=True)
    SessionIdentifier = Param(types.STRINGS, from_pipeline_by_name=True)

    def work(self) -> Iterator[Any]:
        chosen = [
            s
            for s in self.state.sessions
            if (self.NodeAddress and s.target.lower() in {n.lower() for n in self.NodeAddress})
            or (self.SessionIdentifier and s.session_id in self.SessionIdentifier)
        ]
        if not chosen:
            self.hresult(0xEFFF001C)  # inferred: not connected (§5.6 says it errors; code not captured)
            return iter(())
        for session in chosen:
            if self.should_process(session.target, "Disconnect"):
                iscsi.logout(self.world, self.host, session)
        return iter(())


@cmdlet
class GetIscsiSession(_Initiator):
    command_name = "Get-IscsiSession"
    cim_class = "MSFT_iSCSISession"
    SessionIdentifier = Param(types.STRINGS)

    def work(self) -> Iterator[Any]:
        sessions = self.state.sessions
        if self.SessionIdentifier:
            sessions = [s for s in sessions if s.session_id in self.SessionIdentifier]
            if not sessions:
                self.not_found("MSFT_iSCSISession", "SessionIdentifier", self.SessionIdentifier[0])
        yield from (session_object(self.host, s) for s in sessions)


class _Registration(_Initiator):
    cim_class = "MSFT_iSCSISession"
    SessionIdentifier = Param(types.STRINGS, position=0, mandatory=True, from_pipeline_by_name=True)
    IsMultipathEnabled = Param(types.BOOL)

    def sessions(self) -> list[SessionData]:
        chosen = [s for s in self.state.sessions if s.session_id in self.SessionIdentifier]
        if not chosen:
            self.hresult(0xEFFF001C)
            return []
        return chosen


@cmdlet
class RegisterIscsiSession(_Registration):
    command_name = "Register-IscsiSession"

    def work(self) -> Iterator[Any]:
        for session in self.sessions():  # makes the login persistent (§5.5)
            session.persistent = True
            if self.IsMultipathEnabled is not None:
                session.multipath = bool(self.IsMultipathEnabled)
            ConnectIscsiTarget._remember(self, session)  # type: ignore[arg-type]
        return iter(())


@cmdlet
class UnregisterIscsiSession(_Registration):
    command_name = "Unregister-IscsiSession"

    def work(self) -> Iterator[Any]:
        for session in self.sessions():
            session.persistent = False
            self.state.favorites = [
                f for f in self.state.favorites if f.target.lower() != session.target.lower()
            ]
        return iter(())


@cmdlet
class GetInitiatorPort(Cmdlet):
    """The iSCSI initiator's port (# inferred properties; available while MSiSCSI is stopped)."""

    command_name = "Get-InitiatorPort"
    module_name = "Storage"
    NodeAddress = Param(types.STRINGS, position=0)
    ConnectionType = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        iqn = iscsi.initiator_iqn(self.host)
        if self.NodeAddress and iqn not in [n.lower() for n in self.NodeAddress]:
            self.not_found("MSFT_InitiatorPort", "NodeAddress", self.NodeAddress[0])
            return
        yield cim_object(
            NAMESPACE,
            "MSFT_InitiatorPort",
            {
                "ConnectionType": U16(5),
                "InstanceName": "ROOT\\ISCSIPRT\\0000_0_0",
                "NodeAddress": iqn,
                "OperationalStatus": [U16(2)],
                "OtherConnectionTypeDescription": None,
                "PortAddress": "ISCSI ANY PORT",
                "PortType": U16(3),
                "ObjectId": f"{{1}}\\\\{self.host.name}\\root/Microsoft/Windows/Storage/"
                f'Providers_v2\\WSP_InitiatorPort.ObjectId="ROOT\\\\ISCSIPRT\\\\0000_0_0"',
            },
            to_string='MSFT_InitiatorPort (ObjectId = "ROOT\\ISCSIPRT\\0000_0_0")',
        )
