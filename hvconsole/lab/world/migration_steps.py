"""One simulation step of one migration (the phases of ``world/migration.py``) and how it ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hvconsole.lab.world import migration as model
from hvconsole.lab.world.migration_checks import destination_problem
from hvconsole.lab.world.vms import Migration, find_vm, log_event

if TYPE_CHECKING:
    from hvconsole.lab.world.model import Host, World

DEST_LOST = (  # inferred wording; 0x80072746 = WSAECONNRESET
    "Failed to receive data for a Virtual Machine migration: An existing connection was forcibly closed by "
    "the remote host. (0x80072746)."
)


def step(world: World, m: Migration, t: float, dt: float, sharing: int) -> None:
    source, destination = world.host(m.source), world.host(m.destination)
    found = find_vm(world, m.vm_id)
    if source is None or destination is None or found is None:
        model._finish(world, m, "Failed", t, 32768, "The virtual machine no longer exists.")  # inferred
        return
    _host, vm = found
    if m.phase in ("Setup", "Transfer", "Blackout") and destination.power != "Running":
        fail(world, m, t + dt, 21502, DEST_LOST, on_destination=True)
        return
    end = t + dt
    if m.phase == "Setup":
        m.percent = max(m.percent, 1)
        if end - m.phase_started >= model.SETUP_SECONDS:
            problem = destination_problem(world, source, destination, vm, m.kind)
            if problem is not None:
                fail(world, m, end, problem[0], problem[1])
                return
            if vm.state != "Running":  # an Off/Saved VM only moves its configuration (inferred)
                model._enter(m, "Move", end)
                return
            model._enter(m, "Transfer", end)
            _new_pass(m, m.memory, end)
    elif m.phase == "Transfer":
        _transfer(m, source, model.link_bps(world, source, destination), end, dt, sharing)
    elif m.phase == "Blackout":
        vm.migration_state = 3
        if end - m.phase_started >= m.blackout:
            model._enter(m, "Move", end)
    elif m.phase == "Move":
        wait = model.QUICK_MOVE_SECONDS if m.kind == "Quick" else model.MOVE_SECONDS
        if end - m.phase_started >= wait:
            _move_vm(world, m, source, destination, end)
    elif m.phase == "Save":
        _save(world, m, end)
    elif m.phase == "Restore" and end - m.phase_started >= m.memory / model.SAVE_RATE:
        vm.state, vm.started_at = "Running", end  # a restored VM's Uptime starts again (inferred)
        _done(world, m, end)
    if m.phase not in model.FINISHED:
        vm.migration_state = model.CLUSTER_STATE[m.phase]
        vm.migration_progress = m.percent


def _new_pass(m: Migration, size: int, t: float) -> None:
    m.pass_number += 1
    m.pass_size, m.pass_sent, m.pass_started, m.dirty_pages = size, 0, t, 0


def _transfer(m: Migration, source: Host, link: int, end: float, dt: float, sharing: int) -> None:
    rate = model.usable_rate(link, m.option, source.processors) / max(1, sharing)
    ratio = model.compression_of(m.option, source.processors)
    m.rate, m.wire_rate = rate, rate / ratio
    chunk = min(int(rate * dt), m.pass_size - m.pass_sent)
    m.pass_sent += chunk
    m.sent += chunk
    m.wire_bytes += int(chunk / ratio)
    elapsed = end - m.pass_started
    dirtied = min(int(m.dirty_rate * elapsed), m.memory)
    m.dirty_pages = dirtied // model.PAGE
    first = 2 + 88 * m.pass_sent / max(1, m.memory) if m.pass_number == 1 else 90 + min(8, m.pass_number)
    m.percent = max(m.percent, min(98, int(first)))
    if m.pass_sent < m.pass_size:
        return
    shrinking = dirtied < m.pass_size
    if dirtied <= rate * model.BLACKOUT_TARGET or not shrinking or m.pass_number >= model.MAX_PASSES:
        m.blackout = dirtied / (rate or 1.0) + model.SWITCHOVER_SECONDS
        m.sent += dirtied
        m.wire_bytes += int(dirtied / ratio)
        m.percent = 99
        m.rate = m.wire_rate = 0.0
        model._enter(m, "Blackout", end)
        return
    _new_pass(m, dirtied, end)


def _save(world: World, m: Migration, end: float) -> None:
    found = find_vm(world, m.vm_id)
    assert found is not None
    _host, vm = found
    if vm.state == "Running":
        vm.state = "Saving"
    if vm.state == "Saving" and end - m.phase_started >= m.memory / model.SAVE_RATE:
        vm.state, vm.started_at = "Saved", None
        m.percent = 50
        model._enter(m, "Move", end)
    elif vm.state not in ("Saving",):
        model._enter(m, "Move", end)  # an Off VM just moves


def _move_vm(world: World, m: Migration, source: Host, destination: Host, end: float) -> None:
    found = find_vm(world, m.vm_id)
    assert found is not None
    _host, vm = found
    if vm in source.hyperv.vms:
        source.hyperv.vms.remove(vm)
        destination.hyperv.vms.append(vm)
    # the VM's host IS its role's owner node (world/vms.py): moving the VM moved the group
    if m.kind == "Quick" and vm.state == "Saved":
        vm.state = "Starting"  # inferred: restoring
        model._enter(m, "Restore", end)
        return
    _done(world, m, end)


def _done(world: World, m: Migration, end: float) -> None:
    source = world.host(m.source)
    m.percent = 100
    model._finish(world, m, "Done", end)
    if source is None:
        return
    if m.kind == "Live" and m.pass_number:
        long = m.blackout > model.LONG_BLACKOUT
        # inferred wording; ids from anchors.md (20415 completed, 20417 unexpectedly long blackout)
        log_event(
            source,
            world,
            20417 if long else 20415,
            "Warning" if long else "Information",
            f"Live migration of '{m.vm_name}' completed {'with an unexpectedly long' if long else 'with a'}"
            f" blackout time of {m.blackout:.3f} seconds. (Virtual machine ID {m.vm_id})",
        )


def fail(world: World, m: Migration, t: float, code: int, reason: str, on_destination: bool = False) -> None:
    """The move fails; the VM stays on the source, running. The cause goes to the destination's VMMS log
    (event 20413, pain point 8) and the source logs 21502 (reference §9.9 message shape)."""
    source, destination = world.host(m.source), world.host(m.destination)
    where = destination.name if destination else m.destination
    header = f"Live migration of '{m.vm_name}' failed at migration source '{source.name if source else ''}'."
    message = f"{header} (Virtual machine ID {m.vm_id})\n{reason}"
    model._finish(world, m, "Failed", t, code, message)
    if source is not None:
        log_event(source, world, 21502, "Error", message)
    if destination is not None:
        log_event(
            destination,
            world,
            20413,
            "Error",  # inferred wording
            f"The Virtual Machine Management Service failed the live migration of '{m.vm_name}' on "
            f"'{where}': {reason} (Virtual machine ID {m.vm_id})",
        )
    found = find_vm(world, m.vm_id)
    if found is not None and found[1].state == "Saving":
        found[1].state = "Running"
