"""Cluster stage: read a cluster (always named explicitly, so the double hop never happens — reference §0.3),
and plan create → quorum → CSV → default VM paths on the CSV. Plans re-read the state: run plan/apply until
the plan is empty (the CSV and witness steps name disks the create made).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties, type_name
from hvconsole.stages.plan import Plan, Step
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.cluster import (
    NS,
    AvailableDisk,
    ClusterGroup,
    ClusterNode,
    ClusterResource,
    ClusterView,
    SharedVolume,
    explain,
)

WITNESS_KINDS = ("disk", "share", "none")


@dataclass(frozen=True)
class DesiredCluster:
    name: str
    address: str
    nodes: tuple[str, ...]
    add_storage: bool = True
    witness: str = "disk"  # disk | share | none
    share: str | None = None  # \\STOR1\Quorum for a file share witness
    csv: bool = True
    vm_folder: str = "VMs"
    vhd_folder: str = "VHDs"

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.name or len(self.name) > 15 or not all(c.isalnum() or c == "-" for c in self.name):
            found["name"] = "A cluster name has 1–15 letters, digits or hyphens."
        try:
            ipaddress.IPv4Address(self.address)
        except ValueError:
            found["address"] = "Type an IPv4 address in the nodes' subnet, e.g. 10.20.0.50."
        if len(self.nodes) < 1:
            found["nodes"] = "Pick at least one node."
        if self.witness not in WITNESS_KINDS:
            found["witness"] = "Pick a disk, a file share or no witness."
        if self.witness == "share" and not (self.share or "").startswith("\\\\"):
            found["share"] = "A file share witness is a UNC path such as \\\\STOR1\\Quorum."
        return found


def targeted(cluster: str, command: Command) -> Command:
    return command.param("Cluster", cluster)


def read_pipeline(cluster: str) -> Pipeline:
    """One round trip: nodes, resources, quorum, CSVs, available disks, groups (roles), each disk resource's
    DiskIdGuid and the local disks (sizes by Guid)."""
    reads = (
        "Get-ClusterNode",
        "Get-ClusterResource",
        "Get-ClusterQuorum",
        "Get-ClusterSharedVolume",
        "Get-ClusterAvailableDisk",
        "Get-ClusterGroup",
    )
    return Pipeline.of(
        *(Command(name, Cluster=cluster) for name in reads),
        Command("Get-ClusterResource", Cluster=cluster)
        | Command("Get-ClusterParameter", Name=["DiskIdGuid", "Address", "SharePath"]),
        Command("Get-Disk") | Command("Select-Object", Property=["Number", "Guid", "Size"]),
    )


def parse_view(name: str, result: PipelineResult) -> ClusterView:
    nodes, resources, volumes, available, groups = [], [], [], [], []
    witness = None
    address = share_path = ""
    guids: dict[str, str] = {}  # DiskIdGuid -> resource name
    sizes: dict[str, int] = {}  # Get-Disk Guid -> size
    for obj in result.objects:
        kind, props = type_name(obj) or "", properties(obj)
        if kind == f"{NS}.ClusterParameter" and props.get("Name") == "Address":
            address = str(props.get("Value") or "")
        elif kind == f"{NS}.ClusterParameter" and props.get("Name") == "SharePath":
            share_path = str(props.get("Value") or "")
        elif kind == f"{NS}.ClusterParameter":
            guids[str(props.get("Value") or "").lower()] = str(props.get("ClusterObject"))
        elif "Guid" in props and "Size" in props and "Number" in props:
            if props.get("Guid"):
                sizes[str(props["Guid"]).lower()] = int(props.get("Size") or 0)
        elif kind == f"{NS}.ClusterGroup":
            groups.append(ClusterGroup.from_properties(props))
        elif kind == f"{NS}.ClusterNode":
            nodes.append(ClusterNode.from_properties(props))
        elif kind == f"{NS}.ClusterResource":
            resources.append(ClusterResource.from_properties(props))
        elif kind == f"{NS}.ClusterQuorumSettings":
            quorum = props.get("QuorumResource")
            witness = str(quorum.get("Name")) if isinstance(quorum, dict) else None
        elif kind == f"{NS}.ClusterSharedVolume":
            volumes.append(SharedVolume.from_properties(props))
        elif kind == f"{NS}.ClusterDiskInfo":
            available.append(AvailableDisk.from_properties(props))
    return ClusterView(
        name=name,
        nodes=nodes,
        resources=resources,
        witness=witness,
        shared_volumes=volumes,
        available=available,
        groups=groups,
        disk_sizes={name: sizes[guid] for guid, name in guids.items() if guid in sizes},
        address=address,
        share_path=share_path,
    )


def read_cluster(workspace: Workspace, host: str, cluster: str) -> ClusterView | None:
    """The cluster as ``host`` sees it, or None when no such cluster answers (blocking)."""
    return read_cluster_or_why(workspace, host, cluster)[0]


def read_cluster_or_why(
    workspace: Workspace, host: str, cluster: str
) -> tuple[ClusterView | None, str | None]:
    """The cluster, or None and why not in the admin's words (the double hop explained, reference §0.3)."""
    result = workspace.sessions[host].invoke(read_pipeline(cluster), raise_on_failure=False)
    if result.had_errors:
        error = result.terminating_error
        return None, explain(error.message, error.fqid or "") if error else "the cluster did not answer"
    return parse_view(cluster, result), None


