"""What Windows exposes about a migration (reference §10, anchors.md): Msvm_MigrationJob on the SOURCE host,
Get-Counter for the ``Hyper-V VM Live Migration`` set, Get-WinEvent for the VMMS Admin log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from hvconsole.lab.cmdlets.cimcmdlets import cim_class
from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, like
from hvconsole.lab.protocol import U16, U32, U64
from hvconsole.lab.world.migration import FINISHED, advance
from hvconsole.lab.world.model import Host, World
from hvconsole.lab.world.vms import Migration

SET = "Hyper-V VM Live Migration"
COUNTERS = (
    "Transfer Pass: Number",
    "Transfer pass: Dirty Page Count",
    "Transfer Pass: Is blackout",
    "TCP Transport: Bytes Sent/sec",
    "Memory Walker: Uncompressed Bytes Sent/sec",
    "Compressor: Compressed Bytes Sent/sec",
    "SMB Transport: Bytes Sent/sec",
)
LOG = "Microsoft-Windows-Hyper-V-VMMS-Admin"
JOB_STATE = {
    "Done": 7,
    "Failed": 10,
    "Canceled": 8,
}  # 4 Running otherwise; 8 Terminated for a cancel (inferred)
PATH = re.compile(r"^\\\\?(?:[^\\]*\\)?(?P<set>[^(\\]+)\((?P<inst>[^)]*)\)\\(?P<counter>.+)$")


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


@cim_class("root/virtualization/v2", "Msvm_MigrationJob", ("InstanceID",))
def _migration_jobs(world: World, host: Host) -> list[dict[str, Any]]:
    advance(world)
    now = world.now()
    rows = []
    for m in host.hyperv.migrations:
        end = m.finished if m.finished is not None else now
        destination = world.host(m.destination)
        rows.append(
            {
                "InstanceID": m.id,
                "Name": "Moving Virtual Machine",
                "JobType": U16(305),
                "JobState": U16(JOB_STATE.get(m.phase, 4)),
                "PercentComplete": U16(m.percent),
                "ElapsedTime": timedelta(seconds=round(end - m.submitted, 3)),
                "StartTime": _dt(m.submitted),
                "TimeSubmitted": _dt(m.submitted),
                "TimeOfLastStateChange": _dt(m.finished or m.phase_started),
                "TimeBeforeRemoval": timedelta(minutes=5),
                "MigrationType": U16(32768),
                "VirtualSystemName": m.vm_id,
                "DestinationHost": destination.name if destination else m.destination,
                "Cancellable": m.phase in ("Queued", "Setup", "Transfer"),
                "ErrorCode": U16(32768 if m.phase == "Failed" else 0),
                "ErrorDescription": m.error or None,
                "ErrorSummaryDescription": m.error.split("\n")[0] if m.error else None,
                "StatusDescriptions": ["OK"],
                "JobStatus": m.phase,  # inferred free text
            }
        )
    return rows


def counter_values(m: Migration) -> dict[str, float]:
    tcp = m.option in ("TCPIP", "Compression")  # compressed data also rides TCP (inferred, reference §10.3)
    return {
        "transfer pass: number": m.pass_number,
        "transfer pass: dirty page count": m.dirty_pages,
        "transfer pass: is blackout": 1 if m.phase == "Blackout" else 0,
        "tcp transport: bytes sent/sec": m.wire_rate if tcp else 0.0,
        "memory walker: uncompressed bytes sent/sec": m.rate if m.option == "TCPIP" else 0.0,
        "compressor: compressed bytes sent/sec": m.wire_rate if m.option == "Compression" else 0.0,
        "smb transport: bytes sent/sec": m.wire_rate if m.option == "SMB" else 0.0,
    }


@cmdlet
class GetCounter(Cmdlet):
    command_name = "Get-Counter"
    module_name = "Microsoft.PowerShell.Diagnostics"
    class_name = "Microsoft.PowerShell.Commands.GetCounterCommand"
    default_set = "GetCounterSet"
    Counter = Param(types.STRINGS, position=0, sets=("GetCounterSet",))
    ListSet = Param(types.STRINGS, mandatory=True, sets=("ListSetSet",))
    SampleInterval = Param(types.INT32)
    MaxSamples = Param(types.INT64)
    ComputerName = Param(types.STRINGS)

    def process(self) -> Iterator[Any]:
        if self.parameter_set == "ListSetSet":
            if any(like(SET, pattern) for pattern in self.ListSet):
                paths = [f"\\{SET}(*)\\{c}" for c in COUNTERS]
                yield dotnet_object(
                    ("Microsoft.PowerShell.Commands.GetCounter.CounterSet",),
                    {
                        "CounterSetName": SET,
                        "MachineName": ".",
                        "CounterSetType": "MultiInstance",
                        "Description": "Hyper-V VM Live Migration",
                        "Paths": paths,
                        "PathsWithInstances": [],
                        "Counter": paths,
                    },
                )
            return
        advance(self.world)
        now = _dt(self.world.now())
        live = [m for m in self.host.hyperv.migrations if m.phase not in FINISHED]
        samples = []
        for path in self.Counter or [f"\\{SET}(*)\\{c}" for c in COUNTERS]:
            parsed = PATH.match(path)
            if parsed is None or parsed["set"].lower() != SET.lower():
                self.write_error(
                    self.make_error(  # inferred: the message Get-Counter gives for an unknown path
                        "The specified object was not found on the computer.",
                        "CounterApiError",
                        category="InvalidResult",
                        exception_type="System.Exception",
                        target_name=path,
                    )
                )
                continue
            for m in live:
                instance = f"{m.vm_name}:VM Live Migration".lower()
                value = counter_values(m).get(parsed["counter"].lower())
                if value is None or not like(instance, parsed["inst"]):
                    continue
                samples.append(
                    dotnet_object(
                        ("Microsoft.PowerShell.Commands.GetCounter.PerformanceCounterSample",),
                        {
                            "Path": f"\\\\{self.host.name.lower()}\\{SET.lower()}({instance})\\{parsed['counter'].lower()}",
                            "InstanceName": instance,
                            "CookedValue": float(value),
                            "RawValue": U64(int(value)),
                            "Timestamp": now,
                            "CounterType": "NumberOfItems64",
                            "Status": U32(0),
                        },
                    )
                )
        yield dotnet_object(
            ("Microsoft.PowerShell.Commands.GetCounter.PerformanceCounterSampleSet",),
            {"Timestamp": now, "CounterSamples": samples, "Readings": ""},
        )


@cmdlet
class GetWinEvent(Cmdlet):
    command_name = "Get-WinEvent"
    module_name = "Microsoft.PowerShell.Diagnostics"
    class_name = "Microsoft.PowerShell.Commands.GetWinEventCommand"
    default_set = "GetLogSet"
    LogName = Param(types.STRINGS, position=0, sets=("GetLogSet",))
    MaxEvents = Param(types.INT64)
    ComputerName = Param(types.STRING)
    Oldest = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        if not any(like(LOG, n) for n in self.LogName or []):
            name = (self.LogName or [""])[0]
            self.write_error(
                self.make_error(
                    f'There is not an event log on the localhost computer that matches "{name}".',
                    "NoMatchingLogsFound",
                    category="ObjectNotFound",
                    exception_type="System.Exception",
                    target_name=name,
                )
            )
            return
        advance(self.world)
        events = list(reversed(self.host.hyperv.events))  # newest first, as Get-WinEvent returns them
        if self.Oldest:
            events.reverse()
        if not events:  # what Get-WinEvent says for an empty log
            self.write_error(
                self.make_error(
                    "No events were found that match the specified selection criteria.",
                    "NoMatchingEventsFound",
                    category="ObjectNotFound",
                    exception_type="System.Exception",
                )
            )
        for record_id, event in enumerate(events[: self.MaxEvents or None], start=1):
            yield dotnet_object(
                (
                    "System.Diagnostics.Eventing.Reader.EventLogRecord",
                    "System.Diagnostics.Eventing.Reader.EventRecord",
                ),
                {
                    "Id": event.id,
                    "TimeCreated": _dt(event.time),
                    "LevelDisplayName": event.level,
                    "Level": {"Error": 2, "Warning": 3}.get(event.level, 4),
                    "Message": event.message,
                    "LogName": LOG,
                    "ProviderName": "Microsoft-Windows-Hyper-V-VMMS",
                    "MachineName": self.host.fqdn,
                    "RecordId": record_id,
                },
            )
