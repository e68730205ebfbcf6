"""Disks: every selected host's disks in one table (shared LUNs marked, with the hosts where they are online),
and a form to prepare the highlighted disk — online, writable, GPT, one partition, NTFS/ReFS with a label, a
letter (optionally the same on every host). Initialize, clear and format ask for the disk typed back."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, DataTable, Footer, Header, Select, Static

from hvconsole.stages.disks import DiskGroup, DisksState, Placement, explain, read_disks
from hvconsole.stages.disks_plan import DiskProblem, desired_from_form, plan_disk, preparing_host
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field

FIELD_IDS = {"label": "disk-label", "letter": "disk-letter", "disk": "disk-table"}


def size_text(size: int) -> str:
    for unit, scale in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} B"


def volumes_text(placement: Placement) -> str:
    parts = []
    for partition, volume in placement.data:
        letter = f"{partition.drive_letter}:" if partition.drive_letter else "—"
        if volume is None:
            parts.append(f"{letter} (no volume shown)" if placement.disk.is_offline else f"{letter} raw")
        else:
            parts.append(f"{letter} {volume.file_system} “{volume.label}”")
    return ", ".join(parts) or "—"


class DisksScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Disks"
    DEFAULT_CSS = """
    DisksScreen #disk-table { height: 1fr; }
    DisksScreen #disk-form { height: auto; }
    DisksScreen #disk-form Field { width: 1fr; }
    DisksScreen #disk-fs { width: 16; }
    DisksScreen #disk-detail, DisksScreen #disk-legend { height: auto; padding: 0 1; }
    DisksScreen #disk-legend { color: $text-muted; }
    """

    def __init__(self, workspace: Any, hosts: list[str] | None = None) -> None:
        super().__init__(workspace, hosts)
        self.row_keys: list[str] = []  # DiskGroup.key per table row

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="disk-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="disk-detail")
        with Vertical(id="disk-form"):
            with Horizontal():
                yield Select(
                    [("NTFS", "NTFS"), ("ReFS", "ReFS")], value="NTFS", allow_blank=False, id="disk-fs"
                )
                yield Field("Volume label", id="disk-label", placeholder="Quorum")
                yield Field("Drive letter", id="disk-letter", placeholder="Q (empty: next free)")
            with Horizontal():
                yield Checkbox("Same letter on every host", id="disk-same")
                yield Checkbox("Re-format if different (erases data)", id="disk-reformat")
        yield Static("p: plan & apply for the highlighted disk · ctrl+r: re-read", id="disk-legend")
        yield Footer()

    def read_state(self) -> DisksState:
        return read_disks(self.workspace, self.hosts)

    def show_state(self, state: DisksState) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Host", "#", "Disk", "Bus", "Size", "State", "Style", "Volumes", "Shared")
        self.row_keys = []
        for group in state.groups():
            for placement in group.placements:
                disk = placement.disk
                status = "offline" if disk.is_offline else "online"
                if disk.is_readonly:
                    status += ", read-only"
                if disk.is_clustered:
                    status += ", clustered"
                shared = ""
                if group.shared:
                    shared = "online on " + (", ".join(group.online_on) or "no host")
                table.add_row(
                    placement.host,
                    str(disk.number),
                    disk.friendly_name,
                    disk.bus_type.name,
                    size_text(disk.size),
                    status,
                    disk.partition_style.name,
                    volumes_text(placement),
                    shared,
                )
                self.row_keys.append(group.key)
        if self.row_keys:
            table.move_cursor(row=min(max(row, 0), len(self.row_keys) - 1))
        for host, problem in state.problems.items():
            self.notify(f"{host}: {problem}", severity="error")

    def selected_group(self) -> DiskGroup | None:
        table = self.query_one(DataTable)
        if self.state is None or not 0 <= table.cursor_row < len(self.row_keys):
            return None
        group: DiskGroup | None = self.state.group(self.row_keys[table.cursor_row])
        return group

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        group = self.selected_group()
        detail = self.query_one("#disk-detail", Static)
        if group is None:
            detail.update("")
            return
        text = group.label()
        if group.shared:
            prep = preparing_host(group, self.hosts)
            text += (
                f" — shared by {len(group.placements)} hosts; it is initialized and formatted on {prep.host} "
                "only (on another host a second initialize fails with StorageWMI 41001)."
            )
        detail.update(text)

    def make_plan(self) -> Plan:
        group = self.selected_group()
        if group is None:
            raise FormError("disk-table", "Pick a disk in the table first.")
        form = {
            "key": group.key,
            "file_system": self.query_one("#disk-fs", Select).value,
            "label": self.query_one("#disk-label", Field).value,
            "letter": self.query_one("#disk-letter", Field).value,
            "same_letter_everywhere": self.query_one("#disk-same", Checkbox).value,
            "reformat": self.query_one("#disk-reformat", Checkbox).value,
        }
        try:
            return plan_disk(desired_from_form(form), self.state, self.hosts)
        except DiskProblem as problem:
            raise FormError(FIELD_IDS.get(problem.field, "disk-label"), problem.message) from None

    def _applied(self, report: Any) -> None:
        if report is not None:
            for detail in report.details.values():
                why = explain(detail)
                if why:
                    self.notify(why, severity="warning", timeout=15)
        super()._applied(report)
