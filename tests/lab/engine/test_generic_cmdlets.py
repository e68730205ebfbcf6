from __future__ import annotations

from hvconsole.lab.protocol import PSEnum, PSObj
from tests.lab.engine.harness import cmd, run, tiny_session


def test_get_service_types_and_not_found() -> None:
    session = tiny_session()
    result = run(session, cmd("Get-Service", Name=["winrm", "msisci"]))
    svc = result.output[0]
    assert isinstance(svc, PSObj)
    assert svc.type_names[0] == "System.ServiceProcess.ServiceController"
    assert svc.get("Status") == PSEnum("System.ServiceProcess.ServiceControllerStatus", 4, "Running")
    assert svc.get("StartType").name == "Automatic"
    error = result.errors[0]
    assert error.message == "Cannot find any service with service name 'msisci'."
    assert error.fqid == "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand"
    assert error.category == "ObjectNotFound"
    assert error.exception_type == "Microsoft.PowerShell.Commands.ServiceCommandException"


def test_select_object_property_first_expand() -> None:
    session = tiny_session()
    result = run(session, cmd("Get-Service"), cmd("Select-Object", Property=["Name", "Status"], First=2))
    assert len(result.output) == 2
    first = result.output[0]
    assert first.type_names[0] == "Selected.System.ServiceProcess.ServiceController"
    assert first.adapted is False and list(first.properties) == ["Name", "Status"]
    result = run(session, cmd("Get-Service", "WinRM"), cmd("Select-Object", Property="*"))
    assert "DisplayName" in result.output[0].properties
    result = run(session, cmd("Get-Service"), cmd("select", ExpandProperty="Name"))
    assert result.output == ["Dnscache", "MSiSCSI", "WinRM"]


def test_where_object_forms() -> None:
    session = tiny_session()
    result = run(
        session, cmd("Get-Service"), cmd("Where-Object", Property="Status", EQ=True, Value="Running")
    )
    assert sorted(o.get("Name") for o in result.output) == ["Dnscache", "WinRM"]
    result = run(session, cmd("Get-Service"), cmd("Where-Object", "Name", "*i*", Like=True))
    assert [o.get("Name") for o in result.output] == ["MSiSCSI", "WinRM"]
    result = run(session, cmd("Get-Service"), cmd("Where-Object", Property="CanStop"))
    assert len(result.output) == 2
    result = run(session, cmd("Get-Service"), cmd("Where-Object", Property="Name", Match="^d"))
    assert result.failure is not None  # -Match is a switch: "^d" is not a boolean


def test_sort_object() -> None:
    session = tiny_session()
    result = run(session, cmd("Get-Service"), cmd("Sort-Object", Property="DisplayName", Descending=True))
    assert result.output[0].get("DisplayName") == "Windows Remote Management (WS-Management)"


def test_get_command() -> None:
    session = tiny_session()
    result = run(session, cmd("Get-Command", Name="Get-Serv*"))
    info = result.output[0]
    assert info.get("Name") == "Get-Service"
    assert info.get("Source") == "Microsoft.PowerShell.Management"
    assert info.get("CommandType") == PSEnum("System.Management.Automation.CommandTypes", 8, "Cmdlet")
    assert info.type_names[0] == "System.Management.Automation.CmdletInfo"
    result = run(session, cmd("Get-Command", Name="Get-VM"))
    assert result.errors[0].fqid == "CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand"


def test_get_date_is_lab_time() -> None:
    result = run(tiny_session(), cmd("Get-Date"))
    assert result.output[0].timestamp() == 1_700_000_000.0
