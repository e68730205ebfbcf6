"""`hvconsole migrate VM --to NODE [--quick] [--watch]`: the VMs screen's move from a shell. It prints the
PowerShell it runs, starts the move (Move-ClusterVirtualMachineRole -Wait 0), follows it through the same
MigrationWatch as the monitor (a progress bar on stderr with --watch), then prints the final figures:
duration, passes, average rate, blackout. Exit 0 when the VM runs on NODE, 1 when the move failed, 2 for
bad arguments or unreachable hosts."""

from __future__ import annotations

import argparse
import sys
import time

from hvconsole.embedded_lab import LabStartError
from hvconsole.inventory import InventoryError
from hvconsole.launch import open_workspace
from hvconsole.remoting.command import Pipeline
from hvconsole.remoting.render import render
from hvconsole.stages.migration import move_command
from hvconsole.stages.migration_views import MigrationView, human_rate, human_seconds
from hvconsole.stages.migration_watch import MigrationWatch
from hvconsole.stages.vms import read_cluster_name, read_vms

POLL = 0.5


def bar(view: MigrationView, width: int = 30) -> str:
    filled = int(width * view.percent / 100)
    return (
        f"\r{view.vm} {view.route} [{'#' * filled}{'.' * (width - filled)}] {view.percent:3d}% "
        f"{view.phase} {human_rate(view.rate_now)} ETA {human_seconds(view.eta)}   "
    )


def final_figures(view: MigrationView) -> str:
    blackout = f"{view.blackout * 1000:.0f} ms" if view.blackout is not None else "n/a"
    return (
        f"{view.vm}: {view.outcome} in {human_seconds(view.elapsed)} · passes {view.pass_number or 'n/a'} · "
        f"average {human_rate(view.rate_avg)} · blackout {blackout}"
    )


def run_migrate(args: argparse.Namespace) -> int:
    if getattr(args, "read_only", False):
        print("hvconsole: read-only mode (--read-only): nothing is migrated", file=sys.stderr)
        return 2
    try:
        opened = open_workspace(inventory_file=args.inventory, use_lab=args.lab)
    except (InventoryError, LabStartError) as error:
        print(f"hvconsole: {error}", file=sys.stderr)
        return 2
    workspace = opened.workspace
    try:
        hosts = workspace.host_names()
        node = next((h for h in hosts if h.lower() == args.to.lower()), None)
        if node is None:
            print(f"hvconsole: no host named {args.to} (known: {', '.join(hosts)})", file=sys.stderr)
            return 2
        cluster = read_cluster_name(workspace, hosts)
        inventory = read_vms(workspace, hosts, cluster)
        found = inventory.named(args.vm)
        if not found:
            print(f"hvconsole: no VM named {args.vm} on {', '.join(hosts)}", file=sys.stderr)
            return 2
        vm = found[0]
        if vm.computer_name.lower() == node.lower():
            print(f"{vm.name} already runs on {node}")
            return 0
        pipeline = Pipeline.of(move_command(vm.name, node, cluster, quick=args.quick, wait=0))
        print(f"[{vm.computer_name}] {render(pipeline)}", file=sys.stderr)
        watch = MigrationWatch(workspace, hosts, cluster)
        watch.poll()  # know the VM ids before the job appears
        result = workspace.sessions[vm.computer_name].invoke(pipeline, raise_on_failure=False)
        if not result.ok:
            print(f"hvconsole: {result.errors[-1] if result.errors else 'the move failed'}", file=sys.stderr)
            return 1
        return _follow(args, watch, workspace, hosts, cluster, vm.name, node)
    finally:
        opened.close()


def _follow(args, watch, workspace, hosts, cluster, name, node) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + args.timeout
    last: MigrationView | None = None
    while time.monotonic() < deadline:
        mine = [v for v in watch.poll() if v.vm.lower() == name.lower()]
        if mine:
            last = mine[0]
            if args.watch:
                print(bar(last), end="", file=sys.stderr, flush=True)
            if last.finished:
                break
        elif last is None and _runs_on(workspace, hosts, cluster, name, node):
            break  # finished before the first poll saw it (a small VM on a fast link)
        time.sleep(POLL)
    if args.watch:
        print(file=sys.stderr)
    ok = _runs_on(workspace, hosts, cluster, name, node)
    if last is not None:
        print(final_figures(last))
        if last.failure:
            print(f"reason: {last.failure}", file=sys.stderr)
    print(f"{name} runs on {node}" if ok else f"{name} did not move to {node}")
    return 0 if ok and (last is None or last.outcome == "done") else 1


def _runs_on(workspace, hosts, cluster, name, node) -> bool:  # type: ignore[no-untyped-def]
    found = read_vms(workspace, hosts, cluster).named(name)
    return any(vm.computer_name.lower() == node.lower() for vm in found)
