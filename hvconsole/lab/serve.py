"""`hvconsole lab serve|reset`: thin wiring over ``world.runtime.LabRuntime``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from hvconsole.lab.control import ControlServer
from hvconsole.lab.faults import FaultSpecError, parse_spec
from hvconsole.lab.world.runtime import LabRuntime, NotLoopback, host_addresses
from hvconsole.lab.world.store import StateFileError, default_state_path, forget_world


def _state_path(args: argparse.Namespace) -> Path:
    return Path(args.state).expanduser() if getattr(args, "state", None) else default_state_path()


def run_lab_command(args: argparse.Namespace) -> int:
    path = _state_path(args)
    if args.lab_command == "reset":
        existed = forget_world(path)
        print(f"lab state {'forgotten' if existed else 'was already empty'}: {path}")
        return 0
    return serve(args, path)


def serve(args: argparse.Namespace, path: Path) -> int:
    control: ControlServer | None = None
    try:
        if args.bind:
            host_addresses(args.bind, 1)
        specs = list(getattr(args, "faults", None) or [])
        for spec in specs:
            parse_spec(spec)  # refuse a bad --faults before anything starts
        transport = "http" if getattr(args, "transport", "https") == "http-ntlm" else "https"
        runtime = LabRuntime(
            path,
            args.scenario,
            args.speed,
            args.bind,
            args.port,
            seed=getattr(args, "seed", None),
            transport=transport,
            start_time=getattr(args, "start_time", None),
        )
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        runtime.start()
        for spec in specs:
            runtime.faults.apply(spec)
        control = ControlServer(runtime.faults)
        control.start()
    except (NotLoopback, StateFileError, FaultSpecError, ValueError, OSError) as failed:
        print(f"hvconsole lab serve: {failed}", file=sys.stderr)
        return 2
    try:
        description = runtime.describe()
        assert control is not None
        description["control"] = control.describe()
        if args.json:
            print(json.dumps(description), flush=True)
        else:
            for host in description["hosts"]:
                print(f"{host['name']}  {host['endpoint']}  user {host['username']}", flush=True)
            print(
                f"CA certificate: {description['hosts'][0]['ca_cert']}; state: {path}; Ctrl+C stops",
                flush=True,
            )
        while not stop.wait(1.0):
            pass
    finally:
        if control is not None:
            control.stop()
        runtime.stop()
    return 0
