"""Where the stage screens are: one entry per screen, so every screen is one keystroke from anywhere
(digits and letters below) and reachable by name from the command palette.

A stage screen is a ``Screen`` subclass whose constructor takes the ``Workspace`` (and optionally the host
names selected on the dashboard). Add a screen by adding one ``Destination`` line here.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from textual.screen import Screen

from hvconsole.stages.workspace import Workspace


@dataclass(frozen=True)
class Destination:
    key: str  # the key that opens it from any screen
    title: str  # as shown in the palette and help
    help: str
    module: str
    screen_class: str

    def make(self, workspace: Workspace, hosts: list[str]) -> Screen:
        cls = getattr(importlib.import_module(self.module), self.screen_class)
        return cls(workspace, hosts)  # type: ignore[no-any-return]


_SCREENS = "hvconsole.ui.screens."

# In the order of the cluster recipe: digits for the build stages, letters for living with the cluster.
DESTINATIONS: list[Destination] = [
    Destination(
        "1", "Network", "Adapters, static addresses, gateway, DNS", _SCREENS + "network", "NetworkScreen"
    ),
    Destination(
        "2",
        "Firewall",
        "Remote-management rule groups and port rules",
        _SCREENS + "firewall",
        "FirewallScreen",
    ),
    Destination(
        "3",
        "Identity & domain",
        "Computer name, workgroup/domain, forest, restarts",
        _SCREENS + "identity",
        "IdentityScreen",
    ),
    Destination(
        "4",
        "Roles & features",
        "Hyper-V, Failover Clustering, iSCSI Target, AD DS",
        _SCREENS + "features",
        "FeaturesScreen",
    ),
    Destination(
        "5",
        "iSCSI target",
        "Virtual disks, targets, allowed initiators",
        _SCREENS + "iscsi_target",
        "IscsiTargetScreen",
    ),
    Destination(
        "6",
        "iSCSI initiator",
        "Portals, targets, sessions (iscsicpl)",
        _SCREENS + "iscsi_initiator",
        "IscsiInitiatorScreen",
    ),
    Destination(
        "7", "Disks", "Online, initialize, partition, format, letters", _SCREENS + "disks", "DisksScreen"
    ),
    Destination(
        "8",
        "Cluster wizard",
        "Validate and create the failover cluster",
        _SCREENS + "cluster_wizard",
        "ClusterWizardScreen",
    ),
    Destination("9", "Quorum", "Witness: disk, file share or none", _SCREENS + "quorum", "QuorumScreen"),
    Destination(
        "0", "Storage & CSV", "Cluster disks, Cluster Shared Volumes, VM paths", _SCREENS + "csv", "CsvScreen"
    ),
    Destination(
        "c",
        "Cluster dashboard",
        "Nodes, resources, witness, CSVs, roles",
        _SCREENS + "cluster_dashboard",
        "ClusterDashboardScreen",
    ),
    Destination(
        "w",
        "Virtual switches",
        "External switches with the same name on every node",
        _SCREENS + "switches",
        "SwitchesScreen",
    ),
    Destination(
        "v",
        "Virtual machines",
        "Create, start, stop, make highly available, migrate",
        _SCREENS + "vms",
        "VmsScreen",
    ),
    Destination(
        "m",
        "Migration monitor",
        "Live migrations in flight: passes, rate, ETA, blackout",
        _SCREENS + "migration_monitor",
        "MigrationMonitorScreen",
    ),
    Destination(
        "s",
        "Host settings (SConfig)",
        "Remote management, RDP, updates, time, telemetry, activation, admins, restart",
        _SCREENS + "host_settings",
        "HostSettingsScreen",
    ),
]


def available() -> list[Destination]:
    """Destinations whose module exists (stage screens land issue by issue). Only looked up, not imported:
    a screen's module is imported when it is opened, so start-up does not pay for every stage."""
    return [d for d in DESTINATIONS if importlib.util.find_spec(d.module) is not None]
