"""The Textual application: screens, global keys, the command palette, themes, connection events."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from hvconsole.stages.operations import Operation
from hvconsole.stages.workspace import Workspace
from hvconsole.ui.messages import HostConnectionChanged, JournalChanged
from hvconsole.ui.navigation import available
from hvconsole.ui.screens.confirm import ConfirmScreen
from hvconsole.ui.screens.dashboard import DashboardScreen
from hvconsole.ui.screens.help import HelpScreen
from hvconsole.ui.themes import install_themes


def steady_gc() -> None:
    """Keep garbage collection from pausing the UI: freeze what start-up allocated (modules, classes, the
    lab description) so full collections never walk it again, and collect less often. Measured with
    bench/soak.py on a loaded 2-vCPU box: full-collection pauses of 150–400 ms fell below 100 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class HvConsoleApp(App[int]):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere keep the styles
    TITLE = "hvconsole"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", tooltip="Show the keys of this screen"),
        Binding("h", "dashboard", "Hosts", tooltip="Back to the hosts dashboard"),
        Binding("j", "journal", "Journal", tooltip="Every command hvconsole ran, live"),
        Binding("colon", "command_palette", "Commands", show=False),
        Binding("q", "quit_console", "Quit"),
        Binding("ctrl+c", "quit_console", "Quit", show=False, priority=True),
    ]

    def __init__(
        self, workspace: Workspace, *, poll_seconds: float = 15.0, initial_refresh: bool = True
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.poll_seconds = poll_seconds
        self.initial_refresh = initial_refresh

    def on_mount(self) -> None:
        install_themes(self)  # shipped + user themes, the saved choice; palette picks are saved
        for destination in available():
            self.bind(destination.key, f"go('{destination.key}')", description=destination.title, show=False)
        self.workspace.on_connection_change(self._connection_changed)
        self.workspace.on_journal(self._journal_written)
        self.push_screen(
            DashboardScreen(
                self.workspace, poll_seconds=self.poll_seconds, initial_refresh=self.initial_refresh
            )
        )
        for notice in self.workspace.notices:
            self.notify(notice, severity="warning", timeout=8)
        self.run_worker(self._find_unfinished, thread=True, group="resume", exit_on_error=False)

    def _find_unfinished(self) -> None:
        """Off the UI thread: applies a kill or crash interrupted are offered for resuming (ResumeScreen)."""
        unfinished = self.workspace.operations.unfinished()
        if unfinished:
            self.call_from_thread(self._offer_resume, unfinished)

    def _offer_resume(self, unfinished: list[Operation]) -> None:
        from hvconsole.ui.screens.resume import ResumeScreen

        self.push_screen(ResumeScreen(self.workspace, unfinished))

    # Called on worker/owner threads: post_message is the thread-safe way in.
    def _connection_changed(self, host: str, state: str, detail: str | None) -> None:
        message = HostConnectionChanged(host, state, detail)
        for screen in self.screen_stack:
            screen.post_message(message)

    def _journal_written(self, count: int) -> None:
        message = JournalChanged(count)
        for screen in self.screen_stack:
            screen.post_message(message)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Hosts dashboard", "Every host, its connection and roles", self.action_dashboard)
        for destination in available():
            yield SystemCommand(
                f"{destination.title} ({destination.key})",
                destination.help,
                partial(self.action_go, destination.key),
            )
        yield SystemCommand("Journal", "Every command run, with its outcome", self.action_journal)
        yield SystemCommand("Help", "The keys of the current screen", self.action_help)
        yield from super().get_system_commands(screen)

    def selected_hosts(self) -> list[str]:
        """Hosts marked on the dashboard (or the one under the cursor); empty means every host."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen.selected_hosts()
        return []

    def action_go(self, key: str) -> None:
        self.open_destination(key, self.selected_hosts())

    def open_destination(self, key: str, hosts: list[str]) -> None:
        """Open a stage screen on ``hosts``; the plans it applies remember it (for resuming)."""
        for destination in available():
            if destination.key == key:
                self.action_dashboard()
                self.workspace.operations.context = {"destination": key, "hosts": list(hosts)}
                self.push_screen(destination.make(self.workspace, hosts))
                return

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        title = self.screen.title or self.screen.__class__.__name__.removesuffix("Screen")
        self.push_screen(HelpScreen(self.screen, str(title)))

    def action_dashboard(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def action_journal(self) -> None:
        from hvconsole.ui.screens.journal import JournalScreen

        if isinstance(self.screen, JournalScreen):
            return
        self.push_screen(JournalScreen(self.workspace))

    def action_quit_console(self) -> None:
        busy = self.workspace.changes_in_flight()
        if not busy:
            self.exit(0)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit(0)

        self.push_screen(
            ConfirmScreen(
                f"{busy} change(s) are still being applied. Quitting now may leave them half done "
                "(the journal will show what ran). Quit anyway?",
                yes="Quit",
                no="Stay",
            ),
            answered,
        )
