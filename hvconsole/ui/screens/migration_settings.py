"""Each node's live-migration settings (reference §9.5): enabled, simultaneous migrations, authentication
(CredSSP or Kerberos — what each requires is spelled out under the form), performance option (TCP/IP,
Compression, SMB) and the migration networks (subnets; empty = any network). Opened from the VMs screen (g).
p plans the change for the node typed in "Node"; the form starts from that node's current values."""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static

from hvconsole.stages.migration import (
    AUTHENTICATION_HELP,
    PERFORMANCE_HELP,
    MigrationSettings,
    plan_settings,
    read_settings,
)
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.hyperv import MigrationAuthentication, MigrationPerformance, VMHostMigration

YES, NO = ("yes", "y", "true", "on", "1"), ("no", "n", "false", "off", "0")


def settings_text(node: str, now: VMHostMigration) -> str:
    networks = ", ".join(n.subnet for n in now.networks) or "any network"
    return (
        f"{node}: live migration {'enabled' if now.enabled else 'disabled'} · {now.maximum_migrations} at once · "
        f"{now.authentication.name} · {now.performance.name} · {networks}"
    )


def parse_form(values: dict[str, str]) -> MigrationSettings:
    """Field id → text; raises FormError(field id, message) for anything Windows would refuse."""
    enabled = values["mig-enabled"].strip().lower()
    if enabled not in YES + NO:
        raise FormError("mig-enabled", "Enabled: yes or no.")
    maximum = values["mig-max"].strip()
    if (
        not maximum.isdigit() or not 1 <= int(maximum) <= 64
    ):  # uint32; more than 64 is never sensible # inferred
        raise FormError("mig-max", "Simultaneous migrations: a whole number from 1 to 64.")
    auth = {a.name.lower(): a for a in MigrationAuthentication}.get(values["mig-auth"].strip().lower())
    if auth is None:
        raise FormError("mig-auth", "Authentication: CredSSP or Kerberos.")
    performance = {p.name.lower(): p for p in MigrationPerformance}.get(values["mig-perf"].strip().lower())
    if performance is None:
        raise FormError("mig-perf", "Performance option: TCPIP, Compression or SMB.")
    subnets = []
    for text in (t.strip() for t in values["mig-networks"].split(",")):
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            raise FormError("mig-networks", f"{text!r} is not a subnet like 10.20.0.0/24.") from None
        if network.is_loopback or network.is_link_local:  # MigrationNetworkUnacceptable* (§9.5)
            raise FormError(
                "mig-networks", f"{text}: loopback and link-local subnets cannot carry migrations."
            )
        subnets.append(str(network))
    return MigrationSettings(enabled in YES, int(maximum), auth, performance, tuple(subnets))


class MigrationSettingsScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Live-migration settings"
    DEFAULT_CSS = """
    MigrationSettingsScreen #mig-current { height: auto; padding: 0 1; }
    MigrationSettingsScreen #mig-form { height: auto; }
    MigrationSettingsScreen #mig-form Field { width: 1fr; margin: 0; }
    MigrationSettingsScreen #mig-help { height: auto; padding: 0 1; color: $text-muted; }
    """
    FIELDS = ("mig-enabled", "mig-max", "mig-auth", "mig-perf", "mig-networks")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("Reading the nodes…", id="mig-current")
            with Horizontal(id="mig-form"):
                yield Field("Node", id="mig-node")
                yield Field("Enabled", value="yes", id="mig-enabled")
                yield Field("At once", value="2", id="mig-max")
                yield Field("Authentication", value="Kerberos", id="mig-auth")
                yield Field("Performance", value="Compression", id="mig-perf")
            yield Field("Migration networks (subnets, comma-separated; empty = any)", id="mig-networks")
            help_lines = [*AUTHENTICATION_HELP.values(), *PERFORMANCE_HELP.values()]
            yield Static("\n".join(help_lines), id="mig-help")
        yield Footer()

    def read_state(self) -> Any:
        return read_settings(self.workspace, self.hosts)

    def show_state(self, state: Any) -> None:
        found, problems = state
        lines = [settings_text(node, now) for node, now in found.items()]
        lines += [f"{node}: {problem}" for node, problem in problems.items()]
        self.query_one("#mig-current", Static).update("\n".join(lines) or "No Hyper-V node answered.")
        node_field = self.query_one("#mig-node", Field)
        if not node_field.value and found:
            node_field.value = next(iter(found))
            self.fill(found[node_field.value])

    def fill(self, now: VMHostMigration) -> None:
        values = {
            "mig-enabled": "yes" if now.enabled else "no",
            "mig-max": str(now.maximum_migrations),
            "mig-auth": now.authentication.name,
            "mig-perf": now.performance.name,
            "mig-networks": ", ".join(n.subnet for n in now.networks),
        }
        for field_id, text in values.items():
            self.query_one(f"#{field_id}", Field).value = text

    def make_plan(self) -> Plan:
        found, _problems = self.state
        node_text = self.query_one("#mig-node", Field).value.strip()
        node = next((n for n in found if n.lower() == node_text.lower()), None)
        if node is None:
            raise FormError("mig-node", f"Type one of the nodes: {', '.join(found) or 'none answered'}.")
        want = parse_form({f: self.query_one(f"#{f}", Field).value for f in self.FIELDS})
        plan = plan_settings(node, want, found[node])
        if plan.empty:
            raise FormError("mig-max", f"{node} has these settings already.")
        return plan
