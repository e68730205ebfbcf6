"""Command / Pipeline value objects: validation, immutability, no way to form script text."""

from __future__ import annotations

import pytest

from hvconsole.remoting.command import SWITCH, Command, Pipeline, PSCredentialValue, Secret, Statement


def test_fluent_building_keeps_order_and_is_immutable() -> None:
    base = Command("Get-NetAdapter")
    named = base.param("Name", "Ethernet").param("IncludeHidden", True)
    assert base.parameters == ()
    assert named.parameters == (("Name", "Ethernet"), ("IncludeHidden", True))
    with pytest.raises(AttributeError):
        named.name = "Remove-Item"  # type: ignore[misc]


def test_keyword_parameters_and_switch() -> None:
    cmd = Command("New-Cluster", Name="C1", StaticAddress=["10.0.0.9"], NoStorage=SWITCH).switch("Force")
    assert cmd.parameters == (
        ("Name", "C1"),
        ("StaticAddress", ("10.0.0.9",)),
        ("NoStorage", SWITCH),
        ("Force", SWITCH),
    )
    assert cmd.get("staticaddress") == ("10.0.0.9",)
    assert cmd.get("Missing") is None


def test_pipe_operator_builds_a_statement() -> None:
    stmt = Command("Get-Cluster", Name="C1") | Command("Get-ClusterNode") | Command("Sort-Object")
    assert isinstance(stmt, Statement)
    assert [c.name for c in stmt.commands] == ["Get-Cluster", "Get-ClusterNode", "Sort-Object"]
    pipeline = Pipeline.of(stmt, Command("Get-Disk"))
    assert len(pipeline.statements) == 2
    assert Pipeline([stmt]).then(Command("Get-Disk")) == pipeline
    assert pipeline.mentions("get-disk") and not pipeline.mentions("Restart-Computer")


@pytest.mark.parametrize(
    "name",
    [
        "Get-Process; Remove-Item",
        "Get-Process | x",
        "$(evil)",
        "Get-Item ",
        "iex",
        "Get-",
        "-Item",
        "Get-It`em",
        "",
    ],
)
def test_cmdlet_name_is_validated(name: str) -> None:
    with pytest.raises(ValueError, match="cmdlet name"):
        Command(name)


@pytest.mark.parametrize("name", ["Name;", "a b", "-Name", "", "Na$me"])
def test_parameter_name_is_validated(name: str) -> None:
    with pytest.raises(ValueError, match="parameter name"):
        Command("Get-Item").param(name, "x")


def test_duplicate_parameter_is_rejected_case_insensitively() -> None:
    with pytest.raises(ValueError, match="twice"):
        Command("Get-Item", Path="a").param("path", "b")


@pytest.mark.parametrize("value", [None, 1.5, {"a": 1}, object(), [None], [1.5], [Secret("x")]])
def test_unsupported_values_are_rejected(value: object) -> None:
    with pytest.raises(TypeError):
        Command("Get-Item").param("Path", value)  # type: ignore[arg-type]


def test_empty_pipeline_is_rejected() -> None:
    with pytest.raises(ValueError):
        Pipeline([])
    with pytest.raises(TypeError):
        Pipeline(["Get-Process"])  # type: ignore[list-item]


def test_secrets_do_not_show_in_repr_or_str() -> None:
    secret = Secret("Pa55w0rd!")
    cred = PSCredentialValue("CORP\\admin", Secret("Pa55w0rd!"))
    pipeline = Pipeline.of(
        Command("Install-ADDSForest", SafeModeAdministratorPassword=secret, Credential=cred)
    )
    for text in (repr(secret), str(secret), repr(cred), str(cred), repr(pipeline), str(pipeline)):
        assert "Pa55w0rd!" not in text
    assert secret.reveal() == "Pa55w0rd!"
    assert pipeline.has_secrets
    assert not Pipeline.of(Command("Get-Item", Path="x")).has_secrets


def test_pipelines_are_hashable_values() -> None:
    a = Pipeline.of(Command("Get-Item", Path=["a", "b"]))
    b = Pipeline.of(Command("Get-Item", Path=("a", "b")))
    assert a == b and hash(a) == hash(b)
