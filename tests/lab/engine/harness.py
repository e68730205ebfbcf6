"""In-process harness: run CommandCalls against a simulated host and collect what reaches the sink."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import hvconsole.lab.cmdlets  # noqa: F401  (registers the cmdlets)
from hvconsole.lab.engine import Runspace, Session
from hvconsole.lab.protocol import CommandCall, ErrorRec, TerminatingError
from hvconsole.lab.world.model import Host, Service, World


@dataclass
class ListSink:
    outputs: list[Any] = field(default_factory=list)
    errors: list[ErrorRec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verbose_lines: list[str] = field(default_factory=list)
    progress_records: list[tuple[str, str, int]] = field(default_factory=list)
    stopping: bool = False

    def output(self, obj: Any) -> None:
        self.outputs.append(obj)

    def error(self, record: ErrorRec) -> None:
        self.errors.append(record)

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def verbose(self, message: str) -> None:
        self.verbose_lines.append(message)

    def progress(
        self,
        activity: str,
        status: str,
        percent: int = -1,
        seconds_remaining: int = -1,
        activity_id: int = 0,
        completed: bool = False,
    ) -> None:
        self.progress_records.append((activity, status, percent))


@dataclass
class Result:
    sink: ListSink
    failure: ErrorRec | None

    @property
    def output(self) -> list[Any]:
        return self.sink.outputs

    @property
    def errors(self) -> list[ErrorRec]:
        return self.sink.errors


def cmd(name: str, *positional: Any, end: bool = False, **named: Any) -> CommandCall:
    params: list[tuple[str | None, Any]] = [(None, v) for v in positional]
    params += [(k, v) for k, v in named.items()]
    return CommandCall(name, tuple(params), end_of_statement=end)


def run(session: Session, *calls: CommandCall, input_objects: list[Any] | None = None) -> Result:
    sink = ListSink()
    try:
        Runspace(session).invoke(list(calls), input_objects, sink)
    except TerminatingError as failed:
        return Result(sink, failed.record)
    return Result(sink, None)


def tiny_world() -> World:
    host = Host(id="h1", role="hyperv", name="WIN-TEST0000001")
    for name, display, status, start in [
        ("WinRM", "Windows Remote Management (WS-Management)", "Running", "Automatic"),
        ("MSiSCSI", "Microsoft iSCSI Initiator Service", "Stopped", "Manual"),
        ("Dnscache", "DNS Client", "Running", "Automatic"),
    ]:
        host.services[name.lower()] = Service(
            name=name, display_name=display, status=status, start_type=start
        )
    return World(scenario="test", seed=1, lab_time=1_700_000_000.0, admin_password="x", hosts=[host])


def tiny_session() -> Session:
    world = tiny_world()
    return Session(world=world, host=world.hosts[0])
