"""The cluster stage against a lab started at --scenario prepared: create, CSV, default VM paths on the CSV,
a second plan that is empty, and the double-hop read named explicitly from the storage box."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hvconsole.embedded_lab import LabStartError
from hvconsole.launch import Opened, open_workspace
from hvconsole.stages.cluster import DesiredCluster, plan_cluster, read_cluster
from tests.conftest import IN_CI, locations_in


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    root: Path = tmp_path_factory.mktemp("cluster-lab")
    try:
        opened = open_workspace(
            use_lab=True,
            lab_speed=200.0,
            lab_state=root / "lab" / "state.json",
            where=locations_in(root),
            lab_args=["--seed", "31", "--scenario", "prepared"],
        )
    except LabStartError as error:
        if IN_CI:
            raise
        pytest.skip(f"the embedded lab could not start: {error}")
    yield opened
    opened.close()


def apply(lab: Opened, plan: object) -> None:
    report = lab.workspace.run_applier(lab.workspace.applier(plan, lambda event: None))  # type: ignore[arg-type]
    assert report.succeeded, report


def test_prepared_to_cluster_with_disk_witness_and_csv(lab: Opened) -> None:
    storage, hv1, hv2 = lab.workspace.host_names()
    desired = DesiredCluster(name="CLUSTER1", address="10.20.0.50", nodes=("HV1", "HV2"))
    assert read_cluster(lab.workspace, hv1, "CLUSTER1") is None
    for _round in range(4):
        plan = plan_cluster(lab.workspace, hv1, desired)
        if plan.empty:
            break
        apply(lab, plan)
    assert plan.empty
    assert read_cluster(lab.workspace, storage, "CLUSTER1") is None  # no cluster tools on the storage box
    view = read_cluster(lab.workspace, hv2, "CLUSTER1")
    assert view is not None
    assert [n.state for n in view.nodes] == ["Up", "Up"]
    assert view.witness == "Cluster Disk 1"
    assert [v.path for v in view.shared_volumes] == ["C:\\ClusterStorage\\Volume1"]
