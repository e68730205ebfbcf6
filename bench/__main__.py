"""Every benchmark behind one command: `python -m bench` (or `make bench`) prints each figure with its target.

Each benchmark runs in its own process, one after another (the machine is small: they must not compete).
`python -m bench NAME...` runs only those.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS: list[tuple[str, list[str], str]] = [
    (
        "pipeline_latency",
        [],
        "issue 2: one small pipeline on a kept-open pool vs a new pool per command; 1k/10k objects",
    ),
    (
        "fanout",
        ["--scenario", "sixteen"],
        "issue 3: refresh of 16 lab hosts vs 1 host, raw loopback (CPU-bound here)",
    ),
    (
        "fanout",
        ["--scenario", "sixteen", "--host-latency", "40ms"],
        "issue 3: refresh of 16 lab hosts vs 1 host whose replies take 40 ms, as a Windows host running the cmdlets does (target ratio <= 2)",
    ),
    (
        "startup",
        ["--runs", "5"],
        "issue 3: process start → dashboard with every host connected, vs a bare Textual app",
    ),
]


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failures = 0
    for name, args, what in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        print(f"\n== {name}: {what}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"bench.bench_{name}", *args], check=False)
        if result.returncode != 0:
            failures += 1
            print(f"   {name} FAILED (exit {result.returncode})")
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
