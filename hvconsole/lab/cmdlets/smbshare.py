"""SmbShare module: New-SmbShare / Get-SmbShare / Remove-SmbShare for the file share witness (reference §7.8).

Shares live where Windows keeps them, in the registry (``LanmanServer\\Shares``: a MultiString per share).
The lab has no folders: a share's path must be on a volume the host has (its drive letter) — **inferred**
simplification; a real host also needs the folder (``New-Item -ItemType Directory``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, matches_any
from hvconsole.lab.protocol import U32
from hvconsole.lab.world import storage
from hvconsole.lab.world.model import Host
from hvconsole.lab.world.settings import HKLM, RegistryValue

SHARES_KEY = HKLM + r"\SYSTEM\CurrentControlSet\Services\LanmanServer\Shares"
NAMESPACE = "ROOT/Microsoft/Windows/SMB"


def shares(host: Host) -> dict[str, RegistryValue]:
    key = host.settings.find_key(SHARES_KEY)
    return host.settings.registry.get(key or "", {})


def share_path_of(host: Host, name: str) -> str | None:
    for share, value in shares(host).items():
        if share.lower() == name.lower() and isinstance(value.data, list):
            return next((e[5:] for e in value.data if e.startswith("Path=")), None)
    return None


def share_object(host: Host, name: str, value: RegistryValue) -> Any:
    data = value.data if isinstance(value.data, list) else []
    fields = dict(e.split("=", 1) for e in data if "=" in e)
    return cim_object(
        NAMESPACE,
        "MSFT_SmbShare",
        {
            "Name": name,
            "ScopeName": "*",
            "Path": fields.get("Path", ""),
            "Description": fields.get("Remark", ""),
            "ShareState": U32(1),  # Online
            "ShareType": U32(0),  # FileSystemDirectory
            "CurrentUsers": U32(0),
            "Special": False,
        },
        to_string=name,
    )


class _SmbCmdlet(Cmdlet):
    module_name = "SmbShare"


@cmdlet
class NewSmbShare(_SmbCmdlet):
    command_name = "New-SmbShare"
    Name = Param(types.STRING, position=0, mandatory=True)
    Path = Param(types.STRING, position=1, mandatory=True)
    Description = Param(types.STRING)
    FullAccess = Param(types.STRINGS)
    ChangeAccess = Param(types.STRINGS)
    ReadAccess = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        name, path = str(self.Name), str(self.Path)
        if share_path_of(self.host, name) is not None:  # inferred: Windows System Error 2118
            self.throw(
                self.make_error(
                    "The name has already been shared.",
                    "Windows System Error 2118",
                    exception_type="Microsoft.Management.Infrastructure.CimException",
                )
            )
        letter = path[:1]
        if len(path) < 3 or path[1:3] != ":\\" or storage.find_letter(self.world, self.host, letter) is None:
            self.throw(
                self.make_error(
                    "The system cannot find the file specified.",
                    "Windows System Error 2",
                    category="ObjectNotFound",
                    exception_type="Microsoft.Management.Infrastructure.CimException",
                )
            )
        key = self.host.settings.find_key(SHARES_KEY) or SHARES_KEY
        self.host.settings.registry.setdefault(key, {})
        access = [f"Full:{a}" for a in self.FullAccess or []] + [
            f"Change:{a}" for a in self.ChangeAccess or []
        ]
        value = RegistryValue(
            kind="MultiString",
            data=[
                f"Path={path}",
                f"Remark={self.Description or ''}",
                "Type=0",
                *(f"Access={a}" for a in access),
            ],
        )
        self.host.settings.registry[key][name] = value
        yield share_object(self.host, name, value)


@cmdlet
class GetSmbShare(_SmbCmdlet):
    command_name = "Get-SmbShare"
    Name = Param(types.STRINGS, position=0)

    def process(self) -> Iterator[Any]:
        names = list(self.Name) if self.was_bound("Name") else None
        found = [(n, v) for n, v in shares(self.host).items() if matches_any(n, names)]
        for name, value in found:
            yield share_object(self.host, name, value)
        for wanted in names or []:
            if not any(matches_any(n, [wanted]) for n, _ in found):
                self.not_found("MSFT_SmbShare", "Name", wanted)


@cmdlet
class RemoveSmbShare(_SmbCmdlet):
    command_name = "Remove-SmbShare"
    supports_should_process = True
    confirm_impact = "High"
    Name = Param(types.STRING, position=0, mandatory=True)
    Force = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        existing = next((n for n in shares(self.host) if n.lower() == str(self.Name).lower()), None)
        if existing is None:
            self.not_found("MSFT_SmbShare", "Name", self.Name)
            return iter(())
        if self.Force or self.should_process(existing):
            key = self.host.settings.find_key(SHARES_KEY) or SHARES_KEY
            del self.host.settings.registry[key][existing]
        return iter(())
