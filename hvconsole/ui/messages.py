"""Messages the UI's workers post back to the screens (small dataclasses; high-rate ones do not bubble)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from hvconsole.stages.overview import HostOverview


@dataclass
class HostConnectionChanged(Message, bubble=False):
    """A host's connection state changed (connecting, connected, unreachable, rebooting, ...)."""

    host: str
    state: str
    detail: str | None = None


@dataclass
class HostOverviewRead(Message, bubble=False):
    """A refresh of one host finished: its overview, or the error that stopped it."""

    host: str
    overview: HostOverview | None
    error: str | None = None


@dataclass
class JournalChanged(Message, bubble=False):
    """New journal lines were written."""

    count: int
