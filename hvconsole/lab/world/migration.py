"""The live/quick-migration model (performance.md "Live-migration physics"; reference §9.8, §10).

Time: LAZY on the lab clock. Nothing ticks in the background; every read (Get-VM, Msvm_MigrationJob,
Get-Counter, Get-ClusterParameter, Get-WinEvent) and every waiting cmdlet calls ``advance(world)`` under the
world lock, which replays the lab time since the last call in small steps (``STEP`` lab seconds). Results do
not depend on when anyone looks, only on the lab clock, and an idle lab costs nothing.

A live migration: Queued (over the simultaneous-migration limit of the source or the destination) → Setup
(``SETUP_SECONDS``: connection, compatibility checks — the failures of pain point 7 surface at its end) →
Transfer (pre-copy passes: pass 1 sends all memory, pass n resends what the guest dirtied during pass n-1) →
Blackout (the VM is paused, the last dirty pages and device state are copied: its length follows from the
last pass) → Move (``MOVE_SECONDS``: resume on the destination, the cluster updates the owner) → Done.
Pre-copy stops when the dirty set fits in ``BLACKOUT_TARGET`` seconds of link time, when it stops shrinking
(the guest dirties memory faster than the link copies it: no convergence, a long blackout, event 20417), or
after ``MAX_PASSES``. Concurrent transfers from one source share its migration link equally.
A quick migration: Save (memory to disk) → Move → Restore, with the VM down meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hvconsole.lab.world.vms import Migration, log_event, new_id

if TYPE_CHECKING:
    from hvconsole.lab.world.model import Host, World
    from hvconsole.lab.world.vms import VM

PAGE = 4096
DEFAULT_LINK_BPS = 100_000_000
STEP = 0.1  # lab seconds per simulation step
TCP_EFFICIENCY = 0.94  # usable share of the line rate (performance.md)
SMB_EFFICIENCY = 0.94  # inferred: SMB without RDMA in the lab is no faster than TCP
COMPRESSION_RATIO = 2.0  # "roughly halves time on CPU-rich hosts" (performance.md)
CPU_RICH = 4  # inferred: hosts with fewer logical processors only gain COMPRESSION_POOR
COMPRESSION_POOR = 1.3  # inferred
SETUP_SECONDS = 3.0  # inferred within performance.md's "fixed overhead of a few seconds"
MOVE_SECONDS = 1.0  # inferred: resume on the destination + cluster ownership change
SWITCHOVER_SECONDS = 0.05  # inferred: device state + resume inside the blackout (Clark et al.: 60-210 ms)
BLACKOUT_TARGET = 0.3  # stop pre-copy when the dirty set is sendable in this many seconds (inferred)
MAX_PASSES = 8  # inferred
LONG_BLACKOUT = 5.0  # seconds above which VMMS logs 20417 instead of 20415 (inferred)
SAVE_RATE = 200 * 1024**2  # quick migration: bytes/s to save/restore memory on the CSV (inferred)
QUICK_MOVE_SECONDS = 2.0  # inferred: group offline on the source, online on the destination
JOB_LIFETIME = 300.0  # Msvm_MigrationJob.TimeBeforeRemoval = 5 minutes (reference §10.1)
ACTIVE = ("Setup", "Transfer", "Blackout", "Move", "Save", "Restore")
FINISHED = ("Done", "Failed", "Canceled")
# MigrationState of the cluster resource (reference §10.2)
CLUSTER_STATE = {
    "Queued": 1,
    "Setup": 1,
    "Transfer": 2,
    "Save": 2,
    "Blackout": 3,
    "Move": 3,
    "Restore": 3,
    "Done": 0,
    "Canceled": 4,
    "Failed": 5,
}


def link_bps(world: World, source: Host, destination: Host) -> int:
    """The line rate of the link a migration uses: the LinkSpeed (Get-NetAdapter) of the source's first Up
    adapter with an IPv4 address on a segment where the destination has one too, capped by the destination's
    (inferred: the cluster/migration network is the first shared one). Data-only worlds without adapters get
    ``DEFAULT_LINK_BPS``, the classic recipe's 100 Mbps."""
    from hvconsole.lab.world.network import ipv4_addresses

    def links(host: Host) -> dict[str, int]:
        found: dict[str, int] = {}
        for nic in host.adapters:
            if nic.status == "Up" and nic.subnet and ipv4_addresses(nic):
                found.setdefault(nic.subnet, nic.speed_bps)
        return found

    theirs = links(destination)
    for subnet, speed in links(source).items():
        if subnet in theirs:
            return min(speed, theirs[subnet])
    return DEFAULT_LINK_BPS


def usable_rate(link_bps: int, option: str, processors: int) -> float:
    """Memory bytes per second one migration can move over an idle link with this performance option."""
    wire = link_bps / 8 * (SMB_EFFICIENCY if option == "SMB" else TCP_EFFICIENCY)
    if option == "Compression":
        return wire * (COMPRESSION_RATIO if processors >= CPU_RICH else COMPRESSION_POOR)
    return wire


