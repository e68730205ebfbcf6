"""The fault grammar, the fault board and the control channel, without a lab process."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvconsole.cli import main
from hvconsole.lab.control import ControlServer, LabControl, LabControlError
from hvconsole.lab.faults import FaultBoard, FaultSpecError, parse_spec
from hvconsole.lab.protocol import CommandCall, Credential, SecureText


def test_every_documented_fault_parses() -> None:
    spec = (
        "HV1:down HV1:blackhole *:latency=25ms HV2:latency=1.5s HV1:drop=0.2 HV1:drop=1@New-NetFirewallRule "
        "HV1:http500=0.1 HV1:hang=Get-Disk HV1:expired-credentials HV1:fail=Get-Disk:HardwareFailure "
        "HV1:reboot-after=3,HV1:no-down,HV1:clear"
    )
    kinds = [item.kind for item in parse_spec(spec)]
    assert kinds[:11] == [
        "down",
        "blackhole",
        "latency",
        "latency",
        "drop",
        "drop",
        "http500",
        "hang",
        "expired-credentials",
        "fail",
        "reboot-after",
    ]
    items = parse_spec("*:latency=25ms,HV2:latency=1.5s,HV1:drop=1@Set-DnsClientServerAddress")
    assert items[0].value == pytest.approx(0.025) and items[1].value == pytest.approx(1.5)
    assert items[2].cmdlet == "Set-DnsClientServerAddress"


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("HV1", "HOST:FAULT"),
        ("HV1:explode", "unknown fault"),
        ("HV1:drop=2", "between 0 and 1"),
        ("HV1:latency=soon", "duration"),
        ("HV1:latency=9999s", "black hole"),
        ("HV1:fail=Get-Disk", "fail=CMDLET:ERRORID"),
        ("HV1:reboot-after=0", "whole number"),
        ("HV1:down=1", "takes no value"),
        ("", "empty"),
    ],
)
def test_bad_specs_are_refused_with_the_item_named(spec: str, says: str) -> None:
    with pytest.raises(FaultSpecError, match=says):
        parse_spec(spec)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_the_parser_never_fails_any_other_way(text: str) -> None:
    with contextlib.suppress(FaultSpecError):
        parse_spec(text)


def test_board_applies_to_every_host_and_refuses_unknown_hosts_atomically() -> None:
    board = FaultBoard(seed=1)
    for name in ("HV1", "HV2"):
        board.host(name)
    board.apply("*:latency=10ms")
    assert all(f["latency_ms"] == 10 for f in board.describe().values())
    with pytest.raises(FaultSpecError, match="no such host"):
        board.apply("hv1:down,HV9:down")
    assert not board.host("HV1").down  # nothing applied when one item is wrong
    board.apply("hv1:down")  # host names are case-insensitive
    assert board.host("HV1").down
    board.clear()
    assert not board.host("HV1").active


def test_lab_serve_refuses_a_bad_fault_spec_before_starting(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["lab", "serve", "--faults", "HV1:explode", "--state", f"{tmp_path}/state.json"])
    assert code == 2
    assert "unknown fault" in capsys.readouterr().err


@pytest.fixture
def control() -> Iterator[tuple[ControlServer, FaultBoard]]:
    board = FaultBoard()
    board.host("HV1")
    server = ControlServer(board)
    server.start()
    yield server, board
    server.stop()


def test_control_channel_needs_the_token(control: tuple[ControlServer, FaultBoard]) -> None:
    server, _board = control
    with pytest.raises(LabControlError, match="401"):
        LabControl(server.url, "wrong").faults()
    request = urllib.request.Request(server.url + "/faults")  # no header at all
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401


def test_control_channel_switches_faults_and_shows_received_calls(
    control: tuple[ControlServer, FaultBoard],
) -> None:
    server, board = control
    client = LabControl(server.url, server.token)
    client.apply("HV1:hang=Get-Disk")
    assert client.faults()["HV1"]["hang"] == ["get-disk"]
    with pytest.raises(LabControlError, match="400"):
        client.apply("HV1:nonsense")
    board.host("HV1").record(
        [
            CommandCall("Set-Thing", (("Name", "a'b\"$c;`d\n"), ("Secret", SecureText("hunter2")))),
            CommandCall("Add-Computer", (("Credential", Credential("ad\\x", SecureText("hunter2"))),)),
        ]
    )
    calls = client.received("hv1")
    assert calls[0]["parameters"][0] == ["Name", "a'b\"$c;`d\n"]
    assert "hunter2" not in json.dumps(calls)
    client.forget_received("HV1")
    assert client.received("HV1") == []
    with pytest.raises(LabControlError, match="404"):
        client.received("HV9")
    client.clear()
    assert not board.host("HV1").hang


def test_control_client_only_talks_to_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        LabControl("http://example.com:80", "t")
