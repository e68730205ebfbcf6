"""Add or edit a host of the inventory from the dashboard; every problem shows under its field."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Label, Select, Static

from hvconsole.credentials import Account
from hvconsole.inventory import HostEntry
from hvconsole.ui.widgets.fields import Field

TRANSPORTS = [("HTTPS (5986)", "https"), ("HTTP with message encryption (5985)", "http")]
AUTHENTICATIONS = [
    ("Negotiate (Kerberos, else NTLM)", "negotiate"),
    ("Kerberos", "kerberos"),
    ("NTLM", "ntlm"),
    ("CredSSP", "credssp"),
    ("Basic (HTTPS only)", "basic"),
    ("Client certificate", "certificate"),
]
# pydantic field name → the Field widget that shows its problem
FIELD_IDS = {
    "name": "host-name",
    "address": "host-address",
    "port": "host-port",
    "username": "host-username",
    "ca_file": "host-ca",
}


@dataclass(frozen=True)
class HostFormResult:
    entry: HostEntry
    account: Account | None
    remember: bool


class HostFormScreen(ModalScreen[HostFormResult | None]):
    BINDINGS = [
        Binding("ctrl+s,f5", "save", "Save", tooltip="Check the fields and save the host"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, existing: HostEntry | None = None) -> None:
        super().__init__()
        self.existing = existing

    def compose(self) -> ComposeResult:
        e = self.existing
        with VerticalScroll(id="host-form"):
            yield Static("Edit host" if e else "Add a host", id="host-form-title")
            yield Field(
                "Name (as hvconsole shows it)", value=e.name if e else "", placeholder="HV1", id="host-name"
            )
            yield Field(
                "Address (DNS name or IP of the WinRM listener)",
                value=e.address if e else "",
                id="host-address",
            )
            yield Field(
                "Port (empty: 5986 for HTTPS, 5985 for HTTP)",
                value=str(e.port or "") if e else "",
                id="host-port",
            )
            yield Label("Transport")
            yield Select(
                TRANSPORTS, value=e.transport if e else "https", allow_blank=False, id="host-transport"
            )
            yield Label("Authentication")
            yield Select(
                AUTHENTICATIONS,
                value=e.authentication if e else "negotiate",
                allow_blank=False,
                id="host-auth",
            )
            yield Field(
                "User name (e.g. CONTOSO\\admin)", value=e.username or "" if e else "", id="host-username"
            )
            yield Field("Password (empty: keep the stored one)", password=True, id="host-password")
            yield Checkbox("Remember the password in the OS keyring", value=True, id="host-remember")
            yield Checkbox(
                "Do NOT check the host's certificate (shown as a warning)",
                value=bool(e and e.certificate_validation == "off"),
                id="host-no-verify",
            )
            yield Field(
                "CA bundle that signed the host's certificate (optional)",
                value=e.ca_file or "" if e else "",
                id="host-ca",
            )
            with Horizontal(id="host-form-keys"):
                yield Static("ctrl+s or F5 saves · esc cancels", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#host-name", Field).input.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        for field in self.query(Field):
            field.clear_error()
        port_text = self.query_one("#host-port", Field).value.strip()
        if port_text and not port_text.isdigit():
            self._problem("port", "a port is a number from 1 to 65535")
            return
        values = {
            "name": self.query_one("#host-name", Field).value.strip(),
            "address": self.query_one("#host-address", Field).value.strip(),
            "port": int(port_text) if port_text else None,
            "transport": self.query_one("#host-transport", Select).value,
            "authentication": self.query_one("#host-auth", Select).value,
            "username": self.query_one("#host-username", Field).value.strip() or None,
            "certificate_validation": "off" if self.query_one("#host-no-verify", Checkbox).value else "on",
            "ca_file": self.query_one("#host-ca", Field).value.strip() or None,
        }
        if self.existing is not None:
            values["credential"] = self.existing.credential
        try:
            entry = HostEntry.model_validate(values)
        except ValidationError as error:
            for problem in error.errors():
                location = [str(part) for part in problem.get("loc", ())]
                self._problem(
                    location[0] if location else "address", problem["msg"].removeprefix("Value error, ")
                )
            return
        password = self.query_one("#host-password", Field).value
        account = None
        if password:
            if not entry.username:
                self._problem("username", "a password needs the user name it belongs to")
                return
            account = Account(entry.username, password)
        self.dismiss(HostFormResult(entry, account, self.query_one("#host-remember", Checkbox).value))

    def _problem(self, field: str, message: str) -> None:
        target = FIELD_IDS.get(field, "host-address")
        self.query_one(f"#{target}", Field).error(message)
