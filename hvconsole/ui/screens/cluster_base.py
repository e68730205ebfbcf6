"""What the quorum, CSV and dashboard screens share: find the cluster the selected hosts belong to, read it
with the cluster always named (reference §0.3), and show why when it cannot be read (the double hop
explained)."""

from __future__ import annotations

from dataclasses import dataclass

from hvconsole.stages.cluster import read_cluster_or_why
from hvconsole.stages.vms import read_cluster_name
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.cluster import ClusterView


@dataclass(frozen=True)
class ClusterRead:
    view: ClusterView | None
    why: str | None
    runner: str  # the node that answered
    others: tuple[str, ...]  # selected hosts that are not nodes (the storage box)


def read_selected_cluster(workspace: Workspace, hosts: list[str]) -> ClusterRead:
    """Blocking: the cluster of the first host that is a node."""
    for host in hosts:
        name = read_cluster_name(workspace, [host])
        if name is None:
            continue
        view, why = read_cluster_or_why(workspace, host, name)
        nodes = {n.name.lower() for n in view.nodes} if view else {host.lower()}
        return ClusterRead(view, why, host, tuple(h for h in hosts if h.lower() not in nodes))
    return ClusterRead(
        None, "None of these hosts is a cluster node yet: create the cluster first (8).", "", tuple(hosts)
    )
