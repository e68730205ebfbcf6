"""A faster reader for pipeline output, giving exactly what pypsrp's own deserializer gives.

pypsrp 0.9.1 re-serializes every nested element to a string and rebuilds a table of ~50 known types for each
one, so reading an output object costs ~0.5 ms (performance.md: 0.2 ms per 10-property object and worse with
enums; a 1,000-VM inventory spent 600 ms of CPU there). ``FastOutputSerializer`` takes the common shapes of
pipeline output — generic objects with adapted and note properties, enums, arrays, hashtables, primitives —
and builds the same ``GenericComplexObject``s directly from one ElementTree parse. Anything else (a type
pypsrp maps to a class of its own, dictionaries of typed keys, secure strings, …) falls back to pypsrp, for
the whole message. ``tests/remoting/test_fast_output.py`` compares both readers on generated output.
"""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from pypsrp.complex_objects import GenericComplexObject
from pypsrp.serializer import Serializer

# Types pypsrp resolves to something of its own (reference: pypsrp.serializer.Serializer.deserialize). An
# object whose type list reaches one of these before a generic type is left to pypsrp.
_DYNAMIC = frozenset({"System.Object", "System.Management.Automation.PSObject"})
_LISTS = frozenset({"System.Array", "System.Collections.ArrayList", "System.Collections.Generic.List"})
_DICTS = frozenset(
    {
        "System.Collections.Hashtable",
        "System.Management.Automation.PSBoundParametersDictionary",
        "System.Management.Automation.PSPrimitiveDictionary",
    }
)
_PRIMITIVES = frozenset(
    {
        "System.String", "System.Char", "System.Boolean", "System.DateTime", "System.Byte", "System.SByte",
        "System.UInt16", "System.Int16", "System.UInt32", "System.Int32", "System.UInt64", "System.Int64",
        "System.Single", "System.Double", "System.Decimal", "System.Guid", "System.Uri", "System.Version",
        "System.Xml.XmlDocument", "System.Management.Automation.ScriptBlock", "System.Security.SecureString",
    }
)  # fmt: skip
_OWN_CLASSES = frozenset(
    {
        "Selected.Microsoft.PowerShell.Commands.GenericMeasureInfo", "System.Collections.Queue",
        "System.Collections.Stack", "System.ConsoleColor", "System.Management.Automation.CommandOrigin",
        "System.Management.Automation.DebugRecord", "System.Management.Automation.ErrorRecord",
        "System.Management.Automation.Host.Coordinates", "System.Management.Automation.Host.KeyInfo",
        "System.Management.Automation.Host.Size", "System.Management.Automation.InformationalRecord",
        "System.Management.Automation.InformationRecord", "System.Management.Automation.ParameterMetadata",
        "System.Management.Automation.ProgressRecordType", "System.Management.Automation.PSCredential",
        "System.Management.Automation.PSTypeName", "System.Management.Automation.Remoting.RemoteHostMethodId",
        "System.Management.Automation.Runspaces.ApartmentState",
        "System.Management.Automation.Runspaces.PipelineResultTypes",
        "System.Management.Automation.Runspaces.PSThreadOptions",
        "System.Management.Automation.Runspaces.RemoteStreamOptions",
        "System.Management.Automation.SessionStateEntryVisibility", "System.Management.Automation.VerboseRecord",
        "System.Management.Automation.WarningRecord", "System.Globalization.CultureInfo",
    }
)  # fmt: skip
_LIST_PREFIXES = (
    ("System.Collections.Generic.List`1[[", 35),
    ("System.Collections.ObjectModel.Collection`1[[", 45),
    ("System.Collections.ObjectModel.ReadOnlyCollection`1[[", 53),
)


class _Unsupported(Exception):
    """A shape this reader leaves to pypsrp."""


