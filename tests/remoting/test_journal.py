"""The journal: whole lines, rotation, torn last line, secrets redacted by construction."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from hvconsole.remoting.command import Command, Pipeline, Secret
from hvconsole.remoting.journal import Journal, JournalEntry, Outcome, default_journal_path, read_entries
from hvconsole.remoting.render import render


def _entry(i: int = 0, outcome: Outcome = Outcome.OK) -> JournalEntry:
    return JournalEntry.now("HV1", f"Get-NetAdapter -Name 'n{i}'", 0.0123, outcome)


def test_record_and_read_back(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal.jsonl")
    journal.record(_entry())
    journal.record(
        JournalEntry.now(
            "HV2", "Get-Disk", 1.5, Outcome.FAILED, error_fqid="X,Get-Disk", error_message="it broke"
        )
    )
    journal.close()
    entries = list(journal.entries())
    assert [e.host for e in entries] == ["HV1", "HV2"]
    assert entries[0].duration_ms == 12 and entries[0].outcome is Outcome.OK
    assert entries[1].error_fqid == "X,Get-Disk" and entries[1].outcome is Outcome.FAILED
    raw = json.loads((tmp_path / "state" / "journal.jsonl").read_text().splitlines()[0])
    assert raw["time"].endswith("Z") and raw["outcome"] == "ok"


def test_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.record(_entry(1))
    journal.record(_entry(2))
    with open(path, "ab") as handle:
        handle.write(_entry(3).to_line()[:20])
    assert [e.command for e in read_entries(path)] == [
        "Get-NetAdapter -Name 'n1'",
        "Get-NetAdapter -Name 'n2'",
    ]


def test_rotation_keeps_n_files(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    line_size = len(_entry(0).to_line())
    journal = Journal(path, max_bytes=line_size * 3, keep=2)
    for i in range(10):
        journal.record(_entry(i))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "journal.jsonl",
        "journal.jsonl.1",
        "journal.jsonl.2",
    ]
    assert all(p.stat().st_size <= line_size * 3 for p in tmp_path.iterdir())
    commands = [e.command for e in journal.entries()]
    assert commands == [f"Get-NetAdapter -Name 'n{i}'" for i in range(3, 10)]  # [0-2] rotated out


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl", max_bytes=10_000, keep=50)

    def write(host: str) -> None:
        for i in range(200):
            journal.record(JournalEntry.now(host, "x" * (i % 300), 0.001, Outcome.OK))

    threads = [threading.Thread(target=write, args=(f"HV{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = [line for p in journal.files() for line in p.read_bytes().splitlines()]
    assert len(lines) == 800
    assert all(json.loads(line)["outcome"] == "ok" for line in lines)


def test_rendered_commands_carry_no_secret(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    pipeline = Pipeline.of(Command("Install-ADDSForest", SafeModeAdministratorPassword=Secret("Hunter2!")))
    journal.record(JournalEntry.now("DC1", render(pipeline), 2.0, Outcome.OK))
    assert "Hunter2!" not in (tmp_path / "journal.jsonl").read_text()


def test_default_path_is_under_the_state_dir() -> None:
    path = default_journal_path()
    assert path.name == "journal.jsonl" and "hvconsole" in str(path)
