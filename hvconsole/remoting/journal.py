"""The journal: one JSON line per pipeline run, append-only, flushed per entry, rotated by size.

Each entry is written with a single ``os.write`` of a complete line on an ``O_APPEND`` descriptor, so lines
from several threads (or processes) never interleave and a crash can tear at most the last line, which the
reader skips. The command is the renderer's output, so secrets are already ``********``.
Rotation (journal.jsonl → .1 → .2 …) is coordinated between threads of one process; another process that
appends at the moment of a rotation lands its line in the rotated file, which is still a whole line.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import platformdirs

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_KEEP = 3


class Outcome(StrEnum):
    OK = "ok"  # completed, no error records
    ERROR = "error"  # completed with non-terminating error records
    FAILED = "failed"  # the pipeline ended in state Failed (a terminating error)
    CANCELLED = "cancelled"  # stopped by the user or by the pipeline's own time limit
    CONNECTION = "connection"  # the host could not be reached or the connection dropped


@dataclass(frozen=True)
class JournalEntry:
    time: str
    host: str
    command: str
    duration_ms: int
    outcome: Outcome
    error_fqid: str | None = None
    error_message: str | None = None

    @classmethod
    def now(
        cls, host: str, command: str, duration_s: float, outcome: Outcome, **error: str | None
    ) -> JournalEntry:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return cls(stamp, host, command, round(duration_s * 1000), outcome, **error)

    def to_line(self) -> bytes:
        return (json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def default_journal_path() -> Path:
    return Path(platformdirs.user_state_dir("hvconsole")) / "journal.jsonl"


class Journal:
    """Append entries with ``record``; read them back with ``entries`` (oldest first)."""

    def __init__(
        self, path: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES, keep: int = DEFAULT_KEEP
    ) -> None:
        self.path = Path(path) if path is not None else default_journal_path()
        self.max_bytes = max_bytes
        self.keep = keep
        self._lock = threading.Lock()
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd

    def _rotate(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        for index in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{index}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{index + 1}"))
        if self.keep > 0:
            os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink()

    def record(self, entry: JournalEntry) -> None:
        line = entry.to_line()
        with self._lock:
            fd = self._open()
            size = os.fstat(fd).st_size
            if size and size + len(line) > self.max_bytes:
                self._rotate()
                fd = self._open()
            written = os.write(fd, line)
            if written != len(line):  # a regular file takes the whole line; anything else is a failure
                raise OSError(f"short write to the journal ({written} of {len(line)} bytes)")

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def files(self) -> list[Path]:
        """Oldest first: journal.jsonl.3, .2, .1, journal.jsonl (those that exist)."""
        rotated = [self.path.with_name(f"{self.path.name}.{i}") for i in range(self.keep, 0, -1)]
        return [p for p in [*rotated, self.path] if p.exists()]

    def entries(self) -> Iterator[JournalEntry]:
        for path in self.files():
            yield from read_entries(path)


def read_entries(path: Path) -> Iterator[JournalEntry]:
    """Entries of one file. A line that is not a complete entry (a torn last line) is skipped."""
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                return  # torn: the writer died mid-line
            try:
                data = json.loads(raw)
                data["outcome"] = Outcome(data["outcome"])
                yield JournalEntry(**data)
            except (ValueError, TypeError, KeyError):
                continue
