"""Get-Cluster (§7.3), Test-Cluster (§7.1) and New-Cluster (§7.2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.failoverclusters import NS, ClusterCmdlet, cluster_object, report_time
from hvconsole.lab.engine import Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import I64
from hvconsole.lab.world import cluster as clusters
from hvconsole.lab.world import cluster_validate, domain, network
from hvconsole.lab.world.cluster_state import ClusterData, ClusterResourceData
from hvconsole.lab.world.model import Host

TEMP = "C:\\Users\\Administrator\\AppData\\Local\\Temp"
CREATE_REPORTS = "C:\\Windows\\Cluster\\Reports"
CLUSTER_FEATURE = "Failover-Clustering"


def file_info(path: str, when: float, length: int) -> Any:
    import datetime as dt

    name = path.rsplit("\\", 1)[-1]
    return dotnet_object(
        ("System.IO.FileInfo", "System.IO.FileSystemInfo", "System.MarshalByRefObject"),
        {
            "Name": name,
            "FullName": path,
            "DirectoryName": path.rsplit("\\", 1)[0],
            "Length": I64(length),
            "Mode": "-a----",
            "LastWriteTime": dt.datetime.fromtimestamp(when, dt.UTC),
        },
        to_string=path,
    )


@cmdlet
class GetCluster(ClusterCmdlet):
    command_name = "Get-Cluster"
    class_name = f"{NS}.GetClusterCommand"
    Name = Param(types.STRING, position=0)
    Domain = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        if self.was_bound("Domain"):
            for found in self.world.clusters:
                if found.formed and found.domain.lower() == str(self.Domain).lower():
                    yield cluster_object(self.world, found)
            return
        if self.was_bound("Name"):
            named = self._connect(str(self.Name))
            if named is None:
                self.throw(
                    self.failure(
                        f"Failed to connect to cluster '{self.Name}'.  The cluster name could not be resolved or "
                        "the cluster service is not running.",  # inferred message
                        "ClusterRpcConnection",
                        "ConnectionError",
                    )
                )
            assert named is not None
            clusters.settle(self.world, named)
            yield cluster_object(self.world, named)
            return
        yield cluster_object(self.world, self.cluster_from())


class _NodesCmdlet(ClusterCmdlet):
    Node = Param(types.STRINGS, position=0)

    def wmi_unreachable(self, name: str) -> Any:
        return self.failure(  # reference §7.1 [T-VL]
            f"Unable to connect to {name} via WMI.  This may be due to networking issues or firewall configuration "
            f"on {name}.\n    The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)"
        )

    def reachable(self, host: Host | None) -> bool:
        if host is None or host.power != "Running":
            return False
        if host is self.host:
            return True
        address = network.first_ipv4(host)
        return address is not None and network.reachable(self.world, self.host, address)

    def lookup(self, name: str) -> Host | None:
        return self.world.host(clusters.short_name(name))


@cmdlet
class TestCluster(_NodesCmdlet):
    command_name = "Test-Cluster"
    class_name = f"{NS}.TestClusterCommand"
    Include = Param(types.STRINGS)
    Ignore = Param(types.STRINGS)
    ReportName = Param(types.STRING)
    List = Param(types.SWITCH)
    Force = Param(types.SWITCH)
    Disk = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        include = list(self.Include) if self.was_bound("Include") else None
        ignore = list(self.Ignore) if self.was_bound("Ignore") else None
        tests = cluster_validate.selected(include, ignore)
        if self.List:
            for category, name, description, _check in tests:
                yield dotnet_object(
                    (f"{NS}.ClusterTestInfo",),
                    {"Category": category, "DisplayName": name, "Description": description},
                    to_string=name,
                )
            return
        names = list(self.Node) if self.was_bound("Node") else None
        if names is None:
            target = (
                self.cluster_from()
                if self.was_bound("Cluster")
                else clusters.local_cluster(self.world, self.host)
            )
            names = [h.name for h in clusters.node_hosts(self.world, target)] if target else [self.host.name]
        hosts = []
        for name in names:
            host = self.lookup(name)
            if not self.reachable(host) or host is None or not host.feature_installed(CLUSTER_FEATURE):
                self.throw(self.wmi_unreachable(clusters.short_name(name).upper()))
            assert host is not None
            hosts.append(host)
        outcomes = []
        for index, test in enumerate(tests):
            self.write_progress("Validating cluster", f"{test[0]} - {test[1]}", int(100 * index / len(tests)))
            if not self.wait_lab(2.0):
                return
            outcomes.extend(cluster_validate.run_tests(self.world, hosts, [test]))
        self.write_progress("Validating cluster", "Completed", 100, completed=True)
        for outcome in outcomes:
            if outcome.result != "Success":
                kind = "failures" if outcome.result == "Failed" else "warnings"
                self.write_warning(f"{outcome.category} - {outcome.name}: The test reported some {kind}..")
        when = self.world.host_now(self.host)
        if self.was_bound("ReportName"):
            path = f"{self.ReportName}.htm"  # reference §7.1: the cmdlet appends .htm
        else:
            path = f"{TEMP}\\Validation Report {report_time(self.world, self.host)}.htm"
        flags, summary = cluster_validate.verdict(outcomes, len(tests) < len(cluster_validate.TESTS))
        self.write_warning(f"\nTest Result:\n{flags}\n{summary}\nTest report file path: {path}")
        yield file_info(path, when, 300_000 + 9_000 * len(outcomes))


@cmdlet
class NewCluster(_NodesCmdlet):
    command_name = "New-Cluster"
    class_name = f"{NS}.NewClusterCommand"
    Name = Param(types.STRING, position=0, mandatory=True)
    Node = Param(types.STRINGS)
    StaticAddress = Param(types.STRINGS)
    IgnoreNetwork = Param(types.STRINGS)
    NoStorage = Param(types.SWITCH)
    AdministrativeAccessPoint = Param(types.STRING, validate_set=("ActiveDirectoryAndDns", "Dns", "None"))
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        name = str(self.Name)
        if not domain.computer_name_valid(name):
            self.throw(
                self.failure(f"The cluster name '{name}' is not valid.", "InvalidArgument", "InvalidArgument")
            )
        if clusters.find_cluster(self.world, name) is not None or self.world.host(name) is not None:
            self.throw(
                self.failure(f"The computer name '{name}' is already in use.", "New-Cluster")
            )  # inferred
        names = list(self.Node) if self.was_bound("Node") else [self.host.name]
        found = [(n, self.lookup(n)) for n in names]
        for n, host in found:
            if host is not None and clusters.membership(self.world, host) is not None:
                self.throw(
                    self.failure(f"The computer '{host.fqdn}' is joined to a cluster.", "New-Cluster")
                )  # inferred
            if host is not None and self.reachable(host) and not host.feature_installed(CLUSTER_FEATURE):
                self.throw(
                    self.failure(
                        f"The computer '{n}' does not have the Failover Clustering feature installed."
                    )
                )  # inferred message
        hosts = [h for _n, h in found if h is not None]
        good = [h for h in hosts if self.reachable(h) and h.domain is not None]
        reference_domain = good[0].domain if good else None
        self.write_progress(f"Creating cluster {name}", "Validating nodes", 10)
        if len(good) < len(found) or any(h.domain != reference_domain for h in good):
            self.leave_failed(name, [h for h in good if h.domain == reference_domain], str(reference_domain))
        address, network_ = self.cluster_address(hosts)
        if not self.wait_lab(30.0):
            return
        created = ClusterData(name=name.upper(), id=clusters.new_id(self.world), domain=str(reference_domain))
        for index, host in enumerate(hosts):
            created.nodes.append(host.id)
            clusters.mark_member(host, created.name)
            created.node_numbers[host.id] = index + 1
        created.address, created.prefix_length = address, network_
        for group in (clusters.CORE_GROUP, clusters.STORAGE_GROUP):
            created.group_owners[group] = hosts[0].id
        for resource_name, kind in (("Cluster IP Address", "IP Address"), ("Cluster Name", "Network Name")):
            created.resources.append(
                ClusterResourceData(
                    name=resource_name,
                    resource_type=kind,
                    group=clusters.CORE_GROUP,
                    id=clusters.new_id(self.world),
                    address=address if kind == "IP Address" else None,
                )
            )
        self.world.clusters.append(created)
        zone = domain.find_domain(self.world, created.domain)
        if zone is not None:  # the CNO's DNS A record (inferred side effect, reference §7.2)
            zone.records[f"{name.lower()}.{zone.name.lower()}"] = address
        self.write_progress(f"Creating cluster {name}", "Adding eligible storage", 80)
        if not self.NoStorage:
            disks = [
                clusters.add_disk(self.world, created, d) for d in clusters.shared_disks(self.world, hosts)
            ]
            witness = clusters.default_witness(self.world, created, disks)
            if witness is not None:
                clusters.make_disk_witness(self.world, created, witness)
        self.write_progress(f"Creating cluster {name}", "Completed", 100, completed=True)
        yield cluster_object(self.world, created)

    def cluster_address(self, hosts: list[Host]) -> tuple[str, int]:
        if not self.was_bound("StaticAddress") or not self.StaticAddress:
            self.throw(
                self.failure(  # inferred message: the nodes' networks are static (reference §7.2)
                    "Static address was not specified for a network that has no DHCP server. Use -StaticAddress.",
                    "InvalidArgument",
                    "InvalidArgument",
                )
            )
        address = str(self.StaticAddress[0])
        subnet = clusters.address_network(hosts, address)
        if subnet is None or clusters.address_in_use(self.world, address):
            why = (
                "is already in use"
                if subnet is not None
                else "is not in a network every node is connected to"
            )
            self.throw(
                self.failure(f"The static address '{address}' {why}.", "InvalidArgument", "InvalidArgument")
            )
        assert subnet is not None
        return address, subnet.prefixlen

    def leave_failed(self, name: str, reached: list[Host], domain_name: str) -> None:
        """The nodes that were reached keep cluster state until Clear-ClusterNode (reference §7.2 [T-VL])."""
        if reached:
            leftover = ClusterData(
                name=name.upper(), id=clusters.new_id(self.world), domain=domain_name, formed=False
            )
            leftover.nodes = [h.id for h in reached]
            for host in reached:
                clusters.mark_member(host, name.upper())
            self.world.clusters.append(leftover)
        path = f"{CREATE_REPORTS}\\Create Cluster Wizard {name} on {report_time(self.world, self.host)}.htm"
        self.write_warning(
            "The clustered role was not successfully created. For more information view the report file below.\n"
            f"Report file location: {path}"
        )  # inferred: shown as host text on Windows; a warning here so remote clients see it
        self.throw(
            self.failure(
                "An error occurred while performing the operation.\n"
                f"    An error occurred while creating the cluster '{name}'.\n"
                f"    An error occurred creating cluster '{name}'.\n"
                "    This operation returned because the timeout period expired",
            )
        )
