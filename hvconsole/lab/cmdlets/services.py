"""Microsoft.PowerShell.Management service control: Start-, Stop-, Restart-, Set-Service (reference §5.1).

Every status or start-type change tells the world (``World.service_changed``): the runtime stops a host's
endpoint when its WinRM service stops, as a real host's remoting ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.management import (
    MANAGEMENT,
    SERVICE_CONTROLLER,
    SERVICE_EXCEPTION,
    service_object,
    services_named,
)
from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.world.model import Service

# inferred: which services take long enough to start that Start-Service prints its waiting warning ([T-VL])
SLOW_TO_START = {"msiscsi", "termservice", "wuauserv", "winrm"}


class _ServiceCmdlet(Cmdlet):
    module_name = MANAGEMENT
    default_set = "Default"

    Name = Param(
        types.STRINGS,
        position=0,
        aliases=("ServiceName", "SN"),
        sets=("Default",),
        mandatory=True,
        from_pipeline=True,
        from_pipeline_by_name=True,
    )
    DisplayName = Param(types.STRINGS, sets=("DisplayName",), mandatory=True)
    InputObject = Param(
        types.ArrayOf(types.ObjectType(SERVICE_CONTROLLER + "[]", [SERVICE_CONTROLLER])),
        sets=("InputObject",),
        mandatory=True,
        from_pipeline=True,
    )
    PassThru = Param(types.SWITCH)

    def services(self) -> Iterator[Service]:
        """The services named (wildcards allowed); a literal name that matches nothing is the real error."""
        everything = sorted(self.host.services.values(), key=lambda s: s.name.lower())
        if self.parameter_set == "InputObject":
            names = {str(o.get("Name")).lower() for o in self.InputObject or []}
            yield from (s for s in everything if s.name.lower() in names)
            return
        by_display = self.parameter_set == "DisplayName"
        yield from services_named(
            self, everything, (self.DisplayName if by_display else self.Name) or [], by_display
        )

    def label(self, service: Service) -> str:
        return f"{service.display_name} ({service.name})"

    def start(self, service: Service) -> bool:
        if service.status == "Running":
            return True  # inferred: starting a running service is a silent no-op (reference §5.1)
        if service.start_type == "Disabled":
            self.write_error(
                self.make_error(
                    f"Service '{self.label(service)}' cannot be started due to the following error: Cannot start "
                    f"service {service.name} on computer '.'.",
                    "CouldNotStartService",
                    category="OpenError",
                    exception_type=SERVICE_EXCEPTION,
                    target=service.name,
                    target_name=service.name,
                    target_type="ServiceController",
                )
            )
            return False
        for dependency in service.depends_on:
            needed = self.host.service(dependency)
            if needed is not None and needed.status != "Running" and not self.start(needed):
                return False
        if service.name.lower() in SLOW_TO_START:
            self.write_warning(f"Waiting for service '{self.label(service)}' to start...")
        service.status = "Running"
        self.world.service_changed(self.host, service.name)
        return True

    def stop(self, service: Service, force: bool) -> bool:
        dependents = [
            s for s in self.host.services.values() if service.name in s.depends_on and s.status == "Running"
        ]
        if dependents and not force:
            self.write_error(
                self.make_error(
                    f"Cannot stop service '{self.label(service)}' because it has dependent services. It can only "
                    "be stopped if the Force flag is set.",
                    "ServiceHasDependentServices",
                    category="InvalidOperation",
                    exception_type=SERVICE_EXCEPTION,
                    target=service.name,
                    target_name=service.name,
                    target_type="ServiceController",
                )
            )
            return False
        for dependent in dependents:
            self.stop(dependent, force)
        if service.status != "Stopped":
            service.status = "Stopped"
            self.world.service_changed(self.host, service.name)
        return True

    def passthru(self, service: Service) -> Iterator[Any]:
        if self.PassThru:
            yield service_object(self.host, service)


@cmdlet
class StartService(_ServiceCmdlet):
    command_name = "Start-Service"
    class_name = "Microsoft.PowerShell.Commands.StartServiceCommand"
    command_aliases = ("sasv",)
    supports_should_process = True

    def process(self) -> Iterator[Any]:
        for service in self.services():
            if self.should_process(self.label(service)) and self.start(service):
                yield from self.passthru(service)


@cmdlet
class StopService(_ServiceCmdlet):
    command_name = "Stop-Service"
    class_name = "Microsoft.PowerShell.Commands.StopServiceCommand"
    command_aliases = ("spsv",)
    supports_should_process = True
    Force = Param(types.SWITCH)
    NoWait = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for service in self.services():
            if self.should_process(self.label(service)) and self.stop(service, bool(self.Force)):
                yield from self.passthru(service)


@cmdlet
class RestartService(_ServiceCmdlet):
    command_name = "Restart-Service"
    class_name = "Microsoft.PowerShell.Commands.RestartServiceCommand"
    supports_should_process = True
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for service in self.services():
            if not self.should_process(self.label(service)):
                continue
            if self.stop(service, bool(self.Force)) and self.start(service):
                yield from self.passthru(service)


@cmdlet
class SetService(_ServiceCmdlet):
    command_name = "Set-Service"
    class_name = "Microsoft.PowerShell.Commands.SetServiceCommand"
    supports_should_process = True

    Name = Param(  # type: ignore[assignment]
        types.STRING,
        position=0,
        aliases=("ServiceName", "SN"),
        sets=("Name",),
        mandatory=True,
        from_pipeline_by_name=True,
    )
    InputObject = Param(
        types.ObjectType(SERVICE_CONTROLLER, [SERVICE_CONTROLLER]), sets=("InputObject",), from_pipeline=True
    )
    DisplayName = Param(types.STRING, position=1, aliases=("DN",))  # type: ignore[assignment]
    Description = Param(types.STRING)
    StartupType = Param(
        types.STRING, aliases=("StartMode", "SM", "ST"), validate_set=("Automatic", "Manual", "Disabled")
    )
    Status = Param(types.STRING, validate_set=("Running", "Stopped", "Paused"))
    ComputerName = Param(types.STRINGS, aliases=("cn",))
    default_set = "Name"

    def services(self) -> Iterator[Service]:
        if self.parameter_set == "InputObject":
            found = self.host.service(str(self.InputObject.get("Name")))
            if found is not None:
                yield found
            return
        found = self.host.service(self.Name)
        if found is None:
            self.write_error(
                self.make_error(
                    f"Service {self.Name} was not found on computer '.'.",
                    "InvalidOperationException",
                    category="ObjectNotFound",
                    exception_type=SERVICE_EXCEPTION,
                    target=self.Name,
                    target_name=".",
                    target_type="String",
                )
            )  # inferred: Set-Service's own not-found text differs from Get-Service's
            return
        yield found

    def process(self) -> Iterator[Any]:
        for service in self.services():
            if not self.should_process(self.label(service)):
                continue
            if self.StartupType and self.StartupType != service.start_type:
                service.start_type = self.StartupType
                self.world.service_changed(self.host, service.name)
            if self.DisplayName:
                service.display_name = self.DisplayName
            if self.Status == "Running" and not self.start(service):
                continue
            if self.Status == "Stopped" and not self.stop(service, force=False):
                continue
            yield from self.passthru(service)
