"""The features stage against the lab: Hyper-V + Failover Clustering on both nodes and the iSCSI Target Server
on the storage box in one parallel phase; Hyper-V pending until the restart; second plans are empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.stages.apply import StepEvent, StepOutcome
from hvconsole.stages.features import FeatureRequest, build_plan, read_features
from hvconsole.stages.plan import Severity
from hvconsole.windows.features import InstallState
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("features-lab"), seed=22, speed=50.0)
    yield opened
    opened.close()


def test_install_roles_on_three_hosts_in_one_phase(lab: Opened) -> None:
    storage, node1, node2 = lab.workspace.host_names()
    fresh = read_features(lab.workspace, [storage, node1, node2])
    assert all(fresh.state(h, "Hyper-V") is InstallState.Available for h in (storage, node1, node2))
    cluster = {"Hyper-V": True, "Failover-Clustering": True}
    request = FeatureRequest({node1: cluster, node2: cluster, storage: {"FS-iSCSITarget-Server": True}})
    plan = build_plan(lab.workspace, request)
    assert len(plan.phases) == 1 and len(plan.steps) == 3
    assert (
        "Install-WindowsFeature -Name 'Hyper-V', 'Failover-Clustering' -IncludeManagementTools"
        in plan.script()
    )
    assert {f.host for f in plan.findings if f.severity is Severity.WARNING} == {node1, node2}
    events: list[StepEvent] = []
    applier = lab.workspace.applier(plan, events.append)
    report = lab.workspace.run_applier(applier)
    assert report.succeeded, report.details
    assert any(
        e.outcome is StepOutcome.RUNNING and e.percent >= 0 for e in events
    )  # progress while installing
    after = read_features(lab.workspace, [storage, node1, node2])
    assert after.state(node1, "Hyper-V") is InstallState.InstallPending
    assert after.state(node1, "Failover-Clustering") is InstallState.Installed
    assert after.state(storage, "FS-iSCSITarget-Server") is InstallState.Installed
    second = build_plan(lab.workspace, request)
    assert second.empty and any("needs a restart" in f.text for f in second.findings)


def test_restart_finishes_hyper_v(lab: Opened) -> None:
    _storage, node1, node2 = lab.workspace.host_names()
    request = FeatureRequest({h: {"Hyper-V": True} for h in (node1, node2)}, restart=True)
    plan = build_plan(lab.workspace, request)
    assert [s.restarts_host for s in plan.steps] == [True, True]
    applier = lab.workspace.applier(plan, lambda event: None)
    applier.restart_timeout = 120
    assert lab.workspace.run_applier(applier).succeeded
    state = read_features(lab.workspace, [node1, node2])
    assert all(state.state(h, "Hyper-V") is InstallState.Installed for h in (node1, node2))
    assert build_plan(lab.workspace, request).empty


def test_remove_a_role(lab: Opened) -> None:
    storage = lab.workspace.host_names()[0]
    request = FeatureRequest({storage: {"FS-iSCSITarget-Server": False}})
    plan = build_plan(lab.workspace, request)
    assert plan.steps[0].destructive and plan.steps[0].pipeline.mentions("Uninstall-WindowsFeature")
    assert lab.workspace.run_applier(lab.workspace.applier(plan, lambda event: None)).succeeded
    assert build_plan(lab.workspace, request).empty
