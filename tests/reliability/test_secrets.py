"""Secrets: the most secret-bearing flow there is — promote a forest (DSRM password), join both nodes with
a domain credential, and a join refused for a wrong password — then every place a secret could leak is
scanned: journal, operation log, logs (DEBUG, pypsrp included), config/state/data files, plan screen
screenshots, snapshot SVGs, screenshots/, error texts and reprs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hvconsole.remoting.command import PSCredentialValue, Secret
from hvconsole.stages.apply import ApplyReport
from hvconsole.stages.identity import DomainJoin, HostChange, IdentityRequest, NewForest, build_plan
from hvconsole.stages.plan import Plan
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.plan import PlanScreen
from tests.reliability.conftest import FaultyLab, start_faulty_lab

ROOT = Path(__file__).resolve().parents[2]
DSRM = "Dsrm-Canary-7731!q"
WRONG = "Wrong-Canary-5519!z"
DOMAIN = "canary.example"


def apply(lab: FaultyLab, plan: Plan) -> ApplyReport:
    applier = lab.workspace.applier(plan, lambda event: None)
    applier.restart_timeout = 120
    return lab.workspace.run_applier(applier)  # type: ignore[no-any-return]


def scan(path: Path, secrets: list[str]) -> list[str]:
    found = []
    for file in [path] if path.is_file() else path.rglob("*"):
        if not file.is_file():
            continue
        data = file.read_bytes()
        found += [f"{file}: {s[:4]}…" for s in secrets if s.encode() in data or s.encode("utf-16-le") in data]
    return found


async def test_a_full_identity_flow_leaks_no_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, isolated_home: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    lab = start_faulty_lab(tmp_path, speed=50.0, tuned=False)
    try:
        assert lab.opened.lab is not None
        admin = lab.opened.lab.hosts[0].password  # also the domain Administrator's password after promotion
        secrets = [DSRM, WRONG, admin]
        storage, node1, node2 = lab.hosts[:3]
        forest = NewForest(storage, DOMAIN, "CANARY", Secret(DSRM))
        forest_plan = build_plan(lab.workspace, IdentityRequest(forest=forest))
        texts = [forest_plan.script(), repr(forest_plan), repr(forest)]
        report = apply(lab, forest_plan)
        assert report.succeeded, report.details
        texts += list(report.details.values())

        wrong = DomainJoin(DOMAIN, PSCredentialValue("CANARY\\Administrator", Secret(WRONG)))
        refused = build_plan(lab.workspace, IdentityRequest((HostChange(node2, join=True),), join=wrong))
        report = apply(lab, refused)
        assert not report.succeeded
        texts += [*list(report.details.values()), refused.script(), repr(refused)]

        good = DomainJoin(DOMAIN, PSCredentialValue("CANARY\\Administrator", Secret(admin)))
        join_plan = build_plan(
            lab.workspace,
            IdentityRequest((HostChange(node1, join=True), HostChange(node2, join=True)), join=good),
        )
        app = HvConsoleApp(lab.workspace, initial_refresh=False)
        async with app.run_test(size=(140, 50)) as pilot:
            app.push_screen(PlanScreen(lab.workspace, join_plan))
            await pilot.pause(0.3)
            await pilot.press("p")  # the whole script
            await pilot.pause(0.2)
            texts.append(app.export_screenshot())
            app.save_screenshot(str(tmp_path / "plan.svg"))
        report = apply(lab, join_plan)
        assert report.succeeded, report.details
        texts += list(report.details.values())
        texts += [
            repr(s.settings) + str(s.settings.to_dict())
            for s in map(lab.workspace.sessions.__getitem__, lab.hosts)
        ]
        texts += [entry.command + (entry.error_message or "") for entry in lab.workspace.journal.entries()]

        leaks = [f"text {i}" for i, t in enumerate(texts) for s in secrets if s in t]
        leaks += [f"log {r.name}" for r in caplog.records for s in secrets if s in r.getMessage()]
        leaks += scan(tmp_path / "plan.svg", secrets)
        for place in ("config", "state", "data"):
            leaks += scan(tmp_path / place, secrets)
        leaks += scan(isolated_home, secrets)
        leaks += scan(lab.workspace.journal.path.parent, secrets)
        for snapshots in ROOT.glob("tests/**/__snapshots__"):
            leaks += scan(snapshots, secrets)
        if (ROOT / "screenshots").exists():
            leaks += scan(ROOT / "screenshots", secrets)
        assert not leaks, leaks
        probe = tmp_path / "probe.txt"  # the scanner does find a password where there is one
        probe.write_text(f"x{DSRM}x")
        assert scan(probe, secrets)
        assert lab.workspace.journal.path.exists() and lab.workspace.operations.path.exists()
    finally:
        lab.opened.close()
