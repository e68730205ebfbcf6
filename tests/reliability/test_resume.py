"""Resumable operations: an apply killed half-way is shown on the next start (what was done, what was not)
and resumed without doing anything twice; the journal and the operation log survive SIGKILL of a writer."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable

from hvconsole.stages.apply import Applier
from hvconsole.stages.operations import OperationLog, resume_skip
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.resume import ResumeScreen
from tests.reliability.conftest import FaultyLab, eventually, firewall_plan, start_faulty_lab

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys, os
from pathlib import Path
from hvconsole.remoting.journal import Journal, JournalEntry, Outcome
from hvconsole.stages.operations import OperationLog
from hvconsole.stages.plan import Plan, Step
from hvconsole.remoting.command import Command, Pipeline
journal = Journal(Path(sys.argv[1]), max_bytes=10**9)
log = OperationLog(Path(sys.argv[2]))
big = "x" * int(sys.argv[3])
plan = Plan.of("t", [Step("HV1", "s", Pipeline.of(Command("Get-Service", Name=big[:2000])))])
i = 0
while True:
    i += 1
    journal.record(JournalEntry.now("HV1", "Get-Service -Name " + big[: (i * 7919) % len(big)], 0.1, Outcome.OK))
    log.started(f"op{i}", plan)
    log.step(f"op{i}", 0, plan.steps[0], "applied", "é ✓ " + big[: (i * 104729) % len(big)])
"""


def test_journal_and_operation_log_survive_sigkill_of_a_writer(tmp_path: Path) -> None:
    journal, operations = tmp_path / "journal.jsonl", tmp_path / "operations.jsonl"
    rng = random.Random(8)
    for _round in range(12):
        size = rng.choice([100, 5000, 70000, 300000])  # beyond a pipe buffer, beyond PIPE_BUF
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(journal), str(operations), str(size)], cwd=ROOT
        )
        time.sleep(rng.uniform(0.3, 0.8))
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
    for path in (journal, operations):
        data = path.read_bytes()
        lines = data.split(b"\n")
        assert lines[-1] == b"", f"{path.name} ends with a torn line"
        assert len(lines) > 20
        for line in lines[:-1]:
            json.loads(line)  # every line parses
    assert OperationLog(operations).operations()


RUN_PART = """
import json, sys, dataclasses
from pathlib import Path
from hvconsole.remoting.manager import SessionManager
from hvconsole.remoting.settings import ConnectionSettings
from hvconsole.stages.apply import Applier
from hvconsole.stages.operations import OperationLog
from tests.reliability.conftest import firewall_plan
info = json.loads(Path(sys.argv[1]).read_text())
manager = SessionManager()
manager.add(ConnectionSettings(host=info["name"], address=info["address"], port=info["port"], auth="basic",
    cert_validation=info["ca_cert"], username=info["username"], password=lambda: info["password"]))
log = OperationLog(Path(sys.argv[2]))
log.context = {"destination": "2", "hosts": [info["name"]]}
Applier(manager, firewall_plan(info["name"], sys.argv[3].split(",")), log=log).run()
"""


@pytest.fixture(scope="module")
def resume_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyLab]:
    lab = start_faulty_lab(tmp_path_factory.mktemp("resume-lab"))
    yield lab
    lab.opened.close()


def _step_events(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text().splitlines() if '"event": "step"' in line)


async def test_an_apply_killed_half_way_is_shown_and_resumed(resume_lab: FaultyLab, tmp_path: Path) -> None:
    lab = resume_lab
    host = lab.hosts[0]
    names = [f"hvc-resume-{i}" for i in range(6)]
    assert lab.opened.lab is not None
    info = next(h for h in lab.opened.lab.hosts if h.name == host)
    secret_file = tmp_path / "host.json"
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, info.model_dump_json().encode())
    os.close(fd)
    log_path = lab.workspace.operations.path
    lab.control.forget_received(host)
    lab.control.apply(f"{host}:latency=120ms")
    applying = subprocess.Popen(
        [sys.executable, "-c", RUN_PART, str(secret_file), str(log_path), ",".join(names)], cwd=ROOT
    )
    try:
        assert eventually(lambda: _step_events(log_path) >= 2, timeout=60, every=0.02)
    finally:
        applying.send_signal(signal.SIGKILL)
        applying.wait(10)
    lab.control.clear(host)

    [operation] = lab.workspace.operations.unfinished()
    done = operation.completed_indexes
    assert 2 <= len(done) < len(names)
    assert operation.origin == {"destination": "2", "hosts": [host]}

    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            await pilot.pause(0.1)
            if isinstance(app.screen, ResumeScreen):
                break
        assert isinstance(app.screen, ResumeScreen)
        table = app.screen.query_one("#resume-steps", DataTable)
        statuses = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert statuses.count("applied") == len(done)
        assert "not run" in statuses
        await pilot.press("escape")  # later: still offered next time
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ResumeScreen)
    assert lab.workspace.operations.unfinished()

    plan = firewall_plan(host, names)  # re-planned the same way; the applier re-reads every step first
    report = Applier(lab.workspace.sessions, plan, log=lab.workspace.operations).run(
        skip=resume_skip(plan, operation)
    )
    assert report.succeeded, report.details
    lab.workspace.operations.close(operation.id, "resumed")
    assert not lab.workspace.operations.unfinished()
    for name in names:
        created = [c for c in lab.received(host, "New-NetFirewallRule") if ["Name", name] in c["parameters"]]
        assert len(created) == 1, f"{name} created {len(created)} times"


def test_dismissing_in_the_resume_screen_closes_the_operation(tmp_path: Path) -> None:
    log = OperationLog(tmp_path / "operations.jsonl")
    plan = firewall_plan("HV1", ["a", "b"])
    log.started("op1", plan)
    log.step("op1", 0, plan.steps[0], "applied", "")
    [operation] = log.unfinished()
    assert operation.status(0) == "applied" and operation.status(1) == "not run"
    assert resume_skip(plan, operation) == {0}
    log.close("op1", "dismissed")
    assert log.unfinished() == []


def test_read_only_mode_applies_nothing_even_when_resuming(resume_lab: FaultyLab) -> None:
    from hvconsole.stages.apply import ReadOnlyMode

    plan = firewall_plan(resume_lab.hosts[1], ["never"])
    with pytest.raises(ReadOnlyMode):
        Applier(resume_lab.workspace.sessions, plan, read_only=True).run(skip=set())
