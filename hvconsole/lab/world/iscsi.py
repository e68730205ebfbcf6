"""iSCSI behaviour of the simulated world: names (IQNs), where a VHDX file lives, who may log in, whether a
portal answers, logins/logouts, and the LUNs an initiator sees.

The disks engineer's side of the contract: a LUN served by a target is one ``Disk`` in ``World.disks``
(created with its virtual disk: FriendlyName "MSFT Virtual HD", BusType 9, SerialNumber = the virtual disk's
SerialNumber, reference §4.1/§6.1). ``attach_lun(world, host, disk_id)`` gives a logged-in initiator a
``DiskView`` of it (Offline by SAN policy and RAW the first time; as it was left when it comes back);
``detach_lun(world, host, disk_id)`` removes the view at logout. Storage cmdlets work on those views.

Access (reference §4.2): an initiator may see and log in to a target when one InitiatorId matches it exactly
— ``Iqn:*``, ``Iqn:<its IQN>``, ``DnsName:<its FQDN>`` (the primary FQDN with its domain: a short name
never matches, # inferred from the [T-VL] warning and 0xefff0029), ``IpAddress:<one of its IPv4 addresses>``, ``MacAddress:<one of its MACs>``.
"""

from __future__ import annotations

import hashlib
import ipaddress

from hvconsole.lab.world import domain as domains
from hvconsole.lab.world import network
from hvconsole.lab.world.iscsi_state import (
    DiscoveredTarget,
    PortalData,
    RememberedDisk,
    ServerTargetData,
    SessionData,
    VirtualDiskData,
)
from hvconsole.lab.world.model import Disk, DiskView, Host, Partition, World

IQN_PREFIX = "iqn.1991-05.com.microsoft:"
TARGET_FEATURE = "FS-iSCSITarget-Server"
ISCSI_PORT = 3260
ID_TYPES = {
    "dnsname": "DnsName",
    "ipaddress": "IpAddress",
    "ipv6address": "Ipv6Address",
    "iqn": "Iqn",
    "macaddress": "MacAddress",
}  # re-cased as Get-IscsiServerTarget shows them (reference §4.2)
DYNAMIC_FILE_BYTES = 4 * 1024**2  # inferred: a new dynamic VHDX file takes a few MB until data is written
DISK_CLASS_GUID = "{53f56307-b6bf-11d0-94f2-00a0c91efb8b}"


def initiator_iqn(host: Host) -> str:
    """``iqn.1991-05.com.microsoft:<fqdn lower-case>`` (reference §5.1)."""
    return IQN_PREFIX + host.fqdn.lower()


def target_iqn(host: Host, target_name: str) -> str:
    """``iqn.1991-05.com.microsoft:<server short name>-<target name>-target``, lower-case (reference §4.2)."""
    return f"{IQN_PREFIX}{host.name}-{target_name}-target".lower()


def computer_fqdn(host: Host) -> str:
    """IscsiVirtualDisk/IscsiServerTarget ComputerName: ``VL-STOR1.virtuallab.com`` ([T-VL])."""
    return f"{host.name}.{host.domain}" if host.domain else host.name


def normalize_initiator_id(text: str) -> str | None:
    """``DNSName:x`` → ``DnsName:x``; None when the IdType is not one of the five."""
    kind, sep, value = text.partition(":")
    if not sep or not value or kind.lower() not in ID_TYPES:
        return None
    return f"{ID_TYPES[kind.lower()]}:{value}"


def admits(target: ServerTargetData, initiator: Host) -> bool:
    for entry in target.initiator_ids:
        kind, _, value = entry.partition(":")
        lowered = value.lower()
        if kind == "Iqn" and lowered in ("*", initiator_iqn(initiator)):
            return True
        if kind == "DnsName" and "." in lowered and lowered == initiator.fqdn.lower():
            return True
        addresses = {a.address for n in initiator.adapters for a in n.addresses}
        if kind in ("IpAddress", "Ipv6Address") and value in addresses:
            return True
        if kind == "MacAddress" and lowered.replace(":", "-") in {n.mac.lower() for n in initiator.adapters}:
            return True
    return False


