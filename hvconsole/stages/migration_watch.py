"""The live-migration monitor's data source (no Textual): one poll is one round trip per node, several
statements each — Msvm_MigrationJob (source side), the cluster VM resources' MigrationState/Progress,
the VMMS admin events and the "Hyper-V VM Live Migration" counters — merged into one MigrationView per
migration (reference §10, anchors.md). ``MigrationWatch.poll`` is blocking: call it on a worker thread,
and schedule the next poll only after this one returned (never overlapping polls)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hvconsole.remoting.command import Command, Pipeline, Statement
from hvconsole.remoting.result import properties
from hvconsole.stages.migration_views import MigrationView, Tracked, build_view
from hvconsole.stages.vms import not_hyperv
from hvconsole.stages.workspace import Workspace
from hvconsole.windows.migration import (
    COUNTER_SET,
    MIGRATION_EVENTS,
    MIGRATION_JOB_CLASS,
    VIRTUALIZATION_NAMESPACE,
    VMMS_LOG,
    WATCHED_COUNTERS,
    ClusterMigration,
    MigrationJob,
    VmmsEvent,
    parse_cluster_parameters,
    parse_counter_samples,
)

QUIET = ("ErrorAction", "SilentlyContinue")


def jobs_command() -> Command:
    return Command("Get-CimInstance", Namespace=VIRTUALIZATION_NAMESPACE, ClassName=MIGRATION_JOB_CLASS)


def cluster_progress_statement(cluster: str) -> Statement:
    """VM resources whose MigrationState or MigrationProgress is not 0 (narrow at 1,000 VMs)."""
    return (
        Command("Get-Cluster", Name=cluster)
        | Command("Get-ClusterResource")
        | Command("Where-Object", Property="ResourceType", Value="Virtual Machine").switch("EQ")
        | Command("Get-ClusterParameter", Name=["MigrationState", "MigrationProgress"])
        | Command("Where-Object", Property="Value", Value=0).switch("GT")
    )


def events_command(max_events: int = 100) -> Command:
    """The newest VMMS Admin events; the ids that matter (MIGRATION_EVENTS) are picked here. (-LogName rather
    than -FilterHashtable: every Get-WinEvent has it, the lab's included; the log is small.) # inferred"""
    return Command("Get-WinEvent", [QUIET], LogName=VMMS_LOG, MaxEvents=max_events)


def counters_command() -> Command:
    paths = [f"\\{COUNTER_SET}(*)\\{name}" for name in WATCHED_COUNTERS]
    return Command("Get-Counter", [QUIET], Counter=paths)


def vm_ids_command() -> Statement:
    return Command("Get-VM") | Command("Select-Object", Property=["Name", "Id", "MemoryAssigned"])


def poll_pipeline(cluster: str | None, *, with_cluster: bool, with_vm_ids: bool) -> Pipeline:
    """One node's poll. Statements that may find nothing are quiet and last (a terminating error ends
    the pipeline, so the cluster read comes after the jobs)."""
    statements: list[Statement | Command] = [jobs_command()]
    if with_vm_ids:
        statements.append(vm_ids_command())
    if with_cluster and cluster:
        statements.append(cluster_progress_statement(cluster))
    statements += [events_command(), counters_command()]
    return Pipeline(statements)


@dataclass
class NodeReading:
    """What one node answered in one poll."""

    node: str
    jobs: list[MigrationJob] = field(default_factory=list)
    vms: dict[str, tuple[str, int]] = field(default_factory=dict)  # VM id → (name, MemoryAssigned)
    cluster: dict[str, ClusterMigration] = field(default_factory=dict)
    counters: dict[str, dict[str, float]] = field(default_factory=dict)
    events: list[VmmsEvent] = field(default_factory=list)
    error: str | None = None


def parse_node(node: str, rows: list[dict[str, Any]]) -> NodeReading:
    """Sort one node's mixed output by shape (the statements' objects arrive in one list)."""
    reading = NodeReading(node)
    parameters: list[dict[str, Any]] = []
    counter_rows: list[dict[str, Any]] = []
    for row in rows:
        if "JobState" in row:
            reading.jobs.append(MigrationJob.from_properties(row))
        elif "ClusterObject" in row:
            parameters.append(row)
        elif "CounterSamples" in row or ("CookedValue" in row and "Path" in row):
            counter_rows.append(row)
        elif "TimeCreated" in row:
            event = VmmsEvent.from_properties(row)
            if event.event_id in MIGRATION_EVENTS:
                reading.events.append(event)
        elif "Id" in row and "Name" in row:
            try:
                memory = int(row.get("MemoryAssigned") or 0)
            except (TypeError, ValueError):
                memory = 0
            reading.vms[str(row["Id"]).lower()] = (str(row["Name"]), memory)
    reading.cluster = parse_cluster_parameters(parameters)
    reading.counters = parse_counter_samples(counter_rows)
    return reading


class MigrationWatch:
    """Polls the nodes and keeps each migration's history (throughput samples for the sparkline)."""

    def __init__(
        self,
        workspace: Workspace,
        nodes: list[str],
        cluster: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        keep_finished: int = 50,
    ) -> None:
        self.workspace = workspace
        self.nodes = list(nodes)
        self.cluster = cluster
        self.clock = clock
        self.keep_finished = keep_finished
        self.tracked: dict[str, Tracked] = {}
        self.vm_names: dict[str, tuple[str, int]] = {}
        self._need_ids: set[str] = set(self.nodes)
        self.problems: dict[str, str] = {}

    def pipelines(self) -> dict[str, Pipeline]:
        return {
            node: poll_pipeline(self.cluster, with_cluster=index == 0, with_vm_ids=node in self._need_ids)
            for index, node in enumerate(self.nodes)
        }

    def poll(self) -> list[MigrationView]:
        readings: list[NodeReading] = []
        outcomes = self.workspace.sessions.gather(self.pipelines(), raise_on_failure=False)
        for outcome in outcomes:
            if outcome.result is None:
                readings.append(NodeReading(outcome.host, error=str(outcome.error)))
                continue
            rows = [properties(o) for o in outcome.result.objects if hasattr(o, "adapted_properties")]
            reading = parse_node(outcome.host, rows)
            failure = outcome.result.terminating_error
            if failure is not None and not_hyperv(failure) and not rows:
                self.nodes.remove(outcome.host)  # the storage box: not polled again
                continue
            if failure is not None:
                reading.error = str(failure)
            readings.append(reading)
        return self.merge(readings)

    def merge(self, readings: list[NodeReading]) -> list[MigrationView]:
        """Fold one poll's readings into the tracked migrations; newest first, running before finished."""
        now = self.clock()
        self.problems = {r.node: r.error for r in readings if r.error}
        for reading in readings:
            if reading.vms:
                self.vm_names.update(reading.vms)
                self._need_ids.discard(reading.node)
        cluster: dict[str, ClusterMigration] = {}
        counters: dict[str, dict[str, float]] = {}
        events: list[VmmsEvent] = []
        for reading in readings:
            cluster.update(reading.cluster)
            counters.update(reading.counters)
            events.extend(reading.events)
        seen: set[str] = set()
        for reading in readings:
            for job in reading.jobs:
                name, memory = self.vm_names.get(job.vm_id.lower(), ("", 0))
                if not name:
                    self._need_ids.add(reading.node)  # a VM created since: ask for the ids next poll
                    name = job.vm_id
                key = f"{name.lower()}|{job.instance_id or job.start_time}"
                tracked = self.tracked.setdefault(key, Tracked(name, reading.node, job.destination, now))
                tracked.memory = memory or tracked.memory
                tracked.job = job
                tracked.last_seen = now
                seen.add(key)
        for vm, state in cluster.items():  # moves with no job seen (quick migration, job not polled yet)
            if any(t.vm.lower() == vm.lower() for t in self.tracked.values() if not t.finished):
                continue
            if state.state.value in (1, 2, 3):
                key = f"{vm.lower()}|cluster|{now}"
                self.tracked[key] = Tracked(vm, "", "", now)
        views = []
        for tracked in self.tracked.values():
            views.append(build_view(tracked, cluster, counters, events, now))
        self._forget_old()
        views.sort(key=lambda v: (v.finished, -v.started))
        return views

    def _forget_old(self) -> None:
        finished = [k for k, t in self.tracked.items() if t.finished]
        for key in finished[: max(0, len(finished) - self.keep_finished)]:
            del self.tracked[key]
