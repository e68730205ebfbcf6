"""Fault injection: the lab as the adversary.

Every served host has a ``HostFaults`` (on ``LabRuntime.faults``, a ``FaultBoard``). Faults are switched on
and off while the lab runs, from Python (``runtime.faults.apply("HV1:down")``), from outside the process
through the control channel (``lab/control.py``) or at start (``hvconsole lab serve --faults SPEC``).

Grammar (items separated by commas or whitespace; ``--faults`` may be repeated)::

    ITEM      := HOST ":" FAULT            HOST is a host name (any case) or "*" for every host
    FAULT     := "down"                    endpoint stopped: connection refused
               | "blackhole"               requests are read and never answered (until cleared)
               | "latency=" DURATION       every reply waits this long first ("200ms", "1.5s"; bare = ms)
               | "drop=" P ["@" CMDLET]    a reply is lost (the connection is cut after the request ran),
                                           with probability P; with @CMDLET only replies of a pipeline
                                           that runs CMDLET (the change happens, its answer never arrives)
               | "http500=" P ["@" CMDLET] a reply is replaced by a bare HTTP 500 (same "@" rule)
               | "hang=" CMDLET            a pipeline running CMDLET never finishes until stopped or cleared
               | "fail=" CMDLET ":" ERRORID  CMDLET ends Failed with FullyQualifiedErrorId ERRORID,CMDLET
               | "expired-credentials"     every request is answered 401 from now on
               | "reboot-after=" N         the host crashes and reboots while running its N-th next pipeline
                                           (after the change happened, before the reply left)
               | "clear"                   remove every fault of HOST
               | "no-" NAME                remove one fault (no-down, no-latency, no-fail, ...)

Hook points: the transport (``transport_decision``/``transport_poisoned``: blackhole, latency, drop,
http500, expired credentials), the runspace (``FaultyBackend``: hang, fail, reboot-after, drop/http500 "@",
and the ring buffer of received CommandCalls), and the runtime (``down``/reboot: stopping endpoints).
Not here yet: a migration whose destination dies — the hook is ``HostFaults.on_crash`` (the runtime's
crash-reboot), which the VM work can call when a migration's destination is faulted.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hvconsole.lab.fault_spec import FaultItem, FaultSpecError, parse_spec
from hvconsole.lab.protocol import CommandCall, ErrorRec, LabHostBackend, PipelineSink, TerminatingError

RECEIVED_KEEP = 512


@dataclass
class TransportDecision:
    """What the transport does with one request (decided before it is handled)."""

    latency: float = 0.0
    blackhole: bool = False
    refuse_credentials: bool = False


@dataclass
class HostFaults:
    """The faults of one host; every method is thread-safe. ``injected`` counts each fault that struck."""

    name: str
    seed: int | None = None
    down: bool = False
    blackhole: bool = False
    latency: float = 0.0
    drop: tuple[float, str | None] = (0.0, None)
    http500: tuple[float, str | None] = (0.0, None)
    hang: set[str] = field(default_factory=set)
    fail: dict[str, str] = field(default_factory=dict)
    expired_credentials: bool = False
    reboot_after: int | None = None
    received: collections.deque[CommandCall] = field(
        default_factory=lambda: collections.deque(maxlen=RECEIVED_KEEP)
    )
    injected: collections.Counter[str] = field(default_factory=collections.Counter)
    on_change: Callable[[HostFaults], None] | None = None
    on_crash: Callable[[HostFaults], None] | None = None  # set by the runtime: crash-reboot this host now

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._random = random.Random(self.seed)
        self._poisoned: list[str] = []  # replies to spoil next: "drop" or "http500"

    # --- switching ------------------------------------------------------------------------------------
    def apply(self, item: FaultItem) -> None:
        with self._lock:
            if item.remove:
                self._remove(item.kind)
            elif item.kind == "down":
                self.down = True
            elif item.kind == "blackhole":
                self.blackhole = True
            elif item.kind == "expired-credentials":
                self.expired_credentials = True
            elif item.kind == "latency":
                self.latency = float(item.value)
            elif item.kind == "drop":
                self.drop = (float(item.value), item.cmdlet)
            elif item.kind == "http500":
                self.http500 = (float(item.value), item.cmdlet)
            elif item.kind == "hang":
                self.hang.add(str(item.value).lower())
            elif item.kind == "fail":
                cmdlet, error_id = item.value
                self.fail[cmdlet.lower()] = error_id
            elif item.kind == "reboot-after":
                self.reboot_after = int(item.value)
            self._changed.notify_all()
        if self.on_change is not None:
            self.on_change(self)

    def _remove(self, kind: str) -> None:
        everything = kind == "*"
        if everything or kind == "down":
            self.down = False
        if everything or kind == "blackhole":
            self.blackhole = False
        if everything or kind == "expired-credentials":
            self.expired_credentials = False
        if everything or kind == "latency":
            self.latency = 0.0
        if everything or kind == "drop":
            self.drop = (0.0, None)
        if everything or kind == "http500":
            self.http500 = (0.0, None)
        if everything or kind == "hang":
            self.hang.clear()
        if everything or kind == "fail":
            self.fail.clear()
        if everything or kind == "reboot-after":
            self.reboot_after = None
        if everything:
            self._poisoned.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "down": self.down,
                "blackhole": self.blackhole,
                "latency_ms": round(self.latency * 1000),
                "drop": {"probability": self.drop[0], "cmdlet": self.drop[1]},
                "http500": {"probability": self.http500[0], "cmdlet": self.http500[1]},
                "hang": sorted(self.hang),
                "fail": dict(self.fail),
                "expired_credentials": self.expired_credentials,
                "reboot_after": self.reboot_after,
                "injected": dict(self.injected),
            }

    @property
    def active(self) -> bool:
        with self._lock:
            return bool(
                self.down
                or self.blackhole
                or self.latency
                or self.drop[0]
                or self.http500[0]
                or self.hang
                or self.fail
                or self.expired_credentials
                or self.reboot_after
            )

    def _strike(self, kind: str) -> None:
        self.injected[kind] += 1

    # --- transport hooks ------------------------------------------------------------------------------
    def transport_decision(self) -> TransportDecision:
        with self._lock:
            decision = TransportDecision(self.latency, self.blackhole, self.expired_credentials)
            for kind, on in (
                ("latency", bool(self.latency)),
                ("blackhole", self.blackhole),
                ("expired-credentials", self.expired_credentials),
            ):
                if on:
                    self._strike(kind)
            return decision

    def wait_blackhole(self, give_up: Callable[[], bool], limit: float = 600.0) -> None:
        """Hold a request while the host is a black hole (bounded by ``limit`` and ``give_up``)."""
        deadline = time.monotonic() + limit
        with self._lock:
            while self.blackhole and not give_up() and time.monotonic() < deadline:
                self._changed.wait(0.1)

    def transport_poisoned(self) -> str | None:
        """After a request ran: "drop" (cut the connection), "http500" (bare 500) or None (reply)."""
        with self._lock:
            if self._poisoned:
                kind = self._poisoned.pop(0)
                self._strike(kind)
                return kind
            for kind, (probability, cmdlet) in (("drop", self.drop), ("http500", self.http500)):
                if cmdlet is None and probability and self._random.random() < probability:
                    self._strike(kind)
                    return kind
            return None

    # --- runspace hooks -------------------------------------------------------------------------------
    def record(self, calls: list[CommandCall]) -> None:
        with self._lock:
            self.received.extend(calls)

    def received_calls(self) -> list[CommandCall]:
        with self._lock:
            return list(self.received)

    def before_pipeline(self, calls: list[CommandCall], stopping: Callable[[], bool]) -> None:
        """Hang, fail or arm a spoiled reply for this pipeline; raises TerminatingError for ``fail``."""
        names = [call.name.lower() for call in calls]
        with self._lock:
            for kind, (probability, cmdlet) in (("drop", self.drop), ("http500", self.http500)):
                if cmdlet and cmdlet.lower() in names and self._random.random() < probability:
                    self._poisoned.append(kind)
            failing = next((name for name in names if name in self.fail), None)
            if failing is not None:
                self._strike("fail")
                cmdlet = next(c.name for c in calls if c.name.lower() == failing)
                error_id = self.fail[failing]
                raise TerminatingError(
                    ErrorRec(
                        message=f"{cmdlet} failed on {self.name} ({error_id}; injected by the lab).",
                        fqid=f"{error_id},{cmdlet}",
                        category="NotSpecified",
                        activity=cmdlet,
                    )
                )
            if any(name in self.hang for name in names):
                self._strike("hang")
                while any(name in self.hang for name in names) and not stopping():
                    self._changed.wait(0.1)

    def after_pipeline(self) -> bool:
        """Count down ``reboot-after``; True when the host must crash now (the caller calls ``on_crash``)."""
        with self._lock:
            if self.reboot_after is None:
                return False
            self.reboot_after -= 1
            if self.reboot_after > 0:
                return False
            self.reboot_after = None
            self._strike("reboot")
            return True


class FaultBoard:
    """Every host's faults, by name (case-insensitive). ``apply`` takes a spec string (see the grammar)."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._hosts: dict[str, HostFaults] = {}
        self._lock = threading.Lock()

    def host(self, name: str) -> HostFaults:
        with self._lock:
            key = name.lower()
            if key not in self._hosts:
                seed = None if self.seed is None else self.seed + len(self._hosts)
                self._hosts[key] = HostFaults(name, seed=seed)
            return self._hosts[key]

    def names(self) -> list[str]:
        with self._lock:
            return [faults.name for faults in self._hosts.values()]

    def apply(self, spec: str) -> list[FaultItem]:
        """Parse all of ``spec`` first (nothing changes on an error), then switch the faults."""
        items = parse_spec(spec)
        known = {name.lower() for name in self.names()}
        for item in items:
            if item.host != "*" and item.host.lower() not in known:
                raise FaultSpecError(f"{item.host}:…: no such host in this lab ({', '.join(self.names())})")
        for item in items:
            targets = self.names() if item.host == "*" else [item.host]
            for name in targets:
                self.host(name).apply(item)
        return items

    def clear(self, name: str | None = None) -> None:
        for host in self.names() if name is None else [name]:
            self.host(host).apply(FaultItem(host, "*", remove=True))

    def describe(self) -> dict[str, Any]:
        return {faults.name: faults.describe() for faults in list(self._hosts.values())}


