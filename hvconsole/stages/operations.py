"""The operation log: one JSON line per event of a multi-step apply, so an interrupted apply can be shown
(what was done, what was not) and resumed on the next start. Same line-atomic append as the journal."""

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

    @property
    def completed_indexes(self) -> set[int]:
        return {i for i, outcome in self.done.items() if outcome in ("applied", "already held")}


class OperationLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _append(self, record: dict[str, object]) -> None:
        record["time"] = datetime.now(UTC).isoformat(timespec="milliseconds")
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def started(self, operation: str, plan: Plan) -> None:
        steps = [{"host": s.host, "title": s.title, "powershell": s.powershell} for s in plan.steps]
        self._append({"op": operation, "event": "started", "title": plan.title, "steps": steps})

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
                        op_id, record.get("title", ""), record.get("time", ""), record.get("steps", [])
                    )
                elif op_id in found and record.get("event") == "step":
                    found[op_id].done[int(record["index"])] = str(record.get("outcome"))
                elif op_id in found and record.get("event") == "finished":
                    found[op_id].finished = True
                    found[op_id].succeeded = bool(record.get("succeeded"))
        return list(found.values())

    def unfinished(self) -> list[Operation]:
        """Applies that were interrupted (the app was killed or crashed before they finished)."""
        return [op for op in self.operations() if not op.finished]
