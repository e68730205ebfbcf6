"""Storage and Cluster Shared Volumes (reference §7.5, §8): add the disks every node sees to the cluster, put a
disk of Available Storage on Cluster Shared Volumes (mounted at C:\\ClusterStorage\\VolumeN on every node), move
a CSV's owner node, take a disk off CSV, and set each node's default VM and VHD paths onto a CSV (the recipe's
advice). Every command names the cluster (reference §0.3)."""

from __future__ import annotations

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.plan import Plan, Step
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.cluster import ClusterView


class CsvRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _runner(view: ClusterView) -> str:
    up = [n.name for n in view.nodes if n.state == "Up"]
    return up[0] if up else view.nodes[0].name


def plan_add_disks(view: ClusterView) -> Plan:
    """Every available disk into the cluster (Available Storage)."""
    title = f"Add disks to {view.name}"
    if not view.available:
        return Plan.of(title, [])
    add = Command("Get-ClusterAvailableDisk", Cluster=view.name) | Command(
        "Add-ClusterDisk", Cluster=view.name
    )
    names = ", ".join(d.name for d in view.available)
    return Plan.of(title, [Step(_runner(view), f"Add {names} to the cluster", Pipeline.of(add))])


def plan_add_csv(view: ClusterView, disk: str) -> Plan:
    title = f"Cluster Shared Volume on {view.name}"
    if view.shared_volume(disk) is not None:
        return Plan.of(title, [])
    resource = view.resource(disk)
    if resource is None or resource.resource_type != "Physical Disk":
        spare = ", ".join(d.name for d in view.spare_disks) or "none"
        raise CsvRefused(
            "csv-disk", f"{disk!r} is not a disk of {view.name} (in Available Storage: {spare})."
        )
    if view.witness and view.witness.lower() == disk.lower():
        raise CsvRefused(
            "csv-disk", f"{disk} is the disk witness: a witness cannot be a Cluster Shared Volume."
        )
    if resource.group != "Available Storage":
        raise CsvRefused("csv-disk", f"{disk} is not in Available Storage (it belongs to {resource.group}).")
    number = len(view.shared_volumes) + 1  # inferred: the next VolumeN when none was removed
    step = Step(
        _runner(view),
        f"Add {disk} to Cluster Shared Volumes (C:\\ClusterStorage\\Volume{number})",
        Pipeline.of(Command("Add-ClusterSharedVolume", Cluster=view.name, Name=disk)),
    )
    return Plan.of(title, [step])


def plan_move_csv(view: ClusterView, disk: str, node: str) -> Plan:
    volume = view.shared_volume(disk)
    if volume is None:
        raise CsvRefused("csv-disk", f"{disk!r} is not a Cluster Shared Volume of {view.name}.")
    target = next((n for n in view.nodes if n.name.lower() == node.lower()), None)
    if target is None:
        raise CsvRefused("csv-node", f"{node!r} is not a node of {view.name}.")
    if target.state != "Up":
        raise CsvRefused("csv-node", f"{target.name} is {target.state}: only an Up node can own a CSV.")
    title = f"Owner of {disk}"
    if volume.owner_node.lower() == target.name.lower():
        return Plan.of(title, [])
    move = Command("Move-ClusterSharedVolume", Cluster=view.name, Name=disk, Node=target.name)
    return Plan.of(title, [Step(_runner(view), f"Move {disk} to {target.name}", Pipeline.of(move))])


def plan_remove_csv(view: ClusterView, disk: str) -> Plan:
    volume = view.shared_volume(disk)
    if volume is None:
        raise CsvRefused("csv-disk", f"{disk!r} is not a Cluster Shared Volume of {view.name}.")
    step = Step(
        _runner(view),
        f"Take {disk} off Cluster Shared Volumes ({volume.path}: VMs stored there stop working)",
        Pipeline.of(Command("Remove-ClusterSharedVolume", Cluster=view.name, Name=disk)),
        destructive=True,
        confirm_phrase=disk,
    )
    return Plan.of(f"Remove {disk} from Cluster Shared Volumes", [step])


def read_vm_paths(workspace: Workspace, nodes: list[str]) -> dict[str, tuple[str, str]]:
    """Each node's default VM and VHD folders (Get-VMHost)."""
    from hvconsole.stages.cluster import read_vm_paths as read

    return read(workspace, tuple(nodes))


def plan_vm_paths(
    view: ClusterView,
    current: dict[str, tuple[str, str]],
    volume: str,
    vm_folder: str = "VMs",
    vhd_folder: str = "VHDs",
) -> Plan:
    """Every node's default VM/VHD paths onto the CSV mounted at ``volume`` (C:\\ClusterStorage\\VolumeN)."""
    if not any(v.path.lower() == volume.lower() for v in view.shared_volumes):
        known = ", ".join(v.path for v in view.shared_volumes) or "none yet"
        raise CsvRefused("csv-volume", f"{volume!r} is not a Cluster Shared Volume path (CSVs: {known}).")
    for field, folder in (("csv-vm-folder", vm_folder), ("csv-vhd-folder", vhd_folder)):
        if not folder or any(c in folder for c in '/:*?"<>|\n\r\t') or folder.strip(". \\") != folder:
            raise CsvRefused(
                field, 'A folder name under the CSV, e.g. VMs: no / : * ? " < > | and no edge dots.'
            )
    want = (f"{volume}\\{vm_folder}", f"{volume}\\{vhd_folder}")
    steps = [
        Step(
            node.name,
            f"Default VM and VHD paths on {volume}",
            Pipeline.of(Command("Set-VMHost", VirtualMachinePath=want[0], VirtualHardDiskPath=want[1])),
        )
        for node in view.nodes
        if current.get(node.name) != want
    ]
    return Plan.of(f"VM paths on {volume}", steps)
