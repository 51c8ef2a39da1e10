"""The console's palettes: ``themes/*.toml`` at the repository root, each loaded into a Textual
``Theme`` (a palette's ``[variables]`` become theme variables such as ``$bid`` and ``$ask``),
and the stylesheet ``themes/nautui.tcss`` that says which variable each part uses."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

__all__ = ["DEFAULT_THEME", "STYLESHEET", "THEMES_DIR", "default_theme", "load_themes"]

THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"
STYLESHEET = THEMES_DIR / "nautui.tcss"
DEFAULT_THEME = "nautui-dark"
_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
)


def _theme(path: Path) -> Theme:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    colour = {field: str(data[field]) for field in _FIELDS if field in data}
    variables = {str(k): str(v) for k, v in dict(data.get("variables", {})).items()}
    return Theme(
        name=str(data["name"]),
        primary=colour["primary"],
        secondary=colour.get("secondary"),
        accent=colour.get("accent"),
        warning=colour.get("warning"),
        error=colour.get("error"),
        success=colour.get("success"),
        foreground=colour.get("foreground"),
        background=colour.get("background"),
        surface=colour.get("surface"),
        panel=colour.get("panel"),
        dark=bool(data.get("dark", True)),
        variables=variables,
    )


def default_theme() -> Theme:
    """The default palette."""
    return next(t for t in load_themes() if t.name == DEFAULT_THEME)


def load_themes(folder: Path = THEMES_DIR) -> list[Theme]:
    """Every palette in ``folder``, by file name."""
    return [_theme(path) for path in sorted(folder.glob("*.toml"))]
