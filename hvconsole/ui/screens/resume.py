"""Offered at start when the operation log holds applies that never finished (the app was killed or crashed):
what was done and what was not, step by step; resume (re-open the stage that planned it, which re-reads the
hosts and plans only what is missing), dismiss, or decide later."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hvconsole.stages.operations import Operation
from hvconsole.stages.workspace import Workspace

MARKS = {
    "applied": ("✓", "success"),
    "already held": ("✓", "success"),
    "failed": ("✗", "error"),
    "unknown": ("?", "warning"),
    "skipped": ("·", "secondary"),
    "not run": ("·", "secondary"),
}


def step_lines(operation: Operation) -> list[tuple[str, str, str, str]]:
    """(mark, host, step title, status) per step, for the screen and for plain-text output."""
    lines = []
    for index, step in enumerate(operation.steps):
        status = operation.status(index)
        if status == "unknown":
            status = "interrupted — may or may not have been applied (re-read before retrying)"
        mark = MARKS.get(operation.status(index), ("·", "secondary"))[0]
        lines.append((mark, str(step.get("host", "")), str(step.get("title", "")), status))
    return lines


class ResumeScreen(Screen[str | None]):
    """Dismisses with "resumed", "dismissed" or None (later)."""

    BINDINGS = [
        Binding(
            "r", "resume", "Resume", tooltip="Re-open the stage: it re-reads the hosts and plans what is left"
        ),
        Binding("d", "dismiss_operation", "Dismiss", tooltip="Forget this interrupted operation"),
        Binding("escape", "later", "Later", tooltip="Keep it for the next start"),
    ]

    def __init__(self, workspace: Workspace, operations: list[Operation]) -> None:
        super().__init__()
        self.workspace = workspace
        self.operations = operations
        self.current = operations[-1]  # the most recent one first

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="resume-summary")
        yield DataTable(id="resume-steps", cursor_type="row", zebra_stripes=True)
        yield Static(id="resume-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Interrupted operation"
        self.sub_title = f"{len(self.operations)} unfinished"
        table = self.query_one("#resume-steps", DataTable)
        table.add_columns("", "Host", "Step", "Status")
        self._show()
        table.focus()

    def _show(self) -> None:
        operation = self.current
        done = len(operation.completed_indexes)
        summary = Text()
        summary.append(f"{operation.title}", style="bold")
        summary.append(f" — started {operation.started}; {done} of {len(operation.steps)} step(s) done.")
        self.query_one("#resume-summary", Static).update(summary)
        table = self.query_one("#resume-steps", DataTable)
        table.clear()
        for index, (mark, host, title, status) in enumerate(step_lines(operation)):
            colour = self.app.theme_variables.get(MARKS.get(operation.status(index), ("", ""))[1], "")
            table.add_row(Text(mark, style=colour), host, title, Text(status, style=colour))
        origin = operation.origin.get("destination")
        hint = (
            "r: re-open the stage on the same hosts (it re-reads them and plans only what is left)"
            if origin
            else "r: closes it here; re-plan it from the stage screen that made it (its steps are re-read)"
        )
        if self.workspace.read_only:
            hint = "read-only mode: nothing can be resumed now (start without --read-only)"
        self.query_one("#resume-hint", Static).update(hint + " · d: dismiss · esc: later")

    def _next(self, how: str) -> None:
        self.workspace.operations.close(self.current.id, how)
        self.operations.remove(self.current)
        if self.operations:
            self.current = self.operations[-1]
            self._show()
        else:
            self.dismiss(how)

    def action_resume(self) -> None:
        if self.workspace.read_only:
            self.notify("Read-only mode: nothing is applied.", severity="warning")
            return
        origin = dict(self.current.origin)
        self._next("resumed")
        destination = origin.get("destination")
        hosts = origin.get("hosts")
        go = getattr(self.app, "open_destination", None)
        if isinstance(destination, str) and go is not None:
            self.app.call_later(go, destination, list(hosts) if isinstance(hosts, list) else [])

    def action_dismiss_operation(self) -> None:
        self._next("dismissed")

    def action_later(self) -> None:
        self.dismiss(None)
