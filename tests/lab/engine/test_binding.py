from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hvconsole.lab.engine import Cmdlet, CmdletRegistry, Param, Session, types
from hvconsole.lab.protocol import CommandCall, PSObj
from tests.lab.engine.harness import cmd, run, tiny_session, tiny_world


class Echo(Cmdlet):
    command_name = "Test-Echo"
    module_name = "LabTest"
    class_name = "Lab.TestEchoCommand"
    default_set = "ByName"

    Name = Param(types.STRINGS, position=0, sets=("ByName",), from_pipeline_by_name=True)
    Count = Param(types.INT32, position=1)
    Index = Param(types.UINT32, sets=("ByIndex",), mandatory=True, aliases=("ifIndex",))
    Mode = Param(types.STRING, validate_set=("Fast", "Slow"))
    Force = Param(types.SWITCH)
    Flag = Param(types.BOOL)
    Everything = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        yield {
            "set": self.parameter_set,
            "Name": self.Name,
            "Count": self.Count,
            "Index": self.Index,
            "Mode": self.Mode,
            "Force": self.Force,
            "Flag": self.Flag,
        }


class CdxmlEcho(Echo):
    command_name = "Get-CdxmlEcho"
    class_name = None


class Failing(Cmdlet):
    command_name = "Test-Failing"
    module_name = "LabTest"
    class_name = "Lab.TestFailingCommand"

    def process(self) -> Iterator[Any]:
        self.write_error(self.make_error("first", "FirstError"))
        yield "after first"
        self.write_error(self.make_error("second", "SecondError"))
        yield "after second"


@pytest.fixture
def session() -> Session:
    registry = CmdletRegistry()
    for cls in (Echo, CdxmlEcho, Failing):
        registry.add(cls)
    world = tiny_world()
    return Session(world=world, host=world.hosts[0], registry=registry)


def test_names_are_case_insensitive_prefixes_and_aliases(session: Session) -> None:
    result = run(session, cmd("test-echo", NAME="a", cou="3", mo="fast", Forc=True))
    assert result.failure is None
    out = result.output[0]
    assert out["Name"] == ["a"] and out["Count"] == 3 and out["Mode"] == "Fast" and out["Force"] is True
    result = run(session, cmd("Test-Echo", ifindex=7))
    assert result.output[0]["Index"] == 7 and result.output[0]["set"] == "ByIndex"


def test_positional_arguments_and_scalar_to_array(session: Session) -> None:
    out = run(session, cmd("Test-Echo", "x", "5")).output[0]
    assert out["Name"] == ["x"] and out["Count"] == 5


def test_switch_value_none_means_true(session: Session) -> None:
    result = run(session, CommandCall("Test-Echo", (("Force", None),)))
    assert result.output[0]["Force"] is True


def test_unknown_command() -> None:
    result = run(tiny_session(), cmd("Get-Nothing"))
    assert result.failure is not None
    assert result.failure.message.startswith(
        "The term 'Get-Nothing' is not recognized as the name of a cmdlet"
    )
    assert result.failure.fqid == "CommandNotFoundException"
    assert result.failure.category == "ObjectNotFound"


def test_unknown_parameter(session: Session) -> None:
    failure = run(session, cmd("Test-Echo", Bogus=1)).failure
    assert failure is not None
    assert failure.message == "A parameter cannot be found that matches parameter name 'Bogus'."
    assert failure.fqid == "NamedParameterNotFound,Lab.TestEchoCommand"
    assert failure.category == "InvalidArgument"


def test_ambiguous_prefix(session: Session) -> None:
    failure = run(session, cmd("Test-Echo", F=True)).failure
    assert failure is not None and failure.fqid == "AmbiguousParameter,Lab.TestEchoCommand"
    assert "-Flag -Force" in failure.message


def test_conversion_error_compiled_and_cdxml(session: Session) -> None:
    failure = run(session, cmd("Test-Echo", Count="abc")).failure
    assert failure is not None
    assert failure.message == (
        'Cannot bind parameter \'Count\'. Cannot convert value "abc" to type "System.Int32". '
        'Error: "Input string was not in a correct format."'
    )
    assert failure.fqid == "CannotConvertArgumentNoMessage,Lab.TestEchoCommand"
    failure = run(session, cmd("Get-CdxmlEcho", Count="abc")).failure
    assert failure is not None
    assert failure.fqid == "ParameterArgumentTransformationError,Get-CdxmlEcho"
    assert failure.message.startswith("Cannot process argument transformation on parameter 'Count'.")


