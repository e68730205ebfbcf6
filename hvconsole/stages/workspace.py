"""The workspace: the inventory, its sessions, credentials and journal, behind one object the UI and CLI use.

No Textual here. Blocking methods (``read_overviews``) run on worker threads; callbacks registered with
``on_connection_change``/``on_journal`` are called on session threads, so a UI must post them as messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from hvconsole.credentials import Account, CredentialStore
from hvconsole.inventory import HostEntry, Inventory, save_inventory
from hvconsole.remoting.errors import RemotingError
from hvconsole.remoting.journal import Journal, JournalEntry
from hvconsole.remoting.manager import SessionManager
from hvconsole.remoting.result import properties, type_name
from hvconsole.remoting.settings import ConnectionSettings
from hvconsole.remoting.state import ConnectionEvent
from hvconsole.stages.apply import Applier, ApplyReport, StepEvent
from hvconsole.stages.operations import OperationLog
from hvconsole.stages.overview import HostOverview, overview_pipeline, parse_overview
from hvconsole.stages.plan import Plan

ConnectionCallback = Callable[[str, str, str | None], None]
JournalCallback = Callable[[int], None]


class InventoryNotEditable(RuntimeError):
    """The hosts come from somewhere else (the embedded lab), not from an inventory file."""


class MissingCredentials(RemotingError):
    """No account is known for the host (add one with `hvconsole hosts add --password-stdin`)."""


class ObservedJournal(Journal):
    """A journal that tells listeners when it wrote a line (the journal screen shows it live)."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path)
        self.listeners: list[JournalCallback] = []

    def record(self, entry: JournalEntry) -> None:
        super().record(entry)
        for listener in list(self.listeners):
            listener(1)


def connection_settings(
    entry: HostEntry, credentials: CredentialStore, keys: list[str]
) -> ConnectionSettings:
    account = credentials.lookup(keys)
    username = entry.username or (account.username if account else None)

    def password() -> str:
        found = credentials.lookup(keys)
        if found is None:
            raise MissingCredentials(f"no credentials for {entry.name}", entry.name)
        return found.password

    if entry.certificate_validation == "off":
        validation: bool | str = False
    elif entry.ca_file:
        validation = entry.ca_file
    else:
        validation = True
    return ConnectionSettings(
        host=entry.name,
        address=entry.address,
        port=entry.effective_port,
        https=entry.transport == "https",
        auth=entry.authentication,
        cert_validation=validation,
        username=username,
        password=password,
    )


