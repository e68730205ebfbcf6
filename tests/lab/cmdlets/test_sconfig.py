"""The cmdlets SConfig's items need, in process: the real errors, idempotency, and their effect on the world."""

from __future__ import annotations

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run

TS = r"HKLM:\System\CurrentControlSet\Control\Terminal Server"
AU = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU"
WU = "root/Microsoft/Windows/WindowsUpdate"


@pytest.fixture
def node() -> Session:
    world = build_world(seed=11, now=1_700_000_000.0)
    return Session(world=world, host=world.hosts[1])


def test_start_service_misspelled_is_the_real_error(node: Session) -> None:
    error = run(node, cmd("Start-Service", "msisci")).errors[0]
    assert error.message == "Cannot find any service with service name 'msisci'."
    assert error.fqid == "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.StartServiceCommand"
    assert error.category == "ObjectNotFound"


def test_start_service_waits_then_is_silent_the_second_time(node: Session) -> None:
    first = run(node, cmd("Start-Service", "MSiSCSI"))
    assert first.sink.warnings == [
        "Waiting for service 'Microsoft iSCSI Initiator Service (MSiSCSI)' to start..."
    ]
    assert node.host.service("msiscsi").status == "Running"
    again = run(node, cmd("Start-Service", "MSiSCSI"))
    assert again.sink.warnings == [] and again.errors == []


def test_set_service_startup_type_and_status(node: Session) -> None:
    assert (
        run(node, cmd("Set-Service", Name="W32Time", StartupType="Automatic", Status="Running")).errors == []
    )
    service = node.host.service("W32Time")
    assert (service.start_type, service.status) == ("Automatic", "Running")
    run(node, cmd("Set-Service", Name="W32Time", StartupType="Disabled", Status="Stopped"))
    failed = run(node, cmd("Start-Service", "W32Time")).errors[0]
    assert failed.fqid == "CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand"


def test_stopping_winrm_tells_the_world(node: Session) -> None:
    seen: list[str] = []
    node.world.on_service_change(lambda host, name: seen.append(name))
    run(node, cmd("Stop-Service", "WinRM"))
    assert seen == ["WinRM"] and node.host.service("WinRM").status == "Stopped"


def test_registry_values_and_missing_paths(node: Session) -> None:
    value = run(node, cmd("Get-ItemProperty", TS, "fDenyTSConnections")).output[0]
    assert value.get("fDenyTSConnections") == 1
    assert value.get("PSChildName") == "Terminal Server"
    missing = run(node, cmd("Get-ItemProperty", AU)).errors[0]
    assert missing.message == f"Cannot find path '{AU}' because it does not exist."
    assert missing.fqid == "PathNotFound,Microsoft.PowerShell.Commands.GetItemPropertyCommand"
    assert missing.exception_type == "System.Management.Automation.ItemNotFoundException"
    assert run(node, cmd("Set-ItemProperty", AU, "AUOptions", 4)).errors[0].fqid.startswith("PathNotFound,")
    run(node, cmd("New-Item", Path=AU, Force=True))
    run(node, cmd("Set-ItemProperty", Path=AU, Name="AUOptions", Value=4, Type="DWord"))
    assert run(node, cmd("Get-ItemProperty", AU)).output[0].get("AUOptions") == 4
    exists = run(
        node, cmd("New-ItemProperty", Path=AU, Name="AUOptions", Value=3, PropertyType="DWord")
    ).errors[0]
    assert exists.message == "The property already exists." and exists.category == "ResourceExists"
    absent = run(node, cmd("Get-ItemProperty", TS, "NoSuchValue")).errors[0]
    assert absent.category == "InvalidArgument"


def test_time_zone_and_clock(node: Session) -> None:
    assert run(node, cmd("Get-TimeZone")).output[0].get("Id") == "Pacific Standard Time"
    unknown = run(node, cmd("Set-TimeZone", Id="Mars Standard Time")).errors[0]
    assert unknown.fqid == "TimeZoneNotFound,Microsoft.PowerShell.Commands.SetTimeZoneCommand"
    assert unknown.message == "The time zone ID 'Mars Standard Time' was not found on the local computer."
    run(node, cmd("Set-TimeZone", Id="utc"))
    assert node.host.settings.time_zone == "UTC"
    ids = [z.get("Id") for z in run(node, cmd("Get-TimeZone", ListAvailable=True)).output]
    assert "W. Europe Standard Time" in ids
    run(node, cmd("Set-Date", "2030-01-01T00:00:00Z"))
    assert abs(node.world.now() + node.host.clock_offset - 1_893_456_000) < 5


