"""Microsoft.PowerShell.Management: Get-Service; Rename-/Add-/Remove-/Restart-/Stop-Computer (reference §2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, errors, types
from hvconsole.lab.engine.objects import dotnet_object, has_wildcards, like
from hvconsole.lab.protocol import Credential, PSEnum, PSObj
from hvconsole.lab.world import domain
from hvconsole.lab.world.model import Domain, Host, Service, World

MANAGEMENT = "Microsoft.PowerShell.Management"
SERVICE_CONTROLLER = "System.ServiceProcess.ServiceController"
SERVICE_EXCEPTION = "Microsoft.PowerShell.Commands.ServiceCommandException"
STATUS = {
    "Stopped": 1,
    "StartPending": 2,
    "StopPending": 3,
    "Running": 4,
    "ContinuePending": 5,
    "PausePending": 6,
    "Paused": 7,
}
START_MODE = {"Boot": 0, "System": 1, "Automatic": 2, "Manual": 3, "Disabled": 4}
SERVICE_TYPE = {"KernelDriver": 1, "FileSystemDriver": 2, "Win32OwnProcess": 16, "Win32ShareProcess": 32}


def service_object(host: Host, service: Service) -> PSObj:
    status = PSEnum("System.ServiceProcess.ServiceControllerStatus", STATUS[service.status], service.status)
    running = service.status == "Running"
    depended_on = [s.name for s in (host.service(n) for n in service.depends_on) if s is not None]
    return dotnet_object(
        (SERVICE_CONTROLLER, "System.ComponentModel.Component", "System.MarshalByRefObject"),
        {
            "Name": service.name,
            "RequiredServices": depended_on,  # inferred: names, not nested ServiceControllers
            "CanPauseAndContinue": False,
            "CanShutdown": False,
            "CanStop": running,
            "DisplayName": service.display_name,
            "DependentServices": [s.name for s in host.services.values() if service.name in s.depends_on],
            "MachineName": ".",
            "ServiceName": service.name,
            "ServicesDependedOn": depended_on,
            "ServiceType": PSEnum(
                "System.ServiceProcess.ServiceType", SERVICE_TYPE[service.service_type], service.service_type
            ),
            "StartType": PSEnum(
                "System.ServiceProcess.ServiceStartMode", START_MODE[service.start_type], service.start_type
            ),
            "Site": None,
            "Container": None,
            "Status": status,
        },
        to_string=SERVICE_CONTROLLER,
    )


def services_named(
    cmdlet: Cmdlet, services: list[Service], patterns: list[str], by_display: bool
) -> Iterator[Service]:
    """The services matching each name or display name (wildcards allowed), in order; a literal pattern that
    matches nothing writes PowerShell's not-found error (reference §5.1) and the others still run."""
    for pattern in patterns:
        hits = [s for s in services if like(s.display_name if by_display else s.name, pattern)]
        if not hits and not has_wildcards(pattern):
            kind, error_id = (
                ("display", "NoServiceFoundForGivenDisplayName")
                if by_display
                else ("service", "NoServiceFoundForGivenName")
            )
            cmdlet.write_error(
                cmdlet.make_error(
                    f"Cannot find any service with {kind} name '{pattern}'.",
                    error_id,
                    category="ObjectNotFound",
                    exception_type=SERVICE_EXCEPTION,
                    target=pattern,
                    target_name=pattern,
                    target_type="String",
                )
            )
        yield from hits


@cmdlet
class GetService(Cmdlet):
    command_name = "Get-Service"
    module_name = MANAGEMENT
    class_name = "Microsoft.PowerShell.Commands.GetServiceCommand"
    default_set = "Default"
    command_aliases = ("gsv",)

    Name = Param(
        types.STRINGS,
        position=0,
        aliases=("ServiceName",),
        sets=("Default",),
        from_pipeline=True,
        from_pipeline_by_name=True,
    )
    DisplayName = Param(types.STRINGS, sets=("DisplayName",), mandatory=True)
    InputObject = Param(
        types.ArrayOf(types.ObjectType(SERVICE_CONTROLLER + "[]", [SERVICE_CONTROLLER])),
        sets=("InputObject",),
        from_pipeline=True,
    )
    ComputerName = Param(types.STRINGS, aliases=("Cn",), from_pipeline_by_name=True)
    Include = Param(types.STRINGS)
    Exclude = Param(types.STRINGS)
    DependentServices = Param(types.SWITCH, aliases=("DS",))
    RequiredServices = Param(types.SWITCH, aliases=("SDO", "ServicesDependedOn"))

    def process(self) -> Iterator[Any]:
        services = sorted(self.host.services.values(), key=lambda s: s.name.lower())
        if self.parameter_set == "InputObject":
            wanted = [str(o.get("Name")) for o in self.InputObject or []]
            yield from self._filtered([s for s in services if s.name in wanted])
            return
        by_display = self.parameter_set == "DisplayName"
        patterns = (self.DisplayName if by_display else self.Name) or ["*"]
        yield from self._filtered(list(services_named(self, services, patterns, by_display)))

    def _filtered(self, services: list[Service]) -> Iterator[PSObj]:
        for service in services:
            if self.Include and not any(like(service.name, p) for p in self.Include):
                continue
            if self.Exclude and any(like(service.name, p) for p in self.Exclude):
                continue
            yield service_object(self.host, service)


