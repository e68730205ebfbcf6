"""End to end through a real terminal on the `clustered` lab (`hvconsole --lab-scenario clustered`): on the VMs
screen, create a highly available VM with the form and its plan, start it, live-migrate it to HV2 with l, open
the migration monitor with m while the move runs and watch it until it is done; then quit cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux_driver import TerminalSession

pytestmark = pytest.mark.e2e


@pytest.fixture
def terminal(isolated_home: Path) -> Iterator[TerminalSession]:
    session = TerminalSession(isolated_home, ["--lab-scenario", "clustered"], width=100, height=30)
    yield session
    session.close()


def apply_plan(terminal: TerminalSession, title: str) -> None:
    terminal.wait_for(title, timeout=30)
    terminal.press("a")
    terminal.wait_for("Apply", timeout=10)
    terminal.press("y")


def test_create_start_migrate_and_watch_the_monitor(terminal: TerminalSession) -> None:
    terminal.wait_for("3/3 connected", timeout=90)
    terminal.press("v")
    terminal.wait_for("0 of 0 VMs", timeout=90)
    terminal.press(
        "Tab", "H", "V", "1", "Tab", "W", "e", "b", "1", "BTab", "BTab"
    )  # Target node, New VM name
    terminal.press("n")
    apply_plan(terminal, "New VM Web1")
    terminal.wait_for("succeeded", timeout=120)  # every step done (esc is refused while steps still run)
    terminal.press_until("Escape", "1 of 1 VMs", timeout=90)
    terminal.press("s")
    apply_plan(terminal, "Start 1 VM")
    terminal.wait_for("succeeded", timeout=120)
    terminal.press_until("Escape", "Runni", timeout=90)  # the State column is narrow
    terminal.press("Tab", "End", "BSpace", "BSpace", "BSpace", "H", "V", "2", "BTab")  # target HV1 → HV2
    terminal.press("l")
    apply_plan(terminal, "Live migration to HV2")
    terminal.press("m")  # the monitor, over the plan that is applying the move
    screen = terminal.wait_for("Web1", timeout=90)
    assert "Migration monitor" in screen
    screen = terminal.wait_for("1 done", timeout=120)
    assert "HV1 → HV2" in screen and "blackout" in screen, screen
    terminal.press("Escape")
    terminal.press("q")
    assert terminal.wait_exit() == 0
