"""The transport against the real lab over HTTPS/PSRP (skips, with the reason, while the lab cannot start)."""

from __future__ import annotations

import threading
import time
import traceback

import pytest

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.errors import AuthenticationFailed, PipelineCancelled, RemoteError, RemotingError
from hvconsole.remoting.journal import Journal, Outcome
from hvconsole.remoting.manager import SessionManager
from hvconsole.remoting.result import type_name
from hvconsole.remoting.session import HostSession
from hvconsole.remoting.state import ConnectionEvent, ConnectionState
from tests.remoting.conftest import LabProcess

HOSTILE = "x'; Remove-Item C:\\ -Recurse #"
GET_ADAPTERS = Pipeline.of(Command("Get-NetAdapter"))


def _has_cmdlet(session: HostSession, name: str) -> bool:
    result = session.invoke(Pipeline.of(Command("Get-Command", Name=name)), raise_on_failure=False)
    return bool(result.objects) and not result.errors


def test_get_netadapter_on_a_kept_pool(lab: LabProcess, tmp_path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    session = HostSession(lab.settings(), journal=journal)
    try:
        first = session.invoke(GET_ADAPTERS)
        again = session.invoke(GET_ADAPTERS)
    finally:
        session.close()
    assert first.ok and first.objects, first.errors
    assert "MSFT_NetAdapter" in (type_name(first.objects[0]) or "")
    assert "Name" in first.dicts()[0]
    assert [a["Name"] for a in again.dicts()] == [a["Name"] for a in first.dicts()]
    assert [e.outcome for e in journal.entries()] == [Outcome.OK, Outcome.OK]


def test_hostile_value_arrives_as_the_exact_literal(lab: LabProcess) -> None:
    session = HostSession(lab.settings())
    try:
        result = session.invoke(Pipeline.of(Command("Get-NetAdapter", Name=HOSTILE)), raise_on_failure=False)
    finally:
        session.close()
    assert not result.objects
    assert result.errors, "Get-NetAdapter -Name <unknown> must write a not-found error"
    error = result.errors[0]
    assert error.category == "ObjectNotFound"
    assert HOSTILE in error.message
    assert error.fqid.endswith(",Get-NetAdapter")


def test_wrong_password_is_typed_and_not_leaked(lab: LabProcess) -> None:
    session = HostSession(lab.settings(password=lambda: "Wr0ng-Pa55"))
    with pytest.raises(AuthenticationFailed) as info:
        session.invoke(GET_ADAPTERS)
    session.close()
    assert "Wr0ng-Pa55" not in "".join(traceback.format_exception(info.value))
    assert session.state is ConnectionState.DISCONNECTED or session.state is ConnectionState.AUTH_FAILED


def test_cancel_a_long_pipeline(lab: LabProcess) -> None:
    session = HostSession(lab.settings())
    try:
        if not _has_cmdlet(session, "Start-Sleep"):
            pytest.skip("the lab has no Start-Sleep yet (cancel is covered by test_session with a fake)")
        handle = session.run(Pipeline.of(Command("Start-Sleep", Seconds=30)))
        time.sleep(1.0)
        started = time.monotonic()
        handle.cancel()
        with pytest.raises(PipelineCancelled):
            handle.result(10)
        assert time.monotonic() - started < 3
        assert session.invoke(GET_ADAPTERS).ok  # the pool survives a stop
    finally:
        session.close()


def test_reconnect_after_the_endpoint_restarts(restartable_lab: LabProcess) -> None:
    events: list[ConnectionEvent] = []
    session = HostSession(
        restartable_lab.settings(reconnect_base_delay=0.5, reconnect_attempts=8), on_state=events.append
    )
    try:
        assert session.invoke(GET_ADAPTERS).ok
        restartable_lab.stop()
        threading.Timer(1.0, restartable_lab.start).start()
        time.sleep(0.2)
        try:
            result = session.invoke(GET_ADAPTERS)
        except RemotingError:
            result = session.invoke(GET_ADAPTERS)  # a drop mid-pipeline is reported once, then it recovers
        assert result.ok and result.objects
    finally:
        session.close()
    states = [e.state for e in events]
    assert ConnectionState.RECONNECTING in states
    assert states[-2:] == [ConnectionState.CONNECTED, ConnectionState.DISCONNECTED]


def test_fan_out_to_every_lab_host(lab: LabProcess) -> None:
    manager = SessionManager()
    for settings in lab.all_settings():
        manager.add(settings)
    try:
        outcomes = list(manager.fan_out(Pipeline.of(Command("Get-NetAdapter")), max_parallel=16))
    finally:
        manager.close_all()
    assert sorted(o.host for o in outcomes) == sorted(h["name"] for h in lab.hosts)
    for outcome in outcomes:
        assert outcome.ok, (outcome.host, outcome.error, outcome.result and outcome.result.errors)


def test_failed_pipeline_raises_remote_error(lab: LabProcess) -> None:
    session = HostSession(lab.settings())
    try:
        with pytest.raises(RemoteError) as info:
            session.invoke(Pipeline.of(Command("Get-NoSuchThing")))
    finally:
        session.close()
    assert info.value.result.had_errors
    assert "CommandNotFoundException" in info.value.fqid