# ----- computer identity: Rename-Computer, Add-Computer, Remove-Computer, Restart-/Stop-Computer (§2.1–§2.4)
COMMANDS = "Microsoft.PowerShell.Commands."
INVALID_OPERATION = "System.InvalidOperationException"
RESTART_NEEDED = "The changes will take effect after you restart the computer {0}."  # [PSres] RestartNeeded
LOGON_FAILURE = "The user name or password is incorrect."  # Win32 1326
NO_SUCH_DOMAIN = "The specified domain either does not exist or could not be contacted."  # Win32 1355


class ComputerCmdlet(Cmdlet):
    module_name = MANAGEMENT
    supports_should_process = True

    def pending_or_restart(self, restart: bool) -> None:
        domain.sync_registry(self.host)
        if restart:
            domain.restart(self.world, self.host)
        else:
            self.write_warning(RESTART_NEEDED.format(self.host.name))

    def rename_problem(self, new_name: str) -> str | None:
        """The §2.1 refusal for ``new_name`` (None when it may be used)."""
        old = self.host.name
        if new_name.lower() == old.lower():
            return "same"
        if not domain.computer_name_valid(new_name):
            return "invalid"
        return None

    def rename_error(self, problem: str, new_name: str) -> None:
        old = self.host.name
        if problem == "same":
            message = f"Skip computer '{old}' with new name '{new_name}' because the new name is the same as the current name."
            error_id = "NewNameIsOldName"
        else:
            message = (
                f"Skip computer '{old}' with new name '{new_name}' because the new name is not valid. The new "
                "computer name entered is not properly formatted. Standard names may contain letters (a-z, A-Z), "
                "numbers (0-9), and hyphens (-), but no spaces or periods (.). The name may not consist entirely "
                "of digits, and may not be longer than 63 characters."
            )
            error_id = "InvalidNewName"  # inferred: the [PSres] resource name
        self.write_error(
            self.make_error(
                message,
                error_id,
                category="InvalidArgument",
                exception_type=INVALID_OPERATION,
                target=new_name,
                target_name=new_name,
                target_type="String",
            )
        )

    def truncation_allowed(self, new_name: str) -> bool:
        """> 15 characters: the TruncateNetBIOSName prompt, which a remote pipeline cannot answer (-Force)."""
        if len(new_name) <= 15 or self.bound.get("Force"):
            return True
        question = (
            "The NetBIOS name of the computer is limited to 15 bytes, which is 15 characters in this case. The "
            f'NetBIOS name will be shortened to "{new_name[:15]}", which may cause conflicts under NetBIOS name '
            "resolution. Do you wish to continue?"
        )
        self.throw(errors.cannot_prompt(question, self.fqid_suffix(), self.command_name))
        return False


@cmdlet
class RenameComputer(ComputerCmdlet):
    command_name = "Rename-Computer"
    class_name = COMMANDS + "RenameComputerCommand"

    NewName = Param(types.STRING, position=0, mandatory=True, from_pipeline_by_name=True)
    ComputerName = Param(types.STRING, from_pipeline_by_name=True)
    LocalCredential = Param(types.CREDENTIAL)
    DomainCredential = Param(types.CREDENTIAL)
    Restart = Param(types.SWITCH)
    Force = Param(types.SWITCH)
    PassThru = Param(types.SWITCH)
    WsmanAuthentication = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        old = self.host.name
        problem = self.rename_problem(self.NewName)
        if problem is not None:
            self.rename_error(problem, self.NewName)
            return
        if not self.truncation_allowed(self.NewName) or not self.should_process(old, "Rename-Computer"):
            return
        # §2.1: the name changes at the next restart; a later rename replaces the pending one (inferred)
        self.host.pending["name"] = self.NewName
        if self.PassThru:
            yield change_info("RenameComputerChangeInfo", OldComputerName=old, NewComputerName=self.NewName)
        self.pending_or_restart(bool(self.Restart))


