"""Opening a workspace: from the inventory file, or — with no inventory — from the embedded lab.

The embedded lab's scenario: ``hvconsole --lab-scenario NAME`` (hidden from --help) or the environment variable
``HVCONSOLE_LAB_SCENARIO=NAME`` (e.g. ``clustered``: the recipe done up to a two-node cluster with its CSV).
Each scenario keeps its own state file next to the default one (``lab-state-<NAME>.json``-style), so
switching scenarios never mixes worlds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hvconsole.credentials import CredentialStore
from hvconsole.embedded_lab import EmbeddedLab
from hvconsole.inventory import load_inventory
from hvconsole.paths import Locations, locations
from hvconsole.stages.workspace import ObservedJournal, Workspace

DEFAULT_LAB_SPEED = 30.0


@dataclass
class Opened:
    workspace: Workspace
    lab: EmbeddedLab | None

    def close(self) -> None:
        self.workspace.close()
        if self.lab is not None:
            self.lab.stop()


def open_workspace(
    *,
    inventory_file: Path | None = None,
    use_lab: bool = False,
    read_only: bool = False,
    lab_speed: float = DEFAULT_LAB_SPEED,
    lab_state: Path | None = None,
    where: Locations | None = None,
    credentials: CredentialStore | None = None,
    lab_args: list[str] | None = None,
) -> Opened:
    where = where or locations()
    path = inventory_file or where.inventory_file
    if not use_lab and inventory_file is None and not path.exists():
        use_lab = True
    journal = ObservedJournal(where.journal_file)
    if use_lab:
        store = credentials or CredentialStore(memory_only=True)
        state = lab_state or where.lab_state_file
        scenario = os.environ.get("HVCONSOLE_LAB_SCENARIO", "").strip()
        if scenario and "--scenario" not in (lab_args or []):
            lab_args = [*(lab_args or []), "--scenario", scenario]
            if lab_state is None:
                state = state.with_name(f"{state.stem}-{scenario}{state.suffix}")
        lab = EmbeddedLab.start(state, speed=lab_speed, extra_args=lab_args)
        inventory = lab.inventory(store)
        label = f"embedded lab · {len(inventory.hosts)} hosts"
        workspace = Workspace(inventory, store, journal, label=label, read_only=read_only)
        return Opened(workspace, lab)
    inventory = load_inventory(path)
    store = credentials or CredentialStore()
    workspace = Workspace(
        inventory,
        store,
        journal,
        label=f"{path} · {len(inventory.hosts)} hosts",
        read_only=read_only,
        inventory_path=path,
    )
    return Opened(workspace, None)
