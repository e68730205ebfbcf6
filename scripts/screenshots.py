"""Generate the README's screenshots: drive the real app against a fresh lab (fixed seed, port and a slow
clock, so running it twice yields identical files) and save SVGs at a fixed size.

    python scripts/screenshots.py [OUTPUT_DIR] [--port N]      (make screenshots)

The dashboard, help, every stage screen that exists and a theme gallery come from a `classic` lab. The
cluster dashboard and the migration monitor MID-MIGRATION come from a `clustered` lab: a VM is created,
started, made highly available and live-migrated HV1 → HV2 with `-Wait 0` (structured commands, as the VMs
screen sends them), with the lab clock crawling (`--speed 1e-6`) so
nothing moves while the app is driven. The migration model is lazy and depends only on lab time
(lab/world/migration.py), so to show it mid-flight the script stops the lab (it saves its state), puts the
saved clock MIGRATION_AT lab seconds after the migration's last update, and starts the lab again: the model
replays exactly those seconds, the same on every run. The monitor is pushed with a long interval and polled
a fixed number of times, so its sparkline holds the same samples every run.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

SIZE = (120, 34)
SEED = "2026"
PORT = 5986
THEMES = ("hvconsole-dark", "hvconsole-light", "classic", "high-contrast")
MIGRATION_AT = 40.05  # lab seconds into the migration (off a second boundary: elapsed shows 40 s)
START_TIME = "2026-01-05T09:00:00Z"  # every lab clock starts here, so dates and times on screen repeat
CRAWL = 1e-6  # lab clock speed: a real minute is 60 lab microseconds, so nothing on screen moves
GiB = 2**30


async def capture(
    app_factory, name: str, out: Path, keys: list[str], settle: float = 0.5, before=None
) -> None:  # type: ignore[no-untyped-def]
    from hvconsole.ui.widgets.host_table import HostTable

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):  # wait until every host answered
            try:
                rows = app.screen.query_one(HostTable).rows_by_host.values()
            except Exception:
                rows = []
            refreshing = getattr(app.screen, "refreshing", False)
            if (
                rows
                and all(r.state == "connected" and r.overview is not None for r in rows)
                and not refreshing
            ):
                break
            await pilot.pause(0.05)
        if before is not None:
            await before(app, pilot)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(settle)
        for _ in range(100):  # stage screens read the hosts in a worker: wait for it
            if not [w for w in app.workers if not w.is_finished]:
                break
            await pilot.pause(0.05)
        previous = None
        for _ in range(40):  # until the screen is at rest: two renders a moment apart are the same
            await pilot.pause(0.25)
            current = app.export_screenshot()
            if current == previous:
                break
            previous = current
        app.save_screenshot(filename=f"{name}.svg", path=str(out))


def _open(root: Path, speed: float, port: int, scenario: str = "classic"):  # type: ignore[no-untyped-def]
    from hvconsole.launch import open_workspace
    from hvconsole.paths import Locations

    return open_workspace(
        use_lab=True,
        lab_speed=speed,
        lab_state=root / "lab" / "state.json",
        where=Locations(root / "config", root / "state", root / "data"),
        lab_args=["--seed", SEED, "--port", str(port), "--scenario", scenario, "--start-time", START_TIME],
    )


def _app_factory(workspace):  # type: ignore[no-untyped-def]
    from hvconsole.ui.app import HvConsoleApp

    def app() -> HvConsoleApp:
        return HvConsoleApp(workspace, poll_seconds=0)

    return app


async def classic_shots(out: Path, root: Path, port: int) -> None:
    from hvconsole.ui.navigation import available

    opened = _open(root, CRAWL, port)
    try:
        app = _app_factory(opened.workspace)
        await capture(app, "dashboard", out, [])
        await capture(app, "help", out, ["question_mark"])
        for destination in available():
            if destination.key in ("c", "m"):
                continue  # shown on the clustered lab below
            slug = destination.module.rsplit(".", 1)[-1].replace("_", "-")
            await capture(app, f"stage-{destination.key}-{slug}", out, [destination.key], settle=1.0)
        for theme in THEMES:

            def themed(theme: str = theme):  # type: ignore[no-untyped-def]
                instance = app()
                instance.call_later(setattr, instance, "theme", theme)
                return instance

            await capture(themed, f"theme-{theme}", out, [])
        from hvconsole.settings import DEFAULT_THEME, update_settings

        update_settings({"theme": DEFAULT_THEME})  # the gallery saved its last pick: back to the default
    finally:
        opened.close()


def start_migration(workspace) -> None:  # type: ignore[no-untyped-def]
    """VM1 on HV1: external switch on both nodes, created on the CSV, started, clustered, live-migrated."""
    from hvconsole.remoting.command import Command, Pipeline
    from hvconsole.stages.migration import move_command

    def run(host: str, command: Command) -> None:
        workspace.sessions[host].invoke(Pipeline.of(command))

    for node in ("HV1", "HV2"):
        run(node, Command("New-VMSwitch", Name="External", NetAdapterName="Ethernet"))
    run("HV1", Command(
        "New-VM", Name="VM1", MemoryStartupBytes=4 * GiB, Generation=2, SwitchName="External",
        Path="C:\\ClusterStorage\\Volume1", NewVHDPath="C:\\ClusterStorage\\Volume1\\VM1.vhdx",
        NewVHDSizeBytes=40 * GiB,
    ))  # fmt: skip
    run("HV1", Command("Start-VM", Name=["VM1"]))
    run("HV1", Command("Add-ClusterVirtualMachineRole", VMName="VM1", Cluster="Cluster1"))
    run("HV1", move_command("VM1", "HV2", "Cluster1", wait=0))


def move_clock_into_migration(state_file: Path) -> None:
    """Set the saved lab clock MIGRATION_AT lab seconds after the migration's last update."""
    state = json.loads(state_file.read_text())
    moving = [m for host in state["hosts"] for m in host["hyperv"]["migrations"]]
    assert len(moving) == 1, f"expected one migration in the saved lab, found {len(moving)}"
    migration = moving[0]
    assert migration["phase"] in ("Queued", "Setup"), migration["phase"]
    # the lab clock crawled a few milliseconds between submit and save: pin every time of the migration to
    # its submission so the replay is the same to the page
    for key in ("started", "phase_started", "updated", "pass_started"):
        if migration.get(key):
            migration[key] = migration["submitted"]
    state["lab_time"] = migration["submitted"] + MIGRATION_AT
    state_file.write_text(json.dumps(state))


