"""iSCSI target stage (reference §4, §1.8): on the storage box, the virtual disks (LUNs), one target with the
initiators allowed to log in, the LUN mappings, and TCP 3260 open in its firewall.

Allowed initiators are written as IQNs (``IQN:iqn.1991-05.com.microsoft:<fqdn>``, read from each host with
Get-InitiatorPort): a short DNS name (``DNSName:HV1``) is accepted by New-IscsiServerTarget with only a
warning, and then every login fails with ``0xefff0029`` (§4.2, anchors pain point 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.result import PipelineResult, properties, type_name
from hvconsole.stages.firewall import PORT_RULES
from hvconsole.stages.plan import Finding, Plan, Severity, Step, Verification
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.iscsi import (
    IQN_PREFIX,
    InitiatorPort,
    IscsiServerTarget,
    IscsiVirtualDisk,
    kind_of,
    target_iqn,
)

GB = 1024**3
FEATURE = "FS-iSCSITarget-Server"
# the firewall stage's stable-named 3260 rule (a second New-NetFirewallRule with the same -Name fails, §1.8)
RULE_NAME = PORT_RULES["iscsi-target"].name
RULE_DISPLAY = PORT_RULES["iscsi-target"].display_name
TARGET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,63}")
BAD_PATH_CHARS = set('<>:"/|?*')
SHORT_NAME_HELP = (
    "A DNS name must be the initiator's full name (hv1.corp.example): with a short name (DNSName:HV1) "
    "Windows accepts the target with a warning, but every login then fails with HRESULT 0xefff0029 "
    "'The target name is not found or is marked as hidden from login.' hvconsole writes each host's IQN."
)


class FieldProblem(ValueError):
    """Bad input for one form field (``field`` is the form field's id)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Volume:
    letter: str
    label: str
    size: int
    free: int


@dataclass
class TargetServer:
    host: str
    installed: bool = False
    volumes: list[Volume] = field(default_factory=list)
    firewall_open: bool = False
    firewall_rule_exists: bool = False  # the rule exists (maybe disabled: then it is enabled, not re-created)
    virtual_disks: list[IscsiVirtualDisk] = field(default_factory=list)
    targets: list[IscsiServerTarget] = field(default_factory=list)
    error: str | None = None

    def disk(self, path: str) -> IscsiVirtualDisk | None:
        return next((d for d in self.virtual_disks if d.path.lower() == path.lower()), None)

    def target(self, name: str) -> IscsiServerTarget | None:
        return next((t for t in self.targets if t.target_name.lower() == name.lower()), None)

    def data_volume(self) -> Volume | None:
        """The largest lettered volume other than C: (the recipe's data volume)."""
        data = [v for v in self.volumes if v.letter.upper() != "C"]
        return max(data, key=lambda v: v.free) if data else None


def _objects(result: PipelineResult) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    return [(kind_of(type_name(o) or ""), properties(o)) for o in result.objects if hasattr(o, "types")]


def _rule_holds(result: PipelineResult) -> bool:
    return any(str(p.get("Enabled")) in ("1", "True") for _, p in _objects(result))


def rule_check() -> Pipeline:
    return Pipeline.of(Command("Get-NetFirewallRule", Name=RULE_NAME, ErrorAction="SilentlyContinue"))


def read_target_server(workspace: Workspace, host: str) -> TargetServer:
    """The role, volumes, the 3260 rule, and (with the role) the virtual disks and targets."""
    session = workspace.sessions[host]
    server = TargetServer(host)
    base = Pipeline.of(Command("Get-WindowsFeature", Name=FEATURE), Command("Get-Volume")).then(
        Command("Get-NetFirewallRule", Name=RULE_NAME, ErrorAction="SilentlyContinue")
    )
    result = session.invoke(base, raise_on_failure=False)
    if result.had_errors:
        server.error = str(result.terminating_error)
        return server
    for kind, p in _objects(result):
        if kind == "feature":
            server.installed = bool(p.get("Installed"))
        elif kind == "msft_volume" and str(p.get("DriveLetter") or "").strip("\x00"):
            server.volumes.append(
                Volume(
                    str(p["DriveLetter"]),
                    str(p.get("FileSystemLabel") or ""),
                    int(p.get("Size") or 0),
                    int(p.get("SizeRemaining") or 0),
                )
            )
        elif kind == "msft_netfirewallrule":
            server.firewall_rule_exists = True
            server.firewall_open = str(p.get("Enabled")) in ("1", "True")
    if server.installed:
        iscsi = session.invoke(
            Pipeline.of(Command("Get-IscsiVirtualDisk"), Command("Get-IscsiServerTarget")),
            raise_on_failure=False,
        )
        for kind, p in _objects(iscsi):
            if kind == "iscsivirtualdisk":
                server.virtual_disks.append(IscsiVirtualDisk.from_properties(p))
            elif kind == "iscsiservertarget":
                server.targets.append(IscsiServerTarget.from_properties(p))
    return server


def read_initiator_iqns(workspace: Workspace, hosts: list[str]) -> dict[str, str]:
    """Each host's initiator IQN (Get-InitiatorPort), hosts in parallel; hosts that did not answer are left out."""
    out: dict[str, str] = {}
    for outcome in workspace.sessions.gather(
        Pipeline.of(Command("Get-InitiatorPort")), hosts, raise_on_failure=False
    ):
        if outcome.result is None:
            continue
        for kind, p in _objects(outcome.result):
            if kind == "msft_initiatorport":
                out[outcome.host] = InitiatorPort.from_properties(p).node_address
    return out


@dataclass(frozen=True)
class DesiredDisk:
    name: str  # file name without .vhdx
    size_gb: float
    fixed: bool = False


@dataclass(frozen=True)
class DesiredTarget:
    host: str
    folder: str
    disks: tuple[DesiredDisk, ...]
    target_name: str
    initiators: tuple[str, ...]  # "IQN:…" (or "DNSName:fqdn", "IPAddress:…")
    open_firewall: bool = True

    def path(self, disk: DesiredDisk) -> str:
        return f"{self.folder.rstrip(chr(92))}\\{disk.name}.vhdx"


def check_folder(text: str) -> str:
    folder = text.strip()
    if not re.fullmatch(r"[A-Za-z]:\\.*", folder):
        raise FieldProblem("folder", "a folder on a volume of the target server, like L:\\iSCSIVirtualDisks")
    rest = folder[3:]
    if any(c in BAD_PATH_CHARS or ord(c) < 32 for c in rest) or "\\\\" in rest:
        raise FieldProblem(
            "folder", 'a Windows folder name cannot contain < > : " / | ? * or control characters'
        )
    if len(folder) > 200:
        raise FieldProblem("folder", "the folder path is too long (200 characters at most)")
    return folder


def check_disk(field_id: str, name: str, size_text: str, fixed: bool) -> DesiredDisk:
    name = name.strip()
    if not name or any(c in BAD_PATH_CHARS or c == "\\" or ord(c) < 32 for c in name) or name.endswith("."):
        raise FieldProblem(f"{field_id}-name", 'a file name without \\ / : * ? " < > | (".vhdx" is added)')
    try:
        size = float(size_text.strip().lower().removesuffix("gb").strip())
    except ValueError:
        raise FieldProblem(f"{field_id}-size", "a size in GB, like 15 or 500") from None
    if not 1 <= size <= 65536:  # VHDX: up to 64 TB
        raise FieldProblem(f"{field_id}-size", "a size from 1 GB to 65536 GB (64 TB, the VHDX limit)")
    return DesiredDisk(name, size, fixed)


def check_target_name(text: str) -> str:
    if not TARGET_NAME.fullmatch(text.strip()):
        raise FieldProblem(
            "target-name", "letters, digits, '-' and '.' (it becomes part of the target's IQN)"
        )
    return text.strip()


def check_initiators(text: str) -> tuple[str, ...]:
    """Comma/space separated IQNs or IdType:Value entries; a short DNS name is refused with the reason."""
    out: list[str] = []
    for raw in re.split(r"[,\s]+", text.strip()):
        if not raw:
            continue
        entry = raw if ":" in raw and not raw.lower().startswith("iqn.") else f"IQN:{raw}"
        kind, _, value = entry.partition(":")
        if kind.lower() not in ("iqn", "dnsname", "ipaddress", "ipv6address", "macaddress") or not value:
            raise FieldProblem(
                "initiators", f"{raw!r} is not an IQN or IdType:Value (IQN:, DNSName:, IPAddress:)"
            )
        if (
            kind.lower() == "iqn"
            and value != "*"
            and not re.fullmatch(r"iqn\.\d{4}-\d{2}\.[a-z0-9.\-]+(:[^\s,]+)?", value.lower())
        ):
            raise FieldProblem(
                "initiators", f"{value!r} is not an IQN (iqn.1991-05.com.microsoft:host.domain)"
            )
        if kind.lower() == "dnsname" and "." not in value:
            raise FieldProblem("initiators", f"DNSName:{value} is a short name. {SHORT_NAME_HELP}")
        out.append(entry)
    if not out:
        raise FieldProblem("initiators", "allow at least one initiator (pick the Hyper-V hosts)")
    return tuple(out)


def plan_target(desired: DesiredTarget, server: TargetServer, server_name: str) -> Plan:
    """Firewall, then virtual disks, then the target, then the mappings; only what is missing."""
    host, findings = desired.host, []
    if not server.installed:
        findings.append(
            Finding(
                Severity.BLOCKER,
                "the iSCSI Target Server role is not installed",
                host,
                f"install {FEATURE} (Roles & features)",
            )
        )
    rules, disks, targets, maps = [], [], [], []
    if desired.open_firewall and not server.firewall_open:
        rules.append(firewall_step(server, "Open TCP 3260 (iSCSI) in the firewall for initiators"))
    letter = desired.folder[0].upper()
    volume = next((v for v in server.volumes if v.letter.upper() == letter), None)
    for disk in desired.disks:
        path = desired.path(disk)
        if server.disk(path) is not None:
            continue
        size = int(disk.size_gb * GB)
        if volume is None:
            findings.append(
                Finding(
                    Severity.BLOCKER,
                    f"{letter}: is not a volume on {host}",
                    host,
                    "format the data disk first (Disks), or pick another folder",
                )
            )
        elif disk.fixed and size > volume.free:
            findings.append(
                Finding(
                    Severity.BLOCKER,
                    f"{letter}: has {volume.free / GB:.0f} GB free, "
                    f"a fixed {disk.size_gb:g} GB disk does not fit",
                    host,
                )
            )
        command = Command("New-IscsiVirtualDisk", Path=path, SizeBytes=size)
        disks.append(
            Step(
                host,
                f"Create {'fixed' if disk.fixed else 'dynamic'} virtual disk {path} ({disk.size_gb:g} GB)",
                Pipeline.of(command.switch("UseFixed") if disk.fixed else command),
                verify=_exists(Command("Get-IscsiVirtualDisk", Path=path, ErrorAction="SilentlyContinue")),
            )
        )
    current = server.target(desired.target_name)
    name = desired.target_name
    if current is None:
        targets.append(
            Step(
                host,
                f"Create target {name} ({target_iqn(server_name, name)})",
                Pipeline.of(
                    Command("New-IscsiServerTarget", TargetName=name, InitiatorIds=list(desired.initiators))
                ),
                verify=_exists(_target_query(name)),
            )
        )
    else:
        have = {i.lower() for i in current.initiator_ids}
        wanted = [
            i
            for i in desired.initiators
            if i.lower() not in have and f"iqn:{i.partition(':')[2]}".lower() not in have
        ]
        if wanted:
            everyone = [*current.initiator_ids, *wanted]
            targets.append(
                Step(
                    host,
                    f"Allow {', '.join(wanted)} on target {name}",
                    Pipeline.of(Command("Set-IscsiServerTarget", TargetName=name, InitiatorIds=everyone)),
                    verify=_allows(name, wanted),
                )
            )
        for short in current.short_dns_names:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"target {name} allows {short}: {SHORT_NAME_HELP}",
                    host,
                    "allow the host's IQN instead (it is added by this plan)",
                )
            )
    for disk in desired.disks:
        path = desired.path(disk)
        if current is None or not current.maps(path):
            maps.append(
                Step(
                    host,
                    f"Map {path} to target {name}",
                    Pipeline.of(Command("Add-IscsiVirtualDiskTargetMapping", TargetName=name, Path=path)),
                    verify=_maps(name, path),
                )
            )
    phases = tuple(tuple(p) for p in (rules, disks, targets, maps) if p)
    return Plan(f"iSCSI target {name} on {host}", phases, tuple(findings))


