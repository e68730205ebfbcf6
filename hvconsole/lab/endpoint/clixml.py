"""A small, fast CLIXML writer for pipeline output objects (MS-PSRP 2.2.5), following protocol.py's mapping.

psrpcore's serializer is general but slow for many objects; output objects are built here as text directly.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import re
import uuid
from collections.abc import Callable
from typing import Any

from hvconsole.lab.protocol import I64, U8, U16, U32, U64, Char, Credential, PSEnum, PSObj, SecureText

_INT32 = range(-(2**31), 2**31)
_INT64 = range(-(2**63), 2**63)
_UINT64 = range(2**64)

# C0/C1 controls, surrogates and astral characters are written as _xHHHH_ (UTF-16 code units), and an
# underscore that starts "_x" is itself escaped as _x005F_ so that the reader does not decode it.
_SPECIAL = re.compile("[\u0000-\u001f\u007f-\u009f\ud800-\udfff\U00010000-\U0010ffff]|_(?=[xX])")
_XML_CHARS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _encode_special(match: re.Match[str]) -> str:
    text = match.group(0)
    if text == "_":
        return "_x005F_"
    units = text.encode("utf-16-be", "surrogatepass")
    return "".join(f"_x{units[i]:02X}{units[i + 1]:02X}_" for i in range(0, len(units), 2))


def escape_text(value: str) -> str:
    """Escape a string for a CLIXML element or attribute value."""
    if _SPECIAL.search(value):
        value = _SPECIAL.sub(_encode_special, value)
    return value.translate(_XML_CHARS)


def format_datetime(value: datetime.datetime) -> str:
    text = value.strftime("%Y-%m-%dT%H:%M:%S") + f".{value.microsecond:06d}0"
    offset = value.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_duration(value: datetime.timedelta) -> str:
    """xs:duration as .NET's XmlConvert writes a TimeSpan, e.g. PT9.0269026S or P1DT2H."""
    ticks = (value.days * 86400 + value.seconds) * 10_000_000 + value.microseconds * 10
    sign = "-" if ticks < 0 else ""
    ticks = abs(ticks)
    days, rest = divmod(ticks, 864_000_000_000)
    hours, rest = divmod(rest, 36_000_000_000)
    minutes, rest = divmod(rest, 600_000_000)
    seconds, fraction = divmod(rest, 10_000_000)
    text = f"{sign}P"
    if days:
        text += f"{days}D"
    if hours or minutes or seconds or fraction or not days:
        text += "T"
        if hours:
            text += f"{hours}H"
        if minutes:
            text += f"{minutes}M"
        if seconds or fraction or not (hours or minutes):
            text += f"{seconds}" + (f".{fraction:07d}".rstrip("0") if fraction else "") + "S"
    return text


def _format_float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "INF" if value > 0 else "-INF"
    return repr(value).upper() if "e" in repr(value) else repr(value)


