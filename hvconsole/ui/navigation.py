"""Where the stage screens are: one entry per screen, so every screen is one keystroke from anywhere
(digits and letters below) and reachable by name from the command palette.

A stage screen is a ``Screen`` subclass whose constructor takes the ``Workspace`` (and optionally the host
names selected on the dashboard). Add a screen by adding one ``Destination`` line here.
"""

from __future__ import annotations

import importlib
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


# In the order of the cluster recipe. Keys: 1-8 for the stages, letters for the rest.
DESTINATIONS: list[Destination] = []


def available() -> list[Destination]:
    """Destinations whose module exists (stage screens land issue by issue)."""
    found = []
    for destination in DESTINATIONS:
        try:
            importlib.import_module(destination.module)
        except ModuleNotFoundError:
            continue
        found.append(destination)
    return found
