"""Typed errors built from pypsrp ErrorRecords."""

from __future__ import annotations

from pypsrp.complex_objects import GenericComplexObject
from pypsrp.messages import ErrorRecordMessage

from hvconsole.remoting.errors import RemoteError


def _record(**kwargs: object) -> ErrorRecordMessage:
    exception = GenericComplexObject()
    exception.types = [
        "Microsoft.Management.Infrastructure.CimException",
        "System.Exception",
        "System.Object",
    ]
    exception.adapted_properties = {
        "Message": "No MSFT_NetAdapter objects found with property 'Name' equal to 'x'."
    }
    record = ErrorRecordMessage(
        exception=exception,
        fq_error="CmdletizationQuery_NotFound_Name,Get-NetAdapter",
        category=13,
        target_name="x",
    )
    for key, value in kwargs.items():
        setattr(record, key, value)
    return record


def test_from_record() -> None:
    error = RemoteError.from_record(_record(), host="HV1")
    assert error.fqid == "CmdletizationQuery_NotFound_Name,Get-NetAdapter"
    assert error.error_id == "CmdletizationQuery_NotFound_Name"
    assert error.category == "ObjectNotFound"
    assert error.target == "x"
    assert error.exception_type == "Microsoft.Management.Infrastructure.CimException"
    assert error.message.startswith("No MSFT_NetAdapter objects found")
    assert str(error) == f"HV1: {error.message} (CmdletizationQuery_NotFound_Name,Get-NetAdapter)"
    assert "ObjectNotFound" in repr(error)


def test_details_message_wins_and_missing_parts_degrade() -> None:
    error = RemoteError.from_record(_record(details_message="Friendly text", category=99, target_name=None))
    assert error.message == "Friendly text"
    assert error.category == "99"
    assert error.target is None
    bare = RemoteError.from_record(ErrorRecordMessage())
    assert bare.message == "error" and bare.fqid == "" and bare.category == "NotSpecified"
