"""The live-migration monitor: every migration in flight and recently finished — VM, route, phase, percent,
pass and dirty pages, throughput now/average with a sparkline, bytes left, ETA, elapsed, blackout or the
failure reason — and one summary line on top ("7 done, 1 failed: VM3 → node2: …").

Polls at ~1-2 Hz on a thread worker; the next poll is scheduled with set_timer only after the previous one
finished, so polls never overlap (style.md #5). Rows are updated in place (frames cost, performance.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, ProgressBar, Sparkline, Static
from textual.worker import Worker, WorkerState

from hvconsole.stages.migration_views import MigrationView, human_bytes, human_rate, human_seconds, summary
from hvconsole.stages.migration_watch import MigrationWatch
from hvconsole.stages.vms import read_cluster_name
from hvconsole.stages.workspace import Workspace

POLL_SECONDS = 0.7


def detail_line(view: MigrationView) -> str:
    if view.outcome == "done":
        blackout = f"blackout {view.blackout * 1000:.0f} ms" if view.blackout is not None else "done"
        return f"done in {human_seconds(view.elapsed)} · {blackout} · avg {human_rate(view.rate_avg)}"
    if view.outcome == "failed":
        return f"FAILED after {human_seconds(view.elapsed)}: {view.failure or ''}"
    if view.outcome == "canceled":
        return f"canceled after {human_seconds(view.elapsed)}; the VM runs on {view.source or 'the source'}"
    passes = f"pass {view.pass_number} · {view.dirty_pages} dirty pages" if view.pass_number else view.phase
    return (
        f"{passes} · {human_rate(view.rate_now)} (avg {human_rate(view.rate_avg)}) · "
        f"{human_bytes(view.bytes_left)} left · ETA {human_seconds(view.eta)} · {human_seconds(view.elapsed)}"
    )


class MigrationRow(Vertical):
    DEFAULT_CSS = """
    MigrationRow { height: 3; padding: 0 1; }
    MigrationRow Horizontal { height: 1; }
    MigrationRow .mig-title { width: 1fr; }
    MigrationRow ProgressBar { width: 40; }
    MigrationRow ProgressBar Bar { width: 1fr; }
    MigrationRow Sparkline { width: 1fr; height: 1; }
    MigrationRow .mig-detail { color: $text-muted; height: 1; }
    MigrationRow.-failed .mig-detail { color: $error; }
    """

    def __init__(self, view: MigrationView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("", classes="mig-title")
            yield ProgressBar(total=100, show_eta=False)
        with Horizontal():
            yield Sparkline([], summary_function=max)
        yield Label("", classes="mig-detail")

    def on_mount(self) -> None:
        self.show(self.view)

    def show(self, view: MigrationView) -> None:
        self.view = view
        self.set_class(view.outcome == "failed", "-failed")
        self.query_one(".mig-title", Label).update(f"{view.vm}  {view.route}  [{view.phase}]")
        self.query_one(ProgressBar).update(progress=view.percent)
        self.query_one(Sparkline).data = list(view.history) or [0.0]
        self.query_one(".mig-detail", Label).update(detail_line(view))


class MigrationMonitorScreen(Screen[None]):
    TITLE_TEXT: ClassVar[str] = "Migration monitor"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+r", "poll_now", "Poll now", tooltip="Poll the nodes now (if no poll is running)"),
    ]
    DEFAULT_CSS = """
    MigrationMonitorScreen #mig-summary { height: auto; padding: 0 1; text-style: bold; }
    MigrationMonitorScreen #mig-rows { height: 1fr; }
    """

    def __init__(
        self, workspace: Workspace, hosts: list[str] | None = None, *, interval: float = POLL_SECONDS
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.hosts = list(hosts or workspace.host_names())
        self.interval = interval
        self.watcher: MigrationWatch | None = None
        self.views: list[MigrationView] = []
        self.rows: dict[tuple[str, float], MigrationRow] = {}
        self.polls = 0
        self._polling = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Waiting for the first poll…", id="mig-summary")
        yield VerticalScroll(id="mig-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.TITLE_TEXT
        self.sub_title = f"{len(self.hosts)} hosts · polled every {self.interval:.1f}s"
        self.action_poll_now()

    def _poll(self) -> list[MigrationView]:
        if self.watcher is None:
            cluster = read_cluster_name(self.workspace, self.hosts)
            self.watcher = MigrationWatch(self.workspace, self.hosts, cluster)
        return self.watcher.poll()

    def action_poll_now(self) -> None:
        if self._polling:
            return
        self._polling = True
        self.run_worker(self._poll, thread=True, exclusive=True, group="migration-poll", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "migration-poll" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        self._polling = False
        self.polls += 1
        if event.state is WorkerState.SUCCESS:
            self.show(event.worker.result or [])
        else:
            self.query_one("#mig-summary", Static).update(f"Poll failed: {event.worker.error}")
        if self.is_attached:
            self.set_timer(self.interval, self.action_poll_now)  # the next poll after this one: never overlap

    def show(self, views: list[MigrationView]) -> None:
        self.views = views
        text = summary(views)
        if self.watcher is not None and self.watcher.problems:
            text += f"  ({len(self.watcher.problems)} node(s) not answering)"
        self.query_one("#mig-summary", Static).update(text)
        container = self.query_one("#mig-rows", VerticalScroll)
        wanted = {(v.vm, v.started): v for v in views}
        for key in [k for k in self.rows if k not in wanted]:
            self.rows.pop(key).remove()
        for key, view in wanted.items():
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = MigrationRow(view)
                container.mount(row)
            elif row.is_mounted:
                row.show(view)

    def action_back(self) -> None:
        self.app.pop_screen()

    def summary_text(self) -> Any:
        return self.query_one("#mig-summary", Static).render()
