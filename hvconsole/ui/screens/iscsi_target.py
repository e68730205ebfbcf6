"""iSCSI target screen (on the host with the iSCSI Target Server role): virtual disks, targets, and the
recipe's LUNs — a small quorum disk and a large VM disk on the data volume — in one target that allows the
Hyper-V hosts by IQN, with TCP 3260 open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, DataTable, Footer, Header, Static

from hvconsole.stages.iscsi_target import (
    GB,
    SHORT_NAME_HELP,
    DesiredTarget,
    FieldProblem,
    TargetServer,
    check_disk,
    check_folder,
    check_initiators,
    check_target_name,
    initiator_entry,
    plan_target,
    read_initiator_iqns,
    read_target_server,
)
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field


@dataclass
class TargetScreenState:
    server: TargetServer
    iqns: dict[str, str] = field(default_factory=dict)  # other hosts → initiator IQN


def find_target_server(workspace: Any, hosts: list[str]) -> TargetServer:
    """The first host with the iSCSI Target Server role (else the first host, shown as lacking it)."""
    first: TargetServer | None = None
    for host in hosts:
        server = read_target_server(workspace, host)
        if server.installed:
            return server
        first = first or server
    assert first is not None
    return first


class IscsiTargetScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "iSCSI target"
    CSS_PATH = "iscsi.tcss"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="iscsi-body"):
            yield Static("Reading the hosts…", id="target-status", classes="iscsi-status")
            yield DataTable(id="vdisks", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="targets", cursor_type="row", zebra_stripes=True)
            yield Field("Folder for the virtual disks (on the data volume)", id="folder")
            with Horizontal(classes="iscsi-row"):
                yield Field("Quorum disk name", value="Quorum", id="quorum-name")
                yield Field("Quorum size (GB)", value="15", id="quorum-size")
            with Horizontal(classes="iscsi-row"):
                yield Field("VM disk name", value="VMs", id="data-name")
                yield Field("VM disk size (GB)", value="500", id="data-size")
            yield Checkbox("Fixed size (allocate the space now; default: dynamic)", id="fixed")
            yield Field("Target name", value="Cluster", id="target-name")
            yield Field("Allowed initiators (IQNs, comma separated)", id="initiators")
            yield Static(SHORT_NAME_HELP, classes="iscsi-help")
            yield Checkbox("Open TCP 3260 in the target server's firewall", value=True, id="firewall")
        yield Footer()

    def on_mount(self) -> None:
        vdisks = self.query_one("#vdisks", DataTable)
        vdisks.add_columns("Virtual disk", "Size", "Type", "Status", "Serial number")
        targets = self.query_one("#targets", DataTable)
        targets.add_columns("Target", "IQN", "Allowed initiators", "LUNs", "Sessions")
        super().on_mount()

    def read_state(self) -> TargetScreenState:
        server = find_target_server(self.workspace, self.hosts)
        others = [h for h in self.workspace.host_names() if h != server.host]
        return TargetScreenState(server, read_initiator_iqns(self.workspace, others))

    def show_state(self, state: TargetScreenState) -> None:
        server = state.server
        status = self.query_one("#target-status", Static)
        if server.error:
            status.update(f"[b]{server.host}[/b]: could not read: {server.error}")
        elif not server.installed:
            status.update(
                f"No host has the iSCSI Target Server role. Install FS-iSCSITarget-Server on "
                f"{server.host} first (Roles & features)."
            )
        else:
            firewall = "open" if server.firewall_open else "closed (the plan opens it)"
            status.update(f"Target server [b]{server.host}[/b] · TCP 3260 {firewall}")
        vdisks = self.query_one("#vdisks", DataTable)
        vdisks.clear()
        for d in server.virtual_disks:
            vdisks.add_row(d.path, f"{d.size / GB:g} GB", d.disk_type, d.status, d.serial_number)
        targets = self.query_one("#targets", DataTable)
        targets.clear()
        for t in server.targets:
            ids = ", ".join(t.initiator_ids) + ("  ⚠ short DNS name" if t.short_dns_names else "")
            luns = ", ".join(f"{m.lun}: {m.path}" for m in t.lun_mappings)
            targets.add_row(t.target_name, t.target_iqn, ids, luns, str(t.sessions))
        folder = self.query_one("#folder", Field)
        if not folder.value:
            volume = server.data_volume()
            folder.value = f"{volume.letter if volume else 'C'}:\\iSCSIVirtualDisks"
        initiators = self.query_one("#initiators", Field)
        if not initiators.value:
            initiators.value = ", ".join(initiator_entry(i) for i in state.iqns.values())

    def desired(self) -> DesiredTarget:
        def value(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Field).value

        fixed = self.query_one("#fixed", Checkbox).value
        try:
            return DesiredTarget(
                host=self.state.server.host,
                folder=check_folder(value("folder")),
                disks=(
                    check_disk("quorum", value("quorum-name"), value("quorum-size"), fixed),
                    check_disk("data", value("data-name"), value("data-size"), fixed),
                ),
                target_name=check_target_name(value("target-name")),
                initiators=check_initiators(value("initiators")),
                open_firewall=self.query_one("#firewall", Checkbox).value,
            )
        except FieldProblem as problem:
            raise FormError(problem.field, problem.message) from None

    def make_plan(self) -> Plan:
        desired = self.desired()
        if desired.disks[0].name.lower() == desired.disks[1].name.lower():
            raise FormError("data-name", "the two virtual disks need different names")
        return plan_target(desired, self.state.server, self.state.server.host)
