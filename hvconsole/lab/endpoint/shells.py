"""WinRS shells: one runspace pool each, with its outgoing data queues, pipelines, quotas and idle reaping."""

from __future__ import annotations

import collections
import threading
import time
import uuid
from typing import Any

from psrpcore import PSRPPayload, StreamType
from psrpcore._events import (
    CreatePipelineEvent,
    EndOfPipelineInputEvent,
    GetAvailableRunspacesEvent,
    PipelineInputEvent,
    ResetRunspaceStateEvent,
    SetMaxRunspacesEvent,
    SetMinRunspacesEvent,
)
from psrpcore.types import RunspacePoolState

from hvconsole.lab.endpoint.pipelines import PipelineRun
from hvconsole.lab.endpoint.psrp import LabRunspacePool, call_id
from hvconsole.lab.endpoint.soap import CODE_INVALID_SELECTORS, CODE_QUOTA_LIMIT, SoapError
from hvconsole.lab.endpoint.values import to_plain
from hvconsole.lab.protocol import HostRunspace

# Size of one outgoing payload (a run of PSRP fragments for one target); a Receive reply packs several.
CHUNK_BYTES = 32 * 1024
# How long a pipeline Receive waits for more data from a still-running pipeline before answering.
COALESCE_SECONDS = 0.02


class ShellGone(Exception):
    """The shell was closed (Delete, reaper, endpoint stop) while a request was using it."""


class Shell:
    def __init__(self, shell_id: str, user: str, runspace: HostRunspace, backend_name: str) -> None:
        self.shell_id = shell_id
        self.user = user
        self.runspace = runspace
        self.backend_name = backend_name
        self.pool = LabRunspacePool()
        self.condition = threading.Condition(threading.RLock())
        self.outgoing: dict[uuid.UUID | None, collections.deque[bytes]] = collections.defaultdict(
            collections.deque
        )
        self.runs: dict[uuid.UUID, PipelineRun] = {}
        self.queued_runs: collections.deque[PipelineRun] = collections.deque()
        self.closed = False
        self.last_used = time.monotonic()
        self.active_requests = 0

    # --- data in ----------------------------------------------------------------------------------------------
    def feed(self, data: bytes, pipeline_id: uuid.UUID | None = None) -> None:
        """Process PSRP fragments from the client (creationXml, Arguments, Send)."""
        with self.condition:
            self._check_open()
            self.pool.receive_data(PSRPPayload(data, StreamType.default, pipeline_id))
            while True:
                event = self.pool.next_event()
                if event is None:
                    break
                self._on_event(event)
            self.drain()

    def new_pipeline(self, pipeline_id: uuid.UUID) -> PipelineRun:
        with self.condition:
            self._check_open()
            run = PipelineRun(self, pipeline_id)
            self.runs[pipeline_id] = run
            return run

    def _on_event(self, event: Any) -> None:
        if isinstance(event, CreatePipelineEvent):
            run = self.runs[event.pipeline_id]
            metadata = run.pipeline.metadata
            run.wants_input = metadata is not None and not metadata.no_input
            if not run.wants_input:
                self._schedule(run)
        elif isinstance(event, PipelineInputEvent):
            self.runs[event.pipeline_id].input_objects.append(to_plain(event.data))
        elif isinstance(event, EndOfPipelineInputEvent):
            self._schedule(self.runs[event.pipeline_id])
        elif isinstance(event, SetMaxRunspacesEvent | SetMinRunspacesEvent | ResetRunspaceStateEvent):
            self.pool.runspace_availability_response(call_id(event), True)
        elif isinstance(event, GetAvailableRunspacesEvent):
            self.pool.runspace_availability_response(call_id(event), self._free_runspaces())

    def _running_count(self) -> int:
        return sum(1 for run in self.runs.values() if run.started and not run.worker_done)

    def _free_runspaces(self) -> int:
        return max(0, max(1, self.pool.max_runspaces) - self._running_count())

    def _schedule(self, run: PipelineRun) -> None:
        """Start now if a runspace is free (max_runspaces), otherwise queue it as PowerShell does."""
        if self._free_runspaces() > 0:
            run.start()
        else:
            self.queued_runs.append(run)

    def pipeline_finished(self, run: PipelineRun) -> None:
        """Called by the worker (under the lock) when the engine returned."""
        while self.queued_runs and not self.closed:
            waiting = self.queued_runs.popleft()
            if waiting.pipeline_id in self.runs and not waiting.finished:
                waiting.start()
                break
        self.condition.notify_all()

    # --- data out ---------------------------------------------------------------------------------------------
    def drain(self) -> None:
        """Move everything psrpcore queued into the per-target chunk queues and wake waiting receives."""
        moved = False
        while True:
            payload = self.pool.data_to_send(CHUNK_BYTES)
            if payload is None:
                break
            self.outgoing[payload.pipeline_id].append(payload.data)
            moved = True
        if moved:
            self.condition.notify_all()

    def _take(self, target: uuid.UUID | None, budget: int) -> bytes:
        queue = self.outgoing.get(target)
        if not queue:
            return b""
        parts = [queue.popleft()]
        size = len(parts[0])
        while queue and size + len(queue[0]) <= budget:
            chunk = queue.popleft()
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts)

    def receive(self, target: uuid.UUID | None, budget: int, wait_seconds: float) -> bytes | None:
        """Data for the pool (target None) or a pipeline, waiting up to ``wait_seconds``; None on timeout."""
        deadline = time.monotonic() + wait_seconds
        with self.condition:
            while True:
                self._check_open()
                if target is not None and target not in self.runs:
                    raise SoapError(
                        CODE_INVALID_SELECTORS, "w:InvalidSelectors", f"The command {target} is unknown."
                    )
                if self.outgoing.get(target):
                    self._coalesce(target, budget)
                    return self._take(target, budget)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.condition.wait(remaining)

    def _coalesce(self, target: uuid.UUID | None, budget: int) -> None:
        """Hold a pipeline's reply briefly while it is still running, so that a fast pipeline's Running state,
        output and final state travel in one Receive instead of two round trips."""
        run = self.runs.get(target) if target is not None else None
        if run is None:
            return
        deadline = time.monotonic() + COALESCE_SECONDS
        while not run.finished and not self.closed:
            queued = sum(len(chunk) for chunk in self.outgoing.get(target, ()))
            remaining = deadline - time.monotonic()
            if queued >= budget or remaining <= 0:
                return
            self.condition.wait(remaining)

    def pipeline_done(self, target: uuid.UUID) -> bool:
        with self.condition:
            run = self.runs.get(target)
            return run is None or (run.finished and not self.outgoing.get(target))

    # --- signals and closing ------------------------------------------------------------------------------
    def signal_stop(self, pipeline_id: uuid.UUID) -> None:
        with self.condition:
            run = self.runs.get(pipeline_id)
            if run is not None:
                run.stop()

    def terminate(self, pipeline_id: uuid.UUID) -> None:
        with self.condition:
            run = self.runs.pop(pipeline_id, None)
            if run is None:
                return
            run.stop()
            if run in self.queued_runs:
                self.queued_runs.remove(run)
            run.pipeline.close()
            self.outgoing.pop(pipeline_id, None)
            self.condition.notify_all()

    def close(self) -> None:
        with self.condition:
            if self.closed:
                return
            for run in list(self.runs.values()):
                run.stop()
            self.closed = True
            self.runs.clear()
            self.queued_runs.clear()
            self.outgoing.clear()
            self.condition.notify_all()

    def _check_open(self) -> None:
        if self.closed:
            raise ShellGone(self.shell_id)

    @property
    def opened(self) -> bool:
        return self.pool.state == RunspacePoolState.Opened


