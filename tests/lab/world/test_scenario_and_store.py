from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from hvconsole.lab.world import store
from hvconsole.lab.world.scenario import build_world
from hvconsole.lab.world.store import load_world, save_world


def test_classic_fresh_install() -> None:
    world = build_world("classic", seed=7, now=1_700_000_000.0)
    assert [h.role for h in world.hosts] == ["storage-dc", "hyperv", "hyperv"]
    for host in world.hosts:
        assert re.fullmatch(r"WIN-[A-Z0-9]{11}", host.name)
        assert host.workgroup == "WORKGROUP" and host.domain is None
        assert host.os_caption == "Microsoft Windows Server 2022 Datacenter"
        assert [a.name for a in host.adapters] == ["Ethernet", "Ethernet 2"]
        assert all(a.mac.startswith("00-15-5D-") for a in host.adapters)
        assert all(a.addresses[0].address.startswith("10.") and a.dhcp for a in host.adapters)
        assert host.service("MSiSCSI").status == "Stopped" and host.service("msiscsi").start_type == "Manual"
        assert host.service("WinRM").status == "Running"
        assert host.service("vmms") is None and host.service("ClusSvc") is None
        assert host.feature_installed("FS-FileServer") and not host.feature_installed("Hyper-V")
        assert world.disk(host.disks[0].disk_id).size == 40 * 1024**3
    storage = world.hosts[0]
    data = storage.disks[1:]
    assert len(data) == 2
    for view in data:
        disk = world.disk(view.disk_id)
        assert disk.size == 250 * 1024**3 and disk.partition_style == 0
        assert view.is_offline and view.is_readonly and view.offline_reason == 1
    assert all(len(h.disks) == 1 for h in world.hosts[1:])
    addresses = [a.addresses[0].address for h in world.hosts for a in h.adapters]
    assert len(set(addresses)) == len(addresses)


def test_same_seed_same_world_but_new_password() -> None:
    a = build_world(seed=42, now=1.0)
    b = build_world(seed=42, now=1.0)
    assert [h.name for h in a.hosts] == [h.name for h in b.hosts]
    assert a.hosts[0].adapters[0].mac == b.hosts[0].adapters[0].mac
    assert a.admin_password != b.admin_password
    assert [h.name for h in build_world(seed=43, now=1.0).hosts] != [h.name for h in a.hosts]


def test_round_trip_is_private_and_atomic(tmp_path: Path) -> None:
    world = build_world(seed=3, now=1_700_000_000.0)
    path = tmp_path / "lab" / "state.json"
    save_world(world, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    loaded = load_world(path)
    assert loaded is not None
    assert loaded.model_dump() == world.model_dump()
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp file left


def test_failed_write_keeps_the_old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    world = build_world(seed=3, now=1.0)
    save_world(world, path)
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    world.hosts[0].name = "CHANGED"
    with pytest.raises(OSError):
        save_world(world, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_missing_and_corrupt_state(tmp_path: Path) -> None:
    assert load_world(tmp_path / "none.json") is None
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(store.StateFileError):
        load_world(bad)


def test_reboot_notifies_listeners() -> None:
    world = build_world(seed=1, now=1.0)
    seen: list[tuple[str, float]] = []
    world.on_reboot(lambda host, delay: seen.append((host.id, delay)))
    world.request_reboot(world.hosts[1], 30.0)
    assert seen == [("node1", 30.0)] and world.hosts[1].power == "Rebooting"
    world.finish_reboot(world.hosts[1])
    assert world.hosts[1].power == "Running"
