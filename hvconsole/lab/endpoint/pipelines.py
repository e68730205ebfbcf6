"""One running PSRP pipeline: collects its input, runs the engine on a worker thread, and is the engine's sink."""

from __future__ import annotations

import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any

from psrpcore import ServerPipeline
from psrpcore.types import ProgressRecordType, PSInvocationState

from hvconsole.lab.endpoint import clixml
from hvconsole.lab.endpoint.psrp import build_error_record, end_pipeline_failed, write_error
from hvconsole.lab.endpoint.values import to_command_calls
from hvconsole.lab.protocol import ErrorRec, TerminatingError

if TYPE_CHECKING:
    from hvconsole.lab.endpoint.shells import Shell

log = logging.getLogger(__name__)

SCRIPTS_NOT_SUPPORTED = "ScriptsNotSupported"


class PipelineRun:
    """A pipeline of one shell. All psrpcore calls happen under the shell's lock (``shell.condition``)."""

    def __init__(self, shell: Shell, pipeline_id: uuid.UUID) -> None:
        self.shell = shell
        self.pipeline_id = pipeline_id
        self.pipeline = ServerPipeline(shell.pool, pipeline_id)
        self.input_objects: list[Any] = []
        self.wants_input = False
        self.started = False
        self.worker_done = False
        self._stopping = threading.Event()
        self.thread: threading.Thread | None = None

    # --- PipelineSink -------------------------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _running(self) -> bool:
        return self.pipeline.state == PSInvocationState.Running and not self.shell.closed

    def output(self, obj: Any) -> None:
        body = clixml.serialize(obj)  # serialize outside the lock: this is the expensive part
        with self.shell.condition:
            if self._running():
                self.shell.pool.queue_output(self.pipeline_id, body)
                self.shell.drain()

    def error(self, record: ErrorRec) -> None:
        with self.shell.condition:
            if self._running():
                write_error(self.pipeline, record)
                self.shell.drain()

    def warning(self, message: str) -> None:
        with self.shell.condition:
            if self._running():
                self.pipeline.write_warning(message)
                self.shell.drain()

    def verbose(self, message: str) -> None:
        with self.shell.condition:
            if self._running():
                self.pipeline.write_verbose(message)
                self.shell.drain()

    def progress(
        self,
        activity: str,
        status: str,
        percent: int = -1,
        seconds_remaining: int = -1,
        activity_id: int = 0,
        completed: bool = False,
    ) -> None:
        record_type = ProgressRecordType.Completed if completed else ProgressRecordType.Processing
        with self.shell.condition:
            if self._running():
                self.pipeline.write_progress(
                    activity,
                    activity_id,
                    status,
                    percent_complete=percent,
                    seconds_remaining=seconds_remaining,
                    record_type=record_type,
                )
                self.shell.drain()

    # --- lifecycle (called under the shell lock) -----------------------------------------------------------
    def start(self) -> None:
        """Mark the pipeline Running and hand it to a worker thread."""
        if self.started:
            return
        self.started = True
        self.pipeline.start()
        self.shell.drain()
        self.thread = threading.Thread(
            target=self._run, name=f"lab-pipeline-{self.shell.backend_name}-{self.pipeline_id}", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        """Client asked to stop (ctrl_c) or the shell is going away: the pipeline ends Stopped."""
        self._stopping.set()
        if self.pipeline.state in (PSInvocationState.Running, PSInvocationState.Stopping):
            self.pipeline.stop()
            self.shell.drain()

    @property
    def finished(self) -> bool:
        return self.pipeline.state in (
            PSInvocationState.Completed,
            PSInvocationState.Failed,
            PSInvocationState.Stopped,
        )

    # --- worker ---------------------------------------------------------------------------------------------
    def _run(self) -> None:
        failure: ErrorRec | None = None
        try:
            metadata = self.pipeline.metadata
            calls = to_command_calls(list(metadata.commands) if metadata is not None else [])
            scripts = [call.name for call in calls if call.is_script]
            if scripts:
                failure = ErrorRec(
                    message=(
                        "This endpoint runs structured commands only; script text is refused: "
                        f"{scripts[0][:200]!r}"
                    ),
                    fqid=SCRIPTS_NOT_SUPPORTED,
                    category="InvalidOperation",
                    exception_type="System.Management.Automation.PSNotSupportedException",
                    activity="Invoke",
                )
            else:
                inputs = self.input_objects if self.wants_input else None
                self.shell.runspace.invoke(calls, inputs, self)
        except TerminatingError as error:
            failure = error.record
        except Exception as error:
            log.exception("pipeline %s failed inside the lab", self.pipeline_id)
            failure = ErrorRec(
                message=f"The lab host failed while running the pipeline: {type(error).__name__}: {error}",
                fqid="LabInternalError",
                exception_type="System.InvalidOperationException",
            )
        self._finish(failure)

    def _finish(self, failure: ErrorRec | None) -> None:
        with self.shell.condition:
            if self.pipeline.state == PSInvocationState.Running and not self.shell.closed:
                if failure is not None:
                    end_pipeline_failed(self.pipeline, build_error_record(failure))
                elif self.stopping:
                    self.pipeline.stop()
                else:
                    self.pipeline.complete()
                self.shell.drain()
            self.worker_done = True
            self.shell.pipeline_finished(self)


__all__ = ["SCRIPTS_NOT_SUPPORTED", "PipelineRun"]
