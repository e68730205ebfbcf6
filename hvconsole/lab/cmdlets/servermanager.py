"""ServerManager module: Get-WindowsFeature (reference §3.2), Install-/Uninstall-WindowsFeature (§3.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, like
from hvconsole.lab.protocol import PSEnum, PSObj
from hvconsole.lab.world import catalog, domain
from hvconsole.lab.world.model import Host

FEATURE_TYPE = "Microsoft.Windows.ServerManager.Commands.Feature"
INSTALL_STATE = {"Available": 0, "Installed": 1, "UninstallPending": 2, "InstallPending": 3, "Removed": 5}


def feature_object(host: Host, definition: catalog.FeatureDef) -> PSObj:
    state = host.feature_state(definition.name)
    path, depth = catalog.feature_path(definition)
    return dotnet_object(
        (FEATURE_TYPE,),
        {
            "Name": definition.name,
            "DisplayName": definition.display_name,
            "Description": definition.display_name,  # inferred: the long descriptions are not modelled
            "Installed": state == "Installed",
            "InstallState": PSEnum(
                "Microsoft.Windows.ServerManager.Commands.InstallState", INSTALL_STATE[state], state
            ),
            "FeatureType": definition.feature_type,
            "Path": path,
            "Depth": depth,
            "DependsOn": list(definition.depends_on),
            "Parent": definition.parent,
            "ServerComponentDescriptor": None,
            "SubFeatures": catalog.subfeatures(definition.name),
            "SystemService": [],
            "Notification": [],
            "BestPracticesModelId": None,
            "EventQuery": None,
            "PostConfigurationNeeded": False,
            "AdditionalInfo": {
                "MajorVersion": 10,
                "MinorVersion": 0,
                "NumericId": 0,
                "InstallName": definition.name,
            },
        },
        to_string=definition.display_name,
    )


@cmdlet
class GetWindowsFeature(Cmdlet):
    command_name = "Get-WindowsFeature"
    module_name = "ServerManager"
    class_name = "Microsoft.Windows.ServerManager.Commands.GetWindowsFeatureCommand"

    Name = Param(types.STRINGS, position=0, from_pipeline=True, from_pipeline_by_name=True)
    ComputerName = Param(types.STRING, aliases=("Cn",))
    Credential = Param(types.CREDENTIAL)
    LogPath = Param(types.STRING)
    Vhd = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        # inferred: a name that matches nothing returns nothing, without an error
        for definition in catalog.FEATURES:
            if self.Name is None or any(like(definition.name, p) for p in self.Name):
                yield feature_object(self.host, definition)


# ----- Install-WindowsFeature / Uninstall-WindowsFeature (reference §3.1) -------------------------------------
RESULT_TYPE = "Microsoft.Windows.ServerManager.Commands.FeatureOperationResult"
FEATURE_RESULT_TYPE = "Microsoft.Windows.ServerManager.Commands.FeatureResult"
RESTART_STATE = "Microsoft.Windows.ServerManager.Commands.RestartState"
EXIT_CODE = "Microsoft.Windows.ServerManager.Commands.FeatureOperationExitCode"
RESTART_STATES = {"No": 0, "Yes": 1, "Maybe": 2}
EXIT_CODES = {
    "Success": 0,
    "NoChangeNeeded": 1003,
    "SuccessRestartRequired": 3010,
    "Failed": 1,
}  # inferred values
RESTART_WARNING = "You must restart this server to finish the installation process."
REMOVAL_WARNING = "You must restart this server to finish the removal process."  # inferred by analogy
LAB_SECONDS_PER_FEATURE = 20.0  # inferred: how long one feature takes to install


def _restart(state: str) -> PSEnum:
    return PSEnum(RESTART_STATE, RESTART_STATES[state], state)


def feature_result(definition: catalog.FeatureDef, restart: bool) -> PSObj:
    return dotnet_object(
        (FEATURE_RESULT_TYPE,),
        {
            "Id": definition.name,  # inferred: the real Id is a number; the name is what tools print
            "DisplayName": definition.display_name,
            "Message": [],
            "RestartNeeded": restart,
            "SkipReason": PSEnum("Microsoft.Windows.ServerManager.Commands.SkipReason", 0, "NotSkipped"),
            "Success": True,
        },
        to_string=definition.display_name,
    )


def operation_result(results: list[PSObj], restart: bool) -> PSObj:
    exit_code = "SuccessRestartRequired" if restart else ("Success" if results else "NoChangeNeeded")
    return dotnet_object(
        (RESULT_TYPE,),
        {
            "Success": True,
            "RestartNeeded": _restart("Yes" if restart else "No"),
            "FeatureResult": results,
            "ExitCode": PSEnum(EXIT_CODE, EXIT_CODES[exit_code], exit_code),
        },
        to_string=RESULT_TYPE,
    )


class FeatureChange(Cmdlet):
    module_name = "ServerManager"
    supports_should_process = True
    verb = "Installation"

    Name = Param(types.STRINGS, position=0, mandatory=True, from_pipeline=True, from_pipeline_by_name=True)
    IncludeManagementTools = Param(types.SWITCH)
    Restart = Param(types.SWITCH)
    ComputerName = Param(types.STRING, aliases=("Cn",))
    Credential = Param(types.CREDENTIAL)
    LogPath = Param(types.STRING)
    Vhd = Param(types.STRING)

    def unknown(self) -> list[str]:
        return [n for n in self.Name if catalog.feature(n) is None]

    def process(self) -> Iterator[Any]:
        missing = self.unknown()
        if missing:  # §3.1: the "unknown feature" text is # inferred
            self.throw(
                self.make_error(
                    f"ArgumentNotValid: The role, role service, or feature name is not valid: '{missing[0]}'. "
                    "The name was not found.",
                    "NameDoesNotExist",
                    category="InvalidArgument",
                    exception_type="System.ArgumentException",
                    target=missing[0],
                )
            )
        changed = self.changes()
        if changed and not self.should_process(", ".join(f.name for f in changed), self.command_name):
            return
        restart = any(domain.restart_needed(f, changed) for f in changed)
        activity = f"Start {self.verb}"  # inferred progress texts
        for number, definition in enumerate(changed, start=1):
            self.write_progress(
                activity, f"{definition.display_name}", int(100 * (number - 1) / len(changed))
            )
            domain.pass_lab_time(self.world, self.session.lock, LAB_SECONDS_PER_FEATURE)
            self.apply(definition, domain.restart_needed(definition, changed))
        if changed:
            self.write_progress(activity, "Complete", 100, completed=True)
        results = [feature_result(f, domain.restart_needed(f, changed)) for f in changed]
        yield operation_result(results, restart)
        if restart and self.Restart:
            domain.restart(self.world, self.host)
        elif restart:
            self.write_warning(RESTART_WARNING if self.verb == "Installation" else REMOVAL_WARNING)

    def changes(self) -> list[catalog.FeatureDef]:  # pragma: no cover - subclasses
        raise NotImplementedError

    def apply(self, definition: catalog.FeatureDef, restart: bool) -> None:  # pragma: no cover - subclasses
        raise NotImplementedError


@cmdlet
class InstallWindowsFeature(FeatureChange):
    command_name = "Install-WindowsFeature"
    class_name = "Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand"
    command_aliases = ("Add-WindowsFeature",)

    IncludeAllSubFeature = Param(types.SWITCH)
    Source = Param(types.STRINGS)

    def changes(self) -> list[catalog.FeatureDef]:
        tree = domain.feature_tree(list(self.Name), bool(self.IncludeManagementTools))
        if self.IncludeAllSubFeature:
            tree = domain.feature_tree([f.name for f in tree] + self._all_sub(tree), False)
        return [
            f for f in tree if self.host.feature_state(f.name) in ("Available", "Removed", "UninstallPending")
        ]

    @staticmethod
    def _all_sub(tree: list[catalog.FeatureDef]) -> list[str]:
        names: list[str] = []
        pending = [f.name for f in tree]
        while pending:
            children = catalog.subfeatures(pending.pop())
            names += children
            pending += children
        return names

    def apply(self, definition: catalog.FeatureDef, restart: bool) -> None:
        self.host.features[definition.name] = "InstallPending" if restart else "Installed"


@cmdlet
class UninstallWindowsFeature(FeatureChange):
    command_name = "Uninstall-WindowsFeature"
    class_name = "Microsoft.Windows.ServerManager.Commands.RemoveWindowsFeatureCommand"
    command_aliases = ("Remove-WindowsFeature",)
    verb = "Removal"

    Remove = Param(types.SWITCH)

    def changes(self) -> list[catalog.FeatureDef]:
        names = list(self.Name)
        if self.IncludeManagementTools:
            names += [t for n in self.Name for t in domain.MANAGEMENT_TOOLS.get(catalog.feature(n).name, ())]  # type: ignore[union-attr]
        wanted = {n.lower() for n in names}
        return [
            f
            for f in catalog.FEATURES
            if f.name.lower() in wanted and self.host.feature_state(f.name) != "Available"
        ]

    def apply(self, definition: catalog.FeatureDef, restart: bool) -> None:
        if restart:
            self.host.features[definition.name] = "UninstallPending"
        else:
            self.host.features.pop(definition.name, None)
