"""End to end through a real terminal: `hvconsole` starts the embedded lab, shows its hosts connected,
opens help, quits with exit code 0, at 80×24 — and leaves no lab process behind."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux_driver import TerminalSession

pytestmark = pytest.mark.e2e


@pytest.fixture
def terminal(isolated_home: Path) -> Iterator[TerminalSession]:
    session = TerminalSession(isolated_home, ["--lab"], width=80, height=24)
    yield session
    session.close()


def lab_processes(home: Path) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if "lab serve" in line and str(home) in line]


def test_console_starts_on_the_lab_shows_hosts_help_and_quits_cleanly(
    terminal: TerminalSession, isolated_home: Path
) -> None:
    terminal.wait_for("3/3 connected", timeout=90)
    screen = terminal.wait_for("Datacenter", timeout=30)
    assert screen.count("Windows Server 2022 Datacenter") == 3, screen
    terminal.press("?")
    help_screen = terminal.wait_for("keys")
    assert "Filter" in help_screen and "Journal" in help_screen
    screen = terminal.press_until_gone("Escape", "Everywhere")  # a heading of the help dialog
    assert "3/3 connected" in screen
    terminal.press("q")
    assert terminal.wait_exit() == 0
    assert lab_processes(isolated_home) == []
