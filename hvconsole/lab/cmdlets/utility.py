"""Microsoft.PowerShell.Utility / Core generic cmdlets: Select-Object, Where-Object, Sort-Object, Get-Date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import (
    first_type_name,
    has_wildcards,
    like,
    note_object,
    property_names,
    read_property,
)
from hvconsole.lab.protocol import PSEnum

UTILITY = "Microsoft.PowerShell.Utility"
PS_CUSTOM_OBJECT = "System.Management.Automation.PSCustomObject"


def _expand_names(obj: Any, patterns: list[str]) -> list[str]:
    names: list[str] = []
    available = property_names(obj)
    for pattern in patterns:
        if has_wildcards(pattern):
            names.extend(n for n in available if like(n, pattern) and n not in names)
        elif pattern not in names:
            found = next((n for n in available if n.lower() == pattern.lower()), pattern)
            names.append(found)
    return names


@cmdlet
class SelectObject(Cmdlet):
    command_name = "Select-Object"
    module_name = UTILITY
    class_name = "Microsoft.PowerShell.Commands.SelectObjectCommand"
    command_aliases = ("select",)

    InputObject = Param(types.OBJECT, from_pipeline=True)
    Property = Param(types.OBJECTS, position=0)
    ExcludeProperty = Param(types.STRINGS)
    ExpandProperty = Param(types.STRING)
    Unique = Param(types.SWITCH)
    First = Param(types.INT32)
    Last = Param(types.INT32)
    Skip = Param(types.INT32)

    def begin(self) -> Iterator[Any]:
        self._seen = 0
        self._emitted = 0
        self._kept: list[Any] = []
        self._unique: list[Any] = []
        return iter(())

    def process(self) -> Iterator[Any]:
        obj = self.InputObject
        if obj is None and not self.was_bound("InputObject"):
            return
        self._seen += 1
        if self.Skip and self._seen <= self.Skip:
            return
        if self.was_bound("Last"):
            self._kept.append(obj)
            return
        yield from self._emit(obj)

    def end(self) -> Iterator[Any]:
        if self.was_bound("Last"):
            for obj in self._kept[-self.Last :] if self.Last else []:
                yield from self._emit(obj)

    def _emit(self, obj: Any) -> Iterator[Any]:
        if self.was_bound("First") and self._emitted >= self.First:
            self.stop_upstream = True
            return
        for item in self._shape(obj):
            if self.Unique:
                if item in self._unique:
                    continue
                self._unique.append(item)
            self._emitted += 1
            yield item
        if self.was_bound("First") and self._emitted >= self.First:
            self.stop_upstream = True

    def _shape(self, obj: Any) -> list[Any]:
        if self.ExpandProperty:
            found, value = read_property(obj, self.ExpandProperty)
            if not found:
                self.write_error(
                    self.make_error(
                        f'Property "{self.ExpandProperty}" cannot be found.',
                        "ExpandPropertyNotFound",
                        category="InvalidArgument",
                        exception_type="System.Management.Automation.PSArgumentException",
                        target=obj,
                    )
                )
                return []
            return list(value) if isinstance(value, list | tuple) else [value]
        if not self.Property:
            return [obj]
        patterns = [str(p) for p in self.Property if isinstance(p, str)]
        names = _expand_names(obj, patterns)
        excluded = self.ExcludeProperty or []
        names = [n for n in names if not any(like(n, x) for x in excluded)]
        props = {name: read_property(obj, name)[1] for name in names}
        return [note_object((f"Selected.{first_type_name(obj)}", PS_CUSTOM_OBJECT, "System.Object"), props)]


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Convert the right operand to the left one's type, as PowerShell does."""
    if isinstance(left, PSEnum):
        return (
            (left.name.lower(), str(right.name if isinstance(right, PSEnum) else right).lower())
            if not (isinstance(right, int) and not isinstance(right, bool))
            else (left.value, right)
        )
    if isinstance(left, bool):
        return left, bool(right) if not isinstance(right, str) else right.lower() == "true"
    if isinstance(left, int | float):
        try:
            return left, type(left)(right) if not isinstance(right, float) else right
        except (TypeError, ValueError):
            return str(left).lower(), str(right).lower()
    if isinstance(left, str):
        return left.lower(), ("" if right is None else str(right)).lower()
    return left, right


def compare(left: Any, op: str, right: Any) -> bool:
    if isinstance(left, list | tuple) and op in {"EQ", "NE", "Like", "NotLike", "Match"}:
        hits = [x for x in left if compare(x, op, right)]
        return bool(hits)
    if op in ("Like", "NotLike"):
        result = like(left, str(right))
        return result if op == "Like" else not result
    if op in ("Match", "NotMatch"):
        result = re.search(str(right), "" if left is None else str(left), re.IGNORECASE) is not None
        return result if op == "Match" else not result
    if op == "Contains":
        items = left if isinstance(left, list | tuple) else [left]
        return any(compare(item, "EQ", right) for item in items)
    if op == "In":
        items = right if isinstance(right, list | tuple) else [right]
        return any(compare(left, "EQ", item) for item in items)
    if left is None or right is None:
        return {"EQ": left is right or left == right, "NE": left != right}.get(op, False)
    a, b = _comparable(left, right)
    try:
        return bool({"EQ": a == b, "NE": a != b, "GT": a > b, "LT": a < b, "GE": a >= b, "LE": a <= b}[op])
    except TypeError:
        return False


