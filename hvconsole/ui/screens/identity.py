"""Identity & domain: per host the computer name, pending name, domain/workgroup, role and connection; a form
for a new name (the highlighted host), a domain join (domain, user, password) for the hosts marked with space,
a workgroup move, and "promote to a new forest" for one host (f) with its DSRM password.

The plan is built on a worker: it re-reads every host and asks the joining hosts to resolve the domain, so
the preflight can say why a join would fail. Passwords live in ``Secret``s: the preview shows ********.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, DataTable, Footer, Header, Input
from textual.worker import Worker, WorkerState

from hvconsole.credentials import Account
from hvconsole.remoting.command import PSCredentialValue, Secret
from hvconsole.stages.identity import (
    DomainJoin,
    HostChange,
    IdentityRequest,
    IdentityState,
    NewForest,
    build_plan,
    plan_identity,
    read_identity,
)
from hvconsole.stages.plan import Plan
from hvconsole.ui.messages import HostConnectionChanged
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.identity import (
    computer_name_problem,
    default_netbios,
    domain_name_problem,
    netbios_name_problem,
)

MIN_DSRM = 8


def dsrm_problem(password: str) -> str | None:
    """Windows' default complexity for the Directory Services Restore Mode password."""
    kinds = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if len(password) < MIN_DSRM or kinds < 3:
        return "At least 8 characters with three of: lower case, upper case, digits, symbols."
    return None


def credential_key(domain: str) -> str:
    return f"domain:{domain.lower()}"


class IdentityScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Identity & domain"
    BINDINGS = [
        *StageScreen.BINDINGS,
        Binding("space", "toggle_join", "Join", tooltip="Mark the highlighted host to join the domain"),
        Binding("f", "toggle_forest", "New forest", tooltip="Promote the highlighted host to a new forest"),
    ]
    DEFAULT_CSS = """
    IdentityScreen #id-hosts { height: 7; }
    IdentityScreen #id-form { height: 1fr; }
    IdentityScreen #id-form Horizontal { height: auto; }
    IdentityScreen #id-form Horizontal > Field { width: 1fr; }
    IdentityScreen Checkbox { width: auto; }
    """

    def __init__(self, workspace: Any, hosts: list[str] | None = None) -> None:
        super().__init__(workspace, hosts)
        self.new_names: dict[str, str] = {}
        self.joining: set[str] = set()
        self.forest_host: str | None = None
        self.links: dict[str, str] = {}
        self._form_host: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="id-hosts", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="id-form"):
            yield Field("New computer name (highlighted host; empty: keep)", id="id-new-name")
            with Horizontal():
                yield Field("Domain (FQDN)", placeholder="corp.example.com", id="id-domain")
                yield Field("NetBIOS name", placeholder="from the FQDN", id="id-netbios")
            with Horizontal():
                yield Field("Domain user", placeholder="CORP\\Administrator", id="id-user")
                yield Field("Domain password", password=True, id="id-password")
            with Horizontal():
                yield Field("DSRM password (new forest)", password=True, id="id-dsrm")
                yield Field("…or move marked hosts to workgroup", id="id-workgroup")
            with Horizontal():
                yield Checkbox("Point DNS at the DC", value=True, id="id-point-dns")
                yield Checkbox("Restart when needed", value=True, id="id-restart")
                yield Checkbox("Remember credentials", id="id-remember")
        yield Footer()

    # --- state --------------------------------------------------------------------------------------
    def read_state(self) -> IdentityState:
        return read_identity(self.workspace, self.hosts)

    def show_state(self, state: IdentityState) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Host", "Name", "After restart", "Member of", "Role", "Plan", "Link")
        for host in self.hosts:
            now = state.hosts.get(host)
            marks = ("join " if host in self.joining else "") + ("forest" if host == self.forest_host else "")
            link = self.links.get(host, "")
            if now is None:
                table.add_row(
                    host, "?", "", state.problems.get(host, "")[:30], "", marks, link or "down", key=host
                )
                continue
            pending = now.pending_name or ("(join)" if now.join_pending else "")
            table.add_row(
                host, now.name, pending, now.system.membership, now.role_text, marks.strip(), link, key=host
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def on_host_connection_changed(self, message: HostConnectionChanged) -> None:
        """A restarting host shows as away, and as back when its session reconnects."""
        self.links[message.host] = message.state
        if self.state is not None and message.host in self.hosts:
            self.show_state(self.state)

    # --- per-host edits -----------------------------------------------------------------------------
    def highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return self.hosts[table.cursor_row] if table.cursor_row < len(self.hosts) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._form_host = self.highlighted()
        name_field = self.query_one("#id-new-name", Field)
        name_field.value = self.new_names.get(self._form_host or "", "")

    def on_input_changed(self, event: Input.Changed) -> None:
        field = event.input.parent
        if isinstance(field, Field) and field.id == "id-new-name" and self._form_host:
            if event.value.strip():
                self.new_names[self._form_host] = event.value.strip()
            else:
                self.new_names.pop(self._form_host, None)
        if isinstance(field, Field) and field.id == "id-domain":
            user = self.query_one("#id-user", Field)
            if not user.value or user.value.endswith("\\Administrator"):
                netbios = self.query_one("#id-netbios", Field).value or default_netbios(event.value.strip())
                user.value = f"{netbios}\\Administrator" if event.value.strip() else ""

    def action_toggle_join(self) -> None:
        host = self.highlighted()
        if host is not None:
            self.joining ^= {host}
            if self.state is not None:
                self.show_state(self.state)

    def action_toggle_forest(self) -> None:
        host = self.highlighted()
        if host is not None:
            self.forest_host = None if self.forest_host == host else host
            if self.state is not None:
                self.show_state(self.state)

    # --- the request --------------------------------------------------------------------------------
    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Field).value

    def request(self) -> IdentityRequest:
        """The form as a request; bad input raises FormError at its field and nothing is sent."""
        for host, name in self.new_names.items():
            problem = computer_name_problem(name)
            if problem:
                self.query_one(DataTable).move_cursor(row=self.hosts.index(host))
                raise FormError("id-new-name", f"{host}: {problem}")
        domain = self.value("id-domain").strip().rstrip(".")
        workgroup = self.value("id-workgroup").strip()
        needs_domain = bool(self.joining and not workgroup) or self.forest_host is not None
        if needs_domain and (problem := domain_name_problem(domain)):
            raise FormError("id-domain", problem)
        netbios = self.value("id-netbios").strip() or (default_netbios(domain) if domain else "")
        if problem := netbios_name_problem(netbios):
            raise FormError("id-netbios", problem)
        if workgroup and (problem := computer_name_problem(workgroup)):
            raise FormError("id-workgroup", problem.replace("computer name", "workgroup name"))
        forest = None
        if self.forest_host is not None:
            dsrm = self.value("id-dsrm")
            if problem := dsrm_problem(dsrm):
                raise FormError("id-dsrm", problem)
            forest = NewForest(self.forest_host, domain, netbios.upper(), Secret(dsrm))
        join = self._join(domain) if self.joining and not workgroup else None
        changes = [
            HostChange(
                h,
                new_name=self.new_names.get(h),
                join=h in self.joining and not workgroup,
                workgroup=workgroup if h in self.joining and workgroup else None,
            )
            for h in self.hosts
            if h in self.new_names or h in self.joining
        ]
        if not changes and forest is None:
            raise FormError("id-hosts", "Nothing to change: type a new name, or mark hosts (space / f).")
        restart = self.query_one("#id-restart", Checkbox).value
        return IdentityRequest(tuple(changes), join, forest, restart)

    def _join(self, domain: str) -> DomainJoin:
        user = self.value("id-user").strip()
        password = self.value("id-password")
        stored = self.workspace.credentials.get(credential_key(domain))
        if not password and stored is not None:
            user, password = user or stored.username, stored.password
        if not user or any(ord(c) < 32 for c in user):
            raise FormError("id-user", "Enter the domain account, e.g. CORP\\Administrator.")
        if not password:
            raise FormError(
                "id-password", "Enter the password of that account (it is not stored unless asked)."
            )
        if self.query_one("#id-remember", Checkbox).value:
            self.workspace.credentials.put(credential_key(domain), Account(user, password), remember=True)
        point_dns = self.query_one("#id-point-dns", Checkbox).value
        return DomainJoin(domain, PSCredentialValue(user, Secret(password)), point_dns)

    def make_plan(self) -> Plan:
        """The plan without the name-resolution check (``action_plan`` builds the full one on a worker)."""
        return plan_identity(self.request(), self.state)

    def action_plan(self) -> None:
        for field in self.query(Field):
            field.clear_error()
        if self.state is None:
            self.notify("Still reading the hosts…", severity="warning")
            return
        try:
            request = self.request()
        except FormError as problem:
            self.show_problem(problem)
            return
        self.notify("Checking the hosts before planning…", timeout=3)
        self.run_worker(
            partial(build_plan, self.workspace, request),
            thread=True,
            exclusive=True,
            group="identity-plan",
            exit_on_error=False,
        )

    def show_problem(self, problem: FormError) -> None:
        try:
            field = self.query_one(f"#{problem.field_id}", Field)
        except Exception:
            self.notify(problem.message, severity="error")
        else:
            field.error(problem.message)
            field.input.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "identity-plan":
            super().on_worker_state_changed(event)
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Plan):
            from hvconsole.ui.screens.plan import PlanScreen

            self.app.push_screen(PlanScreen(self.workspace, event.worker.result), self._applied)
        elif event.state is WorkerState.ERROR:
            self.notify(f"Could not plan: {event.worker.error}", severity="error", timeout=8)

    def _applied(self, report: Any) -> None:
        if report is not None:
            self.new_names.clear()
            self.joining.clear()
            self.forest_host = None
            for field_id in ("id-password", "id-dsrm", "id-new-name"):
                self.query_one(f"#{field_id}", Field).value = ""
        super()._applied(report)
