from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.protocol import U8, U16, U32, U64, Char, PSEnum, PSObj
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run

CIM = "Microsoft.Management.Infrastructure.CimInstance"


@pytest.fixture
def storage() -> Session:
    world = build_world(seed=11, now=1_700_000_000.0)
    return Session(world=world, host=world.hosts[0])


def cim_types(namespace: str, cls: str) -> tuple[str, ...]:
    return (f"{CIM}#{namespace}/{cls}", f"{CIM}#{cls}", CIM, "System.Object")


def test_get_net_adapter(storage: Session) -> None:
    out = run(storage, cmd("Get-NetAdapter")).output
    assert [o.get("Name") for o in out] == ["Ethernet", "Ethernet 2"]
    nic = out[0]
    assert nic.type_names == cim_types("ROOT/StandardCimv2", "MSFT_NetAdapter")
    assert type(nic.get("ifIndex")) is U32 and nic.get("ifIndex") == nic.get("InterfaceIndex")
    assert nic.get("Status") == "Up" and nic.get("LinkSpeed") == "10 Gbps"
    assert (
        type(nic.get("Speed")) is U64
        and nic.get("InterfaceDescription") == "Microsoft Hyper-V Network Adapter"
    )
    assert out[1].get("InterfaceDescription") == "Microsoft Hyper-V Network Adapter #2"
    assert run(storage, cmd("Get-NetAdapter", ifIndex=nic.get("ifIndex"))).output[0].get("Name") == "Ethernet"
    assert len(run(storage, cmd("Get-NetAdapter", "Eth*")).output) == 2


def test_get_net_adapter_not_found(storage: Session) -> None:
    result = run(storage, cmd("Get-NetAdapter", Name="Ethernet 3"))
    assert result.failure is None and result.output == []
    error = result.errors[0]
    assert error.message == (
        "No MSFT_NetAdapter objects found with property 'Name' equal to 'Ethernet 3'.  "
        "Verify the value of the property and retry."
    )
    assert error.fqid == "CmdletizationQuery_NotFound_Name,Get-NetAdapter"
    assert error.category == "ObjectNotFound"
    assert error.exception_type == "Microsoft.PowerShell.Cmdletization.Cim.CimJobException"
    assert error.target_name == "Ethernet 3"
    stopped = run(storage, cmd("Get-NetAdapter", Name="Ethernet 3", ErrorAction="Stop"))
    assert stopped.failure is not None and stopped.failure.fqid == error.fqid


def test_get_net_ip_address(storage: Session) -> None:
    out = run(storage, cmd("Get-NetIPAddress", AddressFamily="IPv4")).output
    assert [o.get("IPAddress") for o in out][-1] == "127.0.0.1"
    dhcp = out[0]
    assert dhcp.type_names[0] == f"{CIM}#ROOT/StandardCimv2/MSFT_NetIPAddress"
    assert dhcp.get("IPAddress").startswith("10.20.0.")
    assert type(dhcp.get("AddressFamily")) is U16 and dhcp.get("AddressFamily") == 2
    assert type(dhcp.get("PrefixLength")) is U8 and dhcp.get("PrefixLength") == 24
    assert dhcp.get("PrefixOrigin") == 3 and dhcp.get("SuffixOrigin") == 3  # Dhcp
    assert isinstance(dhcp.get("ValidLifetime"), timedelta)
    errors = run(storage, cmd("Get-NetIPAddress", IPAddress="10.99.0.1")).errors
    assert errors[0].fqid == "CmdletizationQuery_NotFound_IPAddress,Get-NetIPAddress"
    bad = run(storage, cmd("Get-NetIPAddress", AddressFamily="IPv5")).failure
    assert bad is not None and bad.fqid == "ParameterArgumentValidationError,Get-NetIPAddress"