class _Writer:
    """Writes one message: RefIds and type-name references are scoped to it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.next_ref = 0
        self.type_refs: dict[tuple[str, ...], int] = {}

    def _name(self, name: str | None) -> str:
        return "" if name is None else f' N="{escape_text(name)}"'

    def _primitive(self, tag: str, text: str, name: str | None) -> None:
        self.parts.append(f"<{tag}{self._name(name)}>{text}</{tag}>")

    def _open_object(self, name: str | None, type_names: tuple[str, ...]) -> None:
        ref = self.next_ref
        self.next_ref += 1
        self.parts.append(f'<Obj{self._name(name)} RefId="{ref}">')
        if not type_names:
            return
        known = self.type_refs.get(type_names)
        if known is not None:
            self.parts.append(f'<TNRef RefId="{known}" />')
            return
        type_ref = len(self.type_refs)
        self.type_refs[type_names] = type_ref
        self.parts.append(f'<TN RefId="{type_ref}">')
        self.parts.extend(f"<T>{escape_text(type_name)}</T>" for type_name in type_names)
        self.parts.append("</TN>")

    def write(self, value: Any, name: str | None = None) -> None:
        writer = _WRITERS.get(type(value))
        if writer is not None:
            writer(self, value, name)
        else:
            self._write_other(value, name)

    def _write_int(self, value: int, name: str | None) -> None:
        if value in _INT32:
            self._primitive("I32", str(value), name)
        elif value in _INT64:
            self._primitive("I64", str(value), name)
        elif value in _UINT64:
            self._primitive("U64", str(value), name)
        else:
            self._primitive("D", str(value), name)

    def _write_other(self, value: Any, name: str | None) -> None:
        if value is None:
            self.parts.append(f"<Nil{self._name(name)} />")
        elif isinstance(value, bool):
            self._primitive("B", "true" if value else "false", name)
        elif isinstance(value, PSObj):
            self._write_psobj(value, name)
        elif isinstance(value, PSEnum):
            self._write_enum(value, name)
        elif isinstance(value, U8):
            self._primitive("By", str(int(value)), name)
        elif isinstance(value, U16):
            self._primitive("U16", str(int(value)), name)
        elif isinstance(value, U32):
            self._primitive("U32", str(int(value)), name)
        elif isinstance(value, U64):
            self._primitive("U64", str(int(value)), name)
        elif isinstance(value, I64):
            self._primitive("I64", str(int(value)), name)
        elif isinstance(value, int):
            self._write_int(int(value), name)
        elif isinstance(value, Char):
            self._primitive("C", str(ord(value[0])) if value else "0", name)
        elif isinstance(value, str):
            self._primitive("S", escape_text(str(value)), name)
        elif isinstance(value, float):
            self._primitive("Db", _format_float(float(value)), name)
        elif isinstance(value, datetime.datetime):
            self._primitive("DT", format_datetime(value), name)
        elif isinstance(value, datetime.timedelta):
            self._primitive("TS", format_duration(value), name)
        elif isinstance(value, uuid.UUID):
            self._primitive("G", str(value), name)
        elif isinstance(value, decimal.Decimal):
            self._primitive("D", str(value), name)
        elif isinstance(value, bytes | bytearray):
            self._primitive("BA", base64.b64encode(bytes(value)).decode("ascii"), name)
        elif isinstance(value, list | tuple):
            self._write_list(value, name)
        elif isinstance(value, dict):
            self._write_dict(value, name)
        elif isinstance(value, SecureText):
            # A secret never leaves the lab: only its type name is written, as ToString() shows it.
            self._primitive("S", "System.Security.SecureString", name)
        elif isinstance(value, Credential):
            props = {"UserName": value.username, "Password": value.password}
            self._write_psobj(
                PSObj(("System.Management.Automation.PSCredential", "System.Object"), props), name
            )
        else:
            self._primitive("S", escape_text(str(value)), name)

    def _write_enum(self, value: PSEnum, name: str | None) -> None:
        self._open_object(name, (value.type_name, "System.Enum", "System.ValueType", "System.Object"))
        self.parts.append(
            f"<ToString>{escape_text(value.name)}</ToString><I32>{int(value.value)}</I32></Obj>"
        )

    def _write_list(self, value: list[Any] | tuple[Any, ...], name: str | None) -> None:
        self._open_object(name, ("System.Object[]", "System.Array", "System.Object"))
        self.parts.append("<LST>")
        for item in value:
            self.write(item)
        self.parts.append("</LST></Obj>")

    def _write_dict(self, value: dict[Any, Any], name: str | None) -> None:
        self._open_object(name, ("System.Collections.Hashtable", "System.Object"))
        self.parts.append("<DCT>")
        for key, item in value.items():
            self.parts.append("<En>")
            self.write(key, "Key")
            self.write(item, "Value")
            self.parts.append("</En>")
        self.parts.append("</DCT></Obj>")

    def _write_psobj(self, value: PSObj, name: str | None) -> None:
        self._open_object(name, tuple(value.type_names))
        if value.to_string is not None:
            self.parts.append(f"<ToString>{escape_text(value.to_string)}</ToString>")
        if value.properties:
            section = "Props" if value.adapted else "MS"
            self.parts.append(f"<{section}>")
            for key, item in value.properties.items():
                self.write(item, key)
            self.parts.append(f"</{section}>")
        self.parts.append("</Obj>")


def _str(writer: _Writer, value: str, name: str | None) -> None:
    writer.parts.append(f"<S{writer._name(name)}>{escape_text(value)}</S>")


_WRITERS: dict[type, Callable[[_Writer, Any, str | None], None]] = {
    str: _str,
    int: _Writer._write_int,
    PSObj: _Writer._write_psobj,
    list: _Writer._write_list,
    tuple: _Writer._write_list,
    dict: _Writer._write_dict,
    PSEnum: _Writer._write_enum,
}


def serialize(value: Any) -> bytes:
    """CLIXML of one value, as the body of one PipelineOutput message."""
    writer = _Writer()
    writer.write(value)
    return "".join(writer.parts).encode("utf-8")


__all__ = ["escape_text", "format_datetime", "format_duration", "serialize"]
