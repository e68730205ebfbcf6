"""Network stage against the lab: fresh DHCP hosts → static addresses on a common subnet; the sessions follow
the address change (reconnect at the mirrored endpoint, inventory updated); a second plan is empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hvconsole.launch import Opened
from hvconsole.stages.network import InputProblem, plan_adapter, read_network, reconnect_moved, validate
from hvconsole.stages.plan import Severity
from hvconsole.windows.network import HostNetwork
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("network-lab"))
    yield opened
    opened.close()


def desired(host: str, number: int, **extra: object) -> dict[str, object]:
    return {
        "host": host,
        "adapter": "Ethernet",
        "mode": "static",
        "address": f"10.20.0.{number}",
        "prefix_length": 24,
        "gateway": "10.20.0.1",
        "dns_servers": ["10.20.0.1"],
        **extra,
    }


def networks(lab: Opened) -> dict[str, HostNetwork]:
    state = read_network(lab.workspace, lab.workspace.host_names())
    assert all(isinstance(v, HostNetwork) for v in state.values()), state
    return {k: v for k, v in state.items() if isinstance(v, HostNetwork)}


def test_read_shows_dhcp_adapters(lab: Opened) -> None:
    state = networks(lab)
    for network in state.values():
        ethernet = network.adapter("Ethernet")
        assert ethernet is not None and ethernet.dhcp and ethernet.gateway == "10.20.0.1"
        assert ethernet.dns_servers == ("10.20.0.1",) and ethernet.addresses[0].address.startswith("10.20.0.")
        assert ethernet.adapter.mac and ethernet.adapter.status == "Up"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"address": "10.20.0.300"}, "address"),
        ({"address": "10.20.0.10; Restart-Computer"}, "address"),
        ({"gateway": "10.30.0.1"}, "gateway"),
        ({"prefix_length": 33}, "prefix_length"),
        ({"dns_servers": ["dns.example"]}, "dns_servers"),
        ({"address": "10.20.0.0"}, "address"),
    ],
)
def test_bad_input_names_the_field(lab: Opened, change: dict[str, object], field: str) -> None:
    state = networks(lab)
    host = lab.workspace.host_names()[0]
    with pytest.raises(InputProblem) as problem:
        validate(desired(host, 10, **change), dict(state))
    assert problem.value.field == field


def test_duplicate_address_is_refused(lab: Opened) -> None:
    state = networks(lab)
    first, second = lab.workspace.host_names()[:2]
    taken = state[second].adapters[0].addresses[0].address
    with pytest.raises(InputProblem) as problem:
        validate(desired(first, int(taken.rsplit(".", 1)[1])), dict(state))
    assert problem.value.field == "address" and second in problem.value.message


def test_static_addresses_then_reconnect_then_nothing_to_do(lab: Opened) -> None:
    workspace = lab.workspace
    hosts = workspace.host_names()
    state = networks(lab)
    for number, host in enumerate(hosts, start=10):
        want = validate(desired(host, number), dict(state))
        current = state[host].adapter("Ethernet")
        assert current is not None
        planned = plan_adapter(want, current, workspace.host_entry(host))
        assert planned.moves[host] == f"127.20.0.{number}"
        assert any(f.severity is Severity.WARNING and "reconnects" in f.text for f in planned.plan.findings)
        script = planned.plan.script()
        assert "New-NetIPAddress" in script and "DefaultGateway" not in script  # the DHCP route is kept
        report = workspace.run_applier(workspace.applier(planned.plan, lambda event: None))
        assert report.succeeded, report.details
        assert reconnect_moved(workspace, planned.moves, report) == {host: None}
        assert workspace.host_entry(host).address == f"127.20.0.{number}"
    after = networks(lab)
    for number, host in enumerate(hosts, start=10):
        ethernet = after[host].adapter("Ethernet")
        assert ethernet is not None and not ethernet.dhcp
        assert [a.address for a in ethernet.addresses] == [f"10.20.0.{number}"]
        again = plan_adapter(
            validate(desired(host, number), dict(after)), ethernet, workspace.host_entry(host)
        )
        assert again.plan.empty and not again.moves


def test_static_to_static_on_the_storage_segment_keeps_the_session(lab: Opened) -> None:
    workspace = lab.workspace
    host = workspace.host_names()[0]
    state = networks(lab)
    current = state[host].adapter("Ethernet 2")
    assert current is not None
    want = validate(
        {
            "host": host,
            "adapter": "Ethernet 2",
            "address": "10.30.0.10",
            "prefix_length": 24,
            "new_name": "Storage",
        },
        dict(state),
    )
    planned = plan_adapter(want, current, workspace.host_entry(host))
    assert not planned.moves
    report = workspace.run_applier(workspace.applier(planned.plan, lambda event: None))
    assert report.succeeded, report.details
    after = networks(lab)
    storage = after[host].adapter("Storage")
    assert storage is not None and [a.address for a in storage.addresses] == ["10.30.0.10"]
    assert plan_adapter(
        want.model_copy(update={"adapter": "Storage"}), storage, workspace.host_entry(host)
    ).plan.empty
