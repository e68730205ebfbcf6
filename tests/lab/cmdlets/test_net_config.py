"""Lab cmdlets of the network and firewall stage: errors and idempotency (reference §1.3–§1.8)."""

from __future__ import annotations

from typing import Any

import pytest

from hvconsole.lab.engine import Session
from hvconsole.lab.world.model import World
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run


@pytest.fixture
def world() -> World:
    return build_world(seed=11, now=1_700_000_000.0)


def on(world: World, index: int) -> Session:
    return Session(world=world, host=world.hosts[index])


def test_new_net_ip_address_prints_two_stores_then_fails_the_second_time(world: World) -> None:
    storage = on(world, 0)
    moved: list[str] = []
    world.on_address_change(lambda host: moved.append(host.name))
    first = run(
        storage, cmd("New-NetIPAddress", IPAddress="10.20.0.10", InterfaceAlias="Ethernet", PrefixLength=24)
    )
    assert first.errors == [] and first.failure is None
    assert [(o.get("PolicyStore"), o.get("AddressState")) for o in first.output] == [
        ("ActiveStore", 1),  # Tentative
        ("PersistentStore", 0),  # Invalid
    ]
    assert moved == [world.hosts[0].name]
    nic = world.hosts[0].adapters[0]
    assert nic.dhcp is False and [a.address for a in nic.addresses if a.family == "IPv4"] == ["10.20.0.10"]
    again = run(
        storage, cmd("New-NetIPAddress", IPAddress="10.20.0.10", InterfaceAlias="Ethernet", PrefixLength=24)
    )
    assert again.output == []
    assert again.errors[0].message == "Instance MSFT_NetIPAddress already exists"
    assert again.errors[0].fqid == "Windows System Error 87,New-NetIPAddress"
    assert again.errors[0].category == "InvalidArgument"


def test_default_gateway_when_a_default_route_exists_fails(world: World) -> None:
    storage = on(world, 0)
    result = run(
        storage,
        cmd(
            "New-NetIPAddress",
            IPAddress="10.20.0.10",
            InterfaceAlias="Ethernet",
            PrefixLength=24,
            DefaultGateway="10.20.0.1",
        ),
    )
    assert result.errors[0].message == "Instance DefaultGateway already exists"
    routes = run(storage, cmd("Get-NetRoute", DestinationPrefix="0.0.0.0/0")).output
    assert [r.get("NextHop") for r in routes] == ["10.20.0.1"]
    removed = run(
        storage,
        cmd("Remove-NetRoute", DestinationPrefix="0.0.0.0/0", InterfaceAlias="Ethernet", Confirm=False),
    )
    assert removed.errors == []
    ok = run(
        storage,
        cmd(
            "New-NetIPAddress",
            IPAddress="10.20.0.10",
            InterfaceAlias="Ethernet",
            PrefixLength=24,
            DefaultGateway="10.20.0.1",
        ),
    )
    assert ok.errors == [] and world.hosts[0].adapters[0].gateway == "10.20.0.1"
    gone = run(
        storage,
        cmd("Remove-NetRoute", DestinationPrefix="0.0.0.0/0", InterfaceAlias="Ethernet 2", Confirm=False),
    )
    assert gone.errors[0].fqid == "CmdletizationQuery_NotFound_DestinationPrefix,Remove-NetRoute"


def test_remove_prompts_without_confirm_false_and_second_remove_is_not_found(world: World) -> None:
    storage = on(world, 0)
    address = world.hosts[0].adapters[0].addresses[0].address
    prompt = run(storage, cmd("Remove-NetIPAddress", IPAddress=address))
    assert prompt.failure is not None and prompt.failure.fqid.startswith("HostException")
    assert run(storage, cmd("Remove-NetIPAddress", IPAddress=address, Confirm=False)).errors == []
    again = run(storage, cmd("Remove-NetIPAddress", IPAddress=address, Confirm=False))
    assert again.errors[0].fqid == "CmdletizationQuery_NotFound_IPAddress,Remove-NetIPAddress"


