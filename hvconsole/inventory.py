"""The inventory: the hosts hvconsole manages and how to reach them (a TOML file, validated with pydantic).

Secrets never live here: a host names the keyring entry that holds its credentials (itself or a group).
Errors name the file, the host entry and the field.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Transport = Literal["https", "http"]
Authentication = Literal["negotiate", "kerberos", "ntlm", "credssp", "basic", "certificate"]
CertificateValidation = Literal["on", "off"]

MAX_INVENTORY_BYTES = 1_000_000
_HOST_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})$")
_DNS_NAME = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)


class InventoryError(ValueError):
    """A problem with the inventory file, phrased for the admin who wrote it."""


class HostEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="the host's name as shown in hvconsole (normally its computer name)")
    address: str = Field(description="DNS name or IP address WinRM listens on")
    port: int | None = Field(default=None, ge=1, le=65535)
    transport: Transport = "https"
    authentication: Authentication = "negotiate"
    username: str | None = Field(default=None, max_length=256)
    certificate_validation: CertificateValidation = "on"
    ca_file: str | None = Field(default=None, description="a CA bundle to validate the host's certificate")
    credential: str | None = Field(default=None, description="keyring entry to use (default: the host name)")
    lab: bool = Field(default=False, description="a simulated host of the embedded lab (not saved)")

    @field_validator("name")
    @classmethod
    def _name_is_a_computer_name(cls, value: str) -> str:
        if not _HOST_NAME.match(value):
            raise ValueError("a host name has letters, digits and hyphens only (at most 63), e.g. HV1")
        return value

    @field_validator("address")
    @classmethod
    def _address_is_a_name_or_ip(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
            return value
        except ValueError:
            pass
        if not _DNS_NAME.match(value):
            raise ValueError("not an IP address or DNS name")
        return value

    @model_validator(mode="after")
    def _basic_only_over_https(self) -> HostEntry:
        if self.authentication == "basic" and self.transport != "https":
            raise ValueError("basic authentication sends the password in the clear: use transport = 'https'")
        return self

    @property
    def effective_default_port(self) -> int:
        return 5986 if self.transport == "https" else 5985

    @property
    def effective_port(self) -> int:
        return self.port or self.effective_default_port

    @property
    def credential_key(self) -> str:
        return self.credential or self.name


class HostGroup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    hosts: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name_ok(cls, value: str) -> str:
        if not _HOST_NAME.match(value):
            raise ValueError("a group name has letters, digits and hyphens only (at most 63)")
        return value


class Inventory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hosts: list[HostEntry] = Field(default_factory=list)
    groups: list[HostGroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_unique_and_groups_resolve(self) -> Inventory:
        seen: set[str] = set()
        for host in self.hosts:
            key = host.name.lower()
            if key in seen:
                raise ValueError(f"host {host.name!r} is listed twice")
            seen.add(key)
        for group in self.groups:
            for member in group.hosts:
                if member.lower() not in seen:
                    raise ValueError(
                        f"group {group.name!r} names host {member!r}, which is not in the inventory"
                    )
        return self

    def host(self, name: str) -> HostEntry:
        for host in self.hosts:
            if host.name.lower() == name.lower():
                return host
        raise KeyError(name)

    def groups_of(self, host_name: str) -> list[HostGroup]:
        return [g for g in self.groups if host_name.lower() in (h.lower() for h in g.hosts)]

    def with_host(self, entry: HostEntry) -> Inventory:
        hosts = [h for h in self.hosts if h.name.lower() != entry.name.lower()] + [entry]
        return Inventory(hosts=hosts, groups=self.groups)

    def without_host(self, name: str) -> Inventory:
        self.host(name)
        hosts = [h for h in self.hosts if h.name.lower() != name.lower()]
        groups = [
            HostGroup(name=g.name, hosts=[h for h in g.hosts if h.lower() != name.lower()])
            for g in self.groups
        ]
        return Inventory(hosts=hosts, groups=groups)


def _describe(path: Path, data: dict, error: ValidationError) -> str:
    lines = [f"{path}: the inventory is not valid:"]
    for problem in error.errors():
        location = list(problem.get("loc", ()))
        where: list[str] = []
        if len(location) >= 2 and location[0] in ("hosts", "groups") and isinstance(location[1], int):
            kind, index = location[0], location[1]
            entries = data.get(kind) or []
            name = (
                entries[index].get("name")
                if index < len(entries) and isinstance(entries[index], dict)
                else None
            )
            label = "host" if kind == "hosts" else "group"
            where.append(f"{label} #{index + 1}" + (f" ({name!r})" if isinstance(name, str) else ""))
            location = location[2:]
        field = ".".join(str(part) for part in location)
        if field:
            where.append(f"field {field!r}")
        message = problem.get("msg", "invalid").removeprefix("Value error, ")
        lines.append(f"  - {', '.join(where) or 'file'}: {message}")
    return "\n".join(lines)


def parse_inventory(text: str, path: Path) -> Inventory:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_INVENTORY_BYTES:
        raise InventoryError(f"{path}: the inventory is larger than {MAX_INVENTORY_BYTES // 1000} kB")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InventoryError(f"{path}: not valid TOML: {error}") from None
    try:
        return Inventory.model_validate(data)
    except ValidationError as error:
        raise InventoryError(_describe(path, data, error)) from None


def load_inventory(path: Path) -> Inventory:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InventoryError(f"{path}: not UTF-8 text") from None
    return parse_inventory(text, path)


def save_inventory(inventory: Inventory, path: Path) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half an inventory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = inventory.model_dump(exclude_none=True, exclude_defaults=False)
    for host in data.get("hosts", []):
        host.pop("lab", None)
    temp = path.with_suffix(".toml.tmp")
    temp.write_text(tomli_w.dumps(data), encoding="utf-8")
    temp.replace(path)


def host_names(hosts: Iterable[HostEntry]) -> list[str]:
    return [h.name for h in hosts]
