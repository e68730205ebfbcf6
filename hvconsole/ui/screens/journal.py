"""The journal, live: every command hvconsole ran on every host, filterable, with the full command and error."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hvconsole.remoting.journal import JournalEntry, Outcome
from hvconsole.stages.workspace import Workspace
from hvconsole.ui.messages import JournalChanged
from hvconsole.ui.widgets.filter_bar import FilterBar, RowFilter

COLUMNS = ("Time", "Host", "Outcome", "ms", "Command")
OUTCOME_STYLE = {
    Outcome.OK: "success",
    Outcome.ERROR: "warning",
    Outcome.FAILED: "error",
    Outcome.CANCELLED: "secondary",
    Outcome.CONNECTION: "error",
}
SHOWN_ENTRIES = 2000


def _first_line(command: str, width: int = 120) -> str:
    line = command.splitlines()[0] if command else ""
    more = len(command.splitlines()) > 1
    if len(line) > width:
        return line[: width - 1] + "…"
    return line + (" …" if more else "")


class JournalScreen(Screen[None]):
    TITLE = "Journal"
    AUTO_FOCUS = "#journal-table"
    BINDINGS = [
        Binding("slash", "filter", "Filter", tooltip="Filter entries (host, outcome, command, error)"),
        Binding("enter", "toggle_detail", "Details", tooltip="Show the full command and its error"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.entries: list[JournalEntry] = []
        self.row_filter = RowFilter()
        self._reload_pending = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBar(id="journal-filter")
        yield DataTable(id="journal-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="journal-detail")
        yield Static(id="journal-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = str(self.workspace.journal_path)
        table = self.query_one("#journal-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        self.reload()
        table.focus()

    def reload(self) -> None:
        self._reload_pending = False
        self.entries = self.workspace.journal_entries(SHOWN_ENTRIES)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#journal-table", DataTable)
        at_end = table.row_count == 0 or table.cursor_row >= table.row_count - 1
        table.clear()
        variables = self.app.theme_variables
        shown = 0
        for index, entry in enumerate(self.entries):
            if not self.row_filter.matches(
                entry.host, entry.outcome.value, entry.command, entry.error_fqid or ""
            ):
                continue
            outcome = Text(entry.outcome.value, style=variables.get(OUTCOME_STYLE[entry.outcome], ""))
            time = entry.time[11:19] if len(entry.time) >= 19 else entry.time
            table.add_row(
                time, entry.host, outcome, str(entry.duration_ms), _first_line(entry.command), key=str(index)
            )
            shown += 1
        if at_end and table.row_count:
            table.move_cursor(row=table.row_count - 1)
        failed = sum(1 for e in self.entries if e.outcome in (Outcome.FAILED, Outcome.CONNECTION))
        self.query_one("#journal-status", Static).update(
            f"{shown} of {len(self.entries)} entries · {failed} failed or unreachable"
        )
        self._show_detail()

    def on_journal_changed(self, message: JournalChanged) -> None:
        if not self._reload_pending:  # merge bursts (a refresh of 16 hosts writes 16 lines at once)
            self._reload_pending = True
            self.set_timer(0.3, self.reload)

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.FilterChanged)
    def _filter_changed(self, event: FilterBar.FilterChanged) -> None:
        self.row_filter = event.filter
        self._fill()

    def _selected(self) -> JournalEntry | None:
        table = self.query_one("#journal-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.entries[int(key)] if key is not None else None

    def action_toggle_detail(self) -> None:
        self.query_one("#journal-detail").toggle_class("-shown")
        self._show_detail()

    @on(DataTable.RowSelected)
    def _selected_row(self) -> None:
        self.action_toggle_detail()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#journal-detail", Static)
        entry = self._selected()
        if entry is None or not detail.has_class("-shown"):
            return
        text = Text()
        text.append(
            f"{entry.time}  {entry.host}  {entry.outcome.value}  {entry.duration_ms} ms\n", style="bold"
        )
        text.append(entry.command + "\n")
        if entry.error_fqid or entry.error_message:
            text.append(f"{entry.error_fqid or ''}\n", style=self.app.theme_variables.get("error", ""))
            text.append(entry.error_message or "")
        detail.update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
