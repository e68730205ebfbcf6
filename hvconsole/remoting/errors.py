"""Typed errors of the transport layer. Messages carry what an admin needs and never a secret."""

from __future__ import annotations

from typing import Any

# System.Management.Automation.ErrorCategory, by value.
ERROR_CATEGORIES = (
    "NotSpecified",
    "OpenError",
    "CloseError",
    "DeviceError",
    "DeadlockDetected",
    "InvalidArgument",
    "InvalidData",
    "InvalidOperation",
    "InvalidResult",
    "InvalidType",
    "MetadataError",
    "NotImplemented",
    "NotInstalled",
    "ObjectNotFound",
    "OperationStopped",
    "OperationTimeout",
    "SyntaxError",
    "ParserError",
    "PermissionDenied",
    "ResourceBusy",
    "ResourceExists",
    "ResourceUnavailable",
    "ReadError",
    "WriteError",
    "FromStdErr",
    "SecurityError",
    "ProtocolError",
    "ConnectionError",
    "AuthenticationError",
    "LimitsExceeded",
    "QuotaExceeded",
    "NotEnabled",
)


class RemotingError(Exception):
    """Base of every error this package raises. ``host`` names the host it happened on (may be empty)."""

    def __init__(self, message: str, host: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.host = host

    def __str__(self) -> str:
        return f"{self.host}: {self.message}" if self.host else self.message


class RemoteError(RemotingError):
    """An ErrorRecord written by the host: ``Get-NetAdapter -Name x`` → ObjectNotFound, and so on.

    ``fqid`` is the FullyQualifiedErrorId ("CmdletizationQuery_NotFound_Name,Get-NetAdapter"),
    ``error_id`` its part before the first comma, ``category`` the ErrorCategory name.
    When raised for a Failed pipeline, ``result`` holds the PipelineResult (output so far, all errors).
    """

    def __init__(
        self,
        message: str,
        *,
        fqid: str = "",
        category: str = "NotSpecified",
        target: str | None = None,
        exception_type: str = "",
        host: str = "",
    ) -> None:
        super().__init__(message, host)
        self.fqid = fqid
        self.error_id = fqid.split(",", 1)[0]
        self.category = category
        self.target = target
        self.exception_type = exception_type
        self.result: Any = None

    def __str__(self) -> str:
        return f"{super().__str__()} ({self.fqid})" if self.fqid else super().__str__()

    def __repr__(self) -> str:
        return f"RemoteError(fqid={self.fqid!r}, category={self.category!r}, message={self.message!r})"

    @classmethod
    def from_record(cls, record: Any, host: str = "") -> RemoteError:
        """From a pypsrp ErrorRecord (``ps.streams.error`` items or a PipelineState's error record)."""
        exception = getattr(record, "exception", None)
        exception_type = ""
        exception_message = None
        if exception is not None:
            types = getattr(exception, "types", None) or getattr(exception, "_types", None) or []
            exception_type = types[0] if types else ""
            props = {
                **getattr(exception, "adapted_properties", {}),
                **getattr(exception, "extended_properties", {}),
            }
            exception_message = props.get("Message")
        to_string = getattr(record, "_to_string", None)
        message = getattr(record, "details_message", None) or exception_message or to_string or "error"
        category_value = getattr(record, "category", None)
        if isinstance(category_value, int) and 0 <= category_value < len(ERROR_CATEGORIES):
            category = ERROR_CATEGORIES[category_value]
        else:
            category = str(category_value or "NotSpecified")
        target_object = getattr(record, "target_object", None)
        target = getattr(record, "target_name", None) or (
            str(target_object) if target_object is not None else None
        )
        return cls(
            str(message),
            fqid=str(getattr(record, "fq_error", None) or ""),
            category=category,
            target=target or None,
            exception_type=exception_type,
            host=host,
        )


class ConnectionLost(RemotingError):
    """The connection dropped while talking to a host that was reachable (the pool is gone)."""


class Unreachable(RemotingError):
    """The host could not be reached (refused, no route, connect timeout)."""


class AuthenticationFailed(RemotingError):
    """The host refused the credentials. The message names the user and scheme, never the password."""


class CertificateRejected(RemotingError):
    """The host's TLS certificate did not validate against the configured CA (or the system store)."""


class OperationTimedOut(RemotingError):
    """The host did not answer within the configured time."""


class PipelineCancelled(RemotingError):
    """The pipeline was stopped at the caller's request."""


class ReadOnlyRefused(RemotingError):
    """hvconsole runs read-only (--read-only): a pipeline that could change the host was not sent."""
