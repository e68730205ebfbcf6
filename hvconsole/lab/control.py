"""The lab's control channel: a tiny admin HTTP endpoint on 127.0.0.1 for tests and benchmarks.

``lab serve --json`` prints ``"control": {"url": ..., "token": ...}``; every request must carry
``Authorization: Bearer <token>`` (a random token per run). Routes (JSON in, JSON out):

    GET  /faults                      every host's faults and how often each struck
    POST /faults   {"spec": "HV1:down"}   switch faults (grammar in lab/faults.py); 400 + {"error"} if invalid
    POST /clear    {"host": "HV1"}        remove every fault of one host (no "host": of every host)
    GET  /received?host=HV1           the host's last CommandCalls as received (secrets shown as "********")
    POST /received/forget {"host": "HV1"} empty that ring buffer

``LabControl`` is the client (stdlib only), used by tests and ``bench/soak.py``.
"""

from __future__ import annotations

import datetime
import enum
import hmac
import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hvconsole.lab.faults import FaultBoard, FaultSpecError
from hvconsole.lab.protocol import CommandCall, Credential, SecureText

MAX_BODY = 64 * 1024


def plain(value: Any) -> Any:
    """A received parameter value as JSON (exact strings; secrets never leave the lab)."""
    if isinstance(value, SecureText):
        return "********"
    if isinstance(value, Credential):
        return {"username": value.username, "password": "********"}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime.datetime | uuid.UUID):
        return str(value)
    return {"type": type(value).__name__, "text": str(value)}


def call_json(call: CommandCall) -> dict[str, Any]:
    return {
        "name": call.name,
        "parameters": [[name, plain(value)] for name, value in call.parameters],
        "end_of_statement": call.end_of_statement,
        "is_script": call.is_script,
    }


class ControlServer:
    def __init__(self, board: FaultBoard, bind: str = "127.0.0.1") -> None:
        self.board = board
        self.token = secrets.token_urlsafe(24)
        self._server = ThreadingHTTPServer((bind, 0), _Handler)
        self._server.daemon_threads = True
        self._server.control = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def describe(self) -> dict[str, str]:
        return {"url": self.url, "token": self.token}

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="lab-control", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def route(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        if method == "GET" and path == "/faults":
            return 200, self.board.describe()
        if method == "POST" and path == "/faults":
            try:
                items = self.board.apply(str(body.get("spec", "")))
            except FaultSpecError as error:
                return 400, {"error": str(error)}
            return 200, {"applied": len(items)}
        if method == "POST" and path == "/clear":
            host = body.get("host")
            if host is not None and str(host).lower() not in {n.lower() for n in self.board.names()}:
                return 404, {"error": f"no host {host!r} in this lab"}
            self.board.clear(str(host) if host is not None else None)
            return 200, {"cleared": host or "*"}
        if path in ("/received", "/received/forget"):
            host = query.get("host") if method == "GET" else body.get("host")
            if not host or str(host).lower() not in {n.lower() for n in self.board.names()}:
                return 404, {"error": f"no host {host!r} in this lab"}
            faults = self.board.host(str(host))
            if method == "GET" and path == "/received":
                return 200, [call_json(call) for call in faults.received_calls()]
            if method == "POST" and path == "/received/forget":
                with faults._lock:
                    faults.received.clear()
                return 200, {"forgotten": host}
        return 404, {"error": f"no route {method} {path}"}


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _answer(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        control: ControlServer = self.server.control  # type: ignore[attr-defined]
        given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), control.token.encode()):
            self._answer(401, {"error": "a bearer token is required"})
            return
        length = int(self.headers.get("Content-Length", "0") or 0)
        if length > MAX_BODY:
            self._answer(413, {"error": "too large"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        except ValueError:
            self._answer(400, {"error": "the body is not JSON"})
            return
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        status, data = control.route(method, url.path, query, body if isinstance(body, dict) else {})
        self._answer(status, data)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class LabControlError(RuntimeError):
    pass


class LabControl:
    """Client of the control channel (tests, benchmarks)."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        if not url.startswith("http://127.") and not url.startswith("http://[::1]"):
            raise ValueError(f"the lab's control channel is on loopback only, not {url!r}")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310  (loopback http only)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                return json.loads(reply.read())
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("error", error.reason)
            raise LabControlError(f"{method} {path}: {error.code} {detail}") from None

    def apply(self, spec: str) -> None:
        self._call("POST", "/faults", {"spec": spec})

    def clear(self, host: str | None = None) -> None:
        self._call("POST", "/clear", {"host": host} if host else {})

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/faults")
        return result

    def received(self, host: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call(
            "GET", "/received?" + urllib.parse.urlencode({"host": host})
        )
        return result

    def forget_received(self, host: str) -> None:
        self._call("POST", "/received/forget", {"host": host})


__all__ = ["ControlServer", "LabControl", "LabControlError", "call_json", "plain"]
