"""Theme files and the saved theme choice: loading, validation, fallbacks, persistence."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.style import Style
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Button, DataTable, Footer, Input, Static

from hvconsole.paths import locations
from hvconsole.settings import DEFAULT_THEME, Settings, load_settings, save_settings, update_settings
from hvconsole.ui.themes import (
    COLOUR_FIELDS,
    ThemeFileError,
    install_themes,
    load_themes,
    parse_theme,
    shipped_theme_files,
)

SHIPPED = {"hvconsole-dark", "hvconsole-light", "classic", "high-contrast"}
GOOD = 'name = "mine"\nprimary = "#336699"\nbackground = "#101010"\n'


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HVCONSOLE_HOME", str(tmp_path))
    return tmp_path


def user_theme(name: str, text: str) -> Path:
    folder = locations().themes_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


class StandIn(App[None]):
    """A tiny app that installs themes the way HvConsoleApp does, with widgets that use theme variables."""

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable()
        yield table
        yield Input("text")
        yield Button("OK")
        yield Static("connected", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        install_themes(self)
        table = self.query_one(DataTable)
        table.add_columns("Host", "Connection")
        table.add_row("HV01", "connected")


def notices(app: App[None]) -> list[str]:
    return [notification.message for notification in app._notifications]


# --- shipped themes ---------------------------------------------------------------------------------


def test_every_shipped_theme_loads_without_problems() -> None:
    catalogue = load_themes()
    assert catalogue.problems == []
    assert set(catalogue.themes) == SHIPPED
    assert {file.name for file in shipped_theme_files()} == {f"{name}.toml" for name in SHIPPED}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_theme_state_colours_are_rich_styles(name: str) -> None:
    generated = load_themes().themes[name].to_color_system().generate()
    for variable in ("success", "warning", "error", "accent", "secondary"):
        Style.parse(generated[variable])  # the host and journal tables style text with these


def test_high_contrast_is_black_and_white_with_bright_ansi_accents() -> None:
    theme = load_themes().themes["high-contrast"]
    assert Color.parse(theme.background or "") == Color(0, 0, 0)
    assert Color.parse(theme.foreground or "") == Color(255, 255, 255)
    ansi_bright = {"#FFFFFF", "#C0C0C0", "#000000", "#00FFFF", "#FFFF00", "#FF0000", "#00FF00"}
    for name in COLOUR_FIELDS:
        value = getattr(theme, name)
        assert value is None or Color.parse(value).hex in ansi_bright, name
    assert "reverse" in theme.variables["block-cursor-text-style"]  # visible with colour removed


def test_user_example_theme_in_the_repository_is_valid() -> None:
    example = Path(__file__).parents[2] / "themes" / "example-user-theme.toml"
    theme = parse_theme(example.read_text(encoding="utf-8"), example.name, "example")
    assert theme.name == "midnight-green"


@pytest.mark.parametrize("name", sorted(SHIPPED))
async def test_each_shipped_theme_registers_and_applies(name: str) -> None:
    save_settings(Settings(theme=name))
    app = StandIn()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        assert set(app.available_themes) >= SHIPPED
        assert app.theme == name
        assert notices(app) == []
        assert app.current_theme.name == name
        expected = app.available_themes[name].to_color_system().generate()["background"]
        assert app.theme_variables["background"] == expected


async def test_default_theme_without_settings_is_hvconsole_dark() -> None:
    app = StandIn()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME == "hvconsole-dark"
        assert notices(app) == []


# --- bad files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('primary = "#336699"\nprimray = "#000000"\n', "primray: unknown key"),
        ('primary = "#336699"\n[variables]\n"footer-key-foregrund" = "#ffffff"\n', "footer-key-foregrund"),
        ('primary = "not-a-colour"\n', "primary: 'not-a-colour' is not a colour"),
        ('primary = "#336699"\nerror = "ansi_red"\n', "error: 'ansi_red': ANSI colour names"),
        ('primary = "#33669980"\n', "primary: '#33669980' must be opaque"),
        ('primary = "#336699"\n[variables]\n"block-cursor-text-style" = "shiny"\n', "is not a text style"),
        ('primary = "#336699"\n[variables]\n"success" = "#00ff00"\n', "unknown variable 'success'"),
        ('primary = "#336699"\ndark = "yes"\n', "dark: Input should be a valid boolean"),
        ('primary = "#336699"\ntext_alpha = 3\n', "text_alpha"),
        ('name = "a,b"\nprimary = "#336699"\n', "name:"),
        ("primary = \n", "not valid TOML"),
        ("dark = true\n", "primary: Field required"),
    ],
)
def test_bad_theme_text_names_file_and_field(text: str, expected: str) -> None:
    with pytest.raises(ThemeFileError) as caught:
        parse_theme(text, "broken.toml", "broken")
    assert caught.value.source == "broken.toml"
    assert expected in caught.value.problem


def test_variables_accept_textual_forms() -> None:
    text = (
        'primary = "#336699"\n[variables]\n"input-selection-background" = "#81a1c1 35%"\n'
        '"block-cursor-foreground" = "auto 87%"\n"link-background" = "initial"\n'
        '"button-focus-text-style" = "b reverse"\n"footer-key-foreground" = "rgb(1, 2, 3)"\n'
    )
    assert parse_theme(text, "ok.toml", "ok").variables["input-selection-background"] == "#81a1c1 35%"


def test_name_defaults_to_the_file_name() -> None:
    path = user_theme("ocean.toml", 'primary = "#336699"\n')
    catalogue = load_themes()
    assert catalogue.sources["ocean"] == str(path)


def test_undecodable_and_unreadable_files_are_problems_not_crashes() -> None:
    folder = locations().themes_dir
    folder.mkdir(parents=True)
    (folder / "latin1.toml").write_bytes(b'primary = "\xe9"\n')
    (folder / "folder.toml").mkdir()
    catalogue = load_themes()
    problems = {Path(problem.source).name: problem.problem for problem in catalogue.problems}
    assert set(problems) == {"latin1.toml", "folder.toml"}
    assert set(catalogue.themes) >= SHIPPED


async def test_bad_user_file_gives_a_notice_and_the_rest_still_load() -> None:
    user_theme("good.toml", GOOD)
    user_theme("bad.toml", 'name = "bad"\nprimary = "#336699"\nshade = "#000000"\n')
    save_settings(Settings(theme="bad"))
    app = StandIn()
    async with app.run_test() as pilot:
        await pilot.pause()
        messages = notices(app)
        assert any("bad.toml" in message and "shade: unknown key" in message for message in messages)
        assert any(
            "'bad' is not available" in message and "hvconsole-dark" in message for message in messages
        )
        assert app.theme == "hvconsole-dark"
        assert "mine" in app.available_themes
    # The fallback is not saved: fixing the file brings the user's theme back.
    assert load_settings().settings.theme == "bad"


async def test_unknown_theme_in_settings_falls_back_with_a_notice() -> None:
    save_settings(Settings(theme="no-such-theme"))
    app = StandIn()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "hvconsole-dark"
        assert any("no-such-theme" in message for message in notices(app))


async def test_broken_settings_file_gives_a_notice_and_defaults() -> None:
    path = locations().settings_file
    path.parent.mkdir(parents=True)
    path.write_text("theme = [\n", encoding="utf-8")
    app = StandIn()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "hvconsole-dark"
        assert any(str(path) in message and "not valid TOML" in message for message in notices(app))


# --- user themes and persistence --------------------------------------------------------------------


def test_user_themes_load_from_hvconsole_home(home: Path) -> None:
    path = user_theme("mine.toml", GOOD)
    assert path.is_relative_to(home)
    catalogue = load_themes()
    assert catalogue.themes["mine"].primary == "#336699"
    assert catalogue.sources["mine"] == str(path)


def test_user_theme_replaces_a_shipped_one_and_duplicates_are_refused() -> None:
    user_theme("a.toml", 'name = "classic"\nprimary = "#123456"\n')
    user_theme("b.toml", 'name = "classic"\nprimary = "#654321"\n')
    catalogue = load_themes()
    assert catalogue.themes["classic"].primary == "#123456"
    assert [Path(problem.source).name for problem in catalogue.problems] == ["b.toml"]
    assert "already used by" in catalogue.problems[0].problem


async def test_theme_choice_persists_across_runs() -> None:
    user_theme("mine.toml", GOOD)
    app = StandIn()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.theme = "classic"
        await pilot.pause()
    assert load_settings().settings.theme == "classic"

    again = StandIn()
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "classic"
        again.theme = "mine"
        await pilot.pause()
    assert load_settings().settings.theme == "mine"


async def test_theme_picked_in_the_command_palette_is_saved() -> None:
    app = StandIn()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"high-contrast")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "high-contrast"
    assert load_settings().settings.theme == "high-contrast"


async def test_save_failure_is_a_notice_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    import hvconsole.ui.themes as themes

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError("read-only config directory")

    monkeypatch.setattr(themes, "update_settings", refuse)
    app = StandIn()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.theme = "classic"
        await pilot.pause()
        assert any("read-only config directory" in message for message in notices(app))


def test_settings_write_is_atomic_and_keeps_unknown_keys() -> None:
    path = locations().settings_file
    path.parent.mkdir(parents=True)
    path.write_text('theme = "classic"\nfuture_option = 3\n', encoding="utf-8")
    assert update_settings({"theme": "high-contrast"}).theme == "high-contrast"
    text = path.read_text(encoding="utf-8")
    assert 'theme = "high-contrast"' in text and "future_option = 3" in text
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temporary file left


def test_broken_settings_file_is_kept_as_bak_when_replaced() -> None:
    path = locations().settings_file
    path.parent.mkdir(parents=True)
    path.write_text("theme = 5\n", encoding="utf-8")
    loaded = load_settings()
    assert loaded.settings.theme == DEFAULT_THEME
    assert any("theme" in problem and str(path) in problem for problem in loaded.problems)
    update_settings({"theme": "classic"})
    assert path.with_name("settings.toml.bak").read_text(encoding="utf-8") == "theme = 5\n"
    assert load_settings().settings.theme == "classic"


# --- the loader never raises ------------------------------------------------------------------------

colour_ish = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["#336699", "#fff", "red", "ansi_red", "rgb(1,2,3)", "hsl(10,50%,50%)", "#12345678", "transparent"]
    ),
    st.from_regex(r"#[0-9a-fA-F]{3,8}", fullmatch=True),
)
keys = st.one_of(
    st.sampled_from([*COLOUR_FIELDS, "name", "dark", "text_alpha", "luminosity_spread", "x"]),
    st.text(max_size=8),
)
toml_values = st.one_of(
    colour_ish, st.booleans(), st.integers(), st.floats(allow_nan=True), st.lists(st.integers(), max_size=3)
)
variable_values = st.one_of(
    colour_ish, st.sampled_from(["auto 87%", "#81a1c1 35%", "bold reverse", "none", "x 500%"])
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "primary": colour_ish,
        "variables": st.dictionaries(
            st.one_of(
                st.sampled_from(["footer-key-foreground", "block-cursor-text-style", "border"]),
                st.text(max_size=8),
            ),
            variable_values,
            max_size=4,
        ),
    },
).flatmap(lambda base: st.dictionaries(keys, toml_values, max_size=6).map(lambda extra: {**extra, **base}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
def test_structured_theme_files_never_raise_from_the_loader(document: dict[str, object]) -> None:
    folder = locations().themes_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fuzz.toml").write_text(tomli_w.dumps(document), encoding="utf-8")
    catalogue = load_themes()
    loaded = any(source.endswith("fuzz.toml") for source in catalogue.sources.values())
    refused = [problem for problem in catalogue.problems if problem.source.endswith("fuzz.toml")]
    assert loaded != bool(refused)  # exactly one outcome: a theme, or a notice naming the file
    for problem in catalogue.problems:
        assert "fuzz.toml" in problem.source and "unexpected error" not in problem.problem


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.one_of(
        st.binary(max_size=200), st.text(alphabet=string.printable + "é[]=\"'#", max_size=200).map(str.encode)
    )
)
def test_arbitrary_bytes_never_raise_from_the_loader(raw: bytes) -> None:
    folder = locations().themes_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "noise.toml").write_bytes(raw)
    catalogue = load_themes()
    assert set(catalogue.themes) >= SHIPPED
    assert all("unexpected error" not in problem.problem for problem in catalogue.problems)