class Workspace:
    def __init__(
        self,
        inventory: Inventory,
        credentials: CredentialStore,
        journal: ObservedJournal,
        *,
        label: str,
        notices: list[str] | None = None,
        read_only: bool = False,
        operations: OperationLog | None = None,
        inventory_path: Path | None = None,
    ) -> None:
        self.inventory = inventory
        self.inventory_path = inventory_path  # saved when a host's address moves (None: not from a file)
        self.operations = operations or OperationLog(journal.path.with_name("operations.jsonl"))
        self.credentials = credentials
        self.journal = journal
        self.label = label
        self.notices = list(notices or [])
        if credentials.notice:
            self.notices.append(credentials.notice)
        self.read_only = read_only
        self.sessions = SessionManager(journal=journal, read_only=read_only)  # enforced on the wire side too
        self._connection_listeners: list[ConnectionCallback] = []
        self._changes_in_flight = 0
        self._lock = threading.Lock()
        self.sessions.subscribe(self._connection_event)
        for entry in inventory.hosts:
            self._add_session(entry)

    def _add_session(self, entry: HostEntry) -> None:
        keys = [entry.credential_key] + [g.name for g in self.inventory.groups_of(entry.name)]
        self.sessions.add(connection_settings(entry, self.credentials, keys))

    # --- what the UI reads ------------------------------------------------------------------------
    def host_names(self) -> list[str]:
        return [h.name for h in self.inventory.hosts]

    def host_entry(self, name: str) -> HostEntry:
        return self.inventory.host(name)

    def connection_state(self, name: str) -> tuple[str, str | None]:
        return self.sessions.state(name).value, None

    @property
    def journal_path(self) -> Path:
        return self.journal.path

    def journal_entries(self, limit: int = 2000) -> list[JournalEntry]:
        entries = list(self.journal.entries())
        return entries[-limit:]

    def on_connection_change(self, callback: ConnectionCallback) -> None:
        self._connection_listeners.append(callback)

    def on_journal(self, callback: JournalCallback) -> None:
        self.journal.listeners.append(callback)

    def _connection_event(self, event: ConnectionEvent) -> None:
        for listener in list(self._connection_listeners):
            listener(event.host, event.state.value, event.detail or None)

    def changes_in_flight(self) -> int:
        with self._lock:
            return self._changes_in_flight

    # --- changes ------------------------------------------------------------------------------------
    def applier(self, plan: Plan, on_event: Callable[[StepEvent], None]) -> Applier:
        return Applier(self.sessions, plan, on_event=on_event, log=self.operations, read_only=self.read_only)

    def run_applier(self, applier: Applier, skip: set[int] | None = None) -> ApplyReport:
        """Run a plan (blocking: call it on a worker thread); counted as a change in flight meanwhile."""
        with self._lock:
            self._changes_in_flight += 1
        try:
            return applier.run(skip=skip)
        finally:
            with self._lock:
                self._changes_in_flight -= 1

    # --- the inventory ----------------------------------------------------------------------------------
    def _check_editable(self) -> Path:
        if self.inventory_path is None:
            raise InventoryNotEditable(
                "the embedded lab's hosts come from the lab itself: start hvconsole with --inventory FILE "
                "(or add hosts with `hvconsole hosts add`) to manage real hosts"
            )
        return self.inventory_path

    def save_host(self, entry: HostEntry, account: Account | None = None, *, remember: bool = True) -> None:
        """Add or replace a host: the inventory file is saved, its password goes to the keyring (or memory),
        and its session is (re)opened with the new settings."""
        path = self._check_editable()
        self.inventory = self.inventory.with_host(entry)
        save_inventory(self.inventory, path)
        if account is not None:
            self.credentials.put(entry.credential_key, account, remember=remember)
        self._add_session(entry)

    def remove_host(self, name: str) -> None:
        """Remove a host from the inventory (and its groups); its session is closed, its credentials forgotten."""
        path = self._check_editable()
        entry = self.inventory.host(name)
        self.inventory = self.inventory.without_host(name)
        save_inventory(self.inventory, path)
        self.sessions.remove(entry.name)
        if entry.credential is None:  # a shared group credential stays for the other hosts
            self.credentials.forget(entry.name)

    def move_host(self, name: str, new_address: str) -> HostEntry:
        """The host now answers at ``new_address``: update the inventory (and its file, for real hosts) and
        replace the session with one at the new address (the old one is closed)."""
        old = self.inventory.host(name)
        moved = old.model_copy(update={"address": new_address})
        hosts = [moved if h.name == old.name else h for h in self.inventory.hosts]
        self.inventory = Inventory(hosts=hosts, groups=self.inventory.groups)
        if self.inventory_path is not None and not moved.lab:
            save_inventory(self.inventory, self.inventory_path)
        self._add_session(moved)
        return moved

    # --- reads --------------------------------------------------------------------------------------
    def read_overviews(self, hosts: list[str]) -> Iterator[tuple[str, HostOverview | None, str | None]]:
        """Every host's overview, one round trip each, in parallel; yielded as each host answers."""
        for outcome in self.sessions.fan_out(overview_pipeline(), hosts, raise_on_failure=False):
            if outcome.error is not None:
                yield outcome.host, None, str(outcome.error)
                continue
            assert outcome.result is not None
            pairs = [
                (type_name(o) or "", properties(o)) for o in outcome.result.objects if hasattr(o, "types")
            ]
            try:
                overview = parse_overview(pairs)
            except ValueError as error:
                yield outcome.host, None, str(error)
                continue
            problem = str(outcome.result.errors[0]) if outcome.result.errors else None
            yield outcome.host, overview, problem

    def close(self) -> None:
        self.sessions.close_all()
        self.journal.close()
