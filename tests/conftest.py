"""Shared fixtures: the CLI runner, sample paths, hypothesis profiles, and
how the property tests write a YAML string."""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

# The suite never reads or writes the user's cache folder: this run has one
# of its own, which every Masthead subprocess inherits through the environment.
os.environ["MASTHEAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="masthead-test-cache-")
atexit.register(shutil.rmtree, os.environ["MASTHEAD_CACHE_DIR"], True)

from generator.cli import app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "article"
SEED = ARTICLES / "the-great-ai-divorce.txt"

# Under .ci/run the suite tests the installed wheel (MASTHEAD_TEST_INSTALLED=1),
# so must every `python -m generator` it starts: -P keeps the working folder
# off sys.path, and PYTHONPATH points at the checkout only in a dev run.
INSTALLED = os.environ.get("MASTHEAD_TEST_INSTALLED") == "1"
PYTHON = (sys.executable, "-P")
MASTHEAD = (*PYTHON, "-m", "generator")


def subprocess_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for a Masthead subprocess: `base` (default: this
    process's) plus `extra`, importing the package the suite tests."""
    env = dict(os.environ if base is None else base, **extra)
    if INSTALLED:
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = str(ROOT)
    return env

# Deterministic by default, so CI never fails on a one-off example; the
# example database is off so runs do not depend on earlier ones.
settings.register_profile("masthead", derandomize=True, deadline=None, database=None)
# `--hypothesis-profile=nightly --hypothesis-seed=N` (hypothesis's own pytest
# options): new examples from seed N (a random one without the seed option),
# and NIGHTLY_FACTOR times as many. A failure prints the example and how to
# replay it.
NIGHTLY_FACTOR = 5
settings.register_profile(
    "nightly",
    derandomize=False,
    max_examples=100 * NIGHTLY_FACTOR,
    deadline=None,
    database=None,
    print_blob=True,
)
settings.load_profile("masthead")  # the pytest option, when given, loads its profile later


def examples(count: int) -> int:
    """`count` examples, NIGHTLY_FACTOR times as many under the nightly
    profile: for tests that set their own max_examples, which a profile's
    does not override. Read when a test is decorated, after pytest has
    loaded the profile."""
    factor = NIGHTLY_FACTOR if settings.get_current_profile_name() == "nightly" else 1
    return count * factor


def recorded_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list:
    """Replace `owner.name` (for this test) by a pass-through that records
    the first argument of each call; the list fills as the code runs. How
    the speed tests see that work is done once, or not at all."""
    seen: list = []
    real = getattr(owner, name)

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return seen


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


def html_tokens(markup: str) -> list[tuple]:
    """A page as (kind, tag, sorted attributes | text) tokens, parsed by the
    standard library's HTML parser: equal for equal HTML whatever the
    attribute order or self-closing style."""
    from html.parser import HTMLParser

    tokens: list[tuple] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tokens.append(("start", tag, tuple(sorted((k, v or "") for k, v in attrs))))

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)

        def handle_endtag(self, tag):
            tokens.append(("end", tag))

        def handle_data(self, data):
            if tokens and tokens[-1][0] == "text":
                tokens[-1] = ("text", tokens[-1][1] + data)
            else:
                tokens.append(("text", data))

    collector = Collector(convert_charrefs=True)
    collector.feed(markup)
    collector.close()
    return tokens


def yaml_string(value: str) -> str:
    """`value` as a YAML double-quoted string, whatever it holds. JSON's
    escaping is valid YAML and covers quotes, backslashes and C0 controls; on
    top of it, \\u escapes for what YAML may not hold as it is (DEL, C1
    controls, U+FEFF, U+FFFE, U+FFFF) or would read as a line break (U+0085,
    U+2028, U+2029)."""
    return _YAML_LITERAL_UNSAFE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False)
    )


_YAML_LITERAL_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
