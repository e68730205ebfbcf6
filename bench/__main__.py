"""Every benchmark behind one command: `python -m bench` (or `make bench`) prints each figure the issues asked
for, with its target, so a reader sees at a glance where the project stands.

Each benchmark runs in its own process, one after another (the machine is small: they must not compete).
A benchmark whose module is not there yet prints "not built yet" and does not count as a failure.
`python -m bench NAME...` runs only those; `python -m bench --list` prints the list without running anything.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    args: tuple[str, ...]
    issue: int
    figures: tuple[str, ...]  # "what is measured — target"


BENCHMARKS: list[Benchmark] = [
    Benchmark(
        "pipeline_latency",
        "bench.bench_pipeline_latency",
        (),
        2,
        (
            "median latency of one small pipeline on a kept-open runspace pool — target ≤ 10 ms",
            "the same with a new pool per command, and the ratio — target kept-open ≥ 3× faster",
            "time to return 1,000 and 10,000 objects — reported",
        ),
    ),
    Benchmark(
        "startup",
        "bench.bench_startup",
        ("--runs", "5"),
        3,
        (
            "process start → dashboard with every host connected, and its ratio to a bare Textual app — reported",
        ),
    ),
    Benchmark(
        "fanout",
        "bench.bench_fanout",
        ("--scenario", "sixteen"),
        3,
        (
            "refresh of 16 lab hosts vs 1 host on raw loopback (CPU-bound here: lab and console share 2 cores)",
        ),
    ),
    Benchmark(
        "fanout_host_latency",
        "bench.bench_fanout",
        ("--scenario", "sixteen", "--host-latency", "40ms"),
        3,
        (
            "refresh of 16 lab hosts vs 1 host whose replies take 40 ms, as a Windows host running the "
            "cmdlets does (parallel fan-out) — target ratio ≤ 2",
        ),
    ),
    Benchmark(
        "vm_inventory",
        "bench.bench_vm_inventory",
        (),
        7,
        ("cluster-wide VM inventory of the scale scenario (fetch + parse + table visible) — target < 1 s",),
    ),
    Benchmark(
        "keystroke_latency",
        "bench.bench_keystrokes",
        (),
        7,
        (
            "keystroke-to-frame latency scrolling the 1,000-VM table — p50/p95 reported",
            "keystroke-to-frame latency while 8 migrations update the monitor — p50/p95 reported",
        ),
    ),
    Benchmark(
        "soak",
        "bench.soak",
        ("--minutes", "1"),
        8,
        (
            "soak across 16 lab hosts with random faults: faults injected / survived, operations completed",
            "operations lost — target 0",
            "UI stalls over 250 ms — target 0",
        ),
    ),
]


def is_built(benchmark: Benchmark) -> bool:
    return importlib.util.find_spec(benchmark.module) is not None


def describe(benchmark: Benchmark) -> str:
    lines = [f"== {benchmark.name} (issue {benchmark.issue}, python -m {benchmark.module})"]
    lines += [f"   · {figure}" for figure in benchmark.figures]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    listing = "--list" in argv
    wanted = {a for a in argv if a != "--list"}
    unknown = wanted - {b.name for b in BENCHMARKS}
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(b.name for b in BENCHMARKS)}"
        )
        return 2
    failures, summary = 0, []
    for benchmark in BENCHMARKS:
        if wanted and benchmark.name not in wanted:
            continue
        print(f"\n{describe(benchmark)}", flush=True)
        if not is_built(benchmark):
            print("   not built yet")
            summary.append(f"{benchmark.name}: not built yet")
            continue
        if listing:
            summary.append(f"{benchmark.name}: built")
            continue
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", benchmark.module, *benchmark.args], check=False)
        took = time.perf_counter() - started
        if result.returncode != 0:
            failures += 1
            print(f"   {benchmark.name} FAILED (exit {result.returncode})")
        summary.append(f"{benchmark.name}: {'FAILED' if result.returncode else 'ran'} ({took:.0f} s)")
        print(f"   ({took:.0f} s)", flush=True)
    print("\n== summary\n" + "\n".join(f"   {line}" for line in summary))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
