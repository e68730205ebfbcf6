from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvconsole.inventory import (
    HostEntry,
    Inventory,
    InventoryError,
    load_inventory,
    parse_inventory,
    save_inventory,
)

GOOD = """
[[hosts]]
name = "HV1"
address = "hv1.contoso.com"
username = "CONTOSO\\\\admin"

[[hosts]]
name = "HV2"
address = "10.0.0.12"
port = 5986
certificate_validation = "off"

[[groups]]
name = "Cluster1"
hosts = ["HV1", "HV2"]
"""


def test_a_valid_inventory_loads_with_defaults() -> None:
    inventory = parse_inventory(GOOD, Path("inv.toml"))
    hv1 = inventory.host("hv1")
    assert hv1.transport == "https" and hv1.authentication == "negotiate" and hv1.effective_port == 5986
    assert hv1.username == "CONTOSO\\admin"
    assert [g.name for g in inventory.groups_of("HV2")] == ["Cluster1"]


def test_errors_name_the_file_the_host_and_the_field() -> None:
    text = GOOD.replace("port = 5986", "port = 70000")
    with pytest.raises(InventoryError) as caught:
        parse_inventory(text, Path("/etc/inv.toml"))
    message = str(caught.value)
    assert "/etc/inv.toml" in message and "host #2 ('HV2')" in message and "'port'" in message


def test_unknown_fields_and_bad_toml_are_refused_clearly() -> None:
    with pytest.raises(InventoryError, match=r"host #1.*'colour'"):
        parse_inventory('[[hosts]]\nname="A"\naddress="a"\ncolour="red"\n', Path("i.toml"))
    with pytest.raises(InventoryError, match="not valid TOML"):
        parse_inventory("[[hosts]\nname=", Path("i.toml"))


def test_basic_auth_over_http_is_refused() -> None:
    with pytest.raises(InventoryError, match="basic authentication sends the password in the clear"):
        parse_inventory(
            '[[hosts]]\nname="A"\naddress="a"\ntransport="http"\nauthentication="basic"\n', Path("i.toml")
        )


def test_groups_must_name_known_hosts_and_names_are_unique() -> None:
    with pytest.raises(InventoryError, match="names host 'HV9'"):
        parse_inventory(GOOD.replace('"HV2"]', '"HV9"]'), Path("i.toml"))
    with pytest.raises(InventoryError, match="listed twice"):
        parse_inventory(GOOD.replace('name = "HV2"', 'name = "hv1"'), Path("i.toml"))


def test_huge_inventory_is_refused_before_parsing() -> None:
    with pytest.raises(InventoryError, match="larger than"):
        parse_inventory("#" * 2_000_000, Path("i.toml"))


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    inventory = parse_inventory(GOOD, Path("x"))
    path = tmp_path / "sub" / "inventory.toml"
    save_inventory(inventory, path)
    assert load_inventory(path) == inventory
    assert not list(path.parent.glob("*.tmp"))


def test_add_and_remove_hosts_keep_groups_consistent() -> None:
    inventory = parse_inventory(GOOD, Path("x"))
    inventory = inventory.with_host(HostEntry(name="HV3", address="hv3"))
    assert [h.name for h in inventory.hosts] == ["HV1", "HV2", "HV3"]
    inventory = inventory.without_host("HV2")
    assert inventory.groups[0].hosts == ["HV1"]
    with pytest.raises(KeyError):
        inventory.without_host("nope")


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=80), address=st.text(max_size=80))
def test_hostile_names_and_addresses_are_refused_or_kept_exact(name: str, address: str) -> None:
    text = f"[[hosts]]\nname = {_toml_string(name)}\naddress = {_toml_string(address)}\n"
    try:
        inventory = parse_inventory(text, Path("i.toml"))
    except InventoryError as error:
        assert "i.toml" in str(error)
        return
    host = inventory.hosts[0]
    assert host.name == name and host.address == address
    assert all(c.isalnum() or c == "-" for c in name)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(
        c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in escaped
    )
    return f'"{escaped}"'


def test_empty_inventory_is_valid() -> None:
    assert Inventory().hosts == []
