"""Virtual switches per node: which switches each node has (a name missing on a node is flagged — a
classic migration failure), and a form to create the same external switch on every node that lacks it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Checkbox, DataTable, Footer, Header, Static

from hvconsole.stages.plan import Plan
from hvconsole.stages.switches import SwitchesState, plan_external_switch, read_switches
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field


class SwitchesScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Virtual switches"
    DEFAULT_CSS = """
    SwitchesScreen #sw-table { height: 1fr; }
    SwitchesScreen #sw-note { height: auto; color: $warning; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sw-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sw-note")
        yield Field("Switch name (same on every node)", value="External", id="sw-name")
        yield Field(
            "Physical adapter (bound on every node that lacks the switch)", value="Ethernet", id="sw-adapter"
        )
        yield Checkbox("Share the adapter with the management OS (vEthernet)", value=True, id="sw-mgmt")
        yield Footer()

    def read_state(self) -> SwitchesState:
        return read_switches(self.workspace, self.hosts)

    def show_state(self, state: SwitchesState) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("Node", "Switches", "Physical adapters")
        for node, found in state.nodes.items():
            switches = ", ".join(f"{s.name} ({s.switch_type.name})" for s in found.switches) or "—"
            adapters = ", ".join(f"{a['Name']} [{a['Status']}]" for a in found.adapters) or "—"
            table.add_row(node, switches, adapters)
        for node, problem in state.problems.items():
            table.add_row(node, "unreadable", problem[:60])
        missing = state.mismatches()
        self.query_one("#sw-note", Static).update(
            "; ".join(f"{name} is missing on {', '.join(nodes)}" for name, nodes in missing.items())
        )
        if missing:
            self.query_one("#sw-name", Field).value = next(iter(missing))

    def make_plan(self) -> Plan:
        name = self.query_one("#sw-name", Field).value
        adapter = self.query_one("#sw-adapter", Field).value
        if not name.strip() or name != name.strip() or any(c in name for c in '\\/:*?"<>|\n\r\t'):
            raise FormError(
                "sw-name", 'A switch name: no \\ / : * ? " < > | or control characters, no edge spaces.'
            )
        state: SwitchesState = self.state
        if not state.nodes:
            raise FormError("sw-name", "No node could be read.")
        unknown = [n for n, f in state.nodes.items() if name not in state.names_on(n)
                   and adapter not in {a["Name"] for a in f.adapters}]  # fmt: skip
        if unknown:
            raise FormError("sw-adapter", f"No physical adapter named {adapter!r} on {', '.join(unknown)}.")
        mgmt = self.query_one("#sw-mgmt", Checkbox).value
        return plan_external_switch(state, name, dict.fromkeys(state.nodes, adapter), mgmt)
