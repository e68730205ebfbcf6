"""The fault grammar (documented in ``lab/faults.py`` and docs/faults.md): text → ``FaultItem``s."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$", re.IGNORECASE)
_SIMPLE = ("down", "blackhole", "expired-credentials")
_NAMED = ("latency", "drop", "http500", "hang", "fail", "reboot-after")


class FaultSpecError(ValueError):
    """A fault specification that does not follow the grammar (the message names the item)."""


@dataclass(frozen=True)
class FaultItem:
    host: str  # "*" or a host name
    kind: str  # a fault name from the grammar, or "*" with remove=True (clear)
    value: Any = None  # float seconds / probability, cmdlet, (cmdlet, errorid), int
    cmdlet: str | None = None  # the "@CMDLET" qualifier of drop/http500
    remove: bool = False  # "no-KIND" or "clear" (kind "*")


def _probability(text: str, item: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"{item!r}: {text!r} is not a probability between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise FaultSpecError(f"{item!r}: the probability {value:g} is not between 0 and 1")
    return value


def parse_item(item: str) -> FaultItem:
    host, colon, fault = item.strip().partition(":")
    if not colon or not host or not fault:
        raise FaultSpecError(f"{item!r}: expected HOST:FAULT, e.g. HV1:down or *:latency=25ms")
    name, _, value = fault.partition("=")
    lowered = name.lower()
    if lowered == "clear":
        return FaultItem(host, "*", remove=True)
    if lowered.startswith("no-") and lowered[3:] in _SIMPLE + _NAMED:
        return FaultItem(host, lowered[3:], remove=True)
    if lowered in _SIMPLE:
        if value:
            raise FaultSpecError(f"{item!r}: {lowered} takes no value")
        return FaultItem(host, lowered)
    if lowered not in _NAMED or not value:
        known = ", ".join([*_SIMPLE, *(f"{n}=…" for n in _NAMED), "clear"])
        raise FaultSpecError(f"{item!r}: unknown fault or missing value (known: {known})")
    if lowered == "latency":
        match = _DURATION.match(value)
        if not match:
            raise FaultSpecError(f"{item!r}: {value!r} is not a duration such as 200ms or 1.5s")
        seconds = float(match.group(1)) / (1.0 if (match.group(2) or "ms").lower() == "s" else 1000.0)
        if seconds > 600:
            raise FaultSpecError(f"{item!r}: a latency above 600 s is not a link, it is a black hole")
        return FaultItem(host, lowered, seconds)
    if lowered in ("drop", "http500"):
        probability, _, cmdlet = value.partition("@")
        return FaultItem(host, lowered, _probability(probability, item), cmdlet or None)
    if lowered == "hang":
        return FaultItem(host, lowered, value)
    if lowered == "fail":
        cmdlet, _, error_id = value.partition(":")
        if not cmdlet or not error_id or "," in error_id:
            raise FaultSpecError(
                f"{item!r}: expected fail=CMDLET:ERRORID, e.g. fail=Get-Disk:HardwareFailure"
            )
        return FaultItem(host, lowered, (cmdlet, error_id))
    if not value.isdigit() or int(value) < 1:
        raise FaultSpecError(f"{item!r}: reboot-after needs a whole number of pipelines (1 or more)")
    return FaultItem(host, lowered, int(value))


def parse_spec(spec: str) -> list[FaultItem]:
    items = [part for part in re.split(r"[,\s]+", spec.strip()) if part]
    if not items:
        raise FaultSpecError("an empty fault specification")
    return [parse_item(part) for part in items]


__all__ = ["FaultItem", "FaultSpecError", "parse_item", "parse_spec"]