def test_get_net_ip_configuration_and_dns(storage: Session) -> None:
    out = run(storage, cmd("Get-NetIPConfiguration")).output
    assert [o.get("InterfaceAlias") for o in out] == ["Ethernet", "Ethernet 2"]
    first = out[0]
    assert first.get("IPv4Address")[0].get("IPAddress").startswith("10.20.0.")
    assert first.get("IPv4DefaultGateway")[0].get("NextHop") == "10.20.0.1"
    assert first.get("NetAdapter").type_names[0].endswith("MSFT_NetAdapter")
    dns = run(
        storage, cmd("Get-DnsClientServerAddress", InterfaceAlias="Ethernet", AddressFamily="IPv4")
    ).output
    assert len(dns) == 1
    assert dns[0].type_names[0] == f"{CIM}#ROOT/StandardCimv2/MSFT_DNSClientServerAddress"
    assert dns[0].get("ServerAddresses") == ["10.20.0.1"] and type(dns[0].get("AddressFamily")) is U16
    error = run(storage, cmd("Get-DnsClientServerAddress", InterfaceAlias="Nope")).errors[0]
    assert error.fqid == "CmdletizationQuery_NotFound_InterfaceAlias,Get-DnsClientServerAddress"


def test_get_cim_instance(storage: Session) -> None:
    cs = run(storage, cmd("Get-CimInstance", ClassName="Win32_ComputerSystem")).output[0]
    assert cs.type_names == cim_types("root/cimv2", "Win32_ComputerSystem")
    assert cs.get("Domain") == "WORKGROUP" and cs.get("PartOfDomain") is False
    assert cs.get("Workgroup") == "WORKGROUP" and cs.get("Name") == storage.host.name
    assert type(cs.get("DomainRole")) is U16 and cs.get("DomainRole") == 2
    assert type(cs.get("TotalPhysicalMemory")) is U64
    narrowed = run(storage, cmd("Get-CimInstance", "Win32_ComputerSystem", Property=["Domain"])).output[0]
    assert narrowed.get("Domain") == "WORKGROUP" and narrowed.get("Name") == storage.host.name
    assert narrowed.get("TotalPhysicalMemory") is None
    os_ = run(storage, cmd("Get-CimInstance", ClassName="win32_operatingsystem")).output[0]
    assert os_.type_names[0] == f"{CIM}#root/cimv2/Win32_OperatingSystem"
    assert os_.get("Caption") == "Microsoft Windows Server 2022 Datacenter"
    assert isinstance(os_.get("LastBootUpTime"), datetime)
    bad = run(storage, cmd("Get-CimInstance", ClassName="Win32_Nothing"))
    assert (
        bad.errors[0].fqid
        == "HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand"
    )
    missing = run(storage, cmd("Get-CimInstance")).failure
    assert missing is not None and missing.fqid.startswith("MissingMandatoryParameter,")


def test_get_windows_feature(storage: Session) -> None:
    out = run(storage, cmd("Get-WindowsFeature")).output
    names = [o.get("Name") for o in out]
    for name in [
        "File-Services",
        "FS-FileServer",
        "FS-iSCSITarget-Server",
        "Hyper-V",
        "Hyper-V-PowerShell",
        "RSAT",
        "RSAT-Hyper-V-Tools",
        "RSAT-Clustering",
        "RSAT-Clustering-PowerShell",
        "RSAT-Clustering-Mgmt",
        "Failover-Clustering",
        "AD-Domain-Services",
        "DNS",
        "PowerShellRoot",
        "PowerShell",
        "WoW64-Support",
    ]:
        assert name in names
    fs = next(o for o in out if o.get("Name") == "FS-FileServer")
    assert fs.type_names == ("Microsoft.Windows.ServerManager.Commands.Feature", "System.Object")
    assert fs.get("Installed") is True and fs.get("Depth") == 3
    assert fs.get("Path") == "File and Storage Services\\File and iSCSI Services\\File Server"
    assert fs.get("InstallState") == PSEnum(
        "Microsoft.Windows.ServerManager.Commands.InstallState", 1, "Installed"
    )
    clus = run(storage, cmd("Get-WindowsFeature", Name="Failover-Clustering")).output
    assert (
        len(clus) == 1
        and clus[0].get("Installed") is False
        and clus[0].get("InstallState").name == "Available"
    )
    assert clus[0].get("FeatureType") == "Feature" and clus[0].get("DisplayName") == "Failover Clustering"
    assert run(storage, cmd("Get-WindowsFeature", Name="Nope")).output == []


