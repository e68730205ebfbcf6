"""iSCSI initiator screen (the iscsicpl replacement) for one or several hosts: MSiSCSI state, initiator IQN,
portals, discovered targets, sessions; "Connect every cluster node to these targets" is one plan (p)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, DataTable, Footer, Header, Static

from hvconsole.stages.iscsi_initiator import (
    SERVICE_HELP,
    DesiredLogins,
    Initiator,
    check_portal,
    check_targets,
    plan_disconnect,
    plan_logins,
    plan_remove_portal,
    read_initiators,
)
from hvconsole.stages.iscsi_target import FieldProblem, TargetServer
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.iscsi_target import find_target_server
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field


@dataclass
class InitiatorScreenState:
    server: TargetServer | None
    initiators: dict[str, Initiator]


class IscsiInitiatorScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "iSCSI initiator"
    CSS_PATH = "iscsi.tcss"
    BINDINGS = [
        *StageScreen.BINDINGS,
        Binding("d", "disconnect", "Disconnect", tooltip="Log the hosts out of the first target named"),
        Binding("x", "remove_portal", "Remove portal", tooltip="Remove the portal from the hosts"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="iscsi-body"):
            yield Static("Reading the hosts…", id="initiator-status", classes="iscsi-status")
            yield DataTable(id="initiators", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield Field("Target portal (the target server's address or DNS name)", id="portal")
            yield Field("Targets to connect (IQNs, comma separated)", id="targets")
            yield Checkbox("Persistent (log in again after a restart)", value=True, id="persistent")
            yield Checkbox("Enable multipath (needs MPIO)", id="multipath")
            yield Static(
                "p: connect every selected host to these targets (one plan) · d: disconnect · x: remove portal. "
                + SERVICE_HELP,
                classes="iscsi-help",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#initiators", DataTable).add_columns(
            "Host", "MSiSCSI", "Initiator IQN", "Portals", "Targets (connected/discovered)"
        )
        self.query_one("#sessions", DataTable).add_columns("Host", "Target", "Persistent", "Session")
        super().on_mount()

    def read_state(self) -> InitiatorScreenState:
        server = find_target_server(self.workspace, self.workspace.host_names())
        hosts = [h for h in self.hosts if not (server.installed and h == server.host)]
        self.initiator_hosts = hosts
        return InitiatorScreenState(
            server if server.installed else None, read_initiators(self.workspace, hosts)
        )

    def show_state(self, state: InitiatorScreenState) -> None:
        status = self.query_one("#initiator-status", Static)
        server = state.server
        status.update(
            f"Target server [b]{server.host}[/b] · {len(server.targets)} target(s)"
            if server
            else "No host has the iSCSI Target Server role yet (see the iSCSI target screen)."
        )
        table = self.query_one("#initiators", DataTable)
        table.clear()
        sessions = self.query_one("#sessions", DataTable)
        sessions.clear()
        for host, i in state.initiators.items():
            connected = sum(1 for t in i.targets if t.is_connected)
            service = f"{i.service_status} / {i.start_type}" if not i.error else f"error: {i.error}"
            portals = ", ".join(p.address for p in i.portals) or "—"
            table.add_row(host, service, i.iqn, portals, f"{connected}/{len(i.targets)}")
            for s in i.sessions:
                sessions.add_row(
                    host, s.target_node_address, "yes" if s.is_persistent else "no", s.session_identifier
                )
        portal = self.query_one("#portal", Field)
        if not portal.value and server:
            portal.value = server.host
        targets = self.query_one("#targets", Field)
        if not targets.value and server:
            targets.value = ", ".join(t.target_iqn for t in server.targets if t.lun_mappings)

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Field).value

    def make_plan(self) -> Plan:
        try:
            desired = DesiredLogins(
                hosts=tuple(self.state.initiators),
                portal=check_portal(self._value("portal")),
                targets=check_targets(self._value("targets")),
                persistent=self.query_one("#persistent", Checkbox).value,
                multipath=self.query_one("#multipath", Checkbox).value,
            )
        except FieldProblem as problem:
            raise FormError(problem.field, problem.message) from None
        return plan_logins(desired, self.state.initiators, self.state.server)

    def _push(self, make: object) -> None:
        from hvconsole.ui.screens.plan import PlanScreen

        if self.state is None:
            return
        try:
            plan = make()  # type: ignore[operator]
        except FieldProblem as problem:
            self.query_one(f"#{problem.field}", Field).error(problem.message)
            return
        if plan.empty:
            self.notify("Nothing to do on the selected hosts.")
            return
        self.app.push_screen(PlanScreen(self.workspace, plan), self._applied)

    def action_disconnect(self) -> None:
        self._push(
            lambda: plan_disconnect(
                list(self.state.initiators), check_targets(self._value("targets"))[0], self.state.initiators
            )
        )

    def action_remove_portal(self) -> None:
        self._push(
            lambda: plan_remove_portal(
                list(self.state.initiators), check_portal(self._value("portal")), self.state.initiators
            )
        )
