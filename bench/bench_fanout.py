"""Refresh cost of N hosts vs 1 host over kept-open pools (prints figures; not a timed test).

    python -m bench.bench_fanout                      # starts `hvconsole lab serve`, uses all its hosts
    python -m bench.bench_fanout --hosts 16 --scenario <a 16-host scenario>
    python -m bench.bench_fanout --hosts-json lab.json  # endpoints of an already running lab (its JSON line)

One refresh = one small inventory pipeline per host (one round trip each), all hosts in parallel through
SessionManager.fan_out. The target is median(N hosts) / median(1 host) <= 2.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.manager import SessionManager
from hvconsole.remoting.settings import ConnectionSettings

INVENTORY = Pipeline.of(
    Command("Get-NetAdapter") | Command("Select-Object", Property=["Name", "ifIndex", "Status", "MacAddress"])
)


def start_lab(
    scenario: str, state: Path, faults: str | None = None
) -> tuple[subprocess.Popen[bytes], list[dict[str, Any]]]:
    command = [sys.executable, "-m", "hvconsole", "lab", "serve", "--json", "--port", "0"]
    command += ["--state", str(state), "--scenario", scenario]
    if faults:
        command += ["--faults", faults]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit(f"the lab did not start: {' '.join(command)}")
    return process, json.loads(line)["hosts"]


def settings_of(host: dict[str, Any]) -> ConnectionSettings:
    password = host["password"]
    return ConnectionSettings(
        host["name"],
        host["address"],
        host["port"],
        auth="basic",
        cert_validation=host["ca_cert"],
        username=host["username"],
        password=lambda: password,
    )


def refresh(manager: SessionManager, hosts: list[str]) -> float:
    started = time.perf_counter()
    outcomes = list(manager.fan_out(INVENTORY, hosts, max_parallel=16))
    elapsed = time.perf_counter() - started
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise SystemExit(f"refresh failed on {failed[0].host}: {failed[0].error or failed[0].result}")
    return elapsed


def measure(hosts: list[dict[str, Any]], rounds: int) -> tuple[float, float]:
    manager = SessionManager()
    for host in hosts:
        manager.add(settings_of(host))
    names = manager.hosts
    try:
        for _ in range(3):  # open every pool, warm caches
            refresh(manager, names)
        one, many = [], []
        for _ in range(rounds):  # interleaved, so drift hits both alike
            one.append(refresh(manager, names[:1]))
            many.append(refresh(manager, names))
    finally:
        manager.close_all()
    return statistics.median(one), statistics.median(many)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=16, help="how many hosts to refresh (default 16)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--scenario", default="classic")
    parser.add_argument("--hosts-json", type=Path, help="the JSON line of a running `lab serve --json`")
    parser.add_argument(
        "--host-latency",
        help="make every lab host answer this much later (e.g. 25ms), as a real WinRM host does; "
        "without it the lab answers in microseconds and the figure measures CPU on this machine",
    )
    args = parser.parse_args(argv)
    process = None
    if args.hosts_json:
        hosts = json.loads(args.hosts_json.read_text().splitlines()[0])["hosts"]
    else:
        faults = f"*:latency={args.host_latency}" if args.host_latency else None
        process, hosts = start_lab(args.scenario, Path(tempfile.mkdtemp()) / "state.json", faults)
    try:
        if len(hosts) < args.hosts:
            print(f"note: only {len(hosts)} hosts available (asked for {args.hosts})")
        chosen = hosts[: args.hosts]
        one, many = measure(chosen, args.rounds)
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
    where = f"hosts answering after {args.host_latency}" if args.host_latency else "loopback, no host latency"
    print(f"({where}; the lab's {len(chosen)} hosts share this machine's CPUs with the client)")
    print(f"refresh 1 host:  median {one * 1000:7.1f} ms  ({args.rounds} rounds)")
    print(f"refresh {len(chosen)} hosts: median {many * 1000:7.1f} ms")
    print(f"ratio {len(chosen)}/1: {many / one:.2f}  (target <= 2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
