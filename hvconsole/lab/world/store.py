"""Persistence of the world to one JSON state file (owner-only, written atomically)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs

from hvconsole.lab.world.model import STATE_VERSION, World


def default_state_path() -> Path:
    return Path(platformdirs.user_data_dir("hvconsole")) / "lab" / "state.json"


def ensure_private_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)


def write_private_atomically(path: Path, data: bytes) -> None:
    """temp file (0600) in the same directory + fsync + os.replace + fsync of the directory."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.chmod(path, 0o600)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save_world(world: World, path: Path) -> None:
    world.lab_time = world.now()
    write_private_atomically(path, world.model_dump_json(indent=1).encode("utf-8"))


class StateFileError(Exception):
    pass


def load_world(path: Path) -> World | None:
    """The saved world, or None when there is no state file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        world = World.model_validate_json(text)
    except ValueError as failed:
        raise StateFileError(
            f"{path} is not a lab state file ({failed.__class__.__name__}); "
            "run 'hvconsole lab reset' to start over"
        ) from None
    if world.version != STATE_VERSION:
        raise StateFileError(f"{path} has state version {world.version}, expected {STATE_VERSION}")
    return world


def forget_world(path: Path) -> bool:
    """Delete the state file; True when there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
