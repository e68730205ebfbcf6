"""The transport: a threading HTTP/1.1 server on one address — HTTPS + Basic (TLS handshakes in the connection
threads) or HTTP + NTLM with WinRM message encryption (``ntlm.py``) — a request size cap, the ability to drop
every open connection on stop, and the lab's transport faults (black hole, latency, lost replies, HTTP 500,
expired credentials: ``hvconsole.lab.faults``)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hvconsole.lab.endpoint.ntlm import NtlmConnection, NtlmRefused
from hvconsole.lab.faults import HostFaults

WSMAN_PATH = "/wsman"
CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
HANDSHAKE_TIMEOUT = 10.0
KEEPALIVE_TIMEOUT = 300.0
DISCARD_LIMIT = 16 * 1024 * 1024

# (user, body) -> (HTTP status, reply body)
RequestHandler = Callable[[str, bytes], tuple[int, bytes]]
CredentialCheck = Callable[[str, str], bool]


def _shutdown(connection: socket.socket) -> None:
    """Shut a connection down at the TCP level. Not ``SSLSocket.shutdown``: it drops the TLS object first, so
    a handler thread writing at that moment would send its reply in PLAINTEXT (the client then sees
    WRONG_VERSION_NUMBER and takes it for a certificate problem)."""
    socket.socket.shutdown(connection, socket.SHUT_RDWR)


class LabHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        context: ssl.SSLContext | None,
        handle_request: RequestHandler,
        check_credentials: CredentialCheck,
        max_request_bytes: int,
        faults: HostFaults | None = None,
    ) -> None:
        self.context = context  # None: plain HTTP with NTLM + message encryption
        self.faults = faults
        self.closing = False
        self.handle_soap = handle_request
        self.check_credentials = check_credentials
        self.max_request_bytes = max_request_bytes
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[Any, Any]:
        connection, address = self.socket.accept()
        # Replies are small and request/response shaped: without this, Nagle + delayed ACK add ~40 ms stalls.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.context is None:
            with self._connections_lock:
                self._connections.add(connection)
            return connection, address
        wrapped = self.context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        with self._connections_lock:
            self._connections.add(wrapped)
        return wrapped, address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Cut every open connection (keep-alive ones included), as a rebooting host does."""
        self.closing = True
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                _shutdown(connection)
            with contextlib.suppress(OSError):
                connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client-side failures (TLS refusals, resets) are routine: keep the console quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LabHTTPServer
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""

    def setup(self) -> None:
        self.request.settimeout(HANDSHAKE_TIMEOUT)
        if self.server.context is not None:
            self.request.do_handshake()
        self.request.settimeout(KEEPALIVE_TIMEOUT)
        self.ntlm = NtlmConnection()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: requests carry credentials in headers and secrets in bodies."""

    def _reply(
        self, status: int, body: bytes, extra_headers: dict[str, str] | None = None, *, plain: bool = False
    ) -> None:
        """Write status line, headers and body in one write (one TLS record for small replies). Over NTLM
        the body is sealed with the connection's context unless ``plain``."""
        headers = {"Server": self.server_version, "Date": self.date_time_string()}
        if body and not plain and self.server.context is None and self.ntlm.authenticated:
            headers["Content-Type"], body = self.ntlm.wrap(body)
        elif body:
            headers["Content-Type"] = "text/plain" if plain else CONTENT_TYPE
        headers["Content-Length"] = str(len(body))
        headers.update(extra_headers or {})
        reason = self.responses.get(status, ("",))[0]
        head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.wfile.write(head.encode("latin-1") + b"\r\n" + body)

    def _user(self) -> str | None:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        user, separator, password = decoded.partition(":")
        if not separator or not user:
            return None
        return user if self.server.check_credentials(user, password) else None

    def _ntlm_user(self) -> str | None:
        """NTLM handshake legs answer 401 + token themselves (None); then the connection's user."""
        header = self.headers.get("Authorization")
        if header:
            try:
                complete, token = self.ntlm.step(header)
            except NtlmRefused:
                complete, token = False, None
            if not complete:
                self._discard_body()
                challenge = "Negotiate" + (f" {base64.b64encode(token).decode()}" if token else "")
                self._reply(401, b"", {"WWW-Authenticate": challenge})
                return None
        if not self.ntlm.authenticated:
            self._discard_body()
            self._reply(401, b"", {"WWW-Authenticate": "Negotiate"})
            return None
        return self.ntlm.user

    def _refuse(self, status: int) -> None:
        self.close_connection = True
        self._reply(status, b"", {"Connection": "close"})

    def _unauthorized(self) -> None:
        self.ntlm.reset()
        self._discard_body()
        scheme = "Negotiate" if self.server.context is None else 'Basic realm="WSMAN"'
        self._reply(401, b"", {"WWW-Authenticate": scheme})

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0].lower() != WSMAN_PATH:
            self._refuse(404)
            return
        faults = self.server.faults
        decision = faults.transport_decision() if faults is not None else None
        if decision is not None and decision.refuse_credentials:
            self._unauthorized()  # expired credentials: every request from now on
            return
        if self.server.context is None:
            user = self._ntlm_user()
            if user is None:
                return
        else:
            user = self._user()
            if user is None:
                self._unauthorized()
                return
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.strip().isdigit():
            self._refuse(411)
            return
        length = int(length_text)
        if length > self.server.max_request_bytes:
            self._skip(length)  # read (without keeping) so the client sees the answer, not a reset
            self._refuse(413)
            return
        body = self.rfile.read(length)
        if self.server.context is None:
            if not body:
                self._reply(200, b"")  # the empty request that carried the last handshake leg
                return
            if not self.headers.get("Content-Type", "").lower().startswith("multipart/encrypted"):
                self._refuse(400)  # inferred: AllowUnencrypted=false refuses plain SOAP over HTTP
                return
            try:
                body = self.ntlm.unwrap(body)
            except Exception:
                self._refuse(400)
                return
        if decision is not None and faults is not None:
            if decision.blackhole:
                faults.wait_blackhole(lambda: self.server.closing)
                self._cut()
                return
            if decision.latency:
                time.sleep(decision.latency)
        status, reply = self.server.handle_soap(user, body)
        poisoned = faults.transport_poisoned() if faults is not None else None
        if poisoned == "drop":
            self._cut()  # the request ran; its answer is lost with the connection
            return
        if poisoned == "http500":
            self._reply(500, b"Internal Server Error", plain=True)
            return
        self._reply(status, reply)

    def _cut(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            _shutdown(self.request)

    def _discard_body(self) -> None:
        length_text = self.headers.get("Content-Length", "0").strip()
        length = int(length_text) if length_text.isdigit() else 0
        if 0 < length <= self.server.max_request_bytes:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _skip(self, length: int) -> None:
        """Read and drop up to DISCARD_LIMIT bytes of an oversized body; beyond that just close."""
        remaining = min(length, DISCARD_LIMIT)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def do_GET(self) -> None:
        self._refuse(405)


__all__ = ["WSMAN_PATH", "LabHTTPServer"]
