"""HostSettingsScreen over the lab (Pilot, 80×24) and Hypothesis on its fields: hostile strings are refused
with a message at the field or sent as the exact literal."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.coordinate import Coordinate
from textual.widgets import Checkbox, DataTable, Select

from hvconsole.embedded_lab import LabStartError
from hvconsole.launch import Opened, open_workspace
from hvconsole.paths import Locations
from hvconsole.stages.host_settings import Desired, plan_host
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.host_settings import ROWS, HostSettingsScreen, account_name, time_zone_problem
from hvconsole.ui.screens.plan import PlanScreen
from hvconsole.ui.widgets.fields import Field
from hvconsole.windows.host_settings import PRODUCT_KEY, HostSettings

HOSTILE = st.text(alphabet=st.sampled_from("ab'\"$;`\n\r\t\\@.-_ é漢{}()[]|<>*?"), max_size=30)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    root = tmp_path_factory.mktemp("host-settings-ui")
    try:
        opened = open_workspace(
            use_lab=True,
            lab_speed=50.0,
            lab_state=root / "lab" / "state.json",
            where=Locations(root / "config", root / "state", root / "data"),
            lab_args=["--seed", "7"],
        )
    except LabStartError as error:
        pytest.skip(f"the embedded lab could not start: {error}")
    yield opened
    opened.close()


async def _open(app: HvConsoleApp) -> HostSettingsScreen:
    screen = HostSettingsScreen(app.workspace)
    await app.push_screen(screen)
    for _ in range(300):
        if screen.state is not None:
            break
        await asyncio.sleep(0.05)
    return screen


async def _plan_screen(app: HvConsoleApp) -> PlanScreen | None:
    for _ in range(60):
        if isinstance(app.screen, PlanScreen):
            return app.screen
        await asyncio.sleep(0.05)
    return None


async def test_current_values_and_a_remote_desktop_plan(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app)
        await pilot.pause()
        table = screen.query_one("#hs-current", DataTable)
        assert table.row_count == len(ROWS)
        assert table.get_cell_at(Coordinate(2, 1)) == "Disabled"  # Remote Desktop
        assert table.get_cell_at(Coordinate(5, 1)) == "Pacific Standard Time"
        screen.query_one("#hs-rdp", Select).value = "NLA_ONLY"
        screen.query_one("#hs-shutdown", Checkbox).value = True
        await pilot.press("p")
        shown = await _plan_screen(app)
        assert shown is not None
        script = shown.plan.script()
        assert "Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server'" in script
        assert script.count("Stop-Computer -Force") == len(lab.workspace.host_names())
        assert all(s.confirm_phrase == s.host for s in shown.plan.steps if s.title == "Shut down")


async def test_bad_fields_get_a_message_and_nothing_is_planned(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app)
        for field_id, text in [
            ("hs-key", "ABCDE-12345"),
            ("hs-tz", "Mars Standard Time"),
            ("hs-clock", "soon"),
            ("hs-admin", 'bad"name'),
        ]:
            for field in screen.query(Field):
                field.value = ""
            screen.query_one(f"#{field_id}", Field).value = text
            screen.query_one("#hs-current", DataTable).focus()  # p in a field types a p
            await pilot.press("p")
            await pilot.pause()
            assert app.screen is screen
            assert screen.query_one(f"#{field_id}", Field).has_class("-invalid"), field_id
        for field in screen.query(Field):
            field.value = ""
        screen.query_one("#hs-current", DataTable).focus()
        await pilot.press("p")  # nothing asked: a notice, no plan
        await pilot.pause()
        assert app.screen is screen


@given(name=HOSTILE)
def test_administrator_names_are_refused_or_sent_literally(name: str) -> None:
    problem = account_name(name)
    if problem is not None:
        assert problem
        return
    steps = plan_host(
        HostSettings(host="NODE1", administrators=("NODE1\\Administrator",)),
        Desired(add_administrators=(name,)),
    )
    if steps:
        assert steps[0].pipeline.commands[0].get("Member") == (name,)


@given(key=st.text(alphabet=st.sampled_from("ABCDE12345-x'$\n "), max_size=32))
def test_product_keys_are_checked_at_the_field_shape(key: str) -> None:
    s = HostSettings(host="NODE1", partial_product_key="6VM33")
    normal = key.strip().upper()
    if normal and not PRODUCT_KEY.match(normal):
        with pytest.raises(ValueError):
            plan_host(s, Desired(product_key=key))
    else:
        for step in plan_host(s, Desired(product_key=key)):
            assert "ProductKey" in step.powershell and normal in step.powershell


@given(tz=HOSTILE)
def test_time_zone_must_be_one_the_host_lists(tz: str) -> None:
    s = HostSettings(host="NODE1", time_zones=("UTC", "W. Europe Standard Time"))
    problem = time_zone_problem(tz, {"NODE1": s})
    assert (problem is None) == (tz.lower() in ("utc", "w. europe standard time"))
