"""Shared fixtures: the CLI runner, sample paths, deterministic hypothesis."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from generator.cli import app

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "article"
SEED = ARTICLES / "the-great-ai-divorce.txt"

# Deterministic by default, so CI never fails on a one-off example; the
# example database is off so runs do not depend on earlier ones.
settings.register_profile("masthead", derandomize=True, deadline=None, database=None)
settings.load_profile("masthead")


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    """Run `masthead ARGS...` in-process; returns exit code, stdout and stderr."""
    runner = CliRunner()

    def run(*args: str, input: str | bytes | None = None) -> Run:
        result = runner.invoke(app, [str(a) for a in args], input=input)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    """Tests run in an empty folder so no stray masthead.toml is discovered."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
