"""The preview renderer: exact quoting, secrets redacted; property-based round trip through a tiny parser."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from hvconsole.remoting.command import Command, Pipeline, PSCredentialValue, Secret
from hvconsole.remoting.render import SINGLE_QUOTES, render, render_string


def parse_string_expression(text: str) -> str:
    """A reference parser for exactly what render_string may emit:
    a single-quoted literal, or ``( piece + piece ... )`` where a piece is a single-quoted literal,
    ``"`n"``/``"`r"``/``"`0"`` or ``([char]0xHH)``. Raises ValueError on anything else."""
    pos = 0

    def single_quoted() -> str:
        nonlocal pos
        if pos >= len(text) or text[pos] not in SINGLE_QUOTES:
            raise ValueError(f"expected a quote at {pos}")
        pos += 1
        out = []
        while True:
            if pos >= len(text):
                raise ValueError("unterminated")
            ch = text[pos]
            if ch in SINGLE_QUOTES:
                if pos + 1 < len(text) and text[pos + 1] in SINGLE_QUOTES:
                    out.append(ch)  # PowerShell keeps the second quote of a doubled pair
                    pos += 2
                    continue
                pos += 1
                return "".join(out)
            out.append(ch)
            pos += 1

    if not text.startswith("("):
        value = single_quoted()
        if pos != len(text):
            raise ValueError("trailing text")
        return value
    pos = 1
    pieces = []
    escapes = {'"`n"': "\n", '"`r"': "\r", '"`0"': "\0"}
    while True:
        for token, char in escapes.items():
            if text.startswith(token, pos):
                pieces.append(char)
                pos += len(token)
                break
        else:
            match = re.compile(r"\(\[char\]0x([0-9A-F]{2,4})\)").match(text, pos)
            if match:
                pieces.append(chr(int(match.group(1), 16)))
                pos = match.end()
            else:
                pieces.append(single_quoted())
        if text.startswith(" + ", pos):
            pos += 3
            continue
        if text[pos:] == ")":
            return "".join(pieces)
        raise ValueError(f"unexpected text at {pos}: {text[pos:]!r}")


def test_hostile_value_is_one_literal() -> None:
    hostile = "x'; Remove-Item C:\\ -Recurse #"
    rendered = render(Command("Get-NetAdapter", Name=hostile))
    assert rendered == "Get-NetAdapter -Name 'x''; Remove-Item C:\\ -Recurse #'"


def test_value_kinds() -> None:
    cmd = (
        Command("New-Thing")
        .param("Name", "a$b`c")
        .param("Count", -3)
        .param("Enabled", False)
        .param("On", True)
        .switch("Force")
        .param("List", ["a", "b'c"])
        .param("One", [1])
        .param("None", [])
    )
    assert render(cmd) == (
        "New-Thing -Name 'a$b`c' -Count -3 -Enabled:$false -On:$true -Force -List 'a', 'b''c' -One @(1) -None @()"
    )


def test_statements_and_pipes() -> None:
    pipeline = Pipeline.of(
        Command("Get-Cluster", Name="C1") | Command("Get-ClusterNode"), Command("Get-Disk")
    )
    assert render(pipeline) == "Get-Cluster -Name 'C1' | Get-ClusterNode\nGet-Disk"


def test_newlines_and_control_characters() -> None:
    assert render_string("a\nb") == "('a' + \"`n\" + 'b')"
    assert render_string("\r\n") == '("`r" + "`n")'
    assert render_string("\x1b[31m") == "(([char]0x1B) + '[31m')"
    assert render_string("tab\there") == "'tab\there'"
    assert render_string("\u2019") == "'\u2019\u2019'"


def test_secrets_are_placeholders() -> None:
    cmd = Command("Install-ADDSForest", SafeModeAdministratorPassword=Secret("S3cr3t!"))
    cmd = cmd.param("Credential", PSCredentialValue("CORP\\o'brien", Secret("S3cr3t!")))
    assert render(cmd) == (
        "Install-ADDSForest -SafeModeAdministratorPassword ******** -Credential (Get-Credential 'CORP\\o''brien')"
    )


@given(st.text())
def test_any_string_round_trips(text: str) -> None:
    rendered = render_string(text)
    assert parse_string_expression(rendered) == text
    assert "\n" not in rendered and "\r" not in rendered


@given(st.text())
def test_any_string_as_a_parameter_is_one_token(text: str) -> None:
    rendered = render(Command("Get-Item", Path=text))
    prefix = "Get-Item -Path "
    assert rendered.startswith(prefix)
    assert parse_string_expression(rendered[len(prefix) :]) == text


@given(secret=st.text(min_size=4).filter(lambda s: s.strip() == s and "*" not in s), user=st.text())
def test_rendering_never_leaks_a_secret(secret: str, user: str) -> None:
    if (
        secret in user
        or secret in 'Install-ADDSForest -Password -Credential (Get-Credential ) \' + "`n" [char]0x'
    ):
        return

    def build(value: str) -> Pipeline:
        return Pipeline.of(
            Command(
                "Install-ADDSForest",
                Password=Secret(value),
                Credential=PSCredentialValue(user, Secret(value)),
            ),
        )

    pipeline = build(secret)
    # The scaffolding around a secret (names, "password=Secret(********)") may contain the text by chance;
    # what must hold is that the output does not depend on the secret at all.
    other = build("\x00" + secret[::-1] + "\x01")
    assert render(pipeline) == render(other)
    assert repr(pipeline) == repr(other)
