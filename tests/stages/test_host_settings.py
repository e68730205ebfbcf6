"""The host-settings stage against the real lab over PSRP: read, plan, apply, re-read, a second plan is empty."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hvconsole.embedded_lab import LabStartError
from hvconsole.launch import Opened, open_workspace
from hvconsole.paths import Locations
from hvconsole.stages.host_settings import Desired, plan, plan_host, read_hosts
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.host_settings import HostSettings, RemoteDesktop, Telemetry, UpdateSetting


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    root = tmp_path_factory.mktemp("host-settings")
    try:
        opened = open_workspace(
            use_lab=True,
            lab_speed=50.0,
            lab_state=root / "lab" / "state.json",
            where=Locations(root / "config", root / "state", root / "data"),
            lab_args=["--seed", "7"],
        )
    except LabStartError as error:
        pytest.skip(f"the embedded lab could not start: {error}")
    yield opened
    opened.close()


def read(ws: Workspace, host: str) -> HostSettings:
    found = read_hosts(ws, [host])[host]
    assert isinstance(found, HostSettings), found
    return found


def apply(ws: Workspace, states: dict[str, HostSettings], wants: dict[str, Desired]) -> None:
    the_plan = plan(states, wants)
    report = ws.run_applier(ws.applier(the_plan, on_event=lambda e: None))
    assert report.succeeded, report.details


def test_fresh_host_reads_like_a_new_install(lab: Opened) -> None:
    ws = lab.workspace
    host = ws.host_names()[0]
    s = read(ws, host)
    assert s.winrm_running and s.remote_desktop is RemoteDesktop.DISABLED
    assert s.update_setting is UpdateSetting.DOWNLOAD_ONLY and not s.update_policy_key
    assert s.telemetry is Telemetry.REQUIRED
    assert s.time_zone == "Pacific Standard Time" and "UTC" in s.time_zones
    assert s.clock is not None
    assert s.administrators == (f"{host}\\Administrator",)
    assert s.logged_on_user == f"{host}\\Administrator"
    assert len(s.updates) == 3 and s.partial_product_key == "6VM33" and s.activation == "Initial grace period"
    assert s.ping_enabled is not None and not s.hyperv


def test_settings_apply_and_a_second_plan_is_empty(lab: Opened) -> None:
    ws = lab.workspace
    host = ws.host_names()[1]
    want = Desired(
        ping=True,
        remote_desktop=RemoteDesktop.NLA_ONLY,
        update_setting=UpdateSetting.AUTOMATIC,
        telemetry=Telemetry.SECURITY,
        time_zone="W. Europe Standard Time",
        add_administrators=("Guest",),
        install_updates=True,
    )
    before = read(ws, host)
    steps = plan_host(before, want)
    titles = [s.title for s in steps]
    assert "Remote Desktop: Enabled (NLA clients only)" in titles and "Install 3 pending update(s)" in titles
    update_step = next(s for s in steps if s.title.startswith("Windows Update"))
    assert update_step.powershell.startswith(
        "New-Item -Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -Force"
    )
    apply(ws, {host: before}, {host: want})
    after = read(ws, host)
    assert after.remote_desktop is RemoteDesktop.NLA_ONLY and after.update_setting is UpdateSetting.AUTOMATIC
    assert after.telemetry is Telemetry.SECURITY and after.time_zone == "W. Europe Standard Time"
    assert after.ping_enabled is True and after.updates == ()
    assert f"{host}\\Guest" in after.administrators
    assert plan_host(after, want) == []
    any_client = Desired(remote_desktop=RemoteDesktop.ANY_CLIENT, update_setting=UpdateSetting.MANUAL)
    apply(ws, {host: after}, {host: any_client})
    again = read(ws, host)
    assert again.remote_desktop is RemoteDesktop.ANY_CLIENT and again.update_setting is UpdateSetting.MANUAL
    assert plan_host(again, any_client) == []


def test_product_key_is_validated_and_activation_runs(lab: Opened) -> None:
    ws = lab.workspace
    host = ws.host_names()[1]
    s = read(ws, host)
    with pytest.raises(ValueError, match="five groups of five"):
        plan_host(s, Desired(product_key="ABCDE-FGHIJ"))
    want = Desired(product_key="abcde-fghij-klmno-pqrst-uvw12", activate=True)
    steps = plan_host(s, want)
    assert [st.title for st in steps] == ["Install product key ending UVW12", "Activate Windows"]
    apply(ws, {host: s}, {host: want})
    after = read(ws, host)
    assert after.activation == "Licensed" and plan_host(after, want) == []


def test_log_off_and_restart_are_destructive(lab: Opened) -> None:
    ws = lab.workspace
    host = ws.host_names()[0]
    s = read(ws, host)
    steps = plan_host(s, Desired(log_off=True, restart=True))
    assert [st.destructive for st in steps] == [True, True]
    assert steps[1].restarts_host and steps[1].powershell == "Restart-Computer -Force"
    assert "'Win32Shutdown' -Arguments @{Flags=0}" in steps[0].powershell
    shut = plan_host(s, Desired(shut_down=True))[0]
    assert shut.confirm_phrase == host and shut.powershell == "Stop-Computer -Force"


def test_restart_saves_running_vms_first() -> None:
    s = HostSettings(host="NODE1", hyperv=True, running_vms=("vm1", "vm2"))
    steps = plan_host(s, Desired(restart=True))
    assert [st.powershell for st in steps] == ["Save-VM -Name 'vm1', 'vm2'", "Restart-Computer -Force"]
    assert plan_host(s.model_copy(update={"running_vms": ()}), Desired(restart=True))[0].title == "Restart"


def test_remote_management_off_ends_the_session(lab: Opened) -> None:
    ws = lab.workspace
    host = ws.host_names()[2]
    s = read(ws, host)
    steps = plan_host(s, Desired(remote_management_off=True))
    assert len(steps) == 1 and steps[0].confirm_phrase == host and steps[0].destructive
    assert steps[0].powershell == "Set-Service -Name 'WinRM' -StartupType 'Disabled' -Status 'Stopped'"
    ws.sessions[host].invoke(steps[0].pipeline, raise_on_failure=False)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = read_hosts(ws, [host])[host]
        if isinstance(found, str):
            break
        time.sleep(0.5)
    assert isinstance(read_hosts(ws, [host])[host], str)


def test_unknown_host_state_is_skipped_in_the_plan(tmp_path: Path) -> None:
    assert plan({}, {"GHOST": Desired(restart=True)}).empty
