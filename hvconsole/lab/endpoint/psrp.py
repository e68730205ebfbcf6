"""psrpcore glue: the server runspace pool (with the CI/ci shim), ErrorRecords, and the one private hook.

Everything in this module that touches psrpcore internals is named and documented here, so that an upgrade
of psrpcore has a single place to check.
"""

from __future__ import annotations

import typing
import uuid
from typing import Any

from psrpcore import ServerPipeline, ServerRunspacePool
from psrpcore._payload import PSRPMessage, create_message
from psrpcore.types import (
    ErrorCategory,
    ErrorCategoryInfo,
    ErrorRecord,
    NETException,
    PSInvocationState,
    PSRPMessageType,
)

from hvconsole.lab.protocol import ErrorRec

# The protocol versions this endpoint speaks (psrpcore implements 2.0 to 2.3; pypsrp sends 2.3).
SUPPORTED_PROTOCOL_VERSIONS = ("2.1", "2.2", "2.3")


def call_id(event: Any) -> int:
    """The call id of a runspace-pool call event.

    pypsrp 0.9.1 writes the call id as ``<I64 N="CI">`` while psrpcore 0.3.1 reads ``ci`` (case sensitive),
    so ``event.ci`` raises AttributeError: read whichever spelling arrived.
    """
    message = event._ps_object  # the raw message: psrpcore exposes it only as a private attribute
    for name in ("ci", "CI"):
        try:
            return int(getattr(message, name))
        except AttributeError:
            continue
    raise ValueError("the runspace pool call carries no call id")


class LabRunspacePool(ServerRunspacePool):
    """A ServerRunspacePool that accepts pypsrp's upper-case CI on pool calls (the CI/ci shim)."""

    def _remember_call(self, event: Any, handler: typing.Callable[[Any], None] | None) -> None:
        ci = call_id(event)
        self._ci_events[ci] = event
        self._ci_handlers[ci] = handler

    def _process_SetMaxRunspaces(self, event: Any) -> None:
        count = int(event.count)
        self._remember_call(event, lambda _event: setattr(self, "_max_runspaces", count))

    def _process_SetMinRunspaces(self, event: Any) -> None:
        count = int(event.count)
        self._remember_call(event, lambda _event: setattr(self, "_min_runspaces", count))

    def _process_ResetRunspaceState(self, event: Any) -> None:
        self._remember_call(event, None)

    def _process_GetAvailableRunspaces(self, event: Any) -> None:
        self._remember_call(event, None)

    def queue_output(self, pipeline_id: uuid.UUID, clixml: bytes) -> None:
        """Queue one PipelineOutput message whose CLIXML was written by our own serializer.

        Uses psrpcore's message framing and send queue (so fragment ids and ordering stay psrpcore's), but
        skips its object serializer, which is slow for many objects.
        """
        data = create_message(
            False, PSRPMessageType.PipelineOutput, clixml, self.runspace_pool_id, pipeline_id
        )
        self._send_buffer.append(
            PSRPMessage(
                PSRPMessageType.PipelineOutput,
                bytearray(data),
                self.runspace_pool_id,
                pipeline_id,
                self._fragment_counter,
            )
        )

    def has_pending_messages(self) -> bool:
        return bool(self._send_buffer)


def end_pipeline_failed(pipeline: ServerPipeline, record: ErrorRecord) -> None:
    """End a running pipeline in state Failed with ``record`` as its reason.

    psrpcore 0.3.1 has no public API for this (only complete() and stop()); this is the single place that
    uses its private state change, which emits the PipelineState message with ExceptionAsErrorRecord.
    """
    pipeline._change_state(PSInvocationState.Failed, error=record)


class _CategoryInfo(ErrorCategoryInfo):
    """CategoryInfo whose message has PowerShell's shape: "ObjectNotFound: (x:String) [Get-Thing], Reason"."""

    def __str__(self) -> str:
        return (
            f"{self.Category.name!s}: ({self.TargetName or ''}:{self.TargetType or ''}) "
            f"[{self.Activity or ''}], {self.Reason or ''}"
        )


def _category(name: str) -> ErrorCategory:
    try:
        return ErrorCategory[name]
    except KeyError:
        return ErrorCategory.NotSpecified


def _exception_type_names(exception_type: str) -> list[str]:
    names = [exception_type]
    if exception_type.startswith("System.Management.Automation.") and exception_type.endswith("Exception"):
        if exception_type != "System.Management.Automation.RuntimeException":
            names.append("System.Management.Automation.RuntimeException")
        names.append("System.SystemException")
    for base in ("System.Exception", "System.Object"):
        if base not in names:
            names.append(base)
    return names


def _plain_target(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def build_error_record(record: ErrorRec) -> ErrorRecord:
    """A psrpcore ErrorRecord with the shape PowerShell gives it (exception, CategoryInfo, FQID)."""
    exception = NETException(Message=record.message, HResult=-2146233087)
    exception.PSObject.type_names = _exception_type_names(record.exception_type)
    short_type = record.exception_type.rsplit(".", 1)[-1]
    category_info = _CategoryInfo(
        Category=_category(record.category),
        Activity=record.activity or "",
        Reason=record.reason or short_type,
        TargetName=record.target_name or "",
        TargetType=record.target_type or "",
    )
    error = ErrorRecord(
        Exception=exception,
        CategoryInfo=category_info,
        TargetObject=_plain_target(record.target),
        FullyQualifiedErrorId=record.fqid,
    )
    error.PSObject.to_string = record.message
    return error


def write_error(pipeline: ServerPipeline, record: ErrorRec) -> None:
    error = build_error_record(record)
    pipeline.write_error(
        error.Exception,
        category_info=error.CategoryInfo,
        target_object=error.TargetObject,
        fully_qualified_error_id=error.FullyQualifiedErrorId,
    )


__all__ = [
    "SUPPORTED_PROTOCOL_VERSIONS",
    "LabRunspacePool",
    "build_error_record",
    "call_id",
    "end_pipeline_failed",
    "write_error",
]
