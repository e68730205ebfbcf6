"""Form fields that show a bad value's problem right under the field where it was typed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static


class Field(Vertical):
    """A labelled Input with its own error line. ``error`` shows a message; ``clear_error`` hides it."""

    DEFAULT_CSS = """
    Field { height: auto; margin: 0 0 1 0; }
    Field > Label { color: $text-muted; }
    Field > .field-error { color: $error; height: auto; display: none; }
    Field.-invalid > .field-error { display: block; }
    Field.-invalid > Input { border: tall $error; }
    """

    def __init__(
        self,
        label: str,
        *,
        value: str = "",
        placeholder: str = "",
        password: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._label = label
        self._value = value
        self._placeholder = placeholder
        self._password = password

    def compose(self) -> ComposeResult:
        yield Label(self._label)
        yield Input(value=self._value, placeholder=self._placeholder, password=self._password)
        yield Static("", classes="field-error")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    @value.setter
    def value(self, text: str) -> None:
        self.input.value = text

    def error(self, message: str) -> None:
        self.query_one(".field-error", Static).update(message)
        self.add_class("-invalid")

    def clear_error(self) -> None:
        self.remove_class("-invalid")
