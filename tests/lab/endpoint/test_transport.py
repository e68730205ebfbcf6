"""TLS, authentication, faults, quotas, reaping and restarts of a LabEndpoint."""

from __future__ import annotations

import socket
import ssl
import time

import pytest
import requests
from pypsrp.exceptions import AuthenticationError, WinRMTransportError, WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from tests.lab.endpoint.conftest import PASSWORD, USER, new_id

SOAP = "http://www.w3.org/2003/05/soap-envelope"


def _envelope(action: str, message_id: str, body: str = "", resource: str = "x") -> str:
    return (
        f'<s:Envelope xmlns:s="{SOAP}" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
        f"<wsa:Action>{action}</wsa:Action><wsa:MessageID>{message_id}</wsa:MessageID>"
        f"<wsman:ResourceURI>{resource}</wsman:ResourceURI></s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )


def _post(endpoint, lab_ca, data: bytes | str, auth=(USER, PASSWORD)) -> requests.Response:
    return requests.post(
        endpoint.endpoint_url,
        data=data.encode() if isinstance(data, str) else data,
        auth=auth,
        verify=str(lab_ca.cert_path),
        headers={"Content-Type": "application/soap+xml;charset=UTF-8"},
        timeout=10,
    )


def _still_serves(endpoint, connect) -> None:
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Small")
        assert len(ps.invoke()) == 1


def test_wrong_password_is_an_authentication_error(endpoint, connect, lab_ca):
    with pytest.raises(AuthenticationError):
        RunspacePool(connect(endpoint, password="wrong")).open()
    response = _post(endpoint, lab_ca, _envelope("a", "uuid:1"), auth=None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="WSMAN"'
    assert response.content == b""


def test_tls_verifies_with_the_lab_ca_only(endpoint, connect):
    _still_serves(endpoint, connect)
    with pytest.raises(requests.exceptions.SSLError):
        RunspacePool(connect(endpoint, cert_validation=True)).open()


def test_certificate_names_the_ip_and_hosts(host_cert, lab_ca):
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(host_cert[0].read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert names.get_values_for_type(x509.DNSName) == ["lab-host1", "lab-host1.lab.local"]
    assert cert.issuer == lab_ca.certificate.subject
    assert host_cert[1].stat().st_mode & 0o777 == 0o600
    assert (lab_ca.cert_path.parent / "ca-key.pem").stat().st_mode & 0o777 == 0o600


def test_ca_is_created_once(lab_ca):
    from hvconsole.lab.endpoint import LabCertificateAuthority

    again = LabCertificateAuthority.load_or_create(lab_ca.cert_path.parent)
    assert again.certificate == lab_ca.certificate


@pytest.mark.parametrize(
    ("payload", "subcode"),
    [
        ("<not xml", "w:SchemaValidationError"),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "w:SchemaValidationError",
        ),
        ("<x/>", "w:SchemaValidationError"),
        (_envelope("http://example.org/Unknown", "uuid:77"), "a:ActionNotSupported"),
    ],
)
def test_bad_requests_get_well_formed_faults(endpoint, connect, lab_ca, payload, subcode):
    response = _post(endpoint, lab_ca, payload)
    assert response.status_code == 500
    fault = WSMan._parse_wsman_fault(response.text)
    assert isinstance(fault.code, int)
    assert subcode in response.text
    assert fault.reason
    if "uuid:77" in payload:
        assert "<wsa:RelatesTo>uuid:77</wsa:RelatesTo>" in response.text
    _still_serves(endpoint, connect)


def test_oversized_request_is_refused(make_endpoint, connect, lab_ca):
    endpoint = make_endpoint(max_request_bytes=64 * 1024)
    response = _post(endpoint, lab_ca, b"<x>" + b"a" * 100_000 + b"</x>")
    assert response.status_code == 413
    _still_serves(endpoint, connect)


def test_unknown_shell_is_a_fault(endpoint, lab_ca):
    body = _envelope(
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive",
        "uuid:5",
        '<rsp:Receive xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">'
        "<rsp:DesiredStream>stdout</rsp:DesiredStream></rsp:Receive>",
    ).replace(
        "</s:Header>",
        f'<wsman:SelectorSet><wsman:Selector Name="ShellId">{new_id()}</wsman:Selector></wsman:SelectorSet></s:Header>',
    )
    response = _post(endpoint, lab_ca, body)
    assert response.status_code == 500
    assert WSMan._parse_wsman_fault(response.text).code == 0x8033805B


def test_shells_per_user_limit(make_endpoint, connect):
    endpoint = make_endpoint(max_shells_per_user=2)
    pools = [RunspacePool(connect(endpoint)) for _ in range(3)]
    pools[0].open()
    pools[1].open()
    with pytest.raises(WSManFaultError) as raised:
        pools[2].open()
    assert raised.value.code == 2150859173
    assert "maximum number of 2 concurrent shells" in raised.value.reason
    pools[0].close()
    pools[2] = RunspacePool(connect(endpoint))
    pools[2].open()
    for pool in pools[1:]:
        pool.close()


def test_idle_shells_are_reaped(make_endpoint, connect):
    endpoint = make_endpoint(idle_shell_timeout=0.3, reaper_interval=0.05)
    pool = RunspacePool(connect(endpoint))
    pool.open()
    assert pool.is_alive()
    time.sleep(0.8)
    assert len(endpoint.shells) == 0
    assert not pool.is_alive()


def test_stop_then_start_on_the_same_port(make_endpoint, connect):
    endpoint = make_endpoint()
    port = endpoint.port
    pool = RunspacePool(connect(endpoint))
    pool.open()
    endpoint.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert not pool.is_alive()
    with pytest.raises((requests.exceptions.ConnectionError, WinRMTransportError)):
        RunspacePool(connect(endpoint)).open()
    endpoint.start()
    assert endpoint.port == port
    _still_serves(endpoint, connect)


def test_protocol_version_it_cannot_speak_is_refused(endpoint, connect, monkeypatch):
    import pypsrp.powershell

    monkeypatch.setattr(pypsrp.powershell, "PROTOCOL_VERSION", "1.0")
    pool = RunspacePool(connect(endpoint))
    with pytest.raises(WSManFaultError) as raised:
        pool.open()
    assert "protocol version 1.0 is not supported" in raised.value.reason


def test_tls_handshake_failures_do_not_stop_the_endpoint(endpoint, connect):
    context = ssl.create_default_context()  # does not trust the lab CA
    with (
        socket.create_connection(("127.0.0.1", endpoint.port), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname="127.0.0.1")
    _still_serves(endpoint, connect)
