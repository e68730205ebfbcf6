"""HostSession and SessionManager logic against a fake pypsrp (the lab tests cover the real wire)."""

from __future__ import annotations

import time
import traceback
from pathlib import Path

import pytest

from hvconsole.remoting.command import Command, Pipeline, PSCredentialValue, Secret
from hvconsole.remoting.errors import (
    AuthenticationFailed,
    ConnectionLost,
    OperationTimedOut,
    PipelineCancelled,
    RemoteError,
    Unreachable,
)
from hvconsole.remoting.journal import Journal, Outcome
from hvconsole.remoting.manager import SessionManager
from hvconsole.remoting.session import HostSession
from hvconsole.remoting.settings import ConnectionSettings
from hvconsole.remoting.state import ConnectionEvent, ConnectionState
from tests.remoting.fakes import FakeHost, FakeRun, install

GET = Pipeline.of(Command("Get-Thing"))


def settings(host: str = "HV1", **overrides: object) -> ConnectionSettings:
    base: dict[str, object] = dict(
        address="127.0.0.1",
        port=5986,
        auth="basic",
        username="admin",
        password=lambda: "Sup3rSecret!",
        reconnect_base_delay=0.01,
        reconnect_max_delay=0.02,
        poll_interval=0.05,
    )
    base.update(overrides)
    return ConnectionSettings(host, **base)  # type: ignore[arg-type]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeHost:
    host = FakeHost()
    install(monkeypatch, host)
    return host


@pytest.fixture
def session(fake: FakeHost, tmp_path: Path) -> HostSession:
    events: list[ConnectionEvent] = []
    s = HostSession(settings(), journal=Journal(tmp_path / "j.jsonl"), on_state=events.append)
    s.events = events  # type: ignore[attr-defined]
    yield s
    s.close()


def test_pool_is_kept_and_every_pipeline_closed(session: HostSession, fake: FakeHost) -> None:
    for _ in range(5):
        assert session.invoke(GET).objects == ["thing"]
    assert fake.opened == 1 and fake.closed_pipelines == 5
    assert [e.state for e in session.events] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]  # type: ignore[attr-defined]


def test_parameters_go_typed(session: HostSession, fake: FakeHost) -> None:
    cmd = Command("Get-Thing", Name="x'; Remove-Item C:\\ #", Big=2**40, Force=True).switch("Confirm")
    assert session.invoke(Pipeline.of(cmd)).objects == ["x'; Remove-Item C:\\ #"]
    sent = fake.parameters[-1]
    assert sent["Name"] == "x'; Remove-Item C:\\ #" and sent["Confirm"] is True and sent["Force"] is True
    assert sent["Big"].tag == "I64"


def test_secrets_exchange_keys_first(session: HostSession, fake: FakeHost) -> None:
    cmd = Command("Get-Thing", Credential=PSCredentialValue("u", Secret("pw")), Value=Secret("s"))
    session.invoke(Pipeline.of(cmd))
    assert fake.keys_exchanged == 1
    assert fake.parameters[-1]["Value"].tag == "SS"


def test_failed_pipeline_raises_unless_asked(session: HostSession, fake: FakeHost, tmp_path: Path) -> None:
    fake.cmdlets["Stop-It"] = lambda p: FakeRun(output=[1], fail="Boom,Stop-It")
    with pytest.raises(RemoteError) as info:
        session.invoke(Pipeline.of(Command("Stop-It")))
    assert info.value.fqid == "Boom,Stop-It" and info.value.category == "InvalidOperation"
    assert info.value.result.objects == [1] and info.value.result.had_errors
    result = session.invoke(Pipeline.of(Command("Stop-It")), raise_on_failure=False)
    assert result.had_errors and not result.ok
    fake.cmdlets["Get-Some"] = lambda p: FakeRun(output=[2], errors=["NotFound,Get-Some"])
    result = session.invoke(Pipeline.of(Command("Get-Some")))
    assert not result.had_errors and result.errors[0].fqid == "NotFound,Get-Some" and result.objects == [2]
    session.invoke(GET)
    outcomes = [(e.outcome, e.error_fqid) for e in Journal(tmp_path / "j.jsonl").entries()]
    assert outcomes == [
        (Outcome.FAILED, "Boom,Stop-It"),
        (Outcome.FAILED, "Boom,Stop-It"),
        (Outcome.ERROR, "NotFound,Get-Some"),
        (Outcome.OK, None),
    ]