def test_bool_parameter_refuses_strings(session: Session) -> None:
    failure = run(session, cmd("Test-Echo", Flag="yes")).failure
    assert failure is not None and failure.fqid.startswith("ParameterArgumentTransformationError,")
    assert run(session, cmd("Test-Echo", Flag=0)).output[0]["Flag"] is False


def test_validate_set(session: Session) -> None:
    failure = run(session, cmd("Test-Echo", Mode="Medium")).failure
    assert failure is not None
    assert failure.fqid == "ParameterArgumentValidationError,Lab.TestEchoCommand"
    assert 'does not belong to the set "Fast,Slow"' in failure.message


def test_missing_mandatory_and_conflicting_sets(session: Session) -> None:
    failure = run(session, cmd("Test-Echo", Name="a", Index=1)).failure
    assert failure is not None and failure.fqid == "AmbiguousParameterSet,Lab.TestEchoCommand"


def test_missing_mandatory_parameter() -> None:
    failure = run(tiny_session(), cmd("Get-Service", DisplayName=None)).failure
    assert failure is not None
    assert failure.fqid.startswith("ParameterArgumentValidationErrorNullNotAllowed,")

    class NeedsIt(Cmdlet):
        command_name = "Test-Needs"
        module_name = "LabTest"
        class_name = "Lab.NeedsCommand"
        Thing = Param(types.STRING, mandatory=True)

    registry = CmdletRegistry()
    registry.add(NeedsIt)
    world = tiny_world()
    failure = run(Session(world, world.hosts[0], registry), cmd("Test-Needs")).failure
    assert failure is not None
    assert failure.fqid == "MissingMandatoryParameter,Lab.NeedsCommand"
    assert (
        failure.message
        == "Cannot process command because of one or more missing mandatory parameters: Thing."
    )


def test_parameter_specified_twice_and_positional_not_found(session: Session) -> None:
    call = CommandCall("Test-Echo", (("Name", "a"), ("name", "b")))
    assert run(session, call).failure.fqid == "ParameterAlreadyBound,Lab.TestEchoCommand"  # type: ignore[union-attr]
    failure = run(session, cmd("Test-Echo", "a", "1", "extra")).failure
    assert failure is not None and failure.fqid == "PositionalParameterNotFound,Lab.TestEchoCommand"
    assert failure.message == "A positional parameter cannot be found that accepts argument 'extra'."


def test_error_action(session: Session) -> None:
    result = run(session, cmd("Test-Failing"))
    assert [e.message for e in result.errors] == ["first", "second"]
    assert result.output == ["after first", "after second"]
    assert result.errors[0].fqid == "FirstError,Lab.TestFailingCommand"
    result = run(session, cmd("Test-Failing", ErrorAction="SilentlyContinue"))
    assert result.errors == [] and len(result.output) == 2
    result = run(session, cmd("Test-Failing", ea="stop"))
    assert result.failure is not None and result.failure.message == "first" and result.output == []
    failure = run(session, cmd("Test-Failing", ErrorAction="Sometimes")).failure
    assert failure is not None and failure.fqid == "CannotConvertArgumentNoMessage,Lab.TestFailingCommand"


def test_pipeline_by_property_name_and_statements(session: Session) -> None:
    piped = [PSObj(("X",), {"name": "one"}), {"Name": "two"}]
    result = run(session, cmd("Test-Echo"), input_objects=piped)
    assert [o["Name"] for o in result.output] == [["one"], ["two"]]
    result = run(session, cmd("Test-Echo", Name="a", end=True), cmd("Test-Echo", Name="b"))
    assert [o["Name"] for o in result.output] == [["a"], ["b"]]


def test_input_not_bound_is_non_terminating(session: Session) -> None:
    result = run(session, cmd("Test-Echo"), input_objects=[42])
    assert result.failure is None
    assert result.errors[0].fqid == "InputObjectNotBound,Lab.TestEchoCommand"


def test_script_text_is_refused(session: Session) -> None:
    result = run(session, CommandCall("Get-Process | Stop-Process", is_script=True))
    assert result.failure is not None and result.failure.fqid == "ScriptsNotSupportedInLab"
