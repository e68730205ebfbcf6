"""HTTPS transport: a threading HTTP/1.1 server on one address, TLS handshakes in the connection threads,
Basic authentication, a request size cap, and the ability to drop every open connection on stop."""

from __future__ import annotations

import base64
import binascii
import contextlib
import socket
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WSMAN_PATH = "/wsman"
CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
HANDSHAKE_TIMEOUT = 10.0
KEEPALIVE_TIMEOUT = 300.0
DISCARD_LIMIT = 16 * 1024 * 1024

# (user, body) -> (HTTP status, reply body)
RequestHandler = Callable[[str, bytes], tuple[int, bytes]]
CredentialCheck = Callable[[str, str], bool]


class LabHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        context: ssl.SSLContext,
        handle_request: RequestHandler,
        check_credentials: CredentialCheck,
        max_request_bytes: int,
    ) -> None:
        self.context = context
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
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
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
        self.request.do_handshake()
        self.request.settimeout(KEEPALIVE_TIMEOUT)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: requests carry credentials in headers and secrets in bodies."""

    def _reply(self, status: int, body: bytes, extra_headers: dict[str, str] | None = None) -> None:
        """Write status line, headers and body in one write (one TLS record for small replies)."""
        headers = {"Server": self.server_version, "Date": self.date_time_string()}
        if body:
            headers["Content-Type"] = CONTENT_TYPE
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

    def _refuse(self, status: int) -> None:
        self.close_connection = True
        self._reply(status, b"", {"Connection": "close"})

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0].lower() != WSMAN_PATH:
            self._refuse(404)
            return
        user = self._user()
        if user is None:
            self._discard_body()
            self._reply(401, b"", {"WWW-Authenticate": 'Basic realm="WSMAN"'})
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
        status, reply = self.server.handle_soap(user, body)
        self._reply(status, reply)

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
