from __future__ import annotations

import time

import pytest

from hvconsole.lab.world.backend import LabHost
from hvconsole.lab.world.clock import LabClock
from hvconsole.lab.world.runtime import NotLoopback, host_addresses
from hvconsole.lab.world.scenario import build_world


def test_clock_runs_faster() -> None:
    clock = LabClock(1000.0, speed=100.0)
    time.sleep(0.05)
    assert clock.now() >= 1000.0 + 4.0
    assert clock.real_seconds(50) == pytest.approx(0.5)


def test_credentials() -> None:
    import threading

    world = build_world(seed=1, now=1.0)
    host = LabHost(world, world.hosts[0], threading.RLock())
    pw = world.admin_password
    assert host.check_credentials("Administrator", pw)
    assert host.check_credentials(".\\administrator", pw)
    assert host.check_credentials(f"{world.hosts[0].name}\\Administrator", pw)
    assert not host.check_credentials("Administrator", pw + "x")
    assert not host.check_credentials("OTHER\\Administrator", pw)
    world.hosts[0].power = "Rebooting"  # still answering until the runtime stops its endpoint
    assert host.check_credentials("Administrator", pw)
    world.hosts[0].power = "Off"
    assert not host.check_credentials("Administrator", pw)


def test_loopback_only() -> None:
    assert host_addresses("127.0.0.11", 3) == ["127.0.0.11", "127.0.0.12", "127.0.0.13"]
    with pytest.raises(NotLoopback):
        host_addresses("0.0.0.0", 3)
    with pytest.raises(NotLoopback):
        host_addresses("127.255.255.254", 3)
