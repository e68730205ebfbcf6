"""``Session`` (what one runspace sees: the world, its host, the registry) and ``Runspace`` (runs pipelines)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hvconsole.lab.engine import errors
from hvconsole.lab.engine.binding import bind_arguments
from hvconsole.lab.engine.cmdlet import REGISTRY, Cmdlet, CmdletRegistry
from hvconsole.lab.protocol import CommandCall, PipelineSink, TerminatingError

if TYPE_CHECKING:
    from hvconsole.lab.world.model import Host, World


@dataclass
class Session:
    """The state one runspace works on. ``lock`` serializes changes to the world across runspaces."""

    world: World
    host: Host
    registry: CmdletRegistry = field(default_factory=lambda: REGISTRY)
    lock: Any = field(default_factory=threading.RLock)
    username: str = "Administrator"
    error_action: str = "Continue"  # $ErrorActionPreference

    def find_command(self, name: str) -> type[Cmdlet] | None:
        """A cmdlet that exists on this host (its module's feature is installed)."""
        found = self.registry.find(name)
        if found is None:
            return None
        if found.requires_feature and not self.host.feature_installed(found.requires_feature):
            return None
        return found


def split_statements(commands: list[CommandCall]) -> list[list[CommandCall]]:
    statements: list[list[CommandCall]] = [[]]
    for call in commands:
        statements[-1].append(call)
        if call.end_of_statement:
            statements.append([])
    return [s for s in statements if s]


class Runspace:
    """Implements protocol.HostRunspace over a Session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def invoke(
        self, commands: list[CommandCall], input_objects: list[Any] | None, sink: PipelineSink
    ) -> None:
        if any(call.is_script for call in commands):
            raise TerminatingError(errors.script_refused())
        with self.session.lock:
            for index, statement in enumerate(split_statements(commands)):
                self._run_statement(statement, input_objects if index == 0 else None, sink)

    def _run_statement(
        self, statement: list[CommandCall], input_objects: list[Any] | None, sink: PipelineSink
    ) -> None:
        # PowerShell resolves and binds every command's arguments before any command runs.
        instances: list[Cmdlet] = []
        for call in statement:
            cls = self.session.find_command(call.name)
            if cls is None:
                raise TerminatingError(errors.command_not_found(call.name))
            instance = cls(self.session, sink)
            bind_arguments(instance, call.parameters)
            instances.append(instance)
        stream: Iterator[Any] | None = iter(input_objects) if input_objects is not None else None
        for instance in instances:
            stream = instance.run(stream)
        assert stream is not None
        for obj in stream:
            sink.output(obj)
