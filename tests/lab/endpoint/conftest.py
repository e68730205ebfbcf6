"""A tiny fake lab host behind a real LabEndpoint on 127.0.0.1 (port 0), driven by pypsrp over HTTPS."""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypsrp.wsman import WSMan

from hvconsole.lab.endpoint import LabCertificateAuthority, LabEndpoint
from hvconsole.lab.protocol import (
    I64,
    U16,
    U32,
    U64,
    Char,
    CommandCall,
    ErrorRec,
    PipelineSink,
    PSEnum,
    PSObj,
    TerminatingError,
)

USER = "LAB\\admin"
PASSWORD = "Passw0rd!"


def many_objects(count: int) -> Iterator[PSObj]:
    base = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.UTC)
    for index in range(count):
        yield PSObj(
            ("Microsoft.Management.Infrastructure.CimInstance#ROOT/Lab/Lab_Thing", "System.Object"),
            {
                "Index": index,
                "Name": f"thing-{index}",
                "Size": U64(2**40 + index),
                "Big": I64(index),
                "Port": U16(3260),
                "Flags": U32(7),
                "Enabled": index % 2 == 0,
                "Status": PSEnum("Lab.Status", 2, "Up"),
                "When": base + datetime.timedelta(seconds=index),
                "Letter": Char("C"),
            },
            to_string=f"thing-{index}",
        )


class FakeRunspace:
    def __init__(self, host: FakeHost) -> None:
        self.host = host

    def invoke(
        self, commands: list[CommandCall], input_objects: list[Any] | None, sink: PipelineSink
    ) -> None:
        self.host.calls.append((commands, input_objects))
        for call in commands:
            params = dict(call.parameters)
            if call.name == "Get-Echo":
                sink.output(
                    PSObj(
                        ("Lab.Echo", "System.Object"),
                        {"Command": call.name, "Names": [name for name, _ in call.parameters]},
                        adapted=False,
                    )
                )
                for name, value in call.parameters:
                    sink.output(value)
                    del name
            elif call.name == "Get-Input":
                for item in input_objects or []:
                    sink.output(item)
            elif call.name == "Write-Streams":
                sink.error(
                    ErrorRec(
                        "Cannot find the thing 'x'.",
                        "ThingNotFound,Write-Streams",
                        category="ObjectNotFound",
                        exception_type="Microsoft.Management.Infrastructure.CimException",
                        activity="Write-Streams",
                        target_name="x",
                        target_type="String",
                    )
                )
                sink.warning("careful now")
                sink.verbose("talking")
                sink.progress("Copying", "half way", percent=50, seconds_remaining=3)
                sink.output("done")
            elif call.name == "Wait-Stop":
                deadline = time.monotonic() + 10
                while not sink.stopping and time.monotonic() < deadline:
                    time.sleep(0.01)
                self.host.stopped_seen.append(sink.stopping)
            elif call.name == "Invoke-Fail":
                raise TerminatingError(
                    ErrorRec(
                        "The cluster node 'n1' was not found.",
                        "ClusterNodeNotFound,Invoke-Fail",
                        category="ObjectNotFound",
                        exception_type="System.Management.Automation.ItemNotFoundException",
                        activity="Invoke-Fail",
                        target_name="n1",
                    )
                )
            elif call.name == "Get-Many":
                for obj in many_objects(int(params.get("Count", 1))):
                    sink.output(obj)
            elif call.name == "Get-Small":
                sink.output(PSObj(("Lab.Small", "System.Object"), {"Name": "a", "Value": 1}))
            else:
                raise TerminatingError(
                    ErrorRec(f"The term '{call.name}' is not recognized.", "CommandNotFoundException")
                )


class FakeHost:
    name = "LAB-HOST1"

    def __init__(self) -> None:
        self.calls: list[tuple[list[CommandCall], list[Any] | None]] = []
        self.stopped_seen: list[bool] = []
        self.runspaces_opened: list[str] = []

    def check_credentials(self, username: str, password: str) -> bool:
        return username == USER and password == PASSWORD

    def open_runspace(self, username: str) -> FakeRunspace:
        self.runspaces_opened.append(username)
        return FakeRunspace(self)


@pytest.fixture(scope="session")
def lab_ca(tmp_path_factory: pytest.TempPathFactory) -> LabCertificateAuthority:
    return LabCertificateAuthority.load_or_create(tmp_path_factory.mktemp("lab-ca"))


@pytest.fixture(scope="session")
def host_cert(lab_ca: LabCertificateAuthority, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return lab_ca.issue("127.0.0.1", ["lab-host1", "lab-host1.lab.local"], tmp_path_factory.mktemp("certs"))


@pytest.fixture
def make_endpoint(host_cert: tuple[Path, Path]) -> Iterator[Any]:
    started: list[LabEndpoint] = []

    def make(**options: Any) -> LabEndpoint:
        endpoint = LabEndpoint(FakeHost(), "127.0.0.1", 0, host_cert[0], host_cert[1], **options)
        endpoint.start()
        started.append(endpoint)
        return endpoint

    yield make
    for endpoint in started:
        endpoint.stop()


@pytest.fixture(scope="module")
def endpoint(host_cert: tuple[Path, Path]) -> Iterator[LabEndpoint]:
    shared = LabEndpoint(FakeHost(), "127.0.0.1", 0, host_cert[0], host_cert[1])
    shared.start()
    yield shared
    shared.stop()


@pytest.fixture
def connect(lab_ca: LabCertificateAuthority) -> Any:
    def make(endpoint: LabEndpoint, password: str = PASSWORD, **options: Any) -> WSMan:
        options.setdefault("cert_validation", str(lab_ca.cert_path))
        return WSMan(
            "127.0.0.1",
            port=endpoint.port,
            ssl=True,
            auth="basic",
            username=USER,
            password=password,
            connection_timeout=5,
            **options,
        )

    return make


def new_id() -> str:
    return str(uuid.uuid4()).upper()
