"""Command-line habits: a platform by the name people use (twitter, bsky, X),
and shell completion (typer's own --install-completion / --show-completion).

The aliases are checked in-process (typer's CliRunner) and through the
installed `masthead` command in a subprocess; completion through the real
command and, for bash, through bash itself running the printed script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED

TIMEOUT = 60  # a guard against hangs only


@pytest.fixture(scope="module")
def script() -> str:
    found = shutil.which("masthead", path=str(Path(sys.executable).parent))
    assert found, "the masthead command is not installed next to this Python"
    return found


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


# --- --platform twitter / bsky, any case --------------------------------------------


@pytest.mark.parametrize(
    ("given", "key"),
    [("twitter", "x"), ("Twitter", "x"), ("X", "x"), ("bsky", "bluesky"), ("BlueSky", "bluesky")],
)
def test_thread_platform_by_another_name(cli, given, key):
    wanted = cli("thread", SEED, "--platform", key, "--format", "json")
    got = cli("thread", SEED, "--platform", given, "--format", "json")
    assert wanted.exit_code == 0, wanted.stderr
    assert got.exit_code == 0, got.stderr
    assert got.json()["platform"] == key
    assert got.stdout == wanted.stdout


def test_unknown_platform_is_still_a_usage_error(cli):
    run_ = cli("thread", SEED, "--platform", "tweeter")
    assert run_.exit_code == 2
    assert "'tweeter' is not one of 'x', 'bluesky'" in run_.stderr


def test_help_names_each_alias_once(cli):
    for command in ("thread", "render"):
        page = cli(command, "--help").stdout
        flat = " ".join(page.split())  # the help is wrapped at the terminal's width
        assert "<x|bluesky|mastodon|threads|linkedin>" in flat  # the choices: keys only
        assert "x or twitter, bluesky or bsky; any case" in flat
        assert flat.count("twitter") == 1 and flat.count("bsky") == 1, page


def test_aliases_through_the_installed_command(script, tmp_path):
    by_alias = run(script, "thread", str(SEED), "-p", "TWITTER", cwd=tmp_path)
    by_key = run(script, "thread", str(SEED), "-p", "x", cwd=tmp_path)
    assert by_alias.returncode == 0, by_alias.stderr
    assert by_alias.stdout == by_key.stdout and by_key.stdout.count("\n---\n") >= 3

    out = tmp_path / "out"
    done = run(script, "render", str(SEED), "-o", str(out), "-p", "twitter", "-p", "Bsky", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = out / "the-great-ai-divorce"
    assert sorted(p.name for p in folder.glob("thread-*.txt")) == [
        "thread-bluesky.txt",
        "thread-x.txt",
    ]
    assert (folder / "thread-x.txt").read_text(encoding="utf-8") == by_key.stdout
    assert sorted(json.loads((folder / "thread.json").read_text(encoding="utf-8"))) == [
        "bluesky",
        "x",
    ]


def test_config_limits_by_another_name(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text("[limits]\ntwitter = 200\nBSKY = 250\n", "utf-8")
    x = cli("thread", SEED, "-p", "x", "-f", "json").json()
    bluesky = cli("thread", SEED, "-p", "bluesky", "-f", "json").json()
    assert (x["limit"], bluesky["limit"]) == (200, 250)
    assert all(post["length"] <= 200 for post in x["posts"])


def test_config_naming_a_platform_twice_is_an_error(cli, tmp_path):
    config = tmp_path / "masthead.toml"
    config.write_text('site_url = "https://example.com"\n[limits]\nx = 200\ntwitter = 250\n', "utf-8")
    result = cli("thread", SEED)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {config}:4: 'limits.twitter' and 'limits.x' are the same platform; keep one\n"
    )
    config.write_text("[limits]\nbsky = 0\n", "utf-8")
    result = cli("thread", SEED)
    assert result.exit_code == 1
    assert f"{config}:2: 'limits.bsky' must be" in result.stderr  # as written, on its line


# --- shell completion -------------------------------------------------------------------

# typer finds the shell it runs under (shellingham reads the process tree);
# this, its own switch for tests, makes it take the shell as an argument.
NAMED_SHELL = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
needs_bash = pytest.mark.skipif(not shutil.which("bash"), reason="bash is not installed")


def test_show_completion_in_process(cli, monkeypatch):
    for name, value in NAMED_SHELL.items():
        monkeypatch.setenv(name, value)
    result = cli("--show-completion", "bash")
    assert result.exit_code == 0, result.stderr
    assert "_MASTHEAD_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _masthead_completion masthead" in result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_names_masthead(script, tmp_path, shell):
    shown = run(script, "--show-completion", shell, cwd=tmp_path, env=NAMED_SHELL)
    assert shown.returncode == 0, shown.stderr
    assert "masthead" in shown.stdout
    assert f"_MASTHEAD_COMPLETE=complete_{shell}" in shown.stdout


def in_bash(program: str, script: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run `program` in bash with the masthead command on its PATH; its output."""
    path = str(Path(script).parent) + os.pathsep + os.environ.get("PATH", "")
    # "; :" keeps bash from replacing itself with the last command: masthead
    # must find bash among its parents.
    done = run("bash", "--norc", "--noprofile", "-c", program + "\n:", cwd=cwd, env={"PATH": path, **(env or {})})
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_bash
def test_show_completion_finds_the_shell(script, tmp_path):
    shown = in_bash("masthead --show-completion", script, tmp_path)
    assert "_MASTHEAD_COMPLETE=complete_bash" in shown
    assert "complete -o default -F _masthead_completion masthead" in shown


def test_help_lists_the_completion_options(cli):
    page = cli("--help").stdout
    assert "--install-completion" in page and "--show-completion" in page


@needs_bash
def test_bash_completes_commands_and_platforms(script, tmp_path):
    """bash itself runs the printed script and asks it what comes next."""

    def complete(*words: str) -> list[str]:
        program = (
            "source <(masthead --show-completion)\n"
            f"COMP_WORDS=({' '.join(words)})\n"
            "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
            "_masthead_completion masthead\n"
            'printf "%s\\n" "${COMPREPLY[@]}"'
        )
        return in_bash(program, script, tmp_path).split()

    assert complete("masthead", "re") == ["render"]
    assert complete("masthead", "thread", "--platform", "b") == ["bluesky"]
    assert complete("masthead", "render", "--th") == ["--theme"]


@needs_bash
def test_install_completion_writes_to_the_home_folder(script, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    said = in_bash("masthead --install-completion", script, tmp_path, env={"HOME": str(home)})
    assert "bash completion installed" in said
    installed = home / ".bash_completions" / "masthead.sh"
    assert "_masthead_completion" in installed.read_text(encoding="utf-8")
    assert str(installed) in (home / ".bashrc").read_text(encoding="utf-8")