async def clustered_shots(out: Path, root: Path, port: int) -> None:
    from hvconsole.ui.navigation import available

    keys = {d.key: d for d in available()}
    opened = _open(root, CRAWL, port, "clustered")
    try:
        start_migration(opened.workspace)
    finally:
        opened.close()
    move_clock_into_migration(root / "lab" / "state.json")
    opened = _open(root, CRAWL, port, "clustered")
    try:
        app = _app_factory(opened.workspace)
        if "c" in keys:
            await capture(app, "cluster-dashboard", out, ["c"], settle=1.0)
        else:
            print("the cluster dashboard is not built yet: no screenshot")
        if "m" in keys:
            await capture(app, "migration-monitor", out, [], before=_monitor_mid_migration)
    finally:
        opened.close()


async def _monitor_mid_migration(app, pilot) -> None:  # type: ignore[no-untyped-def]
    from hvconsole.ui.screens.migration_monitor import MigrationMonitorScreen

    screen = MigrationMonitorScreen(app.workspace, interval=3600)
    await app.push_screen(screen)
    for wanted in range(1, 4):  # a fixed number of polls: the sparkline holds the same samples every run
        for _ in range(400):
            if screen.polls >= wanted and not [w for w in screen.workers if w.is_running]:
                break
            await pilot.pause(0.05)
        if wanted < 3:
            screen.action_poll_now()


async def main(out: Path, port: int = PORT) -> int:
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="hv-shots-"))
    os.environ["HVCONSOLE_HOME"] = str(root)
    await classic_shots(out, root / "classic", port)
    await clustered_shots(out, root / "clustered", port)
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") != "0":  # set order in the app and the lab: the same every run
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})  # noqa: S606
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import argparse

    parser = argparse.ArgumentParser(description="Generate the README's screenshots")
    parser.add_argument("out", nargs="?", default="screenshots", type=Path)
    parser.add_argument("--port", type=int, default=PORT, help="the labs' port (fixed: it shows on screen)")
    options = parser.parse_args()
    raise SystemExit(asyncio.run(main(options.out, options.port)))
