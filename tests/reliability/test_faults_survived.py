"""Every fault the lab injects, against the real client: the affected host reports it, recovers by itself when
the fault clears, other hosts are unaffected, and a change whose answer was lost is re-read, never repeated."""

from __future__ import annotations

import threading
import time

import pytest

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.errors import (
    AuthenticationFailed,
    ConnectionLost,
    OperationTimedOut,
    RemoteError,
    RemotingError,
    Unreachable,
)
from hvconsole.remoting.state import ConnectionEvent, ConnectionState
from hvconsole.stages.apply import Applier, StepOutcome
from hvconsole.stages.operations import OperationLog
from tests.reliability.conftest import FaultyLab, eventually, firewall_plan

SERVICE = Pipeline.of(Command("Get-Service", Name="WinRM"))


def ok(lab: FaultyLab, host: str, timeout: float = 20) -> bool:
    try:
        return bool(lab.workspace.sessions[host].invoke(SERVICE, timeout=timeout).objects)
    except RemotingError:
        return False


def test_down_refuses_then_recovers_and_others_do_not_notice(lab: FaultyLab) -> None:
    victim, other = lab.hosts[0], lab.hosts[1]
    states: list[ConnectionEvent] = []
    lab.workspace.sessions.subscribe(states.append)
    assert ok(lab, victim)
    lab.control.apply(f"{victim}:down")
    with pytest.raises((Unreachable, ConnectionLost)):
        lab.workspace.sessions[victim].invoke(SERVICE, timeout=10)
    assert ok(lab, other)  # unaffected
    assert any(e.host == victim and e.state is ConnectionState.UNREACHABLE for e in states)
    lab.control.clear(victim)
    assert eventually(lambda: ok(lab, victim))
    assert states[-1].host == victim or any(
        e.host == victim and e.state is ConnectionState.CONNECTED for e in states[-5:]
    )
    lab.workspace.sessions.unsubscribe(states.append)


def test_black_hole_times_out_within_bounds_then_recovers(lab: FaultyLab) -> None:
    victim, other = lab.hosts[0], lab.hosts[2]
    assert ok(lab, victim)
    lab.control.apply(f"{victim}:blackhole")
    started = time.monotonic()
    with pytest.raises((OperationTimedOut, ConnectionLost, Unreachable)):
        lab.workspace.sessions[victim].invoke(SERVICE, timeout=10)
    assert time.monotonic() - started < 30  # bounded: read timeout × attempts, never forever
    assert ok(lab, other)
    lab.control.clear(victim)
    assert eventually(lambda: ok(lab, victim))


def test_latency_slows_but_works(lab: FaultyLab) -> None:
    host = lab.hosts[1]
    lab.control.apply(f"{host}:latency=150ms")
    started = time.monotonic()
    assert ok(lab, host)
    assert time.monotonic() - started >= 0.15
    assert lab.control.faults()[host]["injected"]["latency"] >= 1


def test_failing_cmdlet_has_the_given_error_id(lab: FaultyLab) -> None:
    host = lab.hosts[0]
    lab.control.apply(f"{host}:fail=Get-Disk:HardwareFailure")
    with pytest.raises(RemoteError) as raised:
        lab.workspace.sessions[host].invoke(Pipeline.of(Command("Get-Disk")), timeout=10)
    assert raised.value.fqid == "HardwareFailure,Get-Disk"
    assert ok(lab, host)  # other cmdlets still run
    lab.control.clear(host)
    assert lab.workspace.sessions[host].invoke(Pipeline.of(Command("Get-Disk")), timeout=10).objects


def test_hanging_pipeline_is_stopped_at_its_time_limit_and_the_host_stays_usable(lab: FaultyLab) -> None:
    host = lab.hosts[0]
    lab.control.apply(f"{host}:hang=Get-Disk")
    session = lab.workspace.sessions[host]
    hung = session.run(Pipeline.of(Command("Get-Disk")), timeout=2)
    assert ok(lab, host)  # another pipeline runs meanwhile (its own runspace)
    with pytest.raises(OperationTimedOut):
        hung.result(timeout=15)
    lab.control.clear(host)
    assert session.invoke(Pipeline.of(Command("Get-Disk")), timeout=10).objects


