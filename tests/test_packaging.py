"""The installed package works from any folder: command, version, templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEED

import generator


def run_outside(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def test_templates_found_from_another_folder(tmp_path):
    code = (
        "import generator, generator.resources as r;"
        "print(generator.__file__); print(r.templates_dir())"
    )
    result = run_outside(tmp_path, sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    module_file, templates = result.stdout.splitlines()
    templates_path = Path(templates)
    assert (templates_path / "email").is_dir()
    assert (templates_path / "social").is_dir()
    if not Path(module_file).resolve().is_relative_to(ROOT):
        # A non-editable install must carry its own templates, not borrow the checkout's.
        assert not templates_path.resolve().is_relative_to(ROOT)


def test_console_script_runs_from_another_folder(tmp_path):
    script = shutil.which("masthead", path=str(Path(sys.executable).parent))
    assert script, "the masthead command is not installed next to this Python"
    version = run_outside(tmp_path, script, "--version")
    assert version.stdout.strip() == f"masthead {generator.__version__}"
    shown = run_outside(tmp_path, script, "inspect", str(SEED))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("The Great AI Divorce")


def test_help_lists_commands(cli):
    run = cli("--help")
    assert run.exit_code == 0
    listed = [
        line.split()[0]
        for line in run.stdout.split("Commands:", 1)[1].splitlines()
        if line.startswith("  ")
    ]
    assert listed == [
        "render",
        "email",
        "thread",
        "rss",
        "feed",
        "publish",
        "check",
        "preview",
        "inspect",
        "init",
    ]
    for command in listed:
        page = cli(command, "--help")
        assert page.exit_code == 0 and "Usage:" in page.stdout
    assert "--format" in cli("inspect", "--help").stdout
    assert cli().exit_code in (0, 2)  # no command: the help, not a traceback


def test_cli_choices_come_from_the_data_tables(cli):
    from generator.esp import esps
    from generator.platforms import platforms
    from generator.theme import themes

    text = cli("render", "--help").stdout
    assert "<" + "|".join(platforms()) + ">" in text
    assert "<" + "|".join(esps()) + ">" in text
    assert "<" + "|".join(themes()) + ">" in text