def _truthy(value: Any) -> bool:
    if isinstance(value, PSEnum):
        return value.value != 0
    if isinstance(value, list | tuple):
        return len(value) > 0 and (len(value) > 1 or _truthy(value[0]))
    return bool(value)


_OPERATORS = ("EQ", "NE", "GT", "LT", "GE", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains", "In")


@cmdlet
class WhereObject(Cmdlet):
    command_name = "Where-Object"
    module_name = "Microsoft.PowerShell.Core"
    class_name = "Microsoft.PowerShell.Commands.WhereObjectCommand"
    command_aliases = ("where", "?")
    default_set = "EqualSet"

    InputObject = Param(types.OBJECT, from_pipeline=True)
    Property = Param(types.STRING, position=0)
    Value = Param(types.OBJECT, position=1)
    EQ = Param(types.SWITCH, sets=("EqualSet",), aliases=("IEQ",))
    NE = Param(types.SWITCH, sets=("NotEqualSet",), aliases=("INE",))
    GT = Param(types.SWITCH, sets=("GreaterThanSet",), aliases=("IGT",))
    LT = Param(types.SWITCH, sets=("LessThanSet",), aliases=("ILT",))
    GE = Param(types.SWITCH, sets=("GreaterOrEqualSet",), aliases=("IGE",))
    LE = Param(types.SWITCH, sets=("LessOrEqualSet",), aliases=("ILE",))
    Like = Param(types.SWITCH, sets=("LikeSet",), aliases=("ILike",))
    NotLike = Param(types.SWITCH, sets=("NotLikeSet",), aliases=("INotLike",))
    Match = Param(types.SWITCH, sets=("MatchSet",), aliases=("IMatch",))
    NotMatch = Param(types.SWITCH, sets=("NotMatchSet",), aliases=("INotMatch",))
    Contains = Param(types.SWITCH, sets=("ContainsSet",), aliases=("IContains",))
    In = Param(types.SWITCH, sets=("InSet",), aliases=("IIn",))

    def process(self) -> Iterator[Any]:
        obj = self.InputObject
        if obj is None or not self.Property:
            return
        found, left = read_property(obj, self.Property)
        op = next((o for o in _OPERATORS if self.bound.get(o)), None)
        if op is None and not self.was_bound("Value"):
            if found and _truthy(left):
                yield obj
            return
        if compare(left, op or "EQ", self.Value):
            yield obj


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, PSEnum):
        return (1, value.value)
    if isinstance(value, bool | int | float):
        return (1, value)
    if isinstance(value, datetime):
        return (2, value.timestamp())
    return (3, str(value).lower())


@cmdlet
class SortObject(Cmdlet):
    command_name = "Sort-Object"
    module_name = UTILITY
    class_name = "Microsoft.PowerShell.Commands.SortObjectCommand"
    command_aliases = ("sort",)

    InputObject = Param(types.OBJECT, from_pipeline=True)
    Property = Param(types.OBJECTS, position=0)
    Descending = Param(types.SWITCH)
    Unique = Param(types.SWITCH)

    def begin(self) -> Iterator[Any]:
        self._items: list[Any] = []
        return iter(())

    def process(self) -> Iterator[Any]:
        if self.was_bound("InputObject"):
            self._items.append(self.InputObject)
        return iter(())

    def end(self) -> Iterator[Any]:
        names = [str(p) for p in self.Property or []]

        def key(obj: Any) -> tuple[tuple[int, Any], ...]:
            if not names:
                return (_sort_key(obj),)
            return tuple(_sort_key(read_property(obj, n)[1]) for n in names)

        ordered = sorted(self._items, key=key, reverse=bool(self.Descending))
        if self.Unique:
            seen: list[Any] = []
            for item in ordered:
                if key(item) not in seen:
                    seen.append(key(item))
                    yield item
            return
        yield from ordered


@cmdlet
class GetDate(Cmdlet):
    command_name = "Get-Date"
    module_name = UTILITY
    class_name = "Microsoft.PowerShell.Commands.GetDateCommand"

    def process(self) -> Iterator[Any]:
        # inferred: the simulated hosts run in UTC; the time is the lab clock's
        yield datetime.fromtimestamp(self.world.host_now(self.host), tz=UTC)  # the host's own clock


@cmdlet
class StartSleep(Cmdlet):
    """Start-Sleep waits in real time (what the admin asked for), releasing the world meanwhile."""

    command_name = "Start-Sleep"
    module_name = UTILITY
    class_name = "Microsoft.PowerShell.Commands.StartSleepCommand"
    default_set = "Seconds"
    command_aliases = ("sleep",)

    Seconds = Param(types.INT32, position=0, sets=("Seconds",), mandatory=True)  # Int32 in Windows PowerShell 5.1
    Milliseconds = Param(types.INT32, sets=("Milliseconds",), mandatory=True, aliases=("ms",))

    def process(self) -> Iterator[Any]:
        seconds = self.Milliseconds / 1000 if self.parameter_set == "Milliseconds" else self.Seconds
        self.wait(float(seconds))
        return iter(())


__all__ = ["GetDate", "SelectObject", "SortObject", "StartSleep", "WhereObject", "compare"]
