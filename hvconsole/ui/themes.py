"""Theme files: TOML, validated, turned into Textual themes and registered when the app mounts.

Shipped themes are package data in ``hvconsole/themes/*.toml``; users add their own in
``<config dir>/themes/*.toml`` (a user theme with a shipped name replaces it). A bad file is reported with
its name and the field at fault, and skipped: the console always starts, on a fallback theme if need be.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import BUILTIN_THEMES, Theme

from hvconsole.paths import locations
from hvconsole.settings import DEFAULT_THEME, load_settings, update_settings

FALLBACK_THEME = "textual-dark"
SHIPPED_PACKAGE = "hvconsole.themes"
COLOUR_FIELDS = (
    "primary", "secondary", "warning", "error", "success", "accent",
    "foreground", "background", "surface", "panel", "boost",
)  # fmt: skip
# Every variable Textual's colour system defines, less the base colours (set those as top-level keys).
KNOWN_VARIABLES = frozenset(BUILTIN_THEMES[FALLBACK_THEME].to_color_system().generate()) - set(COLOUR_FIELDS)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
WITH_PERCENT = re.compile(r"(?P<colour>.*?)\s+(?P<percent>\d{1,3}(?:\.\d+)?)%")


def _parse_colour(value: str) -> Color:
    if value.strip().lower().startswith("ansi_"):
        raise ValueError(f"{value!r}: ANSI colour names are not supported here, use #rrggbb")
    try:
        return Color.parse(value)
    except Exception:
        raise ValueError(
            f"{value!r} is not a colour (use #rrggbb, rgb(r, g, b), hsl(...) or a name)"
        ) from None


def _opaque_colour(value: str) -> str:
    if _parse_colour(value).a < 1:
        raise ValueError(f"{value!r} must be opaque (no alpha)")
    return value


def _check_variable(name: str, value: str) -> None:
    if name not in KNOWN_VARIABLES:
        raise ValueError(f"unknown variable {name!r}")
    if name.endswith("text-style") or name.startswith("link-style"):
        words = value.split()
        if not words or any(word not in VALID_STYLE_FLAGS for word in words):
            raise ValueError(
                f"{name}: {value!r} is not a text style (words: {', '.join(sorted(VALID_STYLE_FLAGS))})"
            )
        return
    match = WITH_PERCENT.fullmatch(value.strip())
    colour, percent = (match["colour"], float(match["percent"])) if match else (value.strip(), 0.0)
    if percent > 100:
        raise ValueError(f"{name}: {value!r} has a percentage over 100")
    if colour not in ("auto", "initial"):
        try:
            _parse_colour(colour)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None


def _any_colour(value: str) -> str:
    _parse_colour(value)
    return value


Colour = Annotated[str, AfterValidator(_opaque_colour)]
Overlay = Annotated[str, AfterValidator(_any_colour)]


class ThemeFile(BaseModel):
    """What a theme file may say; anything else is refused, with its key named."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = None
    description: str = ""
    author: str = ""
    dark: bool = True
    primary: Colour
    secondary: Colour | None = None
    warning: Colour | None = None
    error: Colour | None = None
    success: Colour | None = None
    accent: Colour | None = None
    foreground: Colour | None = None
    background: Colour | None = None
    surface: Colour | None = None
    panel: Colour | None = None
    boost: Overlay | None = None
    """A translucent overlay (alpha allowed), unlike the other colours."""
    luminosity_spread: float = Field(default=0.15, ge=0, le=1)
    text_alpha: float = Field(default=0.95, ge=0, le=1)
    variables: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not NAME.fullmatch(value):
            raise ValueError("letters, digits, '.', '_' and '-' only, at most 64")
        return value

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        for name, setting in value.items():
            _check_variable(name, setting)
        return value

    def to_theme(self, default_name: str) -> Theme:
        colours = {name: getattr(self, name) for name in COLOUR_FIELDS}
        return Theme(
            name=self.name or default_name,
            dark=self.dark,
            luminosity_spread=self.luminosity_spread,
            text_alpha=self.text_alpha,
            variables=dict(self.variables),
            **colours,
        )


