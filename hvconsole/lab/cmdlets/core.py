"""Microsoft.PowerShell.Core: Get-Command."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, errors, types
from hvconsole.lab.engine.objects import dotnet_object, has_wildcards, matches_any
from hvconsole.lab.protocol import PSEnum, PSObj

COMMAND_TYPES = "System.Management.Automation.CommandTypes"


def command_info(cls: type[Cmdlet]) -> PSObj:
    """CmdletInfo for compiled cmdlets, FunctionInfo for CDXML ones (they are functions on Windows)."""
    is_function = cls.is_function() and cls.module_name != "Microsoft.PowerShell.Core"
    kind = PSEnum(COMMAND_TYPES, 2, "Function") if is_function else PSEnum(COMMAND_TYPES, 8, "Cmdlet")
    info_type = "FunctionInfo" if is_function else "CmdletInfo"
    verb, _, noun = cls.command_name.partition("-")
    return dotnet_object(
        (f"System.Management.Automation.{info_type}", "System.Management.Automation.CommandInfo"),
        {
            "CommandType": kind,
            "Name": cls.command_name,
            "Version": "",  # inferred: module versions are not modelled
            "Source": cls.module_name,
            "ModuleName": cls.module_name,
            "Verb": verb,
            "Noun": noun,
            "ImplementingType": None if is_function else cls.class_name,
        },
        to_string=cls.command_name,
    )


@cmdlet
class GetCommand(Cmdlet):
    command_name = "Get-Command"
    module_name = "Microsoft.PowerShell.Core"
    class_name = "Microsoft.PowerShell.Commands.GetCommandCommand"
    command_aliases = ("gcm",)

    Name = Param(types.STRINGS, position=0, from_pipeline_by_name=True)
    Module = Param(types.STRINGS, aliases=("PSSnapin",), from_pipeline_by_name=True)
    Verb = Param(types.STRINGS)
    Noun = Param(types.STRINGS)
    CommandType = Param(types.STRINGS, aliases=("Type",), validate_set=("Alias", "Function", "Cmdlet", "All"))

    def process(self) -> Iterator[Any]:
        available = [
            cls for cls in self.session.registry.all() if self.session.find_command(cls.command_name) is cls
        ]
        shown = []
        for cls in available:
            verb, _, noun = cls.command_name.partition("-")
            if not matches_any(cls.module_name, self.Module):
                continue
            if not matches_any(verb, self.Verb) or not matches_any(noun, self.Noun):
                continue
            info = command_info(cls)
            if (
                self.CommandType
                and "All" not in self.CommandType
                and str(info.get("CommandType")) not in self.CommandType
            ):
                continue
            shown.append((cls, info))
        for pattern in self.Name or ["*"]:
            hits = [info for cls, info in shown if matches_any(cls.command_name, [pattern])]
            if not hits and not has_wildcards(pattern):
                record = errors.command_not_found(pattern)
                record.fqid = f"CommandNotFoundException,{self.fqid_suffix()}"
                record.activity = self.command_name
                self.write_error(record)
            yield from hits
