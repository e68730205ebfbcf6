"""The dashboard: every host of the inventory, its connection state live, refreshed in parallel."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from hvconsole.inventory import HostEntry
from hvconsole.stages.workspace import Workspace
from hvconsole.ui.messages import HostConnectionChanged, HostOverviewRead
from hvconsole.ui.screens.confirm import ConfirmScreen
from hvconsole.ui.screens.host_form import HostFormResult, HostFormScreen
from hvconsole.ui.widgets.filter_bar import FilterBar
from hvconsole.ui.widgets.host_table import HostRow, HostTable


class DashboardScreen(Screen[None]):
    TITLE = "Hosts"
    AUTO_FOCUS = "#hosts"
    BINDINGS = [
        Binding("slash", "filter", "Filter", tooltip="Filter the hosts (regex; ! inverts)"),
        Binding("r", "refresh", "Refresh", tooltip="Read every host again, in parallel"),
        Binding("enter", "open_host", "Open host", show=True),
        Binding("space", "mark", "Mark", tooltip="Mark hosts: stage screens open on the marked hosts"),
        Binding("a", "add_host", "Add host", show=False, tooltip="Add a host to the inventory"),
        Binding("e", "edit_host", "Edit host", show=False, tooltip="Edit the host under the cursor"),
        Binding(
            "delete,d", "remove_host", "Remove host", show=False, tooltip="Remove the host under the cursor"
        ),
    ]

    def __init__(
        self, workspace: Workspace, *, poll_seconds: float = 15.0, initial_refresh: bool = True
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.poll_seconds = poll_seconds
        self.initial_refresh = initial_refresh
        self._refreshing = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield FilterBar(id="host-filter")
        yield HostTable(id="hosts")
        yield Static(id="dashboard-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.workspace.label
        self._load_rows()
        self.query_one(HostTable).focus()
        self._show_status()
        if self.initial_refresh:
            self.action_refresh()

    def _address_of(self, name: str) -> str:
        entry = self.workspace.host_entry(name)
        if entry.port in (None, entry.effective_default_port):
            return entry.address
        return f"{entry.address}:{entry.port}"

    def _load_rows(self) -> None:
        table = self.query_one(HostTable)
        previous = table.rows_by_host
        rows = []
        for name in self.workspace.host_names():
            entry = self.workspace.host_entry(name)
            state, detail = self.workspace.connection_state(name)
            rows.append(
                HostRow(
                    name=name,
                    address=self._address_of(name),
                    state=state,
                    last_error=detail or "",
                    insecure=entry.certificate_validation == "off",
                )
            )
        for row in rows:  # keep what was already read of hosts that stay
            if row.name in previous:
                row.overview = previous[row.name].overview
        table.set_hosts(rows)

    @property
    def refreshing(self) -> bool:
        """True while a refresh of the hosts is under way."""
        return self._refreshing

    def _show_status(self, extra: str = "") -> None:
        table = self.query_one(HostTable)
        states = [row.state for row in table.rows_by_host.values()]
        connected = states.count("connected")
        text = f"{connected}/{len(states)} connected"
        if self._refreshing:
            text += " · refreshing…"
        if extra:
            text += f" · {extra}"
        self.query_one("#dashboard-status", Static).update(text)

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.FilterChanged)
    def _filter_changed(self, event: FilterBar.FilterChanged) -> None:
        self.query_one(HostTable).apply_filter(event.filter)

    def action_refresh(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True
        self._show_status()
        self._refresh_hosts()

    @work(thread=True, exclusive=True, group="dashboard-refresh", exit_on_error=False)
    def _refresh_hosts(self) -> None:
        try:
            for host, overview, error in self.workspace.read_overviews(self.workspace.host_names()):
                self.post_message(HostOverviewRead(host, overview, error))
        finally:
            self.app.call_from_thread(self._refresh_finished)

    def _refresh_finished(self) -> None:
        self._refreshing = False
        self._show_status()
        # The next poll is scheduled only after this one finished, so polls never overlap.
        if self.poll_seconds > 0:
            self.set_timer(self.poll_seconds, self.action_refresh, name="dashboard-poll")

    def on_host_overview_read(self, message: HostOverviewRead) -> None:
        table = self.query_one(HostTable)
        row = table.rows_by_host.get(message.host)
        if row is None:
            return
        if message.overview is not None:
            row.overview = message.overview
            row.last_error = ""
        if message.error:
            row.last_error = message.error
        table.update_host(message.host)

    def on_host_connection_changed(self, message: HostConnectionChanged) -> None:
        table = self.query_one(HostTable)
        row = table.rows_by_host.get(message.host)
        if row is None:
            return
        row.address = self._address_of(message.host)  # a host whose address changed is reached at the new one
        row.state = message.state
        if message.detail and message.state != "connected":
            row.last_error = message.detail
        table.update_host(message.host)
        self._show_status()

    def selected_hosts(self) -> list[str]:
        table = self.query_one(HostTable)
        marked = [name for name in table.rows_by_host if name in table.marked]
        if marked:
            return marked
        return []

    def action_mark(self) -> None:
        table = self.query_one(HostTable)
        host = table.selected_host
        if host is not None:
            table.toggle_mark(host)

    def on_data_table_row_selected(self, event: HostTable.RowSelected) -> None:
        event.stop()
        self.action_open_host()

    def action_add_host(self) -> None:
        self._edit(None)

    def action_edit_host(self) -> None:
        host = self.query_one(HostTable).selected_host
        if host is not None:
            self._edit(self.workspace.host_entry(host))

    def _edit(self, existing: HostEntry | None) -> None:
        if self.workspace.inventory_path is None:
            self.notify(
                "These are the embedded lab's hosts. To manage real hosts start hvconsole with "
                "--inventory FILE (or add one with `hvconsole hosts add`).",
                severity="warning",
            )
            return

        def saved(result: HostFormResult | None) -> None:
            if result is None:
                return
            if existing is not None and existing.name != result.entry.name:
                self.workspace.remove_host(existing.name)
            self.workspace.save_host(result.entry, result.account, remember=result.remember)
            self._load_rows()
            self.notify(f"{result.entry.name} saved in {self.workspace.inventory_path}")
            self.action_refresh()

        self.app.push_screen(HostFormScreen(existing), saved)

    def action_remove_host(self) -> None:
        host = self.query_one(HostTable).selected_host
        if host is None:
            return
        if self.workspace.inventory_path is None:
            self._edit(None)  # says why the lab's hosts cannot be edited
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.workspace.remove_host(host)
                self._load_rows()
                self.notify(f"{host} removed from the inventory")

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {host} from the inventory? (Nothing changes on the host itself.)", yes="Remove"
            ),
            answered,
        )

    def action_open_host(self) -> None:
        host = self.query_one(HostTable).selected_host
        if host is None:
            return
        from hvconsole.ui.screens.host import HostScreen

        row = self.query_one(HostTable).rows_by_host[host]
        self.app.push_screen(HostScreen(self.workspace, row))
