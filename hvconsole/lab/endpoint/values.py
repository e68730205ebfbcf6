"""Turn psrpcore's deserialized values (parameters, pipeline input) into plain Python for the engine."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from psrpcore.types import PSChar, PSCredential, PSObject, PSSecureString, PSVersion

from hvconsole.lab.protocol import Char, CommandCall, Credential, PSObj, SecureText

_MAX_DEPTH = 32


def _strip_deserialized(type_names: list[str]) -> tuple[str, ...]:
    return tuple(name.removeprefix("Deserialized.") for name in type_names)


def _properties(value: PSObject, depth: int) -> tuple[dict[str, Any], bool]:
    meta = value.PSObject
    properties: dict[str, Any] = {}
    for prop in meta.adapted_properties:
        properties[prop.name] = to_plain(prop.get_value(value), depth + 1)
    for prop in meta.extended_properties:
        properties[prop.name] = to_plain(prop.get_value(value), depth + 1)
    adapted = bool(meta.adapted_properties) and not meta.extended_properties
    return properties, adapted


def to_plain(value: Any, depth: int = 0) -> Any:
    """Convert one value; PSObj/SecureText/Credential stand for complex objects, secrets and credentials."""
    if depth > _MAX_DEPTH:
        raise ValueError("the value is nested too deeply")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, PSSecureString):
        return SecureText(str.__str__(value.decrypt()))
    if isinstance(value, PSCredential):
        password = value.Password
        secret = password if isinstance(password, SecureText) else to_plain(password, depth + 1)
        if not isinstance(secret, SecureText):
            secret = SecureText("" if secret is None else str(secret))
        return Credential(str.__str__(value.UserName), secret)
    if isinstance(value, PSChar):
        return Char(chr(int(value)))
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.datetime):
        return datetime.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=value.tzinfo,
        )
    if isinstance(value, datetime.timedelta):
        return datetime.timedelta(days=value.days, seconds=value.seconds, microseconds=value.microseconds)
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=value.int)
    if isinstance(value, decimal.Decimal):
        return decimal.Decimal(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, PSVersion):
        return str(value)
    if isinstance(value, dict):
        return {to_plain(key, depth + 1): to_plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item, depth + 1) for item in value]
    if isinstance(value, PSObject):
        properties, adapted = _properties(value, depth)
        type_names = _strip_deserialized(list(value.PSObject.type_names))
        return PSObj(type_names, properties, value.PSObject.to_string, adapted)
    return value


def to_command_calls(commands: list[Any]) -> list[CommandCall]:
    """psrpcore Command objects (pipeline.metadata.commands) as protocol CommandCalls."""
    calls = []
    for command in commands:
        parameters = tuple(
            (None if name is None else str.__str__(name), to_plain(value))
            for name, value in command.parameters
        )
        calls.append(
            CommandCall(
                name=str.__str__(command.command_text),
                parameters=parameters,
                end_of_statement=bool(command.end_of_statement),
                is_script=bool(command.is_script),
            )
        )
    return calls


__all__ = ["to_command_calls", "to_plain"]