def change_info(kind: str, **values: Any) -> PSObj:
    return dotnet_object((COMMANDS + kind,), {"HasSucceeded": True, **values})


def credential_accepted(world: World, credential: Credential | None, target: Domain) -> bool:
    """§2.5 (inferred): the domain's Administrator has the lab administrator's password."""
    if credential is None:
        return False
    user = credential.username
    if "\\" in user:
        prefix, _, user = user.rpartition("\\")
        if prefix.lower() not in (target.netbios.lower(), target.name.lower()):
            return False
    elif "@" in user:
        user, _, suffix = user.partition("@")
        if suffix.lower() != target.name.lower():
            return False
    return user.lower() == world.admin_username.lower() and credential.password.value == world.admin_password


@cmdlet
class AddComputer(ComputerCmdlet):
    command_name = "Add-Computer"
    class_name = COMMANDS + "AddComputerCommand"
    default_set = "Domain"

    DomainName = Param(types.STRING, position=0, mandatory=True, sets=("Domain",), aliases=("DN", "Domain"))
    WorkgroupName = Param(types.STRING, position=0, mandatory=True, sets=("Workgroup",))
    Credential = Param(types.CREDENTIAL, position=1)
    ComputerName = Param(types.STRINGS)
    LocalCredential = Param(types.CREDENTIAL)
    UnjoinDomainCredential = Param(types.CREDENTIAL, sets=("Domain",))
    OUPath = Param(types.STRING, sets=("Domain",), aliases=("OU",))
    Server = Param(types.STRING, sets=("Domain",), aliases=("DC",))
    Unsecure = Param(types.SWITCH, sets=("Domain",))
    Options = Param(types.STRINGS, sets=("Domain",))
    NewName = Param(types.STRING, sets=("Domain",))
    Restart = Param(types.SWITCH)
    Force = Param(types.SWITCH)
    PassThru = Param(types.SWITCH)

    def fail(self, message: str, error_id: str, category: str = "OperationStopped") -> None:
        self.write_error(
            self.make_error(
                message,
                error_id,
                category=category,
                exception_type=INVALID_OPERATION,
                target=self.host.name,
                target_name=self.host.name,
                target_type="String",
            )
        )

    def process(self) -> Iterator[Any]:
        name = self.host.name
        if self.parameter_set == "Workgroup":
            yield from self._workgroup(name)
            return
        wanted = self.DomainName.rstrip(".")
        if self.host.domain and self.host.domain.lower() == wanted.lower():
            self.fail(
                f"Cannot add computer '{name}' to domain '{wanted}' because it is already in that domain.",
                "AddComputerToSameDomain",
                category="InvalidOperation",
            )
            return
        if self.host.domain:  # inferred: moving between domains is not modelled; the unjoin is refused
            self.fail(
                f"Computer '{name}' was successfully unjoined from domain '{self.host.domain}', but failed to join "
                f"the new domain '{wanted}' with the following error message: {NO_SUCH_DOMAIN}",
                "FailToJoinNewDomainAfterUnjoinOldDomain",
            )
            return
        target = domain.domain_reachable(self.world, self.host, wanted)
        inner = None
        if target is None:
            inner = NO_SUCH_DOMAIN
        elif not credential_accepted(self.world, self.Credential, target):
            inner = LOGON_FAILURE
        if target is None or inner is not None:
            self.fail(
                f"Computer '{name}' failed to join domain '{wanted}' from its current workgroup "
                f"'{self.host.workgroup}' with following error message: {inner}",
                "FailToJoinDomainFromWorkgroup",
            )
            return
        if self.NewName is not None:
            problem = self.rename_problem(self.NewName)
            if problem is not None:
                self.rename_error(problem, self.NewName)
                return
        if not self.should_process(name, "Add-Computer"):
            return
        # §2.2 (inferred): NetJoinDomain changes the membership at once; the restart finishes the join
        self.host.domain, self.host.workgroup, self.host.domain_role = target.name, None, 3
        self.host.pending["join"] = target.name
        if self.NewName:
            self.host.pending["name"] = self.NewName
        domain.register(target, self.host)
        if self.PassThru:
            yield change_info("ComputerChangeInfo", ComputerName=name)
        self.pending_or_restart(bool(self.Restart))

    def _workgroup(self, name: str) -> Iterator[Any]:
        wanted = self.WorkgroupName
        if self.host.domain is None and (self.host.workgroup or "").lower() == wanted.lower():
            self.fail(  # inferred: the [PSres] AddComputerToSameWorkgroup string
                f"Cannot add computer '{name}' to workgroup '{wanted}' because it is already in that workgroup.",
                "AddComputerToSameWorkgroup",
                category="InvalidOperation",
            )
            return
        if not self.should_process(name, "Add-Computer"):
            return
        leave_domain(self.host, wanted)
        if self.PassThru:
            yield change_info("ComputerChangeInfo", ComputerName=name)
        self.pending_or_restart(bool(self.Restart))


