"""Process start → dashboard showing every host connected, against a bare Textual app started the same way.

    python -m bench.bench_startup [--runs 5]

Three figures, medians of --runs process starts each (a process per run, so imports are paid every time):
* bare Textual app (Header + DataTable + Footer) until its first frame;
* hvconsole on an already running lab (the real-host path: inventory → sessions → one round trip per host);
* hvconsole --lab (also starts the embedded lab process: what `make run` does).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tomli_w


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.startup_probe", *args], check=True, env=env, timeout=120)
    return time.perf_counter() - started


def inventory_of_running_lab(home: Path) -> tuple[subprocess.Popen[bytes], Path, dict[str, str]]:
    command = [sys.executable, "-m", "hvconsole", "lab", "serve", "--json", "--port", "0"]
    command += ["--state", str(home / "lab.json")]
    lab = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert lab.stdout is not None
    hosts = json.loads(lab.stdout.readline())["hosts"]
    inventory = {
        "hosts": [
            {
                "name": h["name"],
                "address": h["address"],
                "port": h["port"],
                "authentication": "basic",
                "username": h["username"],
                "ca_file": h["ca_cert"],
            }
            for h in hosts
        ]
    }
    path = home / "inventory.toml"
    path.write_text(tomli_w.dumps(inventory))
    # The probe reads passwords from the keyring; with no keyring on a headless box, hand them over in memory
    # through an environment variable only the probe reads (bench only).
    secrets = {h["name"]: h["password"] for h in hosts}
    return lab, path, {"HVCONSOLE_BENCH_PASSWORDS": json.dumps(secrets)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="hv-bench-"))
    env = {**os.environ, "HVCONSOLE_HOME": str(home)}
    bare = [timed(["bare"], env) for _ in range(args.runs)]
    lab, inventory, extra = inventory_of_running_lab(home)
    try:
        console = [timed(["console-inventory", str(inventory)], {**env, **extra}) for _ in range(args.runs)]
    finally:
        lab.terminate()
        lab.wait(10)
    with_lab = [timed(["console-lab"], env) for _ in range(args.runs)]
    b, c, w = (statistics.median(x) for x in (bare, console, with_lab))
    print(f"bare Textual app, start → first frame:             median {b * 1000:7.0f} ms")
    print(
        f"hvconsole, start → all 3 hosts connected (running lab): median {c * 1000:7.0f} ms  ratio {c / b:.2f}x bare"
    )
    print(
        f"hvconsole --lab, start incl. starting the lab:     median {w * 1000:7.0f} ms  ratio {w / b:.2f}x bare"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
