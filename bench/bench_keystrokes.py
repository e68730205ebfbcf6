"""Keystroke-to-frame latency (p50/p95): scrolling the 1,000-VM table, and while 8 migrations update the monitor.

    python -m bench.bench_keystrokes [--presses 200]

Method: the console runs headless (Textual ``run_test``, 120×20) against the `scale` lab (16 nodes, 1,000+
VMs). ``App._display`` — where Textual hands a composed frame to the driver — is wrapped to timestamp every
frame. One sample = the time from just before ``pilot.press(key)`` to the first frame written after it (so it
covers the key event, the binding, the widget update and the compositor's render of the changed region).
Scrolling: "down" on the VM table's cursor, 1,000+ rows loaded. Monitor: 8 live migrations started with
``Move-ClusterVirtualMachineRole -Wait 0`` on 8 different nodes, the monitor polling every 0.5 s (its rows
update in place between key presses), "down"/"up" scroll the focused rows (8 rows overflow 20 lines). Frames Textual skips because nothing changed
are not samples: a press that produced no frame within 1 s is counted as "no frame".
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class FrameClock:
    def __init__(self, app: Any) -> None:
        self.frames: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            self.frames.append(time.perf_counter())
            original(screen, renderable)

        app._display = display

    async def press(self, pilot: Any, key: str) -> float | None:
        started = time.perf_counter()
        await pilot.press(key)
        deadline = started + 1.0
        while time.perf_counter() < deadline:
            after = [t for t in self.frames[-8:] if t > started]
            if after:
                return after[0] - started
            await asyncio.sleep(0.001)
        return None


async def run(workspace: Any, presses: int) -> dict[str, list[float | None]]:
    from textual.widgets import DataTable

    from hvconsole.stages.migration import move_command
    from hvconsole.stages.vms import read_cluster_name
    from hvconsole.ui.app import HvConsoleApp
    from hvconsole.ui.screens.migration_monitor import MigrationMonitorScreen
    from hvconsole.ui.screens.vms import VmsScreen

    app = HvConsoleApp(workspace, initial_refresh=False)
    results: dict[str, list[float | None]] = {"scroll": [], "monitor": []}
    async with app.run_test(size=(120, 20)) as pilot:  # 8 monitor rows overflow: they scroll
        clock = FrameClock(app)
        screen = VmsScreen(app.workspace)
        await app.push_screen(screen)
        while screen.state is None or screen.query_one(DataTable).row_count < 1000:
            await asyncio.sleep(0.01)
        await pilot.pause()
        for _ in range(presses):
            results["scroll"].append(await clock.press(pilot, "down"))
        state = screen.state
        cluster = read_cluster_name(workspace, state.nodes)
        by_node: dict[str, str] = {}
        for vm in state.vms:
            if vm.running and vm.is_clustered:
                by_node.setdefault(vm.computer_name, vm.name)
        nodes = state.nodes
        started = 0
        for index, (node, name) in enumerate(sorted(by_node.items())):
            if started == 8:
                break
            target = nodes[(nodes.index(node) + 8) % len(nodes)]
            move = move_command(name, target, cluster, wait=0)
            from hvconsole.remoting.command import Pipeline

            if workspace.sessions[node].invoke(Pipeline.of(move), raise_on_failure=False).ok:
                started += 1
            del index
        monitor = MigrationMonitorScreen(app.workspace, nodes, interval=0.5)
        await app.push_screen(monitor)
        while monitor.polls < 2:
            await asyncio.sleep(0.01)
        monitor.query_one("#mig-rows").focus()
        await pilot.pause()
        print(f"   monitor: {started} migrations started, {len(monitor.views)} shown")
        for number in range(presses):
            results["monitor"].append(await clock.press(pilot, "down" if number % 2 else "up"))
            await asyncio.sleep(0.01)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.bench_keystrokes")
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args(argv)
    from hvconsole.lab.world.scenario import SCENARIOS

    if "scale" not in SCENARIOS:
        print("   scale scenario not available yet")
        return 0
    from hvconsole.launch import open_workspace
    from hvconsole.paths import Locations

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        where = Locations(root / "config", root / "state", root / "data")
        opened = open_workspace(
            use_lab=True, lab_state=root / "lab" / "state.json", where=where, lab_args=["--scenario", "scale"]
        )
        try:
            results = asyncio.run(run(opened.workspace, args.presses))
        finally:
            opened.close()
    for name, label in (
        ("scroll", "scrolling the 1,000-VM table"),
        ("monitor", "8 migrations updating the monitor"),
    ):
        samples = [s * 1000 for s in results[name] if s is not None]
        missing = sum(1 for s in results[name] if s is None)
        if not samples:
            print(f"   {label}: no frame after any press")
            continue
        print(f"   {label}: p50 {statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms "
              f"({len(samples)} presses" + (f", {missing} without a frame" if missing else "") + ")")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