def test_get_disk(storage: Session) -> None:
    out = run(storage, cmd("Get-Disk")).output
    assert [o.get("Number") for o in out] == [0, 1, 2]
    system, data = out[0], out[1]
    assert system.type_names == cim_types("ROOT/Microsoft/Windows/Storage", "MSFT_Disk")
    assert type(system.get("Number")) is U32 and type(system.get("Size")) is U64
    assert system.get("Size") == 40 * 1024**3 and system.get("PartitionStyle") == 1 and system.get("IsBoot")
    assert system.get("OperationalStatus") == [0xD010] and type(system.get("OperationalStatus")[0]) is U16
    assert data.get("Size") == 250 * 1024**3 and data.get("PartitionStyle") == 0
    assert data.get("IsOffline") is True and data.get("IsReadOnly") is True and data.get("OfflineReason") == 1
    assert data.get("OperationalStatus") == [0xD013] and data.get("BusType") == 10
    assert data.get("FriendlyName") == "Msft Virtual Disk" and type(data.get("BusType")) is U16
    error = run(storage, cmd("Get-Disk", Number=5)).errors[0]
    assert error.fqid == "CmdletizationQuery_NotFound_Number,Get-Disk"
    assert error.message.startswith("No MSFT_Disk objects found with property 'Number' equal to '5'.  Verify")
    assert len(run(storage, cmd("Get-Disk", 1)).output) == 1


def test_get_volume(storage: Session) -> None:
    out = run(storage, cmd("Get-Volume")).output
    assert len(out) == 2  # System Reserved and C: (the data disks are offline and RAW)
    c = next(o for o in out if o.get("DriveLetter") == "C")
    assert type(c.get("DriveLetter")) is Char and type(c.get("Size")) is U64
    assert c.type_names[0] == f"{CIM}#ROOT/Microsoft/Windows/Storage/MSFT_Volume"
    assert c.get("FileSystem") == "NTFS" and c.get("SizeRemaining") < c.get("Size")
    error = run(storage, cmd("Get-Volume", DriveLetter="X")).errors[0]
    assert error.fqid == "CmdletizationQuery_NotFound_DriveLetter,Get-Volume"


def test_get_service_fresh_state(storage: Session) -> None:
    out = run(storage, cmd("Get-Service", Name=["MSiSCSI", "WinRM"])).output
    assert [(o.get("Name"), str(o.get("Status")), str(o.get("StartType"))) for o in out] == [
        ("MSiSCSI", "Stopped", "Manual"),
        ("WinRM", "Running", "Automatic"),
    ]
    assert (
        run(storage, cmd("Get-Service", "vmms")).errors[0].message
        == "Cannot find any service with service name 'vmms'."
    )


def test_pipeline_through_generic_cmdlets(storage: Session) -> None:
    result = run(
        storage,
        cmd("Get-Disk"),
        cmd("Where-Object", Property="IsOffline", EQ=True, Value=True),
        cmd("Select-Object", Property=["Number", "Size"]),
    )
    assert [o.get("Number") for o in result.output] == [1, 2]
    assert isinstance(result.output[0], PSObj)
    assert result.output[0].type_names[0] == f"Selected.{CIM}#ROOT/Microsoft/Windows/Storage/MSFT_Disk"
    gcm = run(storage, cmd("Get-Command", Module="Storage")).output
    assert {o.get("Name") for o in gcm} >= {"Get-Disk", "Get-Volume"}
    assert str(gcm[0].get("CommandType")) == "Function"
