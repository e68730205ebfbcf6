"""The registry provider's item-property cmdlets on the keys SConfig reads and writes: Get-ItemProperty,
Set-ItemProperty, New-ItemProperty, and New-Item for registry keys.

Paths: ``HKLM:\\...``, ``Registry::HKEY_LOCAL_MACHINE\\...`` and the provider-qualified form. A key that does not
exist gives PowerShell's ``PathNotFound`` (ItemNotFoundException). Values keep their registry kind (DWord,
String, ...); a value Set-ItemProperty creates takes its kind from the .NET type, as RegistryKey.SetValue does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import note_object
from hvconsole.lab.protocol import PSObj
from hvconsole.lab.world.settings import HostSettings, RegistryValue

MANAGEMENT = "Microsoft.PowerShell.Management"
PROVIDER = "Microsoft.PowerShell.Core\\Registry"
KINDS = ("String", "ExpandString", "Binary", "DWord", "MultiString", "QWord", "Unknown")
_HIVES = {"hklm": "HKEY_LOCAL_MACHINE", "hkcu": "HKEY_CURRENT_USER"}


def registry_path(path: str) -> str | None:
    """``HKLM:\\SOFTWARE\\X`` → ``HKEY_LOCAL_MACHINE\\SOFTWARE\\X``; None when it is not a registry path."""
    text = path.replace("/", "\\").rstrip("\\")
    lowered = text.lower()
    for prefix in ("microsoft.powershell.core\\registry::", "registry::"):
        if lowered.startswith(prefix):
            return text[len(prefix) :]
    drive, sep, rest = text.partition(":")
    if sep and drive.lower() in _HIVES:
        rest = rest.lstrip("\\")
        return _HIVES[drive.lower()] + ("\\" + rest if rest else "")
    return None


def _data(value: RegistryValue) -> Any:
    return value.data


def property_object(key: str, values: dict[str, RegistryValue], only: list[str] | None = None) -> PSObj:
    props: dict[str, Any] = {n: _data(v) for n, v in values.items() if only is None or n in only}
    parent, _, child = key.rpartition("\\")
    props.update(
        {
            "PSPath": f"{PROVIDER}::{key}",
            "PSParentPath": f"{PROVIDER}::{parent}",
            "PSChildName": child,
            "PSDrive": "HKLM" if key.upper().startswith("HKEY_LOCAL_MACHINE") else "HKCU",
            "PSProvider": PROVIDER,
        }
    )
    return note_object(("System.Management.Automation.PSCustomObject", "System.Object"), props)


class _RegistryCmdlet(Cmdlet):
    module_name = MANAGEMENT

    @property
    def settings(self) -> HostSettings:
        return self.host.settings

    def key(self, path: str) -> str | None:
        """The stored key for ``path``, or None after writing PowerShell's PathNotFound error."""
        canonical = registry_path(path)
        found = self.settings.find_key(canonical) if canonical else None
        if found is None:
            self.write_error(
                self.make_error(
                    f"Cannot find path '{path}' because it does not exist.",
                    "PathNotFound",
                    category="ObjectNotFound",
                    exception_type="System.Management.Automation.ItemNotFoundException",
                    target=path,
                    target_name=path,
                    target_type="String",
                )
            )
            return None
        self.settings.registry.setdefault(found, {})
        return found

    def find_name(self, values: dict[str, RegistryValue], name: str) -> str | None:
        return next((n for n in values if n.lower() == name.lower()), None)

    def missing_property(self, name: str, key: str) -> None:
        self.write_error(
            self.make_error(
                f"Property {name} does not exist at path {key}.",
                "System.Management.Automation.PSArgumentException",
                category="InvalidArgument",
                exception_type="System.Management.Automation.PSArgumentException",
                target=name,
                target_name=name,
                target_type="String",
            )
        )


def _kind_for(value: Any) -> str:
    if isinstance(value, list):
        return "MultiString"
    if isinstance(value, int) and not isinstance(value, bool):
        return "DWord" if -(2**31) <= value < 2**31 else "QWord"
    return "String"


def _convert(value: Any, kind: str) -> int | str | list[str]:
    if kind in ("DWord", "QWord"):
        return int(str(value), 0) if isinstance(value, str) else int(value)
    if kind == "MultiString":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return str(value)


@cmdlet
class GetItemProperty(_RegistryCmdlet):
    command_name = "Get-ItemProperty"
    class_name = "Microsoft.PowerShell.Commands.GetItemPropertyCommand"
    command_aliases = ("gp",)

    Path = Param(types.STRINGS, position=0, mandatory=True, from_pipeline_by_name=True)
    Name = Param(types.STRINGS, position=1, aliases=("PSProperty",))

    def process(self) -> Iterator[Any]:
        for path in self.Path:
            key = self.key(path)
            if key is None:
                continue
            values = self.settings.registry[key]
            if self.Name is None:
                yield property_object(key, values)
                continue
            present = []
            for name in self.Name:
                found = self.find_name(values, name)
                if found is None:
                    self.missing_property(name, key)
                else:
                    present.append(found)
            if present:
                yield property_object(key, values, present)


