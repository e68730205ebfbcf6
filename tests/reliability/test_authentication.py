"""Authentication like real WinRM: HTTP + NTLM with message encryption end to end (also from many threads at
once: one owner thread per host keeps the NTLM context on one connection), certificate validation on by
default and off only when a host says so (shown with ⚠ on the dashboard)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hvconsole.credentials import Account, CredentialStore
from hvconsole.inventory import HostEntry, Inventory
from hvconsole.remoting.command import Command, Pipeline
from hvconsole.remoting.errors import AuthenticationFailed, CertificateRejected, RemotingError
from hvconsole.remoting.manager import SessionManager
from hvconsole.remoting.settings import ConnectionSettings
from hvconsole.stages.apply import Applier, StepOutcome
from hvconsole.stages.workspace import ObservedJournal, Workspace
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.widgets.host_table import HostTable
from tests.reliability.conftest import FaultyLab, eventually, firewall_plan, start_faulty_lab

SERVICE = Pipeline.of(Command("Get-Service", Name="WinRM"))


@pytest.fixture(scope="module")
def ntlm_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyLab]:
    lab = start_faulty_lab(tmp_path_factory.mktemp("ntlm-lab"), "--transport", "http-ntlm")
    yield lab
    lab.opened.close()


def test_the_lab_offers_http_with_ntlm_and_the_client_uses_it(ntlm_lab: FaultyLab) -> None:
    host = ntlm_lab.hosts[0]
    settings = ntlm_lab.workspace.sessions[host].settings
    assert (settings.https, settings.auth) == (False, "ntlm")
    result = ntlm_lab.workspace.sessions[host].invoke(SERVICE, timeout=20)
    assert result.objects


def test_ntlm_from_many_threads_at_once(ntlm_lab: FaultyLab) -> None:
    """The pitfall: two threads on one NTLM WSMan break the context. The session's owner thread prevents it."""
    host = ntlm_lab.hosts[1]
    failures: list[BaseException] = []
    done: list[int] = []

    def worker() -> None:
        for _ in range(8):
            try:
                done.append(len(ntlm_lab.workspace.sessions[host].invoke(SERVICE, timeout=20).objects))
            except RemotingError as error:
                failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    assert done == [1] * 64


def test_a_change_over_ntlm(ntlm_lab: FaultyLab) -> None:
    host = ntlm_lab.hosts[2]
    report = Applier(ntlm_lab.workspace.sessions, firewall_plan(host, ["hvc-ntlm"])).run()
    assert report.outcomes[0] is StepOutcome.APPLIED


def test_wrong_password_and_expired_credentials_over_ntlm(ntlm_lab: FaultyLab) -> None:
    host = ntlm_lab.hosts[0]
    good = ntlm_lab.workspace.sessions[host].settings
    manager = SessionManager()
    try:
        manager.add(dataclasses.replace(good, password=lambda: "not-the-password"))
        with pytest.raises(AuthenticationFailed):
            manager[host].invoke(SERVICE, timeout=10)
    finally:
        manager.close_all()
    ntlm_lab.control.apply(f"{host}:expired-credentials")
    try:
        assert eventually(lambda: _fails_auth(ntlm_lab, host), 20)
    finally:
        ntlm_lab.control.clear(host)
    assert eventually(lambda: bool(ntlm_lab.workspace.sessions[host].invoke(SERVICE, timeout=10).objects))


def _fails_auth(lab: FaultyLab, host: str) -> bool:
    try:
        lab.workspace.sessions[host].invoke(SERVICE, timeout=10)
    except AuthenticationFailed:
        return True
    except RemotingError:
        return False
    return False


def test_the_http_listener_refuses_plain_and_basic_requests(ntlm_lab: FaultyLab) -> None:
    assert ntlm_lab.opened.lab is not None
    info = ntlm_lab.opened.lab.hosts[0]
    url = f"http://{info.address}:{info.port}/wsman"
    plain = requests.post(url, data=b"<s:Envelope/>", timeout=5)
    assert plain.status_code == 401 and plain.headers["WWW-Authenticate"].startswith("Negotiate")
    basic = requests.post(url, data=b"<s:Envelope/>", auth=(info.username, info.password), timeout=5)
    assert basic.status_code == 401  # Basic is never offered over HTTP


def test_certificate_validation_is_on_by_default(ntlm_lab: FaultyLab, tmp_path: Path) -> None:
    assert ConnectionSettings(host="h", address="a").cert_validation is True
    assert HostEntry(name="h", address="a").certificate_validation == "on"
    https_lab = start_faulty_lab(tmp_path / "https")
    try:
        host = https_lab.hosts[0]
        settings = https_lab.workspace.sessions[host].settings
        manager = SessionManager()
        try:
            manager.add(dataclasses.replace(settings, cert_validation=True))  # the system store: refused
            with pytest.raises(CertificateRejected):
                manager[host].invoke(SERVICE, timeout=10)
            manager.add(dataclasses.replace(settings, cert_validation=False))  # explicitly off: accepted
            assert manager[host].invoke(SERVICE, timeout=10).objects
        finally:
            manager.close_all()
    finally:
        https_lab.opened.close()


async def test_dashboard_marks_hosts_without_certificate_checks(tmp_path: Path) -> None:
    entries = [
        HostEntry(name="CHECKED", address="127.0.0.1", port=1),
        HostEntry(name="UNCHECKED", address="127.0.0.1", port=1, certificate_validation="off"),
    ]
    store = CredentialStore(memory_only=True)
    store.put("CHECKED", Account("a", "b"), remember=False)
    store.put("UNCHECKED", Account("a", "b"), remember=False)
    workspace = Workspace(Inventory(hosts=entries), store, ObservedJournal(tmp_path / "j.jsonl"), label="t")
    try:
        app = HvConsoleApp(workspace, initial_refresh=False)
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause(0.2)
            table = app.screen.query_one(HostTable)
            addresses = {name: str(row.cells({})[1]) for name, row in table.rows_by_host.items()}
            assert addresses["UNCHECKED"].endswith("⚠")
            assert not addresses["CHECKED"].endswith("⚠")
    finally:
        workspace.close()
