"""The user's settings: a small TOML file in the config directory, validated, written atomically.

Reading never raises: a missing file gives the defaults, a broken one gives the defaults plus a problem to
show the user. Writing goes through a temporary file and ``os.replace``, so a crash leaves either the old
file or the new one, never half of one. Keys this version does not know are kept, so a newer hvconsole's
settings survive a round trip through an older one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hvconsole.paths import locations

DEFAULT_THEME = "hvconsole-dark"


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    theme: str = Field(default=DEFAULT_THEME, min_length=1, max_length=64)
    """Name of the theme the console starts with (shipped, Textual built-in or a user theme file)."""


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    path: Path
    problems: list[str] = field(default_factory=list)
    """Human sentences (file and field named); non-empty means the defaults were used."""


def settings_path() -> Path:
    return locations().settings_file


def load_settings(path: Path | None = None) -> LoadedSettings:
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedSettings(Settings(), path)
    except (OSError, UnicodeDecodeError) as exc:
        return LoadedSettings(
            Settings(), path, [f"Settings file {path} could not be read ({exc}); using defaults."]
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return LoadedSettings(
            Settings(), path, [f"Settings file {path} is not valid TOML ({exc}); using defaults."]
        )
    try:
        return LoadedSettings(Settings.model_validate(data), path)
    except ValidationError as exc:
        problems = [
            f"Settings file {path}: {'.'.join(str(part) for part in error['loc']) or '(file)'}: {error['msg']}; "
            "using defaults."
            for error in exc.errors()
        ]
        return LoadedSettings(Settings(), path, problems)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically (temporary file in the same directory, then ``os.replace``)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    content = tomli_w.dumps(settings.model_dump(mode="python", exclude_none=True))
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def update_settings(changes: Mapping[str, object], path: Path | None = None) -> Settings:
    """Re-read the file, apply ``changes`` and save; a file that could not be read is kept as ``*.bak``.

    Raises ``ValidationError`` for a bad change and ``OSError`` when the file cannot be written.
    """
    loaded = load_settings(path)
    updated = Settings.model_validate({**loaded.settings.model_dump(), **changes})
    if loaded.problems and loaded.path.exists():
        shutil.copyfile(loaded.path, loaded.path.with_name(loaded.path.name + ".bak"))
    save_settings(updated, loaded.path)
    return updated