def test_dhcp_back_on_leases_an_address_and_is_silent_the_second_time(world: World) -> None:
    storage = on(world, 0)
    nic = world.hosts[0].adapters[0]
    run(storage, cmd("Set-NetIPInterface", InterfaceAlias="Ethernet", Dhcp="Disabled"))
    assert nic.dhcp is False and not [a for a in nic.addresses if a.family == "IPv4"]
    interface = run(
        storage, cmd("Get-NetIPInterface", InterfaceAlias="Ethernet", AddressFamily="IPv4")
    ).output
    assert interface[0].get("Dhcp") == 0
    assert run(storage, cmd("Set-NetIPInterface", InterfaceAlias="Ethernet", Dhcp="Enabled")).errors == []
    assert nic.dhcp is True and [a.prefix_origin for a in nic.addresses if a.family == "IPv4"] == ["Dhcp"]
    assert run(storage, cmd("Set-NetIPInterface", InterfaceAlias="Ethernet", Dhcp="Enabled")).errors == []
    missing = run(storage, cmd("Set-NetIPInterface", InterfaceAlias="Nope", Dhcp="Enabled"))
    assert missing.errors[0].fqid == "CmdletizationQuery_NotFound_InterfaceAlias,Set-NetIPInterface"


def test_dns_servers_set_reset_validate(world: World) -> None:
    storage = on(world, 0)
    nic = world.hosts[0].adapters[0]
    assert (
        run(
            storage,
            cmd(
                "Set-DnsClientServerAddress",
                InterfaceAlias="Ethernet",
                ServerAddresses=["10.20.0.1"],
                Validate=True,
            ),
        ).errors
        == []
    )
    assert nic.static_dns == ["10.20.0.1"]
    assert (
        run(
            storage,
            cmd("Set-DnsClientServerAddress", InterfaceAlias="Ethernet", ServerAddresses=["10.20.0.1"]),
        ).errors
        == []
    )
    bad = run(
        storage,
        cmd(
            "Set-DnsClientServerAddress",
            InterfaceAlias="Ethernet",
            ServerAddresses=["10.99.0.1"],
            Validate=True,
        ),
    )
    assert bad.errors and nic.static_dns == ["10.20.0.1"]
    run(storage, cmd("Set-DnsClientServerAddress", InterfaceAlias="Ethernet", ResetServerAddresses=True))
    assert nic.static_dns == [] and nic.dns_servers == ["10.20.0.1"]
    missing = run(
        storage, cmd("Set-DnsClientServerAddress", InterfaceAlias="X", ServerAddresses=["10.20.0.1"])
    )
    assert missing.errors[0].message == (
        "No MSFT_DNSClientServerAddress objects found with property 'InterfaceAlias' equal to 'X'.  "
        "Verify the value of the property and retry."
    )


def test_rename_net_adapter(world: World) -> None:
    storage = on(world, 0)
    assert run(storage, cmd("Rename-NetAdapter", "Ethernet 2", "Storage")).errors == []
    assert world.hosts[0].adapters[1].name == "Storage"
    clash = run(storage, cmd("Rename-NetAdapter", "Ethernet", "Storage"))
    assert clash.errors[0].message == "Cannot create a file when that file already exists."
    assert run(storage, cmd("Rename-NetAdapter", "Nope", "X")).errors[0].fqid == (
        "CmdletizationQuery_NotFound_Name,Rename-NetAdapter"
    )


def test_firewall_rules_query_enable_disable(world: World) -> None:
    storage = on(world, 0)
    rdp = run(storage, cmd("Get-NetFirewallRule", DisplayGroup="Remote Desktop")).output
    assert rdp and all(r.get("Enabled") == 2 for r in rdp)  # 2 = False
    assert run(storage, cmd("Enable-NetFirewallRule", DisplayGroup="Remote Desktop")).output == []
    assert run(storage, cmd("Enable-NetFirewallRule", DisplayGroup="Remote Desktop")).errors == []  # silent
    enabled = run(storage, cmd("Get-NetFirewallRule", DisplayGroup="Remote Desktop", Enabled="True")).output
    assert len(enabled) == len(rdp)
    unknown = run(storage, cmd("Enable-NetFirewallRule", DisplayGroup="No Such Group"))
    assert unknown.errors[0].fqid == "CmdletizationQuery_NotFound_DisplayGroup,Enable-NetFirewallRule"
    got = run(storage, cmd("Get-NetFirewallRule", DisplayGroup="No Such Group"))
    assert got.errors[0].fqid == "CmdletizationQuery_NotFound_DisplayGroup,Get-NetFirewallRule"
    piped = run(storage, cmd("Get-NetFirewallRule", Name="FPS-ICMP4-ERQ-In"), cmd("Disable-NetFirewallRule"))
    assert piped.errors == [] and piped.failure is None
    disabled = run(
        storage, cmd("Disable-NetFirewallRule", DisplayName="Remote Desktop*", PassThru=True)
    ).output
    assert disabled and all(r.get("Enabled") == 2 for r in disabled)


