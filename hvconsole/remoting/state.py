"""Connection states a host session reports, and the handle a caller holds for one running pipeline."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum

from hvconsole.remoting.command import Pipeline
from hvconsole.remoting.result import PipelineResult, ProgressInfo


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    AUTH_FAILED = "auth_failed"  # credentials or certificate refused: no automatic retry
    UNREACHABLE = "unreachable"
    REBOOTING = "rebooting"  # the host was asked to restart (or dropped during a restart command)
    RECONNECTING = "reconnecting"  # reopening with backoff after a drop
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class ConnectionEvent:
    host: str
    state: ConnectionState
    detail: str = ""


StateListener = Callable[[ConnectionEvent], None]
ProgressListener = Callable[[ProgressInfo], None]


class PipelineHandle:
    """A submitted pipeline. ``result()`` waits; ``cancel()`` stops it (``ps.stop()`` on the owner thread)
    or, if it has not started, withdraws it. A stopped pipeline's result raises PipelineCancelled."""

    def __init__(self, pipeline: Pipeline, host: str) -> None:
        self.pipeline = pipeline
        self.host = host
        self.future: Future[PipelineResult] = Future()
        self._cancel = threading.Event()

    def cancel(self) -> bool:
        """False only when the pipeline had already finished."""
        if self.future.cancel():
            return True
        if self.future.done():
            return False
        self._cancel.set()
        return True

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def wait_cancel(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True as soon as a cancel is requested."""
        return self._cancel.wait(seconds)

    def result(self, timeout: float | None = None) -> PipelineResult:
        return self.future.result(timeout)

    def done(self) -> bool:
        return self.future.done()

    def add_done_callback(self, callback: Callable[[Future[PipelineResult]], object]) -> None:
        self.future.add_done_callback(callback)
