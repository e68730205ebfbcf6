"""Quorum: the witness of a cluster (reference §7.8). Node majority / no witness, node majority + disk witness
(default: the smallest shared disk, as the classic recipe's create wizard chose), or a file share witness on the
storage box (the SMB share is planned too). The rules are checked before anything is sent: a disk witness
cannot be a Cluster Shared Volume, and must be a disk of at least 512 MB; a file share witness needs 5 MB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.cluster import read_cluster_or_why
from hvconsole.stages.plan import Finding, Plan, Severity, Step
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.cluster import ClusterView

DISK_WITNESS_MIN = 512 * 1024**2  # Failover Cluster Manager (anchors: disk witness ≥ 512 MB)
SHARE_WITNESS_MIN = 5 * 1024**2  # file share witness ≥ 5 MB free (anchors)
CHOICES = {
    "majority": "Node majority (no witness)",
    "disk": "Node majority + disk witness",
    "share": "Node majority + file share witness",
    "none": "No witness",
}
_SHARE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,79}$")
_FOLDER = re.compile(r"^[A-Za-z]:\\(?:[A-Za-z0-9 _\-.]+\\?)*$")


class QuorumRefused(ValueError):
    """A choice that breaks a quorum rule; ``field`` names the form field that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class QuorumRequest:
    choice: str  # a CHOICES key
    disk: str = ""  # "Cluster Disk 1"; empty: the smallest eligible disk
    storage_host: str = ""  # the storage box serving the file share witness
    share: str = "Quorum"
    folder: str = "C:\\Quorum"
    existing_shares: frozenset[str] = frozenset()  # share names the storage box already has (lower case)


def witness_candidates(view: ClusterView) -> list[str]:
    """Disks that may be the witness: not a CSV, at least 512 MB, smallest first (unknown sizes last)."""
    disks = [d for d in view.disks if view.shared_volume(d.name) is None]
    fit = [d for d in disks if view.disk_sizes.get(d.name, DISK_WITNESS_MIN) >= DISK_WITNESS_MIN]
    return [d.name for d in sorted(fit, key=lambda d: (view.disk_sizes.get(d.name, 1 << 62), d.name))]


def disk_problem(view: ClusterView, name: str) -> str | None:
    resource = view.resource(name)
    if resource is None or resource.resource_type != "Physical Disk":
        known = ", ".join(witness_candidates(view)) or "none"
        return f"{name!r} is not a disk of {view.name} (eligible: {known})."
    if view.shared_volume(name) is not None:
        return f"{name} is a Cluster Shared Volume: a CSV cannot be the disk witness. Pick a disk in Available Storage."
    size = view.disk_sizes.get(name)
    if size is not None and size < DISK_WITNESS_MIN:
        return f"{name} has {size // 1024**2} MB: a disk witness needs at least 512 MB."
    return None


def _quorum(view: ClusterView, **parameters: str) -> Command:
    command = Command("Set-ClusterQuorum", Cluster=view.name)
    for name, value in parameters.items():
        command = command.param(name, value)
    return command  # always the cluster named (§0.3)


def plan_quorum(view: ClusterView, request: QuorumRequest) -> Plan:
    """The steps to reach ``request`` (none when it already holds); raises QuorumRefused for a rule broken."""
    choice = request.choice
    if choice not in CHOICES:
        raise QuorumRefused(
            "q-choice", "Pick node majority, a disk witness, a file share witness or no witness."
        )
    title = f"Quorum of {view.name}: {CHOICES[choice]}"
    host = view.nodes[0].name if view.nodes else view.name
    if choice in ("majority", "none"):
        if view.witness_kind == "none":
            return Plan.of(title, [])
        switch = "NodeMajority" if choice == "majority" else "NoWitness"
        step = Step(host, "Remove the witness (node majority)", Pipeline.of(_quorum(view).switch(switch)))
        return Plan.of(title, [step])
    if choice == "disk":
        disk = request.disk.strip() or next(iter(witness_candidates(view)), "")
        if not disk:
            raise QuorumRefused(
                "q-disk", "No disk can be the witness: add a disk of at least 512 MB to the cluster."
            )
        problem = disk_problem(view, disk)
        if problem:
            raise QuorumRefused("q-disk", problem)
        if view.witness and view.witness.lower() == disk.lower():
            return Plan.of(title, [])
        return Plan.of(
            title, [Step(host, f"Disk witness {disk}", Pipeline.of(_quorum(view, DiskWitness=disk)))]
        )
    return _plan_share(view, request, title, host)


def _plan_share(view: ClusterView, request: QuorumRequest, title: str, host: str) -> Plan:
    if not request.storage_host:
        raise QuorumRefused("q-storage", "Name the storage box that serves the share, e.g. STOR1.")
    if not _SHARE_NAME.match(request.share):
        raise QuorumRefused("q-share", "A share name: letters, digits, - and _ (at most 80), e.g. Quorum.")
    if not _FOLDER.match(request.folder):
        raise QuorumRefused("q-folder", "A local folder on the storage box, e.g. C:\\Quorum.")
    unc = f"\\\\{request.storage_host}\\{request.share}"
    if view.witness_kind == "share" and view.share_path.lower() == unc.lower():
        return Plan.of(title, [])
    share = Command(
        "New-SmbShare", Name=request.share, Path=request.folder, FullAccess=["Everyone"]
    )  # reference §7.8 [T-VL]: the cluster's computer object needs write access; Everyone/Full as there
    witness = Step(host, f"File share witness {unc}", Pipeline.of(_quorum(view, FileShareWitness=unc)))
    # Two phases: the share must exist before the cluster is pointed at it, and the two steps run on different
    # hosts, which the applier would otherwise run at the same time.
    phases: tuple[tuple[Step, ...], ...] = ((witness,),)
    if request.share.lower() not in request.existing_shares:
        make_share = Step(request.storage_host, f"Share {request.folder} as {request.share}", Pipeline.of(share))
        phases = ((make_share,), (witness,))
    note = Finding(
        Severity.WARNING,
        f"the folder {request.folder} must exist on {request.storage_host} (New-Item -ItemType Directory) and have "
        "at least 5 MB free",
        request.storage_host,
        "create it once on the storage box; the share step fails if it is missing",
    )
    return Plan(title, phases, (note,))


@dataclass(frozen=True)
class QuorumState:
    view: ClusterView | None
    why: str | None  # why the cluster could not be read
    shares: frozenset[str]  # the storage box's share names (lower case)


def read_quorum(workspace: Workspace, node: str, cluster: str, storage: str | None) -> QuorumState:
    """The cluster through ``node`` (named explicitly) and the storage box's SMB shares (blocking)."""
    view, why = read_cluster_or_why(workspace, node, cluster)
    shares: set[str] = set()
    if storage:
        result = workspace.sessions[storage].invoke(
            Pipeline.of(Command("Get-SmbShare")), raise_on_failure=False
        )
        shares = {str(row.get("Name")).lower() for row in result.dicts() if isinstance(row, dict)}
    return QuorumState(view, why, frozenset(shares))
