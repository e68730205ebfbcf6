"""The shape every stage screen shares: read the hosts' current state in a worker, show it, plan the
changes the admin asked for, and hand the plan to ``PlanScreen`` (preview → confirm → apply → re-read).

A subclass implements ``read_state`` (blocking, on a worker thread; returns anything), ``show_state``
(on the UI thread) and ``make_plan`` (raises ``FormError`` to put a message at the field that is wrong).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from hvconsole.stages.apply import ApplyReport
from hvconsole.stages.plan import Plan
from hvconsole.stages.workspace import Workspace


class FormError(ValueError):
    """Bad input: ``field_id`` names the Field widget (its id) where the message is shown."""

    def __init__(self, field_id: str, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id
        self.message = message


class StageScreen(Screen[None]):
    STAGE_TITLE: ClassVar[str] = ""
    BINDINGS = [
        Binding(
            "p,f5",
            "plan",
            "Plan & apply",
            tooltip="Show the steps and the PowerShell they run, then apply (F5 also works inside a field)",
        ),
        Binding("ctrl+r", "reload", "Re-read", tooltip="Read the hosts' current state again"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, workspace: Workspace, hosts: list[str] | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.hosts = list(hosts or workspace.host_names())
        self.state: Any = None

    def on_mount(self) -> None:
        self.title = self.STAGE_TITLE
        self.sub_title = ", ".join(self.hosts) if len(self.hosts) <= 3 else f"{len(self.hosts)} hosts"
        self.action_reload()

    # --- reading --------------------------------------------------------------------------------
    def read_state(self) -> Any:  # pragma: no cover - subclasses implement it
        raise NotImplementedError

    def show_state(self, state: Any) -> None:  # pragma: no cover - subclasses implement it
        raise NotImplementedError

    def show_read_error(self, error: BaseException) -> None:
        self.notify(f"Could not read the hosts: {error}", severity="error", timeout=8)

    def action_reload(self) -> None:
        self.run_worker(self.read_state, thread=True, exclusive=True, group="stage-read", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "stage-read":
            return
        if event.state is WorkerState.SUCCESS:
            self.state = event.worker.result
            self.show_state(self.state)
        elif event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_read_error(event.worker.error)

    # --- planning -------------------------------------------------------------------------------
    def make_plan(self) -> Plan:  # pragma: no cover - subclasses implement it
        raise NotImplementedError

    def action_plan(self) -> None:
        from hvconsole.ui.screens.plan import PlanScreen
        from hvconsole.ui.widgets.fields import Field

        for field in self.query(Field):
            field.clear_error()
        if self.state is None:
            self.notify("Still reading the hosts…", severity="warning")
            return
        try:
            plan = self.make_plan()
        except FormError as problem:
            try:
                field = self.query_one(f"#{problem.field_id}", Field)
            except Exception:  # not a Field: say it in a notice instead
                self.notify(problem.message, severity="error")
            else:
                field.error(problem.message)
                field.input.focus()
            return
        self.app.push_screen(PlanScreen(self.workspace, plan), self._applied)

    def _applied(self, report: ApplyReport | None) -> None:
        if report is not None:
            self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()