def compression_of(option: str, processors: int) -> float:
    if option != "Compression":
        return 1.0
    return COMPRESSION_RATIO if processors >= CPU_RICH else COMPRESSION_POOR


# ----- starting, cancelling ------------------------------------------------------------------------------
def busy(world: World, host: Host) -> int:
    """Migrations in progress (not queued, not finished) that involve ``host`` as source or destination."""
    return sum(1 for m in all_migrations(world) if m.phase in ACTIVE and host.id in (m.source, m.destination))


def all_migrations(world: World) -> list[Migration]:
    return [m for h in world.hosts for m in h.hyperv.migrations]


def submit(world: World, source: Host, vm: VM, destination: Host, kind: str, clustered: bool) -> Migration:
    """Start (or queue) a move of ``vm`` from ``source`` to ``destination``; ``advance`` drives it."""
    advance(world)
    now = world.now()
    migration = Migration(
        id=new_id(),
        vm_id=vm.id,
        vm_name=vm.name,
        source=source.id,
        destination=destination.id,
        kind=kind,
        option=source.hyperv.performance_option,
        clustered=clustered,
        submitted=now,
        phase_started=now,
        memory=vm.memory_startup,
        dirty_rate=vm.dirty_rate,
        updated=now,
    )
    source.hyperv.migrations.append(migration)
    vm.migrating = True
    vm.migration_state, vm.migration_progress, vm.migration_failure = 1, 0, ""
    _start_queued(world, now)
    return migration


def cancel(world: World, migration: Migration) -> bool:
    """Cancel a live migration that has not reached its blackout; the VM keeps running on the source."""
    advance(world)
    if migration.phase not in ("Queued", "Setup", "Transfer"):
        return False
    _finish(world, migration, "Canceled", world.now())
    return True


def find_migration(world: World, vm_id: str) -> Migration | None:
    """The VM's migration in flight (queued or active), if any."""
    return next((m for m in all_migrations(world) if m.vm_id == vm_id and m.phase not in FINISHED), None)


# ----- the clock -----------------------------------------------------------------------------------------
def advance(world: World) -> None:
    """Replay lab time up to now for every migration (call with the world lock held)."""
    now = world.now()
    for host in world.hosts:  # Msvm_MigrationJob disappears 5 minutes after completion
        host.hyperv.migrations = [
            m for m in host.hyperv.migrations if m.finished is None or now - m.finished < JOB_LIFETIME
        ]
    live = [m for m in all_migrations(world) if m.phase not in FINISHED]
    if not live:
        return
    t = min(m.phase_started if m.phase == "Queued" else _last(m) for m in live)
    while t < now and live:
        dt = min(STEP, now - t)
        _step(world, live, t, dt)
        t += dt
        _start_queued(world, t)
        live = [m for m in live if m.phase not in FINISHED]
    for m in live:
        m.updated = now


def _last(m: Migration) -> float:
    return m.updated


def _start_queued(world: World, t: float) -> None:
    for m in sorted((m for m in all_migrations(world) if m.phase == "Queued"), key=lambda m: m.submitted):
        source, destination = world.host(m.source), world.host(m.destination)
        if source is None or destination is None:
            continue
        if (
            busy(world, source) < source.hyperv.max_migrations
            and busy(world, destination) < destination.hyperv.max_migrations
        ):
            m.started = t
            _enter(m, "Save" if m.kind == "Quick" else "Setup", t)
            m.updated = t


def _enter(m: Migration, phase: str, t: float) -> None:
    m.phase, m.phase_started = phase, t


def _step(world: World, live: list[Migration], t: float, dt: float) -> None:
    from hvconsole.lab.world import migration_steps

    sharing: dict[str, int] = {}
    for m in live:
        if m.phase == "Transfer":
            sharing[m.source] = sharing.get(m.source, 0) + 1
    for m in live:
        if m.phase == "Queued" or _last(m) > t:
            continue
        migration_steps.step(world, m, t, dt, sharing.get(m.source, 1))
        m.updated = t + dt


def _finish(world: World, m: Migration, phase: str, t: float, code: int = 0, error: str = "") -> None:
    from hvconsole.lab.world.vms import find_vm

    m.phase, m.finished, m.rate, m.wire_rate = phase, t, 0.0, 0.0
    m.error_code, m.error = code, error
    found = find_vm(world, m.vm_id)
    if found is None:
        return
    _host, vm = found
    vm.migrating = False
    vm.migration_state = CLUSTER_STATE[phase]
    vm.migration_failure = error if phase == "Failed" else ""
    if phase == "Done":
        vm.migration_progress = 100
    source = world.host(m.source)
    if phase == "Canceled" and source is not None:
        log_event(
            source,
            world,
            21111,
            "Warning",  # inferred id/text for a cancelled migration
            f"Migration of '{m.vm_name}' was cancelled. (Virtual machine ID {m.vm_id})",
        )
