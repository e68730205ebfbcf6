"""What a pipeline run returns, and plain-Python views of the objects pypsrp deserializes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pypsrp.complex_objects import GenericComplexObject

from hvconsole.remoting.errors import RemoteError


@dataclass(frozen=True)
class ProgressInfo:
    activity: str
    status: str
    percent: int
    current_operation: str | None = None
    seconds_remaining: int = -1


@dataclass(frozen=True)
class PipelineResult:
    """``had_errors`` is True when the pipeline ended Failed (a terminating error, the last of ``errors``).
    Non-terminating errors leave it False and are still listed in ``errors``: check both (or ``ok``)."""

    host: str
    objects: list[Any]
    errors: list[RemoteError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    progress: list[ProgressInfo] = field(default_factory=list)
    had_errors: bool = False
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.had_errors and not self.errors

    @property
    def terminating_error(self) -> RemoteError | None:
        if not self.had_errors:
            return None
        return self.errors[-1] if self.errors else RemoteError("the pipeline failed", host=self.host)

    def dicts(self) -> list[dict[str, Any]]:
        """Every output object as a plain dict (see ``properties``); primitives are returned as they are."""
        return [properties(o) if isinstance(o, GenericComplexObject) else o for o in self.objects]


def progress_info(record: Any) -> ProgressInfo:
    return ProgressInfo(
        activity=str(record.activity or ""),
        status=str(record.description or ""),
        percent=int(record.percent_complete if record.percent_complete is not None else -1),
        current_operation=record.current_operation,
        seconds_remaining=int(record.seconds_remaining if record.seconds_remaining is not None else -1),
    )


def result_of(ps: Any, host: str, duration: float) -> PipelineResult:
    """Collect a finished pypsrp PowerShell's output and streams."""
    return PipelineResult(
        host=host,
        objects=list(ps.output),
        errors=[RemoteError.from_record(r, host=host) for r in ps.streams.error],
        warnings=[str(getattr(w, "message", "") or "") for w in ps.streams.warning],
        progress=[progress_info(p) for p in ps.streams.progress],
        had_errors=bool(ps.had_errors),
        duration=duration,
    )


def type_name(obj: Any) -> str | None:
    """The most-derived type name of a deserialized object ("Microsoft.Management...#MSFT_NetAdapter")."""
    types = getattr(obj, "types", None)
    return types[0] if types else None


def _plain(value: Any) -> Any:
    if isinstance(value, GenericComplexObject):
        names = value.types or []
        if "System.Enum" in names:
            if value.to_string is not None:
                return value.to_string
            return value.property_sets[0] if value.property_sets else None
        if value.adapted_properties or value.extended_properties:
            return properties(value)
        return value.to_string
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def properties(obj: GenericComplexObject) -> dict[str, Any]:
    """Adapted then extended (note) properties as a dict; enums become their name, nested objects dicts."""
    merged = {**obj.adapted_properties, **obj.extended_properties}
    return {name: _plain(value) for name, value in merged.items()}
