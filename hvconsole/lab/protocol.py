"""The boundary inside the lab between the wire (``lab.endpoint``) and the simulated host (``lab.engine``).

The endpoint speaks WS-Management + PSRP and knows nothing of Windows; the engine knows Windows and nothing
of the wire. They meet here, in plain Python values:

* the endpoint turns each CreatePipeline into ``CommandCall``s (+ pipeline input) and calls
  ``HostRunspace.invoke`` on a worker thread, handing it a ``PipelineSink``;
* the engine writes what the cmdlets produce to the sink (objects as ``PSObj``/primitives, errors as
  ``ErrorRec``, warnings, progress) and raises ``TerminatingError`` to end the pipeline as Failed;
* the endpoint serializes what reaches the sink to CLIXML.

Value mapping to CLIXML (what the endpoint must emit):
  None -> Nil, bool -> B, str -> S, int -> I32 (I64 if it does not fit), float -> Db,
  U8/U16/U32/U64/I64 -> By/U16/U32/U64/I64, datetime -> DT, timedelta -> TS, uuid.UUID -> G,
  Char -> C, PSEnum -> an enum object (type names + ToString + I32), list/tuple -> an
  ``System.Object[]`` LST, dict -> a Hashtable DCT, PSObj -> Obj with TN, ToString and MS (note properties)
  or Props (adapted properties, e.g. CimInstance properties), SecureText -> never serialized out
  (it is only ever input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class U8(int):
    """System.Byte"""


class U16(int):
    """System.UInt16"""


class U32(int):
    """System.UInt32"""


class U64(int):
    """System.UInt64"""


class I64(int):
    """System.Int64"""


class Char(str):
    """System.Char (a single character; '\\0' renders as an empty drive letter)."""


@dataclass(frozen=True)
class PSEnum:
    """A .NET enum value: serialized with its type names, ToString (the name) and the integer value."""

    type_name: str
    value: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class PSObj:
    """A complex object as PowerShell would serialize it.

    ``type_names`` is most-derived first, e.g.
    ("Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter",
     "Microsoft.Management.Infrastructure.CimInstance#MSFT_NetAdapter", ...,
     "Microsoft.Management.Infrastructure.CimInstance", "System.Object").
    ``properties`` keeps insertion order. ``adapted`` says whether they serialize as adapted properties
    (<Props>, as CimInstance and .NET object properties do) or note properties (<MS>, PSCustomObject).
    """

    type_names: tuple[str, ...]
    properties: dict[str, Any]
    to_string: str | None = None
    adapted: bool = True

    def get(self, name: str, default: Any = None) -> Any:
        """Case-insensitive property read, as PowerShell resolves member names."""
        if name in self.properties:
            return self.properties[name]
        lowered = name.lower()
        for key, value in self.properties.items():
            if key.lower() == lowered:
                return value
        return default


@dataclass(frozen=True)
class SecureText:
    """A SecureString parameter after the endpoint decrypted it. Never logged, never echoed back."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "SecureText(********)"

    def __str__(self) -> str:
        return "System.Security.SecureString"


@dataclass(frozen=True)
class Credential:
    """A PSCredential parameter (user name + decrypted password)."""

    username: str
    password: SecureText = field(repr=False)


@dataclass(frozen=True)
class CommandCall:
    """One command of a PSRP pipeline, as pypsrp's ``add_cmdlet/add_parameter/add_statement`` send it.

    ``parameters`` keeps the wire order; a name of None is a positional argument. Switches arrive as
    (name, True) from pypsrp's ``add_parameter(name)`` (value None is also a switch: treat it as True).
    ``is_script`` is True for ``add_script`` text, which the lab refuses.
    ``end_of_statement`` True means the next CommandCall starts a new statement (its own pipeline).
    """

    name: str
    parameters: tuple[tuple[str | None, Any], ...] = ()
    end_of_statement: bool = False
    is_script: bool = False


@dataclass
class ErrorRec:
    """An ErrorRecord as PowerShell shapes it.

    ``fqid`` is the full FullyQualifiedErrorId, e.g. "CmdletizationQuery_NotFound_Name,Get-NetAdapter".
    ``category`` is an ErrorCategory name ("ObjectNotFound", "InvalidArgument", "NotSpecified", ...).
    ``exception_type`` is the full .NET exception type ("Microsoft.Management.Infrastructure.CimException").
    ``activity`` is the CategoryInfo activity (normally the cmdlet name); ``reason`` defaults to the
    exception's short type name; ``target_name``/``target_type`` fill CategoryInfo's TargetName/TargetType.
    """

    message: str
    fqid: str
    category: str = "NotSpecified"
    exception_type: str = "System.Management.Automation.RuntimeException"
    activity: str | None = None
    reason: str | None = None
    target_name: str | None = None
    target_type: str | None = None
    target: Any = None

    @property
    def error_id(self) -> str:
        return self.fqid.split(",", 1)[0]


class TerminatingError(Exception):
    """Raised by the engine to end the pipeline in state Failed with this ErrorRecord."""

    def __init__(self, record: ErrorRec) -> None:
        super().__init__(record.message)
        self.record = record


class PipelineSink(Protocol):
    """Where a running pipeline writes. Implemented by the endpoint; thread-safe."""

    def output(self, obj: Any) -> None: ...

    def error(self, record: ErrorRec) -> None: ...

    def warning(self, message: str) -> None: ...

    def verbose(self, message: str) -> None: ...

    def progress(
        self,
        activity: str,
        status: str,
        percent: int = -1,
        seconds_remaining: int = -1,
        activity_id: int = 0,
        completed: bool = False,
    ) -> None: ...

    @property
    def stopping(self) -> bool:
        """True once the client asked to stop the pipeline (ctrl_c); long cmdlets poll it and return."""
        ...


class HostRunspace(Protocol):
    """One runspace of a simulated host (one per open runspace pool)."""

    def invoke(
        self, commands: list[CommandCall], input_objects: list[Any] | None, sink: PipelineSink
    ) -> None:
        """Run the pipeline to completion on the calling thread; raise TerminatingError to fail it."""
        ...


class LabHostBackend(Protocol):
    """What the endpoint needs from one simulated host."""

    @property
    def name(self) -> str: ...

    def check_credentials(self, username: str, password: str) -> bool: ...

    def open_runspace(self, username: str) -> HostRunspace: ...


__all__ = [
    "I64",
    "U8",
    "U16",
    "U32",
    "U64",
    "Char",
    "CommandCall",
    "Credential",
    "ErrorRec",
    "HostRunspace",
    "LabHostBackend",
    "PSEnum",
    "PSObj",
    "PipelineSink",
    "SecureText",
    "TerminatingError",
]
