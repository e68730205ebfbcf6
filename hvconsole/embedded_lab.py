"""Starting the embedded lab as a separate process and turning what it prints into an inventory.

The console reaches the lab only over the wire, like any host: this module runs ``hvconsole lab serve --json``
in a child process (its own interpreter, so the lab never competes with the UI for the GIL), reads the
one JSON line it prints, and stops it with SIGTERM (the lab saves its state and exits 0).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from hvconsole.credentials import Account, CredentialStore
from hvconsole.inventory import HostEntry, HostGroup, Inventory


class LabStartError(RuntimeError):
    """The lab process did not come up; the message says what it printed."""


class LabHostInfo(BaseModel):
    name: str
    ip: str | None = None  # the host's simulated address (its endpoint mirrors it: 10.b.c.d → 127.b.c.d)
    address: str
    port: int
    endpoint: str
    username: str
    password: str
    ca_cert: str
    transport: str = "https"  # "http": NTLM with message encryption (lab serve --transport http-ntlm)
    auth: str = "basic"

    def __repr__(self) -> str:
        return f"LabHostInfo(name={self.name!r}, endpoint={self.endpoint!r})"


@dataclass
class EmbeddedLab:
    process: subprocess.Popen[bytes]
    hosts: list[LabHostInfo]
    control: dict[str, str] | None = None  # the lab's control channel (url, token): faults, received calls
    _stderr_tail: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        state_file: Path,
        *,
        speed: float = 30.0,
        scenario: str | None = None,
        timeout: float = 60.0,
        extra_args: list[str] | None = None,
    ) -> EmbeddedLab:
        args = [sys.executable, "-m", "hvconsole", "lab", "serve", "--json", "--port", "0"]
        args += ["--state", str(state_file), "--speed", str(speed)]
        if scenario:
            args += ["--scenario", scenario]
        args += extra_args or []
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C in the console's terminal is the console's, not the lab's
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        lab = cls(process, [])
        threading.Thread(target=lab._drain_stderr, daemon=True, name="lab-stderr").start()
        line = lab._read_first_line(timeout)
        try:
            data = json.loads(line)
            lab.hosts = [LabHostInfo.model_validate(h) for h in data["hosts"]]
            lab.control = data.get("control")
        except (ValueError, KeyError, TypeError) as error:
            lab.stop()
            raise LabStartError(f"the lab printed something unexpected: {line[:200]!r}") from error
        return lab

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            self._stderr_tail.append(raw.decode("utf-8", "replace").rstrip())
            del self._stderr_tail[:-20]

    def _read_first_line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        result: list[bytes] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            self.stop()
            tail = "\n".join(self._stderr_tail[-5:])
            raise LabStartError(
                f"the lab did not start within {timeout:.0f} s" + (f":\n{tail}" if tail else "")
            )
        return result[0].decode("utf-8")

    def inventory(self, credentials: CredentialStore) -> Inventory:
        """The lab's hosts as an inventory; their accounts go to the credential store for this run only."""
        entries = []
        for host in self.hosts:
            entries.append(
                HostEntry(
                    name=host.name,
                    address=host.address,
                    port=host.port,
                    transport="http" if host.transport == "http" else "https",
                    authentication="ntlm" if host.auth == "ntlm" else "basic",
                    username=host.username,
                    ca_file=host.ca_cert,
                    lab=True,
                )
            )
            credentials.put(host.name, Account(host.username, host.password), remember=False)
        group = HostGroup(name="lab", hosts=[h.name for h in self.hosts])
        return Inventory(hosts=entries, groups=[group])

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode
