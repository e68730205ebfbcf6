"""A stand-in for pypsrp's RunspacePool/PowerShell, driven by a script per cmdlet, for session unit tests.

Each fake cmdlet is a function (params) -> FakeRun describing how many polls it stays running, what it
outputs, and whether it fails or drops the connection."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import requests
from pypsrp.complex_objects import PSInvocationState
from pypsrp.messages import ErrorRecordMessage, ProgressRecord


@dataclass
class FakeRun:
    polls: int = 0  # how many polls before it completes (each poll "waits" as the timeout says)
    output: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # FQIDs of non-terminating errors
    fail: str | None = None  # FQID of a terminating error
    drop: bool = False  # the connection breaks during the run


class FakeHost:
    """Counts what the client did; ``cmdlets`` maps a name to a function of the parameters."""

    def __init__(self) -> None:
        self.cmdlets: dict[str, Any] = {"Get-Thing": lambda p: FakeRun(output=[p.get("Name", "thing")])}
        self.opened = 0
        self.open_failures: list[Exception] = []
        self.alive = True
        self.alive_checks = 0
        self.generation = 0  # bumped when the "endpoint restarts": older pools' shells are gone
        self.stopped: list[str] = []
        self.closed_pipelines = 0
        self.begun = 0
        self.keys_exchanged = 0
        self.poll_timeouts: list[float] = []
        self.lock = threading.Lock()
        self.parameters: list[dict[str, Any]] = []


class FakePool:
    def __init__(self, host: FakeHost) -> None:
        self.host = host
        self.connection = self
        self.closed = False
        self.generation = host.generation

    def close(self) -> None:
        self.closed = True

    def is_alive(self, timeout: int | None = None) -> bool:
        self.host.alive_checks += 1
        return self.host.alive and self.generation == self.host.generation

    def exchange_keys(self) -> None:
        self.host.keys_exchanged += 1


class FakePowerShell:
    def __init__(self, pool: FakePool) -> None:
        self.pool = pool
        self.host = pool.host
        self.state = PSInvocationState.NOT_STARTED
        self.output: list[Any] = []
        self.had_errors = False
        self.streams = type("S", (), {})()
        self.streams.error, self.streams.warning, self.streams.progress = [], [], []
        self.commands: list[tuple[str, dict[str, Any]]] = []
        self.run: FakeRun | None = None

    def add_cmdlet(self, name: str) -> FakePowerShell:
        self.commands.append((name, {}))
        return self

    def add_parameter(self, name: str, value: Any) -> FakePowerShell:
        self.commands[-1][1][name] = value
        return self

    def add_statement(self) -> FakePowerShell:
        return self

    def begin_invoke(self) -> None:
        if not self.host.alive or self.pool.generation != self.host.generation:
            raise requests.ConnectionError("refused")
        name, params = self.commands[0]
        self.host.parameters.append(params)
        self.run = self.host.cmdlets[name](params)
        self.host.begun += 1
        self.state = PSInvocationState.RUNNING

    def poll_invoke(self, timeout: float | None = None) -> None:
        assert self.run is not None
        self.host.poll_timeouts.append(timeout or 0)
        if self.run.drop:
            raise requests.ConnectionError("connection reset")
        if self.run.polls > 0:
            self.run.polls -= 1
            self.streams.progress.append(
                ProgressRecord(activity="Working", description="", percent_complete=50)
            )
            threading.Event().wait(min(timeout or 0, 0.01))
            return
        self.output.extend(self.run.output)
        for fqid in self.run.errors:
            self.streams.error.append(ErrorRecordMessage(fq_error=fqid, category=13))
        if self.run.fail:
            self.streams.error.append(ErrorRecordMessage(fq_error=self.run.fail, category=7))
            self.had_errors = True
            self.state = PSInvocationState.FAILED
        else:
            self.state = PSInvocationState.COMPLETED

    def stop(self) -> None:
        self.host.stopped.append(self.commands[0][0])
        self.state = PSInvocationState.STOPPED

    def close(self) -> None:
        assert self.state in (
            PSInvocationState.COMPLETED,
            PSInvocationState.FAILED,
            PSInvocationState.STOPPED,
        )
        self.host.closed_pipelines += 1


def install(monkeypatch: Any, host: FakeHost) -> None:
    """Route HostSession's pool and pipelines to ``host``."""
    from hvconsole.remoting import pool as pool_module
    from hvconsole.remoting import session as session_module

    def open_pool(self: Any) -> FakePool:
        if host.open_failures:
            raise host.open_failures.pop(0)
        host.opened += 1
        return FakePool(host)

    monkeypatch.setattr(pool_module.PoolKeeper, "_open", open_pool)
    monkeypatch.setattr(session_module, "PowerShell", FakePowerShell)
