"""Parameter types: how PowerShell converts a bound argument to the parameter's .NET type.

Each ``PSType`` knows its .NET name (used in error messages) and converts a wire value or raises
``ConversionFailed`` with the text PowerShell puts after ``Cannot convert value "v" to type "T".``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from hvconsole.lab.protocol import I64, U8, U16, U32, U64, Char, Credential, PSEnum, PSObj, SecureText

T = TypeVar("T")

_FORMAT_ERROR = "Input string was not in a correct format."


class ConversionFailed(Exception):
    """A value that does not convert. ``message`` is the whole inner message (after the parameter part).

    ``transformation`` marks conversions PowerShell reports as ParameterArgumentTransformationError even for
    compiled cmdlets (e.g. strings to [bool]).
    """

    def __init__(self, message: str, transformation: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transformation = transformation


def render_value(value: Any) -> str:
    """A value as PowerShell prints it inside a conversion error."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(render_value(v) for v in value)
    if isinstance(value, PSObj):
        return value.to_string or (value.type_names[0] if value.type_names else "System.Object")
    return str(value)


def cannot_convert(value: Any, type_name: str, detail: str) -> ConversionFailed:
    return ConversionFailed(
        f'Cannot convert value "{render_value(value)}" to type "{type_name}". Error: "{detail}"'
    )


class PSType(Generic[T]):
    """A parameter type. Subclasses implement ``convert``."""

    ps_name = "System.Object"
    is_switch = False
    is_array = False

    def convert(self, value: Any) -> T:
        return value  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<PSType {self.ps_name}>"


class _Object(PSType[Any]):
    ps_name = "System.Object"


class _String(PSType[str]):
    ps_name = "System.String"

    def convert(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, SecureText):
            return str(value)
        return render_value(value)


class _Integer(PSType[int]):
    def __init__(self, ps_name: str, low: int, high: int, wrap: type[int]) -> None:
        self.ps_name = ps_name
        self.low, self.high, self.wrap = low, high, wrap
        self.short = ps_name.split(".")[-1]

    def convert(self, value: Any) -> int:
        if isinstance(value, list | tuple) and len(value) == 1:
            value = value[0]
        if isinstance(value, bool):
            number = int(value)
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            number = int(value.strip())
        elif isinstance(value, str) and value.strip().lower().startswith("0x"):
            try:
                number = int(value.strip(), 16)
            except ValueError:
                raise cannot_convert(value, self.ps_name, _FORMAT_ERROR) from None
        elif isinstance(value, list | tuple):
            raise ConversionFailed(
                f'Cannot convert the "System.Object[]" value of type "System.Object[]" to type "{self.ps_name}".'
            )
        else:
            raise cannot_convert(value, self.ps_name, _FORMAT_ERROR)
        if not self.low <= number <= self.high:
            raise cannot_convert(
                value, self.ps_name, f"Value was either too large or too small for a {self.short}."
            )
        return self.wrap(number)


class _Bool(PSType[bool]):
    """[bool] parameters accept only booleans and numbers (PowerShell's rule, message below)."""

    ps_name = "System.Boolean"

    def convert(self, value: Any) -> bool:
        if isinstance(value, list | tuple) and len(value) == 1:
            value = value[0]
        if isinstance(value, bool | int):
            return bool(value)
        raise ConversionFailed(
            f'Cannot convert value "{type_name_of(value)}" to type "System.Boolean". Boolean parameters accept only '
            "Boolean values and numbers, such as $True, $False, 1 or 0.",
            transformation=True,
        )


class _Switch(PSType[bool]):
    """A switch: present (True or None on the wire) or -Switch:$false."""

    ps_name = "System.Management.Automation.SwitchParameter"
    is_switch = True

    def convert(self, value: Any) -> bool:
        if value is None:
            return True
        if isinstance(value, bool | int):
            return bool(value)
        raise ConversionFailed(
            f'Cannot convert value "{type_name_of(value)}" to type "System.Management.Automation.SwitchParameter". '
            "Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
            transformation=True,
        )


class _Char(PSType[Char]):
    ps_name = "System.Char"

    def convert(self, value: Any) -> Char:
        text = render_value(value)
        if len(text) != 1:
            raise cannot_convert(value, self.ps_name, "String must be exactly one character long.")
        return Char(text)


