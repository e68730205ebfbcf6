"""Virtual machines, cluster-wide: one narrow Get-VM per node in parallel (only the columns the table
shows, reference §9.3 / performance.md), plus plans to create a highly available VM on the CSV in one
flow (New-VM → Set-VMProcessor → DVD → Add-ClusterVirtualMachineRole, §9.2/§9.6), power actions and
removal with typed confirmation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.hyperv import GB, MB, VirtualMachine, VMState

VM_COLUMNS = [
    "Name", "Id", "State", "CPUUsage", "MemoryAssigned", "ProcessorCount", "Uptime", "Status",
    "ComputerName", "Path", "IsClustered", "Heartbeat",
]  # fmt: skip
# Windows refuses these in VM names (file-system characters; inferred from Hyper-V Manager's check).
_BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def vm_inventory_pipeline() -> Pipeline:
    return Pipeline.of(Command("Get-VM") | Command("Select-Object", Property=VM_COLUMNS))


def cluster_name_pipeline() -> Pipeline:
    return Pipeline.of(Command("Get-Cluster") | Command("Select-Object", Property=["Name"]))


def parse_vms(result: PipelineResult) -> list[VirtualMachine]:
    return [
        VirtualMachine.from_properties(properties(o))
        for o in result.objects
        if hasattr(o, "adapted_properties")
    ]


def not_hyperv(error: object) -> bool:
    """A host without the Hyper-V module (the storage box): Get-VM is not a command there."""
    return getattr(error, "error_id", "") == "CommandNotFoundException"


@dataclass
class VmInventory:
    vms: list[VirtualMachine] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    cluster: str | None = None
    nodes: list[str] = field(default_factory=list)  # the hosts that answered Get-VM (Hyper-V hosts)

    def named(self, name: str) -> list[VirtualMachine]:
        return [vm for vm in self.vms if vm.name.lower() == name.lower()]


def read_cluster_name(workspace: Workspace, nodes: list[str]) -> str | None:
    """The cluster these nodes belong to (from the first node that answers), or None."""
    for node in nodes:
        result = workspace.sessions[node].invoke(cluster_name_pipeline(), raise_on_failure=False)
        for row in result.dicts():
            if isinstance(row, dict) and row.get("Name"):
                return str(row["Name"])
        if result.ok:
            return None
    return None


def read_vms(workspace: Workspace, nodes: list[str], cluster: str | None = None) -> VmInventory:
    """Every node's VMs, one round trip each, in parallel (blocking: call on a worker thread)."""
    inventory = VmInventory(cluster=cluster)
    answered: set[str] = set()
    for outcome in workspace.sessions.gather(vm_inventory_pipeline(), nodes, raise_on_failure=False):
        if outcome.result is None:
            inventory.problems[outcome.host] = str(outcome.error)
            continue
        failure = outcome.result.terminating_error
        if failure is not None and not_hyperv(failure):
            continue  # not a Hyper-V host: nothing to show, nothing wrong
        if failure is not None:
            inventory.problems[outcome.host] = str(failure)
        else:
            answered.add(outcome.host)
        for vm in parse_vms(outcome.result):
            inventory.vms.append(
                vm if vm.computer_name else vm.model_copy(update={"computer_name": outcome.host})
            )
    inventory.nodes = [n for n in nodes if n in answered]
    inventory.vms = _one_per_id(inventory.vms)
    return inventory


def _one_per_id(vms: list[VirtualMachine]) -> list[VirtualMachine]:
    """A VM that moved between two nodes' answers shows up on both: keep the copy that is not migrating
    (the owner after the switch-over). # inferred: the nodes are read in parallel, not at one instant"""
    chosen: dict[str, VirtualMachine] = {}
    for vm in vms:
        held = chosen.get(vm.key)
        if held is None or (
            held.status.lower().startswith("migrating") and not vm.status.lower().startswith("migrating")
        ):
            chosen[vm.key] = vm
    return list(chosen.values())


@dataclass(frozen=True)
class NewVm:
    name: str
    node: str
    csv_path: str  # e.g. C:\ClusterStorage\Volume1
    generation: int = 2
    memory_mb: int = 2048
    processors: int = 2
    disk_gb: int = 40
    switch: str = ""
    iso: str = ""
    highly_available: bool = True


class VmInputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def validate_new_vm(request: NewVm, inventory: VmInventory, switches: set[str] | None = None) -> None:
    """Raise VmInputError(field, message) for input Windows would refuse or that breaks migration."""
    if not request.name.strip():
        raise VmInputError("name", "Give the VM a name.")
    if request.name != request.name.strip() or _BAD_NAME.search(request.name) or len(request.name) > 100:
        raise VmInputError(
            "name",
            'A VM name cannot contain \\ / : * ? " < > | or control characters, '
            "start or end with a space, or be longer than 100 characters.",
        )
    if inventory.named(request.name):
        raise VmInputError(
            "name",
            f"A VM named {request.name} exists already (Hyper-V would create a "
            "second one with the same name, reference §9.2).",
        )
    if request.generation not in (1, 2):
        raise VmInputError("generation", "Generation is 1 or 2.")
    if not 32 <= request.memory_mb <= 12 * 1024 * 1024 or request.memory_mb % 2:
        raise VmInputError("memory", "Memory is an even number of MB, at least 32.")
    if not 1 <= request.processors <= 240:
        raise VmInputError("processors", "Processors: 1 to 240.")
    if not 1 <= request.disk_gb <= 64 * 1024:
        raise VmInputError("disk", "Disk size: 1 GB to 64 TB.")
    if "clusterstorage" not in request.csv_path.lower() and request.highly_available:
        raise VmInputError(
            "path", "A highly available VM lives on a Cluster Shared Volume (C:\\ClusterStorage\\…)."
        )
    if switches is not None and request.switch and request.switch not in switches:
        raise VmInputError(
            "switch",
            f"No switch named {request.switch} on every node (live migration needs the "
            "same switch name on each node).",
        )
    if request.iso and not request.iso.lower().endswith(".iso"):
        raise VmInputError("iso", "The ISO path must end in .iso.")


