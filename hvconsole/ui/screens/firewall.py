"""Firewall screen: rule groups × hosts (enabled state; space toggles the wanted state of a cell), the port
rules (TCP 3260 iSCSI, 3343 cluster, 6600 live migration) as extra rows, and the preflight checklist of what
each later stage needs. The recipe's storage box is taken to be the first host of the screen."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from hvconsole.stages.firewall import (
    GROUPS,
    PORT_RULES,
    DesiredFirewall,
    HostFirewall,
    firewall_preflight,
    plan_firewall,
    read_firewall,
    stage_needs,
)
from hvconsole.stages.plan import Plan, Severity
from hvconsole.ui.screens.stage import FormError, StageScreen

ROWS = [("group", g) for g in GROUPS] + [("port", k) for k in PORT_RULES]


class FirewallScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Firewall"
    BINDINGS = [
        *StageScreen.BINDINGS,
        Binding(
            "space", "toggle_cell", "Toggle", tooltip="Allow or block the highlighted group on that host"
        ),
    ]
    DEFAULT_CSS = """
    FirewallScreen #fw-matrix { height: 1fr; }
    FirewallScreen #fw-preflight { height: auto; max-height: 8; overflow-y: auto; }
    """

    def __init__(self, workspace: Any, hosts: list[str] | None = None) -> None:
        super().__init__(workspace, hosts)
        self.wanted: dict[tuple[str, str], bool] = {}  # (row key, host) → wanted state, only changed cells

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="fw-matrix", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="fw-preflight")
        yield Footer()

    def read_state(self) -> dict[str, HostFirewall | str]:
        return read_firewall(self.workspace, self.hosts)

    def _current(self, kind: str, key: str, host: str) -> str:
        state = self.state.get(host) if isinstance(self.state, dict) else None
        if not isinstance(state, HostFirewall):
            return "?"
        if kind == "group":
            return state.group_state(key)
        rule = state.rule(PORT_RULES[key].name)
        return "absent" if rule is None else ("on" if rule.enabled else "off")

    def show_state(self, state: dict[str, HostFirewall | str]) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        table.add_columns("Rule group / port", *self.hosts)
        for kind, key in ROWS:
            label = key if kind == "group" else f"{PORT_RULES[key].protocol} {PORT_RULES[key].port} {key}"
            cells = []
            for host in self.hosts:
                now = self._current(kind, key, host)
                want = self.wanted.get((key, host))
                cells.append(now if want is None else f"{now} → {'on' if want else 'off'}")
            table.add_row(label, *cells)
        table.cursor_coordinate = cursor
        self._show_preflight(state)

    def _show_preflight(self, state: dict[str, HostFirewall | str]) -> None:
        read = {h: s for h, s in state.items() if isinstance(s, HostFirewall)}
        if not self.hosts:
            return
        findings = firewall_preflight(read, stage_needs(self.hosts[0], self.hosts[1:]))
        lines = []
        for stage in dict.fromkeys(f.text.split(":", 1)[0] for f in findings):
            mine = [f for f in findings if f.text.startswith(stage + ":")]
            ok = sum(f.severity is Severity.OK for f in mine)
            mark = "✔" if ok == len(mine) else "✘"
            missing = "; ".join(
                f"{f.host}: {f.text.split(': ', 1)[1]}" for f in mine if f.severity is not Severity.OK
            )
            lines.append(f"{mark} {stage} {ok}/{len(mine)}" + (f" — needs {missing}" if missing else ""))
        self.query_one("#fw-preflight", Static).update("\n".join(lines))

    def action_toggle_cell(self) -> None:
        table = self.query_one(DataTable)
        row, column = table.cursor_coordinate.row, table.cursor_coordinate.column
        if column == 0 or not (0 <= row < len(ROWS)) or self.state is None:
            return
        kind, key = ROWS[row]
        host = self.hosts[column - 1]
        now = self._current(kind, key, host) == "on"
        want = not self.wanted.get((key, host), now)
        if want == now:
            self.wanted.pop((key, host), None)
        else:
            self.wanted[(key, host)] = want
        self.show_state(self.state)

    def make_plan(self) -> Plan:
        read = {h: s for h, s in (self.state or {}).items() if isinstance(s, HostFirewall)}
        desired = []
        for host in self.hosts:
            groups = {k: v for (k, h), v in self.wanted.items() if h == host and k in GROUPS}
            ports = tuple(k for (k, h), v in self.wanted.items() if h == host and k in PORT_RULES and v)
            if (groups or ports) and host in read:
                desired.append(DesiredFirewall(host, groups, ports))
        if not desired:
            raise FormError("fw-matrix", "nothing to change: move to a cell and press space")
        return plan_firewall(desired, read)

    def _applied(self, report: Any) -> None:
        if report is not None:
            self.wanted.clear()
        super()._applied(report)
