"""One migration as the monitor shows it, built from the sources a poll gathered (see migration_watch).

Where the figures come from: percent from the job (or the cluster resource's MigrationProgress), pass and
dirty pages and blackout flag from the counters, throughput = the busiest of the transport counters
(only one moves per performance option; taking the largest avoids counting compressed bytes twice —
# inferred), bytes left = dirty pages × 4 KiB after the first pass, else the unsent share of memory
(a fake "N of M" bar runs backwards when the guest dirties memory, anchors.md: show passes), blackout
from event 20415/20417, failure from the job's error and the destination's event 20413.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from hvconsole.windows.migration import (
    DIRTY_PAGES,
    EVENT_COMPLETED,
    EVENT_FAILED,
    EVENT_LONG_BLACKOUT,
    IS_BLACKOUT,
    PASS_NUMBER,
    RATE_COUNTERS,
    ClusterMigration,
    ClusterMigrationState,
    JobState,
    MigrationJob,
    VmmsEvent,
)

PAGE = 4096
HISTORY = 60  # throughput samples kept for the sparkline


@dataclass
class Tracked:
    vm: str
    source: str
    destination: str
    first_seen: float
    last_seen: float = 0.0
    memory: int = 0
    job: MigrationJob | None = None
    rates: list[float] = field(default_factory=list)
    outcome: str = "running"  # running | done | failed | canceled
    blackout: float | None = None
    failure: str | None = None
    finished_at: float | None = None
    passes: int = 0  # the highest pass number seen (the counters vanish when the move ends)

    @property
    def finished(self) -> bool:
        return self.outcome != "running"


@dataclass(frozen=True)
class MigrationView:
    vm: str
    source: str
    destination: str
    outcome: str
    phase: str
    percent: int
    pass_number: int
    dirty_pages: int
    rate_now: float  # bytes/s
    rate_avg: float
    bytes_left: int
    eta: float | None  # seconds
    elapsed: float  # seconds
    blackout: float | None
    failure: str | None
    history: tuple[float, ...]
    started: float

    @property
    def finished(self) -> bool:
        return self.outcome != "running"

    @property
    def route(self) -> str:
        return f"{self.source or '?'} → {self.destination or '?'}"


def _after(event: VmmsEvent, job: MigrationJob | None) -> bool:
    if job is None or job.start_time is None or event.time is None:
        return True
    try:
        return event.time >= job.start_time - datetime.timedelta(seconds=1)
    except TypeError:  # one aware, one naive
        return True


def _apply_events(tracked: Tracked, events: list[VmmsEvent]) -> None:
    for event in events:
        if event.vm.lower() != tracked.vm.lower() or not _after(event, tracked.job):
            continue
        if event.event_id in (EVENT_COMPLETED, EVENT_LONG_BLACKOUT) and tracked.outcome != "failed":
            tracked.blackout = event.blackout_seconds
            tracked.outcome = "done"
        elif event.event_id == EVENT_FAILED:
            where = event.machine or tracked.destination
            tracked.failure = f"{where}: {event.message}" if where else event.message
            tracked.outcome = "failed"


def _apply_job(tracked: Tracked) -> None:
    job = tracked.job
    if job is None or tracked.finished:
        return
    if job.state is JobState.Completed and not job.failed:
        tracked.outcome = "done"
    elif job.canceled:
        tracked.outcome = "canceled"
    elif job.failed:
        tracked.outcome = "failed"
        tracked.failure = tracked.failure or job.error_description or f"error {job.error_code}"


def _apply_cluster(tracked: Tracked, state: ClusterMigration | None) -> None:
    if tracked.finished:
        return
    if tracked.job is None and (state is None or state.state is ClusterMigrationState.NoMigration):
        tracked.outcome = "done"  # seen only through the cluster, and the cluster says it is over
        return
    if state is None:
        return
    if state.state is ClusterMigrationState.Failure:
        tracked.outcome = "failed"
        tracked.failure = tracked.failure or "the cluster reports the migration failed"
    elif state.state is ClusterMigrationState.Canceled:
        tracked.outcome = "canceled"


def build_view(
    tracked: Tracked,
    cluster: dict[str, ClusterMigration],
    counters: dict[str, dict[str, float]],
    events: list[VmmsEvent],
    now: float,
) -> MigrationView:
    was_finished = tracked.finished
    state = cluster.get(tracked.vm) or next(
        (c for name, c in cluster.items() if name.lower() == tracked.vm.lower()), None
    )
    _apply_events(tracked, events)
    _apply_job(tracked)
    _apply_cluster(tracked, state)
    if tracked.finished and not was_finished:
        tracked.finished_at = now
    sample = counters.get(tracked.vm.lower(), {})
    rate = max((sample.get(name.lower(), 0.0) for name in RATE_COUNTERS), default=0.0)
    if not tracked.finished and sample:
        tracked.rates.append(rate)
        del tracked.rates[:-HISTORY]
    job = tracked.job
    percent = job.percent if job else (state.progress if state else 0)
    if tracked.outcome == "done":
        percent = 100
    pass_number = int(sample.get(PASS_NUMBER.lower(), 0))
    tracked.passes = max(tracked.passes, pass_number)
    if tracked.finished:
        pass_number = tracked.passes
    dirty = int(sample.get(DIRTY_PAGES.lower(), 0))
    unsent = int(tracked.memory * (100 - percent) / 100)
    left = dirty * PAGE if pass_number > 1 and dirty else unsent
    if tracked.finished:
        left, rate = 0, 0.0
    moving = [r for r in tracked.rates if r > 0]
    average = sum(moving) / len(moving) if moving else 0.0
    speed = rate or average
    eta = left / speed if speed > 0 and not tracked.finished else None
    end = tracked.finished_at if tracked.finished_at is not None else now
    elapsed = (
        job.elapsed.total_seconds() if job and job.elapsed.total_seconds() > 0 else end - tracked.first_seen
    )
    return MigrationView(
        vm=tracked.vm,
        source=tracked.source,
        destination=tracked.destination,
        outcome=tracked.outcome,
        phase=_phase(tracked, state, pass_number, sample),
        percent=percent,
        pass_number=pass_number,
        dirty_pages=dirty,
        rate_now=rate,
        rate_avg=average,
        bytes_left=left,
        eta=eta,
        elapsed=elapsed,
        blackout=tracked.blackout,
        failure=tracked.failure,
        history=tuple(tracked.rates),
        started=tracked.first_seen,
    )


def _phase(
    tracked: Tracked, state: ClusterMigration | None, pass_number: int, sample: dict[str, float]
) -> str:
    if tracked.finished:
        return tracked.outcome
    if sample.get(IS_BLACKOUT.lower(), 0) >= 1:
        return "blackout"
    if state is not None and state.state is ClusterMigrationState.Move:
        return "switch-over"
    if pass_number >= 1:
        return f"pass {pass_number}"
    if state is not None and state.state is ClusterMigrationState.DataTransfer:
        return "copying memory"
    return "setup"


def summary(views: list[MigrationView]) -> str:
    """One line for many migrations: "7 done, 1 failed: VM3 → node2: <reason>" (plus running/canceled)."""
    if not views:
        return "No migrations in flight or recently finished."
    counts: dict[str, int] = {}
    for view in views:
        counts[view.outcome] = counts.get(view.outcome, 0) + 1
    parts = [f"{counts[k]} {k}" for k in ("running", "done", "failed", "canceled") if counts.get(k)]
    text = ", ".join(parts)
    failed = [v for v in views if v.outcome == "failed"]
    if failed:
        first = failed[0]
        text += f": {first.vm} → {first.destination or '?'}: {first.failure or 'failed'}"
        if len(failed) > 1:
            text += f" (and {len(failed) - 1} more)"
    return text


def human_bytes(value: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def human_rate(value: float) -> str:
    """Bytes/s as Mbit/s, the unit admins compare with link speeds."""
    return f"{value * 8 / 1e6:.0f} Mbit/s" if value >= 1e6 / 8 * 10 else f"{value * 8 / 1e6:.1f} Mbit/s"


def human_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    value = max(0.0, value)
    if value < 60:
        return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes}m{seconds:02d}s"
