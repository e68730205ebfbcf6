"""Labs for the reliability suite: the embedded lab process with its control channel (faults, received calls),
and sessions with short timeouts so a black hole costs seconds, not minutes."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hvconsole.lab.control import LabControl
from hvconsole.launch import Opened
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.plan import Plan, Step, Verification
from tests.conftest import locations_in

FAST = {
    "connect_timeout": 2.0,
    "read_timeout": 4.0,
    "operation_timeout": 2,
    "reconnect_attempts": 2,
    "reconnect_base_delay": 0.2,
    "reconnect_max_delay": 0.5,
    "poll_interval": 0.2,
    "pipeline_timeout": 30.0,
}


@dataclass
class FaultyLab:
    opened: Opened
    control: LabControl
    root: Path

    @property
    def workspace(self) -> Any:
        return self.opened.workspace

    @property
    def hosts(self) -> list[str]:
        return list(self.opened.workspace.host_names())

    def received(self, host: str, cmdlet: str) -> list[dict[str, Any]]:
        return [c for c in self.control.received(host) if c["name"].lower() == cmdlet.lower()]


def tune(opened: Opened, **overrides: Any) -> None:
    """Replace every session with one whose settings have short timeouts (same host, same credentials)."""
    sessions = opened.workspace.sessions
    for host in sessions.hosts:
        settings = dataclasses.replace(sessions[host].settings, **{**FAST, **overrides})
        sessions.add(settings)


def start_faulty_lab(root: Path, *extra: str, speed: float = 50.0, tuned: bool = True) -> FaultyLab:
    from hvconsole.embedded_lab import LabStartError
    from hvconsole.launch import open_workspace

    try:
        opened = open_workspace(
            use_lab=True,
            lab_speed=speed,
            lab_state=root / "lab" / "state.json",
            where=locations_in(root),
            lab_args=["--seed", "7", *extra],
        )
    except LabStartError as error:
        pytest.skip(f"the embedded lab could not start: {error}")
    assert opened.lab is not None and opened.lab.control is not None
    if tuned:
        tune(opened)
    control = LabControl(opened.lab.control["url"], opened.lab.control["token"])
    return FaultyLab(opened, control, root)


@pytest.fixture(scope="module")
def faulty_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyLab]:
    """One lab per test module (modules change the world); faults are cleared after each test."""
    lab = start_faulty_lab(tmp_path_factory.mktemp("faulty-lab"))
    yield lab
    lab.opened.close()


@pytest.fixture
def lab(faulty_lab: FaultyLab) -> Iterator[FaultyLab]:
    yield faulty_lab
    faulty_lab.control.clear()


def firewall_rule_step(host: str, name: str) -> Step:
    """A real, non-idempotent change (a second New-NetFirewallRule with the same -Name fails) with a check."""
    create = Command(
        "New-NetFirewallRule", Name=name, DisplayName=f"hvconsole test {name}", LocalPort=["5999"]
    )
    create = create.param("Protocol", "TCP")
    read = Command("Get-NetFirewallRule", Name=name)
    verify = Verification(
        Pipeline.of(read.param("ErrorAction", "SilentlyContinue")), lambda result: bool(result.objects)
    )
    return Step(host, f"Allow TCP 5999 ({name})", Pipeline.of(create), verify=verify)


def firewall_plan(host: str, names: list[str]) -> Plan:
    return Plan.of("Test firewall rules", [firewall_rule_step(host, n) for n in names])


def eventually(check: Callable[[], bool], timeout: float = 20.0, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()
