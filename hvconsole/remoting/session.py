"""HostSession: one host, one RunspacePool, one owner thread.

Callers on any thread call ``run(pipeline)`` and get a PipelineHandle (a Future with ``cancel()``). The
owner thread starts pipelines with ``begin_invoke`` (up to ``max_concurrent`` at once, one runspace each)
and polls them in turn with ``poll_invoke(timeout=poll_interval / n)``, so it stays responsive to cancels,
time limits and new work while a long pipeline (a live migration) runs. Every pipeline is closed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from pypsrp.complex_objects import PSInvocationState
from pypsrp.powershell import PowerShell

from hvconsole.remoting.command import Pipeline
from hvconsole.remoting.errors import (
    ConnectionLost,
    OperationTimedOut,
    PipelineCancelled,
    ReadOnlyRefused,
    RemoteError,
    RemotingError,
)
from hvconsole.remoting.journal import Journal, JournalEntry, Outcome
from hvconsole.remoting.pool import PoolKeeper
from hvconsole.remoting.render import render
from hvconsole.remoting.result import PipelineResult, progress_info, result_of
from hvconsole.remoting.settings import ConnectionSettings
from hvconsole.remoting.state import ConnectionState, PipelineHandle, ProgressListener, StateListener
from hvconsole.remoting.wire import add_pipeline, only_reads, started_nowhere, translate

log = logging.getLogger(__name__)
RESTART_CMDLETS = ("Restart-Computer",)


@dataclass
class _Job:
    handle: PipelineHandle
    raise_on_failure: bool
    timeout: float | None
    on_progress: ProgressListener | None
    started: float = 0.0
    ps: PowerShell | None = None
    seen_progress: int = field(default=0)


class HostSession:
    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        journal: Journal | None = None,
        on_state: StateListener | None = None,
        clock: Callable[[], float] = time.monotonic,
        read_only: bool = False,
    ) -> None:
        self.settings = settings
        self.read_only = read_only  # only pipelines that merely read (Get-, Test-, Select- …) are sent
        self.host = settings.host
        self._journal = journal
        self._clock = clock
        self._keeper = PoolKeeper(settings, on_state, clock)
        self._inbox: queue.SimpleQueue[_Job | Future[None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=f"psrp-{self.host}", daemon=True)
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"HostSession({self.host!r}, {self.state.value})"

    @property
    def state(self) -> ConnectionState:
        return self._keeper.state

    def _post(self, item: _Job | Future[None] | None) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the session to {self.host} is closed")
            if not self._thread.is_alive():
                if self._thread.ident is not None:  # it ended by a bug: a new owner thread takes over
                    self._thread = threading.Thread(target=self._serve, name=f"psrp-{self.host}", daemon=True)
                self._thread.start()
            self._inbox.put(item)

    def run(
        self,
        pipeline: Pipeline,
        *,
        raise_on_failure: bool = True,
        timeout: float | None = None,
        on_progress: ProgressListener | None = None,
    ) -> PipelineHandle:
        """Queue a pipeline. A Failed pipeline raises RemoteError (with ``.result``) from ``result()``
        unless ``raise_on_failure=False``; ``timeout`` stops it after that many seconds of running
        (default ``settings.pipeline_timeout``: no pipeline waits forever);
        ``on_progress`` is called on the owner thread for each new progress record."""
        handle = PipelineHandle(pipeline, self.host)
        if self.read_only and not only_reads(pipeline):
            refused = ReadOnlyRefused(
                f"read-only mode: {pipeline.commands[0].name if pipeline.commands else 'this pipeline'} "
                "was not sent (it could change the host)",
                self.host,
            )
            handle.future.set_exception(refused)
            return handle
        limit = timeout if timeout is not None else self.settings.pipeline_timeout
        self._post(_Job(handle, raise_on_failure, limit, on_progress))
        return handle

    def invoke(
        self, pipeline: Pipeline, *, raise_on_failure: bool = True, timeout: float | None = None
    ) -> PipelineResult:
        """``run(...).result()``: blocks the calling thread (never call it on the UI thread)."""
        return self.run(pipeline, raise_on_failure=raise_on_failure, timeout=timeout).result()

    def connect(self) -> Future[None]:
        """Open (or check) the pool now, e.g. to show the connection state before any command."""
        future: Future[None] = Future()
        self._post(future)
        return future

    def close(self, timeout: float = 10.0) -> None:
        """Stop what runs, close the pool, end the owner thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            started = self._thread.is_alive()
            if started:
                self._inbox.put(None)
        if started:
            self._thread.join(timeout)

    # --- owner thread -------------------------------------------------------------------------------
    def _serve(self) -> None:
        waiting: deque[_Job] = deque()
        active: list[_Job] = []
        while True:
            try:
                if self._serve_once(waiting, active):
                    return
            except Exception as exc:  # a bug or an unexpected library error: fail what runs, keep serving
                log.exception("the session to %s hit an unexpected error", self.host)
                error = ConnectionLost(f"unexpected {type(exc).__name__} in the session", self.host)
                for job in [*active, *waiting]:
                    future = job.handle.future
                    if not future.done() and (future.running() or future.set_running_or_notify_cancel()):
                        future.set_exception(error)
                active.clear()
                waiting.clear()
                self._keeper.drop(ConnectionState.RECONNECTING, error.message)

    def _serve_once(self, waiting: deque[_Job], active: list[_Job]) -> bool:
        """One round of the owner loop; True when the session was closed."""
        try:
            item = self._inbox.get(block=not (active or waiting), timeout=None)
            while True:
                if item is None:
                    self._shutdown(waiting, active)
                    return True
                if isinstance(item, Future):
                    self._connect(item)
                else:
                    waiting.append(item)
                item = self._inbox.get_nowait()
        except queue.Empty:
            pass
        while waiting and len(active) < self.settings.max_concurrent:
            job = waiting.popleft()
            if self._start(job):
                active.append(job)
        wait = self.settings.poll_interval / max(1, len(active))
        for job in list(active):
            if job in active and self._step(job, wait, active):
                active.remove(job)
        return False

    def _connect(self, future: Future[None]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            self._keeper.ensure()
        except RemotingError as exc:
            future.set_exception(exc)
        except Exception as exc:  # never let a library surprise end the owner thread
            future.set_exception(translate(exc, self.settings, opening=True))
        else:
            future.set_result(None)

    def _start(self, job: _Job) -> bool:
        """begin_invoke; True when the job is now running. Retries once on a fresh pool if it never started."""
        if not job.handle.future.set_running_or_notify_cancel():
            return False
        job.started = self._clock()
        for attempt in (1, 2):
            try:
                pool = self._keeper.ensure(job.handle.wait_cancel)
                if job.handle.pipeline.has_secrets:
                    pool.exchange_keys()
                job.ps = add_pipeline(PowerShell(pool), job.handle.pipeline)
                job.ps.begin_invoke()
                self._keeper.touch()
                return True
            except RemotingError as exc:
                self._finish(job, exc)
                return False
            except Exception as exc:
                retry = attempt == 1 and (started_nowhere(exc) or only_reads(job.handle.pipeline))
                self._keeper.drop(ConnectionState.RECONNECTING if retry else None)
                if not retry:
                    self._finish(job, self._lost(job, exc))
                    return False
        return False

    def _step(self, job: _Job, wait: float, active: list[_Job]) -> bool:
        """Poll once; True when the job is finished (result or error delivered)."""
        assert job.ps is not None
        try:
            if job.handle.cancel_requested or (job.timeout and self._clock() - job.started > job.timeout):
                job.ps.stop()
                if job.handle.cancel_requested:
                    raise PipelineCancelled("the pipeline was cancelled", self.host)
                raise OperationTimedOut(
                    f"the pipeline ran longer than {job.timeout:g} s and was stopped", self.host
                )
            job.ps.poll_invoke(timeout=wait)  # type: ignore[arg-type]  # pypsrp writes PT{wait}S; fractions are valid
            self._keeper.touch()
            self._report_progress(job)
            if job.ps.state == PSInvocationState.RUNNING:
                return False
            self._finish(job, result_of(job.ps, self.host, self._clock() - job.started))
        except RemotingError as exc:
            self._finish(job, exc)
        except Exception as exc:
            error = self._lost(job, exc)
            for other in [j for j in active if j is not job]:  # the pool is gone for every pipeline on it
                self._finish(other, error)
                active.remove(other)
            self._finish(job, error)
        return True

    def _lost(self, job: _Job, exc: BaseException) -> RemotingError:
        """The pool failed under a running pipeline: forget it; a restart command makes this a reboot."""
        log.debug("pipeline on %s lost its connection", self.host, exc_info=True)
        error = translate(exc, self.settings, opening=False)
        rebooting = any(job.handle.pipeline.mentions(c) for c in RESTART_CMDLETS)
        self._keeper.drop(
            ConnectionState.REBOOTING if rebooting else ConnectionState.RECONNECTING, error.message
        )
        return error

    def _report_progress(self, job: _Job) -> None:
        assert job.ps is not None
        records = job.ps.streams.progress
        if job.on_progress is not None:
            for record in records[job.seen_progress :]:
                try:
                    job.on_progress(progress_info(record))
                except Exception:
                    log.exception("progress listener failed")
        job.seen_progress = len(records)

    def _finish(self, job: _Job, outcome: PipelineResult | RemotingError) -> None:
        if job.ps is not None:
            self._close_pipeline(job.ps)
        duration = self._clock() - job.started
        if isinstance(outcome, PipelineResult):
            failure = outcome.terminating_error
            kind = Outcome.FAILED if failure else (Outcome.ERROR if outcome.errors else Outcome.OK)
            first = outcome.errors[0] if outcome.errors else None
            self._journal_entry(job, duration, kind, first)
            if failure is not None and job.raise_on_failure:
                failure.result = outcome
                job.handle.future.set_exception(failure)
            else:
                job.handle.future.set_result(outcome)
            if failure is None and any(job.handle.pipeline.mentions(c) for c in RESTART_CMDLETS):
                self._keeper.drop(ConnectionState.REBOOTING, "restart requested")
            return
        kind = (
            Outcome.CANCELLED
            if isinstance(outcome, PipelineCancelled | OperationTimedOut)
            else Outcome.CONNECTION
        )
        if isinstance(outcome, RemoteError):
            kind = Outcome.FAILED
        self._journal_entry(job, duration, kind, outcome)
        job.handle.future.set_exception(outcome)

    def _journal_entry(self, job: _Job, duration: float, kind: Outcome, error: RemotingError | None) -> None:
        if self._journal is None:
            return
        fqid = error.fqid if isinstance(error, RemoteError) else (type(error).__name__ if error else None)
        entry = JournalEntry.now(
            self.host,
            render(job.handle.pipeline),
            duration,
            kind,
            error_fqid=fqid,
            error_message=error.message if error else None,
        )
        try:
            self._journal.record(entry)
        except OSError:
            log.exception("could not write the journal")

    def _close_pipeline(self, ps: PowerShell) -> None:
        if self._keeper.pool is None or ps.state in (
            PSInvocationState.NOT_STARTED,
            PSInvocationState.RUNNING,
        ):
            return  # never started, or its pool is gone: nothing to close on the host
        try:
            ps.close()
        except Exception:
            log.debug("closing a pipeline on %s failed", self.host, exc_info=True)

    def _shutdown(self, waiting: deque[_Job], active: list[_Job]) -> None:
        closed = ConnectionLost("the session was closed", self.host)
        for job in active:
            if (
                job.ps is not None
                and job.ps.state == PSInvocationState.RUNNING
                and self._keeper.pool is not None
            ):
                try:
                    job.ps.stop()
                except Exception:
                    log.debug("stopping a pipeline on %s failed", self.host, exc_info=True)
            self._finish(job, closed)
        for job in waiting:  # never started: nothing to journal
            if job.handle.future.set_running_or_notify_cancel():
                job.handle.future.set_exception(closed)
        self._keeper.close()
