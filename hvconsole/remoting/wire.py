"""The seam to pypsrp: a Pipeline onto a pypsrp PowerShell, and pypsrp/requests failures into typed errors."""

from __future__ import annotations

from typing import Any

import requests
import urllib3.exceptions
from pypsrp.complex_objects import PSCredential
from pypsrp.exceptions import AuthenticationError, WinRMError, WinRMTransportError, WSManFaultError
from pypsrp.powershell import PowerShell
from pypsrp.serializer import TaggedValue

from hvconsole.remoting.command import Hashtable, Pipeline, PSCredentialValue, Secret, Switch, Value
from hvconsole.remoting.errors import (
    AuthenticationFailed,
    CertificateRejected,
    ConnectionLost,
    OperationTimedOut,
    RemotingError,
    Unreachable,
)
from hvconsole.remoting.settings import ConnectionSettings

_I32 = range(-(2**31), 2**31)
_TLS_TRANSIENT = ("EOF", "eof", "Connection reset", "ECONNRESET", "Broken pipe")


def wire_value(value: Value) -> Any:
    """A parameter value as pypsrp serializes it. Switches go as True, like PowerShell's AddParameter(name)."""
    if isinstance(value, Switch):
        return True
    if isinstance(value, Secret):
        return TaggedValue("SS", value.reveal())
    if isinstance(value, PSCredentialValue):
        return PSCredential(username=value.username, password=value.password.reveal())
    if isinstance(value, tuple):
        return [wire_value(v) for v in value]
    if isinstance(value, Hashtable):  # a dict serializes as a Hashtable (DCT)
        return {k: wire_value(v) for k, v in value.items}
    if isinstance(value, int) and not isinstance(value, bool) and value not in _I32:
        return TaggedValue("I64", value)
    return value


def add_pipeline(ps: PowerShell, pipeline: Pipeline) -> PowerShell:
    """Add every statement as cmdlets + named parameters (never ``add_script``)."""
    for statement in pipeline.statements:
        for command in statement.commands:
            ps.add_cmdlet(command.name)
            for name, value in command.parameters:
                ps.add_parameter(name, wire_value(value))
        ps.add_statement()
    return ps


READ_VERBS = frozenset(
    {"get", "test", "resolve", "select", "where", "sort", "measure", "format", "out", "convertto", "find"}
)


def started_nowhere(exc: BaseException) -> bool:
    """True when a failed Command request cannot have started the pipeline (safe to retry on a new pool).

    A refused connection or a WS-Management fault (the shell refused it, e.g. an unknown ShellId after the
    endpoint restarted) proves it never ran. A connection that broke after the request went out (the reply
    was lost: urllib3's ProtocolError, "Connection aborted"), a read timeout or an HTTP error does not: the
    host may have started it, so it is not repeated blindly."""
    if isinstance(exc, WSManFaultError):
        return True
    if isinstance(exc, requests.ReadTimeout) or not isinstance(exc, requests.ConnectionError):
        return False
    return not _reply_lost(exc)


def _reply_lost(exc: BaseException) -> bool:
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if id(item) in seen or item is None:
            continue
        seen.add(id(item))
        if isinstance(item, urllib3.exceptions.ProtocolError | urllib3.exceptions.ReadTimeoutError):
            return True
        if isinstance(item, BaseException):
            pending.extend([*item.args, item.__cause__, item.__context__, getattr(item, "reason", None)])
    return False


def only_reads(pipeline: Pipeline) -> bool:
    """Every command only reads (Get-, Test-, Select- …): running it twice changes nothing on the host."""
    return all(command.name.split("-", 1)[0].lower() in READ_VERBS for command in pipeline.commands)


def translate(exc: BaseException, settings: ConnectionSettings, *, opening: bool) -> RemotingError:
    """A typed error with a message built here (no password can reach it)."""
    host, where = (
        settings.host,
        f"{settings.address}:{settings.port or ('5986' if settings.https else '5985')}",
    )
    if isinstance(exc, RemotingError):
        return exc
    if isinstance(exc, AuthenticationError):
        user = settings.username or "(certificate)"
        return AuthenticationFailed(f"{where} refused the credentials of {user} ({settings.auth})", host)
    if isinstance(exc, requests.exceptions.SSLError):
        text = str(exc)
        if any(marker in text for marker in _TLS_TRANSIENT) and "CERTIFICATE_VERIFY_FAILED" not in text:
            # the connection closed during the handshake (a host going down or restarting): not a refusal
            kind = Unreachable if opening else ConnectionLost
            return kind(f"{where} closed the connection during the TLS handshake", host)
        reason = (
            "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in text else "TLS handshake failed"
        )
        return CertificateRejected(f"{where}: {reason} (check the CA or cert_validation)", host)
    if isinstance(exc, requests.ReadTimeout):
        return OperationTimedOut(f"{where} did not answer within {settings.read_timeout:g} s", host)
    if isinstance(exc, requests.ConnectTimeout):
        return Unreachable(f"{where}: no answer within {settings.connect_timeout:g} s", host)
    if isinstance(exc, requests.ConnectionError | ConnectionError):
        if opening:
            return Unreachable(f"{where} is unreachable (connection refused or reset)", host)
        return ConnectionLost(f"the connection to {where} dropped", host)
    if isinstance(exc, WSManFaultError):
        reason = (exc.reason or "").strip()[:200]
        kind = Unreachable if opening else ConnectionLost
        return kind(f"{where}: WS-Management fault {exc.code or 0:#x} {reason}".rstrip(), host)
    if isinstance(exc, WinRMTransportError):
        kind = Unreachable if opening else ConnectionLost
        return kind(f"{where}: HTTP {exc.code} from the endpoint", host)
    if isinstance(exc, WinRMError):
        return ConnectionLost(f"{where}: {type(exc).__name__}: {str(exc)[:200]}", host)
    return ConnectionLost(f"{where}: unexpected {type(exc).__name__}", host)
