"""The WS-Management actions pypsrp uses (Create, Receive, Command, Send, Signal, Delete, Get) over shells."""

from __future__ import annotations

import base64
import binascii
import uuid
from xml.sax.saxutils import escape

from hvconsole.lab.endpoint import soap
from hvconsole.lab.endpoint.psrp import SUPPORTED_PROTOCOL_VERSIONS
from hvconsole.lab.endpoint.shells import Shell, ShellRegistry
from hvconsole.lab.endpoint.soap import NS_SHELL, SoapError, SoapRequest
from hvconsole.lab.protocol import LabHostBackend

POWERSHELL_URI_PREFIX = "http://schemas.microsoft.com/powershell/"
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
NS_POWERSHELL = "http://schemas.microsoft.com/powershell"
SIGNAL_TERMINATE = NS_SHELL + "/signal/terminate"
SIGNAL_CTRL_C = "powershell/signal/ctrl_c"
COMMAND_STATE = NS_SHELL + "/CommandState/"
ENVELOPE_OVERHEAD = 4096


def _bad_request(reason: str) -> SoapError:
    return SoapError(soap.CODE_SCHEMA_VALIDATION, "w:SchemaValidationError", reason)


def _decode(text: str | None) -> bytes:
    try:
        return base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _bad_request("The stream data is not valid base64.") from None


