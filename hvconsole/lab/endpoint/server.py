"""LabEndpoint: one simulated host's WS-Management/PSRP endpoint: HTTPS + Basic, or HTTP + NTLM with message
encryption (``transport="http"``), with the lab's faults applied on the way (``faults``)."""

from __future__ import annotations

import logging
import os
import ssl
import threading

from hvconsole.lab.endpoint import soap
from hvconsole.lab.endpoint.actions import ShellActions
from hvconsole.lab.endpoint.https_server import WSMAN_PATH, LabHTTPServer
from hvconsole.lab.endpoint.shells import ShellGone, ShellRegistry
from hvconsole.lab.endpoint.soap import SoapError
from hvconsole.lab.faults import HostFaults
from hvconsole.lab.protocol import LabHostBackend

log = logging.getLogger(__name__)

DEFAULT_MAX_SHELLS_PER_USER = 30  # WinRM's MaxShellsPerUser default on Windows Server 2012 R2 and later
DEFAULT_IDLE_SHELL_TIMEOUT = 7200.0  # WinRM's IdleTimeout default (2 hours)
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024


class LabEndpoint:
    """A real WS-Management endpoint for one lab host.

    ``start()`` binds ``bind:port`` (port 0 picks a free port, then ``port`` keeps it so that a later
    ``start()`` after ``stop()`` reuses it); ``stop()`` closes the listener, cuts open connections and drops
    every shell, as a reboot does.
    """

    def __init__(
        self,
        backend: LabHostBackend,
        bind: str,
        port: int,
        cert_path: str | os.PathLike[str] | None,
        key_path: str | os.PathLike[str] | None,
        *,
        transport: str = "https",
        faults: HostFaults | None = None,
        operation_timeout: float = 20.0,
        max_shells_per_user: int = DEFAULT_MAX_SHELLS_PER_USER,
        idle_shell_timeout: float = DEFAULT_IDLE_SHELL_TIMEOUT,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        reaper_interval: float | None = None,
    ) -> None:
        self.backend = backend
        self.bind = bind
        self.port = port
        self.operation_timeout = operation_timeout
        self.max_request_bytes = max_request_bytes
        self.shells = ShellRegistry(max_shells_per_user, idle_shell_timeout)
        self.actions = ShellActions(backend, self.shells, operation_timeout)
        self.reaper_interval = reaper_interval or max(0.05, min(60.0, idle_shell_timeout / 4))
        if transport not in ("https", "http"):
            raise ValueError(f"unknown transport {transport!r} (https or http)")
        self.transport = transport
        self.faults = faults
        self._context: ssl.SSLContext | None = None
        if transport == "https":
            if cert_path is None or key_path is None:
                raise ValueError("HTTPS needs a certificate and its key")
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.minimum_version = ssl.TLSVersion.TLSv1_2
            self._context.load_cert_chain(os.fspath(cert_path), os.fspath(key_path))
        self._server: LabHTTPServer | None = None
        self._serve_thread: threading.Thread | None = None
        self._reaper_stop = threading.Event()
        self._reaper_thread: threading.Thread | None = None
        self._state_lock = threading.Lock()

    @property
    def endpoint_url(self) -> str:
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"{self.transport}://{host}:{self.port}{WSMAN_PATH}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        with self._state_lock:
            if self._server is not None:
                return
            server = LabHTTPServer(
                (self.bind, self.port),
                self._context,
                self._handle,
                self.backend.check_credentials,
                self.max_request_bytes,
                self.faults,
            )
            self.port = server.server_address[1]
            self._server = server
            self._serve_thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"lab-endpoint-{self.backend.name}",
                daemon=True,
            )
            self._serve_thread.start()
            self._reaper_stop.clear()
            self._reaper_thread = threading.Thread(
                target=self._reap_loop, name=f"lab-reaper-{self.backend.name}", daemon=True
            )
            self._reaper_thread.start()

    def stop(self) -> None:
        with self._state_lock:
            server, self._server = self._server, None
            if server is None:
                return
            self._reaper_stop.set()
            server.shutdown()
            server.server_close()
            self.shells.close_all()
            server.drop_connections()
            for thread in (self._serve_thread, self._reaper_thread):
                if thread is not None:
                    thread.join(timeout=5)
            self._serve_thread = None
            self._reaper_thread = None

    def __enter__(self) -> LabEndpoint:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _reap_loop(self) -> None:
        while not self._reaper_stop.wait(self.reaper_interval):
            self.shells.reap_idle()

    def _handle(self, user: str, body: bytes) -> tuple[int, bytes]:
        """One SOAP request → (HTTP status, envelope). Every failure becomes a well-formed fault."""
        message_id: str | None = None
        try:
            request = soap.parse_request(body)
            message_id = request.message_id
            return 200, self.actions.handle(request, user, self.endpoint_url)
        except SoapError as error:
            return 500, soap.fault(message_id, error.code, error.subcode, error.reason, self.backend.name)
        except ShellGone:
            return 500, soap.fault(
                message_id,
                soap.CODE_INVALID_SELECTORS,
                "w:InvalidSelectors",
                "The shell was closed on the server.",
                self.backend.name,
            )
        except Exception as error:
            log.exception("lab endpoint %s failed on a request", self.backend.name)
            return 500, soap.fault(
                message_id,
                soap.CODE_INTERNAL,
                "w:InternalError",
                f"The WS-Management service cannot process the request: {type(error).__name__}.",
                self.backend.name,
            )


__all__ = ["LabEndpoint"]
