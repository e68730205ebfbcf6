"""Virtual machines, cluster-wide: one table of every node's VMs (name, state, owner, memory, CPUs, uptime,
status, heartbeat, CSV). `/` filters, `o` sorts, space marks; s/d/t/a start, shut down, turn off, save;
x removes (typed confirmation); l/q live/quick-migrate the marked VMs to the node typed in "Target node";
r drains that node; c cancels the current VM's migration in flight; m opens the migration monitor; g the
nodes' migration settings; n plans the "new VM" form (created highly available on the CSV in one flow).
A move is checked first on a worker (the VMs' switches on the destination, the hosts' simultaneous limit).

At 1,000 VMs a refresh updates only the cells that changed (never a rebuild per poll, performance.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from hvconsole.stages.migration import (
    plan_cancel,
    plan_drain,
    plan_migrate,
    read_settings,
    simultaneous_limit,
)
from hvconsole.stages.migration_checks import Preflight, read_preflight
from hvconsole.stages.plan import Plan
from hvconsole.stages.vms import (
    NewVm,
    VmInputError,
    VmInventory,
    plan_new_vm,
    plan_power,
    plan_remove,
    read_cluster_name,
    read_vms,
    validate_new_vm,
)
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.hyperv import MB, VirtualMachine, csv_path_of

COLUMNS = ("✓", "Name", "State", "Owner", "Memory", "CPUs", "Uptime", "Status", "Heartbeat", "CSV")
SORTS = ("Name", "State", "Owner", "Memory")


def uptime_text(vm: VirtualMachine) -> str:
    seconds = int(vm.uptime.total_seconds())
    days, rest = divmod(seconds, 86400)
    return (f"{days}d " if days else "") + f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def cells(vm: VirtualMachine, marked: bool) -> tuple[str, ...]:
    return (
        "●" if marked else "", vm.name, vm.state.name, vm.computer_name, f"{vm.memory_assigned // MB} MB",
        str(vm.processor_count), uptime_text(vm), vm.status, vm.heartbeat, csv_path_of(vm.path),
    )  # fmt: skip


class VmsScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Virtual machines"
    BINDINGS = [
        *StageScreen.BINDINGS,
        Binding("slash", "filter", "Filter"),
        Binding("space", "mark", "Mark"),
        Binding("o", "sort", "Sort"),
        Binding("s", "power('start')", "Start"),
        Binding("d", "power('shutdown')", "Shut down"),
        Binding("t", "power('turnoff')", "Turn off"),
        Binding("a", "power('save')", "Save"),
        Binding("x", "remove", "Remove"),
        Binding("l", "migrate(False)", "Live migrate"),
        Binding("q", "migrate(True)", "Quick migrate"),
        Binding("r", "drain", "Drain node"),
        Binding("c", "cancel_move", "Cancel move"),
        Binding("m", "monitor", "Monitor"),
        Binding("g", "settings", "Migration settings"),
        Binding("n", "new_vm", "New VM"),
    ]
    DEFAULT_CSS = """
    VmsScreen #vm-table { height: 1fr; }
    VmsScreen #vm-filter { display: none; }
    VmsScreen #vm-filter.-on { display: block; }
    VmsScreen #vm-form { height: auto; max-height: 9; }
    VmsScreen #vm-form Field { width: 1fr; margin: 0; }
    VmsScreen #vm-status { height: 1; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, workspace: Any, hosts: list[str] | None = None) -> None:
        super().__init__(workspace, hosts)
        self.marked: set[str] = set()
        self.filter_text = ""
        self.sort_index = 0
        self.shown: dict[str, VirtualMachine] = {}  # row key → VM as shown
        self.pending: Plan | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter by name, owner or state (esc clears)", id="vm-filter")
        yield DataTable(id="vm-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="vm-status")
        with Horizontal(id="vm-form"):
            yield Field("Target node", id="vm-target")
            yield Field("New VM name", id="vm-name")
            yield Field("Memory MB", value="2048", id="vm-memory")
            yield Field("CPUs", value="2", id="vm-cpus")
            yield Field("Disk GB", value="40", id="vm-disk")
            yield Field("Switch", id="vm-switch")
            yield Field("ISO (optional)", id="vm-iso")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()  # the keys act on the table; Tab reaches the form
        super().on_mount()

    # --- reading ---------------------------------------------------------------------------------
    def read_state(self) -> VmInventory:
        cluster = (
            self.state.cluster
            if isinstance(self.state, VmInventory)
            else read_cluster_name(self.workspace, self.hosts)
        )
        return read_vms(self.workspace, self.hosts, cluster)

    def visible_vms(self, inventory: VmInventory) -> list[VirtualMachine]:
        text = self.filter_text.lower()
        found = [
            vm
            for vm in inventory.vms
            if not text or text in f"{vm.name} {vm.computer_name} {vm.state.name}".lower()
        ]
        key = SORTS[self.sort_index]
        order = {"Name": lambda v: v.name.lower(), "State": lambda v: v.state.name, "Owner": lambda v: v.computer_name.lower(),
                 "Memory": lambda v: -v.memory_assigned}[key]  # fmt: skip
        return sorted(found, key=order)  # type: ignore[arg-type]

    def show_state(self, state: VmInventory) -> None:
        """Update changed cells in place; add/remove rows only for VMs that came or went."""
        table = self.query_one(DataTable)
        wanted = {vm.key: vm for vm in self.visible_vms(state)}
        order = list(wanted)
        if list(self.shown) != order:  # VMs came or went, or another filter/sort: rebuild once
            table.clear()
            self.shown = {}
            for key, vm in wanted.items():
                table.add_row(*cells(vm, key in self.marked), key=key)
                self.shown[key] = vm
        else:
            for key, vm in wanted.items():
                if self.shown[key] != vm:
                    mark = key in self.marked
                    pairs = zip(cells(self.shown[key], mark), cells(vm, mark), strict=True)
                    for column, (old, new) in zip(COLUMNS, pairs, strict=True):
                        if old != new:
                            table.update_cell(key, column, new)
                    self.shown[key] = vm
        problems = "; ".join(f"{h}: {p}" for h, p in state.problems.items())
        self.query_one("#vm-status", Static).update(
            f"{len(wanted)} of {len(state.vms)} VMs · {len(self.marked)} marked · sorted by {SORTS[self.sort_index]}"
            + (f" · cluster {state.cluster}" if state.cluster else "")
            + (f" · {problems}" if problems else "")
        )

    # --- table actions ---------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#vm-filter", Input)
        box.add_class("-on")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "vm-filter" and self.state is not None:
            self.filter_text = event.value
            self.show_state(self.state)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "vm-filter":
            self.query_one(DataTable).focus()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        if self.state is not None:
            self.show_state(self.state)

    def current(self) -> VirtualMachine | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.shown.get(str(key))

    def action_mark(self) -> None:
        vm = self.current()
        if vm is None:
            return
        self.marked ^= {vm.key}
        self.query_one(DataTable).update_cell(vm.key, "✓", "●" if vm.key in self.marked else "")
        self.query_one(DataTable).action_cursor_down()

    def selection(self) -> list[VirtualMachine]:
        chosen = [vm for key, vm in self.shown.items() if key in self.marked]
        current = self.current()
        return chosen or ([current] if current else [])

    # --- plans -----------------------------------------------------------------------------------
    def _plan(self, plan: Plan) -> None:
        self.pending = plan
        self.action_plan()

    def make_plan(self) -> Plan:
        plan, self.pending = self.pending, None
        if plan is None:
            return self.new_vm_plan()
        if plan.empty and not plan.findings:
            raise FormError("vm-table", "Nothing to do: the VMs are in that state already.")
        return plan

    def action_power(self, action: str) -> None:
        self._plan(plan_power(action, self.selection()))

    def action_remove(self) -> None:
        self._plan(plan_remove(self.selection(), self.state.cluster if self.state else None))

    def nodes(self) -> list[str]:
        """The Hyper-V nodes (the hosts that answered Get-VM; all hosts before the first read)."""
        return (self.state.nodes if isinstance(self.state, VmInventory) else []) or self.hosts

    def target(self) -> str:
        node = self.query_one("#vm-target", Field).value.strip()
        match = next((h for h in self.nodes() if h.lower() == node.lower()), None)
        if match is None:
            raise FormError("vm-target", f"Type the node to move to (one of {', '.join(self.nodes())}).")
        return match

    def action_migrate(self, quick: bool) -> None:
        try:
            node = self.target()
        except FormError as problem:
            self.query_one("#vm-target", Field).error(problem.message)
            return
        vms = self.selection()
        self.query_one("#vm-status", Static).update(f"Checking {len(vms)} VM(s) against {node}…")
        self.run_worker(
            lambda: self._check_move(vms, node, quick), thread=True, group="vm-preflight", exit_on_error=False
        )

    def _check_move(self, vms: list[VirtualMachine], node: str, quick: bool) -> Plan:
        """On a worker: the destination's switches and the hosts' simultaneous-migration limit."""
        moving = [vm for vm in vms if vm.computer_name.lower() != node.lower()]
        preflight: Preflight | None = read_preflight(self.workspace, moving, node) if moving else None
        involved = sorted({vm.computer_name for vm in moving} | {node})
        settings, _problems = read_settings(self.workspace, involved)
        cluster = self.state.cluster if self.state else None
        return plan_migrate(
            vms, node, cluster, quick=quick, nodes=self.nodes(), limit=simultaneous_limit(settings),
            preflight=preflight,
        )  # fmt: skip

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "vm-preflight":
            super().on_worker_state_changed(event)
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Plan):
            self._plan(event.worker.result)
        elif event.state is WorkerState.ERROR:
            self.notify(f"Could not check the move: {event.worker.error}", severity="error")

    def action_cancel_move(self) -> None:
        vm = self.current()
        if vm is None:
            return
        if not vm.status.lower().startswith("migrating"):
            self.notify(f"{vm.name} is not being migrated (press ctrl+r to refresh).", severity="warning")
            return
        self._plan(plan_cancel(vm.name, vm.computer_name, self.state.cluster if self.state else None))

    def action_monitor(self) -> None:
        from hvconsole.ui.screens.migration_monitor import MigrationMonitorScreen

        self.app.push_screen(MigrationMonitorScreen(self.workspace, self.nodes()))

    def action_settings(self) -> None:
        from hvconsole.ui.screens.migration_settings import MigrationSettingsScreen

        self.app.push_screen(MigrationSettingsScreen(self.workspace, self.nodes()))

    def action_drain(self) -> None:
        try:
            node = self.target()
        except FormError as problem:
            self.query_one("#vm-target", Field).error(problem.message)
            return
        others = [h for h in self.nodes() if h != node]
        self._plan(
            plan_drain(
                node,
                self.state.vms if self.state else [],
                sorted(others),
                self.state.cluster if self.state else None,
            )
        )

    def action_new_vm(self) -> None:
        self.pending = None
        self.action_plan()

    def new_vm_plan(self) -> Plan:
        def number(field: str, label: str) -> int:
            text = self.query_one(f"#{field}", Field).value.strip()
            if not text.isdigit():
                raise FormError(field, f"{label}: a whole number.")
            return int(text)

        node = self.target()
        state: VmInventory = self.state
        volumes = sorted({csv_path_of(vm.path) for vm in state.vms if csv_path_of(vm.path)}) or ["Volume1"]
        request = NewVm(
            name=self.query_one("#vm-name", Field).value, node=node, csv_path=f"C:\\ClusterStorage\\{volumes[0]}",
            memory_mb=number("vm-memory", "Memory MB"), processors=number("vm-cpus", "CPUs"),
            disk_gb=number("vm-disk", "Disk GB"), switch=self.query_one("#vm-switch", Field).value.strip(),
            iso=self.query_one("#vm-iso", Field).value.strip(), highly_available=bool(state.cluster),
        )  # fmt: skip
        try:
            validate_new_vm(request, state)
        except VmInputError as problem:
            field = {"name": "vm-name", "memory": "vm-memory", "processors": "vm-cpus", "disk": "vm-disk",
                     "switch": "vm-switch", "iso": "vm-iso"}.get(problem.field, "vm-name")  # fmt: skip
            raise FormError(field, problem.message) from None
        return plan_new_vm(request, state)
