"""Soak: mixed operations across the 16-host lab with faults injected at random, the real app running headless.

    python -m bench.soak [--minutes 1] [--seed 7]

Loopback only, bounded in time (``--minutes``, default 1) and in faults (at most one new fault every
``--fault-every`` seconds, each held 1–4 s, on at most 4 hosts at once). Prints:

* faults injected / faults survived (after the fault cleared, the host answered again within 30 s);
* operations completed (reads and changes) and operations lost: a change the applier reported as applied
  that is not on the host, a change done twice (the lab says "already exists"), or a change still not
  confirmed after the faults stopped and it was re-planned — must be 0;
* UI stalls: event-loop lag over 250 ms, measured by a 50 ms timer on the app's own loop — must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from hvconsole.lab.control import LabControl
from hvconsole.launch import Opened, open_workspace
from hvconsole.paths import Locations
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.errors import RemotingError
from hvconsole.stages.apply import Applier
from hvconsole.stages.plan import Plan, Step, Verification
from hvconsole.ui.app import HvConsoleApp, steady_gc

FAST: dict[str, Any] = {
    "connect_timeout": 2.0,
    "read_timeout": 5.0,
    "operation_timeout": 3,
    "reconnect_attempts": 2,
    "reconnect_base_delay": 0.2,
    "reconnect_max_delay": 1.0,
    "poll_interval": 0.2,
    "pipeline_timeout": 20.0,
}
FAULTS = [
    "down",
    "blackhole",
    "latency=200ms",
    "drop=0.2",
    "http500=0.2",
    "drop=1@New-NetFirewallRule",
    "http500=1@New-NetFirewallRule",
    "hang=Get-Service",
    "expired-credentials",
    "fail=Get-Service:HardwareFailure",
    "reboot-after=2",
]
SERVICE = Pipeline.of(Command("Get-Service", Name="WinRM"))
STALL = 0.25


@dataclasses.dataclass
class Tally:
    injected: int = 0
    survived: int = 0
    completed: int = 0
    lost: int = 0
    stalls: int = 0
    worst_lag: float = 0.0
    applied: dict[str, str] = dataclasses.field(default_factory=dict)  # rule name → host
    pending: dict[str, str] = dataclasses.field(default_factory=dict)  # not yet confirmed
    notes: list[str] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def rule_step(host: str, name: str) -> Step:
    create = Command("New-NetFirewallRule", Name=name, DisplayName=f"soak {name}", LocalPort=["5999"])
    read = Command("Get-NetFirewallRule", Name=name, ErrorAction="SilentlyContinue")
    return Step(host, f"rule {name}", Pipeline.of(create.param("Protocol", "TCP")),
                verify=Verification(Pipeline.of(read), lambda r: bool(r.objects)))  # fmt: skip


def change(opened: Opened, host: str, name: str, tally: Tally) -> None:
    report = Applier(opened.workspace.sessions, Plan.of("soak", [rule_step(host, name)])).run()
    detail = report.details.get(0, "")
    with tally.lock:
        if report.succeeded:
            tally.completed += 1
            tally.applied[name] = host
            tally.pending.pop(name, None)
        else:
            if "already exists" in detail:
                tally.lost += 1
                tally.notes.append(f"{name} on {host} was created twice")
            tally.pending[name] = host  # re-planned later


def operations(
    opened: Opened, hosts: list[str], stop: threading.Event, tally: Tally, rng: random.Random, worker: int
) -> None:
    """An admin (or a script) at work: reads across hosts, changes on one host, a little think time."""
    number = 0
    while not stop.wait(rng.uniform(0.02, 0.2)):
        number += 1
        if rng.random() < 0.5:
            chosen = rng.sample(hosts, rng.randint(1, len(hosts)))
            for outcome in opened.workspace.sessions.fan_out(
                SERVICE, chosen, timeout=20, raise_on_failure=False
            ):
                if outcome.ok:
                    with tally.lock:
                        tally.completed += 1
        else:
            change(opened, rng.choice(hosts), f"soak-{worker}-{number}", tally)


def answers(opened: Opened, host: str) -> bool:
    try:
        return bool(opened.workspace.sessions[host].invoke(SERVICE, timeout=10).objects)
    except RemotingError:
        return False


def inject(opened: Opened, control: LabControl, hosts: list[str], stop: threading.Event, tally: Tally,
           rng: random.Random, every: float) -> None:  # fmt: skip
    while not stop.wait(every):
        host = rng.choice(hosts)
        fault = rng.choice(FAULTS)
        control.apply(f"{host}:{fault}")
        with tally.lock:
            tally.injected += 1
        threading.Thread(
            target=heal, args=(opened, control, host, rng.uniform(1, 4), tally), daemon=True
        ).start()


def heal(opened: Opened, control: LabControl, host: str, hold: float, tally: Tally) -> None:
    time.sleep(hold)
    control.clear(host)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if answers(opened, host):
            with tally.lock:
                tally.survived += 1
            return
        time.sleep(0.5)
    with tally.lock:
        tally.notes.append(f"{host} did not answer within 30 s after its fault cleared")


def reconcile(opened: Opened, tally: Tally) -> None:
    """After the faults: re-plan what was not confirmed, then check every applied rule is on its host."""
    for name, host in list(tally.pending.items()):
        for _attempt in range(3):
            change(opened, host, name, tally)
            if name not in tally.pending:
                break
    with tally.lock:
        tally.lost += len(tally.pending)
        tally.notes += [f"{n} on {h} never confirmed" for n, h in tally.pending.items()]
    for name, host in tally.applied.items():
        read = Pipeline.of(Command("Get-NetFirewallRule", Name=name, ErrorAction="SilentlyContinue"))
        if not opened.workspace.sessions[host].invoke(read, timeout=20).objects:
            tally.lost += 1
            tally.notes.append(f"{name} reported applied on {host} but is not there")


async def drive_app(opened: Opened, seconds: float, tally: Tally) -> None:
    app = HvConsoleApp(opened.workspace, poll_seconds=2.0)
    async with app.run_test(size=(160, 40)) as pilot:
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            before = loop.time()
            await asyncio.sleep(0.05)
            lag = loop.time() - before - 0.05
            tally.worst_lag = max(tally.worst_lag, lag)
            if lag > STALL:
                tally.stalls += 1
                tally.notes.append(
                    f"UI stall of {lag * 1000:.0f} ms at {seconds - (end - loop.time()):.1f} s"
                )
        await pilot.pause()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fault-every", type=float, default=2.0, help="seconds between new faults")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 120:
        parser.error("--minutes must be between 0 and 120")
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="hvconsole-soak-"))
    where = Locations(root / "config", root / "state", root / "data")
    opened = open_workspace(use_lab=True, lab_speed=50.0, lab_state=root / "lab" / "state.json", where=where,
                            lab_args=["--scenario", "sixteen", "--seed", str(args.seed)])  # fmt: skip
    tally = Tally()
    try:
        assert opened.lab is not None and opened.lab.control is not None
        for host in opened.workspace.sessions.hosts:
            opened.workspace.sessions.add(
                dataclasses.replace(opened.workspace.sessions[host].settings, **FAST)
            )
        control = LabControl(opened.lab.control["url"], opened.lab.control["token"])
        hosts = opened.workspace.host_names()
        stop = threading.Event()
        workers = [
            threading.Thread(
                target=operations, args=(opened, hosts, stop, tally, random.Random(rng.random()), worker)
            )
            for worker in range(3)
        ]
        workers.append(
            threading.Thread(target=inject, args=(opened, control, hosts, stop, tally, rng, args.fault_every))
        )
        for worker in workers:
            worker.start()
        started = time.monotonic()
        steady_gc()  # as `hvconsole` does before it runs the app
        asyncio.run(drive_app(opened, args.minutes * 60, tally))
        stop.set()
        for worker in workers:
            worker.join(120)
        control.clear()
        time.sleep(4.5)  # the last heals finish (each holds ≤ 4 s)
        reconcile(opened, tally)
        elapsed = time.monotonic() - started
    finally:
        opened.close()
    print(f"soak: {elapsed:.0f} s, {len(hosts)} lab hosts (scenario sixteen), seed {args.seed}")
    print(f"faults injected        {tally.injected}")
    print(f"faults survived        {tally.survived}")
    print(f"operations completed   {tally.completed}")
    print(f"operations lost        {tally.lost}   (must be 0)")
    print(
        f"UI stalls over 250 ms  {tally.stalls}   (must be 0; worst event-loop lag {tally.worst_lag * 1000:.0f} ms)"
    )
    for note in tally.notes[:20]:
        print(f"  note: {note}")
    ok = tally.lost == 0 and tally.stalls == 0 and tally.survived == tally.injected
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