def _vm_exists(name: str) -> Verification:
    return Verification(
        Pipeline.of(Command("Get-VM", [("ErrorAction", "SilentlyContinue")], Name=name)),
        lambda r: bool(parse_vms(r)),
    )


def plan_new_vm(request: NewVm, inventory: VmInventory) -> Plan:
    folder = request.csv_path.rstrip("\\") + "\\VMs"
    new_vm = Command(
        "New-VM",
        Name=request.name,
        Generation=request.generation,
        MemoryStartupBytes=request.memory_mb * MB,
        Path=folder,
        NewVHDPath=f"{folder}\\{request.name}\\Virtual Hard Disks\\{request.name}.vhdx",
        NewVHDSizeBytes=request.disk_gb * GB,
    )
    if request.switch:
        new_vm = new_vm.param("SwitchName", request.switch)
    steps = [
        Step(
            request.node,
            f"Create VM {request.name} on {folder}",
            Pipeline.of(new_vm),
            verify=_vm_exists(request.name),
        )
    ]
    if request.processors != 1:
        steps.append(
            Step(
                request.node,
                f"Give {request.name} {request.processors} processors",
                Pipeline.of(Command("Set-VMProcessor", VMName=request.name, Count=request.processors)),
            )
        )
    if request.iso:
        steps.append(
            Step(
                request.node,
                f"Attach {request.iso}",
                Pipeline.of(Command("Add-VMDvdDrive", VMName=request.name, Path=request.iso)),
            )
        )
    findings: list[Finding] = []
    if request.iso and "clusterstorage" not in request.iso.lower():
        findings.append(
            Finding(
                Severity.WARNING,
                "the ISO is not on cluster storage: a live migration fails when "
                "the destination cannot reach it (0xC03A0014)",
                request.node,
                "put it on the CSV",
            )
        )
    if request.highly_available:
        role = Command("Add-ClusterVirtualMachineRole", VMName=request.name)
        if inventory.cluster:
            role = role.param("Cluster", inventory.cluster)
        steps.append(
            Step(request.node, f"Make {request.name} highly available", Pipeline.of(role), takes_long=True)
        )
    return Plan.of(f"New VM {request.name}", steps, findings)


POWER = {
    "start": ("Start", Command("Start-VM"), False),
    "shutdown": ("Shut down (guest OS)", Command("Stop-VM"), False),
    "turnoff": (
        "Turn off (like pulling the plug)",
        Command("Stop-VM").switch("TurnOff").switch("Force"),
        True,
    ),
    "save": ("Save", Command("Save-VM"), False),
}
WANTED_STATE = {
    "start": VMState.Running,
    "shutdown": VMState.Off,
    "turnoff": VMState.Off,
    "save": VMState.Saved,
}


def plan_power(action: str, vms: list[VirtualMachine]) -> Plan:
    title, command, destructive = POWER[action]
    steps = []
    for vm in vms:
        if vm.state is WANTED_STATE[action]:
            continue
        if action != "start" and vm.state is VMState.Off:
            continue
        pipeline = Pipeline.of(Command(command.name, [*command.parameters, ("Name", vm.name)]))
        steps.append(
            Step(
                vm.computer_name,
                f"{title}: {vm.name}",
                pipeline,
                destructive=destructive,
                confirm_phrase=vm.name if destructive else None,
            )
        )
    return Plan.of(f"{title.split(' (')[0]} {len(steps)} VM(s)", steps)


def plan_remove(vms: list[VirtualMachine], cluster: str | None) -> Plan:
    steps = []
    for vm in vms:
        if vm.state is not VMState.Off:
            steps.append(
                Step(
                    vm.computer_name,
                    f"Turn off {vm.name}",
                    Pipeline.of(Command("Stop-VM", Name=vm.name).switch("TurnOff").switch("Force")),
                    destructive=True,
                    confirm_phrase=vm.name,
                )
            )
        if vm.is_clustered:
            group = Command("Remove-ClusterGroup", Name=vm.name).switch("RemoveResources").switch("Force")
            if cluster:
                group = group.param("Cluster", cluster)
            steps.append(
                Step(
                    vm.computer_name,
                    f"Remove {vm.name} from the cluster",
                    Pipeline.of(group),
                    destructive=True,
                    confirm_phrase=vm.name,
                )
            )
        steps.append(
            Step(
                vm.computer_name,
                f"Delete VM {vm.name} (its VHDX files stay)",
                Pipeline.of(Command("Remove-VM", Name=vm.name).switch("Force")),
                destructive=True,
                confirm_phrase=vm.name,
            )
        )
    return Plan.of(f"Remove {len(vms)} VM(s)", steps)
