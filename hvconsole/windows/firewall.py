"""MSFT_NetFirewallRule as the firewall stage reads it (reference §1.8). ``Enabled`` is a string-backed
enum (True/False; CIM values 1/2 over remoting), never a bool on the wire."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


def _enabled(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true")


class FirewallRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    display_name: str = ""
    display_group: str = ""
    enabled: bool = False
    inbound: bool = True

    @classmethod
    def from_properties(cls, p: dict[str, Any]) -> FirewallRule:
        direction = str(p.get("Direction") or "1")
        return cls(
            name=str(p.get("Name") or ""),
            display_name=str(p.get("DisplayName") or ""),
            display_group=str(p.get("DisplayGroup") or ""),
            enabled=_enabled(p.get("Enabled")),
            inbound=direction in ("1", "Inbound"),
        )
