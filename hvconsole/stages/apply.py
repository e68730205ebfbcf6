"""Applying a plan: phases in order, hosts in parallel, each step journaled, verified and never retried blindly.

Outcomes per step: applied, already held (its verification held before it ran), failed (the host said no),
unknown (the connection dropped mid-step and the re-read could not confirm it), skipped (an earlier step of
that host failed, or the operation was cancelled). A restart step waits until the host answers again.
Every event also goes to the operation log, so an interrupted apply can be shown and resumed on next start.
"""

from __future__ import annotations

import enum
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from hvconsole.remoting.errors import (
    ConnectionLost,
    OperationTimedOut,
    PipelineCancelled,
    RemoteError,
    RemotingError,
)
from hvconsole.remoting.manager import SessionManager
from hvconsole.remoting.result import ProgressInfo
from hvconsole.stages.operations import OperationLog
from hvconsole.stages.plan import Plan, Step


class StepOutcome(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    APPLIED = "applied"
    ALREADY_HELD = "already held"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    WAITING_FOR_RESTART = "waiting for restart"


@dataclass(frozen=True)
class StepEvent:
    index: int
    step: Step
    outcome: StepOutcome
    detail: str = ""
    percent: int = -1


@dataclass
class ApplyReport:
    outcomes: dict[int, StepOutcome] = field(default_factory=dict)
    details: dict[int, str] = field(default_factory=dict)
    cancelled: bool = False

    @property
    def succeeded(self) -> bool:
        return not self.cancelled and all(
            o in (StepOutcome.APPLIED, StepOutcome.ALREADY_HELD) for o in self.outcomes.values()
        )

    def count(self, outcome: StepOutcome) -> int:
        return sum(1 for o in self.outcomes.values() if o is outcome)


class ReadOnlyMode(RuntimeError):
    """hvconsole was started with --read-only: nothing is applied."""


class Applier:
    def __init__(
        self,
        sessions: SessionManager,
        plan: Plan,
        *,
        on_event: Callable[[StepEvent], None] | None = None,
        log: OperationLog | None = None,
        read_only: bool = False,
        restart_timeout: float = 600.0,
    ) -> None:
        self.sessions = sessions
        self.plan = plan
        self.on_event = on_event or (lambda event: None)
        self.log = log
        self.read_only = read_only
        self.restart_timeout = restart_timeout
        self.report = ApplyReport()
        self._cancel = threading.Event()
        self._index = {id(step): i for i, step in enumerate(plan.steps)}

    def cancel(self) -> None:
        """Stop after the steps that are running now (a running step is not interrupted half-way)."""
        self._cancel.set()

    def run(self, operation_id: str | None = None, *, skip: set[int] | None = None) -> ApplyReport:
        if self.read_only:
            raise ReadOnlyMode("hvconsole runs read-only (--read-only): no step is applied")
        operation = operation_id or uuid.uuid4().hex[:12]
        skip = skip or set()
        if self.log is not None:
            self.log.started(operation, self.plan)
        for index in range(len(self.plan.steps)):
            self.report.outcomes[index] = StepOutcome.PENDING
        try:
            for phase in self.plan.phases:
                if self._cancel.is_set() or self._phase_failed():
                    break
                by_host: dict[str, list[Step]] = {}
                for step in phase:
                    by_host.setdefault(step.host, []).append(step)
                with ThreadPoolExecutor(max_workers=max(1, len(by_host)), thread_name_prefix="apply") as pool:
                    for future in [
                        pool.submit(self._run_host, steps, skip, operation) for steps in by_host.values()
                    ]:
                        future.result()
        finally:
            for index, outcome in self.report.outcomes.items():
                if outcome is StepOutcome.PENDING:
                    self._emit(index, self.plan.steps[index], StepOutcome.SKIPPED, "not run", operation)
            self.report.cancelled = self._cancel.is_set()
            if self.log is not None:
                self.log.finished(operation, self.report.succeeded)
        return self.report

    def _phase_failed(self) -> bool:
        return any(o in (StepOutcome.FAILED, StepOutcome.UNKNOWN) for o in self.report.outcomes.values())

    def _emit(
        self,
        index: int,
        step: Step,
        outcome: StepOutcome,
        detail: str = "",
        operation: str = "",
        percent: int = -1,
    ) -> None:
        self.report.outcomes[index] = outcome
        if detail:
            self.report.details[index] = detail
        if self.log is not None and outcome not in (
            StepOutcome.RUNNING,
            StepOutcome.WAITING_FOR_RESTART,
            StepOutcome.PENDING,
        ):
            self.log.step(operation, index, step, outcome.value, detail)
        self.on_event(StepEvent(index, step, outcome, detail, percent))

    def _run_host(self, steps: list[Step], skip: set[int], operation: str) -> None:
        for step in steps:
            index = self._index[id(step)]
            if index in skip:
                self._emit(index, step, StepOutcome.ALREADY_HELD, "done in an earlier run", operation)
                continue
            if self._cancel.is_set():
                self._emit(index, step, StepOutcome.SKIPPED, "cancelled", operation)
                continue
            outcome = self._run_step(index, step, operation)
            if outcome not in (StepOutcome.APPLIED, StepOutcome.ALREADY_HELD):
                for later in steps[steps.index(step) + 1 :]:
                    self._emit(
                        self._index[id(later)],
                        later,
                        StepOutcome.SKIPPED,
                        "an earlier step on this host did not succeed",
                        operation,
                    )
                return

    def _holds(self, step: Step) -> bool | None:
        if step.verify is None:
            return None
        try:
            result = self.sessions[step.host].invoke(step.verify.pipeline, raise_on_failure=False, timeout=60)
        except RemotingError:
            return None
        return step.verify.holds(result)

    def _read_before(self, step: Step) -> bool | None:
        """Whether the step already holds, read up to 3 times (a read is safe to repeat); None: unreadable."""
        for attempt in range(3):
            if attempt:
                time.sleep(1.0)
            held = self._holds(step)
            if held is not None or self._cancel.is_set():
                return held
        return None

    def _run_step(self, index: int, step: Step, operation: str) -> StepOutcome:
        held = self._read_before(step)
        if held:
            self._emit(index, step, StepOutcome.ALREADY_HELD, "", operation)
            return StepOutcome.ALREADY_HELD
        if held is None and step.verify is not None:
            # Never change what could not be read: it may already hold (an earlier answer lost on the way).
            self._emit(
                index,
                step,
                StepOutcome.FAILED,
                "could not read whether it already holds (the host did not answer); nothing was changed",
                operation,
            )
            return StepOutcome.FAILED
        self._emit(index, step, StepOutcome.RUNNING, "", operation)
        session = self.sessions[step.host]

        def progress(info: ProgressInfo) -> None:
            text = info.status or info.activity
            self.on_event(StepEvent(index, step, StepOutcome.RUNNING, text, info.percent))

        try:
            handle = session.run(step.pipeline, timeout=step.timeout, on_progress=progress)
            result = handle.result()
        except RemoteError as error:
            self._emit(index, step, StepOutcome.FAILED, error.message, operation)
            return StepOutcome.FAILED
        except (ConnectionLost, OperationTimedOut, PipelineCancelled) as error:
            if step.restarts_host:
                return self._await_restart(index, step, operation)
            # The step may or may not have been applied: re-read before saying anything (never retry blindly).
            held = self._wait_and_verify(step)
            if held:
                self._emit(
                    index,
                    step,
                    StepOutcome.APPLIED,
                    "confirmed by re-reading after the connection dropped",
                    operation,
                )
                return StepOutcome.APPLIED
            self._emit(
                index,
                step,
                StepOutcome.UNKNOWN,
                f"{error.message} — it may not have been applied; re-read before retrying",
                operation,
            )
            return StepOutcome.UNKNOWN
        except RemotingError as error:
            self._emit(index, step, StepOutcome.FAILED, error.message, operation)
            return StepOutcome.FAILED
        if result.errors:
            self._emit(index, step, StepOutcome.FAILED, result.errors[0].message, operation)
            return StepOutcome.FAILED
        if step.restarts_host:
            return self._await_restart(index, step, operation)
        detail = "; ".join(result.warnings)
        self._emit(index, step, StepOutcome.APPLIED, detail, operation)
        return StepOutcome.APPLIED

    def _wait_and_verify(self, step: Step) -> bool:
        if step.verify is None:
            return False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not self._cancel.is_set():
            held = self._holds(step)
            if held is not None:
                return held
            time.sleep(1)
        return False

    def _await_restart(self, index: int, step: Step, operation: str) -> StepOutcome:
        self._emit(index, step, StepOutcome.WAITING_FOR_RESTART, "the host is restarting", operation)
        session = self.sessions[step.host]
        deadline = time.monotonic() + self.restart_timeout
        time.sleep(1.0)
        while time.monotonic() < deadline and not self._cancel.is_set():
            try:
                session.connect().result(timeout=30)
                self._emit(index, step, StepOutcome.APPLIED, "restarted and answering again", operation)
                return StepOutcome.APPLIED
            except Exception:  # still down: keep waiting until the deadline
                time.sleep(1.0)
        self._emit(index, step, StepOutcome.UNKNOWN, "the host did not come back in time", operation)
        return StepOutcome.UNKNOWN
