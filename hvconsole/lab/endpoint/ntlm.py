"""NTLM over HTTP with WinRM message encryption, as a Windows host's 5985 listener does it.

pyspnego is the acceptor: it reads the accounts from the file named by ``NTLM_USER_FILE``
(``write_user_file`` writes one in the smbpasswd format, hashes only, mode 0600). Authentication is
connection-oriented: each HTTP connection has its own ``NtlmConnection`` (a security context), and after
the handshake every request and reply body travels as ``multipart/encrypted`` sealed with that context
(MS-WSMV 2.2.9.1). Plain SOAP over HTTP is refused, like WinRM with AllowUnencrypted=false.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct
from collections.abc import Iterable
from pathlib import Path

import spnego
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1  # the hashes NTLM_USER_FILE's smbpasswd format holds

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
BOUNDARY = "Encrypted Boundary"
_LENGTH = re.compile(rb"Length=(\d+)")


class NtlmRefused(Exception):
    """The handshake failed (wrong password, unknown user, garbage token)."""


def write_user_file(path: Path, domains: Iterable[str], username: str, password: str) -> Path:
    """Write the acceptor's accounts (``username`` under each of ``domains``) and point NTLM_USER_FILE at it."""
    lm, nt = lmowfv1(password).hex().upper(), ntowfv1(password).hex().upper()
    lines = []
    for domain in dict.fromkeys(domains):
        principal = f"{domain}\\{username}" if domain else username
        lines.append(f"{principal}:0:{lm}:{nt}:[U]:LCT-00000000\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(lines)
    os.environ["NTLM_USER_FILE"] = str(path)
    return path


class NtlmConnection:
    """The security context of one HTTP connection."""

    def __init__(self) -> None:
        self._context: spnego.ContextProxy | None = None
        self.user: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def reset(self) -> None:
        self._context = None
        self.user = None

    def step(self, header: str) -> tuple[bool, bytes | None]:
        """Feed an ``Authorization: Negotiate|NTLM <token>`` header → (complete, token for the reply)."""
        scheme, _, text = header.partition(" ")
        if scheme.lower() not in ("negotiate", "ntlm"):
            raise NtlmRefused(f"unsupported scheme {scheme!r}")
        try:
            token = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise NtlmRefused("the token is not base64") from None
        if self._context is None or self.authenticated:
            self.reset()
            self._context = spnego.server(protocol="ntlm", options=spnego.NegotiateOptions.wrapping_winrm)
        try:
            out = self._context.step(token)
        except Exception as error:  # SpnegoError and friends: the credentials were not accepted
            self.reset()
            raise NtlmRefused(type(error).__name__) from None
        if self._context.complete:
            self.user = str(self._context.client_principal or "")
        return self._context.complete, out

    # --- message encryption (MS-WSMV 2.2.9.1) ----------------------------------------------------------
    def unwrap(self, body: bytes) -> bytes:
        assert self._context is not None
        parts = [p for p in re.split(rb"--\s*" + BOUNDARY.encode() + rb"(?:--)?\r\n", body) if p.strip()]
        message = b""
        for header, payload in zip(parts[0::2], parts[1::2], strict=False):
            match = _LENGTH.search(header)
            wrapped = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
            size = struct.unpack("<i", wrapped[:4])[0]
            plain = self._context.unwrap_winrm(wrapped[4 : 4 + size], wrapped[4 + size :])
            if match is None or int(match.group(1)) != len(plain):
                raise NtlmRefused("the encrypted length does not match")
            message += plain
        return message

    def wrap(self, message: bytes) -> tuple[str, bytes]:
        """→ (Content-Type, body)."""
        assert self._context is not None
        result = self._context.wrap_winrm(message)
        sealed = struct.pack("<i", len(result.header)) + result.header + result.data
        head = "\r\n".join(
            [
                f"--{BOUNDARY}",
                f"\tContent-Type: {PROTOCOL}",
                f"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length={len(message) + result.padding_length}",
                f"--{BOUNDARY}",
                "\tContent-Type: application/octet-stream",
                "",
            ]
        ).encode()
        body = head + sealed + f"--{BOUNDARY}--\r\n".encode()
        content_type = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="{BOUNDARY}"'
        return content_type, body


__all__ = ["NtlmConnection", "NtlmRefused", "write_user_file"]