# ----- the target server's volumes ---------------------------------------------------------------------
def volume_for(world: World, host: Host, path: str) -> tuple[Disk, Partition] | None:
    """The formatted, lettered volume an absolute path ``X:\\...`` lives on (an online disk of the host)."""
    if len(path) < 3 or path[1:3] != ":\\" or not path[0].isalpha():
        return None
    for view in host.disks:
        if view.is_offline:
            continue
        disk = world.disk(view.disk_id)
        for partition in disk.partitions:
            letter = partition.drive_letter or ""
            if partition.volume is not None and letter.upper() == path[0].upper():
                return disk, partition
    return None


def lun_disk(world: World, host: Host, vdisk: VirtualDiskData) -> Disk:
    """The LUN's content as initiators see it (reference §6.1)."""
    unique = hashlib.sha256(vdisk.serial.encode()).hexdigest()[:32].upper()  # inferred: an NAA-style id
    return Disk(
        id=vdisk.disk_id,
        friendly_name="MSFT Virtual HD",
        model="Virtual HD",
        manufacturer="MSFT",
        serial=vdisk.serial,
        size=vdisk.size,
        bus_type=9,  # iSCSI
        provisioning_type=2 if vdisk.fixed else 1,
        unique_id="60003FF4" + unique[8:],
    )


# ----- portals and discovery ---------------------------------------------------------------------------
def resolve_portal(world: World, initiator: Host, address: str) -> str | None:
    try:
        return str(ipaddress.IPv4Address(address))
    except ValueError:
        pass
    found = domains.resolve_name(world, initiator, address)
    return found[0] if found else network.resolve(world, address)  # inferred: LLMNR/NetBIOS fallback


def port_open(host: Host, port: int = ISCSI_PORT) -> bool:
    """An enabled inbound Allow rule for TCP ``port`` (a rule for every port and protocol counts too).
    # inferred: the built-in "iSCSI Service" rules are scoped to the initiator service, not the target."""
    for rule in host.firewall_rules:
        if not (rule.enabled and rule.direction == "Inbound" and rule.action == "Allow"):
            continue
        ports = {p.strip().lower() for p in rule.local_port.split(",")}
        if rule.protocol.upper() in ("TCP", "6") and str(port) in ports:
            return True
        if rule.protocol.lower() == "any" and "any" in ports and rule.group != "iSCSI Service":
            return True
    return False


def portal_server(world: World, initiator: Host, portal: PortalData) -> Host | None:
    """The target server answering at the portal, or None (unresolvable, unreachable, down, no target
    role, port blocked by its firewall)."""
    address = resolve_portal(world, initiator, portal.address)
    if address is None or not network.reachable(world, initiator, address):
        return None
    owner = network.owner_of(world, address)
    server = owner.host if owner else None
    if server is None or server.power != "Running" or not server.feature_installed(TARGET_FEATURE):
        return None
    return server if portal.port == ISCSI_PORT and port_open(server) else None


def discover(world: World, initiator: Host, portal: PortalData) -> list[DiscoveredTarget] | None:
    """SendTargets: the targets this initiator may see behind the portal (None: the portal did not answer)."""
    server = portal_server(world, initiator, portal)
    if server is None:
        return None
    return [
        DiscoveredTarget(node_address=t.iqn, portal=portal.address, port=portal.port)
        for t in server.iscsi.target.targets
        if admits(t, initiator)
    ]


def refresh_discovery(world: World, initiator: Host) -> None:
    """Re-run discovery on every portal (Update-IscsiTarget); a silent portal keeps what it found before."""
    state = initiator.iscsi.initiator
    for portal in state.portals:
        found = discover(world, initiator, portal)
        if found is None:
            continue
        state.discovered = [d for d in state.discovered if d.portal.lower() != portal.address.lower()]
        state.discovered += found


def find_target(world: World, iqn: str) -> tuple[Host, ServerTargetData] | None:
    for host in world.hosts:
        for target in host.iscsi.target.targets:
            if target.iqn.lower() == iqn.lower():
                return host, target
    return None


