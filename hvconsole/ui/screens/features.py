"""Roles & features: hosts × roles (installed / install pending / available); space toggles the wanted state
of the highlighted cell; the plan installs/removes on every host at once, with an optional restart."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Checkbox, DataTable, Footer, Header, Static

from hvconsole.stages.features import (
    PRESENT,
    ROLES,
    FeatureRequest,
    FeaturesState,
    plan_features,
    read_features,
)
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.windows.features import ROLES_OF_INTEREST, InstallState

STATE_TEXT = {
    InstallState.Installed: "installed",
    InstallState.InstallPending: "pending restart",
    InstallState.UninstallPending: "removal pending",
    InstallState.Available: "available",
    InstallState.Removed: "removed",
}


class FeaturesScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Roles & features"
    BINDINGS = [
        *StageScreen.BINDINGS,
        Binding(
            "space", "toggle_cell", "Toggle", tooltip="Install or remove the highlighted role on that host"
        ),
    ]
    DEFAULT_CSS = """
    FeaturesScreen #feat-matrix { height: 1fr; }
    FeaturesScreen #feat-legend { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, workspace: Any, hosts: list[str] | None = None) -> None:
        super().__init__(workspace, hosts)
        self.wanted: dict[tuple[str, str], bool] = {}  # (role, host) → wanted; only cells the admin changed

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="feat-matrix", cursor_type="cell", zebra_stripes=True)
        yield Checkbox("Restart hosts that need it (Hyper-V)", id="feat-restart")
        yield Static("space: toggle install/remove · p: plan & apply · ctrl+r: re-read", id="feat-legend")
        yield Footer()

    def read_state(self) -> FeaturesState:
        return read_features(self.workspace, self.hosts)

    def cell(self, role: str, host: str) -> str:
        state: FeaturesState = self.state
        if host in state.problems:
            return "unreachable"
        now = state.state(host, role)
        want = self.wanted.get((role, host))
        if want is None:
            return STATE_TEXT[now]
        return "+ install" if want else "− remove"

    def show_state(self, state: FeaturesState) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        table.add_columns("Role", *self.hosts)
        for role in ROLES:
            table.add_row(ROLES_OF_INTEREST[role], *(self.cell(role, h) for h in self.hosts))
        table.cursor_coordinate = cursor
        for host, problem in state.problems.items():
            self.notify(f"{host}: {problem}", severity="error")

    def action_toggle_cell(self) -> None:
        table = self.query_one(DataTable)
        row, column = table.cursor_coordinate.row, table.cursor_coordinate.column
        if self.state is None or column == 0 or not 0 <= row < len(ROLES):
            return
        role, host = ROLES[row], self.hosts[column - 1]
        present = self.state.state(host, role) in PRESENT
        want = not self.wanted.get((role, host), present)
        if want == present:
            self.wanted.pop((role, host), None)
        else:
            self.wanted[(role, host)] = want
        self.show_state(self.state)

    def request(self) -> FeatureRequest:
        wanted: dict[str, dict[str, bool]] = {}
        for (role, host), want in self.wanted.items():
            wanted.setdefault(host, {})[role] = want
        restart = self.query_one("#feat-restart", Checkbox).value
        if restart:  # hosts whose Hyper-V waits for a restart get it even without another change
            for host in self.state.hosts:
                if any(self.state.state(host, r) is InstallState.InstallPending for r in ROLES):
                    wanted.setdefault(host, {})
        return FeatureRequest(wanted, restart=restart)

    def make_plan(self) -> Plan:
        request = self.request()
        if not request.wanted:
            raise FormError("feat-matrix", "Nothing to change: move to a cell and press space.")
        return plan_features(request, self.state)

    def _applied(self, report: Any) -> None:
        if report is not None:
            self.wanted.clear()
        super()._applied(report)
