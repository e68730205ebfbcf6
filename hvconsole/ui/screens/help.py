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
        groups: dict[str, list[tuple[str, str]]] = {"This screen": [], "Everywhere": [], "Moving around": []}
        seen: set[str] = set()
        for key, active in self._target.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            text = binding.tooltip or binding.description
            if active.node is self.app:
                group = "Everywhere"
            elif active.node is self._target or binding.show:
                group = "This screen"
            else:
                group = "Moving around"
            groups[group].append((key_label(key), text))
        groups["Everywhere"].append(("ctrl+p, :", "Command palette: every screen and command by name"))
        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what it does")
        for title, rows in groups.items():
            if not rows:
                continue
            table.add_row(f"[u]{title}[/u]", "")
            for key, text in rows:
                table.add_row(key, text)
        with VerticalScroll(id="help-body"):
            yield Static(f"[b]{self._title}[/b] — keys", id="help-title")
            yield Static(table)
            yield Static("esc closes this help.", classes="dim")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)
