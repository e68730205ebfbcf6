"""Drive hvconsole in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest


def require_tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("HVCONSOLE_REQUIRE_TMUX") == "1" or os.environ.get("CI"):
            pytest.fail("tmux is required here (.ci/run installs it) but is not installed")
        pytest.skip("tmux is not installed (apt-get install tmux): the end-to-end terminal test needs it")
    return tmux


class TerminalSession:
    def __init__(self, home: Path, args: list[str], width: int = 100, height: int = 30) -> None:
        self.tmux = require_tmux()
        self.name = f"hv-{uuid.uuid4().hex[:8]}"
        self.exit_file = home / "exit-code"
        command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "hvconsole", *args])
        shell = f"HVCONSOLE_HOME={shlex.quote(str(home))} TERM=xterm-256color {command}; echo $? > {shlex.quote(str(self.exit_file))}; sleep 60"
        subprocess.run(
            [self.tmux, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), shell],
            check=True,
        )

    def screen(self) -> str:
        result = subprocess.run(
            [self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear within {timeout:.0f} s; the screen was:\n{screen}")

    def press(self, *keys: str) -> None:
        for key in keys:
            subprocess.run([self.tmux, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.4)  # a bare Escape followed at once by a key reads as Alt+key in a terminal

    def press_until(self, key: str, text: str, *, attempts: int = 3, timeout: float = 30.0) -> str:
        """Press ``key`` until ``text`` shows (a bare Escape can be swallowed by a busy terminal's
        escape-sequence timing); fails after ``attempts`` presses."""
        for attempt in range(attempts):
            self.press(key)
            try:
                return self.wait_for(text, timeout=timeout if attempt == attempts - 1 else timeout / attempts)
            except AssertionError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def press_until_gone(self, key: str, text: str, *, attempts: int = 3, timeout: float = 10.0) -> str:
        """Press ``key`` until ``text`` is no longer on the screen (e.g. Escape closing a dialog)."""
        for _ in range(attempts):
            self.press(key)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                screen = self.screen()
                if text not in screen:
                    return screen
                time.sleep(0.2)
        raise AssertionError(
            f"{text!r} was still on the screen after {attempts} presses of {key}:\n{self.screen()}"
        )

    def wait_exit(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exit_file.exists() and self.exit_file.read_text().strip():
                return int(self.exit_file.read_text().strip())
            time.sleep(0.2)
        raise AssertionError(
            f"hvconsole did not exit within {timeout:.0f} s; the screen was:\n{self.screen()}"
        )

    def close(self) -> None:
        subprocess.run([self.tmux, "kill-session", "-t", self.name], capture_output=True)
