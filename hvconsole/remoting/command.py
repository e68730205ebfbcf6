"""Structured PowerShell commands: the only thing hvconsole ever sends to a host.

A ``Command`` is a cmdlet name plus ordered named parameters; a ``Pipeline`` is one or more statements, each a
chain of Commands piped together. Cmdlet and parameter names are validated, values are typed, and there is
no API that carries script text, so no input can ever become PowerShell code on the host.

    Pipeline.of(Command("Get-NetAdapter").param("Name", "Ethernet"))
    Command("Get-Cluster", Name="C1") | Command("Get-ClusterNode")
    Pipeline([Command("Get-Disk"), Command("Get-Volume")])           # two statements
    Command("Restart-Computer").switch("Force")
    Command("New-Cluster", Name="C1", StaticAddress=["10.0.0.9"], NoStorage=SWITCH)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

_CMDLET_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9]*")
_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MASK = "********"


@dataclass(frozen=True)
class Secret:
    """A value sent as a SecureString. Its text shows nowhere: not in repr, str, logs or the preview."""

    _value: str = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self._value, str):
            raise TypeError("a Secret holds a str")

    def reveal(self) -> str:
        """The plain text, for the wire only (it is encrypted by the session key before it leaves)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK


@dataclass(frozen=True)
class PSCredentialValue:
    """A PSCredential parameter value: a user name and a Secret password."""

    username: str
    password: Secret

    def __post_init__(self) -> None:
        if not isinstance(self.username, str) or not isinstance(self.password, Secret):
            raise TypeError("PSCredentialValue(username: str, password: Secret)")


@dataclass(frozen=True)
class Switch:
    """A switch parameter that is present (``-Force``). Use the ``SWITCH`` constant."""

    def __repr__(self) -> str:
        return "SWITCH"


SWITCH = Switch()

ListItem: TypeAlias = str | int | bool


@dataclass(frozen=True)
class Hashtable:
    """A hashtable argument (``-Arguments @{Flags=0}`` of Invoke-CimMethod): string keys, plain values.

    ``Hashtable.of(SearchCriteria="IsInstalled=0")`` or ``Hashtable((("ProductKey", key),))``."""

    items: tuple[tuple[str, ListItem | tuple[ListItem, ...]], ...]

    def __post_init__(self) -> None:
        for key, value in self.items:
            if not isinstance(key, str) or not _PARAMETER_NAME.fullmatch(key):
                raise ValueError(f"not a hashtable key: {key!r}")
            items = value if isinstance(value, tuple) else (value,)
            if not all(isinstance(v, str | int | bool) for v in items):
                raise TypeError(f"hashtable value for {key!r} must be str, int or bool (or a tuple of them)")

    @classmethod
    def of(cls, **items: ListItem | tuple[ListItem, ...]) -> Hashtable:
        return cls(tuple(items.items()))


Value: TypeAlias = str | int | bool | Switch | Secret | PSCredentialValue | Hashtable | tuple[ListItem, ...]
ValueInput: TypeAlias = (
    str | int | bool | Switch | Secret | PSCredentialValue | Hashtable | Sequence[ListItem]
)


def _check_value(name: str, value: object) -> Value:
    if isinstance(value, str | int | bool | Switch | Secret | PSCredentialValue | Hashtable):
        return value
    if isinstance(value, list | tuple):
        for item in value:
            if not isinstance(item, str | int | bool):
                raise TypeError(
                    f"parameter -{name}: list items must be str, int or bool, not {type(item).__name__}"
                )
        return tuple(value)
    raise TypeError(f"parameter -{name}: unsupported value type {type(value).__name__}")


@dataclass(frozen=True)
class Command:
    """One cmdlet with ordered named parameters. Immutable: ``param``/``switch`` return a new Command."""

    name: str
    parameters: tuple[tuple[str, Value], ...] = ()

    def __init__(
        self, name: str, parameters: Iterable[tuple[str, ValueInput]] = (), **named: ValueInput
    ) -> None:
        if not isinstance(name, str) or not _CMDLET_NAME.fullmatch(name):
            raise ValueError(f"not a cmdlet name (Verb-Noun, letters and digits only): {name!r}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "parameters", ())
        checked: list[tuple[str, Value]] = []
        for key, value in [*parameters, *named.items()]:
            checked.append(self._checked(checked, key, value))
        object.__setattr__(self, "parameters", tuple(checked))

    @staticmethod
    def _checked(existing: Sequence[tuple[str, Value]], key: str, value: object) -> tuple[str, Value]:
        if not isinstance(key, str) or not _PARAMETER_NAME.fullmatch(key):
            raise ValueError(f"not a parameter name: {key!r}")
        if any(k.lower() == key.lower() for k, _ in existing):
            raise ValueError(f"parameter -{key} given twice")
        return key, _check_value(key, value)

    def param(self, name: str, value: ValueInput) -> Command:
        """A copy with one more parameter (``-Name value``)."""
        return Command(self.name, [*self.parameters, (name, value)])

    def switch(self, name: str) -> Command:
        """A copy with a switch parameter present (``-Name``)."""
        return self.param(name, SWITCH)

    def get(self, name: str) -> Value | None:
        """A parameter value by case-insensitive name, or None."""
        return next((v for k, v in self.parameters if k.lower() == name.lower()), None)

    def __or__(self, other: Command) -> Statement:
        return Statement((self,)) | other


@dataclass(frozen=True)
class Statement:
    """Commands piped together: ``a | b | c``."""

    commands: tuple[Command, ...]

    def __post_init__(self) -> None:
        if not self.commands or not all(isinstance(c, Command) for c in self.commands):
            raise ValueError("a statement is one or more Commands")

    def __or__(self, other: Command) -> Statement:
        if not isinstance(other, Command):
            return NotImplemented
        return Statement((*self.commands, other))


def _as_statement(item: Statement | Command) -> Statement:
    if isinstance(item, Command):
        return Statement((item,))
    if isinstance(item, Statement):
        return item
    raise TypeError(f"a pipeline statement is a Command or Statement, not {type(item).__name__}")


@dataclass(frozen=True)
class Pipeline:
    """One or more statements run in order in one round trip, like lines of a script without the script."""

    statements: tuple[Statement, ...]

    def __init__(self, statements: Iterable[Statement | Command]) -> None:
        checked = tuple(_as_statement(s) for s in statements)
        if not checked:
            raise ValueError("a pipeline has at least one statement")
        object.__setattr__(self, "statements", checked)

    @classmethod
    def of(cls, *statements: Statement | Command) -> Pipeline:
        """``Pipeline.of(a | b, c)``: each argument is one statement."""
        return cls(statements)

    def then(self, statement: Statement | Command) -> Pipeline:
        """A copy with one more statement at the end."""
        return Pipeline([*self.statements, statement])

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(c for s in self.statements for c in s.commands)

    @property
    def has_secrets(self) -> bool:
        """True when a value needs the session key (SecureString or PSCredential)."""
        return any(isinstance(v, Secret | PSCredentialValue) for c in self.commands for _, v in c.parameters)

    def mentions(self, cmdlet: str) -> bool:
        return any(c.name.lower() == cmdlet.lower() for c in self.commands)
