"""Where hvconsole keeps its files: platform directories, overridable with HVCONSOLE_HOME (tests, portable use)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Locations:
    config_dir: Path
    state_dir: Path
    data_dir: Path

    @property
    def inventory_file(self) -> Path:
        return self.config_dir / "inventory.toml"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def journal_file(self) -> Path:
        return self.state_dir / "journal.jsonl"

    @property
    def lab_state_file(self) -> Path:
        return self.data_dir / "lab" / "state.json"


def locations() -> Locations:
    home = os.environ.get("HVCONSOLE_HOME")
    if home:
        root = Path(home)
        return Locations(root / "config", root / "state", root / "data")
    return Locations(
        Path(platformdirs.user_config_dir("hvconsole")),
        Path(platformdirs.user_state_dir("hvconsole")),
        Path(platformdirs.user_data_dir("hvconsole")),
    )
