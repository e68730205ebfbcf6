"""Generate the README's screenshots: drive the real app against a fresh lab (fixed seed, port and a slow
clock, so running it twice yields identical files) and save SVGs at a fixed size.

    python scripts/screenshots.py [OUTPUT_DIR]      (make screenshots)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

SIZE = (120, 34)
SEED = "2026"


async def capture(app_factory, name: str, out: Path, keys: list[str], settle: float = 0.5) -> None:  # type: ignore[no-untyped-def]
    from hvconsole.ui.widgets.host_table import HostTable

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):  # wait until every host answered
            try:
                rows = app.screen.query_one(HostTable).rows_by_host.values()
            except Exception:
                rows = []
            if rows and all(r.state == "connected" and r.overview is not None for r in rows):
                break
            await pilot.pause(0.05)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(settle)
        for _ in range(100):  # stage screens read the hosts in a worker: wait for it
            if not [w for w in app.workers if not w.is_finished]:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))


async def main(out: Path) -> int:
    from hvconsole.launch import open_workspace
    from hvconsole.paths import Locations
    from hvconsole.ui.app import HvConsoleApp
    from hvconsole.ui.navigation import available

    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="hv-shots-"))
    os.environ["HVCONSOLE_HOME"] = str(root)
    opened = open_workspace(
        use_lab=True,
        lab_speed=1.0,
        lab_state=root / "lab" / "state.json",
        where=Locations(root / "config", root / "state", root / "data"),
        lab_args=["--seed", SEED, "--port", "5986"],
    )
    try:
        workspace = opened.workspace

        def app() -> HvConsoleApp:
            return HvConsoleApp(workspace, poll_seconds=0)

        await capture(app, "dashboard", out, [])
        await capture(app, "help", out, ["question_mark"])
        for destination in available():
            slug = destination.module.rsplit(".", 1)[-1].replace("_", "-")
            await capture(app, f"stage-{destination.key}-{slug}", out, [destination.key], settle=1.0)
        for theme in ("hvconsole-dark", "hvconsole-light", "classic", "high-contrast"):

            def themed(theme: str = theme) -> HvConsoleApp:
                instance = app()
                instance.call_later(setattr, instance, "theme", theme)
                return instance

            await capture(themed, f"theme-{theme}", out, [])
    finally:
        opened.close()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))))
