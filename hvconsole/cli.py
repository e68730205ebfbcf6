"""Command-line entry point: wiring only (parse arguments, then hand over to the lab, the UI or a headless command)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _add_target_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """On a subcommand the defaults are SUPPRESSed: otherwise `hvconsole --read-only migrate …` would see the
    subcommand's default (False) replace the --read-only given before it (argparse copies sub-defaults)."""
    unset: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--lab", action="store_true", help="use the embedded lab even if an inventory exists", **unset
    )
    target.add_argument("--inventory", type=Path, metavar="FILE", help="inventory file (TOML)", **unset)
    parser.add_argument("--read-only", action="store_true", help="show everything, apply nothing", **unset)
    # Hidden from --help, documented in launch.py: the embedded lab's scenario (classic, prepared, clustered,
    # clustered-1g, scale, ...) for demos and end-to-end tests; implies --lab. Env: HVCONSOLE_LAB_SCENARIO.
    parser.add_argument("--lab-scenario", metavar="NAME", help=argparse.SUPPRESS, **unset)


def _iso_time(text: str) -> float:
    """An ISO 8601 date and time (UTC when no offset is given) as epoch seconds."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hvconsole",
        description="Build and run a Hyper-V failover cluster from one keyboard-driven terminal.",
    )
    _add_target_options(parser, top=True)
    commands = parser.add_subparsers(dest="command")

    status = commands.add_parser("status", help="print every host's connection state and identity")
    _add_target_options(status)
    status.add_argument("--json", action="store_true", help="one JSON document on stdout")

    hosts = commands.add_parser("hosts", help="add, list and remove hosts of the inventory")
    hosts.add_argument("--inventory", type=Path, metavar="FILE", help="inventory file (TOML)")
    host_commands = hosts.add_subparsers(dest="hosts_command", required=True)
    host_commands.add_parser("list", help="list the inventory's hosts")
    add = host_commands.add_parser("add", help="add or replace a host")
    add.add_argument("name")
    add.add_argument("--address", required=True, help="DNS name or IP address of the host's WinRM listener")
    add.add_argument("--port", type=int)
    add.add_argument("--transport", choices=["https", "http"], default="https")
    add.add_argument(
        "--auth",
        choices=["negotiate", "kerberos", "ntlm", "credssp", "basic", "certificate"],
        default="negotiate",
    )
    add.add_argument("--username", help="account to connect with (e.g. CONTOSO\\admin)")
    add.add_argument("--ca-file", help="CA bundle that signed the host's certificate")
    add.add_argument(
        "--no-verify", action="store_true", help="do NOT check the host's certificate (shown as a warning)"
    )
    add.add_argument("--group", action="append", default=[], help="add the host to this group (repeatable)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin into the keyring"
    )
    remove = host_commands.add_parser("remove", help="remove a host")
    remove.add_argument("name")

    migrate = commands.add_parser("migrate", help="live- (or quick-) migrate a clustered VM to a node")
    migrate.add_argument("vm", help="the VM's name")
    migrate.add_argument("--to", required=True, metavar="NODE", help="the node to move it to")
    migrate.add_argument("--quick", action="store_true", help="quick migration (save, move, restore)")
    migrate.add_argument("--watch", action="store_true", help="show a progress bar on stderr while it moves")
    migrate.add_argument("--timeout", type=float, default=3600.0, help="stop waiting after this many seconds")
    _add_target_options(migrate)

    from hvconsole.commands.serve import add_serve_parser

    add_serve_parser(commands)

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
        "--bind",
        default=None,
        help="first loopback address; hosts get consecutive fixed ones (default: each host's endpoint "
        "mirrors its simulated address, 10.b.c.d → 127.b.c.d, and moves when that address changes)",
    )
    serve.add_argument("--port", type=int, default=0, help="port for every host (0 = a free port per host)")
    serve.add_argument("--json", action="store_true", help="print the hosts as one JSON line on stdout first")
    serve.add_argument(
        "--seed", type=int, help="seed for a new lab's names and addresses (same seed, same lab)"
    )
    serve.add_argument(
        "--start-time",
        type=_iso_time,
        help="where a new lab's clock starts (ISO 8601, e.g. 2026-01-05T09:00:00Z; default: now)",
    )
    serve.add_argument(
        "--transport",
        choices=["https", "http-ntlm"],
        default="https",
        help="https: Basic over TLS (lab CA); http-ntlm: port-5985 style HTTP with NTLM + message encryption",
    )
    serve.add_argument(
        "--faults",
        action="append",
        metavar="SPEC",
        help="inject faults, e.g. 'HV1:down', '*:latency=25ms', 'HV2:fail=Get-Disk:HardwareFailure' "
        "(repeatable; grammar in docs/faults.md)",
    )
    reset = lab_commands.add_parser("reset", help="forget the lab's state (a fresh scenario next start)")
    reset.add_argument("--state", help="state file (default: under the user's data directory)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "lab_scenario", None):
        import os

        os.environ["HVCONSOLE_LAB_SCENARIO"] = args.lab_scenario
        args.lab = True
    if args.command == "lab":
        from hvconsole.lab.serve import run_lab_command

        return run_lab_command(args)
    if args.command == "hosts":
        from hvconsole.commands.hosts import run_hosts_command

        return run_hosts_command(args)
    if args.command == "migrate":
        from hvconsole.commands.migrate import run_migrate

        return run_migrate(args)
    if args.command == "serve":
        from hvconsole.commands.serve import run_serve

        return run_serve(args)
    if args.command == "status":
        from hvconsole.commands.status import run_status

        return run_status(args)
    from hvconsole.commands.console import run_console

    return run_console(args)


if __name__ == "__main__":
    sys.exit(main())