def test_cancel_stops_a_running_pipeline_from_the_owner_thread(session: HostSession, fake: FakeHost) -> None:
    fake.cmdlets["Start-Sleep"] = lambda p: FakeRun(polls=10_000)
    seen: list[str] = []
    handle = session.run(
        Pipeline.of(Command("Start-Sleep", Seconds=30)), on_progress=lambda p: seen.append(p.activity)
    )
    while not seen:
        time.sleep(0.01)
    started = time.monotonic()
    assert handle.cancel()
    with pytest.raises(PipelineCancelled):
        handle.result(5)
    assert time.monotonic() - started < 1
    assert fake.stopped == ["Start-Sleep"] and fake.closed_pipelines == 1
    assert session.invoke(GET).objects == ["thing"]  # the pool is still good
    assert not handle.cancel()  # already finished


def test_cancel_before_start_withdraws(session: HostSession, fake: FakeHost) -> None:
    fake.cmdlets["Start-Sleep"] = lambda p: FakeRun(polls=10_000)
    blockers = [session.run(Pipeline.of(Command("Start-Sleep"))) for _ in range(4)]  # max_concurrent = 4
    queued = session.run(GET)
    while fake.begun < 4:
        time.sleep(0.01)
    assert queued.cancel()
    for b in blockers:
        b.cancel()
        with pytest.raises(PipelineCancelled):
            b.result(5)
    assert queued.future.cancelled()
    assert fake.begun == 4  # the withdrawn one never reached the host


def test_time_limit_stops_the_pipeline(session: HostSession, fake: FakeHost) -> None:
    fake.cmdlets["Start-Sleep"] = lambda p: FakeRun(polls=10_000)
    with pytest.raises(OperationTimedOut):
        session.invoke(Pipeline.of(Command("Start-Sleep")), timeout=0.2)
    assert fake.stopped == ["Start-Sleep"]


def test_short_pipeline_runs_beside_a_long_one(session: HostSession, fake: FakeHost) -> None:
    fake.cmdlets["Start-Sleep"] = lambda p: FakeRun(polls=10_000)
    long = session.run(Pipeline.of(Command("Start-Sleep")))
    assert session.invoke(GET, timeout=5).objects == ["thing"]
    long.cancel()


def test_drop_then_reconnect_with_backoff(session: HostSession, fake: FakeHost) -> None:
    session.invoke(GET)
    fake.cmdlets["Get-Drop"] = lambda p: FakeRun(drop=True)
    with pytest.raises(ConnectionLost):
        session.invoke(Pipeline.of(Command("Get-Drop")))
    fake.open_failures = [Unreachable("refused", "HV1"), Unreachable("refused", "HV1")]
    assert session.invoke(GET).objects == ["thing"]
    states = [e.state for e in session.events]  # type: ignore[attr-defined]
    assert states[2:] == [ConnectionState.RECONNECTING] * 4 + [ConnectionState.CONNECTED]
    assert fake.opened == 2


def test_begin_failure_on_a_dead_pool_is_retried_once_on_a_new_pool(
    session: HostSession, fake: FakeHost
) -> None:
    session.invoke(GET)
    fake.generation += 1  # the endpoint restarted: the old shell is gone
    fake.open_failures = [Unreachable("refused", "HV1")]  # and it is still coming up
    assert session.invoke(GET).objects == ["thing"]
    assert fake.opened == 2 and fake.begun == 2


