"""Command-line entry point: wiring only (parse arguments, then hand over to the lab, the UI or a headless command)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hvconsole",
        description="Build and run a Hyper-V failover cluster from one keyboard-driven terminal.",
    )
    commands = parser.add_subparsers(dest="command")

    lab = commands.add_parser("lab", help="the embedded lab of simulated Windows hosts")
    lab_commands = lab.add_subparsers(dest="lab_command", required=True)
    serve = lab_commands.add_parser(
        "serve", help="serve the lab's hosts over WinRM/PSRP until SIGINT/SIGTERM"
    )
    serve.add_argument("--state", help="state file (default: under the user's data directory)")
    serve.add_argument("--scenario", default="classic", help="scenario for a new lab (default: classic)")
    serve.add_argument(
        "--speed", type=float, default=1.0, help="lab clock speed (e.g. 10 = ten times real time)"
    )
    serve.add_argument(
        "--bind", default="127.0.0.11", help="first loopback address; hosts get consecutive ones"
    )
    serve.add_argument("--port", type=int, default=0, help="port for every host (0 = a free port per host)")
    serve.add_argument("--json", action="store_true", help="print the hosts as one JSON line on stdout first")
    reset = lab_commands.add_parser("reset", help="forget the lab's state (a fresh scenario next start)")
    reset.add_argument("--state", help="state file (default: under the user's data directory)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "lab":
        from hvconsole.lab.serve import run_lab_command

        return run_lab_command(args)
    parser.print_help(sys.stderr)
    return 2
