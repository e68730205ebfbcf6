"""`hvconsole serve`: the console in a web browser, through textual-serve.

textual-serve runs one console process per browser session (``hvconsole --lab`` etc., the same options the
terminal console takes) and relays its terminal over a websocket to xterm.js in the page. Whoever reaches
the port gets that console: an administrator's console onto the hosts, with credentials typed into the page
in clear over plain HTTP. So it binds to loopback by default (reach it from elsewhere through an SSH tunnel:
``ssh -L 8000:127.0.0.1:8000 admin-box``), and any other address needs an explicit flag and prints why.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from pathlib import Path

EXPOSED_FLAG = "--i-understand-this-is-exposed"

WARNING = """\
WARNING: hvconsole serve is binding to {host}, which is not a loopback address.
Anyone who can reach {host}:{port} gets a full administrator's console onto your hosts: the page has no
login of its own, it is served over plain HTTP, and credentials typed into it cross the network readable.
Prefer the default (127.0.0.1) and an SSH tunnel: ssh -L {port}:127.0.0.1:{port} <this machine>"""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, "localhost")."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a DNS name or 0.0.0.0-like wildcard: treat as exposed  # inferred


def console_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve starts for each browser session (it runs it through a shell)."""
    argv = [sys.executable, "-m", "hvconsole"]
    if args.lab:
        argv.append("--lab")
    if args.inventory is not None:
        argv += ["--inventory", str(args.inventory.resolve())]
    if args.read_only:
        argv.append("--read-only")
    return shlex.join(argv)


def add_serve_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = commands.add_parser("serve", help="open the console in a web browser (textual-serve)")
    target = serve.add_mutually_exclusive_group()
    target.add_argument("--lab", action="store_true", help="use the embedded lab even if an inventory exists")
    target.add_argument("--inventory", type=Path, metavar="FILE", help="inventory file (TOML)")
    serve.add_argument("--read-only", action="store_true", help="show everything, apply nothing")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument(
        EXPOSED_FLAG,
        dest="exposed_ok",
        action="store_true",
        help="allow a non-loopback --host (anyone who reaches the port gets an admin console)",
    )
    serve.add_argument(
        "--public-url",
        help="the URL browsers use to reach this server, when it differs from http://HOST:PORT "
        "(a wildcard --host, a proxy)",
    )


def run_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"hvconsole serve: --port {args.port} is not a TCP port (1-65535)", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(WARNING.format(host=args.host, port=args.port), file=sys.stderr)
        if not args.exposed_ok:
            print(f"Refusing to start: add {EXPOSED_FLAG} if you really mean it.", file=sys.stderr)
            return 2
    try:
        from textual_serve.server import Server
    except ImportError:
        print("hvconsole serve: textual-serve is not installed (pip install textual-serve)", file=sys.stderr)
        return 2
    command = console_command(args)
    server = Server(command, host=args.host, port=args.port, title="hvconsole", public_url=args.public_url)
    print(f"hvconsole serve: open {server.public_url}/ (Ctrl+C stops)", flush=True)
    server.serve()
    return 0
