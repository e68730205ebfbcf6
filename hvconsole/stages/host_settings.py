"""SConfig parity per host: read every item in one round trip, plan each change as a Step.

Choices the reference is silent on (# inferred): remote management off is ``Set-Service WinRM -StartupType
Disabled -Status Stopped`` (it ends hvconsole's own session, so it needs the host name typed); pending updates
are listed with the WindowsUpdate CIM provider's ``MSFT_WUOperations.ScanForUpdates`` and installed with
``MSFT_WUOperationsSession.ApplyApplicableUpdates`` (SConfig's COM API needs script text); log off is
``Win32_OperatingSystem.Win32Shutdown`` with Flags 0; a restart first saves running VMs (``Save-VM``), as
Hyper-V Server's SConfig does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hvconsole.remoting.command import SWITCH, Command, Hashtable, Pipeline, Statement
from hvconsole.remoting.result import PipelineResult, properties, type_name
from hvconsole.stages.plan import Plan, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.host_settings import (
    DATA_COLLECTION,
    PING_RULE,
    PRODUCT_KEY,
    RDP_TCP,
    TERMINAL_SERVER,
    WINDOWS_UPDATE_AU,
    WU_NAMESPACE,
    HostSettings,
    RemoteDesktop,
    Telemetry,
    UpdateSetting,
    parse_host_settings,
)

SILENT = "SilentlyContinue"


def read_pipeline() -> Pipeline:
    return Pipeline.of(
        Command("Get-Service", Name="WinRM"),
        Command(
            "Get-ItemProperty",
            Path=[TERMINAL_SERVER, RDP_TCP, WINDOWS_UPDATE_AU, DATA_COLLECTION],
            ErrorAction=SILENT,
        ),
        Command("Get-TimeZone"),
        Command("Get-TimeZone", ListAvailable=SWITCH),
        Command("Get-Date"),
        Command("Get-CimInstance", ClassName="Win32_ComputerSystem", Property=["UserName"]),
        Command("Get-LocalGroupMember", Group="Administrators"),
        Command("Get-CimInstance", ClassName="SoftwareLicensingProduct")
        | Command("Where-Object", Property="PartialProductKey"),
        scan_updates(),
        Command("Get-NetFirewallRule", Name=PING_RULE, ErrorAction=SILENT),
        Command("Get-Command", Name="Get-VM", ErrorAction=SILENT),
    )


def scan_updates() -> Command:
    return Command(
        "Invoke-CimMethod",
        Namespace=WU_NAMESPACE,
        ClassName="MSFT_WUOperations",
        MethodName="ScanForUpdates",
        Arguments=Hashtable.of(SearchCriteria="IsInstalled=0"),
    )


def _pairs(result: PipelineResult) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for obj in result.objects:
        if hasattr(obj, "types"):
            out.append((type_name(obj) or "", properties(obj)))
        else:
            out.append(("", obj))
    return out


def parse_read(host: str, result: PipelineResult, vms: PipelineResult | None = None) -> HostSettings:
    settings = parse_host_settings(host, _pairs(result))
    if vms is not None:
        running = [
            str(p.get("Name"))
            for _, p in _pairs(vms)
            if isinstance(p, dict) and str(p.get("State")) in ("Running", "2")
        ]
        settings = settings.model_copy(update={"running_vms": tuple(running)})
    return settings


def running_vms_pipeline() -> Pipeline:
    return Pipeline.of(Command("Get-VM"))


@dataclass(frozen=True)
class Desired:
    """What the admin asked for on one host; None leaves an item as it is."""

    remote_management_off: bool = False
    ping: bool | None = None
    remote_desktop: RemoteDesktop | None = None
    update_setting: UpdateSetting | None = None
    install_updates: bool = False
    time_zone: str | None = None
    set_clock: str | None = None  # ISO 8601 date and time, e.g. 2025-04-23T10:00:00Z
    telemetry: Telemetry | None = None
    product_key: str | None = None
    activate: bool = False
    add_administrators: tuple[str, ...] = field(default_factory=tuple)
    log_off: bool = False
    restart: bool = False
    shut_down: bool = False


def _verify(pipeline: Pipeline, check: str, holds: object) -> Verification:
    def test(result: PipelineResult) -> bool:
        settings = parse_read("", result)
        return bool(getattr(settings, check) == holds)

    return Verification(pipeline, test)


def _set_dword(path: str, name: str, value: int) -> Command:
    return Command("Set-ItemProperty", Path=path, Name=name, Value=value, Type="DWord")


def plan_host(current: HostSettings, want: Desired) -> list[Step]:
    """Steps that bring one host to ``want`` (nothing for what already holds)."""
    host, steps = current.host, []
    verify_read = read_pipeline()
    if want.ping is not None and current.ping_enabled is not None and want.ping != current.ping_enabled:
        verb = "Enable-NetFirewallRule" if want.ping else "Disable-NetFirewallRule"
        steps.append(
            Step(
                host,
                f"{'Allow' if want.ping else 'Block'} ping (ICMPv4 echo)",
                Pipeline.of(Command(verb, Name=PING_RULE)),
                verify=_verify(verify_read, "ping_enabled", want.ping),
            )
        )
    if want.remote_desktop is not None and want.remote_desktop != current.remote_desktop:
        if want.remote_desktop is RemoteDesktop.DISABLED:
            statements: list[Command | Statement] = [_set_dword(TERMINAL_SERVER, "fDenyTSConnections", 1)]
        else:
            nla = 1 if want.remote_desktop is RemoteDesktop.NLA_ONLY else 0
            statements = [
                _set_dword(RDP_TCP, "UserAuthentication", nla),
                _set_dword(TERMINAL_SERVER, "fDenyTSConnections", 0),
                Command("Enable-NetFirewallRule", DisplayGroup="Remote Desktop"),
            ]
        steps.append(
            Step(
                host,
                f"Remote Desktop: {want.remote_desktop.value}",
                Pipeline(statements),
                verify=_verify(verify_read, "remote_desktop", want.remote_desktop),
            )
        )
    if want.update_setting is not None and want.update_setting != current.update_setting:
        statements = (
            [] if current.update_policy_key else [Command("New-Item", Path=WINDOWS_UPDATE_AU, Force=SWITCH)]
        )
        if want.update_setting is UpdateSetting.MANUAL:
            statements.append(_set_dword(WINDOWS_UPDATE_AU, "NoAutoUpdate", 1))
        else:
            statements.append(_set_dword(WINDOWS_UPDATE_AU, "NoAutoUpdate", 0))
            statements.append(
                _set_dword(
                    WINDOWS_UPDATE_AU, "AUOptions", 4 if want.update_setting is UpdateSetting.AUTOMATIC else 3
                )
            )
        steps.append(
            Step(
                host,
                f"Windows Update: {want.update_setting.value}",
                Pipeline(statements),
                verify=_verify(verify_read, "update_setting", want.update_setting),
            )
        )
    if want.telemetry is not None and want.telemetry != current.telemetry:
        statements = (
            [] if current.telemetry_key else [Command("New-Item", Path=DATA_COLLECTION, Force=SWITCH)]
        )
        statements.append(_set_dword(DATA_COLLECTION, "AllowTelemetry", int(want.telemetry)))
        steps.append(
            Step(
                host,
                f"Telemetry: {want.telemetry.label}",
                Pipeline(statements),
                verify=_verify(verify_read, "telemetry", want.telemetry),
            )
        )
    if want.time_zone is not None and want.time_zone.lower() != current.time_zone.lower():
        steps.append(
            Step(
                host,
                f"Time zone: {want.time_zone}",
                Pipeline.of(Command("Set-TimeZone", Id=want.time_zone)),
                verify=_verify(verify_read, "time_zone", want.time_zone),
            )
        )
    if want.set_clock is not None:
        steps.append(
            Step(
                host,
                f"Set the clock to {want.set_clock}",
                Pipeline.of(Command("Set-Date", Date=want.set_clock)),
            )
        )
    for member in want.add_administrators:
        if not current.is_administrator(member):
            steps.append(
                Step(
                    host,
                    f"Add {member} to the local Administrators",
                    Pipeline.of(Command("Add-LocalGroupMember", Group="Administrators", Member=[member])),
                )
            )
    steps += _activation_steps(current, want)
    if want.install_updates and current.updates:
        steps.append(
            Step(
                host,
                f"Install {len(current.updates)} pending update(s)",
                Pipeline.of(
                    Command("New-CimInstance", Namespace=WU_NAMESPACE, ClassName="MSFT_WUOperationsSession")
                    | Command("Invoke-CimMethod", MethodName="ApplyApplicableUpdates")
                ),
                takes_long=True,
                timeout=3600,
                verify=Verification(Pipeline.of(scan_updates()), lambda r: not parse_read("", r).updates),
            )
        )
    steps += _power_steps(current, want)
    return steps


def _activation_steps(current: HostSettings, want: Desired) -> list[Step]:
    host, steps = current.host, []
    key = (want.product_key or "").strip().upper()
    if key and not PRODUCT_KEY.match(key):
        raise ValueError(
            "a product key is five groups of five letters or digits: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX"
        )
    if key and key[-5:] != current.partial_product_key.upper():
        steps.append(
            Step(
                host,
                f"Install product key ending {key[-5:]}",
                Pipeline.of(
                    Command("Get-CimInstance", ClassName="SoftwareLicensingService")
                    | Command(
                        "Invoke-CimMethod",
                        MethodName="InstallProductKey",
                        Arguments=Hashtable.of(ProductKey=key),
                    )
                ),
            )
        )
    if want.activate and (current.license_status != 1 or steps):
        steps.append(
            Step(
                host,
                "Activate Windows",
                Pipeline.of(
                    Command("Get-CimInstance", ClassName="SoftwareLicensingProduct")
                    | Command("Where-Object", Property="PartialProductKey")
                    | Command("Invoke-CimMethod", MethodName="Activate")
                ),
            )
        )
    return steps


def _power_steps(current: HostSettings, want: Desired) -> list[Step]:
    host, steps = current.host, []
    if want.log_off and current.logged_on_user:
        steps.append(
            Step(
                host,
                f"Log off {current.logged_on_user}",
                Pipeline.of(
                    Command("Get-CimInstance", ClassName="Win32_OperatingSystem")
                    | Command("Invoke-CimMethod", MethodName="Win32Shutdown", Arguments=Hashtable.of(Flags=0))
                ),
                destructive=True,
            )
        )
    if want.remote_management_off and current.winrm_running:
        steps.append(
            Step(
                host,
                "Turn remote management (WinRM) off — ends hvconsole's session to this host",
                Pipeline.of(Command("Set-Service", Name="WinRM", StartupType="Disabled", Status="Stopped")),
                destructive=True,
                confirm_phrase=host,
            )
        )
    if (want.restart or want.shut_down) and current.running_vms:
        steps.append(
            Step(
                host,
                f"Save running VMs: {', '.join(current.running_vms)}",
                Pipeline.of(Command("Save-VM", Name=list(current.running_vms))),
                takes_long=True,
            )
        )
    if want.shut_down:
        steps.append(
            Step(
                host,
                "Shut down",
                Pipeline.of(Command("Stop-Computer", Force=SWITCH)),
                destructive=True,
                confirm_phrase=host,
                restarts_host=False,
            )
        )
    elif want.restart:
        steps.append(
            Step(
                host,
                "Restart",
                Pipeline.of(Command("Restart-Computer", Force=SWITCH)),
                destructive=True,
                restarts_host=True,
            )
        )
    return steps


def plan(states: dict[str, HostSettings], wants: dict[str, Desired]) -> Plan:
    steps = [s for host, want in wants.items() if host in states for s in plan_host(states[host], want)]
    return Plan.of("Host settings (SConfig)", steps)


def read_hosts(workspace: Workspace, hosts: list[str]) -> dict[str, HostSettings | str]:
    """Every host's settings (or why it could not be read), hosts in parallel, one round trip each (plus
    ``Get-VM`` on Hyper-V hosts, so a restart can save running VMs first). Blocking: call it on a worker."""
    found: dict[str, HostSettings | str] = {}
    for outcome in workspace.sessions.gather(read_pipeline(), hosts, raise_on_failure=False):
        if outcome.error is not None or outcome.result is None:
            found[outcome.host] = str(outcome.error)
            continue
        settings = parse_read(outcome.host, outcome.result)
        if settings.hyperv:
            vms = workspace.sessions[outcome.host].invoke(running_vms_pipeline(), raise_on_failure=False)
            settings = parse_read(outcome.host, outcome.result, vms)
        found[outcome.host] = settings
    return found
