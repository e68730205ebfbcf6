"""Helpers to build the objects cmdlets emit (CIM instances, .NET objects, note objects) and to match
wildcards and read properties the way PowerShell does."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from hvconsole.lab.protocol import PSObj

CIM_INSTANCE = "Microsoft.Management.Infrastructure.CimInstance"


def cim_type_names(namespace: str, cim_class: str) -> tuple[str, ...]:
    """E.g. ("…CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter", "…CimInstance#MSFT_NetAdapter",
    "…CimInstance", "System.Object") (reference §0.2). ``namespace`` is spelled as the cmdlet queries it
    ("ROOT/StandardCimv2" for CDXML modules, "root/cimv2" for Get-CimInstance's default)."""
    return (
        f"{CIM_INSTANCE}#{namespace}/{cim_class}",
        f"{CIM_INSTANCE}#{cim_class}",
        CIM_INSTANCE,
        "System.Object",
    )


def cim_object(
    namespace: str, cim_class: str, properties: dict[str, Any], to_string: str | None = None
) -> PSObj:
    """A CimInstance: its CIM properties serialize as adapted properties."""
    return PSObj(cim_type_names(namespace, cim_class), properties, to_string=to_string, adapted=True)


def dotnet_object(
    type_names: Iterable[str], properties: dict[str, Any], to_string: str | None = None
) -> PSObj:
    """A .NET object (ServiceController, Feature, ...): adapted properties; 'System.Object' is appended."""
    names = tuple(type_names)
    if not names or names[-1] != "System.Object":
        names = (*names, "System.Object")
    return PSObj(names, properties, to_string=to_string, adapted=True)


def note_object(type_names: Iterable[str], properties: dict[str, Any]) -> PSObj:
    """A PSCustomObject-like object: note properties."""
    names = tuple(type_names)
    return PSObj(names, properties, to_string=None, adapted=False)


def has_wildcards(text: str) -> bool:
    return any(ch in text for ch in "*?[")


@lru_cache(maxsize=512)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "`" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                out.append("[" + pattern[i + 1 : end].replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


def like(text: Any, pattern: str) -> bool:
    """PowerShell's -like (case-insensitive wildcard match)."""
    return bool(_wildcard_regex(pattern).match("" if text is None else str(text)))


def matches_any(text: Any, patterns: Iterable[str] | None) -> bool:
    """True when no patterns were given or one matches (wildcards allowed)."""
    if patterns is None:
        return True
    return any(like(text, p) for p in patterns)


_MISSING = object()


def read_property(obj: Any, name: str) -> tuple[bool, Any]:
    """(found, value) of a member, case-insensitively, for PSObj, dicts and plain Python objects."""
    if isinstance(obj, PSObj):
        value = obj.get(name, _MISSING)
        return (value is not _MISSING, None if value is _MISSING else value)
    if isinstance(obj, dict):
        for key, value in obj.items():
            if str(key).lower() == name.lower():
                return True, value
        return False, None
    if isinstance(obj, str) and name.lower() == "length":
        return True, len(obj)
    return False, None


def property_names(obj: Any) -> list[str]:
    if isinstance(obj, PSObj):
        return list(obj.properties)
    if isinstance(obj, dict):
        return [str(k) for k in obj]
    return []


def first_type_name(obj: Any) -> str:
    if isinstance(obj, PSObj) and obj.type_names:
        return obj.type_names[0]
    from hvconsole.lab.engine.types import type_name_of

    return type_name_of(obj)
