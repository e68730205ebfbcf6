"""Plans and steps: what every stage produces and what the UI and the CLI apply.

A stage reads the current state, validates the desired state and plans ``Step``s. Each step is one pipeline
on one host, described in an admin's words, flagged (destructive, restarts the host, takes long) and, where
it can be, paired with a ``Verification`` that re-reads the host and tells whether the step already holds.
A plan whose desired state already holds has no steps ("a second apply plans nothing").

Steps are grouped in phases: phases run one after another; inside a phase each host runs its own steps in
order while hosts run in parallel (e.g. install features on every node at once, but promote the domain
controller before any member joins).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hvconsole.remoting.command import Pipeline
from hvconsole.remoting.render import render
from hvconsole.remoting.result import PipelineResult


@dataclass(frozen=True)
class Verification:
    """A read that tells whether a step's effect holds on the host."""

    pipeline: Pipeline
    holds: Callable[[PipelineResult], bool]


@dataclass(frozen=True)
class Step:
    host: str
    title: str
    pipeline: Pipeline
    destructive: bool = False
    confirm_phrase: str | None = None  # typed confirmation required (e.g. "Disk 1") for destructive steps
    restarts_host: bool = False  # the host goes away; the applier waits until it is back
    takes_long: bool = False
    verify: Verification | None = None
    timeout: float | None = None  # seconds the pipeline may run

    @property
    def powershell(self) -> str:
        return render(self.pipeline)

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.destructive:
            flags.append("destructive")
        if self.restarts_host:
            flags.append("restarts host")
        if self.takes_long:
            flags.append("takes long")
        return flags


class Severity(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    BLOCKER = "blocker"


@dataclass(frozen=True)
class Finding:
    """A preflight check's verdict: what is wrong, on which host, and how to fix it."""

    severity: Severity
    text: str
    host: str | None = None
    fix: str | None = None


@dataclass(frozen=True)
class Plan:
    title: str
    phases: tuple[tuple[Step, ...], ...] = ()
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, title: str, steps: Iterable[Step], findings: Iterable[Finding] = ()) -> Plan:
        """A one-phase plan."""
        steps = tuple(steps)
        return cls(title, (steps,) if steps else (), tuple(findings))

    @property
    def steps(self) -> list[Step]:
        return [step for phase in self.phases for step in phase]

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def blocked(self) -> bool:
        return any(f.severity is Severity.BLOCKER for f in self.findings)

    @property
    def destructive_steps(self) -> list[Step]:
        return [s for s in self.steps if s.destructive]

    @property
    def hosts(self) -> list[str]:
        seen: dict[str, None] = {}
        for step in self.steps:
            seen.setdefault(step.host, None)
        return list(seen)

    def script(self) -> str:
        """The whole plan as PowerShell, host by host, for the preview pane (never executed)."""
        blocks = []
        for number, step in enumerate(self.steps, start=1):
            blocks.append(f"# {number}. [{step.host}] {step.title}\n{step.powershell}")
        return "\n\n".join(blocks)
