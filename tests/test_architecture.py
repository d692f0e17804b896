"""The arrows that must never exist (shared/ARCHITECTURE.md), checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {n for n in names if n == "generator" or n.startswith("generator.")}


def modules(sub: str) -> list[Path]:
    base = PACKAGE / sub
    return sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]


def test_model_imports_nothing_of_masthead():
    assert imports_of(PACKAGE / "model.py") == set()


@pytest.mark.parametrize("path", modules("readers"), ids=lambda p: p.name)
def test_readers_never_import_channels_or_cli(path):
    bad = {m for m in imports_of(path) if m.startswith(("generator.channels", "generator.cli"))}
    assert not bad


@pytest.mark.parametrize(
    "path", modules("channels"), ids=lambda p: str(p.relative_to(PACKAGE / "channels"))
)
def test_channels_never_import_readers_cli_or_each_other(path):
    found = imports_of(path)
    assert not {m for m in found if m.startswith(("generator.readers", "generator.cli"))}
    # A channel is a module or a package directly under channels/.
    own = path.relative_to(PACKAGE / "channels").parts[0].removesuffix(".py")
    others = {m for m in found if m.startswith("generator.channels.") and m.split(".")[2] != own}
    assert not others, f"{path.name} imports another channel: {others}"


@pytest.mark.parametrize("path", modules("text"), ids=lambda p: p.name)
def test_text_tools_depend_on_nothing_above_them(path):
    allowed = ("generator.text", "generator.model", "generator.errors")
    bad = {m for m in imports_of(path) if not m.startswith(allowed)}
    assert not bad