def _uuid(text: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise _bad_request(f"The {what} {text!r} is not a GUID.") from None


class ShellActions:
    """Turns parsed requests into reply envelopes; raises SoapError for faults."""

    def __init__(self, backend: LabHostBackend, shells: ShellRegistry, operation_timeout: float) -> None:
        self.backend = backend
        self.shells = shells
        self.operation_timeout = operation_timeout

    def handle(self, request: SoapRequest, user: str, endpoint_url: str) -> bytes:
        action = request.action
        if action == soap.ACTION_CREATE:
            body = self.create(request, user, endpoint_url)
        elif action == soap.ACTION_GET and request.resource_uri == SHELL_URI:
            body = self.get(request, user)
        else:
            shell = self.shells.get(self._shell_id(request), user) if self._is_shell_action(action) else None
            if shell is None:
                raise SoapError(
                    soap.CODE_ACTION_NOT_SUPPORTED,
                    "a:ActionNotSupported",
                    f"The action {action!r} is not supported by the service.",
                )
            shell.active_requests += 1
            try:
                body = self._shell_action(request, shell)
            finally:
                shell.active_requests -= 1
        return soap.envelope(action + "Response", request.message_id, body)

    @staticmethod
    def _is_shell_action(action: str) -> bool:
        return action in (
            soap.ACTION_COMMAND,
            soap.ACTION_SEND,
            soap.ACTION_RECEIVE,
            soap.ACTION_SIGNAL,
            soap.ACTION_DELETE,
        )

    def _shell_action(self, request: SoapRequest, shell: Shell) -> str:
        if request.action == soap.ACTION_COMMAND:
            return self.command(request, shell)
        if request.action == soap.ACTION_SEND:
            return self.send(request, shell)
        if request.action == soap.ACTION_RECEIVE:
            return self.receive(request, shell)
        if request.action == soap.ACTION_SIGNAL:
            return self.signal(request, shell)
        self.shells.remove(shell.shell_id)
        return ""

    @staticmethod
    def _shell_id(request: SoapRequest) -> str:
        shell_id = request.selectors.get("ShellId", "")
        if not shell_id:
            raise SoapError(
                soap.CODE_INVALID_SELECTORS, "w:InvalidSelectors", "The request names no ShellId."
            )
        return shell_id

    # --- Create -----------------------------------------------------------------------------------------
    def create(self, request: SoapRequest, user: str, endpoint_url: str) -> str:
        if not request.resource_uri.startswith(POWERSHELL_URI_PREFIX):
            raise SoapError(
                soap.CODE_INVALID_RESOURCE_URI,
                "w:DestinationUnreachable",
                f"The resource URI {request.resource_uri!r} is not served here; this endpoint serves "
                "PowerShell runspace pools only.",
            )
        shell_element = request.body.find(f"{{{NS_SHELL}}}Shell")
        creation = request.body.find(f".//{{{NS_POWERSHELL}}}creationXml")
        if shell_element is None or creation is None:
            raise _bad_request("The Create request carries no rsp:Shell with a creationXml.")
        version = request.options.get("protocolversion", "2.3")
        if version not in SUPPORTED_PROTOCOL_VERSIONS:
            raise _refuse_version(version)
        shell_id = (shell_element.attrib.get("ShellId") or str(uuid.uuid4())).upper()
        shell = Shell(shell_id, user, self.backend.open_runspace(user), self.backend.name)
        self.shells.add(shell)
        try:
            shell.feed(_decode(creation.text))
            capability = shell.pool.their_capability
            their_version = str(capability.protocolversion) if capability is not None else version
            if their_version not in SUPPORTED_PROTOCOL_VERSIONS:
                raise _refuse_version(their_version)
        except Exception:
            self.shells.remove(shell_id)
            raise
        uri = escape(request.resource_uri)
        return (
            "<wst:ResourceCreated>"
            f"<wsa:Address>{escape(endpoint_url)}</wsa:Address>"
            f"<wsa:ReferenceParameters><wsman:ResourceURI>{uri}</wsman:ResourceURI>"
            f'<wsman:SelectorSet><wsman:Selector Name="ShellId">{shell_id}</wsman:Selector></wsman:SelectorSet>'
            "</wsa:ReferenceParameters></wst:ResourceCreated>" + _shell_xml(shell, uri)
        )

    # --- Get (is_alive) ---------------------------------------------------------------------------------
    def get(self, request: SoapRequest, user: str) -> str:
        shell = self.shells.get(self._shell_id(request), user)
        return _shell_xml(shell, POWERSHELL_URI_PREFIX + "Microsoft.PowerShell")

    # --- Command ----------------------------------------------------------------------------------------
    def command(self, request: SoapRequest, shell: Shell) -> str:
        command_line = request.body.find(f"{{{NS_SHELL}}}CommandLine")
        if command_line is None:
            raise _bad_request("The Command request carries no rsp:CommandLine.")
        command_id = command_line.attrib.get("CommandId") or str(uuid.uuid4())
        pipeline_id = _uuid(command_id, "CommandId")
        arguments = command_line.find(f"{{{NS_SHELL}}}Arguments")
        shell.new_pipeline(pipeline_id)  # must exist before psrpcore sees the CreatePipeline fragment
        if arguments is not None and arguments.text:
            shell.feed(_decode(arguments.text), pipeline_id)
        return f"<rsp:CommandResponse><rsp:CommandId>{str(pipeline_id).upper()}</rsp:CommandId></rsp:CommandResponse>"

    # --- Send -------------------------------------------------------------------------------------------
    def send(self, request: SoapRequest, shell: Shell) -> str:
        streams = request.body.findall(f"{{{NS_SHELL}}}Send/{{{NS_SHELL}}}Stream")
        if not streams:
            raise _bad_request("The Send request carries no rsp:Stream.")
        for stream in streams:
            command_id = stream.attrib.get("CommandId")
            pipeline_id = _uuid(command_id, "CommandId") if command_id else None
            if pipeline_id is not None and pipeline_id.int == 0:
                pipeline_id = None
            shell.feed(_decode(stream.text), pipeline_id)
        return "<rsp:SendResponse />"

    # --- Receive ----------------------------------------------------------------------------------------
    def receive(self, request: SoapRequest, shell: Shell) -> str:
        desired = request.body.find(f"{{{NS_SHELL}}}Receive/{{{NS_SHELL}}}DesiredStream")
        if desired is None:
            raise _bad_request("The Receive request carries no rsp:DesiredStream.")
        command_id = desired.attrib.get("CommandId")
        target = _uuid(command_id, "CommandId") if command_id else None
        budget = max(1024, (request.max_envelope_size - ENVELOPE_OVERHEAD) * 3 // 4)
        requested = request.operation_timeout or self.operation_timeout
        limit = min(requested, self.operation_timeout)
        wait = limit - 1.0 if limit > 2.0 else limit / 2
        data = shell.receive(target, budget, wait)
        if data is None:
            raise SoapError(
                soap.CODE_OPERATION_TIMEOUT,
                "w:TimedOut",
                "The WS-Management service cannot complete the operation within the time specified in "
                "OperationTimeout.",
            )
        id_attribute = f' CommandId="{str(target).upper()}"' if target else ""
        parts = [
            f'<rsp:ReceiveResponse><rsp:Stream Name="stdout"{id_attribute}>',
            base64.b64encode(data).decode("ascii"),
            "</rsp:Stream>",
        ]
        if target is not None:
            state = "Done" if shell.pipeline_done(target) else "Running"
            parts.append(f'<rsp:CommandState{id_attribute} State="{COMMAND_STATE}{state}" />')
        parts.append("</rsp:ReceiveResponse>")
        return "".join(parts)

    # --- Signal -----------------------------------------------------------------------------------------
    def signal(self, request: SoapRequest, shell: Shell) -> str:
        signal_element = request.body.find(f"{{{NS_SHELL}}}Signal")
        if signal_element is None:
            raise _bad_request("The Signal request carries no rsp:Signal.")
        code = (signal_element.findtext(f"{{{NS_SHELL}}}Code") or "").strip()
        command_id = signal_element.attrib.get("CommandId")
        if command_id:
            pipeline_id = _uuid(command_id, "CommandId")
            if code.lower() == SIGNAL_TERMINATE.lower():
                shell.terminate(pipeline_id)
            else:  # powershell/signal/ctrl_c, shell ctrl_c/ctrl_break: stop the pipeline
                shell.signal_stop(pipeline_id)
        return "<rsp:SignalResponse />"


def _refuse_version(version: str) -> SoapError:
    return SoapError(
        soap.CODE_SCHEMA_VALIDATION,
        "w:InvalidOptions",
        f"The PowerShell remoting protocol version {version} is not supported by this endpoint; it speaks "
        f"versions {', '.join(SUPPORTED_PROTOCOL_VERSIONS)}.",
    )


def _shell_xml(shell: Shell, resource_uri: str) -> str:
    return (
        f"<rsp:Shell><rsp:ShellId>{shell.shell_id}</rsp:ShellId>"
        f"<rsp:ResourceUri>{resource_uri}</rsp:ResourceUri>"
        f"<rsp:Owner>{escape(shell.user)}</rsp:Owner><rsp:ClientIP>127.0.0.1</rsp:ClientIP>"
        "<rsp:State>Connected</rsp:State>"
        "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin pr</rsp:InputStreams>"
        "<rsp:OutputStreams>stdout</rsp:OutputStreams></rsp:Shell>"
    )


__all__ = ["ShellActions"]
