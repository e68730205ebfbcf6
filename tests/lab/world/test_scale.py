"""The ``scale`` benchmark scenario: sixteen clustered nodes, 1,024 VM roles, in the shapes the cmdlets make."""

from __future__ import annotations

import time

from hvconsole.lab.engine import Session
from hvconsole.lab.world.clock import LabClock
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run


def test_sixteen_nodes_a_thousand_vms_listed_quickly() -> None:
    world = build_world("scale", seed=7, now=1_700_000_000.0)
    world.attach_clock(LabClock(world.lab_time, speed=1))
    nodes = [Session(world=world, host=h) for h in world.hosts[1:]]
    assert [s.host.name for s in nodes] == [f"HV{n:02d}" for n in range(1, 17)]
    started = time.perf_counter()
    vms = [vm for node in nodes for vm in run(node, cmd("Get-VM")).output]
    assert time.perf_counter() - started < 2.0
    assert len(vms) == 1024 and len({vm.get("Name") for vm in vms}) == 1024
    assert all(vm.get("IsClustered") for vm in vms)
    assert {vm.get("ComputerName") for vm in vms} == {s.host.name for s in nodes}
    groups = run(nodes[5], cmd("Get-ClusterGroup")).output
    assert len(groups) == 1024 + 2
    (cluster,) = run(nodes[0], cmd("Get-Cluster")).output
    assert cluster.get("Name") == "SCALE1"
    assert len(run(nodes[0], cmd("Get-ClusterNode")).output) == 16
    csv = run(nodes[0], cmd("Get-ClusterSharedVolume")).output
    assert [str(v.get("Name")) for v in csv] == ["Cluster Disk 1"]
    assert (
        run(nodes[0], cmd("Get-NetAdapter", Name=["vEthernet (External)"])).output[0].get("LinkSpeed")
        == "1 Gbps"
    )
    moved = run(nodes[0], cmd("Move-ClusterVirtualMachineRole", Name="VM0001", Node="HV02", Wait=0))
    assert moved.failure is None
