"""Fixtures that start the real lab (``python -m hvconsole lab serve --json``) as a subprocess.

Tests that need it skip with the reason (the lab's stderr tail) when it cannot start yet.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hvconsole.remoting.settings import ConnectionSettings

START_TIMEOUT = float(os.environ.get("HVCONSOLE_LAB_START_TIMEOUT", "60"))


@dataclass
class LabProcess:
    """A running ``lab serve``; ``hosts`` is its JSON line's host list."""

    state: Path
    port: int
    extra: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    hosts: list[dict[str, Any]] = field(default_factory=list)

    def start(self) -> None:
        command = [sys.executable, "-m", "hvconsole", "lab", "serve", "--json", "--port", str(self.port)]
        command += ["--state", str(self.state), *self.extra]
        log = self.state.with_name("lab-stderr.log").open("ab")  # a file: a full pipe would stall the lab
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        log.close()
        line = _first_line(self.process, START_TIMEOUT)
        if line is None:
            reason = self._stop_and_explain()
            pytest.skip(f"the lab could not start ({' '.join(command[2:])}): {reason}")
        self.hosts = json.loads(line)["hosts"]

    def _stop_and_explain(self) -> str:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        err = self.state.with_name("lab-stderr.log").read_text(errors="replace")
        tail = err.strip().splitlines()[-1:] or ["no output"]
        return tail[0][:300]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def settings(self, index: int = 0, **overrides: Any) -> ConnectionSettings:
        host = self.hosts[index]
        password = host["password"]
        options: dict[str, Any] = dict(
            address=host["address"],
            port=host["port"],
            https=True,
            auth="basic",
            cert_validation=host["ca_cert"],
            username=host["username"],
            password=lambda: password,
            read_timeout=30,
            operation_timeout=20,
        )
        options.update(overrides)
        return ConnectionSettings(host["name"], **options)

    def all_settings(self, **overrides: Any) -> list[ConnectionSettings]:
        return [self.settings(i, **overrides) for i in range(len(self.hosts))]


def _first_line(process: subprocess.Popen[bytes], timeout: float) -> str | None:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buffer = b""
    while time.monotonic() < deadline and process.poll() is None:
        if selector.select(timeout=0.2):
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            if b"\n" in buffer:
                line = buffer.split(b"\n", 1)[0].decode()
                try:
                    json.loads(line)["hosts"]
                except (ValueError, KeyError, TypeError):
                    return None
                return line
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabProcess]:
    process = LabProcess(tmp_path_factory.mktemp("lab") / "state.json", 0)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def restartable_lab(tmp_path: Path) -> Iterator[LabProcess]:
    """A lab of its own on a fixed port, so ``stop()`` + ``start()`` brings the same endpoints back."""
    process = LabProcess(tmp_path / "state.json", free_port())
    process.start()
    yield process
    process.stop()
