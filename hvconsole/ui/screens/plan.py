"""A plan: preflight findings, the steps with the exact PowerShell each runs, confirm, apply with progress."""

from __future__ import annotations

from dataclasses import dataclass

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hvconsole.stages.apply import Applier, ApplyReport, StepEvent, StepOutcome
from hvconsole.stages.plan import Plan, Severity
from hvconsole.stages.workspace import Workspace
from hvconsole.ui.screens.confirm import ConfirmScreen, TypedConfirmScreen

OUTCOME_STYLE = {
    StepOutcome.PENDING: "secondary",
    StepOutcome.RUNNING: "accent",
    StepOutcome.WAITING_FOR_RESTART: "warning",
    StepOutcome.APPLIED: "success",
    StepOutcome.ALREADY_HELD: "success",
    StepOutcome.FAILED: "error",
    StepOutcome.UNKNOWN: "error",
    StepOutcome.SKIPPED: "secondary",
}
SEVERITY_MARK = {
    Severity.OK: ("✓", "success"),
    Severity.WARNING: ("!", "warning"),
    Severity.BLOCKER: ("✗", "error"),
}


@dataclass
class StepChanged(Message, bubble=False):
    event: StepEvent


@dataclass
class ApplyFinished(Message, bubble=False):
    report: ApplyReport


class PlanScreen(Screen[ApplyReport | None]):
    BINDINGS = [
        Binding("a", "apply", "Apply", tooltip="Run the steps (asks first)"),
        Binding("p", "toggle_script", "Whole script", tooltip="Show every step's PowerShell at once"),
        Binding("c", "cancel_apply", "Cancel", tooltip="Stop after the running steps"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, workspace: Workspace, plan: Plan) -> None:
        super().__init__()
        self.workspace = workspace
        self.plan = plan
        self.report: ApplyReport | None = None
        self._applier: Applier | None = None
        self._whole_script = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._findings(), id="plan-findings")
        yield DataTable(id="plan-steps", cursor_type="row", zebra_stripes=True)
        yield Static(id="plan-preview")
        yield Static(id="plan-status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.plan.title
        self.sub_title = "plan"
        table = self.query_one("#plan-steps", DataTable)
        table.add_columns("#", "Host", "Step", "Flags", "Status")
        for number, step in enumerate(self.plan.steps, start=1):
            table.add_row(
                str(number),
                step.host,
                step.title,
                ", ".join(step.flags),
                self._status(StepOutcome.PENDING),
                key=str(number - 1),
            )
        table.focus()
        self._show_preview()
        self._show_status()

    def _colour(self, name: str) -> str:
        return self.app.theme_variables.get(name, "")

    def _status(self, outcome: StepOutcome, detail: str = "") -> Text:
        text = Text(outcome.value, style=self._colour(OUTCOME_STYLE[outcome]))
        if detail:
            text.append(f" — {detail}", style="")
        return text

    def _findings(self) -> Text:
        text = Text()
        if self.plan.empty:
            text.append("Nothing to do: the hosts already are as asked.\n", style="bold")
        for finding in self.plan.findings:
            mark, colour = SEVERITY_MARK[finding.severity]
            text.append(f"{mark} ", style=self._colour(colour) if self.is_mounted else "")
            text.append(f"{finding.host + ': ' if finding.host else ''}{finding.text}")
            if finding.fix:
                text.append(f" — {finding.fix}", style="italic")
            text.append("\n")
        return text

    def _show_status(self, extra: str = "") -> None:
        steps = len(self.plan.steps)
        hosts = len(self.plan.hosts)
        parts = [f"{steps} step(s) on {hosts} host(s)"]
        if self.plan.destructive_steps:
            parts.append(f"{len(self.plan.destructive_steps)} destructive")
        if self.workspace.read_only:
            parts.append("read-only mode: nothing will be applied")
        if extra:
            parts.append(extra)
        self.query_one("#plan-status", Static).update(" · ".join(parts))

    @on(DataTable.RowHighlighted)
    def _show_preview(self) -> None:
        preview = self.query_one("#plan-preview", Static)
        if self._whole_script:
            preview.update(Syntax(self.plan.script(), "powershell", theme="ansi_dark", word_wrap=True))
            return
        table = self.query_one("#plan-steps", DataTable)
        if table.row_count == 0:
            preview.update("")
            return
        step = self.plan.steps[table.cursor_row]
        preview.update(Syntax(step.powershell, "powershell", theme="ansi_dark", word_wrap=True))

    def action_toggle_script(self) -> None:
        self._whole_script = not self._whole_script
        self._show_preview()

    def action_apply(self) -> None:
        if self.workspace.read_only:
            self.notify(
                "Read-only mode: nothing is applied (restart without --read-only to change hosts).",
                severity="warning",
            )
            return
        if self.plan.empty or self._applier is not None or self.report is not None:
            return
        if self.plan.blocked:
            self.notify("Fix the blockers shown above first.", severity="error")
            return
        phrases = [s.confirm_phrase for s in self.plan.destructive_steps if s.confirm_phrase]
        if phrases:
            warning = "These steps destroy data:\n" + "\n".join(
                f"• {s.host}: {s.title}" for s in self.plan.destructive_steps
            )
            self.app.push_screen(
                TypedConfirmScreen(warning, ", ".join(dict.fromkeys(phrases))), self._confirmed
            )
            return
        question = f"Apply {len(self.plan.steps)} step(s) on {', '.join(self.plan.hosts)}?"
        if any(s.restarts_host for s in self.plan.steps):
            question += "\nSome hosts will restart (running VMs are saved first)."
        self.app.push_screen(ConfirmScreen(question, yes="Apply", no="Not now"), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self._start_apply()

    def _start_apply(self) -> None:
        def step_changed(event: StepEvent) -> None:
            self.post_message(StepChanged(event))

        self._applier = self.workspace.applier(self.plan, step_changed)
        self._show_status("applying…")
        self._apply()

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def _apply(self) -> None:
        assert self._applier is not None
        report = self.workspace.run_applier(self._applier)
        self.post_message(ApplyFinished(report))

    def on_step_changed(self, message: StepChanged) -> None:
        event = message.event
        table = self.query_one("#plan-steps", DataTable)
        detail = event.detail
        if event.percent >= 0:
            detail = f"{event.percent}% {detail}".strip()
        table.update_cell(
            str(event.index),
            table.ordered_columns[4].key,
            self._status(event.outcome, detail),
            update_width=True,
        )

    def on_apply_finished(self, message: ApplyFinished) -> None:
        self.report = message.report
        self._applier = None
        report = message.report
        done = report.count(StepOutcome.APPLIED) + report.count(StepOutcome.ALREADY_HELD)
        summary = f"done: {done}/{len(self.plan.steps)} succeeded"
        failed = report.count(StepOutcome.FAILED) + report.count(StepOutcome.UNKNOWN)
        if failed:
            summary += f", {failed} failed or unconfirmed (see the journal, j)"
        if report.cancelled:
            summary += ", cancelled"
        self._show_status(summary)
        self.notify(summary, severity="information" if report.succeeded else "error")

    def action_cancel_apply(self) -> None:
        if self._applier is not None:
            self._applier.cancel()
            self._show_status("cancelling after the running steps…")

    def action_back(self) -> None:
        if self._applier is not None:
            self.notify("Steps are still running: cancel with c, or wait.", severity="warning")
            return
        self.dismiss(self.report)
