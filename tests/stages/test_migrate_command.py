"""`hvconsole migrate`: argument wiring, the progress bar and final figures; bad target → exit 2."""

from __future__ import annotations

from hvconsole.cli import build_parser
from hvconsole.commands.migrate import bar, final_figures
from hvconsole.stages.migration_views import MigrationView


def test_parser() -> None:
    args = build_parser().parse_args(["migrate", "VM1", "--to", "HV2", "--quick", "--watch", "--lab"])
    assert (args.command, args.vm, args.to, args.quick, args.watch, args.lab) == (
        "migrate",
        "VM1",
        "HV2",
        True,
        True,
        True,
    )


def test_bar_and_figures() -> None:
    view = MigrationView(vm="VM1", source="HV1", destination="HV2", outcome="done", phase="done", percent=100,
                         pass_number=3, dirty_pages=0, rate_now=0, rate_avg=11.75e6, bytes_left=0, eta=None,
                         elapsed=95.0, blackout=0.21, failure=None, history=(), started=0.0)  # fmt: skip
    assert "100%" in bar(view) and "####" in bar(view)
    assert final_figures(view) == "VM1: done in 1m35s · passes 3 · average 94 Mbit/s · blackout 210 ms"
