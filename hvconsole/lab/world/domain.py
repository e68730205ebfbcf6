"""Names, domains, DNS and restarts of the simulated hosts (reference §2.1–§2.5, §3.1).

* Computer names follow Rename-Computer's rules (§2.1); the new name is ``Host.pending["name"]`` until the
  host restarts.
* A domain exists once its first DC came back from the restart that follows Install-ADDSForest; its DNS zone
  (``Domain.records``) holds an A record for the DC and for every host that joined (# inferred: members
  register at join time, as dynamic DNS does at the first boot).
* A host reaches a domain (Add-Computer, Resolve-DnsName) when one of its DNS servers is the DC's address
  (or 127.0.0.1 on the DC itself), the DC is running and the DC's address is reachable on the simulated
  network (``network.reachable``).
* Pending changes are applied by ``apply_pending`` when the host comes back from a restart.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from hvconsole.lab.world import catalog
from hvconsole.lab.world.model import Domain, Host, Service, World
from hvconsole.lab.world.network import ipv4_addresses, reachable

RESTART_LAB_SECONDS = 45.0  # inferred: a Server Core VM restarts in under a minute
POWER_ON_LAB_SECONDS = 600.0  # inferred: Stop-Computer; the lab powers the box on again after 10 lab minutes
_NAME_CHARS = re.compile(r"^[A-Za-z0-9-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


# ----- names ------------------------------------------------------------------------------------------------
def computer_name_valid(name: str) -> bool:
    """§2.1: letters, digits and hyphens, not all digits, at most 63 characters."""
    return bool(_NAME_CHARS.match(name)) and not name.isdigit() and len(name) <= 63


def domain_name_valid(name: str) -> bool:
    """An FQDN of two labels or more (# inferred: single-label domains are refused as in dcpromo)."""
    labels = name.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def current_name(host: Host) -> str:
    return host.name


def pending_name(host: Host) -> str:
    return str(host.pending.get("name") or host.name)


# ----- domains and DNS ----------------------------------------------------------------------------------------
def find_domain(world: World, name: str) -> Domain | None:
    lowered = name.lower().rstrip(".")
    return next((d for d in world.domains if d.name.lower() == lowered or d.netbios.lower() == lowered), None)


def dc_host(world: World, domain: Domain) -> Host | None:
    return world.host(domain.dc)


def dc_addresses(world: World, domain: Domain) -> list[str]:
    dc = dc_host(world, domain)
    if dc is None:
        return []
    return [a.address for nic in dc.adapters if nic.status == "Up" for a in ipv4_addresses(nic)]


def dns_servers(host: Host) -> list[str]:
    return [s for nic in host.adapters if nic.status == "Up" for s in nic.dns_servers if ":" not in s]


def serving_domain(world: World, host: Host) -> Domain | None:
    """The domain whose DC answers this host's DNS queries, if any (the first DNS server that is a DC)."""
    for server in dns_servers(host):
        for domain in world.domains:
            dc = dc_host(world, domain)
            if dc is None or dc.power != "Running":
                continue
            if server in ("127.0.0.1", "::1") and dc is host:
                return domain
            if server in dc_addresses(world, domain) and (dc is host or reachable(world, host, server)):
                return domain
    return None


def domain_reachable(world: World, host: Host, name: str) -> Domain | None:
    """The domain ``name`` when this host can contact it (its DNS points at a DC of it), else None."""
    domain = find_domain(world, name)
    if domain is None or serving_domain(world, host) is not domain:
        return None
    return domain


def resolve_name(world: World, host: Host, name: str) -> list[str]:
    """What the host's DNS server answers for ``name`` (A records), or [] for DNS_ERROR_RCODE_NAME_ERROR."""
    domain = serving_domain(world, host)
    if domain is None:
        return []
    lowered = name.lower().rstrip(".")
    if lowered == domain.name.lower():
        return dc_addresses(world, domain)
    if "." not in lowered:  # inferred: the primary DNS suffix (the domain) is appended to a short name
        lowered = f"{lowered}.{domain.name.lower()}"
    found = domain.records.get(lowered)
    return [found] if found else []


def register(domain: Domain, host: Host, name: str | None = None) -> None:
    address = next((a.address for nic in host.adapters for a in ipv4_addresses(nic)), None)
    if address is not None:
        domain.records[f"{(name or host.name).lower()}.{domain.name.lower()}"] = address


# ----- restarts ---------------------------------------------------------------------------------------------
def restart(world: World, host: Host, delay: float = RESTART_LAB_SECONDS) -> None:
    """The host goes away now and comes back after ``delay`` lab seconds with its pending changes applied.
    # inferred: SConfig saves running VMs before a restart (anchors.md); VMs do not exist yet in the lab."""
    world.request_reboot(host, delay)


def needs_restart(host: Host) -> bool:
    return bool(host.pending) or any(
        s in ("InstallPending", "UninstallPending") for s in host.features.values()
    )


def apply_pending(world: World, host: Host) -> None:
    """Boot time: the pending rename, join, promotion and feature changes take effect."""
    pending: dict[str, Any] = dict(host.pending)
    host.pending.clear()
    old_name = host.name
    if pending.get("name"):
        host.name = str(pending["name"]).upper()[:15]
    forest = pending.get("forest")
    if forest:
        _finish_promotion(world, host, forest)
    for name, state in list(host.features.items()):
        if state == "InstallPending":
            host.features[name] = "Installed"
        elif state == "UninstallPending":
            del host.features[name]
    if host.feature_installed("Hyper-V") and host.service("vmms") is None:
        host.services["vmms"] = Service(
            name="vmms",
            display_name="Hyper-V Virtual Machine Management",
            status="Running",
            start_type="Automatic",
            service_type="Win32OwnProcess",
        )
        for tool in ("Hyper-V-PowerShell", "RSAT-Hyper-V-Tools", "Hyper-V-Tools"):
            host.features.setdefault(tool, "Installed")
    sync_registry(host)
    if host.domain and (old_name != host.name or pending.get("join")):
        domain = find_domain(world, host.domain)
        if domain is not None:
            domain.records.pop(f"{old_name.lower()}.{domain.name.lower()}", None)
            register(domain, host)


def _finish_promotion(world: World, host: Host, forest: dict[str, Any]) -> None:
    domain = Domain(name=str(forest["name"]), netbios=str(forest["netbios"]), dc=host.id)
    world.domains.append(domain)
    host.domain = domain.name
    host.workgroup = None
    host.domain_role = 5  # §2.3: the first DC of a new forest is the PDC emulator (inferred)
    for nic in host.adapters:  # §1.6/§2.5: the DC's DNS client points at itself
        if ipv4_addresses(nic):
            nic.static_dns = ["127.0.0.1"]
    if forest.get("dns", True):
        host.features.setdefault("DNS", "Installed")
        host.features.setdefault("RSAT-DNS-Server", "Installed")
        host.services["dns"] = Service(
            name="DNS", display_name="DNS Server", status="Running", start_type="Automatic"
        )
    host.services["ntds"] = Service(
        name="NTDS", display_name="Active Directory Domain Services", status="Running", start_type="Automatic"
    )
    netlogon = host.service("Netlogon")
    if netlogon is not None:
        netlogon.status, netlogon.start_type = "Running", "Automatic"
    register(domain, host)


def pass_lab_time(world: World, lock: Any, lab_seconds: float) -> None:
    """Let ``lab_seconds`` of lab time pass inside a cmdlet without holding the world lock meanwhile (other
    hosts keep answering). Without a running clock (in-process tests) no time passes."""
    clock = getattr(world, "_clock", None)
    if clock is None or lab_seconds <= 0:
        return
    owned = isinstance(lock, type(threading.RLock())) and lock._is_owned()  # type: ignore[attr-defined]
    if owned:
        lock.release()
    try:
        clock.sleep(lab_seconds)
    finally:
        if owned:
            lock.acquire()


def feature_tree(names: list[str], management_tools: bool) -> list[catalog.FeatureDef]:
    """The features an install of ``names`` adds: each one, its dependencies, its parents and (with
    -IncludeManagementTools) its tools, in Get-WindowsFeature order."""
    wanted: set[str] = set()

    def add(name: str) -> None:
        definition = catalog.feature(name)
        if definition is None or definition.name in wanted:
            return
        wanted.add(definition.name)
        if definition.parent:
            add(definition.parent)
        for dependency in definition.depends_on:
            add(dependency)
        if management_tools:
            for tool in MANAGEMENT_TOOLS.get(definition.name, ()):
                add(tool)

    for name in names:
        add(name)
    return [f for f in catalog.FEATURES if f.name in wanted]


def restart_needed(definition: catalog.FeatureDef, changed: list[catalog.FeatureDef]) -> bool:
    """A feature that needs a restart, or a tool of one installed with it (Hyper-V's module, §3.1)."""
    if definition.restart_needed:
        return True
    return any(f.restart_needed and definition.name in MANAGEMENT_TOOLS.get(f.name, ()) for f in changed)


# ----- the registry values scripts read for a pending rename/join (registry.py serves host.settings) -----------
NAME_KEY = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\"
NETLOGON_KEY = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Netlogon"


def sync_registry(host: Host) -> None:
    """``ComputerName\\ComputerName`` = the name after the restart, ``ActiveComputerName`` = the name now;
    Netlogon's ``JoinDomain`` exists while a join waits for the restart (# inferred)."""
    settings = getattr(host, "settings", None)
    registry = getattr(settings, "registry", None)
    if registry is None:
        return
    from hvconsole.lab.world.settings import RegistryValue

    registry[NAME_KEY + "ComputerName"] = {
        "ComputerName": RegistryValue(kind="String", data=pending_name(host).upper()[:15])
    }
    registry[NAME_KEY + "ActiveComputerName"] = {"ComputerName": RegistryValue(kind="String", data=host.name)}
    netlogon = registry.setdefault(NETLOGON_KEY, {})
    if host.pending.get("join"):
        netlogon["JoinDomain"] = RegistryValue(kind="String", data=str(host.pending["join"]))
    else:
        netlogon.pop("JoinDomain", None)


# -IncludeManagementTools (# inferred from Server Manager's tool features for each role, reference §3.2)
MANAGEMENT_TOOLS: dict[str, tuple[str, ...]] = {
    "Hyper-V": ("RSAT-Hyper-V-Tools", "Hyper-V-Tools", "Hyper-V-PowerShell"),
    "Failover-Clustering": ("RSAT-Clustering", "RSAT-Clustering-Mgmt", "RSAT-Clustering-PowerShell"),
    "AD-Domain-Services": ("RSAT-AD-Tools", "RSAT-ADDS", "RSAT-AD-AdminCenter", "RSAT-ADDS-Tools"),
    "DNS": ("RSAT-DNS-Server",),
}
