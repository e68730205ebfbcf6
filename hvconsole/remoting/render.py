"""Render a Pipeline as PowerShell text for the preview pane. Never executed: the wire carries structure.

Quoting rules (the preview is faithful: pasted into PowerShell it would bind the same values):

* strings are single-quoted; every single-quote character PowerShell recognises (' and the typographic
  U+2018..U+201B) is doubled, so ``$``, ``;``, backticks and ``#`` are literal;
* a string holding a line break or another control character is rendered as a parenthesised
  concatenation of single-quoted pieces and double-quoted escapes, e.g. ``('a' + "`n" + 'b')``. We chose
  this over a here-string because a here-string cannot hold a line that starts with ``'@`` and would break
  the one-line-per-statement layout, and over one ``"..."`` string because that needs ``$``/backtick/quote
  escaping. Only ``"`n"``, ``"`r"``, ``"`0"`` and ``([char]0xHH)`` appear outside single quotes, so no
  input text is ever interpreted. Tabs stay literal.
* switches are ``-Name``; bools ``$true``/``$false``; ints bare; lists ``'a', 'b'``, one item ``@('a')``,
  empty ``@()``;
* a Secret renders as ``********`` and a PSCredential as ``(Get-Credential 'user')``: no secret text ever;
* commands in a statement are joined with `` | ``; statements with newlines.
"""

from __future__ import annotations

from hvconsole.remoting.command import (
    MASK,
    Command,
    Hashtable,
    Pipeline,
    PSCredentialValue,
    Secret,
    Statement,
    Switch,
    Value,
)

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_ESCAPES = {"\n": '"`n"', "\r": '"`r"', "\0": '"`0"'}


def _needs_escape(ch: str) -> bool:
    return ch != "\t" and (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029")


def _single_quoted(text: str) -> str:
    return "'" + "".join(ch * 2 if ch in SINGLE_QUOTES else ch for ch in text) + "'"


def render_string(text: str) -> str:
    """A PowerShell expression whose value is exactly ``text``."""
    if not any(_needs_escape(ch) for ch in text):
        return _single_quoted(text)
    parts: list[str] = []
    run: list[str] = []
    for ch in text:
        if _needs_escape(ch):
            if run:
                parts.append(_single_quoted("".join(run)))
                run = []
            parts.append(_ESCAPES.get(ch) or f"([char]0x{ord(ch):02X})")
        else:
            run.append(ch)
    if run:
        parts.append(_single_quoted("".join(run)))
    return "(" + " + ".join(parts) + ")"


def _scalar(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "$true" if value else "$false"
    if isinstance(value, int):
        return str(value)
    return render_string(value)


def render_value(value: Value) -> str:
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, PSCredentialValue):
        return f"(Get-Credential {render_string(value.username)})"
    if isinstance(value, tuple):
        if len(value) == 1:
            return f"@({_scalar(value[0])})"
        return ", ".join(_scalar(v) for v in value) if value else "@()"
    if isinstance(value, Hashtable):
        return "@{" + "; ".join(f"{k}={render_value(v)}" for k, v in value.items) + "}"
    if isinstance(value, Switch):
        raise TypeError("a switch has no value text")
    return _scalar(value)


def render_command(command: Command) -> str:
    words = [command.name]
    for name, value in command.parameters:
        if isinstance(value, Switch):
            words.append(f"-{name}")
        elif isinstance(value, bool):
            # -Name:$false: with a space, PowerShell would read a switch parameter as present and $false as a
            # separate positional argument (-Confirm $false does NOT turn confirmation off).
            words.append(f"-{name}:{render_value(value)}")
        else:
            words.append(f"-{name} {render_value(value)}")
    return " ".join(words)


def render_statement(statement: Statement) -> str:
    return " | ".join(render_command(c) for c in statement.commands)


def render(pipeline: Pipeline | Statement | Command) -> str:
    """The whole pipeline as PowerShell text, one statement per line."""
    if isinstance(pipeline, Command):
        return render_command(pipeline)
    if isinstance(pipeline, Statement):
        return render_statement(pipeline)
    return "\n".join(render_statement(s) for s in pipeline.statements)
