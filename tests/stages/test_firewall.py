"""Firewall stage against the lab: fresh Server → management groups + ping open everywhere, iSCSI 3260 on the
storage box; ping works afterwards; a second plan is empty; the preflight turns green."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.firewall import (
    GROUPS,
    DesiredFirewall,
    HostFirewall,
    firewall_preflight,
    plan_firewall,
    read_firewall,
    stage_needs,
)
from hvconsole.stages.plan import Severity
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("firewall-lab"))
    yield opened
    opened.close()


def state_of(lab: Opened) -> dict[str, HostFirewall]:
    read = read_firewall(lab.workspace, lab.workspace.host_names())
    assert all(isinstance(v, HostFirewall) for v in read.values()), read
    return {k: v for k, v in read.items() if isinstance(v, HostFirewall)}


def recipe(hosts: list[str]) -> list[DesiredFirewall]:
    storage = hosts[0]
    return [
        DesiredFirewall(h, {g: True for g in GROUPS}, ("iscsi-target",) if h == storage else ())
        for h in hosts
    ]


def ping(lab: Opened, source: str, target: str) -> bool:
    pipeline = Pipeline.of(Command("Test-Connection", ComputerName=target, Count=1, Quiet=True))
    return lab.workspace.sessions[source].invoke(pipeline, raise_on_failure=False).objects == [True]


def test_fresh_server_state_and_preflight(lab: Opened) -> None:
    hosts = lab.workspace.host_names()
    state = state_of(lab)
    first = state[hosts[0]]
    assert first.group_state("Windows Remote Management") == "on"
    assert first.group_state("Remote Desktop") == "off"
    assert first.group_state("File and Printer Sharing (Echo Request)") == "off"
    findings = firewall_preflight(state, stage_needs(hosts[0], hosts[1:]))
    assert any(f.severity is Severity.BLOCKER and "3260" in f.text for f in findings)
    assert not ping(lab, hosts[1], hosts[0])


def test_recipe_firewall_then_nothing_to_do(lab: Opened) -> None:
    hosts = lab.workspace.host_names()
    plan = plan_firewall(recipe(hosts), state_of(lab))
    script = plan.script()
    assert "Enable-NetFirewallRule -DisplayGroup 'Remote Desktop'" in script
    assert "Enable-NetFirewallRule -Name 'FPS-ICMP4-ERQ-In'" in script
    assert script.count("New-NetFirewallRule") == 1 and "hvconsole-iSCSI-Target-In-TCP-3260" in script
    report = lab.workspace.run_applier(lab.workspace.applier(plan, lambda event: None))
    assert report.succeeded, report.details
    after = state_of(lab)
    assert plan_firewall(recipe(hosts), after).empty
    assert ping(lab, hosts[1], hosts[0]) and ping(lab, hosts[0], hosts[2])
    storage_needs = [n for n in stage_needs(hosts[0], hosts[1:]) if n.stage in ("Network", "Storage")]
    assert all(f.severity is Severity.OK for f in firewall_preflight(after, storage_needs))


def test_disable_a_group(lab: Opened) -> None:
    hosts = lab.workspace.host_names()
    plan = plan_firewall([DesiredFirewall(hosts[2], {"Remote Desktop": False})], state_of(lab))
    assert [s.title for s in plan.steps] == ["Block Remote Desktop"]
    assert lab.workspace.run_applier(lab.workspace.applier(plan, lambda event: None)).succeeded
    assert state_of(lab)[hosts[2]].group_state("Remote Desktop") == "off"
