"""`make screenshots` is deterministic: the script run twice (fresh labs, same seed, port and clock) writes
byte-identical SVGs, including the migration monitor mid-migration. Uses port 5988 so it never meets the
snapshot tests' labs (5986, 5987) on another xdist worker."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.snapshot]  # rendered screens: run in the serial pass

# Screens that are not yet the same every run, and why (fix the screen, then remove it from here):
KNOWN_UNSTABLE: dict[str, str] = {}
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"


def test_two_runs_write_identical_files(tmp_path: Path) -> None:
    runs = [tmp_path / "first", tmp_path / "second"]
    for out in runs:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), str(out), "--port", "5988"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    names = sorted(p.name for p in runs[0].glob("*.svg"))
    assert {"dashboard.svg", "help.svg", "migration-monitor.svg"} <= set(names)
    assert any(n.startswith("theme-") for n in names) and any(n.startswith("stage-") for n in names)
    assert names == sorted(p.name for p in runs[1].glob("*.svg"))
    compared = [n for n in names if n not in KNOWN_UNSTABLE]
    _, mismatch, errors = filecmp.cmpfiles(runs[0], runs[1], compared, shallow=False)
    assert mismatch == [] and errors == [], f"differ between two runs: {mismatch + errors}"