def read_vm_paths(workspace: Workspace, nodes: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    out = {}
    for outcome in workspace.sessions.gather(
        Pipeline.of(Command("Get-VMHost")), list(nodes), raise_on_failure=False
    ):
        if outcome.result is not None and outcome.result.objects:
            p = properties(outcome.result.objects[0])
            out[outcome.host] = (str(p.get("VirtualMachinePath")), str(p.get("VirtualHardDiskPath")))
    return out


def plan_cluster(workspace: Workspace, host: str, desired: DesiredCluster) -> Plan:
    view = read_cluster(workspace, host, desired.name)
    name = desired.name
    if view is None:
        create = Command("New-Cluster", Name=name, Node=list(desired.nodes), StaticAddress=[desired.address])
        if not desired.add_storage:
            create = create.switch("NoStorage")
        return Plan.of(
            f"Create cluster {name}",
            [Step(host, f"Create cluster {name}", Pipeline.of(create), takes_long=True)],
        )
    steps: list[Step] = []
    csv_names = {v.name for v in view.shared_volumes}
    spare = sorted((r for r in view.disks if r.group == "Available Storage"), key=lambda r: r.name)
    if desired.witness == "none" and view.witness is not None:
        steps.append(
            Step(
                host,
                "No witness (node majority)",
                Pipeline.of(Command("Set-ClusterQuorum", Cluster=name).switch("NoWitness")),
            )
        )
    elif desired.witness == "share" and desired.share and view.witness != "File Share Witness":
        steps.append(
            Step(
                host,
                f"File share witness {desired.share}",
                Pipeline.of(Command("Set-ClusterQuorum", Cluster=name, FileShareWitness=desired.share)),
            )
        )
    if desired.csv and not csv_names:
        data = [r for r in spare if r.name != view.witness]
        if data:
            steps.append(
                Step(
                    host,
                    f"Add {data[-1].name} to Cluster Shared Volumes",
                    Pipeline.of(Command("Add-ClusterSharedVolume", Cluster=name, Name=data[-1].name)),
                )
            )
    if desired.csv and view.shared_volumes:
        root = view.shared_volumes[0].path
        want = (f"{root}\\{desired.vm_folder}", f"{root}\\{desired.vhd_folder}")
        for node, paths in read_vm_paths(workspace, desired.nodes).items():
            if paths != want:
                steps.append(
                    Step(
                        node,
                        f"Default VM and VHD paths on {root}",
                        Pipeline.of(
                            Command("Set-VMHost", VirtualMachinePath=want[0], VirtualHardDiskPath=want[1])
                        ),
                    )
                )
    return Plan.of(f"Cluster {name}", steps)
