"""`hvconsole lab serve` as a subprocess, reached over the real wire with pypsrp."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypsrp.exceptions import AuthenticationError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

CIM = "Microsoft.Management.Infrastructure.CimInstance"


class Lab:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hvconsole",
                "lab",
                "serve",
                "--json",
                "--port",
                "0",
                "--state",
                str(state),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.hosts: list[dict[str, Any]] = json.loads(self._first_line())["hosts"]

    def _first_line(self, timeout: float = 20.0) -> str:
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            self.process.kill()
            raise AssertionError("lab serve printed nothing")
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(
                f"lab serve exited: {self.process.stderr.read() if self.process.stderr else ''}"
            )
        return line

    def wsman(self, index: int = 0, password: str | None = None) -> WSMan:
        host = self.hosts[index]
        return WSMan(
            host["address"],
            port=host["port"],
            username=host["username"],
            password=password or host["password"],
            ssl=True,
            auth="basic",
            cert_validation=host["ca_cert"],
            connection_timeout=10,
            read_timeout=20,
        )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    running = Lab(tmp_path_factory.mktemp("lab") / "state.json")
    yield running
    if running.process.poll() is None:
        running.stop()


def invoke(pool: RunspacePool, name: str, **params: Any) -> tuple[list[Any], PowerShell]:
    ps = PowerShell(pool)
    ps.add_cmdlet(name)
    for key, value in params.items():
        ps.add_parameter(key, value)
    return ps.invoke(), ps


def test_json_line_describes_three_hosts(lab: Lab) -> None:
    # each endpoint mirrors the host's simulated address into loopback: 10.b.c.d → 127.b.c.d
    for host in lab.hosts:
        assert host["ip"].startswith("10.20.0.") and host["address"] == "127." + host["ip"].split(".", 1)[1]
    for host in lab.hosts:
        assert host["endpoint"] == f"https://{host['address']}:{host['port']}/wsman"
        assert host["name"].startswith("WIN-") and host["username"] == "Administrator"
        assert Path(host["ca_cert"]).is_file()
    assert len({h["password"] for h in lab.hosts}) == 1


def test_inventory_over_the_wire(lab: Lab) -> None:
    with RunspacePool(lab.wsman(0)) as pool:
        adapters, _ = invoke(pool, "Get-NetAdapter")
        assert adapters[0].types[:2] == [
            f"{CIM}#ROOT/StandardCimv2/MSFT_NetAdapter",
            f"{CIM}#MSFT_NetAdapter",
        ]
        props = adapters[0].adapted_properties
        assert props["Name"] == "Ethernet" and props["Status"] == "Up" and isinstance(props["ifIndex"], int)
        disks, _ = invoke(pool, "Get-Disk")
        assert [d.adapted_properties["Number"] for d in disks] == [0, 1, 2]
        assert disks[1].adapted_properties["OperationalStatus"] == [53267]
        assert disks[1].adapted_properties["Size"] == 250 * 1024**3
        assert disks[0].types[0].endswith("#ROOT/Microsoft/Windows/Storage/MSFT_Disk")
        systems, _ = invoke(pool, "Get-CimInstance", ClassName="Win32_ComputerSystem")
        cs = systems[0].adapted_properties
        assert systems[0].types[0].endswith("#root/cimv2/Win32_ComputerSystem")
        assert (
            cs["Name"] == lab.hosts[0]["name"] and cs["Domain"] == "WORKGROUP" and cs["PartOfDomain"] is False
        )
        _, ps = invoke(pool, "Get-NetAdapter", Name="Ethernet 9")
        assert ps.streams.error[0].fq_error == "CmdletizationQuery_NotFound_Name,Get-NetAdapter"


def test_wrong_password_is_refused(lab: Lab) -> None:
    with pytest.raises(AuthenticationError), RunspacePool(lab.wsman(1, password="wrong")):
        pass


def test_sigterm_saves_and_restart_keeps_the_hosts(lab: Lab) -> None:
    names = [h["name"] for h in lab.hosts]
    assert lab.stop() == 0
    assert oct(os.stat(lab.state).st_mode & 0o777) == "0o600"
    again = Lab(lab.state)
    try:
        assert [h["name"] for h in again.hosts] == names
        assert again.hosts[0]["password"] == lab.hosts[0]["password"]
    finally:
        assert again.stop() == 0


def test_non_loopback_bind_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hvconsole",
            "lab",
            "serve",
            "--bind",
            "0.0.0.0",
            "--state",
            str(tmp_path / "s.json"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "loopback" in done.stderr
    reset = subprocess.run(
        [sys.executable, "-m", "hvconsole", "lab", "reset", "--state", str(tmp_path / "s.json")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert reset.returncode == 0