def test_add_local_administrator_twice_is_member_exists(node: Session) -> None:
    name = node.host.name
    error = run(node, cmd("Add-LocalGroupMember", Group="Administrators", Member="Administrator")).errors[0]
    assert error.message == f"{name}\\Administrator is already a member of group Administrators."
    assert error.fqid == "MemberExists,Microsoft.PowerShell.Commands.AddLocalGroupMemberCommand"
    unknown = run(node, cmd("Add-LocalGroupMember", Group="Administrators", Member="nobody")).errors[0]
    assert unknown.fqid == "PrincipalNotFound,Microsoft.PowerShell.Commands.AddLocalGroupMemberCommand"
    members = run(node, cmd("Get-LocalGroupMember", Group="Administrators")).output
    assert [m.get("Name") for m in members] == [f"{name}\\Administrator"]


def test_updates_scan_and_apply(node: Session) -> None:
    scan = cmd(
        "Invoke-CimMethod",
        Namespace=WU,
        ClassName="MSFT_WUOperations",
        MethodName="ScanForUpdates",
        Arguments={"SearchCriteria": "IsInstalled=0"},
    )
    result = run(node, scan).output[0]
    assert result.type_names[0] == "Microsoft.Management.Infrastructure.CimMethodResult"
    assert len(result.get("Updates")) == 3 and result.get("ReturnValue") == 0
    session = cmd("New-CimInstance", Namespace=WU, ClassName="MSFT_WUOperationsSession")
    applied = run(node, session, cmd("Invoke-CimMethod", MethodName="ApplyApplicableUpdates"))
    assert applied.errors == []
    assert run(node, scan).output[0].get("Updates") == []
    bad = cmd(
        "Invoke-CimMethod",
        Namespace=WU,
        ClassName="MSFT_WUOperations",
        MethodName="ScanForUpdates",
        Arguments={"SearchCriteria": "Nonsense"},
    )
    assert run(node, bad).errors[0].fqid.startswith("HRESULT 0x80240032,")


def test_activation_needs_a_kms_host_for_the_default_key(node: Session) -> None:
    product = [cmd("Get-CimInstance", "SoftwareLicensingProduct"), cmd("Where-Object", "PartialProductKey")]
    found = run(node, *product).output
    assert [p.get("PartialProductKey") for p in found] == ["6VM33"]
    failed = run(node, *product, cmd("Invoke-CimMethod", MethodName="Activate")).errors[0]
    assert (
        failed.fqid
        == "HRESULT 0xc004f074,Microsoft.Management.Infrastructure.CimCmdlets.InvokeCimMethodCommand"
    )
    service = cmd("Get-CimInstance", "SoftwareLicensingService")
    bad = run(
        node, service, cmd("Invoke-CimMethod", MethodName="InstallProductKey", Arguments={"ProductKey": "x"})
    )
    assert bad.errors[0].fqid.startswith("HRESULT 0xc004f050,")
    key = {"ProductKey": "ABCDE-FGHIJ-KLMNO-PQRST-UVW12"}
    assert (
        run(node, service, cmd("Invoke-CimMethod", MethodName="InstallProductKey", Arguments=key)).errors
        == []
    )
    assert run(node, *product, cmd("Invoke-CimMethod", MethodName="Activate")).errors == []
    assert node.host.settings.license_status == 1


def test_log_off_through_win32_shutdown(node: Session) -> None:
    assert (
        run(node, cmd("Get-CimInstance", "Win32_ComputerSystem"))
        .output[0]
        .get("UserName")
        .endswith("\\Administrator")
    )
    os_ = cmd("Get-CimInstance", "Win32_OperatingSystem")
    out = run(node, os_, cmd("Invoke-CimMethod", MethodName="Win32Shutdown", Arguments={"Flags": 0})).output
    assert out[0].get("ReturnValue") == 0
    assert run(node, cmd("Get-CimInstance", "Win32_ComputerSystem")).output[0].get("UserName") is None
