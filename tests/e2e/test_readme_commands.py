"""The README's two set-up commands, on a fresh clone in a new virtual environment.

`git clone` this repository (its committed HEAD) into a temporary directory, read the README's set-up block
(the first ```sh block after "## Set up"; it must hold exactly two commands), then:

* the "run" command (`make run`) runs in a real terminal (tmux): the Makefile creates `.venv/` from scratch
  and installs the project; the dashboard must show 3/3 connected; `q` quits; exit code 0.
* the "test" command (`make test`): running the whole suite again from inside the suite would double CI's
  time, so this test runs its first half, `make lint` (ruff, mypy, import contracts) in the fresh clone, and
  checks with `make -n test` that the command line is lint + pytest.

Marked slow (the venv is created from nothing: a minute or two).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.tmux_driver import require_tmux

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def setup_commands(readme: str) -> list[str]:
    section = readme.split("## Set up", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README's set-up section has no ```sh block"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def test_readme_setup_block_has_exactly_the_two_commands() -> None:
    assert setup_commands((REPO / "README.md").read_text()) == ["make run", "make test"]


def test_readme_commands_on_a_fresh_clone(tmp_path: Path) -> None:
    tmux = require_tmux()
    if shutil.which("python3.11") is None:
        pytest.skip("python3.11 is not on PATH: the Makefile creates the venv with it")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    commands = setup_commands((clone / "README.md").read_text())
    assert len(commands) == 2, f"the set-up block must hold exactly two commands, found {commands}"
    run, test = commands
    assert run.startswith("make ") and test.startswith("make "), commands
    assert not (clone / ".venv").exists()

    home, exit_file = tmp_path / "home", tmp_path / "exit-code"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    shell = (
        f"cd {shlex.quote(str(clone))} && HVCONSOLE_HOME={shlex.quote(str(home))} TERM=xterm-256color "
        f"{run}; echo $? > {shlex.quote(str(exit_file))}; sleep 60"
    )
    name = f"hv-readme-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [tmux, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", shell], check=True, env=env
    )
    try:
        screen, deadline = "", time.monotonic() + 240
        while time.monotonic() < deadline and "3/3 connected" not in screen:
            time.sleep(0.5)
            screen = subprocess.run(
                [tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            assert not exit_file.exists(), f"`{run}` ended early; the screen was:\n{screen}"
        assert "3/3 connected" in screen, f"`{run}` never showed 3/3 connected:\n{screen}"
        subprocess.run([tmux, "send-keys", "-t", name, "q"], check=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (exit_file.exists() and exit_file.read_text().strip()):
            time.sleep(0.2)
        assert exit_file.read_text().strip() == "0"
    finally:
        subprocess.run([tmux, "kill-session", "-t", name], capture_output=True)
    assert (clone / ".venv" / "bin" / "hvconsole").exists(), "the Makefile did not create the venv"

    lint = subprocess.run(["make", "lint"], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout[-3000:] + lint.stderr[-3000:]
    dry = subprocess.run(
        ["make", "-n", *test.split()[1:]], cwd=clone, env=env, capture_output=True, text=True
    )
    assert dry.returncode == 0, dry.stderr
    assert "ruff check" in dry.stdout and "mypy" in dry.stdout and "lint-imports" in dry.stdout
    assert re.search(r"pytest\b", dry.stdout), dry.stdout
