"""The dashboard's table: one row per host, its connection state live, what it is and what it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from hvconsole.stages.overview import HostOverview
from hvconsole.ui.widgets.filter_bar import RowFilter

COLUMNS = ("Host", "Address", "Connection", "OS", "Domain / workgroup", "Roles", "Uptime", "Last error")

# Connection states and the theme variable their text is drawn in.
STATE_STYLE = {
    "connected": "success",
    "connecting": "accent",
    "reconnecting": "warning",
    "rebooting": "warning",
    "unreachable": "error",
    "auth_failed": "error",
    "disconnected": "secondary",
    "not connected": "secondary",
}
STATE_LABEL = {"auth_failed": "auth failed"}


@dataclass
class HostRow:
    name: str
    address: str
    state: str = "not connected"
    overview: HostOverview | None = None
    last_error: str = ""
    insecure: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def cells(self, colours: dict[str, str], marked: bool = False) -> list[str | Text]:
        state_text = Text(
            STATE_LABEL.get(self.state, self.state), style=colours.get(STATE_STYLE.get(self.state, ""), "")
        )
        address = Text(self.address)
        if self.insecure:
            address.append(" ⚠", style=colours.get("warning", ""))
        mark = "● " if marked else ""
        if self.overview is None:
            return [
                Text(mark + self.name, style="bold"),
                address,
                state_text,
                "",
                "",
                "",
                "",
                self.last_error,
            ]
        overview = self.overview
        roles = ", ".join(overview.roles) or "—"
        if overview.roles_pending:
            roles += " (+" + ", ".join(overview.roles_pending) + " pending restart)"
        name = overview.system.name or self.name
        return [
            Text(mark + name, style="bold"),
            address,
            state_text,
            overview.os.edition,
            overview.system.membership,
            roles,
            overview.uptime_text(),
            self.last_error,
        ]

    def search_text(self) -> list[str]:
        texts = [self.name, self.address, self.state, self.last_error]
        if self.overview:
            texts += [
                self.overview.os.edition,
                self.overview.system.membership,
                " ".join(self.overview.roles),
            ]
        return texts


class HostTable(DataTable[str | Text]):
    """Rows keyed by inventory host name; updates touch single cells, never rebuild the table."""

    BINDINGS = [Binding("enter", "select_cursor", "Open host", tooltip="Open the host under the cursor")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_host: dict[str, HostRow] = {}
        self.row_filter = RowFilter()
        self.marked: set[str] = set()

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column, key=column)

    def _colours(self) -> dict[str, str]:
        variables = self.app.theme_variables
        return {
            name: variables.get(name, "") for name in ("success", "accent", "warning", "error", "secondary")
        }

    def set_hosts(self, rows: list[HostRow]) -> None:
        self.rows_by_host = {row.name: row for row in rows}
        self._rebuild()

    def _rebuild(self) -> None:
        selected = self.selected_host
        self.clear()
        colours = self._colours()
        for row in self.rows_by_host.values():
            if self.row_filter.matches(*row.search_text()):
                self.add_row(*row.cells(colours, row.name in self.marked), key=row.name)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))

    def toggle_mark(self, name: str) -> None:
        self.marked ^= {name}
        self.update_host(name)

    def apply_filter(self, row_filter: RowFilter) -> None:
        self.row_filter = row_filter
        self._rebuild()

    def update_host(self, name: str) -> None:
        row = self.rows_by_host.get(name)
        if row is None:
            return
        visible = name in self.rows
        wanted = self.row_filter.matches(*row.search_text())
        if visible != wanted:
            self._rebuild()
            return
        if not visible:
            return
        for column, value in zip(COLUMNS, row.cells(self._colours(), name in self.marked), strict=True):
            self.update_cell(name, column, value, update_width=True)

    @property
    def selected_host(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # no row under the cursor
            return None
        return str(key.value) if key.value is not None else None
