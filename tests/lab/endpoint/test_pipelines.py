"""Runspace pools and pipelines against a real LabEndpoint, with pypsrp 0.9.1 as the client."""

from __future__ import annotations

import time

from pypsrp.complex_objects import GenericComplexObject
from pypsrp.powershell import PowerShell, RunspacePool

from hvconsole.lab.protocol import Char

HOSTILE = "x'; Remove-Item C:\\ -Recurse #"
UNICODE = "Grüße — 節点 🖥️ tab\there\r\nnew_x0041_line & <b>"


def test_open_and_close_pool(endpoint, connect):
    wsman = connect(endpoint)
    pool = RunspacePool(wsman)
    pool.open()
    assert len(endpoint.shells) >= 1
    assert pool.is_alive()
    pool.close()
    assert not pool.is_alive()


def test_structured_command_parameters_arrive_exactly(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Echo").add_parameter("Name", HOSTILE).add_parameter("Text", UNICODE)
        ps.add_parameter("Count", 42).add_parameter("Ratio", 0.5).add_parameter("Force")
        ps.add_parameter("Names", ["a", "b", HOSTILE]).add_parameter("Map", {"k": 1})
        ps.add_argument("positional")
        output = ps.invoke()
    assert not ps.had_errors
    commands, input_objects = endpoint.backend.calls[-1]
    assert input_objects is None
    (call,) = commands
    assert call.name == "Get-Echo"
    assert not call.is_script
    assert call.parameters == (
        ("Name", HOSTILE),
        ("Text", UNICODE),
        ("Count", 42),
        ("Ratio", 0.5),
        ("Force", None),  # pypsrp sends a switch as a named parameter without value
        ("Names", ["a", "b", HOSTILE]),
        ("Map", {"k": 1}),
        (None, "positional"),
    )
    for _, value in call.parameters:
        assert type(value) in (str, int, float, bool, list, dict, type(None))
    echo = output[0]
    assert isinstance(echo, GenericComplexObject)
    assert echo.types[0] == "Lab.Echo"
    assert echo.extended_properties["Names"] == [
        "Name",
        "Text",
        "Count",
        "Ratio",
        "Force",
        "Names",
        "Map",
        None,
    ]
    assert output[1:] == [HOSTILE, UNICODE, 42, 0.5, None, ["a", "b", HOSTILE], {"k": 1}, "positional"]


def test_pipeline_input(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Input")
        output = ps.invoke(input=["one", 2, HOSTILE])
    assert output == ["one", 2, HOSTILE]
    assert endpoint.backend.calls[-1][1] == ["one", 2, HOSTILE]


def test_several_statements(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Echo").add_parameter("A", 1).add_statement()
        ps.add_cmdlet("Get-Echo").add_parameter("B", 2)
        output = ps.invoke()
    commands = endpoint.backend.calls[-1][0]
    assert [c.name for c in commands] == ["Get-Echo", "Get-Echo"]
    assert commands[0].end_of_statement
    assert [c.parameters for c in commands] == [(("A", 1),), (("B", 2),)]
    assert [o for o in output if not isinstance(o, GenericComplexObject)] == [1, 2]


def test_script_text_is_refused(endpoint, connect):
    calls_before = len(endpoint.backend.calls)
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_script("Remove-Item C:\\ -Recurse")
        output = ps.invoke()
    assert output == []
    assert ps.had_errors
    assert len(endpoint.backend.calls) == calls_before  # never reached the engine
    (error,) = ps.streams.error
    assert error.fq_error == "ScriptsNotSupported"
    assert "structured commands only" in str(error)


def test_terminating_error_fails_the_pipeline(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Invoke-Fail")
        ps.invoke()
        assert ps.had_errors
        (error,) = ps.streams.error
        assert error.fq_error == "ClusterNodeNotFound,Invoke-Fail"
        assert str(error) == "The cluster node 'n1' was not found."
        assert error.reason == "ItemNotFoundException"
        assert error.target_name == "n1"
        assert error.activity == "Invoke-Fail"
        # the pool stays usable
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Small")
        assert len(ps.invoke()) == 1


def test_non_terminating_error_warning_verbose_progress(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Write-Streams")
        output = ps.invoke()
    assert output == ["done"]
    assert not ps.had_errors
    (error,) = ps.streams.error
    assert error.fq_error == "ThingNotFound,Write-Streams"
    assert str(error) == "Cannot find the thing 'x'."
    assert error.category == 13  # ObjectNotFound
    assert error.activity == "Write-Streams"
    assert error.reason == "CimException"
    assert error.target_name == "x"
    assert error.target_type == "String"
    assert error.message.startswith("ObjectNotFound: (x:String) [Write-Streams], CimException")
    assert "Microsoft.Management.Infrastructure.CimException" in error.exception.types
    assert [w.message for w in ps.streams.warning] == ["careful now"]
    assert [v.message for v in ps.streams.verbose] == ["talking"]
    (progress,) = ps.streams.progress
    assert (progress.activity, progress.description, progress.percent_complete) == ("Copying", "half way", 50)
    assert progress.seconds_remaining == 3


def test_stop_a_long_pipeline(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Wait-Stop")
        ps.begin_invoke()
        time.sleep(0.2)
        started = time.monotonic()
        ps.stop()
        assert time.monotonic() - started < 3
        deadline = time.monotonic() + 3
        while not endpoint.backend.stopped_seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert endpoint.backend.stopped_seen[-1] is True
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Small")
        assert len(ps.invoke()) == 1


def test_long_poll_timeout_is_swallowed_by_poll_invoke(make_endpoint, connect):
    endpoint = make_endpoint(operation_timeout=2.0)
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Wait-Stop")
        ps.begin_invoke()
        ps.poll_invoke()  # picks up the Running state
        started = time.monotonic()
        ps.poll_invoke()  # the endpoint holds the Receive ~1 s, then faults 0x80338029: swallowed
        assert 0.5 < time.monotonic() - started < 5
        assert ps.output == []
        ps.stop()


def test_thousand_objects_are_typed(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Many").add_parameter("Count", 1000)
        output = ps.invoke()
    assert len(output) == 1000
    last = output[-1]
    assert last.types[0] == "Microsoft.Management.Infrastructure.CimInstance#ROOT/Lab/Lab_Thing"
    assert str(last) == "thing-999"
    props = last.adapted_properties
    assert props["Index"] == 999
    assert props["Size"] == 2**40 + 999
    assert props["Port"] == 3260
    assert props["Enabled"] is False
    assert str(props["Status"]) == "Up"
    assert props["Status"].property_sets == [2]
    assert props["When"] == "2024-05-06T07:24:48.1234560+00:00"
    assert props["Letter"] == Char("C")
    assert [o.adapted_properties["Index"] for o in output] == list(range(1000))
    raw = last._xml
    assert '<U64 N="Size">' in raw and '<U16 N="Port">' in raw and '<U32 N="Flags">' in raw
    assert '<I64 N="Big">' in raw and '<DT N="When">' in raw and '<C N="Letter">67</C>' in raw


def test_max_runspaces_setter_and_parallel_pipelines(endpoint, connect):
    with RunspacePool(connect(endpoint)) as pool:
        pool.max_runspaces = 2
        first = PowerShell(pool)
        first.add_cmdlet("Wait-Stop")
        first.begin_invoke()
        second = PowerShell(pool)
        second.add_cmdlet("Get-Small")
        assert len(second.invoke()) == 1  # runs while the first one is still running
        first.stop()
