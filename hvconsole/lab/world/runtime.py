"""``LabRuntime``: load or create the world, serve one endpoint per host, handle reboots, save on exit.

Endpoint addresses: by default each host's endpoint MIRRORS its first adapter's IPv4 address into loopback
(simulated 10.b.c.d → endpoint 127.b.c.d, same port), and follows it: when a cmdlet changes that address
(static set, DHCP renew) the runtime stops the endpoint on the old address and starts it on the new mirrored
one, shortly after the pipeline that changed it (so its reply still reaches the client). With an explicit
``bind`` address the hosts get consecutive fixed addresses from it instead and never move.

Transport: ``https`` (Basic over TLS, the lab CA) or ``http`` (NTLM with WinRM message encryption, like a
5985 listener; the accounts go to an NTLM_USER_FILE next to the state). Faults: ``self.faults`` (a
``FaultBoard``, see ``lab/faults.py``); the runtime acts on ``down`` (stops/starts the endpoint) and on a
crash (``reboot-after``: the endpoint vanishes at once, the host boots again after ``CRASH_LAB_SECONDS``).
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hvconsole.lab.endpoint import LabCertificateAuthority, LabEndpoint
from hvconsole.lab.endpoint.ntlm import write_user_file
from hvconsole.lab.faults import FaultBoard, FaultyBackend, HostFaults
from hvconsole.lab.world.backend import LabHost
from hvconsole.lab.world.clock import LabClock
from hvconsole.lab.world.model import Host, World
from hvconsole.lab.world.network import first_ipv4, mirrored_endpoint
from hvconsole.lab.world.scenario import build_world
from hvconsole.lab.world.store import ensure_private_dir, load_world, save_world

log = logging.getLogger(__name__)
SHUTDOWN_LAB_SECONDS = 5.0  # inferred: the endpoint goes away a few seconds after Restart-Computer
MOVE_DELAY_SECONDS = 0.5  # real seconds between an address change and the endpoint move
FALLBACK_BIND = "127.0.0.11"  # mirrored mode: where hosts without any IPv4 address are served
CRASH_LAB_SECONDS = 60.0  # inferred: a crashed host is back a minute (lab time) later
TRANSPORTS = ("https", "http")


class NotLoopback(ValueError):
    pass


def host_addresses(bind: str, count: int) -> list[str]:
    """``count`` consecutive loopback addresses from ``bind``; refuses anything that is not loopback."""
    try:
        first = ipaddress.ip_address(bind)
    except ValueError:
        raise NotLoopback(
            f"--bind {bind!r} is not an IP address; use a loopback address such as 127.0.0.11"
        ) from None
    addresses = [first + i for i in range(count)]
    if not all(a.is_loopback for a in addresses):
        raise NotLoopback(
            f"--bind {bind} is not a loopback address range for {count} hosts: the lab only listens on loopback "
            "(use e.g. 127.0.0.11)"
        )
    return [str(a) for a in addresses]


@dataclass
class ServedHost:
    host: Host
    backend: FaultyBackend
    endpoint: LabEndpoint


class LabRuntime:
    def __init__(
        self,
        state_path: Path,
        scenario: str = "classic",
        speed: float = 1.0,
        bind: str | None = None,
        port: int = 0,
        seed: int | None = None,
        start_time: float | None = None,
        transport: str = "https",
    ) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"unknown transport {transport!r} (one of {', '.join(TRANSPORTS)})")
        self.transport = transport
        self.faults = FaultBoard(seed)
        self._downed: set[str] = set()
        self.state_path = state_path
        self.scenario = scenario
        self.speed = speed
        self.bind = bind
        self.port = port
        self.seed = seed
        self.start_time = start_time  # a new world's clock starts here (epoch seconds; None: now)
        self.lock = threading.RLock()
        self.world: World | None = None
        self.clock: LabClock | None = None
        self.served: list[ServedHost] = []
        self.ca: LabCertificateAuthority | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        ensure_private_dir(self.state_path.parent)
        world = load_world(self.state_path) or build_world(self.scenario, self.seed, now=self.start_time)
        addresses = (
            host_addresses(self.bind, len(world.hosts)) if self.bind else self._mirrored_addresses(world)
        )
        self.clock = LabClock(world.lab_time, self.speed)
        world.attach_clock(self.clock)
        for host in world.hosts:  # a reboot cut short by a stop finishes now
            if host.power != "Running":
                world.finish_reboot(host)
        self.world = world
        save_world(world, self.state_path)
        certs = self.state_path.parent / "certs"
        self.ca = LabCertificateAuthority.load_or_create(certs)
        if self.transport == "http":
            domains = ["", ".", *(h.name for h in world.hosts)]
            write_user_file(
                self.state_path.parent / "ntlm-users", domains, world.admin_username, world.admin_password
            )
        for host, address in zip(world.hosts, addresses, strict=True):
            cert, key = self.ca.issue(address, [host.name, host.name.lower()], certs / host.id)
            faults = self.faults.host(host.name)
            faults.on_change = self._on_fault_change
            faults.on_crash = self._crash
            backend = FaultyBackend(LabHost(world, host, self.lock), faults)
            endpoint = LabEndpoint(
                backend, address, self.port, cert, key, transport=self.transport, faults=faults
            )
            endpoint.start()
            self.served.append(ServedHost(host, backend, endpoint))
        world.on_reboot(self._on_reboot)
        if not self.bind:
            world.on_address_change(self._on_address_change)
        world.on_service_change(self._on_service_change)

    @staticmethod
    def _mirrored_addresses(world: World) -> list[str]:
        fallback = iter(host_addresses(FALLBACK_BIND, len(world.hosts)))
        out = []
        for host in world.hosts:
            address = first_ipv4(host)
            out.append(mirrored_endpoint(address) if address else next(fallback))
        return out

    def describe(self) -> dict[str, Any]:
        """What `lab serve --json` prints: how to reach each host."""
        assert self.world is not None and self.ca is not None
        return {
            "hosts": [
                {
                    "name": s.host.name,
                    "ip": first_ipv4(s.host),
                    "address": s.endpoint.bind,
                    "port": s.endpoint.port,
                    "endpoint": s.endpoint.endpoint_url,
                    "username": self.world.admin_username,
                    "password": self.world.admin_password,
                    "ca_cert": str(self.ca.cert_path),
                    "transport": self.transport,
                    "auth": "ntlm" if self.transport == "http" else "basic",
                }
                for s in self.served
            ]
        }

    def save(self) -> None:
        if self.world is not None:
            with self.lock:
                save_world(self.world, self.state_path)

    def stop(self) -> None:
        self._stopping.set()
        for served in self.served:
            served.endpoint.stop()
        self.save()

    # ----- reboots: the endpoint goes away and comes back after the delay on the lab clock -------------------
    def _on_service_change(self, host: Host, name: str) -> None:
        """WinRM stopped: the host's endpoint goes away (after this reply) until the host restarts."""
        service = host.service("WinRM")
        if name.lower() != "winrm" or service is None or service.status == "Running" or self.clock is None:
            return
        served = next(s for s in self.served if s.host is host)
        threading.Timer(max(0.5, self.clock.real_seconds(2.0)), served.endpoint.stop).start()

    def _on_reboot(self, host: Host, delay_lab_seconds: float) -> None:
        served = next(s for s in self.served if s.host is host)
        thread = threading.Thread(
            target=self._reboot, args=(served, delay_lab_seconds), name=f"lab-reboot-{host.id}", daemon=True
        )
        thread.start()

    def _reboot(self, served: ServedHost, delay_lab_seconds: float) -> None:
        assert self.clock is not None and self.world is not None
        if self._stopping.wait(self.clock.real_seconds(SHUTDOWN_LAB_SECONDS)):
            return
        served.endpoint.stop()
        if self._stopping.wait(self.clock.real_seconds(delay_lab_seconds)):
            return
        with self.lock:
            self.world.finish_reboot(served.host)
            save_world(self.world, self.state_path)
        served.endpoint.start()
        log.info("lab host %s is back after a reboot", served.host.name)

    # ----- address changes: the endpoint follows the host's first IPv4 address ---------------------------
    def _on_address_change(self, host: Host) -> None:
        served = next((s for s in self.served if s.host is host), None)
        if served is None or self._stopping.is_set():
            return
        threading.Thread(target=self._move, args=(served,), name=f"lab-move-{host.id}", daemon=True).start()

    def _move(self, served: ServedHost) -> None:
        if self._stopping.wait(MOVE_DELAY_SECONDS):
            return
        assert self.ca is not None and self.world is not None
        with self.lock:
            address = first_ipv4(served.host)
            save_world(self.world, self.state_path)
        old = served.endpoint
        if address is None or mirrored_endpoint(address) == old.bind:
            return  # no IPv4 address left: keep serving where it was until one comes back (inferred)
        new_bind = mirrored_endpoint(address)
        names = [served.host.name, served.host.name.lower()]
        cert, key = self.ca.issue(new_bind, names, self.state_path.parent / "certs" / served.host.id)
        moved = LabEndpoint(
            served.backend,
            new_bind,
            old.port,
            cert,
            key,
            transport=self.transport,
            faults=served.backend.faults,
        )
        old.stop()
        try:
            moved.start()
        except OSError as failed:
            log.error("lab host %s cannot move to %s:%s (%s)", served.host.name, new_bind, old.port, failed)
            old.start()
            return
        served.endpoint = moved
        log.info("lab host %s now answers at %s:%s", served.host.name, new_bind, moved.port)

    # ----- faults: "down" stops the endpoint until cleared; a crash reboots the host at once ----------------
    def _served(self, faults: HostFaults) -> ServedHost | None:
        return next((s for s in self.served if s.backend.faults is faults), None)

    def _on_fault_change(self, faults: HostFaults) -> None:
        served = self._served(faults)
        if served is None or self._stopping.is_set():
            return
        key = faults.name.lower()
        if faults.down and served.endpoint.running:
            self._downed.add(key)
            served.endpoint.stop()
        elif not faults.down and key in self._downed:
            self._downed.discard(key)
            if served.host.power == "Running":
                served.endpoint.start()

    def _crash(self, faults: HostFaults) -> None:
        """Called on the pipeline's worker: the endpoint is gone when this returns (its reply never leaves)."""
        served = self._served(faults)
        if served is None or self.clock is None:
            return
        with self.lock:
            served.host.power = "Rebooting"
        gone = threading.Event()

        def crash_and_boot(s: ServedHost = served) -> None:
            s.endpoint.stop()
            gone.set()
            assert self.clock is not None and self.world is not None
            if self._stopping.wait(max(1.0, self.clock.real_seconds(CRASH_LAB_SECONDS))):
                return
            with self.lock:
                self.world.finish_reboot(s.host)
                save_world(self.world, self.state_path)
            if s.host.name.lower() not in self._downed and not s.backend.faults.down:
                s.endpoint.start()
            log.info("lab host %s is back after a crash", s.host.name)

        threading.Thread(target=crash_and_boot, name=f"lab-crash-{served.host.id}", daemon=True).start()
        gone.wait(10)
