"""Failover cluster objects as Windows returns them (reference §7, §8): nodes, resources, quorum, CSVs.

Nested objects (OwnerNode, OwnerGroup, ResourceType) arrive as dicts or as their names; ``name_of`` reads both.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

NS = "Microsoft.FailoverClusters.PowerShell"
DOUBLE_HOP = "ClusterEndpointNotRegistered"
DOUBLE_HOP_HELP = (
    "The failover-cluster cmdlets ran on a computer that is not a cluster node without naming the cluster, "
    "so they could not reach the cluster service (the remoting 'double hop'). hvconsole always names the "
    "cluster (-Cluster or Get-Cluster -Name … |); check that the cluster name resolves from this host."
)


def name_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("Name") or "")
    return "" if value is None else str(value)


class ClusterNode(BaseModel):
    name: str
    state: str  # Up | Down | Paused | Joining | Unknown
    drain_status: str = "NotInitiated"

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> ClusterNode:
        return cls(
            name=str(p["Name"]),
            state=str(p["State"]),
            drain_status=str(p.get("DrainStatus") or "NotInitiated"),
        )


class ClusterResource(BaseModel):
    name: str
    state: str
    group: str  # "" for a CSV
    resource_type: str  # ResourceType.Name: "Physical Disk", "IP Address", ...
    owner_node: str = ""

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> ClusterResource:
        return cls(
            name=str(p["Name"]),
            state=str(p["State"]),
            group=name_of(p.get("OwnerGroup")),
            resource_type=name_of(p.get("ResourceType")),
            owner_node=name_of(p.get("OwnerNode")),
        )


class SharedVolume(BaseModel):
    name: str
    owner_node: str
    path: str
    size: int
    free: int

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> SharedVolume:
        infos = p.get("SharedVolumeInfo") or [{}]
        info = infos[0] if isinstance(infos, list) and infos else {}
        partition = info.get("Partition") or {} if isinstance(info, dict) else {}
        return cls(
            name=str(p["Name"]),
            owner_node=name_of(p.get("OwnerNode")),
            path=str(info.get("FriendlyVolumeName") or "") if isinstance(info, dict) else "",
            size=int(partition.get("Size") or 0),
            free=int(partition.get("FreeSpace") or 0),
        )


class AvailableDisk(BaseModel):
    name: str
    number: int
    size: int

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> AvailableDisk:
        return cls(name=str(p["Name"]), number=int(p["Number"]), size=int(p["Size"]))


class ClusterView(BaseModel):
    name: str
    nodes: list[ClusterNode]
    resources: list[ClusterResource]
    witness: str | None  # the quorum resource's name
    shared_volumes: list[SharedVolume]
    available: list[AvailableDisk]
    groups: list[ClusterGroup] = []
    disk_sizes: dict[str, int] = {}  # disk resource name -> bytes (DiskIdGuid matched to Get-Disk's Guid)
    address: str = ""  # the Cluster IP Address resource's address
    share_path: str = ""  # the File Share Witness's UNC path

    def resource(self, name: str) -> ClusterResource | None:
        return next((r for r in self.resources if r.name.lower() == name.lower()), None)

    @property
    def disks(self) -> list[ClusterResource]:
        return [r for r in self.resources if r.resource_type == "Physical Disk"]

    @property
    def spare_disks(self) -> list[ClusterResource]:
        """Disks in Available Storage: candidates for a CSV or the disk witness."""
        return [r for r in self.disks if r.group == "Available Storage"]

    def shared_volume(self, name: str) -> SharedVolume | None:
        return next((v for v in self.shared_volumes if v.name.lower() == name.lower()), None)

    @property
    def witness_kind(self) -> str:
        """ "disk", "share" or "none" (reference §7.8: read the kind from the quorum resource's type)."""
        found = self.resource(self.witness) if self.witness else None
        if found is None:
            return "none"
        return "disk" if found.resource_type == "Physical Disk" else "share"

    def roles_on(self, node: str) -> list[ClusterGroup]:
        core = ("Cluster Group", "Available Storage")
        return [g for g in self.groups if g.owner_node.lower() == node.lower() and g.name not in core]


class ClusterGroup(BaseModel):
    """A role (VM) or a core group: who owns it (reference §7.7)."""

    name: str
    owner_node: str
    state: str
    group_type: str = ""

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> ClusterGroup:
        return cls(
            name=str(p["Name"]),
            owner_node=name_of(p.get("OwnerNode")),
            state=str(p.get("State") or ""),
            group_type=str(p.get("GroupType") or ""),
        )


def explain(message: str, fqid: str = "") -> str:
    """An error as the admin should read it: the double-hop failure gets its explanation (reference §0.3)."""
    if DOUBLE_HOP in fqid or DOUBLE_HOP in message:
        return f"{message.splitlines()[0]} — {DOUBLE_HOP_HELP}"
    return message


# ----- Test-Cluster (reference §7.1) ------------------------------------------------------------------------
class ValidationTest(BaseModel):
    category: str
    name: str
    result: str  # Success | Warning | Failed


class ValidationReport(BaseModel):
    tests: list[ValidationTest]
    flags: list[str]  # "ClusterApproved", "ClusterConditionallyApproved", "ClusterNotApproved", ...
    summary: str
    path: str

    @property
    def failures(self) -> list[ValidationTest]:
        return [t for t in self.tests if t.result == "Failed"]

    @property
    def warnings(self) -> list[ValidationTest]:
        return [t for t in self.tests if t.result == "Warning"]

    @property
    def approved(self) -> bool:
        return not self.failures and any(
            f in ("ClusterApproved", "ClusterConditionallyApproved") for f in self.flags
        )

    def readable(self) -> str:
        verdict = "not suitable for clustering" if self.failures else "suitable for clustering"
        return (
            f"{len(self.tests)} tests: {len(self.failures)} failed, {len(self.warnings)} with warnings — "
            f"{verdict}. Report: {self.path}"
        )


def parse_validation(
    listed: list[dict[str, Any]], warnings: list[str], report_path: str = ""
) -> ValidationReport:
    """Per-test results from ``Test-Cluster -List`` (every test) and the run's warnings: a test named in a
    ``<Category> - <Test>: The test reported some warnings..`` (or ``failures..``) line did not succeed."""
    results: dict[tuple[str, str], str] = {}
    flags: list[str] = []
    summary, path = "", report_path
    for text in warnings:
        if text.lstrip().startswith("Test Result:"):
            lines = [line for line in text.strip().splitlines() if line.strip()]
            flags = [f.strip() for f in lines[1].split(",")] if len(lines) > 1 else []
            summary = " ".join(line for line in lines[2:] if not line.startswith("Test report file path:"))
            path = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in lines
                    if line.startswith("Test report file path:")
                ),
                path,
            )
            continue
        head, sep, tail = text.partition(": The test reported some ")
        category, dash, name = head.partition(" - ")
        if sep and dash:
            results[(category, name)] = "Failed" if tail.startswith("failures") else "Warning"
    tests = [
        ValidationTest(
            category=str(t.get("Category")),
            name=str(t.get("DisplayName")),
            result=results.pop((str(t.get("Category")), str(t.get("DisplayName"))), "Success"),
        )
        for t in listed
    ]
    tests += [ValidationTest(category=c, name=n, result=r) for (c, n), r in results.items()]
    return ValidationReport(tests=tests, flags=flags, summary=summary, path=path)
