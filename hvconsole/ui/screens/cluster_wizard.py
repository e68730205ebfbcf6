"""Cluster wizard: pick the nodes (marked in the table) → preflight findings with their fixes → validation
(Test-Cluster: per-test results, warnings vs failures, the report's path, a readable summary) → create (name,
static address in the nodes' subnet, add eligible storage or not) with the plan screen's progress. A node a
failed create left configured is detected on read; the plan offered is then the clean-up (Clear-ClusterNode)."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Checkbox, DataTable, Footer, Header, Static

from hvconsole.stages.cluster_wizard import (
    CreateRequest,
    WizardState,
    create_problems,
    plan_cleanup,
    plan_create,
    preflight,
    read_wizard,
    run_validation,
)
from hvconsole.stages.plan import Plan, Severity
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.cluster import ValidationReport

MARKS = {Severity.OK: "✓", Severity.WARNING: "!", Severity.BLOCKER: "✗"}


class ClusterWizardScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Cluster wizard"
    BINDINGS = [
        Binding("space", "toggle_node", "Pick node", tooltip="Add or remove the host under the cursor"),
        Binding("t", "validate", "Validate", tooltip="Run Test-Cluster on the picked nodes (a read)"),
        *StageScreen.BINDINGS,
    ]
    DEFAULT_CSS = """
    ClusterWizardScreen #cw-hosts { height: auto; max-height: 8; }
    ClusterWizardScreen #cw-findings, ClusterWizardScreen #cw-validation { height: auto; padding: 0 1 1 1; }
    """

    def __init__(self, workspace, hosts=None):  # type: ignore[no-untyped-def]
        super().__init__(workspace, hosts)
        self.picked: list[str] = []
        self.report: ValidationReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="cw-hosts", cursor_type="row")
        yield Static("Reading the hosts…", id="cw-findings")
        yield Static("Validation: not run yet (t)", id="cw-validation")
        yield Field("Cluster name", value="CLUSTER1", id="cw-name")
        yield Field("Static address (in the nodes' subnet)", id="cw-address")
        yield Checkbox("Add all eligible storage", value=True, id="cw-storage")
        yield Field("Nodes (space picks them in the table)", id="cw-nodes")
        yield Footer()

    def read_state(self) -> WizardState:
        state = read_wizard(self.workspace, self.hosts)
        return state

    def show_state(self, state: WizardState) -> None:
        table = self.query_one("#cw-hosts", DataTable)
        table.clear(columns=True)
        table.add_columns("Pick", "Host", "Domain", "Clustering", "Cluster state")
        if not self.picked:  # the hosts with Failover Clustering installed, as the recipe's two nodes
            self.picked = [n for n, f in state.nodes.items() if f.clustering]
        for name, facts in state.nodes.items():
            where = facts.member_of or (f"left over from {facts.hive}" if facts.hive else "—")
            table.add_row(
                "●" if name in self.picked else " ",
                name,
                facts.domain or "workgroup",
                "installed" if facts.clustering else "missing",
                where,
                key=name,
            )
        for name, why in state.problems.items():
            table.add_row(" ", name, "unreadable", "", why[:40], key=name)
        self._show_findings()

    def _show_findings(self) -> None:
        state: WizardState = self.state
        picked = WizardState(
            {n: f for n, f in state.nodes.items() if n in self.picked},
            {n: p for n, p in state.problems.items() if n in self.picked},
            state.firewall,
        )
        storage = next((h for h in self.hosts if h not in self.picked), None)
        lines = [
            f"{MARKS[f.severity]} {f.host + ': ' if f.host else ''}{f.text}"
            + (f" → {f.fix}" if f.fix else "")
            for f in preflight(picked, storage)
        ]
        if state.leftovers:
            lines.append(
                "A failed create left configuration behind: p plans the clean-up (Clear-ClusterNode)."
            )
        self.query_one("#cw-findings", Static).update("\n".join(lines) or "Pick the nodes (space).")
        self.query_one("#cw-nodes", Field).value = ", ".join(self.picked)

    def action_toggle_node(self) -> None:
        table = self.query_one("#cw-hosts", DataTable)
        if self.state is None or not table.row_count:
            return
        name = str(table.get_row_at(table.cursor_row)[1])
        self.picked = [n for n in self.picked if n != name] if name in self.picked else [*self.picked, name]
        table.update_cell(name, table.ordered_columns[0].key, "●" if name in self.picked else " ")
        self._show_findings()

    def action_validate(self) -> None:
        if not self.picked:
            self.notify("Pick the nodes first (space).", severity="warning")
            return
        self.query_one("#cw-validation", Static).update("Validation: Test-Cluster is running…")
        self._validate(list(self.picked))

    @work(thread=True, exclusive=True, group="cluster-validate", exit_on_error=False)
    def _validate(self, nodes: list[str]) -> None:
        try:
            report = run_validation(self.workspace, nodes[0], nodes)
        except Exception as error:  # a hard error (a node unreachable via WMI): say it, keep the screen
            self.app.call_from_thread(self._show_validation, None, str(error))
            return
        self.app.call_from_thread(self._show_validation, report, None)

    def _show_validation(self, report: ValidationReport | None, error: str | None) -> None:
        self.report = report
        if report is None:
            self.query_one("#cw-validation", Static).update(f"Validation could not run: {error}")
            return
        lines = [report.readable()]
        lines += [f"✗ {t.category} - {t.name}: failed" for t in report.failures]
        lines += [f"! {t.category} - {t.name}: warnings" for t in report.warnings]
        if report.summary:
            lines.append(report.summary)
        self.query_one("#cw-validation", Static).update("\n".join(lines))

    def make_plan(self) -> Plan:
        state: WizardState = self.state
        if state.leftovers:
            return plan_cleanup(state)
        nodes = tuple(n.strip() for n in self.query_one("#cw-nodes", Field).value.split(",") if n.strip())
        unknown = [n for n in nodes if n not in state.nodes]
        if unknown:
            raise FormError("cw-nodes", f"Not a readable host of the inventory: {', '.join(unknown)}.")
        request = CreateRequest(
            name=self.query_one("#cw-name", Field).value.strip(),
            address=self.query_one("#cw-address", Field).value.strip(),
            nodes=nodes,
            add_storage=self.query_one("#cw-storage", Checkbox).value,
        )
        problems = create_problems(request, state)
        if problems:
            field_id, message = next(iter(problems.items()))
            raise FormError(field_id, message)
        plan = plan_create(state, request)
        if self.report is None:
            self.notify(
                "Validation was not run (t): Microsoft supports a cluster only after it passes.", timeout=6
            )
        return plan
