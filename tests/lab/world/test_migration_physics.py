"""The live-migration model against performance.md's physics: 100 Mbps vs 1 GbE, blackout, convergence,
a shared link, the simultaneous-migration limit, quick migration, a destination going down."""

from __future__ import annotations

from hvconsole.lab.world import migration
from hvconsole.lab.world.migration import advance, submit
from hvconsole.lab.world.model import Host, IPAddress, NetAdapter, World
from hvconsole.lab.world.vms import VM, GiB, MiB, VMSwitch

T0 = 1_700_000_000.0


class ManualClock:
    def __init__(self) -> None:
        self.t = T0

    def now(self) -> float:
        return self.t

    def real_seconds(self, lab: float) -> float:
        return 0.0


def lab(link_bps: int = 100_000_000, option: str = "TCPIP") -> tuple[World, ManualClock]:
    hosts = [Host(id=f"node{i}", role="hyperv", name=f"HV{i}", processors=8) for i in (1, 2)]
    for number, host in enumerate(hosts, start=1):
        host.adapters.append(  # the migration link is the adapters' LinkSpeed (migration.link_bps)
            NetAdapter(
                name="Ethernet",
                description="NIC",
                if_index=4,
                mac="00-15-5D-00-00-0" + str(number),
                guid="{x}",
                subnet="Management",
                speed_bps=link_bps,
                addresses=[IPAddress(address=f"10.20.0.{10 + number}", prefix_length=24)],
            )
        )
        host.hyperv.performance_option = option
        host.hyperv.switches.append(VMSwitch(id=f"s-{host.id}", name="External"))
    world = World(scenario="test", seed=1, lab_time=T0, admin_password="x", hosts=hosts)
    clock = ManualClock()
    world.attach_clock(clock)
    return world, clock


def add_vm(world: World, name: str, memory: int = GiB, dirty_rate: int = 1 * MiB) -> VM:
    vm = VM(
        id=f"id-{name}",
        name=name,
        path="C:\\ClusterStorage\\Volume1\\" + name,
        memory_startup=memory,
        state="Running",
        started_at=T0 - 3600,
        switch_name="External",
        dirty_rate=dirty_rate,
        clustered=True,
        group=name,
    )
    world.hosts[0].hyperv.vms.append(vm)
    return vm


def run_until_done(world: World, clock: ManualClock, limit: float = 3600.0) -> None:
    end = clock.t + limit
    while clock.t < end and any(m.phase not in migration.FINISHED for m in migration.all_migrations(world)):
        clock.t += 0.5
        advance(world)


def move(world: World, clock: ManualClock, vm: VM, kind: str = "Live") -> migration.Migration:
    m = submit(world, world.hosts[0], vm, world.hosts[1], kind, clustered=True)
    run_until_done(world, clock)
    return m


def duration(m: migration.Migration) -> float:
    assert m.finished is not None
    return m.finished - m.submitted


def test_one_gib_takes_over_a_minute_on_100_mbps_and_about_a_tenth_on_gigabit() -> None:
    slow_world, slow_clock = lab(100_000_000)
    slow = move(slow_world, slow_clock, add_vm(slow_world, "VM1"))
    fast_world, fast_clock = lab(1_000_000_000)
    fast = move(fast_world, fast_clock, add_vm(fast_world, "VM1"))
    assert slow.phase == fast.phase == "Done"
    lower_bound = GiB / (100_000_000 / 8 * 0.94)  # ~91 s (performance.md)
    assert lower_bound < duration(slow) < lower_bound * 1.25
    assert duration(slow) > 60
    assert 9.1 < duration(fast) < 16
    assert 0.08 < duration(fast) / duration(slow) < 0.16
    for m in (slow, fast):  # a modest guest converges: a short blackout after a few passes
        assert m.pass_number >= 1 and m.blackout < 0.4
    assert slow.pass_number >= 2
    vm = fast_world.hosts[1].hyperv.vms[0]
    assert vm.state == "Running" and vm.started_at == T0 - 3600  # uptime unbroken
    assert fast_world.hosts[0].hyperv.vms == []
    assert [e.id for e in fast_world.hosts[0].hyperv.events] == [20415]


