"""Windows Update over CIM (root/Microsoft/Windows/WindowsUpdate), what a structured-command client can call.

SConfig drives the Windows Update Agent COM API (Microsoft.Update.Session), which needs script text. The
WindowsUpdate CIM provider (Windows Server 2019+) offers the same through CIM methods:
* ``Invoke-CimMethod -Namespace root/Microsoft/Windows/WindowsUpdate -ClassName MSFT_WUOperations
  -MethodName ScanForUpdates -Arguments @{SearchCriteria='IsInstalled=0'}`` → ``Updates`` (MSFT_WUUpdate[]);
* ``New-CimInstance -Namespace root/Microsoft/Windows/WindowsUpdate -ClassName MSFT_WUOperationsSession |
  Invoke-CimMethod -MethodName ApplyApplicableUpdates`` installs every applicable update (the method of the
  2016 session class, kept on later releases; it takes no CimInstance arguments, so it needs no script).
"""

from __future__ import annotations

import re
from typing import Any

from hvconsole.lab.cmdlets.cimmethods import CimFailure, cim_creatable, cim_method
from hvconsole.lab.engine import Cmdlet
from hvconsole.lab.engine.objects import cim_object
from hvconsole.lab.protocol import U32
from hvconsole.lab.world.settings import Update

WU_NAMESPACE = "root/Microsoft/Windows/WindowsUpdate"
_CRITERION = re.compile(r"^\s*IsInstalled\s*=\s*([01])\s*(?:and\s+Type\s*=\s*'Software'\s*)?$", re.IGNORECASE)
WU_E_INVALID_CRITERIA = 0x80240032

cim_creatable(WU_NAMESPACE, "MSFT_WUOperationsSession")


def update_object(update: Update) -> Any:
    return cim_object(
        WU_NAMESPACE,
        "MSFT_WUUpdate",
        {
            "Title": update.title,
            "KBArticleID": update.kb,
            "UpdateID": update.update_id,
            "RevisionNumber": U32(1),
            "MsrcSeverity": update.severity,
            "Description": update.title,
            "IsDownloaded": False,
            "RebootRequired": update.reboot_required,
        },
        to_string=f'MSFT_WUUpdate (UpdateID = "{update.update_id}")',
    )


def _scan(cmdlet: Cmdlet, arguments: dict[str, Any]) -> dict[str, Any]:
    criteria = str(arguments.get("SearchCriteria") or "IsInstalled=0")
    match = _CRITERION.match(criteria)
    if match is None:  # inferred: the lab understands the two criteria SConfig-like tools use
        raise CimFailure(WU_E_INVALID_CRITERIA, "The search criteria string was invalid.")
    installed = match.group(1) == "1"
    found = [u for u in cmdlet.host.settings.updates if u.installed == installed]
    return {"Updates": [update_object(u) for u in found], "ReturnValue": U32(0)}


@cim_method(WU_NAMESPACE, "MSFT_WUOperations", "ScanForUpdates")
def _scan_static(
    cmdlet: Cmdlet, instance: dict[str, Any] | None, arguments: dict[str, Any]
) -> dict[str, Any]:
    return _scan(cmdlet, arguments)


@cim_method(WU_NAMESPACE, "MSFT_WUOperationsSession", "ScanForUpdates")
def _scan_session(
    cmdlet: Cmdlet, instance: dict[str, Any] | None, arguments: dict[str, Any]
) -> dict[str, Any]:
    out = _scan(cmdlet, arguments)
    return {**out, "HResult": 0}


@cim_method(WU_NAMESPACE, "MSFT_WUOperationsSession", "ApplyApplicableUpdates")
def _apply(cmdlet: Cmdlet, instance: dict[str, Any] | None, arguments: dict[str, Any]) -> dict[str, Any]:
    pending = [u for u in cmdlet.host.settings.updates if not u.installed]
    for number, update in enumerate(pending, start=1):
        cmdlet.write_progress("Installing updates", update.title, percent=number * 100 // len(pending))
        update.installed = True
    if any(u.reboot_required for u in pending):
        cmdlet.host.pending["updates_reboot"] = True  # inferred: a restart finishes the cumulative update
    return {"HResult": 0, "ReturnValue": U32(0)}
