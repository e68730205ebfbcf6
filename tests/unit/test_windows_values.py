import datetime

from hvconsole.windows.features import InstallState, WindowsFeature
from hvconsole.windows.system import ComputerSystem, DomainRole, OperatingSystem, format_uptime
from hvconsole.windows.values import to_enum, to_timedelta


def test_enums_accept_numbers_names_and_display_text() -> None:
    assert to_enum(DomainRole, 3, DomainRole.StandaloneServer) is DomainRole.MemberServer
    assert (
        to_enum(DomainRole, "PrimaryDomainController", DomainRole.StandaloneServer)
        is DomainRole.PrimaryDomainController
    )
    assert to_enum(InstallState, "Install Pending", InstallState.Available) is InstallState.InstallPending
    assert to_enum(InstallState, 42, InstallState.Available) is InstallState.Available


def test_durations_parse_xs_duration() -> None:
    assert to_timedelta("P1DT2H3M4.5S") == datetime.timedelta(days=1, hours=2, minutes=3, seconds=4.5)
    assert to_timedelta("PT0S") == datetime.timedelta(0)
    assert to_timedelta("junk") is None


def test_computer_system_says_domain_or_workgroup() -> None:
    workgroup = ComputerSystem.from_properties(
        {"Name": "WIN-1", "Domain": "WORKGROUP", "PartOfDomain": False, "Workgroup": "WORKGROUP"}
    )
    assert workgroup.membership == "workgroup WORKGROUP"
    joined = ComputerSystem.from_properties(
        {"Name": "HV1", "Domain": "contoso.com", "PartOfDomain": True, "DomainRole": 3}
    )
    assert joined.membership == "domain contoso.com" and joined.domain_role.label == "Member server"


def test_uptime_from_last_boot() -> None:
    os_info = OperatingSystem.from_properties(
        {
            "Caption": "Microsoft Windows Server 2022 Datacenter",
            "LastBootUpTime": "2026-11-24T10:00:00.0000000+00:00",
        }
    )
    now = datetime.datetime(2026, 11, 25, 12, 30, tzinfo=datetime.UTC)
    assert os_info.edition == "Windows Server 2022 Datacenter"
    assert format_uptime(os_info.uptime(now)) == "1d 2h"


def test_feature_pending_states() -> None:
    feature = WindowsFeature.from_properties({"Name": "Hyper-V", "Installed": False, "InstallState": 3})
    assert feature.pending and not feature.installed