def firewall_step(server: TargetServer, title: str) -> Step:
    """Enable the 3260 rule, or create it with its stable name (as the firewall stage does)."""
    if server.firewall_rule_exists:
        command = Command("Enable-NetFirewallRule", Name=RULE_NAME)
    else:
        command = Command(
            "New-NetFirewallRule",
            Name=RULE_NAME,
            DisplayName=RULE_DISPLAY,
            Direction="Inbound",
            Action="Allow",
            Protocol="TCP",
            LocalPort=["3260"],
            Enabled="True",
        )
    return Step(server.host, title, Pipeline.of(command), verify=Verification(rule_check(), _rule_holds))


def _exists(command: Command) -> Verification:
    return Verification(Pipeline.of(command), lambda r: bool(_objects(r)))


def _target_query(name: str) -> Command:
    return Command("Get-IscsiServerTarget", TargetName=name, ErrorAction="SilentlyContinue")


def _parsed_targets(result: PipelineResult) -> list[IscsiServerTarget]:
    return [IscsiServerTarget.from_properties(p) for k, p in _objects(result) if k == "iscsiservertarget"]


def _allows(name: str, ids: list[str]) -> Verification:
    def holds(result: PipelineResult) -> bool:
        have = {i.lower() for t in _parsed_targets(result) for i in t.initiator_ids}
        return all(i.lower() in have or f"iqn:{i.partition(':')[2]}".lower() in have for i in ids)

    return Verification(Pipeline.of(_target_query(name)), holds)


def _maps(name: str, path: str) -> Verification:
    return Verification(
        Pipeline.of(_target_query(name)), lambda r: any(t.maps(path) for t in _parsed_targets(r))
    )


def initiator_entry(iqn: str) -> str:
    return f"IQN:{iqn}" if iqn.lower().startswith(IQN_PREFIX[:4]) else iqn