def test_idle_pool_is_checked_before_reuse(fake: FakeHost) -> None:
    s = HostSession(settings(idle_check_after=0.0))
    s.invoke(GET)
    assert fake.alive_checks == 0  # a new pool is not checked
    fake.generation += 1  # the host dropped the shell while we were idle
    assert s.invoke(GET).objects == ["thing"]
    s.close()
    assert (
        fake.alive_checks == 1 and fake.opened == 2 and fake.begun == 2
    )  # no failed attempt on the dead pool


def test_restart_computer_reports_rebooting(session: HostSession, fake: FakeHost) -> None:
    fake.cmdlets["Restart-Computer"] = lambda p: FakeRun()
    session.invoke(Pipeline.of(Command("Restart-Computer").switch("Force")))
    assert session.state is ConnectionState.REBOOTING
    session.invoke(GET)
    assert session.state is ConnectionState.CONNECTED and fake.opened == 2


def test_auth_failure_is_typed_and_secret_free(fake: FakeHost, tmp_path: Path) -> None:
    fake.open_failures = [
        AuthenticationFailed("127.0.0.1:5986 refused the credentials of admin (basic)", "HV1")
    ]
    events: list[ConnectionEvent] = []
    s = HostSession(settings(), on_state=events.append, journal=Journal(tmp_path / "j.jsonl"))
    with pytest.raises(AuthenticationFailed) as info:
        s.invoke(GET)
    s.close()
    assert events[-2].state is ConnectionState.AUTH_FAILED
    text = (
        "".join(traceback.format_exception(info.value))
        + repr(s)
        + repr(s.settings)
        + str(s.settings.to_dict())
    )
    text += (tmp_path / "j.jsonl").read_text()
    assert "Sup3rSecret!" not in text
    assert [e.outcome for e in Journal(tmp_path / "j.jsonl").entries()] == [Outcome.CONNECTION]


def test_closed_session_refuses_work(fake: FakeHost) -> None:
    s = HostSession(settings())
    s.invoke(GET)
    s.close()
    assert s.state is ConnectionState.DISCONNECTED
    with pytest.raises(RuntimeError):
        s.run(GET)


def test_fan_out_bounded_and_as_completed(fake: FakeHost) -> None:
    manager = SessionManager()
    events: list[ConnectionEvent] = []
    manager.subscribe(events.append)
    for n in range(6):
        manager.add(settings(f"HV{n}"))
    fake.cmdlets["Get-Slow"] = lambda p: FakeRun(polls=3, output=["slow"])
    plan = {h: GET for h in manager.hosts}
    plan["HV0"] = Pipeline.of(Command("Get-Slow"))
    outcomes = list(manager.fan_out(plan, max_parallel=2))
    assert sorted(o.host for o in outcomes) == [f"HV{n}" for n in range(6)]
    assert all(o.ok for o in outcomes)
    assert {o.host for o in manager.fan_out(GET)} == set(manager.hosts)
    assert manager.state("HV3") is ConnectionState.CONNECTED
    assert {e.host for e in events if e.state is ConnectionState.CONNECTED} == set(manager.hosts)
    manager.close_all()
    assert manager.hosts == []


def test_fan_out_reports_errors_per_host(fake: FakeHost) -> None:
    manager = SessionManager()
    manager.add(settings("HV1"))
    manager.add(settings("HV2"))
    fake.open_failures = [Unreachable("no route", "HV1")]
    outcomes = {o.host: o for o in manager.fan_out(GET, max_parallel=1)}
    assert isinstance(outcomes["HV1"].error, Unreachable) and outcomes["HV2"].ok
    manager.close_all()


def test_settings_validation_and_redaction() -> None:
    s = settings()
    assert "Sup3rSecret!" not in repr(s) and "password" not in s.to_dict()
    assert s.wsman_kwargs()["password"] == "Sup3rSecret!"
    with pytest.raises(ValueError, match="HTTPS"):
        settings(https=False)
    with pytest.raises(ValueError, match="operation_timeout"):
        settings(operation_timeout=40)
    with pytest.raises(ValueError, match="certificate"):
        settings(auth="certificate")
