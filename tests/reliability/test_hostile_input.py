"""Hostile input everywhere: every `hosts add` field, `lab serve` arguments, inventory files that are malformed,
huge or hostile, and parameter values with quotes, $, ;, backticks, newlines and unicode — each either refused
with a clear message or sent as the exact literal (the lab records what it received)."""

from __future__ import annotations

import contextlib
import io
import ipaddress
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvconsole.cli import main
from hvconsole.inventory import InventoryError, load_inventory
from hvconsole.remoting.command import Command, Pipeline
from tests.reliability.conftest import FaultyLab, start_faulty_lab

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "a'b",
            'a"b',
            "$(Remove-Item C:\\)",
            "x; Stop-Computer",
            "`n`0",
            "line\nbreak",
            "tab\there",
            "ünïcødé ✓ 漢字",
            "😀",
            "'; DROP TABLE hosts; --",
            "${env:PATH}",
            "@(1,2)",
            "-Force",
            "",
            " ",
            "\r\n",
            "a" * 300,
        ]
    ),
)


def run_cli(*argv: str) -> tuple[int, str]:
    """(exit code, stderr); argparse refusals (SystemExit) count as exit codes, anything else fails the test."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, err.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=HOSTILE, address=HOSTILE, username=HOSTILE, group=HOSTILE, ca_file=HOSTILE)
def test_hosts_add_refuses_clearly_or_saves_the_exact_value(
    tmp_path: Path, name: str, address: str, username: str, group: str, ca_file: str
) -> None:
    inventory = tmp_path / "inventory.toml"
    inventory.unlink(missing_ok=True)
    argv = ["hosts", "--inventory", str(inventory), "add", name, "--address", address, "--username", username]
    argv += ["--group", group, "--ca-file", ca_file]
    code, err = run_cli(*argv)
    if code != 0:
        assert err.strip(), "a refusal must say why"
        assert "Traceback" not in err
        return
    [entry] = load_inventory(inventory).hosts
    assert (entry.name, entry.address, entry.username, entry.ca_file) == (name, address, username, ca_file)
    assert name in load_inventory(inventory).groups_of(entry.name)[0].hosts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(port=st.one_of(st.integers(), st.text(max_size=12)), transport=HOSTILE, auth=HOSTILE)
def test_hosts_add_numbers_and_choices(tmp_path: Path, port: object, transport: str, auth: str) -> None:
    inventory = tmp_path / "inventory.toml"
    code, err = run_cli(
        "hosts", "--inventory", str(inventory), "add", "HV1", "--address", "hv1", "--port", str(port),
        "--transport", transport, "--auth", auth,
    )  # fmt: skip
    if code != 0:
        assert err.strip() and "Traceback" not in err


def _loopback(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bind=HOSTILE.filter(lambda t: not _loopback(t)), faults=HOSTILE)
def test_lab_serve_refuses_bad_arguments_before_listening(tmp_path: Path, bind: str, faults: str) -> None:
    code, err = run_cli(
        "lab", "serve", "--state", str(tmp_path / "s.json"), "--bind", bind, "--faults", faults
    )
    assert code == 2 and err.strip() and "Traceback" not in err


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_inventory_loader_never_fails_another_way(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "inventory.toml"
    path.write_bytes(data)
    with contextlib.suppress(InventoryError):
        load_inventory(path)


@pytest.mark.parametrize(
    "text",
    [
        '[[hosts]]\nname = "HV1"\naddress = "hv1"\n[[hosts]]\nname = "hv1"\naddress = "x"\n',  # duplicate
        '[[hosts]]\nname = "HV1"\n',  # no address
        '[[hosts]]\nname = "HV1"\naddress = "hv1"\nport = 99999999\n',
        '[[hosts]]\nname = "HV1"\naddress = "hv1"\npassword = "secret"\n',  # never in the inventory
        "hosts = 5\n",
        "[[hosts]\n",
    ],
)
def test_malformed_inventories_are_refused_with_a_message(tmp_path: Path, text: str) -> None:
    path = tmp_path / "inventory.toml"
    path.write_text(text)
    with pytest.raises(InventoryError) as refused:
        load_inventory(path)
    assert str(path) in str(refused.value)


def test_a_huge_inventory_is_loaded_or_refused_quickly(tmp_path: Path) -> None:
    import time

    path = tmp_path / "inventory.toml"
    hosts = "".join(
        f'[[hosts]]\nname = "HV{i}"\naddress = "10.0.{i // 250}.{i % 250}"\n' for i in range(20000)
    )
    path.write_text(hosts + 'junk = "' + "x" * 5_000_000 + '"\n')
    started = time.monotonic()
    with contextlib.suppress(InventoryError):
        load_inventory(path)
    assert time.monotonic() - started < 20


@pytest.fixture(scope="module")
def literal_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyLab]:
    lab = start_faulty_lab(tmp_path_factory.mktemp("literal-lab"))
    yield lab
    lab.opened.close()


PRINTABLE_HOSTILE = st.one_of(
    HOSTILE, st.text(alphabet=string.printable + "äß✓漢😀\u200b\u00a0'\"$;`", max_size=60)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=PRINTABLE_HOSTILE)
def test_values_arrive_as_the_exact_literal(literal_lab: FaultyLab, value: str) -> None:
    host = literal_lab.hosts[0]
    literal_lab.control.forget_received(host)
    try:
        pipeline = Pipeline.of(
            Command("Get-NetFirewallRule", Name=value).param("ErrorAction", "SilentlyContinue")
        )
    except ValueError as refused:
        assert str(refused)  # refused with a message before anything is sent
        return
    literal_lab.workspace.sessions[host].invoke(pipeline, raise_on_failure=False, timeout=20)
    [call] = literal_lab.control.received(host)
    assert call["name"] == "Get-NetFirewallRule"
    assert call["parameters"][0] == ["Name", value]