class ShellRegistry:
    """All shells of one endpoint: lookup by id and owner, per-user quota, idle reaping."""

    def __init__(self, max_shells_per_user: int, idle_shell_timeout: float) -> None:
        self.max_shells_per_user = max_shells_per_user
        self.idle_shell_timeout = idle_shell_timeout
        self._shells: dict[str, Shell] = {}
        self._lock = threading.Lock()

    def add(self, shell: Shell) -> None:
        with self._lock:
            owned = sum(1 for existing in self._shells.values() if existing.user == shell.user)
            if self.max_shells_per_user > 0 and owned >= self.max_shells_per_user:
                raise SoapError(
                    CODE_QUOTA_LIMIT,
                    "w:QuotaLimit",
                    "The WS-Management service cannot process the request. This user is allowed a maximum "
                    f"number of {self.max_shells_per_user} concurrent shells, which has been exceeded. Close "
                    "existing shells or raise the quota for this user.",
                )
            self._shells[shell.shell_id] = shell

    def get(self, shell_id: str, user: str) -> Shell:
        with self._lock:
            shell = self._shells.get(shell_id.upper())
        if shell is None or shell.user != user or shell.closed:
            raise SoapError(
                CODE_INVALID_SELECTORS,
                "w:InvalidSelectors",
                f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell "
                "was not found on the server. Possible causes are: the specified ShellId is incorrect or the "
                "shell no longer exists on the server. Provide the correct ShellId or create a new shell and "
                "retry the operation.",
            )
        shell.last_used = time.monotonic()
        return shell

    def remove(self, shell_id: str) -> None:
        with self._lock:
            shell = self._shells.pop(shell_id.upper(), None)
        if shell is not None:
            shell.close()

    def close_all(self) -> None:
        with self._lock:
            shells = list(self._shells.values())
            self._shells.clear()
        for shell in shells:
            shell.close()

    def reap_idle(self, now: float | None = None) -> list[str]:
        """Close shells nobody touched for ``idle_shell_timeout`` seconds (WinRM's IdleTimeout)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [
                shell
                for shell in self._shells.values()
                if shell.active_requests == 0 and now - shell.last_used > self.idle_shell_timeout
            ]
            for shell in idle:
                del self._shells[shell.shell_id]
        for shell in idle:
            shell.close()
        return [shell.shell_id for shell in idle]

    def __len__(self) -> int:
        with self._lock:
            return len(self._shells)


__all__ = ["CHUNK_BYTES", "Shell", "ShellGone", "ShellRegistry"]
