"""NetworkScreen over the lab (Pilot, 80×24): adapters shown, bad input lands at its field and sends nothing,
a good form opens the plan; hostile strings in every field are refused at a field (hypothesis)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable

from hvconsole.launch import Opened
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.network import FIELDS, NetworkScreen
from hvconsole.ui.screens.plan import PlanScreen
from hvconsole.ui.screens.stage import FormError
from hvconsole.ui.widgets.fields import Field
from tests.conftest import open_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("network-ui-lab"))
    yield opened
    opened.close()


async def opened_screen(pilot: object, app: HvConsoleApp) -> NetworkScreen:
    screen = NetworkScreen(app.workspace)
    await app.push_screen(screen)
    for _ in range(200):
        if screen.state is not None:
            break
        await asyncio.sleep(0.05)
    await pilot.pause()  # type: ignore[attr-defined]
    return screen


def journal_count(lab: Opened) -> int:
    return len(lab.workspace.journal_entries())


async def test_adapters_table_and_field_errors(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened_screen(pilot, app)
        table = screen.query_one(DataTable)
        assert table.row_count == 6  # three hosts × two adapters
        assert screen.query_one(f"#{FIELDS['host']}", Field).value == lab.workspace.host_names()[0]
        before = journal_count(lab)
        table.focus()  # "p" is a key of the screen; inside a field it is just a letter
        await pilot.pause()
        screen.query_one(f"#{FIELDS['mode']}", Field).value = "static"  # a fresh host is on DHCP
        screen.query_one(f"#{FIELDS['gateway']}", Field).value = "10.99.0.1"
        await pilot.press("p")
        await pilot.pause()
        gateway = screen.query_one(f"#{FIELDS['gateway']}", Field)
        assert gateway.has_class("-invalid") and "outside" in str(gateway.query_one(".field-error").render())
        assert journal_count(lab) == before
        screen.query_one(f"#{FIELDS['gateway']}", Field).value = "10.20.0.1"
        screen.query_one(f"#{FIELDS['mode']}", Field).value = "static"
        screen.query_one(f"#{FIELDS['address']}", Field).value = "10.20.0.50"
        table.focus()
        await pilot.press("p")
        for _ in range(100):
            if isinstance(app.screen, PlanScreen):
                break
            await asyncio.sleep(0.05)
        assert isinstance(app.screen, PlanScreen)
        assert "New-NetIPAddress" in app.screen.plan.script()


HOSTILE = st.text(
    alphabet=st.sampled_from([*"'\"$;`\n\r|&(){}% ", "é", "𝔘", "\u202e", "0", "1", "."]),
    min_size=1,
    max_size=20,
)


@pytest.mark.parametrize("name", ["address", "prefix_length", "gateway", "dns_servers", "mode"])
async def test_hostile_strings_are_refused_at_the_field(lab: Opened, name: str) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened_screen(pilot, app)
        if name != "mode":
            screen.query_one(f"#{FIELDS['mode']}", Field).input.value = "static"

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(HOSTILE)
        def check(text: str) -> None:
            screen.query_one(f"#{FIELDS[name]}", Field).input.value = text
            try:
                plan = screen.make_plan()
            except FormError as problem:
                assert problem.field_id in FIELDS.values() and problem.message
            else:  # accepted: then it was a well-formed value, sent as the exact literal
                assert text.strip() in plan.script() or name in ("mode",) or plan.empty

        check()
        screen.query_one(f"#{FIELDS[name]}", Field).input.value = ""


async def test_new_adapter_name_is_sent_as_the_exact_literal(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened_screen(pilot, app)

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.text(min_size=1, max_size=30).filter(lambda t: t.strip() != "" and t != "Ethernet"))
        def check(text: str) -> None:
            screen.query_one(f"#{FIELDS['new_name']}", Field).input.value = text
            try:
                plan = screen.make_plan()
            except FormError as problem:
                assert problem.field_id == FIELDS["new_name"]
                return
            rename = next(s for s in plan.steps if s.pipeline.mentions("Rename-NetAdapter"))
            assert rename.pipeline.commands[0].get("NewName") == text

        check()
