"""Microsoft.PowerShell.Management: Get-Service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, has_wildcards, like
from hvconsole.lab.protocol import PSEnum, PSObj
from hvconsole.lab.world.model import Host, Service

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
        for pattern in patterns:
            hits = [s for s in services if like(s.display_name if by_display else s.name, pattern)]
            if not hits and not has_wildcards(pattern):
                kind, error_id = (
                    ("display", "NoServiceFoundForGivenDisplayName")
                    if by_display
                    else ("service", "NoServiceFoundForGivenName")
                )
                self.write_error(
                    self.make_error(
                        f"Cannot find any service with {kind} name '{pattern}'.",
                        error_id,
                        category="ObjectNotFound",
                        exception_type=SERVICE_EXCEPTION,
                        target=pattern,
                        target_name=pattern,
                        target_type="String",
                    )
                )
            yield from self._filtered(hits)

    def _filtered(self, services: list[Service]) -> Iterator[PSObj]:
        for service in services:
            if self.Include and not any(like(service.name, p) for p in self.Include):
                continue
            if self.Exclude and any(like(service.name, p) for p in self.Exclude):
                continue
            yield service_object(self.host, service)
