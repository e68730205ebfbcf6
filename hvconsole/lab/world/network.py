"""Subnets and reachability of the simulated network, and the simulated DHCP server.

The rule (kept simple on purpose, ``# inferred`` as a whole: the reference does not model networks):

* Each ``NetAdapter`` is plugged into a segment (``NetAdapter.subnet`` names a ``World.subnets`` entry).
* Host A reaches address X when one of A's adapters is Up, has an IPv4 address, and either
  - **same subnet**: X belongs to an Up adapter plugged into the *same segment* and X lies inside A's
    address/prefix; or X is the segment's router or DNS server (``Subnet.gateway``/``dns_servers``) and lies
    inside A's address/prefix; or
  - **routed**: A's adapter has a default gateway that lies inside its own subnet and is the segment's router,
    and X belongs to an Up adapter whose own default gateway is valid in the same way (both ends routed).
* An ICMP echo gets a reply when X is reachable, the target host is Running, and (for a host, not a router)
  an enabled inbound rule allows ICMPv4 (``FPS-ICMP4-ERQ-In``, disabled on a fresh Server).
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass

from hvconsole.lab.world.model import Host, IPAddress, NetAdapter, Subnet, World


@dataclass(frozen=True)
class Owner:
    """Who answers at an address: a host's adapter, or a segment's router/DNS server (host is None)."""

    host: Host | None
    adapter: NetAdapter | None
    subnet: Subnet | None


def ipv4_addresses(nic: NetAdapter) -> list[IPAddress]:
    return [a for a in nic.addresses if a.family == "IPv4"]


def interface(address: IPAddress) -> ipaddress.IPv4Interface:
    return ipaddress.IPv4Interface(f"{address.address}/{address.prefix_length}")


def first_ipv4(host: Host) -> str | None:
    """The address the lab mirrors into the host's loopback endpoint: its first adapter's first IPv4."""
    if not host.adapters:
        return None
    found = ipv4_addresses(host.adapters[0])
    return found[0].address if found else None


def mirrored_endpoint(address: str) -> str:
    """10.b.c.d → 127.b.c.d (the host's endpoint on loopback mirrors its simulated address)."""
    parts = address.split(".")
    return ".".join(["127", *parts[1:]])


def owner_of(world: World, address: str) -> Owner | None:
    for host in world.hosts:
        for nic in host.adapters:
            if any(a.address == address for a in ipv4_addresses(nic)):
                return Owner(host, nic, world.subnet(nic.subnet or ""))
    for subnet in world.subnets:
        if address == subnet.gateway or address in subnet.dns_servers:
            return Owner(None, None, subnet)
    return None


def resolve(world: World, name: str) -> str | None:
    """A computer name (or FQDN) to its first IPv4 address; an IPv4 literal to itself. # inferred: LLMNR/NetBIOS"""
    try:
        return str(ipaddress.IPv4Address(name))
    except ValueError:
        pass
    short = name.split(".", 1)[0].lower()
    for host in world.hosts:
        if host.name.lower() == short or host.fqdn.lower() == name.lower():
            return first_ipv4(host)
    return None


def _routed(world: World, nic: NetAdapter) -> bool:
    subnet = world.subnet(nic.subnet or "")
    if nic.status != "Up" or not nic.gateway or subnet is None or subnet.gateway != nic.gateway:
        return False
    gateway = ipaddress.IPv4Address(nic.gateway)
    return any(gateway in interface(a).network for a in ipv4_addresses(nic))


def reachable(world: World, source: Host, address: str) -> bool:
    target = owner_of(world, address)
    if target is None:
        return False
    wanted = ipaddress.IPv4Address(address)
    for nic in source.adapters:
        if nic.status != "Up" or not ipv4_addresses(nic):
            continue
        same_segment = target.subnet is not None and nic.subnet == target.subnet.name
        in_subnet = any(wanted in interface(a).network for a in ipv4_addresses(nic))
        target_up = target.adapter is None or target.adapter.status == "Up"
        if same_segment and in_subnet and target_up:
            return True
        if (
            target.adapter is not None
            and target_up
            and _routed(world, nic)
            and _routed(world, target.adapter)
        ):
            return True
    return False


def answers_echo(world: World, source: Host, address: str) -> bool:
    """An ICMPv4 echo from ``source`` to ``address`` gets a reply (reachability + the target's firewall)."""
    if source.power != "Running" or not reachable(world, source, address):
        return False
    target = owner_of(world, address)
    if target is None:
        return False
    if target.host is None:
        return True  # a router or the segment's DNS server: no host firewall (inferred)
    if target.host is source:
        return True  # inferred: pinging yourself is loopback-like and always answers
    if target.host.power != "Running":
        return False
    return any(
        r.enabled and r.direction == "Inbound" and r.action == "Allow" and r.protocol == "ICMPv4"
        for r in target.host.firewall_rules
    )


def dhcp_lease(world: World, nic: NetAdapter) -> IPAddress | None:
    """A fresh lease from the segment's DHCP server (None when the segment has no DHCP)."""
    subnet = world.subnet(nic.subnet or "")
    if subnet is None or not subnet.dhcp:
        return None
    world.rng_counter += 1
    rng = random.Random(world.seed * 7919 + world.rng_counter)
    network = ipaddress.IPv4Network(subnet.prefix)
    used = {a.address for h in world.hosts for n in h.adapters for a in n.addresses}
    while True:
        candidate = str(network.network_address + rng.randrange(100, 200))
        if candidate not in used:
            break
    if candidate not in subnet.leased:
        subnet.leased.append(candidate)
    nic.gateway = subnet.gateway
    nic.dhcp_dns = list(subnet.dns_servers)
    return IPAddress(
        address=candidate,
        prefix_length=network.prefixlen,
        lease_obtained=world.now(),
        lease_seconds=8 * 24 * 3600,  # inferred: Windows DHCP server default lease (8 days)
    )
