"""Adding, editing and removing hosts from the dashboard, on an inventory file of real-host form (pointing at
a running lab), with problems shown at the field and the password kept out of the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hvconsole.credentials import Account, CredentialStore
from hvconsole.embedded_lab import EmbeddedLab
from hvconsole.inventory import HostEntry, Inventory, load_inventory, save_inventory
from hvconsole.launch import Opened, open_workspace
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.confirm import ConfirmScreen
from hvconsole.ui.screens.host_form import HostFormScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.ui.widgets.host_table import HostTable
from tests.conftest import locations_in
from tests.ui.waiting import wait_for


@pytest.fixture
def inventory_workspace(tmp_path: Path) -> Iterator[tuple[Opened, Path, EmbeddedLab]]:
    lab = EmbeddedLab.start(tmp_path / "lab" / "state.json", speed=50, extra_args=["--seed", "5"])
    store = CredentialStore(memory_only=True)
    lab_inventory = lab.inventory(store)
    first = lab_inventory.hosts[0]
    path = tmp_path / "inventory.toml"
    save_inventory(Inventory(hosts=[first.model_copy(update={"lab": False})]), path)
    opened = open_workspace(inventory_file=path, where=locations_in(tmp_path), credentials=store)
    yield opened, path, lab
    opened.close()
    lab.stop()


async def test_add_edit_remove_a_host_from_the_dashboard(inventory_workspace) -> None:  # type: ignore[no-untyped-def]
    opened, path, lab = inventory_workspace
    second = lab.hosts[1]
    app = HvConsoleApp(opened.workspace, poll_seconds=0)
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.screen.query_one(HostTable)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, HostFormScreen)
        form.query_one("#host-name", Field).value = "HV2"
        form.query_one("#host-address", Field).value = second.address
        form.query_one("#host-port", Field).value = "99999"
        await pilot.press("f5")
        assert form.query_one("#host-port", Field).has_class("-invalid")
        assert load_inventory(path).hosts[-1].name != "HV2"  # nothing saved
        form.query_one("#host-port", Field).value = str(second.port)
        form.query_one("#host-username", Field).value = second.username
        form.query_one("#host-password", Field).value = second.password
        form.query_one("#host-ca", Field).value = second.ca_cert
        form.query_one("#host-auth").value = "basic"  # type: ignore[attr-defined]
        await pilot.press("f5")
        await wait_for(lambda: not isinstance(app.screen, HostFormScreen))
        saved = load_inventory(path).host("HV2")
        assert saved.address == second.address and saved.authentication == "basic"
        assert second.password not in path.read_text()  # the password went to the credential store only
        assert opened.workspace.credentials.get("HV2") == Account(second.username, second.password)
        await wait_for(
            lambda: (
                table.rows_by_host.get("HV2") is not None and table.rows_by_host["HV2"].state == "connected"
            ),
        )

        table.move_cursor(row=table.get_row_index("HV2"))
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, HostFormScreen)
        form.query_one("#host-address", Field).value = "not a host name!"
        await pilot.press("f5")
        assert form.query_one("#host-address", Field).has_class("-invalid")
        await pilot.press("escape")

        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(lambda: "HV2" not in table.rows_by_host)
        assert [h.name for h in load_inventory(path).hosts] == [opened.workspace.host_names()[0]]


async def test_the_labs_hosts_cannot_be_edited_and_say_why(shared_lab: Opened) -> None:
    app = HvConsoleApp(shared_lab.workspace, poll_seconds=0, initial_refresh=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        assert not isinstance(app.screen, HostFormScreen)
        assert any("embedded lab" in n.message for n in app._notifications)


def test_a_host_entry_from_the_form_never_holds_a_password() -> None:
    assert "password" not in HostEntry.model_fields
