"""Cluster dashboard: nodes (Up/Down/Paused) with their roles, the cluster name and IP resources, the witness,
CSVs with free-space bars and owner. Polls every few seconds, the next poll scheduled after the last one
completed (never overlapping). Pause (drain) and resume the node under the cursor as plans."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Static

from hvconsole.stages.cluster_nodes import plan_pause, plan_resume
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.cluster_base import ClusterRead, read_selected_cluster
from hvconsole.ui.screens.stage import FormError, StageScreen


def bar(free: int, size: int, width: int = 20) -> str:
    """A text bar of the used space: ███████░░░ 70% used."""
    used = 0.0 if size <= 0 else (size - free) / size
    filled = round(used * width)
    return "█" * filled + "░" * (width - filled) + f" {used:4.0%} used"


class ClusterDashboardScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Cluster dashboard"
    POLL_SECONDS: ClassVar[float] = 5.0
    BINDINGS = [
        Binding("d", "drain", "Drain & pause node", tooltip="Plan: move the node's roles away and pause it"),
        Binding("r", "resume", "Resume node", tooltip="Plan: resume the paused node"),
        *StageScreen.BINDINGS,
    ]
    DEFAULT_CSS = """
    ClusterDashboardScreen #cd-summary { height: auto; padding: 0 1; }
    ClusterDashboardScreen #cd-why { height: auto; color: $error; padding: 0 1; }
    ClusterDashboardScreen DataTable { height: auto; max-height: 12; margin: 0 0 1 0; }
    """

    def __init__(self, workspace, hosts=None, poll_seconds: float | None = None):  # type: ignore[no-untyped-def]
        super().__init__(workspace, hosts)
        self.poll_seconds = self.POLL_SECONDS if poll_seconds is None else poll_seconds
        self.pending_action = "drain"
        self._poll_timer: Timer | None = None

    def _schedule(self) -> None:
        """The next poll, counted from the end of this one (one timer at a time: polls never overlap)."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
        if self.poll_seconds > 0 and self.is_mounted:
            self._poll_timer = self.set_timer(self.poll_seconds, self.action_reload)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="cd-summary")
        yield Static("", id="cd-why")
        yield DataTable(id="cd-nodes", cursor_type="row")
        yield DataTable(id="cd-csvs", cursor_type="row")
        yield Footer()

    def read_state(self) -> ClusterRead:
        return read_selected_cluster(self.workspace, self.hosts)

    def show_state(self, state: ClusterRead) -> None:
        self.query_one("#cd-why", Static).update(state.why or "")
        nodes, csvs = self.query_one("#cd-nodes", DataTable), self.query_one("#cd-csvs", DataTable)
        cursor = nodes.cursor_row
        nodes.clear(columns=True)
        csvs.clear(columns=True)
        nodes.add_columns("Node", "State", "Drain", "Roles")
        csvs.add_columns("CSV", "Path", "Owner", "Space")
        view = state.view
        if view is not None:
            for node in view.nodes:
                roles = ", ".join(g.name for g in view.roles_on(node.name)) or "—"
                nodes.add_row(node.name, node.state, node.drain_status, roles, key=node.name)
            for v in view.shared_volumes:
                csvs.add_row(v.name, v.path, v.owner_node, bar(v.free, v.size))
            core = [
                r for r in view.resources if r.group == "Cluster Group" and r.resource_type != "Physical Disk"
            ]
            resources = "  ".join(
                f"{r.name}: {r.state}" for r in core if r.resource_type in ("IP Address", "Network Name")
            )
            witness = view.resource(view.witness) if view.witness else None
            witness_text = f"{witness.name} ({witness.state})" if witness else "none (node majority)"
            self.query_one("#cd-summary", Static).update(
                f"{view.name} at {view.address or '?'} — {resources}\nWitness: {witness_text}"
            )
            if nodes.row_count:
                nodes.move_cursor(row=min(cursor, nodes.row_count - 1))
        if self.poll_seconds > 0 and self.is_mounted:
            self.set_timer(
                self.poll_seconds, self.action_reload
            )  # after this poll completed: never overlapping

    def show_read_error(self, error: BaseException) -> None:
        super().show_read_error(error)
        self._schedule()

    def _selected_node(self) -> str:
        table = self.query_one("#cd-nodes", DataTable)
        if not table.row_count:
            raise FormError("cd-nodes", "No node to act on: the cluster could not be read.")
        return str(table.get_row_at(table.cursor_row)[0])

    def make_plan(self) -> Plan:
        state: ClusterRead = self.state
        if state.view is None:
            raise FormError("cd-nodes", state.why or "The cluster could not be read.")
        node = self._selected_node()
        if self.pending_action == "resume":
            return plan_resume(state.view, node)
        return plan_pause(state.view, node, drain=True)

    def action_drain(self) -> None:
        self.pending_action = "drain"
        self.action_plan()

    def action_resume(self) -> None:
        self.pending_action = "resume"
        self.action_plan()
