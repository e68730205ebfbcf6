"""Turning what comes over the wire into Python values.

Objects arrive as plain property dicts (remoting flattens pypsrp objects). Enums may arrive as their name
(a .NET enum's ToString) or as a number (CIM classes send raw uint16 values, reference §0.2); DateTime as
an ISO string with 7 fractional digits; TimeSpan as an xs:duration string.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Any, TypeVar

E = TypeVar("E", bound=enum.Enum)

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>[\d.]+)S)?)?$"
)


def to_enum(enum_type: type[E], value: Any, default: E) -> E:
    """Accept the member's value, its name (any case) or a string of its value; unknown → default."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        try:
            return enum_type(value)
        except ValueError:
            return default
    if isinstance(value, str):
        text = value.strip()
        for member in enum_type:
            if member.name.lower() == text.lower().replace(" ", ""):
                return member
            if isinstance(member.value, str) and member.value.lower() == text.lower():
                return member
        if text.isdigit():
            return to_enum(enum_type, int(text), default)
    return default


def to_datetime(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def to_timedelta(value: Any) -> datetime.timedelta | None:
    if isinstance(value, datetime.timedelta):
        return value
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value.strip())
    if not match:
        return None
    parts = match.groupdict()
    delta = datetime.timedelta(
        days=int(parts["days"] or 0),
        hours=int(parts["hours"] or 0),
        minutes=int(parts["minutes"] or 0),
        seconds=float(parts["seconds"] or 0),
    )
    return -delta if parts["sign"] else delta


def to_str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    return [str(value)]
