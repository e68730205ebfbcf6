"""Microsoft.PowerShell.Management / Utility date and time: Set-Date, Get-TimeZone, Set-TimeZone.

The host's clock is the lab clock plus ``Host.clock_offset`` (Get-Date and Win32_OperatingSystem read it);
Set-Date moves that offset. Time zones are ``System.TimeZoneInfo`` objects from ``world.settings.TIME_ZONES``.
An unknown Id gives .NET's TimeZoneNotFoundException text under the ``TimeZoneNotFound`` error id (inferred
from PowerShell's TimeZoneCommands, which wrap that exception).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, like
from hvconsole.lab.world.settings import TIME_ZONES, TimeZoneDef, time_zone

MANAGEMENT = "Microsoft.PowerShell.Management"
COMMANDS = "Microsoft.PowerShell.Commands."


def time_zone_object(tz: TimeZoneDef) -> Any:
    return dotnet_object(
        ("System.TimeZoneInfo",),
        {
            "Id": tz.id,
            "DisplayName": tz.display_name,
            "StandardName": tz.standard_name,
            "DaylightName": tz.daylight_name,
            "BaseUtcOffset": timedelta(minutes=tz.offset_minutes),
            "SupportsDaylightSavingTime": tz.supports_dst,
        },
        to_string=tz.display_name,
    )


class _TimeZoneCmdlet(Cmdlet):
    module_name = MANAGEMENT

    def by_id(self, id: str) -> TimeZoneDef | None:
        found = time_zone(id)
        if found is None:
            self.write_error(
                self.make_error(
                    f"The time zone ID '{id}' was not found on the local computer.",
                    "TimeZoneNotFound",
                    category="InvalidArgument",
                    exception_type="System.TimeZoneNotFoundException",
                    target=id,
                    target_name=id,
                    target_type="String",
                )
            )
        return found

    def by_name(self, name: str) -> list[TimeZoneDef]:
        hits = [tz for tz in TIME_ZONES if like(tz.standard_name, name) or like(tz.daylight_name, name)]
        if not hits:
            self.write_error(
                self.make_error(
                    f'A time zone with the name "{name}" was not found.',  # inferred wording
                    "TimeZoneNotFound",
                    category="InvalidArgument",
                    exception_type="System.TimeZoneNotFoundException",
                    target=name,
                    target_name=name,
                    target_type="String",
                )
            )
        return hits


@cmdlet
class GetTimeZone(_TimeZoneCmdlet):
    command_name = "Get-TimeZone"
    class_name = COMMANDS + "GetTimeZoneCommand"
    default_set = "Name"

    Name = Param(types.STRINGS, position=0, sets=("Name",))
    Id = Param(types.STRINGS, sets=("Id",), mandatory=True)
    ListAvailable = Param(types.SWITCH, sets=("ListAvailable",), mandatory=True)

    def process(self) -> Iterator[Any]:
        if self.parameter_set == "ListAvailable":
            yield from (time_zone_object(tz) for tz in TIME_ZONES)
        elif self.parameter_set == "Id":
            for id in self.Id:
                found = self.by_id(id)
                if found is not None:
                    yield time_zone_object(found)
        elif self.Name:
            for name in self.Name:
                yield from (time_zone_object(tz) for tz in self.by_name(name))
        else:
            current = time_zone(self.host.settings.time_zone) or TIME_ZONES[0]
            yield time_zone_object(current)


@cmdlet
class SetTimeZone(_TimeZoneCmdlet):
    command_name = "Set-TimeZone"
    class_name = COMMANDS + "SetTimeZoneCommand"
    default_set = "Name"
    supports_should_process = True

    Name = Param(types.STRING, position=0, sets=("Name",), mandatory=True)
    Id = Param(types.STRING, sets=("Id",), mandatory=True, from_pipeline_by_name=True)
    InputObject = Param(
        types.ObjectType("System.TimeZoneInfo", ["System.TimeZoneInfo"]),
        sets=("InputObject",),
        mandatory=True,
        from_pipeline=True,
    )
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        if self.parameter_set == "Id":
            found = self.by_id(self.Id)
        elif self.parameter_set == "InputObject":
            found = self.by_id(str(self.InputObject.get("Id")))
        else:
            hits = self.by_name(self.Name)
            found = hits[0] if hits else None
        if found is None or not self.should_process(f"({found.display_name})", "Set-TimeZone"):
            return
        self.host.settings.time_zone = found.id
        if self.PassThru:
            yield time_zone_object(found)


@cmdlet
class SetDate(Cmdlet):
    command_name = "Set-Date"
    module_name = "Microsoft.PowerShell.Utility"
    class_name = COMMANDS + "SetDateCommand"
    default_set = "Date"
    supports_should_process = True

    Date = Param(types.DATETIME, position=0, mandatory=True, sets=("Date",), from_pipeline=True)
    Adjust = Param(types.OBJECT, position=0, mandatory=True, sets=("Adjust",))
    DisplayHint = Param(types.STRING, validate_set=("Date", "Time", "DateTime"))

    def process(self) -> Iterator[Any]:
        now = self.world.now() + self.host.clock_offset
        if self.parameter_set == "Adjust":
            delta = self.Adjust if isinstance(self.Adjust, timedelta) else timedelta(0)
            target = now + delta.total_seconds()
        else:
            date = (
                self.Date if self.Date.tzinfo else self.Date.replace(tzinfo=UTC)
            )  # inferred: hosts run in UTC
            target = date.timestamp()
        if not self.should_process(datetime.fromtimestamp(target, tz=UTC).isoformat(), "Set-Date"):
            return
        self.host.clock_offset = target - self.world.now()
        yield datetime.fromtimestamp(target, tz=UTC)