class FaultyRunspace:
    def __init__(self, inner: Any, faults: HostFaults) -> None:
        self.inner = inner
        self.faults = faults

    def invoke(
        self, commands: list[CommandCall], input_objects: list[Any] | None, sink: PipelineSink
    ) -> None:
        self.faults.record(commands)
        self.faults.before_pipeline(commands, lambda: sink.stopping)
        if sink.stopping:
            return  # stopped while hanging: the command never ran (the pipeline ends Stopped)
        try:
            self.inner.invoke(commands, input_objects, sink)
        finally:
            if self.faults.after_pipeline() and self.faults.on_crash is not None:
                self.faults.on_crash(self.faults)  # returns once the endpoint is gone: no reply leaves


class FaultyBackend:
    """A ``LabHostBackend`` that passes through ``faults`` (expired credentials, runspace faults)."""

    def __init__(self, inner: LabHostBackend, faults: HostFaults) -> None:
        self.inner = inner
        self.faults = faults

    @property
    def name(self) -> str:
        return self.inner.name

    def check_credentials(self, username: str, password: str) -> bool:
        if self.faults.expired_credentials:
            return False
        return self.inner.check_credentials(username, password)

    def open_runspace(self, username: str) -> FaultyRunspace:
        return FaultyRunspace(self.inner.open_runspace(username), self.faults)


__all__ = [
    "FaultBoard",
    "FaultItem",
    "FaultSpecError",
    "FaultyBackend",
    "HostFaults",
    "TransportDecision",
    "parse_spec",
]
