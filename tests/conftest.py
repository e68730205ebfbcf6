"""Fixtures shared by every test folder.

* Every test gets its own HVCONSOLE_HOME (config, state, data), so no test reads or writes the user's files.
* ``lab_opened`` starts the embedded lab exactly as ``hvconsole`` does (a ``lab serve --json`` child process
  reached over HTTPS/PSRP) and gives the opened workspace; ``shared_lab`` is one session-wide lab for tests
  that only read. In CI (CI=true) a lab that cannot start FAILS the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hvconsole.embedded_lab import LabStartError
from hvconsole.launch import Opened, open_workspace
from hvconsole.paths import Locations

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HVCONSOLE_HOME", str(home))
    return home


def locations_in(root: Path) -> Locations:
    return Locations(root / "config", root / "state", root / "data")


def open_lab(
    root: Path,
    *,
    seed: int | None = 7,
    speed: float = 50.0,
    port: int = 0,
    read_only: bool = False,
    scenario: str | None = None,
    extra_args: list[str] | None = None,
) -> Opened:
    """Start an embedded lab under ``root`` (``scenario``: classic, prepared, clustered, sixteen, ...)."""
    extra = ["--seed", str(seed)] if seed is not None else []
    if scenario:
        extra += ["--scenario", scenario]
    extra += extra_args or []
    if port:
        extra += ["--port", str(port)]
    try:
        return open_workspace(
            use_lab=True,
            read_only=read_only,
            lab_speed=speed,
            lab_state=root / "lab" / "state.json",
            where=locations_in(root),
            lab_args=extra,
        )
    except LabStartError as error:
        if IN_CI:
            raise
        pytest.skip(f"the embedded lab could not start: {error}")


LabFactory = Callable[..., Opened]


@pytest.fixture
def lab_factory(tmp_path: Path) -> Iterator[LabFactory]:
    """Start a lab of your own (it may be changed freely); every lab started is stopped afterwards."""
    opened: list[Opened] = []

    def start(**options: object) -> Opened:
        root = tmp_path / f"lab{len(opened)}"
        lab = open_lab(root, **options)  # type: ignore[arg-type]
        opened.append(lab)
        return lab

    yield start
    for lab in opened:
        lab.close()


@pytest.fixture(scope="session")
def shared_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    """One lab for the whole session: read from it, never change it."""
    lab = open_lab(tmp_path_factory.mktemp("shared-lab"))
    yield lab
    lab.close()