def test_compression_roughly_halves_the_time() -> None:
    world, clock = lab(100_000_000, "Compression")
    m = move(world, clock, add_vm(world, "VM1"))
    assert 45 < duration(m) < 62


def test_a_guest_dirtying_faster_than_the_link_does_not_converge() -> None:
    world, clock = lab(1_000_000_000)
    m = move(world, clock, add_vm(world, "Busy", dirty_rate=200 * MiB))
    assert m.phase == "Done" and m.blackout > migration.LONG_BLACKOUT
    assert world.hosts[0].hyperv.events[-1].id == 20417


def test_concurrent_migrations_share_the_link() -> None:
    world, clock = lab(1_000_000_000)
    a, b = add_vm(world, "A"), add_vm(world, "B")
    ma = submit(world, world.hosts[0], a, world.hosts[1], "Live", True)
    submit(world, world.hosts[0], b, world.hosts[1], "Live", True)
    run_until_done(world, clock)
    alone_world, alone_clock = lab(1_000_000_000)
    alone = move(alone_world, alone_clock, add_vm(alone_world, "A"))
    assert duration(ma) > 1.6 * (duration(alone) - 4)  # both transfers ran at half rate


def test_the_simultaneous_limit_queues_extra_moves() -> None:
    world, clock = lab(1_000_000_000)
    vms = [add_vm(world, f"VM{i}", memory=512 * MiB) for i in range(3)]
    moves = [submit(world, world.hosts[0], vm, world.hosts[1], "Live", True) for vm in vms]
    assert [m.phase for m in moves] == ["Setup", "Setup", "Queued"]
    assert vms[2].migration_state == 1
    run_until_done(world, clock)
    assert all(m.phase == "Done" for m in moves)
    assert moves[2].started is not None and moves[2].started >= min(m.finished or 0 for m in moves[:2])


def test_quick_migration_saves_moves_and_restores() -> None:
    world, clock = lab()
    vm = add_vm(world, "VM1")
    m = submit(world, world.hosts[0], vm, world.hosts[1], "Quick", True)
    clock.t += 1
    advance(world)
    assert vm.state == "Saving"
    run_until_done(world, clock)
    assert m.phase == "Done" and vm.state == "Running" and vm in world.hosts[1].hyperv.vms
    assert vm.started_at is not None and vm.started_at > T0  # downtime: uptime restarts
    assert duration(m) < 20  # no memory crosses the 100 Mbps link


def test_destination_down_mid_migration_leaves_the_vm_running_on_the_source() -> None:
    world, clock = lab()
    vm = add_vm(world, "VM1")
    m = submit(world, world.hosts[0], vm, world.hosts[1], "Live", True)
    clock.t += 20
    advance(world)
    assert m.phase == "Transfer" and 0 < vm.migration_progress < 90
    world.hosts[1].power = "Rebooting"
    clock.t += 1
    advance(world)
    assert m.phase == "Failed" and vm.migration_state == 5 and vm.state == "Running"
    assert vm in world.hosts[0].hyperv.vms and vm.started_at == T0 - 3600
    assert world.hosts[1].hyperv.events[-1].id == 20413 and "0x80072746" in vm.migration_failure


def test_switch_missing_on_the_destination_fails_after_setup() -> None:
    world, clock = lab()
    world.hosts[1].hyperv.switches.clear()
    vm = add_vm(world, "VM1")
    m = move(world, clock, vm)
    assert m.phase == "Failed" and "Ethernet switch 'External'" in m.error
    assert duration(m) < migration.SETUP_SECONDS + 1
    assert world.hosts[0].hyperv.events[-1].id == 21502


def test_cancel_keeps_the_vm_on_the_source() -> None:
    world, clock = lab()
    vm = add_vm(world, "VM1")
    m = submit(world, world.hosts[0], vm, world.hosts[1], "Live", True)
    clock.t += 10
    assert migration.cancel(world, m)
    assert m.phase == "Canceled" and vm.migration_state == 4 and vm in world.hosts[0].hyperv.vms
    clock.t += 400
    advance(world)
    assert migration.all_migrations(world) == []  # the job is gone 5 minutes after it ended
