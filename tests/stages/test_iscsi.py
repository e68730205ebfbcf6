"""iSCSI target + initiator stages against the lab, from a fresh lab: every pain point of anchors.md #5
reproduced and explained, two LUNs connected persistently on both Hyper-V hosts, a second apply plans
nothing, and the logins come back after a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.apply import StepOutcome
from hvconsole.stages.iscsi_initiator import DesiredLogins, plan_logins, read_initiators
from hvconsole.stages.iscsi_target import (
    DesiredDisk,
    DesiredTarget,
    plan_target,
    read_initiator_iqns,
    read_target_server,
)
from hvconsole.stages.plan import Plan, Severity
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("iscsi-lab"))
    yield opened
    opened.close()


def apply(lab: Opened, plan: Plan) -> dict[int, StepOutcome]:
    workspace = lab.workspace
    report = workspace.run_applier(workspace.applier(plan, on_event=lambda e: None))
    return report.outcomes


def storage_and_nodes(lab: Opened) -> tuple[str, list[str]]:
    names = lab.workspace.host_names()
    return names[0], names[1:]


def test_target_and_initiators_end_to_end(lab: Opened) -> None:
    workspace = lab.workspace
    storage, nodes = storage_and_nodes(lab)
    session = workspace.sessions[storage]
    # precondition as a user would: the role through Install-WindowsFeature (the features engineer's cmdlet)
    installed = session.invoke(
        Pipeline.of(Command("Install-WindowsFeature", Name=["FS-iSCSITarget-Server"])), raise_on_failure=False
    )
    if installed.had_errors:
        pytest.skip(f"Install-WindowsFeature is not available in the lab yet: {installed.terminating_error}")
    server = read_target_server(workspace, storage)
    assert server.installed and not server.firewall_open
    iqns = read_initiator_iqns(workspace, nodes)
    assert all(iqn.startswith("iqn.1991-05.com.microsoft:") for iqn in iqns.values())

    # a folder on a drive that is not a volume: blocked before anything is sent
    bad = DesiredTarget(storage, "L:\\iSCSIVirtualDisks", (DesiredDisk("Quorum", 15),), "Cluster", ("IQN:*",))
    assert plan_target(bad, server, storage).blocked

    # pain point: a target that names the nodes by short DNS name; logins fail with 0xefff0029
    short = session.invoke(
        Pipeline.of(
            Command("New-IscsiServerTarget", TargetName="Short", InitiatorIds=[f"DNSName:{n}" for n in nodes])
        ),
        raise_on_failure=False,
    )
    assert any("primary FQDN" in w for w in short.warnings)

    desired = DesiredTarget(
        storage,
        "C:\\iSCSIVirtualDisks",
        (DesiredDisk("Quorum", 15), DesiredDisk("VMs", 20)),
        "Cluster",
        tuple(f"IQN:{iqns[n]}" for n in nodes),
    )
    plan = plan_target(desired, server, storage)
    assert not plan.blocked and len(plan.steps) == 6
    assert plan.steps[0].powershell.startswith("New-NetFirewallRule -Name 'hvconsole-iSCSI-Target-In-TCP-3260'")
    assert all(o is StepOutcome.APPLIED for o in apply(lab, plan).values())
    server = read_target_server(workspace, storage)
    assert plan_target(desired, server, storage).empty  # a second apply plans nothing
    cluster = server.target("Cluster")
    assert cluster is not None and len(cluster.lun_mappings) == 2
    assert cluster.target_iqn == f"iqn.1991-05.com.microsoft:{storage.lower()}-cluster-target"

    # the short-name target: the initiator plan refuses it with the explanation
    initiators = read_initiators(workspace, nodes)
    assert all(not i.running and i.start_type == "Manual" for i in initiators.values())
    portal = _storage_address(lab)
    short_iqn = server.target("Short").target_iqn  # type: ignore[union-attr]
    refused = plan_logins(DesiredLogins(tuple(nodes), portal, (short_iqn,)), initiators, server)
    assert refused.blocked and any(
        "0xefff0029" in f.text and "short name" in f.text for f in refused.findings
    )

    # pain point: service stopped → 0xefff003e; the plan starts it (and sets Automatic) first
    direct = workspace.sessions[nodes[0]].invoke(
        Pipeline.of(Command("Get-IscsiTarget")), raise_on_failure=False
    )
    assert direct.errors and direct.errors[0].fqid == "HRESULT 0xefff003e,Get-IscsiTarget"

    wanted = DesiredLogins(tuple(nodes), portal, (cluster.target_iqn,))
    plan = plan_logins(wanted, initiators, server)
    assert not plan.blocked
    assert any(f.severity is Severity.OK and "0xefff003e" in f.text for f in plan.findings)
    titles = [[s.title for s in phase] for phase in plan.phases]
    assert titles[0][0].startswith("Start the Microsoft iSCSI Initiator Service")
    assert all(t.startswith("Connect to") for t in titles[-1])
    outcomes = apply(lab, plan)
    assert all(o is StepOutcome.APPLIED for o in outcomes.values()), outcomes
    initiators = read_initiators(workspace, nodes)
    assert plan_logins(wanted, initiators, read_target_server(workspace, storage)).empty
    for node in nodes:
        state = initiators[node]
        assert state.running and state.start_type == "Automatic"
        assert state.session(cluster.target_iqn) and state.session(cluster.target_iqn).is_persistent  # type: ignore[union-attr]
        disks = workspace.sessions[node].invoke(Pipeline.of(Command("Get-Disk")), raise_on_failure=False)
        luns = [d for d in disks.dicts() if d.get("FriendlyName") == "MSFT Virtual HD"]
        assert len(luns) == 2 and all(d["IsOffline"] and str(d["BusType"]) in ("9", "iSCSI") for d in luns)
    serials = {d.serial_number for d in read_target_server(workspace, storage).virtual_disks}
    assert len(serials) == 2

    # persistent logins come back after a restart
    node = nodes[0]
    workspace.sessions[node].invoke(
        Pipeline.of(Command("Restart-Computer", Force=True)), raise_on_failure=False
    )
    deadline = time.monotonic() + 60
    back = None
    while time.monotonic() < deadline:
        time.sleep(1)
        back = read_initiators(workspace, [node])[node]
        if back.error is None and back.running and back.sessions:
            break
    assert back is not None and back.session(cluster.target_iqn) is not None


def test_firewall_closed_discovery_fails_and_plan_offers_the_rule(tmp_path: Path) -> None:
    lab = open_lab(tmp_path)
    try:
        workspace = lab.workspace
        storage, nodes = storage_and_nodes(lab)
        installed = workspace.sessions[storage].invoke(
            Pipeline.of(Command("Install-WindowsFeature", Name=["FS-iSCSITarget-Server"])),
            raise_on_failure=False,
        )
        if installed.had_errors:
            pytest.skip(
                f"Install-WindowsFeature is not available in the lab yet: {installed.terminating_error}"
            )
        node = workspace.sessions[nodes[0]]
        node.invoke(Pipeline.of(Command("Start-Service", Name=["MSiSCSI"])), raise_on_failure=False)
        portal = _storage_address(lab)
        failed = node.invoke(
            Pipeline.of(Command("New-IscsiTargetPortal", TargetPortalAddress=portal)), raise_on_failure=False
        )
        assert failed.errors and failed.errors[0].fqid == "HRESULT 0xefff0003,New-IscsiTargetPortal"
        server = read_target_server(workspace, storage)
        plan = plan_logins(
            DesiredLogins((nodes[0],), portal, ("iqn.1991-05.com.microsoft:x-t-target",)),
            read_initiators(workspace, [nodes[0]]),
            server,
        )
        first = plan.phases[0][0]
        assert first.host == storage and "3260" in first.title and "0xefff0003" in first.title
    finally:
        lab.close()


def _storage_address(lab: Opened) -> str:
    storage, _ = storage_and_nodes(lab)
    result = lab.workspace.sessions[storage].invoke(
        Pipeline.of(Command("Get-NetIPAddress", AddressFamily="IPv4", InterfaceAlias="Ethernet")),
        raise_on_failure=False,
    )
    return str(result.dicts()[0]["IPAddress"])
