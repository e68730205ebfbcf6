"""A process the startup benchmark launches: it exits as soon as its screen is ready.

python -m bench.startup_probe bare             # a bare Textual app with a table: exits when mounted
python -m bench.startup_probe console-lab      # hvconsole as `hvconsole --lab`: exits when the dashboard
                                               # shows every lab host connected with its identity
python -m bench.startup_probe console-inventory FILE   # hvconsole on an inventory of an already running lab
"""

from __future__ import annotations

import sys


def bare() -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class Bare(App[int]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Host", "State")
            table.add_row("host", "ready")
            self.call_after_refresh(self.exit, 0)

    return Bare().run(headless=True) or 0


def console(use_lab: bool, inventory: str | None) -> int:
    import json
    import os
    from pathlib import Path

    from hvconsole.credentials import Account, CredentialStore
    from hvconsole.launch import open_workspace
    from hvconsole.ui.app import HvConsoleApp
    from hvconsole.ui.widgets.host_table import HostTable

    store = None
    if inventory:  # no keyring on a headless bench box: the bench hands the lab's accounts over in memory
        store = CredentialStore(memory_only=True)
        for host, password in json.loads(os.environ["HVCONSOLE_BENCH_PASSWORDS"]).items():
            store.put(host, Account("Administrator", password), remember=False)
    opened = open_workspace(
        use_lab=use_lab, inventory_file=Path(inventory) if inventory else None, credentials=store
    )

    class Probe(HvConsoleApp):
        def on_ready(self) -> None:
            self.set_interval(0.01, self._check)

        def _check(self) -> None:
            try:
                rows = self.screen.query_one(HostTable).rows_by_host.values()
            except Exception:  # the dashboard is not mounted yet
                return
            if rows and all(r.state == "connected" and r.overview is not None for r in rows):
                self.exit(0)

    try:
        return Probe(opened.workspace, poll_seconds=0).run(headless=True) or 0
    finally:
        opened.close()


def main() -> int:
    mode = sys.argv[1]
    if mode == "bare":
        return bare()
    if mode == "console-lab":
        return console(True, None)
    if mode == "console-inventory":
        return console(False, sys.argv[2])
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    raise SystemExit(main())
