"""Network screen: every host's adapters (name, description, status, MAC, speed, IPv4, gateway, DNS, DHCP or
static), a form to set one adapter static or DHCP (address, prefix, gateway, DNS servers, new name), and a
ping check between hosts. A plan that changes the address hvconsole talks over says so, and after the apply
the session reconnects at the new address (the inventory follows)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from hvconsole.remoting.command import Command, Pipeline
from hvconsole.stages.apply import ApplyReport
from hvconsole.stages.network import (
    InputProblem,
    NetworkPlan,
    dns_probe,
    plan_adapter,
    read_network,
    reconnect_moved,
    validate,
)
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.network import HostNetwork

FIELDS = {  # DesiredAdapter attribute → Field id
    "host": "net-host",
    "adapter": "net-adapter",
    "mode": "net-mode",
    "address": "net-address",
    "prefix_length": "net-prefix",
    "gateway": "net-gateway",
    "dns_servers": "net-dns",
    "new_name": "net-new-name",
}


class NetworkScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Network"
    BINDINGS = [
        *StageScreen.BINDINGS,
        Binding("g", "ping", "Ping check", tooltip="Ping every host from every other host (Test-Connection)"),
    ]
    DEFAULT_CSS = """
    NetworkScreen #net-adapters { height: 1fr; min-height: 5; }
    NetworkScreen #net-form { height: 1fr; }
    NetworkScreen #net-form Field { width: 1fr; }
    NetworkScreen #net-ping { height: auto; max-height: 4; color: $text-muted; }
    """

    def __init__(self, workspace: Any, hosts: list[str] | None = None) -> None:
        super().__init__(workspace, hosts)
        self.rows: list[tuple[str, str]] = []
        self.planned: NetworkPlan | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="net-adapters", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="net-form"):
            with Horizontal(classes="row"):
                yield Field("Host", id=FIELDS["host"])
                yield Field("Adapter", id=FIELDS["adapter"])
                yield Field("static or dhcp", value="static", id=FIELDS["mode"])
            with Horizontal(classes="row"):
                yield Field("IPv4 address", placeholder="10.20.0.10", id=FIELDS["address"])
                yield Field("Prefix", value="24", id=FIELDS["prefix_length"])
                yield Field("Gateway", placeholder="10.20.0.1", id=FIELDS["gateway"])
            with Horizontal(classes="row"):
                yield Field("DNS servers (comma-separated)", id=FIELDS["dns_servers"])
                yield Field("New adapter name", id=FIELDS["new_name"])
        yield Static("g: ping check between hosts", id="net-ping")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            "Host", "Adapter", "Description", "Status", "MAC", "Speed", "IPv4", "Gateway", "DNS", "Mode"
        )
        super().on_mount()

    # --- reading --------------------------------------------------------------------------------
    def read_state(self) -> dict[str, HostNetwork | str]:
        return read_network(self.workspace, self.hosts)

    def show_state(self, state: dict[str, HostNetwork | str]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.rows = []
        for host in self.hosts:
            network = state.get(host)
            if not isinstance(network, HostNetwork):
                table.add_row(host, "—", str(network or "not read"), "", "", "", "", "", "", "")
                self.rows.append((host, ""))
                continue
            for c in network.adapters:
                a = c.adapter
                mode = "DHCP" if c.dhcp else "static"
                dns = ", ".join(c.dns_servers) or "—"
                table.add_row(
                    host,
                    a.name,
                    a.description,
                    a.status,
                    a.mac,
                    a.link_speed,
                    c.ipv4,
                    c.gateway or "—",
                    dns,
                    mode,
                )
                self.rows.append((host, a.name))
        if self.rows and not self.query_one(f"#{FIELDS['host']}", Field).value:
            self._fill(0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._fill(event.cursor_row)

    def _fill(self, row: int) -> None:
        if not (0 <= row < len(self.rows)) or not isinstance(self.state, dict):
            return
        host, adapter = self.rows[row]
        network = self.state.get(host)
        config = network.adapter(adapter) if isinstance(network, HostNetwork) else None
        self._set("host", host)
        self._set("adapter", adapter)
        if config is not None:
            self._set("mode", "dhcp" if config.dhcp else "static")
            first = config.addresses[0] if config.addresses else None
            self._set("address", first.address if first else "")
            self._set("prefix_length", str(first.prefix_length) if first else "24")
            self._set("gateway", config.gateway or "")
            self._set("dns_servers", ", ".join(config.dns_servers))
            self._set("new_name", "")

    def _set(self, name: str, value: str) -> None:
        self.query_one(f"#{FIELDS[name]}", Field).value = value

    def _get(self, name: str) -> str:
        return self.query_one(f"#{FIELDS[name]}", Field).value

    # --- planning -------------------------------------------------------------------------------
    def form(self) -> dict[str, object]:
        prefix = self._get("prefix_length").strip()
        if not prefix.isdigit():
            raise FormError(FIELDS["prefix_length"], "the prefix length is a number from 1 to 32")
        mode = self._get("mode").strip().lower()
        if mode not in ("static", "dhcp"):
            raise FormError(FIELDS["mode"], "type static or dhcp")
        dns_text = self._get("dns_servers")
        servers = [s for s in dns_text.replace(";", ",").split(",") if s.strip()]
        if dns_text.strip() and not servers:
            raise FormError(FIELDS["dns_servers"], "list DNS server addresses separated by commas")
        return {
            "host": self._get("host").strip(),
            "adapter": self._get("adapter").strip(),
            "mode": mode,
            "address": self._get("address"),
            "prefix_length": int(prefix),
            "gateway": self._get("gateway"),
            "dns_servers": servers,
            "new_name": self._get("new_name"),
        }

    def make_plan(self) -> Plan:
        """Validate and plan (the DNS reachability probe runs in ``action_plan``'s worker)."""
        if not isinstance(self.state, dict):
            raise FormError(FIELDS["host"], "still reading the hosts")
        raw = self.form()
        host = str(raw["host"])
        if host not in self.hosts:
            raise FormError(FIELDS["host"], f"{host!r} is not one of this screen's hosts")
        network = self.state.get(host)
        if not isinstance(network, HostNetwork):
            raise FormError(FIELDS["host"], f"{host} could not be read: {network}")
        current = network.adapter(str(raw["adapter"]))
        if current is None:
            raise FormError(FIELDS["adapter"], f"{host} has no adapter named {raw['adapter']!r}")
        try:
            desired = validate(raw, self.state)
        except InputProblem as problem:
            raise FormError(FIELDS.get(problem.field, FIELDS["address"]), problem.message) from None
        self.planned = plan_adapter(desired, current, self.workspace.host_entry(host))
        return self.planned.plan

    def action_plan(self) -> None:
        for field in self.query(Field):
            field.clear_error()
        try:
            self.make_plan()
        except FormError as problem:
            self._show_problem(problem)
            return
        raw_servers = self.form()["dns_servers"]
        servers = [str(s) for s in raw_servers] if isinstance(raw_servers, list) else []
        host = self._get("host").strip()
        self.run_worker(
            lambda: dns_probe(self.workspace, host, servers),
            thread=True,
            group="net-dns",
            exit_on_error=False,
        )

    def _show_problem(self, problem: FormError) -> None:
        field = self.query_one(f"#{problem.field_id}", Field)
        field.error(problem.message)
        field.input.focus()

    def on_worker_state_changed(self, event: Any) -> None:
        from textual.worker import WorkerState

        from hvconsole.ui.screens.plan import PlanScreen

        if event.worker.group == "net-dns" and event.state is WorkerState.SUCCESS:
            silent = event.worker.result
            if silent:
                self._show_problem(
                    FormError(
                        FIELDS["dns_servers"], f"no answer from {', '.join(silent)} (ping from the host)"
                    )
                )
            elif self.planned is not None:
                self.app.push_screen(PlanScreen(self.workspace, self.planned.plan), self._applied)
            return
        if event.worker.group == "net-dns" and event.state is WorkerState.ERROR:
            self.notify(f"DNS check failed: {event.worker.error}", severity="error")
            return
        if event.worker.group == "net-move" and event.state is WorkerState.SUCCESS:
            for host, error in event.worker.result.items():
                where = self.workspace.host_entry(host).address
                self.notify(f"{host}: " + (error or f"reconnected at {where}; inventory updated"))
            self.action_reload()
            return
        super().on_worker_state_changed(event)

    def _applied(self, report: ApplyReport | None) -> None:
        planned = self.planned
        if report is not None and planned is not None and planned.moves:
            self.run_worker(
                lambda: reconnect_moved(self.workspace, planned.moves, report),
                thread=True,
                group="net-move",
                exit_on_error=False,
            )
            return
        super()._applied(report)

    # --- ping check -----------------------------------------------------------------------------
    def action_ping(self) -> None:
        self.query_one("#net-ping", Static).update("pinging…")
        self.run_worker(self._ping_all, thread=True, group="net-ping-check", exit_on_error=False)

    def _ping_all(self) -> None:
        results = []
        for source in self.hosts:
            for target in self.hosts:
                if source == target:
                    continue
                pipeline = Pipeline.of(Command("Test-Connection", ComputerName=target, Count=1, Quiet=True))
                try:
                    ok = self.workspace.sessions[source].invoke(pipeline, raise_on_failure=False).objects == [
                        True
                    ]
                except Exception:
                    ok = False
                results.append(f"{source}→{target} {'ok' if ok else 'no reply'}")
        self.app.call_from_thread(self.query_one("#net-ping", Static).update, "  ".join(results))
