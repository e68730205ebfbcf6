"""One host: what hvconsole knows of it and how it reaches it (stage screens open from here as they land)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from hvconsole.stages.workspace import Workspace
from hvconsole.ui.widgets.host_table import STATE_LABEL, HostRow


class HostScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, workspace: Workspace, row: HostRow) -> None:
        super().__init__()
        self.workspace = workspace
        self.row = row

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(self._details(), id="host-details")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.row.name
        self.sub_title = "host"

    def _details(self) -> Table:
        entry = self.workspace.host_entry(self.row.name)
        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_row("Connection", STATE_LABEL.get(self.row.state, self.row.state))
        table.add_row("Endpoint", f"{entry.transport}://{entry.address}:{entry.effective_port}/wsman")
        table.add_row("Authentication", entry.authentication)
        validation: str = entry.certificate_validation
        if entry.ca_file and validation == "on":
            validation = f"on (CA {entry.ca_file})"
        if validation == "off":
            validation = "OFF — the host's identity is not verified"
        table.add_row("Certificate check", validation)
        overview = self.row.overview
        if overview is not None:
            system = overview.system
            table.add_row("Computer name", system.name)
            table.add_row("DNS host name", system.dns_host_name)
            table.add_row("Member of", system.membership)
            table.add_row("Role", system.domain_role.label)
            table.add_row("OS", f"{overview.os.edition} ({overview.os.version})")
            table.add_row("Memory", f"{system.total_physical_memory / 2**30:.1f} GiB")
            table.add_row("Uptime", overview.uptime_text())
            table.add_row(
                "Roles", ", ".join(overview.roles) or "none of Hyper-V, Clustering, iSCSI Target, AD DS"
            )
        if self.row.last_error:
            table.add_row("Last error", self.row.last_error)
        return table
