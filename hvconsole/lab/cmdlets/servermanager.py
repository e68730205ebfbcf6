"""ServerManager module: Get-WindowsFeature (reference §3.2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, like
from hvconsole.lab.protocol import PSEnum, PSObj
from hvconsole.lab.world import catalog
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
