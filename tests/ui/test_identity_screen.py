"""IdentityScreen over the lab (Pilot, 80×24): per-host table, messages at the field for bad input, the plan
preview never shows a password, a wrong domain password shows Windows' 1326 text, a host whose DNS does not
point at the DC gets a finding saying why and how to fix it; Hypothesis on every form field."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Checkbox, DataTable, Static

from hvconsole.launch import Opened
from hvconsole.remoting.command import Secret
from hvconsole.stages.identity import IdentityRequest, NewForest, build_plan
from hvconsole.ui.app import HvConsoleApp
from hvconsole.ui.screens.identity import IdentityScreen
from hvconsole.ui.screens.plan import PlanScreen
from hvconsole.ui.screens.stage import FormError
from hvconsole.ui.widgets.fields import Field
from tests.conftest import open_lab
from tests.ui.waiting import wait_for

DOMAIN = "virtuallab.com"
HOSTILE = st.one_of(
    st.text(alphabet=st.sampled_from([*"abcXYZ09-._ '\"$;`|&(){}\n\t\\@é中", "\x00"]), max_size=24),
    st.sampled_from(
        ["$(Get-Date)", "a'; Remove-Item C:\\ -Recurse #", "`$env:PATH", "NODE-1", "corp.example.com"]
    ),
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = open_lab(tmp_path_factory.mktemp("identity-ui-lab"), seed=23, speed=50.0)
    yield opened
    opened.close()


def password(lab: Opened) -> str:
    assert lab.lab is not None
    return lab.lab.hosts[0].password


async def open_screen(app: HvConsoleApp, pilot) -> IdentityScreen:  # type: ignore[no-untyped-def]
    screen = IdentityScreen(app.workspace)
    await app.push_screen(screen)
    for _ in range(200):
        if screen.state is not None:
            break
        await asyncio.sleep(0.05)
    await pilot.pause()
    return screen


def set_field(screen: IdentityScreen, field_id: str, value: str) -> None:
    screen.query_one(f"#{field_id}", Field).value = value


async def test_table_and_invalid_name_at_the_field(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 3
        assert "workgroup WORKGROUP" in str(table.get_row_at(0))
        field = screen.query_one("#id-new-name", Field)
        field.input.focus()
        await pilot.press(*"bad name")
        await pilot.pause()
        await pilot.press("ctrl+r")  # re-read keeps the edits
        screen.action_plan()
        await pilot.pause()
        assert field.has_class("-invalid") and app.screen is screen
        assert "letters, digits and hyphens" in str(field.query_one(".field-error", Static).render())


async def test_weak_dsrm_password_at_the_field(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        screen.query_one(DataTable).focus()
        await pilot.press("f")
        set_field(screen, "id-domain", DOMAIN)
        set_field(screen, "id-dsrm", "short")
        screen.action_plan()
        await pilot.pause()
        assert screen.query_one("#id-dsrm", Field).has_class("-invalid") and app.screen is screen


async def test_wrong_password_shows_1326_and_the_preview_hides_it(lab: Opened) -> None:
    storage = lab.workspace.host_names()[0]
    forest = NewForest(storage, DOMAIN, "VIRTUALLAB", Secret("Dsrm-Passw0rd!"))
    promote = build_plan(lab.workspace, IdentityRequest(forest=forest))
    applier = lab.workspace.applier(promote, lambda event: None)
    assert lab.workspace.run_applier(applier).succeeded
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one(DataTable)
        assert "Primary domain controller" in str(table.get_row_at(0))
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("space")
        set_field(screen, "id-domain", DOMAIN)
        await pilot.pause()
        assert screen.query_one("#id-user", Field).value == "VIRTUALLAB\\Administrator"
        secret = "Wr0ng-Secret-9"
        set_field(screen, "id-password", secret)
        await pilot.press("p")
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        plan_screen = app.screen
        assert isinstance(plan_screen, PlanScreen)
        assert secret not in plan_screen.plan.script() and "(Get-Credential 'VIRTUALLAB\\Administrator')" in (
            plan_screen.plan.script()
        )
        plan_screen._start_apply()
        await wait_for(lambda: plan_screen.report is not None, 60)
        await pilot.pause()
        steps = plan_screen.query_one("#plan-steps", DataTable)
        statuses = " ".join(str(steps.get_row_at(i)) for i in range(steps.row_count))
        assert "The user name or password is incorrect." in statuses
        assert secret not in lab.workspace.journal_path.read_text()


async def test_dns_not_at_the_dc_is_a_finding_with_the_fix(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        table = screen.query_one(DataTable)
        table.focus()
        table.move_cursor(row=2)
        await pilot.press("space")
        set_field(screen, "id-domain", DOMAIN)
        set_field(screen, "id-password", password(lab))
        screen.query_one("#id-point-dns", Checkbox).value = False
        await pilot.press("p")
        await wait_for(lambda: isinstance(app.screen, PlanScreen))
        findings = str(app.screen.query_one("#plan-findings", Static).render())
        assert "do not point at the domain controller" in findings
        assert "The specified domain either does not exist or could not be contacted." in findings
        assert "Network stage" in findings


async def test_every_field_refuses_or_keeps_hostile_text_literally(lab: Opened) -> None:
    app = HvConsoleApp(lab.workspace, initial_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        host = lab.workspace.host_names()[1]

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(name=HOSTILE, domain=HOSTILE, user=HOSTILE, secret=HOSTILE, workgroup=HOSTILE, dsrm=HOSTILE)
        def check(name: str, domain: str, user: str, secret: str, workgroup: str, dsrm: str) -> None:
            screen.new_names = {host: name} if name.strip() else {}
            screen.joining = {host}
            screen.forest_host = lab.workspace.host_names()[0]
            for field_id, value in (
                ("id-domain", domain),
                ("id-user", user),
                ("id-password", secret),
                ("id-workgroup", workgroup),
                ("id-dsrm", dsrm),
                ("id-netbios", ""),
            ):
                set_field(screen, field_id, value)
            try:
                request = screen.request()
            except FormError as problem:
                assert problem.message and problem.field_id.startswith("id-")
                return
            change = next(c for c in request.changes if c.host == host)
            assert change.new_name in (None, name.strip())
            assert request.forest is not None and request.forest.safe_mode_password.reveal() == dsrm
            assert request.forest.domain == domain.strip().rstrip(".")
            if request.join is not None:
                assert request.join.credential.password.reveal() == secret
                assert request.join.credential.username == user.strip()
            else:
                assert change.workgroup == workgroup.strip()
            script = screen.make_plan().script()
            # the preview does not depend on the secrets: other secrets give the same text
            set_field(screen, "id-password", secret + "Q7")
            set_field(screen, "id-dsrm", dsrm + "Q7")
            assert screen.make_plan().script() == script

        check()
        await pilot.pause()
