"""``Param``: one declared cmdlet parameter (a class attribute of a ``Cmdlet``; reads return the bound value)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from hvconsole.lab.engine.types import ACTION_PREFERENCE, OBJECT, STRING, SWITCH, UINT32, PSType

if TYPE_CHECKING:
    from hvconsole.lab.engine.cmdlet import Cmdlet

T = TypeVar("T")


class Param(Generic[T]):
    """A parameter as PowerShell's [Parameter()] attribute declares it.

    * ``ps_type``: the .NET type (``types.STRING``, ``types.ArrayOf(types.UINT32)``, ``types.SWITCH``...)
    * ``mandatory``: in these parameter sets (a remote pipeline cannot prompt: missing → binding error)
    * ``position``: positional index (``None`` = named only)
    * ``aliases``: other names (``ifAlias``, ``InterfaceAlias``)
    * ``from_pipeline`` / ``from_pipeline_by_name``: ValueFromPipeline / ValueFromPipelineByPropertyName
    * ``validate_set``: ValidateSet values (case-insensitive; the bound value takes the set's spelling)
    * ``sets``: parameter set names this parameter belongs to (empty = all sets)
    * ``default``: what a read returns when the parameter was not bound
    * ``name``: the PowerShell name, defaults to the attribute name

    Read on an instance (``self.Name``) it returns the bound value or ``default``.
    """

    def __init__(
        self,
        ps_type: PSType[T],
        *,
        mandatory: bool = False,
        position: int | None = None,
        aliases: Sequence[str] = (),
        from_pipeline: bool = False,
        from_pipeline_by_name: bool = False,
        validate_set: Sequence[str] | None = None,
        sets: Sequence[str] = (),
        default: Any = None,
        name: str | None = None,
    ) -> None:
        self.ps_type = ps_type
        self.mandatory = mandatory
        self.position = position
        self.aliases = tuple(aliases)
        self.from_pipeline = from_pipeline
        self.from_pipeline_by_name = from_pipeline_by_name
        self.validate_set = tuple(validate_set) if validate_set is not None else None
        self.sets = tuple(sets)
        self.default = default
        self.name = name or ""

    def __set_name__(self, owner: type, attribute: str) -> None:
        if not self.name:
            self.name = attribute

    @overload
    def __get__(self, obj: None, owner: type) -> Param[T]: ...

    @overload
    def __get__(self, obj: Cmdlet, owner: type) -> T: ...

    def __get__(self, obj: Cmdlet | None, owner: type) -> Param[T] | T:
        if obj is None:
            return self
        return obj.bound.get(self.name, self.default)  # type: ignore[no-any-return]

    def in_set(self, set_name: str) -> bool:
        return not self.sets or set_name in self.sets

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def __repr__(self) -> str:
        return f"<Param -{self.name} {self.ps_type.ps_name}>"


def _common() -> dict[str, Param[Any]]:
    """PowerShell's common parameters (every cmdlet accepts them)."""
    params: list[Param[Any]] = [
        Param(SWITCH, name="Verbose", aliases=("vb",)),
        Param(SWITCH, name="Debug", aliases=("db",)),
        Param(ACTION_PREFERENCE, name="ErrorAction", aliases=("ea",)),
        Param(ACTION_PREFERENCE, name="WarningAction", aliases=("wa",)),
        Param(ACTION_PREFERENCE, name="InformationAction", aliases=("infa",)),
        Param(STRING, name="ErrorVariable", aliases=("ev",)),
        Param(STRING, name="WarningVariable", aliases=("wv",)),
        Param(STRING, name="InformationVariable", aliases=("iv",)),
        Param(STRING, name="OutVariable", aliases=("ov",)),
        Param(UINT32, name="OutBuffer", aliases=("ob",)),
        Param(STRING, name="PipelineVariable", aliases=("pv",)),
    ]
    return {p.name: p for p in params}


COMMON_PARAMETERS: dict[str, Param[Any]] = _common()
SHOULD_PROCESS_PARAMETERS: dict[str, Param[Any]] = {
    "WhatIf": Param(SWITCH, name="WhatIf", aliases=("wi",)),
    "Confirm": Param(SWITCH, name="Confirm", aliases=("cf",)),
}
# CDXML (cmdletization) cmdlets also take these (reference §0.2: they are functions over CIM).
CIM_PARAMETERS: dict[str, Param[Any]] = {
    "CimSession": Param(OBJECT, name="CimSession", aliases=("Session",)),
    "ThrottleLimit": Param(UINT32, name="ThrottleLimit"),
    "AsJob": Param(SWITCH, name="AsJob"),
}
