"""Set-VMProcessor in-process: the count of an Off VM, refused while it runs, migration compatibility."""

from __future__ import annotations

from hvconsole.lab.engine import Session
from hvconsole.lab.world.clock import LabClock
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run


def test_count_and_compatibility() -> None:
    world = build_world(seed=7, now=1_700_000_000.0)
    world.attach_clock(LabClock(world.lab_time, speed=2000))
    host = world.hosts[1]
    session = Session(world=world, host=host)
    assert (
        run(session, cmd("Install-WindowsFeature", Name=["Hyper-V"], IncludeManagementTools=True)).failure
        is None
    )
    world.finish_reboot(host)
    run(session, cmd("New-VM", Name="VM1", NoVHD=True))
    assert run(session, cmd("Set-VMProcessor", VMName=["VM1"], Count=4)).failure is None
    vm = host.hyperv.vms[0]
    assert vm.processor_count == 4
    run(session, cmd("Set-VMProcessor", VMName=["VM1"], CompatibilityForMigrationEnabled=True))
    assert vm.processor_compat and vm.processor_count == 4
    run(session, cmd("Start-VM", Name=["VM1"]))
    running = run(session, cmd("Set-VMProcessor", VMName=["VM1"], Count=2))
    assert vm.processor_count == 4
    assert "current state" in running.errors[0].message
