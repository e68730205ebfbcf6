"""``Cmdlet``: the base class every simulated cmdlet derives from, and the registry that finds them."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from hvconsole.lab.engine import errors
from hvconsole.lab.engine.params import CIM_PARAMETERS, COMMON_PARAMETERS, SHOULD_PROCESS_PARAMETERS, Param
from hvconsole.lab.protocol import ErrorRec, PipelineSink, TerminatingError

if TYPE_CHECKING:
    from hvconsole.lab.engine.session import Session
    from hvconsole.lab.world.model import Host, World

ALL_SETS = "__AllParameterSets"


class Cmdlet:
    """One simulated cmdlet. Subclass, declare metadata + ``Param``s, implement begin/process/end.

    Class metadata:
      command_name   "Get-NetAdapter"
      module_name    Windows module ("NetAdapter", "Microsoft.PowerShell.Management", ...)
      class_name     .NET class for FQID suffixes ("Microsoft.PowerShell.Commands.GetServiceCommand");
                     None for CDXML/function cmdlets, whose FQIDs end with the command name (reference §0.2)
      default_set    DefaultParameterSetName
      supports_should_process / confirm_impact   adds -WhatIf/-Confirm; "High" prompts unless -Confirm:$false
      requires_feature   Windows feature whose install makes the cmdlet exist (else CommandNotFound)
      command_aliases    e.g. ("Add-WindowsFeature",)
    """

    command_name: ClassVar[str] = ""
    module_name: ClassVar[str] = ""
    class_name: ClassVar[str | None] = None
    default_set: ClassVar[str | None] = None
    supports_should_process: ClassVar[bool] = False
    confirm_impact: ClassVar[str] = "Medium"
    requires_feature: ClassVar[str | None] = None
    command_aliases: ClassVar[tuple[str, ...]] = ()
    declared: ClassVar[dict[str, Param[Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared: dict[str, Param[Any]] = {}
        for klass in reversed(cls.__mro__):
            for value in vars(klass).values():
                if isinstance(value, Param):
                    declared[value.name] = value
        cls.declared = declared

    def __init__(self, session: Session, sink: PipelineSink) -> None:
        self.session = session
        self.sink = sink
        self.bound: dict[str, Any] = {}
        self.parameter_set: str = self.default_set or ALL_SETS
        self.stop_upstream = False

    # ----- metadata ---------------------------------------------------------------------------------------
    @classmethod
    def fqid_suffix(cls) -> str:
        return cls.class_name or cls.command_name

    @classmethod
    def is_function(cls) -> bool:
        """CDXML/function cmdlets report conversion errors as ParameterArgumentTransformationError."""
        return cls.class_name is None

    @classmethod
    def parameters(cls) -> dict[str, Param[Any]]:
        """Every parameter the cmdlet accepts: declared, common, ShouldProcess and CIM ones."""
        merged = dict(cls.declared)
        merged.update(COMMON_PARAMETERS)
        if cls.supports_should_process:
            merged.update(SHOULD_PROCESS_PARAMETERS)
        if cls.is_function() and cls.module_name not in {"", "Microsoft.PowerShell.Core"}:
            for name, param in CIM_PARAMETERS.items():
                merged.setdefault(name, param)
        return merged

    @classmethod
    def parameter_sets(cls) -> list[str]:
        names: list[str] = []
        for param in cls.declared.values():
            for set_name in param.sets:
                if set_name not in names:
                    names.append(set_name)
        return names or [ALL_SETS]

    # ----- what subclasses implement ----------------------------------------------------------------------
    def begin(self) -> Iterable[Any]:
        return ()

    def process(self) -> Iterable[Any]:
        return ()

    def end(self) -> Iterable[Any]:
        return ()

    # ----- convenience for implementations ---------------------------------------------------------------
    @property
    def world(self) -> World:
        return self.session.world

    @property
    def host(self) -> Host:
        return self.session.host

    def was_bound(self, name: str) -> bool:
        """$PSBoundParameters.ContainsKey(name)."""
        return name in self.bound

    @property
    def stopping(self) -> bool:
        return bool(self.sink.stopping)

    def make_error(
        self,
        message: str,
        error_id: str,
        category: str = "NotSpecified",
        exception_type: str = "System.Management.Automation.RuntimeException",
        target: Any = None,
        target_name: str | None = None,
        target_type: str | None = None,
        reason: str | None = None,
    ) -> ErrorRec:
        """An ErrorRecord with FQID "<error_id>,<class or command name>" and this cmdlet as the activity."""
        return ErrorRec(
            message=message,
            fqid=f"{error_id},{self.fqid_suffix()}",
            category=category,
            exception_type=exception_type,
            activity=self.command_name,
            reason=reason,
            target_name=target_name,
            target_type=target_type,
            target=target,
        )

    def write_error(self, record: ErrorRec) -> None:
        """A non-terminating error, honouring -ErrorAction (Stop makes it terminating)."""
        action = self.bound.get("ErrorAction") or self.session.error_action
        if action == "Stop":
            raise TerminatingError(record)
        if action in ("SilentlyContinue", "Ignore"):
            return
        self.sink.error(record)

    def throw(self, record: ErrorRec) -> None:
        """A terminating error: the pipeline fails."""
        raise TerminatingError(record)

    def not_found(self, cim_class: str, prop: str, value: Any) -> None:
        """The CDXML key-parameter not-found error (reference §0.2), non-terminating."""
        self.write_error(errors.cim_not_found(cim_class, prop, value, self.command_name))

    def write_warning(self, message: str) -> None:
        action = self.bound.get("WarningAction") or "Continue"
        if action == "Stop":
            self.throw(
                errors.action_preference_stop(
                    message, "WarningPreference", self.fqid_suffix(), self.command_name
                )
            )
        if action in ("SilentlyContinue", "Ignore"):
            return
        self.sink.warning(message)

    def write_verbose(self, message: str) -> None:
        if self.bound.get("Verbose"):
            self.sink.verbose(message)

    def write_progress(self, activity: str, status: str, percent: int = -1, completed: bool = False) -> None:
        self.sink.progress(activity, status, percent=percent, completed=completed)

    def wait(self, real_seconds: float) -> bool:
        """Wait without holding the world lock, so other pipelines (on this host and others) run meanwhile.
        Returns False as soon as the client stops the pipeline (ctrl_c); the caller then returns."""
        lock = self.session.lock
        lock.release()
        try:
            deadline = time.monotonic() + max(0.0, real_seconds)
            while True:
                if self.sink.stopping:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                time.sleep(min(0.05, left))
        finally:
            lock.acquire()

    def wait_lab(self, lab_seconds: float) -> bool:
        """``wait`` for a span of lab time (what a long operation costs on the lab clock, run at --speed)."""
        clock = getattr(self.world, "_clock", None)
        real = clock.real_seconds(lab_seconds) if clock is not None else 0.0
        return self.wait(real)

    def should_process(self, target: str, action: str | None = None) -> bool:
        """ShouldProcess: False under -WhatIf; a remote pipeline cannot prompt, so a confirmation fails."""
        action = action or self.command_name
        if self.bound.get("WhatIf"):
            line = f'What if: Performing the operation "{action}" on target "{target}".'
            host_write = getattr(self.sink, "host_write_line", None)  # inferred: WhatIf text goes to the host
            if callable(host_write):
                host_write(line)
            return False
        confirm = self.bound.get("Confirm")
        if confirm is True or (confirm is None and self.confirm_impact == "High"):
            question = f'Are you sure you want to perform this action?\nPerforming the operation "{action}" on target "{target}".'
            self.throw(errors.cannot_prompt(question, self.fqid_suffix(), self.command_name))
        return True

    # ----- the engine drives this -------------------------------------------------------------------------
    def run(self, upstream: Iterator[Any] | None) -> Iterator[Any]:
        from hvconsole.lab.engine.binding import bind_pipeline_input, finish_binding

        yield from self.begin()
        if upstream is None:
            finish_binding(self, has_input=False)
            yield from self.process()
        else:
            fixed = dict(self.bound)
            for obj in upstream:
                if self.stopping:
                    break
                self.bound = dict(fixed)
                if bind_pipeline_input(self, obj):
                    yield from self.process()
                if self.stop_upstream:
                    break
            self.bound = fixed
        yield from self.end()


class CmdletRegistry:
    """Finds cmdlets by name or alias, case-insensitively."""

    def __init__(self) -> None:
        self._by_name: dict[str, type[Cmdlet]] = {}
        self._aliases: dict[str, type[Cmdlet]] = {}

    def add(self, cls: type[Cmdlet]) -> type[Cmdlet]:
        if not cls.command_name:
            raise ValueError(f"{cls.__name__} has no command_name")
        self._by_name[cls.command_name.lower()] = cls
        for alias in cls.command_aliases:
            self._aliases[alias.lower()] = cls
        return cls

    def find(self, name: str) -> type[Cmdlet] | None:
        key = name.strip().lower()
        if "\\" in key:  # module-qualified: NetAdapter\Get-NetAdapter
            module, _, key = key.rpartition("\\")
            found = self._by_name.get(key)
            return found if found and found.module_name.lower() == module else None
        return self._by_name.get(key) or self._aliases.get(key)

    def all(self) -> list[type[Cmdlet]]:
        return sorted(self._by_name.values(), key=lambda c: c.command_name.lower())


REGISTRY = CmdletRegistry()


C = TypeVar("C", bound=type[Cmdlet])


def cmdlet(cls: C) -> C:
    """Class decorator: register a cmdlet in the lab's registry."""
    REGISTRY.add(cls)
    return cls
