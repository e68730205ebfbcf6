"""Wizard, quorum and CSV stages against a lab at --scenario prepared: preflight and validation, create, a file
share witness on the storage box (share planned too), one CSV with the VM paths on it, second plans empty; a
disk witness on a CSV refused with a clear message; pause/drain/resume plans."""

from __future__ import annotations

import time

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.cluster import read_cluster
from hvconsole.stages.cluster_nodes import plan_pause, plan_resume
from hvconsole.stages.cluster_wizard import (
    CreateRequest,
    create_problems,
    plan_cleanup,
    plan_create,
    preflight,
    read_wizard,
    run_validation,
)
from hvconsole.stages.csv import plan_add_csv, plan_vm_paths, read_vm_paths
from hvconsole.stages.plan import Plan, Severity
from hvconsole.stages.quorum import QuorumRefused, QuorumRequest, plan_quorum, read_quorum
from tests.conftest import LabFactory

NODES = ["HV1", "HV2"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.conftest import open_lab

    opened = open_lab(tmp_path_factory.mktemp("cluster-stages"), seed=31, speed=200.0, scenario="prepared")
    yield opened
    opened.close()


def apply(lab: Opened, plan: Plan) -> None:
    report = lab.workspace.run_applier(lab.workspace.applier(plan, lambda event: None))
    assert report.succeeded, report


def test_preflight_validation_and_create_fields(lab: Opened) -> None:
    state = read_wizard(lab.workspace, NODES, "STOR1")
    findings = preflight(state, "STOR1")
    assert not [f for f in findings if f.severity is Severity.BLOCKER], findings
    assert any("shared disk(s) visible on every node" in f.text for f in findings)
    report = run_validation(lab.workspace, "HV1", NODES)
    assert report.approved and not report.failures
    assert {t.name for t in report.warnings} >= {"Validate All Drivers Signed"}
    assert len(report.tests) >= 10 and report.path.endswith(".htm")
    assert "suitable for clustering" in report.readable()
    bad = create_problems(CreateRequest("CLUSTER1", "192.168.1.5", tuple(NODES)), state)
    assert "not in a subnet every node has" in bad["cw-address"]
    assert "cw-name" in create_problems(CreateRequest("HV1", "10.20.0.50", tuple(NODES)), state)
    assert "cw-name" in create_problems(CreateRequest("a;b", "10.20.0.50", tuple(NODES)), state)


def test_prepared_to_cluster_with_file_share_witness_and_one_csv(lab: Opened) -> None:
    ws = lab.workspace
    state = read_wizard(ws, NODES, "STOR1")
    request = CreateRequest("CLUSTER1", "10.20.0.50", tuple(NODES))
    assert not create_problems(request, state)
    apply(lab, plan_create(state, request))
    assert not read_wizard(ws, NODES).leftovers
    quorum = read_quorum(ws, "HV1", "CLUSTER1", "STOR1")
    assert quorum.view is not None and quorum.view.witness_kind == "disk"
    share = QuorumRequest("share", storage_host="STOR1", existing_shares=quorum.shares)
    plan = plan_quorum(quorum.view, share)
    assert [s.pipeline.commands[0].name for s in plan.steps] == ["New-SmbShare", "Set-ClusterQuorum"]
    # different hosts run in parallel inside a phase: the share must be made in an earlier phase (a race before)
    assert [[s.pipeline.commands[0].name for s in phase] for phase in plan.phases] == [
        ["New-SmbShare"],
        ["Set-ClusterQuorum"],
    ]
    assert "-Cluster 'CLUSTER1'" in plan.steps[1].powershell
    assert any("C:\\Quorum" in f.text for f in plan.findings)
    apply(lab, plan)
    quorum = read_quorum(ws, "HV2", "CLUSTER1", "STOR1")
    assert quorum.view is not None and quorum.view.witness_kind == "share"
    assert quorum.view.share_path == "\\\\STOR1\\Quorum"
    again = QuorumRequest("share", storage_host="STOR1", existing_shares=quorum.shares)
    assert plan_quorum(quorum.view, again).empty
    view = quorum.view
    data = max(view.spare_disks, key=lambda d: view.disk_sizes.get(d.name, 0)).name
    apply(lab, plan_add_csv(view, data))
    view = read_cluster(ws, "HV1", "CLUSTER1")
    assert view is not None and [v.path for v in view.shared_volumes] == ["C:\\ClusterStorage\\Volume1"]
    assert plan_add_csv(view, data).empty
    paths = plan_vm_paths(view, read_vm_paths(ws, NODES), "C:\\ClusterStorage\\Volume1")
    assert len(paths.steps) == 2
    apply(lab, paths)
    assert plan_vm_paths(view, read_vm_paths(ws, NODES), "C:\\ClusterStorage\\Volume1").empty
    with pytest.raises(QuorumRefused, match="a CSV cannot be the disk witness"):
        plan_quorum(view, QuorumRequest("disk", disk=data))


def test_pause_drain_and_resume_plans(lab: Opened) -> None:
    view = read_cluster(lab.workspace, "HV1", "CLUSTER1")
    assert view is not None
    drain = plan_pause(view, "HV2")
    assert drain.steps[0].host == "HV1"
    assert drain.steps[0].powershell == "Suspend-ClusterNode -Cluster 'CLUSTER1' -Name 'HV2' -Drain"
    apply(lab, drain)
    view = read_cluster(lab.workspace, "HV1", "CLUSTER1")
    assert view is not None and {n.name: n.state for n in view.nodes}["HV2"] == "Paused"
    assert plan_pause(view, "HV2").empty
    apply(lab, plan_resume(view, "HV2"))
    view = read_cluster(lab.workspace, "HV1", "CLUSTER1")
    assert view is not None and plan_resume(view, "HV2").empty


def boot_time(lab: Opened, host: str) -> str | None:
    query = Pipeline.of(Command("Get-CimInstance", ClassName="Win32_OperatingSystem"))
    try:
        result = lab.workspace.sessions[host].invoke(query, raise_on_failure=False)
    except Exception:  # the host is restarting
        return None
    rows = [r for r in result.dicts() if isinstance(r, dict)]
    return str(rows[0].get("LastBootUpTime")) if rows else None


def test_failed_create_is_detected_cleaned_and_retried(lab_factory: LabFactory) -> None:
    lab = lab_factory(scenario="prepared", seed=31, speed=10.0)
    ws = lab.workspace
    state = read_wizard(ws, NODES)
    request = CreateRequest("CLUSTER1", "10.20.0.50", tuple(NODES))

    booted = boot_time(lab, "HV2")
    # HV2 restarts while the create runs: New-Cluster fails and leaves HV1 configured (reference §7.2)
    ws.sessions["HV2"].invoke(
        Pipeline.of(Command("Restart-Computer").switch("Force")), raise_on_failure=False
    )
    report = ws.run_applier(ws.applier(plan_create(state, request), lambda event: None))
    assert not report.succeeded

    for _ in range(120):  # until HV2 is back from its restart
        if boot_time(lab, "HV2") not in (None, booted):
            break
        time.sleep(0.5)
    state = read_wizard(ws, NODES)
    assert state.leftovers == {"HV1": "CLUSTER1"}
    assert plan_create(state, request).blocked
    assert any("failed create" in f.text for f in preflight(state))
    cleanup = plan_cleanup(state)
    assert [s.powershell for s in cleanup.steps] == ["Clear-ClusterNode -Name @('HV1') -Force"]
    apply(lab, cleanup)
    state = read_wizard(ws, NODES)
    assert not state.leftovers and plan_cleanup(state).empty
    apply(lab, plan_create(state, request))
    view = read_cluster(ws, "HV2", "CLUSTER1")
    assert view is not None and [n.state for n in view.nodes] == ["Up", "Up"]