def test_expired_credentials_show_as_auth_failed_and_recover_when_renewed(lab: FaultyLab) -> None:
    host = lab.hosts[2]
    session = lab.workspace.sessions[host]
    assert ok(lab, host)
    lab.control.apply(f"{host}:expired-credentials")
    with pytest.raises((AuthenticationFailed, ConnectionLost)):
        session.invoke(SERVICE, timeout=10)
    assert eventually(lambda: not ok(lab, host) and session.state is ConnectionState.AUTH_FAILED, 15)
    lab.control.clear(host)
    assert eventually(lambda: ok(lab, host))


@pytest.mark.parametrize("fault", ["drop", "http500"])
def test_a_change_whose_answer_is_lost_is_re_read_not_repeated(lab: FaultyLab, fault: str) -> None:
    host = lab.hosts[1]
    name = f"hvc-lost-{fault}"
    lab.control.forget_received(host)
    lab.control.apply(f"{host}:{fault}=1@New-NetFirewallRule")
    log = OperationLog(lab.root / f"ops-{fault}.jsonl")
    report = Applier(lab.workspace.sessions, firewall_plan(host, [name]), log=log).run()
    assert report.outcomes[0] is StepOutcome.APPLIED, report.details
    assert "re-reading" in report.details[0]
    assert len(lab.received(host, "New-NetFirewallRule")) == 1  # never sent twice
    assert lab.control.faults()[host]["injected"][fault] >= 1


def test_reboot_at_an_awkward_moment(lab: FaultyLab) -> None:
    """The host crashes while running the change (after it happened, before the answer left)."""
    host = lab.hosts[2]
    lab.control.forget_received(host)
    assert ok(lab, host)
    lab.control.apply(f"{host}:reboot-after=2")  # the verification read, then the change itself
    report = Applier(lab.workspace.sessions, firewall_plan(host, ["hvc-crash"])).run()
    assert report.outcomes[0] is StepOutcome.APPLIED, report.details
    assert len(lab.received(host, "New-NetFirewallRule")) == 1
    assert lab.control.faults()[host]["injected"]["reboot"] == 1
    assert eventually(lambda: ok(lab, host))


def test_a_lossy_link_loses_nothing(lab: FaultyLab) -> None:
    """drop=0.3 on every reply: reads repeat until they answer; changes are re-read, never repeated."""
    host = lab.hosts[0]
    lab.control.forget_received(host)
    lab.control.apply(f"{host}:drop=0.3")
    names = [f"hvc-lossy-{i}" for i in range(4)]
    report = None
    for _attempt in range(6):  # an admin re-applies until done: the re-plan skips what holds
        report = Applier(lab.workspace.sessions, firewall_plan(host, names)).run()
        if report.succeeded:
            break
    lab.control.clear(host)
    assert report is not None and report.succeeded, report.details
    for name in names:
        sent = [c for c in lab.received(host, "New-NetFirewallRule") if ["Name", name] in c["parameters"]]
        assert len(sent) <= 1, f"{name} was created {len(sent)} times"


def test_faults_on_one_host_do_not_slow_the_others(lab: FaultyLab) -> None:
    victim = lab.hosts[0]
    lab.control.apply(f"{victim}:blackhole")
    errors: list[BaseException] = []  # what the victim's caller saw (either is fine)

    def hammer() -> None:
        try:
            lab.workspace.sessions[victim].invoke(SERVICE, timeout=5)
        except RemotingError as error:
            errors.append(error)

    thread = threading.Thread(target=hammer)
    thread.start()
    started = time.monotonic()
    outcomes = list(lab.workspace.sessions.fan_out(SERVICE, lab.hosts[1:], timeout=10))
    assert all(o.ok for o in outcomes)
    assert time.monotonic() - started < 3
    lab.control.clear(victim)
    thread.join(30)
    assert not thread.is_alive()  # the victim's call ended too (an error, or an answer once the hole closed)
    assert eventually(lambda: ok(lab, victim))
