"""Microsoft.PowerShell.LocalAccounts: Get-LocalGroupMember, Add-LocalGroupMember (Administrators only in
the lab), and log off through CIM (Win32_OperatingSystem.Win32Shutdown Flags 0/4).

Members are local users ("Administrator", ".\\x", "<HOST>\\x") or, on a joined host, domain accounts
("<NETBIOS>\\x" or "x@domain"); the lab has no directory to look them up, so any domain account name is
accepted (# inferred). A second add gives the real ``MemberExists`` error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.cimmethods import cim_method
from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import U32, PSEnum
from hvconsole.lab.world.model import Host

MODULE = "Microsoft.PowerShell.LocalAccounts"
COMMANDS = "Microsoft.PowerShell.Commands."
PRINCIPAL = COMMANDS + "LocalPrincipal"
GROUPS = {"administrators": ("Administrators", "S-1-5-32-544")}
SOURCES = {"Unknown": 0, "Local": 1, "ActiveDirectory": 2, "AzureAD": 3, "MicrosoftAccount": 4}


def netbios(host: Host) -> str | None:
    return host.domain.split(".")[0].upper() if host.domain else None


def resolve(host: Host, text: str) -> str | None:
    """The stored member name ("Administrator" or "DOMAIN\\user") for what was typed, or None."""
    name = text.strip()
    if "@" in name and "\\" not in name:
        user, _, domain = name.partition("@")
        if host.domain and domain.lower() == host.domain.lower() and user:
            return f"{netbios(host)}\\{user}"
        return None
    where, sep, user = name.rpartition("\\")
    if not sep or where in (".", "") or where.lower() == host.name.lower():
        local = next((u for u in host.settings.local_users if u.lower() == (user or name).lower()), None)
        return local
    if host.domain and where.upper() in (netbios(host), host.domain.upper()) and user:
        return f"{netbios(host)}\\{user}"
    return None


def principal(host: Host, member: str) -> Any:
    local = "\\" not in member
    rid = 500 if member.lower() == "administrator" else 1000 + sum(map(ord, member)) % 8000  # inferred SIDs
    source = "Local" if local else "ActiveDirectory"
    return dotnet_object(
        (PRINCIPAL,),
        {
            "Name": f"{host.name}\\{member}" if local else member,
            "SID": f"S-1-5-21-1004336348-1177238915-682003330-{rid}",
            "PrincipalSource": PSEnum(COMMANDS + "PrincipalSource", SOURCES[source], source),
            "ObjectClass": "User",
        },
        to_string=f"{host.name}\\{member}" if local else member,
    )


class _GroupCmdlet(Cmdlet):
    module_name = MODULE
    default_set = "Group"

    Name = Param(types.STRING, position=0, mandatory=True, sets=("Default",))
    Group = Param(types.OBJECT, position=0, mandatory=True, sets=("Group",), from_pipeline=True)
    SID = Param(types.STRING, position=0, mandatory=True, sets=("SecurityIdentifier",))

    def group(self) -> str | None:
        if self.parameter_set == "SecurityIdentifier":
            wanted = next((k for k, (_, sid) in GROUPS.items() if sid == self.SID), None)
            text = self.SID
        else:
            raw = self.Name if self.parameter_set == "Default" else self.Group
            text = str(raw.get("Name")) if hasattr(raw, "get") else str(raw)
            wanted = text.lower() if text.lower() in GROUPS else None
        if wanted is None:
            self.write_error(
                self.make_error(
                    f"Group {text} was not found.",
                    "GroupNotFound",
                    category="ObjectNotFound",
                    exception_type=COMMANDS + "GroupNotFoundException",
                    target=text,
                    target_name=text,
                    target_type="String",
                )
            )
        return wanted


@cmdlet
class GetLocalGroupMember(_GroupCmdlet):
    command_name = "Get-LocalGroupMember"
    class_name = COMMANDS + "GetLocalGroupMemberCommand"

    Member = Param(types.STRING, position=1)

    def process(self) -> Iterator[Any]:
        if self.group() is None:
            return
        members = self.host.settings.administrators
        if self.Member:
            wanted = resolve(self.host, self.Member)
            members = [m for m in members if wanted and m.lower() == wanted.lower()]
            if not members:
                self.write_error(
                    self.make_error(
                        f"Principal {self.Member} was not found.",
                        "PrincipalNotFound",
                        category="ObjectNotFound",
                        exception_type=COMMANDS + "PrincipalNotFoundException",
                        target=self.Member,
                        target_name=self.Member,
                        target_type="String",
                    )
                )
        yield from (principal(self.host, m) for m in members)


@cmdlet
class AddLocalGroupMember(_GroupCmdlet):
    command_name = "Add-LocalGroupMember"
    class_name = COMMANDS + "AddLocalGroupMemberCommand"
    supports_should_process = True

    Member = Param(types.STRINGS, position=1, mandatory=True, from_pipeline=True)

    def process(self) -> Iterator[Any]:
        group = self.group()
        if group is None:
            return
        group_name = GROUPS[group][0]
        admins = self.host.settings.administrators
        for text in self.Member:
            member = resolve(self.host, text)
            if member is None:
                self.write_error(
                    self.make_error(
                        f"Principal {text} was not found.",
                        "PrincipalNotFound",
                        category="ObjectNotFound",
                        exception_type=COMMANDS + "PrincipalNotFoundException",
                        target=text,
                        target_name=text,
                        target_type="String",
                    )
                )
                continue
            shown = f"{self.host.name}\\{member}" if "\\" not in member else member
            if any(m.lower() == member.lower() for m in admins):
                self.write_error(
                    self.make_error(
                        f"{shown} is already a member of group {group_name}.",
                        "MemberExists",
                        category="ResourceExists",
                        exception_type=COMMANDS + "MemberExistsException",
                        target=shown,
                        target_name=shown,
                        target_type="LocalPrincipal",
                    )
                )
                continue
            if self.should_process(group_name, "Add member"):
                admins.append(member)
        yield from ()


@cim_method("root/cimv2", "Win32_OperatingSystem", "Win32Shutdown")
def _win32_shutdown(
    cmdlet: Cmdlet, instance: dict[str, Any] | None, arguments: dict[str, Any]
) -> dict[str, Any]:
    flags = int(arguments.get("Flags") or 0)
    if flags in (0, 4):  # log off (4: forced): every interactive session ends
        cmdlet.host.settings.logged_on.clear()
        return {"ReturnValue": U32(0)}
    return {"ReturnValue": U32(87)}  # inferred: the lab leaves shutdown/restart to Stop-/Restart-Computer
