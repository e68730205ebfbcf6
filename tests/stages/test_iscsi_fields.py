"""Hypothesis on every iSCSI form field: hostile text is refused with a message for that field, or it
reaches the planned command as the exact literal (never as script)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hvconsole.stages.iscsi_initiator import check_portal, check_targets
from hvconsole.stages.iscsi_target import (
    DesiredTarget,
    FieldProblem,
    TargetServer,
    Volume,
    check_disk,
    check_folder,
    check_initiators,
    check_target_name,
    plan_target,
)

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["'; Remove-Item C:\\ -Recurse", "$(Stop-Computer)", "`n", "a\nb", "ünï", '"q"', "x;y"]),
)
SERVER = TargetServer("STOR1", installed=True, volumes=[Volume("C", "", 40 * 1024**3, 30 * 1024**3)])


def refused_or(field: str, check, text: str):  # type: ignore[no-untyped-def]
    try:
        return check(text)
    except FieldProblem as problem:
        assert problem.field == field and problem.message
        return None


@settings(max_examples=200)
@given(HOSTILE)
def test_folder(text: str) -> None:
    folder = refused_or("folder", check_folder, text)
    if folder is not None:
        desired = DesiredTarget(
            "STOR1", folder, (check_disk("q", "Quorum", "15", False),), "Cluster", ("IQN:*",)
        )
        paths = [
            s.pipeline.statements[0].commands[0].get("Path")
            for s in plan_target(desired, SERVER, "STOR1").steps
        ]
        assert f"{folder.rstrip(chr(92))}\\Quorum.vhdx" in paths


@settings(max_examples=200)
@given(HOSTILE, HOSTILE)
def test_disk_name_and_size(name: str, size: str) -> None:
    try:
        disk = check_disk("quorum", name, size, False)
    except FieldProblem as problem:
        assert problem.field in ("quorum-name", "quorum-size")
        return
    assert disk.name == name.strip() and 1 <= disk.size_gb <= 65536


@settings(max_examples=200)
@given(HOSTILE)
def test_target_name(text: str) -> None:
    name = refused_or("target-name", check_target_name, text)
    if name is not None:
        desired = DesiredTarget("STOR1", "C:\\v", (), name, ("IQN:*",))
        (step,) = plan_target(desired, SERVER, "STOR1").steps[-1:]
        assert step.pipeline.statements[0].commands[0].get("TargetName") == name


@settings(max_examples=200)
@given(HOSTILE)
def test_initiators(text: str) -> None:
    ids = refused_or("initiators", check_initiators, text)
    if ids is not None:
        assert all((":" in i and i in f"IQN:{text}") or i in text for i in ids)


def test_short_dns_name_is_refused_with_the_reason() -> None:
    try:
        check_initiators("DNSName:HV1")
    except FieldProblem as problem:
        assert "0xefff0029" in problem.message
    else:
        raise AssertionError("a short DNS name was accepted")


@settings(max_examples=200)
@given(HOSTILE)
def test_portal_and_targets(text: str) -> None:
    portal = refused_or("portal", check_portal, text)
    assert portal is None or portal == text.strip()
    targets = refused_or("targets", check_targets, text)
    assert targets is None or all(t in text for t in targets)
