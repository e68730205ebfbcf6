"""What Test-Cluster finds, from the world's real state (reference §7.1).

Each test gives "Success", "Warning" or "Failed". Test names are those of Windows' validation report; which
world facts map to which test is **inferred** (the report's contents were not captured), as is the rule that
a full run with only warnings is "ClusterConditionallyApproved" and one with a failure "ClusterNotApproved".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hvconsole.lab.world import cluster, domain
from hvconsole.lab.world.model import Host, World

CATEGORIES = ("Inventory", "Network", "Storage", "System Configuration", "Hyper-V Configuration")
CLOCK_SKEW_LIMIT = 300.0  # Kerberos' default tolerance (5 minutes)


@dataclass(frozen=True)
class TestOutcome:
    category: str
    name: str
    result: str  # Success | Warning | Failed
    detail: str = ""


Check = Callable[[World, list[Host]], tuple[str, str]]


def _ok() -> tuple[str, str]:
    return "Success", ""


def same_domain(world: World, hosts: list[Host]) -> tuple[str, str]:
    domains = {h.domain for h in hosts}
    if None in domains:
        names = ", ".join(h.name for h in hosts if h.domain is None)
        return "Failed", f"{names} is not joined to a domain."
    if len(domains) > 1:
        return "Failed", "The servers are members of different domains."
    return _ok()


def dns_and_time(world: World, hosts: list[Host]) -> tuple[str, str]:
    for host in hosts:
        if domain.serving_domain(world, host) is None:
            return "Failed", f"{host.name} does not use the domain's DNS server."
        if abs(host.clock_offset) > CLOCK_SKEW_LIMIT:
            return "Failed", f"The clock of {host.name} differs from the domain's by more than 5 minutes."
    return _ok()


def ip_configuration(world: World, hosts: list[Host]) -> tuple[str, str]:
    dhcp = [h.name for h in hosts if any(nic.dhcp and nic.status == "Up" for nic in h.adapters)]
    if dhcp:
        return "Warning", f"Adapters on {', '.join(dhcp)} use DHCP addresses."
    return _ok()


def network_communication(world: World, hosts: list[Host]) -> tuple[str, str]:
    shared = [n for n in cluster.node_networks(hosts[0]) if all(n in cluster.node_networks(h) for h in hosts)]
    if not shared:
        return "Failed", "The servers have no network in common."
    if len(set(shared)) < 2:
        return "Warning", "The servers are connected by a single network, a single point of failure."
    return _ok()


def firewall(world: World, hosts: list[Host]) -> tuple[str, str]:
    closed = [
        h.name
        for h in hosts
        if not any(
            r.enabled
            and r.direction == "Inbound"
            and ("3343" in r.local_port or r.group == "Failover Clusters")
            for r in h.firewall_rules
        )
    ]
    if closed:
        return "Warning", f"No inbound rule allows the cluster service (UDP/TCP 3343) on {', '.join(closed)}."
    return _ok()


def potential_disks(world: World, hosts: list[Host]) -> tuple[str, str]:
    partial = cluster.partly_shared(world, hosts)
    if partial:
        return "Failed", f"{len(partial)} iSCSI disk(s) are not visible on every server."
    if not cluster.shared_disks(world, hosts):
        return "Warning", "No disks were found on which to perform cluster validation tests."
    return _ok()


def iscsi_service(world: World, hosts: list[Host]) -> tuple[str, str]:
    for host in hosts:
        service = host.service("MSiSCSI")
        if service is None or service.status != "Running" or service.start_type != "Automatic":
            return (
                "Warning",
                f"The Microsoft iSCSI Initiator Service on {host.name} is not running automatically.",
            )
    return _ok()


def update_levels(world: World, hosts: list[Host]) -> tuple[str, str]:
    levels = {tuple(sorted(u.kb for u in h.settings.updates if u.installed)) for h in hosts}
    if len(levels) > 1:
        return "Warning", "The servers do not have the same software updates installed."
    return _ok()


def drivers_signed(world: World, hosts: list[Host]) -> tuple[str, str]:
    return "Warning", "Unsigned drivers were found (virtual hardware)."  # as [T-VL] on every run


def hyperv_role(world: World, hosts: list[Host]) -> tuple[str, str]:
    missing = [h.name for h in hosts if not h.feature_installed("Hyper-V")]
    if missing and len(missing) < len(hosts):
        return "Failed", f"The Hyper-V role is not installed on {', '.join(missing)}."
    return _ok()


def _success(world: World, hosts: list[Host]) -> tuple[str, str]:
    return _ok()


TESTS: tuple[tuple[str, str, str, Check], ...] = (
    ("Inventory", "List System Information", "List information about the servers.", _success),
    ("Inventory", "List Software Updates", "List the software updates installed.", _success),
    (
        "Network",
        "Validate IP Configuration",
        "Validate that IP addresses are unique and subnets configured correctly.",
        ip_configuration,
    ),
    (
        "Network",
        "Validate Network Communication",
        "Validate that servers can communicate.",
        network_communication,
    ),
    (
        "Network",
        "Validate Windows Firewall Configuration",
        "Validate the firewall allows cluster traffic.",
        firewall,
    ),
    (
        "Storage",
        "List Potential Cluster Disks",
        "List disks that can be used by the cluster.",
        potential_disks,
    ),
    (
        "Storage",
        "Validate Microsoft MPIO-based disks",
        "Validate the iSCSI initiator service.",
        iscsi_service,
    ),
    (
        "Storage",
        "Validate SCSI-3 Persistent Reservation",
        "Validate persistent reservations on shared disks.",
        _success,
    ),
    (
        "System Configuration",
        "Validate Active Directory Configuration",
        "Validate that all servers are in the same domain.",
        same_domain,
    ),
    (
        "System Configuration",
        "Validate DNS and System Time",
        "Validate name resolution and clock skew.",
        dns_and_time,
    ),  # inferred test name
    (
        "System Configuration",
        "Validate All Drivers Signed",
        "Validate that drivers are signed.",
        drivers_signed,
    ),
    (
        "System Configuration",
        "Validate Software Update Levels",
        "Validate the servers have the same updates.",
        update_levels,
    ),
    (
        "Hyper-V Configuration",
        "Validate Hyper-V Role Installed",
        "Validate Hyper-V on every server.",
        hyperv_role,
    ),
)


def selected(include: list[str] | None, ignore: list[str] | None) -> list[tuple[str, str, str, Check]]:
    def named(test: tuple[str, str, str, Check], names: list[str]) -> bool:
        lowered = {n.lower() for n in names}
        return test[0].lower() in lowered or test[1].lower() in lowered

    tests = [t for t in TESTS if include is None or named(t, include)]
    return [t for t in tests if ignore is None or not named(t, ignore)]


def run_tests(world: World, hosts: list[Host], tests: list[tuple[str, str, str, Check]]) -> list[TestOutcome]:
    out = []
    for category, name, _description, check in tests:
        result, detail = check(world, hosts)
        out.append(TestOutcome(category, name, result, detail))
    return out


def verdict(outcomes: list[TestOutcome], partial: bool) -> tuple[str, str]:
    """(flags, summary) of the final ``Test Result:`` warning."""
    flags = ["HadUnselectedTests"] if partial else []
    if any(o.result == "Failed" for o in outcomes):
        flags.append("ClusterNotApproved")
        summary = (
            "Testing has completed for the tests you selected. You should review the failures in the Report.  "
            "The configuration is not suitable for clustering."
        )
    elif any(o.result == "Warning" for o in outcomes):
        flags.append("ClusterConditionallyApproved")
        summary = (
            "Testing has completed for the tests you selected. You should review the warnings in the Report.  "
            "A cluster solution is supported by Microsoft only if you run all cluster validation tests, and all "
            "tests succeed (with or without warnings)."
        )
    else:
        flags.append("ClusterApproved")
        summary = (
            "Testing has completed successfully. The configuration appears to be suitable for clustering."
        )
    return ", ".join(flags), summary
