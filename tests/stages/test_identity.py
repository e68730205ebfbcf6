"""The identity stage against the lab (fresh classic scenario): promote the storage box to a new forest, join
both Hyper-V hosts (DNS pointed at the DC, restart), rename, and the failure modes (1355, 1326)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hvconsole.launch import Opened
from hvconsole.remoting.command import PSCredentialValue, Secret
from hvconsole.stages.apply import StepOutcome
from hvconsole.stages.identity import (
    DomainJoin,
    HostChange,
    IdentityRequest,
    NewForest,
    build_plan,
    read_identity,
)
from hvconsole.stages.plan import Severity
from hvconsole.windows.system import DomainRole
from tests.conftest import open_lab

DOMAIN = "virtuallab.com"
DSRM = "Dsrm-Secret-4711!"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("identity-lab"), seed=21, speed=50.0)
    yield opened
    opened.close()


def names(lab: Opened) -> list[str]:
    return lab.workspace.host_names()


def lab_password(lab: Opened) -> str:
    assert lab.lab is not None
    return lab.lab.hosts[0].password


def credential(password: str) -> PSCredentialValue:
    return PSCredentialValue("VIRTUALLAB\\Administrator", Secret(password))


def apply(lab: Opened, plan):  # type: ignore[no-untyped-def]
    applier = lab.workspace.applier(plan, lambda event: None)
    applier.restart_timeout = 120
    return lab.workspace.run_applier(applier)


def test_fresh_hosts_are_standalone_in_a_workgroup(lab: Opened) -> None:
    state = read_identity(lab.workspace, names(lab))
    assert set(state.hosts) == set(names(lab)) and not state.problems
    for identity in state.hosts.values():
        assert identity.system.domain == "WORKGROUP" and not identity.system.part_of_domain
        assert identity.system.domain_role is DomainRole.StandaloneServer
        assert identity.pending_name is None and identity.addresses and identity.clock is not None


def test_promote_the_storage_box_to_a_new_forest(lab: Opened) -> None:
    storage = names(lab)[0]
    forest = NewForest(storage, DOMAIN, "VIRTUALLAB", Secret(DSRM))
    plan = build_plan(lab.workspace, IdentityRequest(forest=forest))
    assert plan.steps[0].title.split(" (")[0] == "Install Active Directory Domain Services"
    assert plan.steps[-1].restarts_host and DSRM not in plan.script()
    report = apply(lab, plan)
    assert report.succeeded, report.details
    state = read_identity(lab.workspace, [storage])
    dc = state.hosts[storage]
    assert dc.system.part_of_domain and dc.system.domain == DOMAIN
    assert dc.system.domain_role is DomainRole.PrimaryDomainController and dc.dns_servers == ("127.0.0.1",)
    assert build_plan(lab.workspace, IdentityRequest(forest=forest)).empty


def test_join_without_dns_pointing_at_the_dc_fails_with_1355(lab: Opened) -> None:
    node = names(lab)[1]
    request = IdentityRequest(
        changes=(HostChange(node, join=True),),
        join=DomainJoin(DOMAIN, credential(lab_password(lab)), point_dns=False),
    )
    plan = build_plan(lab.workspace, request)
    warning = next(f for f in plan.findings if f.host == node and f.severity is Severity.WARNING)
    assert "do not point at the domain controller" in warning.text and "Network stage" in (warning.fix or "")
    report = apply(lab, plan)
    failed = [i for i, o in report.outcomes.items() if o is StepOutcome.FAILED]
    assert failed and report.details[failed[0]].endswith(
        "The specified domain either does not exist or could not be contacted."
    )


def test_wrong_domain_password_fails_with_1326(lab: Opened) -> None:
    node = names(lab)[1]
    request = IdentityRequest(
        changes=(HostChange(node, join=True),), join=DomainJoin(DOMAIN, credential("wrong"))
    )
    plan = build_plan(lab.workspace, request)
    assert any(s.pipeline.mentions("Set-DnsClientServerAddress") for s in plan.steps)
    report = apply(lab, plan)
    failed = [i for i, o in report.outcomes.items() if o is StepOutcome.FAILED]
    assert report.details[failed[0]].endswith("The user name or password is incorrect.")


def test_join_both_nodes_and_rename_one(lab: Opened) -> None:
    _storage, node1, node2 = names(lab)
    request = IdentityRequest(
        changes=(HostChange(node1, new_name="HV-NODE1", join=True), HostChange(node2, join=True)),
        join=DomainJoin(DOMAIN, credential(lab_password(lab))),
    )
    plan = build_plan(lab.workspace, request)
    assert not plan.blocked
    assert any(f.text.startswith("its clock is within 5 minutes") for f in plan.findings)
    assert all(s.restarts_host for s in plan.steps if s.pipeline.mentions("Restart-Computer"))
    report = apply(lab, plan)
    assert report.succeeded, report.details
    state = read_identity(lab.workspace, [node1, node2])
    assert state.hosts[node1].name == "HV-NODE1"
    for identity in state.hosts.values():
        assert identity.system.part_of_domain and identity.system.domain == DOMAIN
        assert identity.system.domain_role is DomainRole.MemberServer and not identity.restart_pending
    assert build_plan(lab.workspace, request).empty


def test_the_domain_password_never_reaches_the_journal(lab: Opened) -> None:
    text = Path(lab.workspace.journal_path).read_text()
    assert lab_password(lab) not in text and DSRM not in text
    assert "Add-Computer" in text and "Install-ADDSForest" in text
