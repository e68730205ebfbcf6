"""WS-Management SOAP envelopes: safe parsing of requests, building of replies and faults."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
NS_WSMAN_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
NS_SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
NS_TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
NS_XML = "http://www.w3.org/XML/1998/namespace"

ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

ACTION_CREATE = NS_TRANSFER + "/Create"
ACTION_DELETE = NS_TRANSFER + "/Delete"
ACTION_GET = NS_TRANSFER + "/Get"
ACTION_RECEIVE = NS_SHELL + "/Receive"
ACTION_COMMAND = NS_SHELL + "/Command"
ACTION_SEND = NS_SHELL + "/Send"
ACTION_SIGNAL = NS_SHELL + "/Signal"

# WS-Management / WinRM fault codes (winerror.h).
CODE_OPERATION_TIMEOUT = 0x80338029
CODE_INVALID_SELECTORS = 0x8033805B  # the shell (or command) was not found
CODE_ACTION_NOT_SUPPORTED = 0x80338011
CODE_QUOTA_LIMIT = 0x803381A5  # 2150859173, the "maximum number of N concurrent shells" fault
CODE_SCHEMA_VALIDATION = 0x8033801D  # malformed or invalid request
CODE_INVALID_RESOURCE_URI = 0x80338047
CODE_INTERNAL = 0x80338012  # ERROR_WSMAN_INTERNAL_ERROR (inferred for unexpected server failures)
CODE_ENVELOPE_TOO_LARGE = 0x8033800D  # ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED (inferred)

_FORBIDDEN_MARKUP = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


class SoapError(Exception):
    """A request that must be answered with a WS-Management fault."""

    def __init__(self, code: int, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.subcode = subcode
        self.reason = reason


@dataclass
class SoapRequest:
    action: str
    message_id: str
    resource_uri: str
    body: ET.Element
    selectors: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    max_envelope_size: int = 153600
    operation_timeout: float | None = None


def _parse_duration(text: str | None) -> float | None:
    match = _DURATION.match((text or "").strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def _text(parent: ET.Element, path: str) -> str:
    element = parent.find(path)
    return (element.text or "").strip() if element is not None else ""


def parse_request(data: bytes) -> SoapRequest:
    """Parse a SOAP envelope; DTDs and entity declarations are refused (no entity expansion ever happens)."""
    if _FORBIDDEN_MARKUP.search(data):
        raise SoapError(
            CODE_SCHEMA_VALIDATION, "w:SchemaValidationError", "DTDs and entities are not allowed."
        )
    try:
        root = ET.fromstring(data)  # noqa: S314 - DOCTYPE/ENTITY rejected above, so no entity can expand
    except ET.ParseError as error:
        raise SoapError(
            CODE_SCHEMA_VALIDATION, "w:SchemaValidationError", f"The request is not well-formed XML: {error}"
        ) from None
    header = root.find(f"{{{NS_SOAP}}}Header")
    body = root.find(f"{{{NS_SOAP}}}Body")
    if root.tag != f"{{{NS_SOAP}}}Envelope" or header is None or body is None:
        raise SoapError(
            CODE_SCHEMA_VALIDATION, "w:SchemaValidationError", "The request is not a SOAP envelope."
        )
    action = _text(header, f"{{{NS_ADDRESSING}}}Action")
    message_id = _text(header, f"{{{NS_ADDRESSING}}}MessageID")
    if not action or not message_id:
        raise SoapError(
            CODE_SCHEMA_VALIDATION,
            "w:SchemaValidationError",
            "The request lacks wsa:Action or wsa:MessageID.",
        )
    request = SoapRequest(
        action=action,
        message_id=message_id,
        resource_uri=_text(header, f"{{{NS_WSMAN}}}ResourceURI"),
        body=body,
    )
    for selector in header.iterfind(f"{{{NS_WSMAN}}}SelectorSet/{{{NS_WSMAN}}}Selector"):
        request.selectors[selector.attrib.get("Name", "")] = (selector.text or "").strip()
    for option in header.iterfind(f"{{{NS_WSMAN}}}OptionSet/{{{NS_WSMAN}}}Option"):
        request.options[option.attrib.get("Name", "")] = (option.text or "").strip()
    size_text = _text(header, f"{{{NS_WSMAN}}}MaxEnvelopeSize")
    if size_text.isdigit():
        request.max_envelope_size = max(8192, min(int(size_text), 16 * 1024 * 1024))
    request.operation_timeout = _parse_duration(_text(header, f"{{{NS_WSMAN}}}OperationTimeout"))
    return request


_ENVELOPE_START = (
    f'<s:Envelope xmlns:s="{NS_SOAP}" xmlns:wsa="{NS_ADDRESSING}" xmlns:wsman="{NS_WSMAN}" '
    f'xmlns:rsp="{NS_SHELL}" xmlns:wst="{NS_TRANSFER}" xml:lang="en-US">'
)


def envelope(action: str, relates_to: str, body_xml: str, *, resource_uri: str | None = None) -> bytes:
    """A reply envelope: ``body_xml`` is already-escaped XML text placed inside s:Body."""
    parts = [
        _ENVELOPE_START,
        "<s:Header>",
        f"<wsa:Action>{escape(action)}</wsa:Action>",
        f"<wsa:MessageID>uuid:{str(uuid.uuid4()).upper()}</wsa:MessageID>",
        f"<wsa:To>{ANONYMOUS}</wsa:To>",
        f"<wsa:RelatesTo>{escape(relates_to)}</wsa:RelatesTo>",
    ]
    if resource_uri:
        parts.append(f"<wsman:ResourceURI>{escape(resource_uri)}</wsman:ResourceURI>")
    parts.extend(["</s:Header>", "<s:Body>", body_xml, "</s:Body></s:Envelope>"])
    return "".join(parts).encode("utf-8")


def fault(relates_to: str | None, code: int, subcode: str, reason: str, machine: str = "localhost") -> bytes:
    """A WS-Management fault pypsrp parses into WSManFaultError(code=int, reason=...)."""
    fault_action = f"{NS_WSMAN}/fault"
    if subcode.startswith("a:"):
        fault_action = f"{NS_ADDRESSING}/fault"
    text = escape(reason)
    body = (
        f'<s:Fault xmlns:a="{NS_ADDRESSING}" xmlns:w="{NS_WSMAN}">'
        "<s:Code><s:Value>s:Sender</s:Value>"
        f"<s:Subcode><s:Value>{escape(subcode)}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{text}</s:Text></s:Reason>'
        f'<s:Detail><f:WSManFault xmlns:f="{NS_WSMAN_FAULT}" Code="{code}" Machine="{escape(machine)}">'
        f"<f:Message>{text}</f:Message></f:WSManFault></s:Detail></s:Fault>"
    )
    return envelope(fault_action, relates_to or "", body)


__all__ = [
    "ACTION_COMMAND",
    "ACTION_CREATE",
    "ACTION_DELETE",
    "ACTION_GET",
    "ACTION_RECEIVE",
    "ACTION_SEND",
    "ACTION_SIGNAL",
    "SoapError",
    "SoapRequest",
    "envelope",
    "fault",
    "parse_request",
]
