"""Rename-/Add-/Remove-/Restart-Computer, Install-ADDSForest, Resolve-DnsName and the reboot that applies
pending changes, in process against the classic world (reference §2.1–§2.5)."""

from __future__ import annotations

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.protocol import Credential, SecureText
from hvconsole.lab.world import domain
from hvconsole.lab.world.model import World
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run

DSRM = SecureText("Dsrm-Passw0rd")


@pytest.fixture
def world() -> World:
    return build_world(seed=3, now=1_700_000_000.0)


def session(world: World, index: int) -> Session:
    return Session(world=world, host=world.hosts[index])


def promote(world: World) -> str:
    dc = session(world, 0)
    assert (
        run(
            dc, cmd("Install-WindowsFeature", Name=["AD-Domain-Services"], IncludeManagementTools=True)
        ).failure
        is None
    )
    result = run(
        dc, cmd("Install-ADDSForest", DomainName="lab.local", SafeModeAdministratorPassword=DSRM, Force=True)
    )
    assert result.failure is None
    assert [o.get("Status") for o in result.output] == ["Success"]
    assert result.output[0].get("Context") == "DCPromo.General.3"
    assert "A delegation for this DNS server cannot be created" in result.sink.warnings[0]
    assert world.hosts[0].power == "Rebooting"
    world.finish_reboot(world.hosts[0])
    nic = world.hosts[0].adapters[0]
    return next(a.address for a in nic.addresses if a.family == "IPv4")


def test_install_addsforest_needs_the_role_then_makes_a_dc(world: World) -> None:
    dc = session(world, 0)
    before = run(
        dc, cmd("Install-ADDSForest", DomainName="lab.local", SafeModeAdministratorPassword=DSRM, Force=True)
    )
    assert before.failure is not None and before.failure.fqid.startswith("CommandNotFoundException")
    promote(world)
    host = world.hosts[0]
    assert (host.domain, host.domain_role, host.workgroup) == ("lab.local", 5, None)
    assert all(n.static_dns == ["127.0.0.1"] for n in host.adapters)
    system = run(dc, cmd("Get-CimInstance", "Win32_ComputerSystem")).output[0]
    assert system.get("PartOfDomain") is True and system.get("DomainRole") == 5
    again = run(
        dc,
        cmd("Install-ADDSForest", DomainName="other.local", SafeModeAdministratorPassword=DSRM, Force=True),
    )
    assert again.failure is not None and "Verification of prerequisites" in again.failure.message


def test_install_addsforest_without_force_cannot_prompt(world: World) -> None:
    dc = session(world, 0)
    run(dc, cmd("Install-WindowsFeature", Name=["AD-Domain-Services"]))
    result = run(dc, cmd("Install-ADDSForest", DomainName="lab.local", SafeModeAdministratorPassword=DSRM))
    assert result.failure is not None and "configured as a domain controller" in result.failure.message
    assert world.hosts[0].pending == {}


def test_join_needs_dns_pointing_at_the_dc_and_the_right_password(world: World) -> None:
    dc_ip = promote(world)
    node = session(world, 1)
    good = Credential("LAB\\Administrator", SecureText(world.admin_password))
    unreachable = run(node, cmd("Add-Computer", DomainName="lab.local", Credential=good))
    (error,) = unreachable.errors
    assert error.fqid == "FailToJoinDomainFromWorkgroup,Microsoft.PowerShell.Commands.AddComputerCommand"
    assert error.message.endswith(
        "from its current workgroup 'WORKGROUP' with following error message: "
        "The specified domain either does not exist or could not be contacted."
    )
    missing = run(node, cmd("Resolve-DnsName", Name="lab.local")).errors[0]
    assert missing.message == "lab.local : DNS name does not exist"
    assert missing.fqid == "DNS_ERROR_RCODE_NAME_ERROR,Microsoft.DnsClient.Commands.ResolveDnsName"
    world.hosts[1].adapters[0].static_dns = [dc_ip]
    assert dc_ip in [o.get("IPAddress") for o in run(node, cmd("Resolve-DnsName", Name="lab.local")).output]
    bad = run(
        node,
        cmd(
            "Add-Computer",
            DomainName="lab.local",
            Credential=Credential("LAB\\Administrator", SecureText("nope")),
        ),
    )
    assert bad.errors[0].message.endswith(
        "with following error message: The user name or password is incorrect."
    )
    name = world.hosts[1].name
    joined = run(node, cmd("Add-Computer", DomainName="lab.local", Credential=good, NewName="NODE1"))
    assert joined.errors == []
    assert joined.sink.warnings == [f"The changes will take effect after you restart the computer {name}."]
    second = run(node, cmd("Add-Computer", DomainName="lab.local", Credential=good))
    assert second.errors[0].fqid.startswith("AddComputerToSameDomain,")
    assert (
        second.errors[0].message
        == f"Cannot add computer '{name}' to domain 'lab.local' because it is already in that domain."
    )
    world.finish_reboot(world.hosts[1])
    system = run(node, cmd("Get-CimInstance", "Win32_ComputerSystem")).output[0]
    assert (system.get("Name"), system.get("PartOfDomain"), system.get("DomainRole")) == ("NODE1", True, 3)
    assert [o.get("IPAddress") for o in run(session(world, 0), cmd("Resolve-DnsName", Name="node1")).output]


def test_rename_is_pending_until_restart(world: World) -> None:
    node = session(world, 1)
    old = world.hosts[1].name
    result = run(node, cmd("Rename-Computer", NewName="HV-NODE1"))
    assert result.sink.warnings == [f"The changes will take effect after you restart the computer {old}."]
    assert world.hosts[1].name == old and domain.pending_name(world.hosts[1]) == "HV-NODE1"
    key = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName"
    assert run(node, cmd("Get-ItemProperty", Path=key)).output[0].get("ComputerName") == "HV-NODE1"
    same = run(node, cmd("Rename-Computer", NewName=old)).errors[0]
    assert same.fqid == "NewNameIsOldName,Microsoft.PowerShell.Commands.RenameComputerCommand"
    assert (
        same.message
        == f"Skip computer '{old}' with new name '{old}' because the new name is the same as the current name."
    )
    invalid = run(node, cmd("Rename-Computer", NewName="bad name")).errors[0]
    assert "because the new name is not valid" in invalid.message
    assert run(node, cmd("Rename-Computer", NewName="A" * 16)).failure is not None  # the NetBIOS prompt
    restart = run(node, cmd("Restart-Computer"))
    assert "other users logged on" in restart.errors[0].message and world.hosts[1].power == "Running"
    assert run(node, cmd("Restart-Computer", Force=True)).errors == []
    world.finish_reboot(world.hosts[1])
    assert world.hosts[1].name == "HV-NODE1" and world.hosts[1].pending == {}


def test_clock_offset_shows_in_get_date(world: World) -> None:
    world.hosts[2].clock_offset = 600
    ahead = run(session(world, 2), cmd("Get-Date")).output[0]
    base = run(session(world, 1), cmd("Get-Date")).output[0]
    assert (ahead - base).total_seconds() == 600