# ----- sessions ----------------------------------------------------------------------------------------
def login(
    world: World,
    initiator: Host,
    server: Host,
    target: ServerTargetData,
    portal: PortalData,
    persistent: bool,
    multipath: bool,
) -> SessionData:
    world.rng_counter += 1
    seed = hashlib.sha256(f"{world.seed}-{world.rng_counter}-{initiator.id}".encode()).hexdigest()
    target.logins += 1
    target.last_login = world.now()
    session = SessionData(
        target=target.iqn,
        target_host=server.id,
        portal=portal.address,
        port=portal.port,
        session_id=f"ffff{seed[:12]}-4000013700{world.rng_counter % 256:02x}{len(initiator.iscsi.initiator.sessions) + 14:04x}",
        initiator_side_id="400001370000",
        target_side_id=f"{target.logins:02x}00",
        persistent=persistent,
        multipath=multipath,
    )
    initiator.iscsi.initiator.sessions.append(session)
    for mapping in sorted(target.luns, key=lambda m: m.lun):
        vdisk = virtual_disk(server, mapping.path)
        if vdisk is not None:
            attach_lun(world, initiator, vdisk.disk_id, mapping.lun)
            session.disks.append(vdisk.disk_id)
    return session


def logout(world: World, initiator: Host, session: SessionData) -> None:
    for disk_id in session.disks:
        detach_lun(world, initiator, disk_id)
    initiator.iscsi.initiator.sessions = [s for s in initiator.iscsi.initiator.sessions if s is not session]


def virtual_disk(server: Host, path: str) -> VirtualDiskData | None:
    return next((v for v in server.iscsi.target.virtual_disks if v.path.lower() == path.lower()), None)


def sessions_on(world: World, server: Host, target: ServerTargetData) -> list[tuple[Host, SessionData]]:
    return [
        (h, s)
        for h in world.hosts
        for s in h.iscsi.initiator.sessions
        if s.target_host == server.id and s.target.lower() == target.iqn.lower()
    ]


def attach_lun(world: World, host: Host, disk_id: str, lun: int = 0) -> DiskView:
    """Give ``host`` a view of the LUN ``disk_id`` (idempotent)."""
    existing = next((v for v in host.disks if v.disk_id == disk_id), None)
    if existing is not None:
        return existing
    known = host.iscsi.initiator.remembered.get(disk_id)
    taken = {v.number for v in host.disks}
    number = known.number if known and known.number not in taken else max(taken, default=-1) + 1
    tag = hashlib.sha256(f"{host.id}-{disk_id}".encode()).hexdigest()[:7]
    view = DiskView(
        disk_id=disk_id,
        number=number,
        location=f"Integrated : Adapter 3 : Port 0 : Target 0 : LUN {lun}",  # inferred
        path=f"\\\\?\\scsi#disk&ven_msft&prod_virtual_hd#1&{tag}&0&{lun:06d}#{DISK_CLASS_GUID}",  # inferred
        is_offline=known.is_offline if known else True,  # SAN policy: a new shared disk starts Offline (§6.1)
        is_readonly=known.is_readonly if known else True,  # inferred: and read-only, like §4.5's data disk
        offline_reason=1,
    )
    host.disks.append(view)
    return view


def detach_lun(world: World, host: Host, disk_id: str) -> None:
    """Remove ``host``'s view of the LUN, remembering its number and online/read-only state."""
    for view in [v for v in host.disks if v.disk_id == disk_id]:
        host.iscsi.initiator.remembered[disk_id] = RememberedDisk(
            number=view.number, is_offline=view.is_offline, is_readonly=view.is_readonly
        )
        host.disks.remove(view)


# ----- boot --------------------------------------------------------------------------------------------
def boot(world: World, host: Host) -> None:
    """At boot: every session is gone; MSiSCSI runs only when set Automatic (reference §5.1, inferred), and
    then logs in to the favorite (persistent) targets that still admit this host."""
    state = host.iscsi.initiator
    for session in list(state.sessions):
        logout(world, host, session)
    service = host.service("MSiSCSI")
    if service is None:
        return
    service.status = "Running" if service.start_type == "Automatic" else "Stopped"
    if service.status != "Running":
        return
    for favorite in state.favorites:
        portal = PortalData(address=favorite.portal, port=favorite.port)
        server = portal_server(world, host, portal)
        found = find_target(world, favorite.target)
        if server is None or found is None or found[0] is not server or not admits(found[1], host):
            continue  # inferred: a persistent login that fails at boot is retried later, not reported
        login(world, host, server, found[1], portal, persistent=True, multipath=favorite.multipath)


if boot not in World.boot_hooks:
    World.boot_hooks.append(boot)