class _DateTime(PSType[datetime]):
    ps_name = "System.DateTime"

    def convert(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            raise cannot_convert(
                value, self.ps_name, "String was not recognized as a valid DateTime."
            ) from None


class _SecureString(PSType[SecureText]):
    ps_name = "System.Security.SecureString"

    def convert(self, value: Any) -> SecureText:
        if isinstance(value, SecureText):
            return value
        raise ConversionFailed(
            f'Cannot convert the "{render_value(value)}" value of type "{type_name_of(value)}" to type '
            f'"{self.ps_name}".'
        )


class _Credential(PSType[Credential]):
    ps_name = "System.Management.Automation.PSCredential"

    def convert(self, value: Any) -> Credential:
        if isinstance(value, Credential):
            return value
        raise ConversionFailed(
            f'Cannot convert the "{render_value(value)}" value of type "{type_name_of(value)}" to type '
            f'"{self.ps_name}".'
        )


class EnumType(PSType[str]):
    """A .NET enum parameter (e.g. ActionPreference). Converts to the canonical member name."""

    def __init__(self, ps_name: str, names: Sequence[str]) -> None:
        self.ps_name = ps_name
        self.names = tuple(names)

    def convert(self, value: Any) -> str:
        if isinstance(value, PSEnum):
            value = value.name
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(self.names):
            return self.names[value]  # inferred: enum values are positional for the enums we declare
        text = render_value(value).strip()
        for name in self.names:
            if name.lower() == text.lower():
                return name
        raise cannot_convert(
            value,
            self.ps_name,
            f"Unable to match the identifier name {text} to a valid enumerator name. Specify one of the "
            f"following enumerator names and try again:\r\n{', '.join(self.names)}",
        )


class ArrayOf(PSType[list[T]]):
    """T[]: a scalar becomes a one-element array; each element converts to T."""

    is_array = True

    def __init__(self, element: PSType[T]) -> None:
        self.element = element
        self.ps_name = element.ps_name + "[]"

    def convert(self, value: Any) -> list[T]:
        items = list(value) if isinstance(value, list | tuple) else [value]
        return [self.element.convert(item) for item in items]


def type_name_of(value: Any) -> str:
    """The .NET type name of a wire value (for messages)."""
    table: list[tuple[type, str]] = [
        (bool, "System.Boolean"),
        (U8, "System.Byte"),
        (U16, "System.UInt16"),
        (U32, "System.UInt32"),
        (U64, "System.UInt64"),
        (I64, "System.Int64"),
        (int, "System.Int32"),
        (float, "System.Double"),
        (str, "System.String"),
        (list, "System.Object[]"),
        (tuple, "System.Object[]"),
        (dict, "System.Collections.Hashtable"),
    ]
    for py_type, name in table:
        if isinstance(value, py_type):
            return name
    if isinstance(value, PSObj) and value.type_names:
        return value.type_names[0]
    return "System.Object"


OBJECT: PSType[Any] = _Object()
STRING: PSType[str] = _String()
INT32: PSType[int] = _Integer("System.Int32", -(2**31), 2**31 - 1, int)
INT64: PSType[int] = _Integer("System.Int64", -(2**63), 2**63 - 1, I64)
BYTE: PSType[int] = _Integer("System.Byte", 0, 2**8 - 1, U8)
UINT16: PSType[int] = _Integer("System.UInt16", 0, 2**16 - 1, U16)
UINT32: PSType[int] = _Integer("System.UInt32", 0, 2**32 - 1, U32)
UINT64: PSType[int] = _Integer("System.UInt64", 0, 2**64 - 1, U64)
BOOL: PSType[bool] = _Bool()
SWITCH: PSType[bool] = _Switch()
CHAR: PSType[Char] = _Char()
DATETIME: PSType[datetime] = _DateTime()
SECURESTRING: PSType[SecureText] = _SecureString()
CREDENTIAL: PSType[Credential] = _Credential()
STRINGS: PSType[list[str]] = ArrayOf(STRING)
OBJECTS: PSType[list[Any]] = ArrayOf(OBJECT)
UINT32S: PSType[list[int]] = ArrayOf(UINT32)

ACTION_PREFERENCE = EnumType(
    "System.Management.Automation.ActionPreference",
    ["SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend"],
)


class ObjectType(PSType[Any]):
    """An object parameter that only takes objects of a type (by PSObj type name), e.g. CimInstance#MSFT_Disk.

    Pipeline binding by value matches on the type name without conversion, so a piped MSFT_Disk binds to
    -InputObject and not to a string parameter.
    """

    def __init__(self, ps_name: str, accepts: Sequence[str]) -> None:
        self.ps_name = ps_name
        self.accepts = tuple(a.lower() for a in accepts)

    def matches(self, value: Any) -> bool:
        return isinstance(value, PSObj) and any(t.lower() in self.accepts for t in value.type_names)

    def convert(self, value: Any) -> Any:
        if self.matches(value):
            return value
        raise ConversionFailed(
            f'Cannot convert the "{render_value(value)}" value of type "{type_name_of(value)}" to type '
            f'"{self.ps_name}".'
        )


def matches_without_conversion(ps_type: PSType[Any], value: Any) -> bool:
    """PowerShell's first pipeline binding pass: the value already has the parameter's type."""
    if isinstance(ps_type, ArrayOf):
        items = value if isinstance(value, list | tuple) else [value]
        return all(matches_without_conversion(ps_type.element, item) for item in items)
    if isinstance(ps_type, ObjectType):
        return ps_type.matches(value)
    if ps_type is OBJECT:
        return True
    if ps_type is STRING:
        return isinstance(value, str)
    if isinstance(ps_type, _Integer):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(ps_type, _Bool | _Switch):
        return isinstance(value, bool)
    return False
