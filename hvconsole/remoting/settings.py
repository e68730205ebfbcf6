"""How to reach one host. The password is a callback, so it is never stored here (nor in repr or dumps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Auth = Literal["basic", "ntlm", "negotiate", "kerberos", "credssp", "certificate"]
AUTHS: tuple[Auth, ...] = ("basic", "ntlm", "negotiate", "kerberos", "credssp", "certificate")


@dataclass(frozen=True)
class ConnectionSettings:
    """Connection settings of one host.

    ``cert_validation``: True (system store), a CA bundle path, or False (accept any certificate).
    Timeouts are seconds: ``connect_timeout`` for TCP/TLS, ``read_timeout`` for one HTTP reply,
    ``operation_timeout`` the WS-Management OperationTimeout (kept below read_timeout).
    ``idle_check_after``: a pool idle longer than this is checked with ``is_alive()`` before reuse.
    ``reconnect_*``: after a drop, reopen with exponential backoff (base, doubling, capped at max).
    ``poll_interval``: how long one Receive may wait while a pipeline runs; bounds cancel latency.
    ``max_concurrent``: pipelines one host session runs at once (runspaces in the pool).
    ``pipeline_timeout``: the time limit of a pipeline run without an explicit ``timeout`` (a hung
    pipeline is stopped then: nothing waits forever).
    """

    host: str
    address: str
    port: int | None = None
    https: bool = True
    auth: Auth = "negotiate"
    cert_validation: bool | str = True
    username: str | None = None
    password: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    certificate_pem: str | None = None
    certificate_key_pem: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    operation_timeout: int = 20
    idle_check_after: float = 30.0
    reconnect_attempts: int = 6
    reconnect_base_delay: float = 0.5
    reconnect_max_delay: float = 8.0
    poll_interval: float = 0.5
    max_concurrent: int = 4
    pipeline_timeout: float = 900.0

    def __post_init__(self) -> None:
        if self.auth not in AUTHS:
            raise ValueError(f"{self.host}: unknown authentication {self.auth!r} (one of {', '.join(AUTHS)})")
        if self.auth == "basic" and not self.https:
            raise ValueError(f"{self.host}: Basic authentication is only offered over HTTPS")
        if self.auth == "certificate" and not (
            self.https and self.certificate_pem and self.certificate_key_pem
        ):
            raise ValueError(f"{self.host}: certificate authentication needs HTTPS and a certificate + key")
        if self.operation_timeout >= self.read_timeout:
            raise ValueError(f"{self.host}: operation_timeout must be below read_timeout")
        if self.pipeline_timeout <= 0:
            raise ValueError(f"{self.host}: pipeline_timeout must be positive")
        if self.max_concurrent < 1 or self.reconnect_attempts < 1:
            raise ValueError(f"{self.host}: max_concurrent and reconnect_attempts must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        """Plain settings for display or saving: without the password callback."""
        data = asdict(self)
        data.pop("password")
        return data

    def wsman_kwargs(self) -> dict[str, Any]:
        """Arguments for ``pypsrp.wsman.WSMan`` (asks the password callback; keep the result short-lived)."""
        kwargs: dict[str, Any] = {
            "server": self.address,
            "port": self.port,
            "ssl": self.https,
            "auth": self.auth,
            "cert_validation": self.cert_validation,
            "username": self.username,
            "password": self.password() if self.password is not None else None,
            "connection_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "operation_timeout": self.operation_timeout,
        }
        if self.auth == "certificate":
            kwargs["certificate_pem"] = self.certificate_pem
            kwargs["certificate_key_pem"] = self.certificate_key_pem
        return kwargs
