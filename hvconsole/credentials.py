"""Credentials: in the OS keyring (service ``hvconsole``), or in memory for one run when there is no keyring.

An entry is keyed by a host name or a host-group name and holds the account and its password as one keyring
secret. Nothing here writes a secret anywhere else; ``Secret`` values never show in repr or str.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE = "hvconsole"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    username: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.username} (password hidden)"


def _usable(backend: KeyringBackend) -> bool:
    """A backend that can store secrets: not the 'fail' backend, not a chainer with nothing behind it."""
    name = type(backend).__module__ + "." + type(backend).__name__
    if name.startswith("keyring.backends.fail") or name.startswith("keyring.backends.null"):
        return False
    if name.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    try:
        return float(getattr(backend, "priority", 0)) > 0
    except Exception:  # a backend whose priority probe itself fails is unusable
        return False


class CredentialStore:
    """Reads and writes accounts; falls back to memory (for this run only) when no keyring backend exists."""

    def __init__(self, backend: KeyringBackend | None = None, *, memory_only: bool = False) -> None:
        self._memory: dict[str, Account] = {}
        self._backend: KeyringBackend | None
        if memory_only:
            self._backend = None
        else:
            candidate = backend or keyring.get_keyring()
            self._backend = candidate if _usable(candidate) else None
        self.notice: str | None = None
        if self._backend is None and not memory_only:
            self.notice = (
                "No OS keyring is available (common over SSH): credentials are kept in memory for this run "
                "only and will be asked for again next time."
            )

    @property
    def persistent(self) -> bool:
        return self._backend is not None

    def get(self, key: str) -> Account | None:
        if key in self._memory:
            return self._memory[key]
        if self._backend is None:
            return None
        try:
            raw = self._backend.get_password(SERVICE, key)
        except keyring.errors.KeyringError as error:
            log.warning("keyring read failed for %s: %s", key, type(error).__name__)
            return None
        if not raw:
            return None
        try:
            data = json.loads(raw)
            account = Account(str(data["username"]), str(data["password"]))
        except (ValueError, KeyError, TypeError):
            log.warning("keyring entry %s is not an hvconsole account; ignoring it", key)
            return None
        self._memory[key] = account
        return account

    def put(self, key: str, account: Account, *, remember: bool = True) -> None:
        """Keep the account for this run; with ``remember`` also in the keyring (when there is one)."""
        self._memory[key] = account
        if remember and self._backend is not None:
            payload = json.dumps({"username": account.username, "password": account.password})
            self._backend.set_password(SERVICE, key, payload)

    def forget(self, key: str) -> None:
        self._memory.pop(key, None)
        if self._backend is not None:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(SERVICE, key)

    def lookup(self, keys: list[str]) -> Account | None:
        """The first account found among ``keys`` (a host's own entry first, then its groups')."""
        for key in keys:
            account = self.get(key)
            if account is not None:
                return account
        return None
