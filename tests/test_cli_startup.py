"""What `masthead` imports to start: `--help` and `--version` load no command,
channel, reader or template engine, and a command loads only its own part.

Checked in a real subprocess (`python -m generator ...`, which lists
sys.modules as it exits), not timed: start-up time is measured
in benchmarks/.
"""

from __future__ import annotations

import gc
import json
import subprocess

import pytest
from conftest import PYTHON, SEED, subprocess_env

COMMANDS = (
    "render", "email", "thread", "rss", "feed", "publish", "check", "preview", "inspect", "init",
)  # fmt: skip

# What only a command's work needs: the channels, readers, the render loop,
# config and its data tables, the template engines, the text libraries.
HEAVY = (
    "generator.channels",
    "generator.readers",
    "generator.render",
    "generator.config",
    "generator.resources",
    "generator.model",
    "generator.check",
    "generator.feedfile",
    "generator.publish",
    "generator.preview",
    "generator.writers",
    "jinja2",
    "mjml",
    "emoji",
    "regex",
    "markdown_it",
    "yaml",
    "rich",
)


def imported(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m generator ARGS` in `tmp_path`; return the run and every
    module loaded by the time it exits (sys.modules, written at exit)."""
    listing = tmp_path / "modules.txt"
    code = (
        "import atexit, runpy, sys\n"
        "def dump():\n"
        f"    with open({str(listing)!r}, 'w') as out:\n"
        "        out.write('\\n'.join(sorted(sys.modules)))\n"
        "atexit.register(dump)\n"
        "runpy.run_module('generator', run_name='__main__', alter_sys=True)\n"
    )
    run = subprocess.run(
        [*PYTHON, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    modules = set(listing.read_text(encoding="utf-8").splitlines())
    assert "generator.cli.group" in modules, run.stderr[-2000:]  # the listing works
    return run, modules


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m in prefixes or m.startswith(tuple(p + "." for p in prefixes)))


def command_modules(*names: str) -> tuple[str, ...]:
    return tuple(f"generator.cli.{name}" for name in names)


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"], []], ids=repr)
def test_help_and_version_import_no_command(tmp_path, args):
    run, modules = imported(tmp_path, *args)
    assert run.returncode == (2 if not args else 0), run.stderr[-2000:]
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, (*command_modules(*COMMANDS), "generator.cli.options")) == []


def test_help_still_lists_every_command_with_its_line(tmp_path):
    run, _ = imported(tmp_path, "--help")
    listed = run.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == list(COMMANDS)
    assert "  thread   Write the article as a social thread." in listed
    assert "  init     Write a commented masthead.toml." in listed


def test_version_is_printed(tmp_path):
    from generator import __version__

    run, _ = imported(tmp_path, "--version")
    assert run.stdout == f"masthead {__version__}\n"


def test_render_help_imports_render_alone_and_lists_its_options(tmp_path):
    run, modules = imported(tmp_path, "render", "--help")
    assert run.returncode == 0, run.stderr[-2000:]
    assert loaded(modules, ("generator.channels", "generator.readers", "generator.render")) == []
    assert loaded(modules, ("mjml", "markdown_it", "yaml", "rich")) == []
    others = command_modules(*(name for name in COMMANDS if name != "render"))
    assert loaded(modules, others) == []
    options = [
        word.rstrip(",")
        for line in run.stdout.split("Options:\n", 1)[1].splitlines()
        for word in line.split()[:2]
        if word.startswith("-")
    ]
    assert options == [
        "-o", "--output", "-j", "--jobs", "-p", "--platform", "--esp", "--force", "--drafts",
        "-q", "--quiet", "--theme", "--hook", "--close", "-c", "--config", "--input-format",
        "-h", "--help",
    ]  # fmt: skip


def test_thread_loads_no_email_channel_nor_another_command(tmp_path):
    run, modules = imported(tmp_path, "thread", str(SEED), "--platform", "bluesky")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "🧵 1/" in run.stdout
    assert loaded(modules, ("mjml", "generator.channels.email", "generator.channels.rss")) == []
    assert loaded(modules, ("generator.render", "generator.publish", "generator.preview")) == []
    others = command_modules(*(name for name in COMMANDS if name != "thread"))
    assert loaded(modules, others) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_is_found_and_shows_its_own_help(cli, name):
    """The group finds every command's module by its name."""
    result = cli(name, "--help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: masthead {name} ")


def test_a_mistyped_command_still_gets_a_suggestion(cli):
    result = cli("rendr")
    assert result.exit_code == 2
    assert "No such command 'rendr'. Did you mean 'render'?" in result.stderr


def test_render_loads_no_publishing_preview_nor_another_command(tmp_path):
    run, modules = imported(tmp_path, "render", str(SEED), "-o", str(tmp_path / "out"), "-q")
    assert run.returncode == 0, run.stderr[-2000:]
    assert list((tmp_path / "out").glob("*/email.html"))  # it did render
    assert loaded(modules, ("generator.publish", "generator.preview", "smtplib", "http.server")) == []
    others = command_modules(*(name for name in COMMANDS if name != "render"))
    assert loaded(modules, others) == []


# --- the garbage collector while importing -------------------------------------------

# Runs `masthead ARGS` and, as it exits, prints whether the collector is on,
# how many objects were frozen, and which of a few long-lived objects made
# by the imports are frozen (gc.get_objects() lists every tracked object but
# the frozen ones).
_GC_AT_EXIT = """
import atexit, gc, json, runpy, sys

def report():
    import typer.main, generator.render
    probes = {"typer": typer.main.get_group, "render": generator.render.render_run}
    tracked = {id(o) for o in gc.get_objects()}
    print(json.dumps({
        "enabled": gc.isenabled(),
        "frozen": gc.get_freeze_count(),
        "frozen_probes": sorted(k for k, f in probes.items() if id(f) not in tracked),
    }))

atexit.register(report)
sys.argv = ["masthead", *sys.argv[1:]]
runpy.run_module("generator", run_name="__main__", alter_sys=True)
"""


def test_render_imports_with_the_collector_paused_and_collects_after(tmp_path):
    # What the imports make lives as long as the process: frozen, the
    # collector never scans it; the work is collected as usual.
    run = subprocess.run(
        [*PYTHON, "-c", _GC_AT_EXIT, "render", str(SEED), "-o", str(tmp_path / "out"), "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert list((tmp_path / "out").glob("*/email.html"))  # it did render
    report = json.loads(run.stdout.splitlines()[-1])
    assert report["enabled"] is True
    assert report["frozen"] > 10_000
    assert report["frozen_probes"] == ["render", "typer"]


def test_the_collector_is_resumed_when_an_import_fails(monkeypatch):
    from generator import cli

    monkeypatch.setitem(cli._OWN_PROCESS, "yes", True)
    before = gc.get_freeze_count()
    try:
        with pytest.raises(ImportError), cli.collection_paused():
            assert not gc.isenabled()
            import generator.no_such_module  # noqa: F401
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before
    finally:
        gc.unfreeze()  # this test process's objects go back to the collector
        gc.enable()


def test_in_process_runs_leave_the_hosts_collector_alone(cli, tmp_path):
    # A test runner or a program that calls the app keeps its collector as
    # it was: only `masthead`'s own process pauses and freezes.
    before = gc.get_freeze_count()
    result = cli("render", str(SEED), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.stderr
    assert gc.isenabled()
    assert gc.get_freeze_count() == before


def _gc_spy(module: str, name: str) -> str:
    """A script that runs `masthead ARGS` and prints, for each call of
    `module.name` (spied on before any command module imports it), whether
    the collector was on, and whether it is on at the end."""
    return f"""
import gc, json, runpy, sys
import {module} as spied
seen = []
real = spied.{name}
def spy(*args, **kwargs):
    seen.append(gc.isenabled())
    return real(*args, **kwargs)
spied.{name} = spy
sys.argv = ["masthead", *sys.argv[1:]]
try:
    runpy.run_module("generator", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps({{"seen": seen, "enabled_after": gc.isenabled()}}))
"""


_GC_DURING_RUN = _gc_spy("generator.render", "render_run")


@pytest.mark.parametrize(("count", "paused"), [(1, True), (2, False)])
def test_one_article_renders_with_the_collector_paused_and_more_collect(tmp_path, count, paused):
    # One article's garbage is bounded: its whole render is start-up. Two
    # files, or a folder, may be thousands of articles: collected as they go.
    files = []
    for n in range(count):
        (copy := tmp_path / f"article-{n}.txt").write_bytes(SEED.read_bytes())
        files.append(str(copy))
    run = subprocess.run(
        [*PYTHON, "-c", _GC_DURING_RUN, "render", *files, "-o", str(tmp_path / "out"), "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(list((tmp_path / "out").glob("*/email.html"))) == count
    report = json.loads(run.stdout.splitlines()[-1])
    assert report == {"seen": [not paused], "enabled_after": True}


@pytest.mark.parametrize("name", COMMANDS)
def test_command_annotations_are_objects_not_strings(name):
    # typer evaluates string annotations each time it looks at a command.
    import importlib

    module = importlib.import_module(f"generator.cli.{name}")
    commands = [
        info.callback
        for typer_app in (module.commands, *(g.typer_instance for g in module.commands.registered_groups))
        for info in typer_app.registered_commands
    ]
    assert commands
    for command in commands:
        hints = command.__wrapped__.__annotations__  # under reports_errors
        assert hints
        assert [k for k, v in hints.items() if isinstance(v, str)] == [], command


_GC_WHEN_READING = _gc_spy("generator.cli.common", "load")


@pytest.mark.parametrize("args", [["email"], ["thread"], ["rss"], ["inspect"]], ids=repr)
def test_one_article_commands_run_with_the_collector_paused(tmp_path, args):
    run = subprocess.run(
        [*PYTHON, "-c", _GC_WHEN_READING, *args, str(SEED)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.splitlines()[-1])
    assert report == {"seen": [False], "enabled_after": True}


def test_the_entry_module_imports_nothing_before_the_collector_is_paused():
    # What `from generator.cli import main` imports is made before main()
    # pauses the collector; typing, re, enum … come in with typer, inside it.
    code = (
        "import json, sys; before = set(sys.modules); import generator.cli; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    run = subprocess.run(
        [*PYTHON, "-c", code], capture_output=True, text=True, timeout=60, env=subprocess_env()
    )
    assert run.returncode == 0, run.stderr
    assert set(json.loads(run.stdout)) <= {"gc", "generator", "generator.cli"}
