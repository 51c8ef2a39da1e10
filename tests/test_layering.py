"""Dependencies point one way: the engine side, adapters and strategies never import Textual.

Only ``nautui/tui/`` may; strategies run headless and the engine must not need a terminal.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = "textual"


def _headless_files() -> list[Path]:
    files = [
        path
        for package in ("nautui", "adapters", "strategies")
        for path in sorted((ROOT / package).rglob("*.py*"))
        if path.suffix in {".py", ".pyi"}
    ]
    return [p for p in files if (ROOT / "nautui" / "tui") not in p.parents]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_there_is_something_to_check() -> None:
    assert any(p.name == "events.py" for p in _headless_files())


@pytest.mark.parametrize("path", _headless_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_headless_code_never_imports_textual(path: Path) -> None:
    bad = {m for m in _imported_modules(path) if m == FORBIDDEN or m.startswith(FORBIDDEN + ".")}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}; only nautui/tui/ may"
