"""SessionManager: host name → HostSession, bounded parallel fan-out, connection-state events."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

from hvconsole.remoting.command import Pipeline
from hvconsole.remoting.errors import RemotingError
from hvconsole.remoting.journal import Journal
from hvconsole.remoting.result import PipelineResult
from hvconsole.remoting.session import HostSession
from hvconsole.remoting.settings import ConnectionSettings
from hvconsole.remoting.state import ConnectionEvent, ConnectionState, PipelineHandle, StateListener

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HostOutcome:
    """One host's answer in a fan-out: a result, or the error that replaced it."""

    host: str
    result: PipelineResult | None = None
    error: RemotingError | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


class SessionManager:
    """Owns one HostSession per host. Subscribers get every ConnectionEvent (on a session's owner thread:
    a UI posts it as a message, it does not touch widgets there)."""

    def __init__(self, journal: Journal | None = None, *, read_only: bool = False) -> None:
        self._journal = journal
        self.read_only = read_only  # every session refuses pipelines that could change a host
        self._sessions: dict[str, HostSession] = {}
        self._listeners: list[StateListener] = []
        self._states: dict[str, ConnectionState] = {}
        self._lock = threading.Lock()

    def subscribe(self, listener: StateListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: StateListener) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def _publish(self, event: ConnectionEvent) -> None:
        with self._lock:
            self._states[event.host] = event.state
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("connection-state subscriber failed")

    def add(self, settings: ConnectionSettings) -> HostSession:
        """Register a host (replacing and closing an earlier session of the same name)."""
        session = HostSession(
            settings, journal=self._journal, on_state=self._publish, read_only=self.read_only
        )
        with self._lock:
            old = self._sessions.pop(settings.host, None)
            self._sessions[settings.host] = session
            self._states[settings.host] = ConnectionState.DISCONNECTED
        if old is not None:
            old.close()
        return session

    def remove(self, host: str) -> None:
        """Forget a host: its session is closed (what runs on it is stopped)."""
        with self._lock:
            session = self._sessions.pop(host, None)
            self._states.pop(host, None)
        if session is not None:
            session.close()

    def __getitem__(self, host: str) -> HostSession:
        return self._sessions[host]

    def __contains__(self, host: object) -> bool:
        return host in self._sessions

    @property
    def hosts(self) -> list[str]:
        return list(self._sessions)

    def state(self, host: str) -> ConnectionState:
        return self._states.get(host, ConnectionState.DISCONNECTED)

    def fan_out(
        self,
        pipelines: Pipeline | Mapping[str, Pipeline],
        hosts: list[str] | None = None,
        *,
        max_parallel: int = 16,
        timeout: float | None = None,
        raise_on_failure: bool = True,
    ) -> Iterator[HostOutcome]:
        """Run one pipeline on many hosts (``hosts``, default all) or a pipeline per host, at most
        ``max_parallel`` at once, yielding each host's outcome as it completes. Closing the iterator early
        cancels what has not finished."""
        if isinstance(pipelines, Pipeline):
            plan = {h: pipelines for h in (hosts if hosts is not None else self.hosts)}
        else:
            plan = dict(pipelines)
        pending = list(plan.items())
        running: dict[Future[PipelineResult], PipelineHandle] = {}
        try:
            while pending or running:
                while pending and len(running) < max_parallel:
                    host, pipeline = pending.pop(0)
                    handle = self._sessions[host].run(
                        pipeline, timeout=timeout, raise_on_failure=raise_on_failure
                    )
                    running[handle.future] = handle
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    yield _outcome(running.pop(future))
        finally:
            for handle in running.values():
                handle.cancel()

    def gather(
        self,
        pipelines: Pipeline | Mapping[str, Pipeline],
        hosts: list[str] | None = None,
        **options: Any,
    ) -> list[HostOutcome]:
        """``fan_out`` (hosts in parallel), but wait for all of them and return the outcomes in the order of
        ``hosts``, so what a screen shows does not depend on which host answered first."""
        outcomes = {o.host: o for o in self.fan_out(pipelines, hosts, **options)}
        order = hosts if hosts is not None else (list(pipelines) if isinstance(pipelines, Mapping) else self.hosts)
        return [outcomes[h] for h in order if h in outcomes]

    def close_all(self, timeout: float = 10.0) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        threads = [threading.Thread(target=s.close, args=(timeout,)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout + 1)


def _outcome(handle: PipelineHandle) -> HostOutcome:
    try:
        return HostOutcome(handle.host, result=handle.result())
    except RemotingError as exc:
        return HostOutcome(handle.host, error=exc)
    except Exception as exc:  # CancelledError or a bug in a listener: still one outcome per host
        return HostOutcome(handle.host, error=RemotingError(f"{type(exc).__name__}: {exc}", handle.host))
