"""Snapshot tests per shipped theme: the dashboard and the help screen in each of the four themes, on a lab
with a fixed seed, port and a slow clock (like test_snapshots.py). The theme is chosen the way a user's
choice persists: saved to settings.toml before the app starts.

The lab listens on port 5987 (test_snapshots.py uses 5986 with the same seed and addresses: they may run at
the same time on two xdist workers). Update with `pytest tests/ui/test_theme_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.settings import update_settings
from hvconsole.ui.app import HvConsoleApp
from tests.ui.waiting import dashboard_ready, settled

# A rendered-screen comparison now and then differs in styling only (root cause not found yet): one retry.
pytestmark = [pytest.mark.snapshot, pytest.mark.flaky(reruns=2)]

THEMES = ["hvconsole-dark", "hvconsole-light", "classic", "high-contrast"]


@pytest.fixture(scope="module")
def theme_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    from tests.conftest import open_lab

    lab = open_lab(tmp_path_factory.mktemp("theme-snapshot-lab"), seed=2026, speed=1.0, port=5987)
    yield lab
    lab.close()


def _app(lab: Opened, theme: str) -> HvConsoleApp:
    update_settings({"theme": theme})  # in this test's own HVCONSOLE_HOME
    return HvConsoleApp(lab.workspace, poll_seconds=0)


@pytest.mark.parametrize("theme", THEMES)
def test_dashboard_in_theme(snap_compare, theme_lab: Opened, theme: str) -> None:  # type: ignore[no-untyped-def]
    app = _app(theme_lab, theme)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await dashboard_ready(pilot)
        assert pilot.app.theme == theme

    assert snap_compare(app, terminal_size=(100, 24), run_before=ready)


@pytest.mark.parametrize("theme", THEMES)
def test_help_in_theme(snap_compare, theme_lab: Opened, theme: str) -> None:  # type: ignore[no-untyped-def]
    app = _app(theme_lab, theme)

    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        await dashboard_ready(pilot)
        assert pilot.app.theme == theme
        await pilot.press("question_mark")
        await settled(pilot)

    assert snap_compare(app, terminal_size=(100, 34), run_before=open_help)
