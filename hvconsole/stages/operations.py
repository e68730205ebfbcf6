"""The operation log: one JSON line per event of a multi-step apply, so an interrupted apply can be shown
(what was done, what was not) and resumed on the next start. Same line-atomic append as the journal: one
``os.write`` of a whole line on an O_APPEND descriptor, so a kill tears at most the last line, which the
reader skips.

Resuming re-plans: the stage that made the plan (``Operation.origin``: its navigation key and hosts,
recorded from ``OperationLog.context`` when the apply started) re-reads the hosts and plans only what is
missing; the applier verifies every step before running it, and ``resume_skip`` lets a headless resume skip
the steps the log already shows as done. An operation is closed by "finished" or, once resumed or dismissed
by the user, by "closed"."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hvconsole.stages.plan import Plan, Step


@dataclass
class Operation:
    id: str
    title: str
    started: str
    steps: list[dict[str, str]]
    done: dict[int, str] = field(default_factory=dict)  # step index → outcome
    finished: bool = False
    succeeded: bool = False
    origin: dict[str, object] = field(default_factory=dict)  # {"destination": key, "hosts": [...]}

    def status(self, index: int) -> str:
        """The outcome the log shows for a step: applied, already held, failed, unknown, skipped or
        "not run" (it never started before the app stopped)."""
        return self.done.get(index, "not run")

    @property
    def completed_indexes(self) -> set[int]:
        return {i for i, outcome in self.done.items() if outcome in ("applied", "already held")}


class OperationLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.context: dict[str, object] = {}  # set by the UI: where the next plans come from

    def _append(self, record: dict[str, object]) -> None:
        record["time"] = datetime.now(UTC).isoformat(timespec="milliseconds")
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"short write to the operation log ({written} of {len(line)} bytes)")
            finally:
                os.close(fd)

    def started(self, operation: str, plan: Plan) -> None:
        steps = [{"host": s.host, "title": s.title, "powershell": s.powershell} for s in plan.steps]
        record: dict[str, object] = {"op": operation, "event": "started", "title": plan.title, "steps": steps}
        if self.context:
            record["origin"] = dict(self.context)
        self._append(record)

    def step(self, operation: str, index: int, step: Step, outcome: str, detail: str) -> None:
        self._append(
            {
                "op": operation,
                "event": "step",
                "index": index,
                "host": step.host,
                "outcome": outcome,
                "detail": detail,
            }
        )

    def finished(self, operation: str, succeeded: bool) -> None:
        self._append({"op": operation, "event": "finished", "succeeded": succeeded})

    def close(self, operation: str, how: str) -> None:
        """The user resumed (re-planned) or dismissed an interrupted operation: stop offering it."""
        self._append({"op": operation, "event": "closed", "how": how})

    def operations(self) -> list[Operation]:
        found: dict[str, Operation] = {}
        if not self.path.exists():
            return []
        with open(self.path, "rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # torn last line of a killed writer
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                op_id = record.get("op")
                if record.get("event") == "started":
                    found[op_id] = Operation(
                        op_id,
                        record.get("title", ""),
                        record.get("time", ""),
                        record.get("steps", []),
                        origin=record.get("origin") or {},
                    )
                elif op_id in found and record.get("event") == "step":
                    found[op_id].done[int(record["index"])] = str(record.get("outcome"))
                elif op_id in found and record.get("event") == "finished":
                    found[op_id].finished = True
                    found[op_id].succeeded = bool(record.get("succeeded"))
                elif op_id in found and record.get("event") == "closed":
                    found[op_id].finished = True
        return list(found.values())

    def unfinished(self) -> list[Operation]:
        """Applies that were interrupted (the app was killed or crashed before they finished)."""
        return [op for op in self.operations() if not op.finished]


def resume_skip(plan: Plan, operation: Operation) -> set[int]:
    """Indexes of ``plan``'s steps the interrupted ``operation`` already completed (same host, same
    PowerShell): ``Applier.run(skip=...)`` reports them as done without running them again. Steps that were
    interrupted mid-way ("unknown") or never ran are not skipped: the applier re-reads them first."""
    completed = {
        (step.get("host"), step.get("powershell"))
        for index, step in enumerate(operation.steps)
        if index in operation.completed_indexes
    }
    return {i for i, step in enumerate(plan.steps) if (step.host, step.powershell) in completed}
