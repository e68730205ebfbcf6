"""A yes/no question; `y`/`enter` confirms, `n`/`esc` declines. Destructive steps use TypedConfirmScreen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button(f"{self.no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TypedConfirmScreen(ModalScreen[bool]):
    """For destructive steps: the admin types the name of what will be destroyed (e.g. ``Disk 1``)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, warning: str, phrase: str) -> None:
        super().__init__()
        self.warning = warning
        self.phrase = phrase

    def compose(self) -> ComposeResult:
        from textual.widgets import Input

        with Vertical(id="confirm-box"):
            yield Static(self.warning, id="confirm-question")
            yield Static(f"Type [b]{self.phrase}[/b] to confirm:", markup=True)
            yield Input(placeholder=self.phrase, id="confirm-phrase")
            yield Static("", id="confirm-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#confirm-phrase").focus()

    def on_input_submitted(self, event: object) -> None:
        from textual.widgets import Input

        typed = self.query_one("#confirm-phrase", Input).value
        if typed.strip() == self.phrase:
            self.dismiss(True)
        else:
            self.query_one("#confirm-error", Static).update(
                f"That is not “{self.phrase}”. Nothing was changed."
            )

    def action_cancel(self) -> None:
        self.dismiss(False)