def test_new_net_firewall_rule(world: World) -> None:
    storage = on(world, 0)
    unnamed = [
        run(
            storage,
            cmd("New-NetFirewallRule", DisplayName="iSCSITargetIn", LocalPort=["3260"], Protocol="TCP"),
        ).output[0]
        for _ in range(2)
    ]
    assert unnamed[0].get("Name") != unnamed[1].get("Name")
    assert unnamed[0].get("Name").startswith("{") and unnamed[0].get("Status") == (
        "The rule was parsed successfully from the store. (65536)"
    )
    named: dict[str, Any] = dict(
        Name="hvconsole-iSCSI-Target-In-TCP-3260",
        DisplayName="iSCSI Target (TCP-In 3260)",
        LocalPort=["3260"],
        Protocol="TCP",
    )
    assert run(storage, cmd("New-NetFirewallRule", **named)).errors == []
    again = run(storage, cmd("New-NetFirewallRule", **named))
    assert again.errors[0].message == "Cannot create a file when that file already exists."
    assert run(storage, cmd("Remove-NetFirewallRule", Name="hvconsole-iSCSI-Target-In-TCP-3260")).errors == []
    assert run(storage, cmd("Get-NetFirewallRule", Name="hvconsole-iSCSI-Target-In-TCP-3260")).errors


def test_test_connection_obeys_the_targets_echo_rule(world: World) -> None:
    node1 = on(world, 1)
    storage = world.hosts[0]
    failed = run(node1, cmd("Test-Connection", ComputerName=storage.name, Count=1))
    assert failed.output == []
    assert failed.errors[0].message == (
        f"Testing connection to computer '{storage.name}' failed: Error due to lack of resources"
    )
    assert (
        failed.errors[0].fqid == "TestConnectionException,Microsoft.PowerShell.Commands.TestConnectionCommand"
    )
    assert failed.errors[0].category == "ResourceUnavailable"
    run(on(world, 0), cmd("Enable-NetFirewallRule", Name="FPS-ICMP4-ERQ-In"))
    ok = run(node1, cmd("Test-Connection", ComputerName=storage.name, Count=2))
    assert [o.get("StatusCode") for o in ok.output] == [0, 0]
    assert ok.output[0].type_names[0] == "System.Management.ManagementObject#root\\cimv2\\Win32_PingStatus"
    assert run(node1, cmd("Test-Connection", ComputerName="10.20.0.1", Count=1)).errors == []  # the router
    unknown = run(node1, cmd("Test-Connection", ComputerName="NOPE", Count=1))
    assert unknown.errors[0].message.endswith("failed: No such host is known")
    assert run(node1, cmd("Test-Connection", ComputerName="NOPE", Quiet=True)).output == [False]


def test_reachability_needs_a_shared_subnet_or_routes_on_both_ends(world: World) -> None:
    node1, storage = on(world, 1), on(world, 0)
    run(storage, cmd("Enable-NetFirewallRule", Name="FPS-ICMP4-ERQ-In"))
    storage_addr = world.hosts[0].adapters[1].addresses[0].address  # the Storage segment (no router)
    assert run(node1, cmd("Test-Connection", ComputerName=storage_addr, Count=1)).errors == []
    # move the storage box's Storage NIC out of node1's subnet: no router there, so no reply
    run(storage, cmd("Remove-NetIPAddress", IPAddress=storage_addr, Confirm=False))
    run(storage, cmd("New-NetIPAddress", IPAddress="10.31.0.5", InterfaceAlias="Ethernet 2", PrefixLength=24))
    assert run(node1, cmd("Test-Connection", ComputerName="10.31.0.5", Count=1)).errors
