"""Storage & CSV: cluster disks (size, group, owner), disks every node sees but the cluster has not taken,
and plans to add them, put a disk on Cluster Shared Volumes, move a CSV's owner, take it off CSV, and set
every node's default VM and VHD paths onto a CSV."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from hvconsole.stages.csv import (
    CsvRefused,
    plan_add_csv,
    plan_add_disks,
    plan_move_csv,
    plan_remove_csv,
    plan_vm_paths,
    read_vm_paths,
)
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.cluster_base import ClusterRead, read_selected_cluster
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field

ACTIONS = {"a": "csv", "i": "disks", "o": "move", "x": "remove", "v": "paths"}


class CsvScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Storage & CSV"
    BINDINGS = [
        Binding("a", "act('csv')", "Add to CSV"),
        Binding("i", "act('disks')", "Add disks"),
        Binding("o", "act('move')", "Move owner"),
        Binding("x", "act('remove')", "Remove CSV"),
        Binding("v", "act('paths')", "VM paths"),
        *StageScreen.BINDINGS,
    ]
    DEFAULT_CSS = """
    CsvScreen #csv-why { height: auto; color: $error; padding: 0 1; }
    CsvScreen DataTable { height: auto; max-height: 10; margin: 0 0 1 0; }
    CsvScreen Field { width: 1fr; }
    """

    def __init__(self, workspace, hosts=None):  # type: ignore[no-untyped-def]
        super().__init__(workspace, hosts)
        self.action_kind = "csv"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="csv-why")
        yield DataTable(id="csv-disks", cursor_type="row")
        yield Field("Disk (Cluster Disk N)", id="csv-disk")
        yield Field("Owner node (for a move)", id="csv-node")
        yield Field("CSV for VM files", value="C:\\ClusterStorage\\Volume1", id="csv-volume")
        yield Field("VM folder", value="VMs", id="csv-vm-folder")
        yield Field("VHD folder", value="VHDs", id="csv-vhd-folder")
        yield Footer()

    def read_state(self) -> tuple[ClusterRead, dict[str, tuple[str, str]]]:
        found = read_selected_cluster(self.workspace, self.hosts)
        nodes = [n.name for n in found.view.nodes] if found.view else []
        return found, read_vm_paths(self.workspace, nodes) if nodes else {}

    def show_state(self, state: tuple[ClusterRead, dict[str, tuple[str, str]]]) -> None:
        found, _paths = state
        self.query_one("#csv-why", Static).update(found.why or "")
        table = self.query_one("#csv-disks", DataTable)
        table.clear(columns=True)
        table.add_columns("Disk", "Size", "Where", "Owner", "State")
        view = found.view
        if view is None:
            return
        for disk in view.disks:
            volume = view.shared_volume(disk.name)
            where = volume.path if volume else ("witness" if disk.name == view.witness else disk.group)
            owner = volume.owner_node if volume else disk.owner_node
            size = view.disk_sizes.get(disk.name, 0)
            table.add_row(disk.name, f"{size / 1024**3:.1f} GB", where, owner, disk.state)
        for free in view.available:
            table.add_row(
                free.name, f"{free.size / 1024**3:.1f} GB", "not in the cluster (i adds it)", "—", "—"
            )
        spare = [d.name for d in view.spare_disks]
        field = self.query_one("#csv-disk", Field)
        if not field.value and spare:
            field.value = spare[-1]

    def action_act(self, kind: str) -> None:
        self.action_kind = kind
        self.action_plan()

    def make_plan(self) -> Plan:
        found, paths = self.state
        if found.view is None:
            raise FormError("csv-disk", found.why or "The cluster could not be read.")
        view = found.view
        disk = self.query_one("#csv-disk", Field).value.strip()
        try:
            if self.action_kind == "disks":
                return plan_add_disks(view)
            if self.action_kind == "move":
                return plan_move_csv(view, disk, self.query_one("#csv-node", Field).value.strip())
            if self.action_kind == "remove":
                return plan_remove_csv(view, disk)
            if self.action_kind == "paths":
                volume = self.query_one("#csv-volume", Field).value.strip().rstrip("\\")
                vm = self.query_one("#csv-vm-folder", Field).value
                vhd = self.query_one("#csv-vhd-folder", Field).value
                return plan_vm_paths(view, paths, volume, vm, vhd)
            return plan_add_csv(view, disk)
        except CsvRefused as refused:
            raise FormError(refused.field, refused.message) from None
