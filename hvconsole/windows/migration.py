"""What Windows exposes about a live migration in flight (reference §10, anchors.md "How live-migration
progress is visible"): Msvm_MigrationJob, the cluster VM resource's MigrationState/MigrationProgress,
the "Hyper-V VM Live Migration" counters and the VMMS admin events 20413/20415/20417."""

from __future__ import annotations

import datetime
import enum
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from hvconsole.windows.values import to_datetime, to_enum, to_str_list, to_timedelta

MIGRATION_JOB_CLASS = "Msvm_MigrationJob"
VIRTUALIZATION_NAMESPACE = "root\\virtualization\\v2"
COUNTER_SET = "Hyper-V VM Live Migration"
VMMS_LOG = "Microsoft-Windows-Hyper-V-VMMS-Admin"
EVENT_FAILED = 20413
EVENT_COMPLETED = 20415
EVENT_LONG_BLACKOUT = 20417
MIGRATION_EVENTS = (EVENT_FAILED, EVENT_COMPLETED, EVENT_LONG_BLACKOUT)

# The counters the monitor reads (reference §10.3; display names verbatim, note "pass"/"Pass").
PASS_NUMBER = "Transfer Pass: Number"  # noqa: S105 (a counter name)
DIRTY_PAGES = "Transfer pass: Dirty Page Count"
IS_BLACKOUT = "Transfer Pass: Is blackout"
RATE_COUNTERS = (
    "TCP Transport: Bytes Sent/sec",
    "Memory Walker: Uncompressed Bytes Sent/sec",
    "Compressor: Compressed Bytes Sent/sec",
    "SMB Transport: Bytes Sent/sec",
)
WATCHED_COUNTERS = (PASS_NUMBER, DIRTY_PAGES, IS_BLACKOUT, *RATE_COUNTERS)


class JobState(enum.IntEnum):
    New = 2
    Starting = 3
    Running = 4
    Suspended = 5
    ShuttingDown = 6
    Completed = 7
    Terminated = 8
    Killed = 9
    Exception = 10
    Service = 11


class ClusterMigrationState(enum.IntEnum):
    """The Virtual Machine resource's MigrationState private property (reference §10.2)."""

    NoMigration = 0
    Setup = 1
    DataTransfer = 2
    Move = 3
    Canceled = 4
    Failure = 5


def _int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


class MigrationJob(BaseModel):
    """One Msvm_MigrationJob on the source host (it disappears 5 minutes after it ends)."""

    model_config = ConfigDict(frozen=True)

    instance_id: str = ""
    vm_id: str = ""  # VirtualSystemName: the VM's GUID
    destination: str = ""
    percent: int = 0
    state: JobState = JobState.New
    elapsed: datetime.timedelta = datetime.timedelta(0)
    start_time: datetime.datetime | None = None
    cancellable: bool = False
    error_code: int = 0
    error_description: str = ""

    @property
    def running(self) -> bool:
        return self.state in (JobState.New, JobState.Starting, JobState.Running)

    @property
    def canceled(self) -> bool:
        """Terminated: stopped by a request (CIM_ConcreteJob RequestStateChange Terminate, i.e. -Cancel)."""
        return self.state is JobState.Terminated and self.error_code in (0, 4096)

    @property
    def failed(self) -> bool:
        if self.canceled:
            return False
        return self.state in (JobState.Exception, JobState.Killed, JobState.Terminated) or (
            self.error_code not in (0, 4096) and not self.running
        )

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> MigrationJob:
        return cls(
            instance_id=str(p.get("InstanceID") or ""),
            vm_id=str(p.get("VirtualSystemName") or ""),
            destination=str(p.get("DestinationHost") or ""),
            percent=max(0, min(100, _int(p.get("PercentComplete")))),
            state=to_enum(JobState, p.get("JobState"), JobState.New),
            elapsed=to_timedelta(p.get("ElapsedTime")) or datetime.timedelta(0),
            start_time=to_datetime(p.get("StartTime")),
            cancellable=bool(p.get("Cancellable")),
            error_code=_int(p.get("ErrorCode")),
            error_description=str(p.get("ErrorDescription") or p.get("ErrorSummaryDescription") or ""),
        )


class ClusterMigration(BaseModel):
    """MigrationState + MigrationProgress of one "Virtual Machine <VM>" resource."""

    model_config = ConfigDict(frozen=True)

    vm: str
    state: ClusterMigrationState = ClusterMigrationState.NoMigration
    progress: int = 0


RESOURCE_PREFIX = "Virtual Machine "


def resource_vm_name(resource: str) -> str:
    return resource[len(RESOURCE_PREFIX) :] if resource.startswith(RESOURCE_PREFIX) else resource


def parse_cluster_parameters(rows: list[dict[str, Any]]) -> dict[str, ClusterMigration]:
    """Get-ClusterParameter rows (ClusterObject, Name, Value) → one ClusterMigration per VM (by name)."""
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        owner = row.get("ClusterObject")
        resource = str(owner.get("Name") or "") if isinstance(owner, dict) else str(owner or "")
        if not resource:
            continue
        found.setdefault(resource_vm_name(resource), {})[str(row.get("Name") or "")] = _int(row.get("Value"))
    return {
        vm: ClusterMigration(
            vm=vm,
            state=to_enum(
                ClusterMigrationState, values.get("MigrationState", 0), ClusterMigrationState.NoMigration
            ),
            progress=max(0, min(100, values.get("MigrationProgress", 0))),
        )
        for vm, values in found.items()
    }


_INSTANCE = re.compile(r"\((?P<instance>.*)\)\\(?P<counter>[^\\]+)$")
_INSTANCE_SUFFIX = ":vm live migration"


def parse_counter_samples(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Get-Counter sample sets → {vm name (lower case, as Windows writes counter paths): {counter: value}}.
    Counter names come back lower case too; keys here are lower case."""
    found: dict[str, dict[str, float]] = {}
    for row in rows:
        samples = row.get("CounterSamples")
        for sample in samples if isinstance(samples, list) else [row]:
            if not isinstance(sample, dict):
                continue
            match = _INSTANCE.search(str(sample.get("Path") or ""))
            if not match:
                continue
            instance = str(sample.get("InstanceName") or match["instance"]).lower()
            vm = instance[: -len(_INSTANCE_SUFFIX)] if instance.endswith(_INSTANCE_SUFFIX) else instance
            try:
                value = float(sample.get("CookedValue") or 0)
            except (TypeError, ValueError):
                value = 0.0
            found.setdefault(vm, {})[match["counter"].lower()] = value
    return found


class VmmsEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: int
    time: datetime.datetime | None = None
    message: str = ""
    machine: str = ""

    @property
    def vm(self) -> str:
        """The VM named in the message ('VM1'), or ""."""
        match = re.search(r"'([^']+)'", self.message)
        return match[1] if match else ""

    @property
    def blackout_seconds(self) -> float | None:
        # inferred wording: "... completed successfully with blackout time 0.2 seconds"
        match = re.search(r"blackout time (?:of )?([\d.,]+)\s*s", self.message, re.IGNORECASE)
        if not match:
            return None
        try:
            return float(match[1].replace(",", "."))
        except ValueError:
            return None

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> VmmsEvent:
        return cls(
            event_id=_int(p.get("Id")),
            time=to_datetime(p.get("TimeCreated")),
            message=" ".join(to_str_list(p.get("Message"))),
            machine=str(p.get("MachineName") or ""),
        )