@cmdlet
class SetItemProperty(_RegistryCmdlet):
    command_name = "Set-ItemProperty"
    class_name = "Microsoft.PowerShell.Commands.SetItemPropertyCommand"
    command_aliases = ("sp",)
    supports_should_process = True

    Path = Param(types.STRINGS, position=0, mandatory=True, from_pipeline_by_name=True)
    Name = Param(types.STRING, position=1, mandatory=True, aliases=("PSProperty",))
    Value = Param(types.OBJECT, position=2, mandatory=True)
    Type = Param(types.STRING, validate_set=KINDS)
    PassThru = Param(types.SWITCH)
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for path in self.Path:
            key = self.key(path)
            if key is None or not self.should_process(f"Item: {key} Property: {self.Name}", "Set Property"):
                continue
            values = self.settings.registry[key]
            name = self.find_name(values, self.Name) or self.Name
            kind = self.Type or (values[name].kind if name in values else _kind_for(self.Value))
            values[name] = RegistryValue(kind=kind, data=_convert(self.Value, kind))
            if self.PassThru:
                yield property_object(key, values, [name])


@cmdlet
class NewItemProperty(_RegistryCmdlet):
    command_name = "New-ItemProperty"
    class_name = "Microsoft.PowerShell.Commands.NewItemPropertyCommand"
    supports_should_process = True

    Path = Param(types.STRINGS, position=0, mandatory=True, from_pipeline_by_name=True)
    Name = Param(types.STRING, mandatory=True, aliases=("PSProperty",))
    PropertyType = Param(types.STRING, aliases=("Type",), validate_set=KINDS)
    Value = Param(types.OBJECT)
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for path in self.Path:
            key = self.key(path)
            if key is None or not self.should_process(f"Item: {key} Property: {self.Name}", "New Property"):
                continue
            values = self.settings.registry[key]
            existing = self.find_name(values, self.Name)
            if existing is not None and not self.Force:
                self.write_error(
                    self.make_error(
                        "The property already exists.",
                        "System.IO.IOException",
                        category="ResourceExists",
                        exception_type="System.IO.IOException",
                        target=f"{key}",
                        target_name=key,
                        target_type="String",
                    )
                )
                continue
            if existing is not None:
                del values[existing]
            kind = self.PropertyType or "String"
            default: Any = 0 if kind in ("DWord", "QWord") else ""
            values[self.Name] = RegistryValue(
                kind=kind, data=_convert(self.Value if self.was_bound("Value") else default, kind)
            )
            yield property_object(key, values, [self.Name])


@cmdlet
class NewItem(_RegistryCmdlet):
    """New-Item for registry keys only (the lab has no file system)."""

    command_name = "New-Item"
    class_name = "Microsoft.PowerShell.Commands.NewItemCommand"
    command_aliases = ("ni",)
    supports_should_process = True

    Path = Param(types.STRINGS, position=0, mandatory=True, from_pipeline_by_name=True)
    Name = Param(types.STRING, from_pipeline_by_name=True)
    ItemType = Param(types.STRING, aliases=("Type",))
    Value = Param(types.OBJECT, from_pipeline=True)
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for path in self.Path:
            full = f"{path.rstrip(chr(92))}\\{self.Name}" if self.Name else path
            canonical = registry_path(full)
            parent = canonical.rpartition("\\")[0] if canonical else None
            if (
                canonical is None
                or parent is None
                or (not self.Force and self.settings.find_key(parent) is None)
            ):
                self.key(full.rpartition("\\")[0] if canonical else full)  # PathNotFound for the parent
                continue
            existing = self.settings.find_key(canonical)
            if existing is not None and not self.Force:
                self.write_error(
                    self.make_error(
                        "A key at this path already exists.",
                        "System.IO.IOException",
                        category="ResourceExists",
                        exception_type="System.IO.IOException",
                        target=full,
                        target_name=full,
                        target_type="String",
                    )
                )
                continue
            if not self.should_process(f"Item: {canonical}", "Create Key"):
                continue
            key = self.settings.create_key(canonical)  # -Force on an existing key empties it, as Windows does
            yield note_object(
                ("Microsoft.Win32.RegistryKey", "System.MarshalByRefObject", "System.Object"),
                {
                    "Name": key,
                    "SubKeyCount": 0,
                    "ValueCount": 0,
                    "Property": [],
                    "PSPath": f"{PROVIDER}::{key}",
                    "PSChildName": key.rpartition("\\")[2],
                },
            )
