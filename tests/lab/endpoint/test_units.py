"""Unit tests: the one private psrpcore hook, the CLIXML writer, the CI/ci shim, parameter conversion."""

from __future__ import annotations

import datetime
import uuid

from psrpcore import ServerPipeline
from psrpcore.types import PSCredential, PSInvocationState, PSSecureString
from pypsrp.serializer import Serializer

from hvconsole.lab.endpoint.clixml import escape_text, format_duration, serialize
from hvconsole.lab.endpoint.psrp import LabRunspacePool, build_error_record, call_id, end_pipeline_failed
from hvconsole.lab.endpoint.values import to_plain
from hvconsole.lab.protocol import Credential, ErrorRec, PSEnum, PSObj, SecureText


def test_end_pipeline_failed_emits_failed_state_with_the_record():
    pool = LabRunspacePool()
    pipeline = ServerPipeline(pool, uuid.uuid4())
    pipeline.start()
    while pool.data_to_send() is not None:
        pass
    end_pipeline_failed(
        pipeline, build_error_record(ErrorRec("it broke", "Broke,Test-It", category="InvalidData"))
    )
    assert pipeline.state == PSInvocationState.Failed
    payload = pool.data_to_send()
    assert payload is not None and payload.pipeline_id == pipeline.pipeline_id
    assert b"Broke,Test-It" in payload.data and b"it broke" in payload.data


def test_call_id_reads_either_spelling():
    class Message:
        CI = 7

    class Event:
        _ps_object = Message()

    assert call_id(Event()) == 7


def test_escaping_round_trips_through_pypsrp():
    tricky = "a\r\nb\tc _x0041_ _X0041_ & < > \" ' \x00 \x7f 🖥️ é"
    element = serialize(tricky).decode()
    assert "_x000D__x000A_" in element and "_xD83D__xDDA5_" in element
    assert Serializer().deserialize(element) == tricky
    assert escape_text("plain") == "plain"


def test_durations_match_dotnet():
    assert format_duration(datetime.timedelta(0)) == "PT0S"
    assert format_duration(datetime.timedelta(seconds=9, microseconds=26902)) == "PT9.026902S"
    assert format_duration(datetime.timedelta(days=1, hours=2)) == "P1DT2H"
    assert format_duration(-datetime.timedelta(minutes=3)) == "-PT3M"


def test_value_mapping_reaches_pypsrp_typed():
    value = PSObj(
        ("Lab.Thing", "System.Object"),
        {
            "Color": PSEnum("System.ConsoleColor", 12, "Red"),
            "Map": {"k": [1, None]},
            "Secret": SecureText("pw"),
        },
        to_string="thing",
        adapted=False,
    )
    text = serialize(value).decode()
    assert "pw" not in text  # a secret never goes out
    result = Serializer().deserialize(text)
    assert str(result) == "thing"
    assert result.extended_properties["Map"] == {"k": [1, None]}
    assert str(result.extended_properties["Color"]) == "Red"


def test_credentials_and_secure_strings_become_plain():
    pool = LabRunspacePool()
    secure = PSSecureString("s3cret", pool._cipher)
    secure._value = pool._cipher.encrypt("s3cret")
    assert to_plain(secure) == SecureText("s3cret")
    credential = to_plain(PSCredential(UserName="LAB\\admin", Password=secure))
    assert isinstance(credential, Credential)
    assert credential.username == "LAB\\admin" and credential.password.value == "s3cret"
    assert "s3cret" not in repr(credential)
