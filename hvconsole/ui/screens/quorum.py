"""Quorum: the current configuration and witness, and a form to choose node majority, a disk witness (the
smallest eligible disk by default), a file share witness on the storage box (its SMB share planned too) or no
witness. A rule broken (a CSV as disk witness, a disk under 512 MB) is refused at the field with the reason."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Select, Static

from hvconsole.stages.plan import Plan
from hvconsole.stages.quorum import (
    CHOICES,
    QuorumRefused,
    QuorumRequest,
    plan_quorum,
    read_quorum,
    witness_candidates,
)
from hvconsole.ui.screens.cluster_base import ClusterRead, read_selected_cluster
from hvconsole.ui.screens.stage import FormError, StageScreen
from hvconsole.ui.widgets.fields import Field


class QuorumScreen(StageScreen):
    STAGE_TITLE: ClassVar[str] = "Quorum"
    DEFAULT_CSS = """
    QuorumScreen #q-current { height: auto; padding: 0 1 1 1; }
    QuorumScreen #q-choice { margin: 0 0 1 0; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the cluster…", id="q-current")
        yield Select(
            [(label, key) for key, label in CHOICES.items()], value="disk", allow_blank=False, id="q-choice"
        )
        yield Field("Disk witness (empty: the smallest eligible disk)", id="q-disk")
        yield Field("Storage box serving the file share witness", id="q-storage")
        yield Field("Share name", value="Quorum", id="q-share")
        yield Field("Folder on the storage box (must exist)", value="C:\\Quorum", id="q-folder")
        yield Footer()

    def read_state(self) -> tuple[ClusterRead, frozenset[str]]:
        found = read_selected_cluster(self.workspace, self.hosts)
        storage = found.others[0] if found.others else None
        shares = (
            read_quorum(self.workspace, found.runner, found.view.name, storage).shares
            if found.view
            else frozenset()
        )
        return found, shares

    def show_state(self, state: tuple[ClusterRead, frozenset[str]]) -> None:
        found, _shares = state
        view = found.view
        if view is None:
            self.query_one("#q-current", Static).update(found.why or "")
            return
        kinds = {"disk": "node majority + disk witness", "share": "node majority + file share witness"}
        witness = f"{view.witness} ({view.share_path})" if view.witness_kind == "share" else view.witness
        self.query_one("#q-current", Static).update(
            f"{view.name}: {kinds.get(view.witness_kind, 'node majority, no witness')}"
            + (f" — witness {witness}" if witness else "")
            + f"\nEligible disk witnesses: {', '.join(witness_candidates(view)) or 'none'}"
        )
        storage = self.query_one("#q-storage", Field)
        if not storage.value and found.others:
            storage.value = found.others[0]

    def make_plan(self) -> Plan:
        found, shares = self.state
        if found.view is None:
            raise FormError("q-choice", found.why or "The cluster could not be read.")
        request = QuorumRequest(
            choice=str(self.query_one("#q-choice", Select).value),
            disk=self.query_one("#q-disk", Field).value.strip(),
            storage_host=self.query_one("#q-storage", Field).value.strip(),
            share=self.query_one("#q-share", Field).value,
            folder=self.query_one("#q-folder", Field).value,
            existing_shares=shares,
        )
        if request.choice == "share" and request.storage_host.lower() not in {h.lower() for h in self.hosts}:
            raise FormError(
                "q-storage", f"Pick a host of the inventory: {', '.join(found.others) or 'none'}."
            )
        try:
            return plan_quorum(found.view, request)
        except QuorumRefused as refused:
            raise FormError(refused.field, refused.message) from None
