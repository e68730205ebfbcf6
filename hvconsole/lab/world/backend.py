"""``LabHost``: one simulated host as the endpoint sees it (protocol.LabHostBackend)."""

from __future__ import annotations

import hmac
import threading

import hvconsole.lab.cmdlets  # noqa: F401  (registers every cmdlet)
from hvconsole.lab.engine import Runspace, Session
from hvconsole.lab.world.model import Host, World


class LabHost:
    def __init__(self, world: World, host: Host, lock: threading.RLock) -> None:
        self.world = world
        self.host = host
        self.lock = lock

    @property
    def name(self) -> str:
        return self.host.name

    def accepts_user(self, username: str) -> bool:
        """The local Administrator as "Administrator", ".\\Administrator" or "<COMPUTER>\\Administrator"."""
        domain, _, user = username.rpartition("\\")
        if user.lower() != self.world.admin_username.lower():
            return False
        return domain in ("", ".") or domain.lower() == self.host.name.lower()

    def check_credentials(self, username: str, password: str) -> bool:
        # While "Rebooting" the endpoint still answers until the runtime stops it a few lab seconds later (the
        # reply to Restart-Computer must still reach the client); a powered-off host answers nothing.
        if self.host.power not in ("Running", "Rebooting"):
            return False
        good_password = hmac.compare_digest(password.encode(), self.world.admin_password.encode())
        return self.accepts_user(username) and good_password

    def open_runspace(self, username: str) -> Runspace:
        return Runspace(Session(world=self.world, host=self.host, lock=self.lock, username=username))