class FastOutputSerializer(Serializer):
    """pypsrp's Serializer, with a fast path for a top-level pipeline-output message (a string, no metadata)."""

    def __init__(self) -> None:
        super().__init__()
        deserialize_string: Callable[[str | None], str] = self._deserialize_string
        self._primitive: dict[str, Callable[[ET.Element], Any]] = {
            "S": lambda e: deserialize_string(e.text),
            "ToString": lambda e: deserialize_string(e.text),
            "C": lambda e: chr(int(e.text or "0")),
            "B": lambda e: (e.text or "").lower() == "true",
            "DT": lambda e: e.text,
            "TS": lambda e: e.text,
            "By": lambda e: int(e.text or "0"),
            "SB": lambda e: int(e.text or "0"),
            "U16": lambda e: int(e.text or "0"),
            "I16": lambda e: int(e.text or "0"),
            "U32": lambda e: int(e.text or "0"),
            "I32": lambda e: int(e.text or "0"),
            "U64": lambda e: int(e.text or "0"),
            "I64": lambda e: int(e.text or "0"),
            "Sg": lambda e: float(e.text or "0"),
            "Db": lambda e: float(e.text or "0"),
            "D": lambda e: e.text,
            "BA": lambda e: base64.b64decode(e.text or ""),
            "G": lambda e: uuid.UUID(e.text),
            "URI": lambda e: deserialize_string(e.text),
            "Nil": lambda e: None,
            "Version": lambda e: e.text,
            "XD": lambda e: deserialize_string(e.text),
            "SBK": lambda e: deserialize_string(e.text),
        }

    def deserialize(self, element: Any, metadata: Any = None, clear: bool = True) -> Any:
        # CLIXML never carries a DTD; a message that does is left to pypsrp as before.
        if isinstance(element, str) and metadata is None and clear and "<!DOCTYPE" not in element:
            try:
                root = ET.fromstring(element)  # noqa: S314 - no DTD (checked above): no entity expansion
            except ET.ParseError:
                return super().deserialize(element, metadata, clear)
            self._clear()
            try:
                return self._read(root)
            except (_Unsupported, KeyError, ValueError, TypeError):
                pass  # not a shape this reader knows: pypsrp reads the whole message
        return super().deserialize(element, metadata, clear)

    # --- the fast path ----------------------------------------------------------------------------------
    def _read(self, element: ET.Element, force_dynamic: bool = False) -> Any:
        tag = element.tag
        reader = self._primitive.get(tag)
        if reader is not None:
            return reader(element)
        if tag == "Ref":
            return self.obj[element.attrib["RefId"]]
        if tag != "Obj":
            raise _Unsupported(tag)
        types = self._types(element)
        if force_dynamic:
            return self._dynamic(element)
        kind, items = self._kind(types or ["System.Object"])
        if kind == "dynamic":
            return self._dynamic(element)
        if kind == "dict":
            value: Any = self._dict(element)
        else:
            entries = element.find("LST")
            value = (
                [] if entries is None else [self._read(e, force_dynamic=items == "dynamic") for e in entries]
            )
        self.obj[element.attrib["RefId"]] = value
        return value

    def _types(self, element: ET.Element) -> list[str]:
        tn = element.find("TN")
        if tn is not None:
            types = [t.text or "" for t in tn.findall("T")]
            if types:
                self.tn[tn.attrib["RefId"]] = types
                return types
        ref = element.find("TNRef")
        return list(self.tn[ref.attrib["RefId"]]) if ref is not None else []

    @staticmethod
    def _kind(types: list[str]) -> tuple[str, str]:
        """What pypsrp would make of an object with these type names: ("dynamic"|"list"|"dict", list items)."""
        for name in types:
            if name.startswith("Deserialized.System."):
                name = name[13:]
            is_list = False
            if name.endswith("[]"):
                name, is_list = name[:-2], True
            else:
                for prefix, cut in _LIST_PREFIXES:
                    if name.startswith(prefix):
                        name, is_list = name[cut:-1].split(",")[0], True
                        break
                else:
                    if name.startswith("System.Collections.Generic.Dictionary`2[["):
                        raise _Unsupported(name)
            if name in _DYNAMIC:
                return ("list", "dynamic") if is_list else ("dynamic", "")
            if name in _LISTS or name in _DICTS:
                if is_list:
                    raise _Unsupported(name)
                return ("list", "plain") if name in _LISTS else ("dict", "")
            if name in _PRIMITIVES:
                if not is_list:
                    raise _Unsupported(name)  # pypsrp hands back the raw XML of such a wrapper
                return "list", "plain"
            if name in _OWN_CLASSES:
                raise _Unsupported(name)
        raise _Unsupported("no known type")

    def _dynamic(self, element: ET.Element) -> GenericComplexObject:
        obj = GenericComplexObject()
        ref_id = element.attrib["RefId"]
        self.obj[ref_id] = obj
        for child in element:
            tag = child.tag
            if tag == "TN":
                obj.types = [t.text or "" for t in child]
                self.tn[child.attrib["RefId"]] = obj.types
            elif tag == "TNRef":
                obj.types = self.tn[child.attrib["RefId"]]
            elif tag == "Props":
                for prop in child:
                    obj.adapted_properties[prop.attrib["N"]] = self._read(prop)
            elif tag == "MS":
                for prop in child:
                    obj.extended_properties[prop.attrib["N"]] = self._read(prop)
            elif tag == "ToString":
                obj.to_string = self._deserialize_string(child.text)
            else:
                obj.property_sets.append(self._read(child))
        obj._xml = None
        return obj

    def _dict(self, element: ET.Element) -> dict[Any, Any]:
        found: dict[Any, Any] = {}
        for entry in element.findall("DCT/En"):
            key = entry.find("*[@N='Key']")
            value = entry.find("*[@N='Value']")
            if key is None or value is None:
                raise _Unsupported("dictionary entry")
            found[self._read(key)] = self._read(value)
        return found


def use_fast_output(pool: Any) -> None:
    """Read this runspace pool's output with ``FastOutputSerializer`` (pypsrp 0.9.1 keeps its serializer in
    ``RunspacePool._serializer`` and hands it to its fragmenter; both are replaced before the pool opens, so
    the session key of a later key exchange lands on the new one)."""
    fast = FastOutputSerializer()
    pool._serializer = fast
    pool._fragmenter.serializer = fast