class ThemeFileError(ValueError):
    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(file)"
        message = (
            "unknown key" if item["type"] == "extra_forbidden" else item["msg"].removeprefix("Value error, ")
        )
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_theme(text: str, source: str, default_name: str) -> Theme:
    """One theme file's text to a Textual theme; ``ThemeFileError`` names the source and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(source, f"not valid TOML ({exc})") from None
    try:
        theme = ThemeFile.model_validate(data).to_theme(default_name)
    except ValidationError as exc:
        raise ThemeFileError(source, _describe(exc)) from None
    if not NAME.fullmatch(theme.name):
        raise ThemeFileError(source, f'name: {theme.name!r} is not a usable name; add name = "..."')
    try:  # The colours our tables read as Rich styles must stay plain colours.
        generated = theme.to_color_system().generate()
        for name in COLOUR_FIELDS:
            if name != "boost":  # boost is a translucent overlay by design
                Style.parse(generated[name])
    except Exception as exc:
        raise ThemeFileError(source, f"colours do not combine into a theme ({exc})") from None
    return theme


def read_theme_file(file: Traversable) -> Theme:
    try:
        text = file.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeFileError(file.name, f"could not be read ({exc})") from None
    return parse_theme(text, file.name, file.name.removesuffix(".toml"))


@dataclass(frozen=True)
class ThemeProblem:
    source: str
    problem: str

    def __str__(self) -> str:
        return f"Theme file {self.source} skipped: {self.problem}"


@dataclass
class ThemeCatalogue:
    themes: dict[str, Theme] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    """Theme name → the file it was read from."""
    problems: list[ThemeProblem] = field(default_factory=list)


def shipped_theme_files() -> list[Traversable]:
    try:
        folder = resources.files(SHIPPED_PACKAGE)
        return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    except Exception:
        return []


def user_theme_files(themes_dir: Path | None = None) -> list[Path]:
    folder = themes_dir or locations().themes_dir
    try:
        return sorted(folder.glob("*.toml"))
    except OSError:
        return []


def load_themes(
    themes_dir: Path | None = None, *, shipped: Iterable[Traversable] | None = None
) -> ThemeCatalogue:
    """Shipped themes, then the user's (a user file replaces a shipped theme of the same name). Never raises."""
    catalogue = ThemeCatalogue()
    groups = (
        (list(shipped) if shipped is not None else shipped_theme_files(), "shipped"),
        (user_theme_files(themes_dir), "user"),
    )
    for files, origin in groups:
        seen: dict[str, str] = {}
        for file in files:
            source = str(file) if origin == "user" else file.name
            try:
                theme = read_theme_file(file)
            except ThemeFileError as exc:
                catalogue.problems.append(ThemeProblem(source, exc.problem))
                continue
            except Exception as exc:  # a theme file must never stop the console
                catalogue.problems.append(ThemeProblem(source, f"unexpected error ({exc!r})"))
                continue
            if theme.name in seen:
                catalogue.problems.append(
                    ThemeProblem(source, f"name {theme.name!r} is already used by {seen[theme.name]}")
                )
                continue
            seen[theme.name] = source
            catalogue.themes[theme.name] = theme
            catalogue.sources[theme.name] = source
    return catalogue


def register_themes(app: App[Any], catalogue: ThemeCatalogue | None = None) -> ThemeCatalogue:
    """Register every good theme on ``app`` and notify (warning) each file that was skipped."""
    catalogue = catalogue if catalogue is not None else load_themes()
    for theme in catalogue.themes.values():
        app.register_theme(theme)
    for problem in catalogue.problems:
        app.notify(str(problem), title="Theme", severity="warning", timeout=12)
    return catalogue


def apply_theme(app: App[Any], wanted: str) -> str:
    """Switch to ``wanted``, or to the default (then Textual's) with a notice. Returns the theme applied."""
    if wanted in app.available_themes:
        app.theme = wanted
        return wanted
    fallback = DEFAULT_THEME if DEFAULT_THEME in app.available_themes else FALLBACK_THEME
    app.notify(
        f"Theme {wanted!r} is not available (see the theme notices, or add {wanted}.toml to "
        f"{locations().themes_dir}); using {fallback!r}.",
        title="Theme",
        severity="warning",
        timeout=12,
    )
    app.theme = fallback
    return fallback


@dataclass
class ThemeChoice:
    """Remembers the theme in effect, and saves the user's picks to the settings file."""

    app: App[Any]
    current: str
    settings_file: Path | None = None

    def changed(self, theme: Theme) -> None:
        if theme.name == self.current:
            return
        self.current = theme.name
        try:
            update_settings({"theme": theme.name}, self.settings_file)
        except Exception as exc:
            self.app.notify(f"Could not save the theme choice: {exc}", title="Theme", severity="warning")


def install_themes(
    app: App[Any], *, themes_dir: Path | None = None, settings_file: Path | None = None
) -> ThemeChoice:
    """On mount: register themes, apply the saved choice, and save later changes (palette "Change theme")."""
    loaded = load_settings(settings_file)
    for problem in loaded.problems:
        app.notify(problem, title="Settings", severity="warning", timeout=12)
    register_themes(app, load_themes(themes_dir))
    choice = ThemeChoice(app, apply_theme(app, loaded.settings.theme), settings_file)
    app.theme_changed_signal.subscribe(app, choice.changed)
    return choice
