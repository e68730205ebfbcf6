"""`?`/F1: the keys of the screen underneath, grouped, with their descriptions."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "colon": ":",
    "escape": "esc",
    "enter": "enter",
    "space": "space",
}


def key_label(key: str) -> str:
    return ", ".join(_KEY_NAMES.get(k, k) for k in key.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close help")]

    def __init__(self, screen: Screen, title: str) -> None:
        super().__init__()
        self._target = screen
        self._title = title

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what it does")
        seen: set[str] = set()
        for key, active in self._target.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            table.add_row(key_label(key), binding.description)
        table.add_row("ctrl+p, :", "command palette: every screen and command by name")
        with VerticalScroll(id="help-body"):
            yield Static(f"[b]{self._title}[/b] — keys", id="help-title")
            yield Static(table)
            yield Static("esc closes this help.", classes="dim")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)
