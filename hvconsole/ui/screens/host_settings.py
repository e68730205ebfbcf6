"""Host settings (SConfig): the current value of every SConfig item on each host of the screen, and a form,
one section per item, whose choices apply to all those hosts. ``p`` plans (PowerShell preview, typed
confirmation for shut down and remote management off), ``ctrl+r`` re-reads. Keyboard only; fits 80×24."""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, DataTable, Footer, Header, Label, Select

from hvconsole.stages.host_settings import Desired, plan, read_hosts
from hvconsole.stages.plan import Plan
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.host_settings import PRODUCT_KEY, HostSettings, RemoteDesktop, Telemetry, UpdateSetting

KEEP = "keep"
# Windows account names cannot contain these (plus control characters); one DOMAIN\ prefix is allowed.
_BAD_NAME = re.compile(r'["/\\\[\]:;|=,+*?<>\x00-\x1f\x7f]')
ROWS = [
    ("Remote management", lambda s: "Enabled" if s.winrm_running else "Disabled"),
    (
        "Ping (ICMPv4 echo)",
        lambda s: "?" if s.ping_enabled is None else ("Allowed" if s.ping_enabled else "Blocked"),
    ),
    ("Remote Desktop", lambda s: s.remote_desktop.value),
    ("Windows Update", lambda s: s.update_setting.value),
    ("Pending updates", lambda s: str(len(s.updates))),
    ("Time zone", lambda s: s.time_zone),
    ("Clock", lambda s: s.clock.strftime("%Y-%m-%d %H:%M") if s.clock else "?"),
    ("Telemetry", lambda s: s.telemetry.label),
    ("Activation", lambda s: f"{s.activation} (…{s.partial_product_key})"),
    ("Administrators", lambda s: ", ".join(a.rpartition("\\")[2] for a in s.administrators)),
    ("Logged on", lambda s: s.logged_on_user or "nobody"),
    ("Running VMs", lambda s: ", ".join(s.running_vms) if s.hyperv else "no Hyper-V"),
]


def account_name(text: str) -> str | None:
    """The problem with an account name typed for Administrators, or None when it can be sent as typed."""
    if not text.strip():
        return "type an account name, e.g. Operator or CONTOSO\\Operator"
    domain, _, user = text.rpartition("\\")
    if _BAD_NAME.search(user) or _BAD_NAME.search(domain) or not user.strip():
        return 'an account name cannot contain " / \\ [ ] : ; | = , + * ? < > or control characters (one DOMAIN\\ prefix is allowed)'
    if len(user) > 104:
        return "an account name has at most 104 characters"
    return None


def time_zone_problem(tz: str, states: dict[str, HostSettings]) -> str | None:
    """Why ``tz`` cannot be set on every host (each host lists the Ids it knows), or None."""
    for host, s in states.items():
        if tz.lower() not in (z.lower() for z in s.time_zones):
            return f"{host} has no time zone with Id {tz!r} (see Get-TimeZone -ListAvailable)"
    return None


def parse_clock(text: str) -> str:
    """'2025-04-23 10:00' (UTC when no offset is given) → '2025-04-23T10:00:00Z'; ValueError when it is not a date."""
    value = datetime.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _choice(id: str, label: str, options: list[tuple[str, str]]) -> ComposeResult:
    yield Label(label, classes="hs-label")
    yield Select([("leave as it is", KEEP), *options], value=KEEP, allow_blank=False, id=id)


class HostSettingsScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Host settings (SConfig)"
    DEFAULT_CSS = """
    HostSettingsScreen #hs-current { height: 9; }
    HostSettingsScreen #hs-form { height: 1fr; padding: 0 1; }
    HostSettingsScreen .hs-label { color: $text-muted; margin-top: 1; }
    HostSettingsScreen .hs-note { color: $warning; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="hs-current", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="hs-form"):
            yield Label("4) Remote management", classes="hs-label")
            yield Checkbox(
                "Turn WinRM off (ends hvconsole's session to the host; type its name)", id="hs-winrm-off"
            )
            yield from _choice("hs-ping", "4) Ping", [("allow", "on"), ("block", "off")])
            yield from _choice("hs-rdp", "7) Remote Desktop", [(r.value, r.name) for r in RemoteDesktop])
            yield from _choice(
                "hs-updates", "5) Windows Update setting", [(u.value, u.name) for u in UpdateSetting]
            )
            yield Checkbox("6) Install all pending updates", id="hs-install-updates")
            yield Field(
                "9) Time zone Id (as Get-TimeZone -ListAvailable lists it)", placeholder="UTC", id="hs-tz"
            )
            yield Field(
                "9) Set the clock (UTC unless an offset is given)",
                placeholder="2025-04-23 10:00",
                id="hs-clock",
            )
            yield from _choice("hs-telemetry", "10) Telemetry", [(t.label, t.name) for t in Telemetry])
            yield Field("11) Install product key", placeholder="XXXXX-XXXXX-XXXXX-XXXXX-XXXXX", id="hs-key")
            yield Checkbox("11) Activate Windows", id="hs-activate")
            yield Field("3) Add local administrator", placeholder="CONTOSO\\Operator", id="hs-admin")
            yield Label("Power (asks before it runs)", classes="hs-label")
            yield Checkbox("12) Log off the logged-on user", id="hs-logoff")
            yield Checkbox("13) Restart (running VMs are saved first)", id="hs-restart")
            yield Checkbox("14) Shut down (type the host name)", id="hs-shutdown")
        yield Footer()

    def read_state(self) -> dict[str, HostSettings | str]:
        return read_hosts(self.workspace, self.hosts)

    def show_state(self, state: dict[str, HostSettings | str]) -> None:
        table = self.query_one("#hs-current", DataTable)
        table.clear(columns=True)
        table.add_columns("Item", *self.hosts)
        for label, show in ROWS:
            cells = []
            for host in self.hosts:
                found = state.get(host)
                cells.append(show(found) if isinstance(found, HostSettings) else f"unreachable: {found}"[:40])
            table.add_row(label, *cells)

    def _select(self, id: str) -> str:
        value = self.query_one(f"#{id}", Select).value
        return str(value) if value is not None else KEEP

    def _checked(self, id: str) -> bool:
        return bool(self.query_one(f"#{id}", Checkbox).value)

    def desired(self, states: dict[str, HostSettings]) -> Desired:
        """The form as a Desired (the same for every host); FormError names the field that is wrong."""
        tz = self.query_one("#hs-tz", Field).value.strip()
        if tz and (problem := time_zone_problem(tz, states)):
            raise FormError("hs-tz", problem)
        clock_text = self.query_one("#hs-clock", Field).value.strip()
        try:
            clock = parse_clock(clock_text) if clock_text else None
        except ValueError:
            raise FormError(
                "hs-clock", "a date and time like 2025-04-23 10:00 or 2025-04-23T10:00:00+02:00"
            ) from None
        key = self.query_one("#hs-key", Field).value.strip().upper()
        if key and not PRODUCT_KEY.match(key):
            raise FormError(
                "hs-key",
                "a product key is five groups of five letters or digits: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX",
            )
        admin = self.query_one("#hs-admin", Field).value
        if admin and (problem := account_name(admin)):
            raise FormError("hs-admin", problem)
        ping, rdp, upd, tel = (self._select(i) for i in ("hs-ping", "hs-rdp", "hs-updates", "hs-telemetry"))
        return Desired(
            remote_management_off=self._checked("hs-winrm-off"),
            ping=None if ping == KEEP else ping == "on",
            remote_desktop=None if rdp == KEEP else RemoteDesktop[rdp],
            update_setting=None if upd == KEEP else UpdateSetting[upd],
            install_updates=self._checked("hs-install-updates"),
            time_zone=tz or None,
            set_clock=clock,
            telemetry=None if tel == KEEP else Telemetry[tel],
            product_key=key or None,
            activate=self._checked("hs-activate"),
            add_administrators=(admin,) if admin else (),
            log_off=self._checked("hs-logoff"),
            restart=self._checked("hs-restart"),
            shut_down=self._checked("hs-shutdown"),
        )

    def make_plan(self) -> Plan:
        states = {h: s for h, s in (self.state or {}).items() if isinstance(s, HostSettings)}
        want = self.desired(states)
        result = plan(states, {host: want for host in states})
        if result.empty:
            raise FormError("hs-current", "nothing to change: every host already has these settings")
        return result

    def _applied(self, report: Any) -> None:
        if report is not None:  # actions (restart, log off, install…) are done: clear them
            for box in self.query(Checkbox):
                box.value = False
            for field in self.query(Field):
                field.value = ""
        super()._applied(report)