def leave_domain(host: Host, workgroup: str) -> None:
    host.domain, host.workgroup, host.domain_role = None, workgroup.upper(), 2
    host.pending["join"] = workgroup.upper()


@cmdlet
class RemoveComputer(ComputerCmdlet):
    command_name = "Remove-Computer"
    class_name = COMMANDS + "RemoveComputerCommand"
    confirm_impact = "Medium"

    UnjoinDomainCredential = Param(types.CREDENTIAL, position=0, aliases=("Credential",))
    LocalCredential = Param(types.CREDENTIAL)
    ComputerName = Param(types.STRINGS)
    WorkgroupName = Param(types.STRING)
    Restart = Param(types.SWITCH)
    Force = Param(types.SWITCH)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        name = self.host.name
        if self.host.domain is None or self.host.domain_role >= 4:
            reason = "it is not in a domain" if self.host.domain is None else "it is a domain controller"
            self.write_error(  # inferred wording and FQID
                self.make_error(
                    f"Cannot remove computer '{name}' from its domain because {reason}.",
                    "ComputerNotInDomain" if self.host.domain is None else "FailToUnjoinDomain",
                    category="InvalidOperation",
                    exception_type=INVALID_OPERATION,
                    target=name,
                    target_name=name,
                    target_type="String",
                )
            )
            return
        if not self.should_process(name, "Remove-Computer"):
            return
        leave_domain(self.host, self.WorkgroupName or "WORKGROUP")
        if self.PassThru:
            yield change_info("ComputerChangeInfo", ComputerName=name)
        self.pending_or_restart(bool(self.Restart))


@cmdlet
class RestartComputer(ComputerCmdlet):
    command_name = "Restart-Computer"
    class_name = COMMANDS + "RestartComputerCommand"

    ComputerName = Param(types.STRINGS, position=0, aliases=("CN", "__SERVER", "Server", "IPAddress"))
    Credential = Param(types.CREDENTIAL)
    Force = Param(types.SWITCH, aliases=("f",))
    Wait = Param(types.SWITCH)
    Timeout = Param(types.INT32, aliases=("TimeoutSec",))
    For = Param(types.STRING, validate_set=("Wmi", "WinRM", "PowerShell"))
    Delay = Param(types.INT32)
    Protocol = Param(types.STRING, validate_set=("DCOM", "WSMan"))
    WsmanAuthentication = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        # inferred: -ComputerName other than this host is not modelled (the lab only restarts itself)
        logged_on = getattr(getattr(self.host, "settings", None), "logged_on", [])
        if logged_on and not self.Force:  # §2.4: Win32 1191 without -Force while users are logged on
            self.write_error(
                self.make_error(
                    f"Failed to restart the computer {self.host.name} with the following error message: The system "
                    "shutdown cannot be initiated because there are other users logged on to the computer.",
                    "RestartcomputerFailed",
                    category="OperationStopped",
                    exception_type=INVALID_OPERATION,
                    target=self.host.name,
                    target_name=self.host.name,
                    target_type="String",
                )
            )
        elif self.should_process(
            self.host.name, "Enable the Remote shutdown access rights and restart the computer."
        ):
            domain.restart(self.world, self.host)
        return iter(())


@cmdlet
class StopComputer(ComputerCmdlet):
    command_name = "Stop-Computer"
    class_name = COMMANDS + "StopComputerCommand"

    ComputerName = Param(types.STRINGS, position=0, aliases=("CN", "__SERVER", "Server", "IPAddress"))
    Credential = Param(types.CREDENTIAL)
    Force = Param(types.SWITCH)
    Protocol = Param(types.STRING, validate_set=("DCOM", "WSMan"))

    def process(self) -> Iterator[Any]:
        # Decision (# inferred): the box powers off (its endpoint goes away) and the lab powers it on again
        # after POWER_ON_LAB_SECONDS, as a hypervisor's automatic start would; pending changes apply then.
        if self.should_process(self.host.name, "Stop-Computer"):
            domain.restart(self.world, self.host, domain.POWER_ON_LAB_SECONDS)
            self.host.power = "Off"
        return iter(())
