"""The `/` filter line (k9s style): hidden until asked for, filters as you type, `esc` clears it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


@dataclass(frozen=True)
class RowFilter:
    """A case-insensitive filter: plain text or a regex; a leading `!` inverts it."""

    text: str = ""

    @property
    def inverted(self) -> bool:
        return self.text.startswith("!")

    def _pattern(self) -> re.Pattern[str] | None:
        body = self.text[1:] if self.inverted else self.text
        if not body:
            return None
        try:
            return re.compile(body, re.IGNORECASE)
        except re.error:
            return re.compile(re.escape(body), re.IGNORECASE)

    def matches(self, *cells: str) -> bool:
        pattern = self._pattern()
        if pattern is None:
            return True
        found = any(pattern.search(cell) for cell in cells)
        return not found if self.inverted else found


class FilterBar(Input):
    DEFAULT_CSS = """
    FilterBar { display: none; height: 1; border: none; padding: 0 1; }
    FilterBar.-active { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Clear filter", show=True)]

    @dataclass
    class FilterChanged(Message):
        filter: RowFilter

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter (regex, !inverts) — esc clears", id=id)

    def open(self) -> None:
        self.add_class("-active")
        self.focus()

    def action_close(self) -> None:
        self.value = ""
        self.remove_class("-active")
        self.post_message(self.FilterChanged(RowFilter("")))
        self.screen.focus_next()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.FilterChanged(RowFilter(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()
