"""How the suite itself runs: the hypothesis profiles CI and nightly runs use.

Each check runs a real pytest in a subprocess with the options a person would
type, on a small probe test that records what hypothesis drew.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import NIGHTLY_FACTOR

TESTS = Path(__file__).resolve().parent

PROBE = """
import os

from conftest import examples
from hypothesis import given, settings, strategies as st


def record(name, value):
    with open(os.environ["DRAWS"], "a", encoding="utf-8") as out:
        out.write(f"{name} {value}\\n")


@given(st.integers())
def test_profile_count(n):
    record("profile", n)


@settings(max_examples=examples(10))
@given(st.integers())
def test_own_count(n):
    record("own", n)
"""


def draws(tmp_path: Path, run: str, *options: str) -> dict[str, list[str]]:
    """What the probe's tests drew, by test, in one pytest run."""
    probe = tmp_path / "probe_test.py"
    probe.write_text(PROBE, encoding="utf-8")
    record = tmp_path / f"draws-{run}.txt"
    env = dict(os.environ, DRAWS=str(record), PYTHONPATH=str(TESTS))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest"]
    command += ["--rootdir", str(tmp_path), str(probe), *options]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found: dict[str, list[str]] = {"profile": [], "own": []}
    for line in record.read_text(encoding="utf-8").splitlines():
        name, value = line.split(" ", 1)
        found[name].append(value)
    return found


def test_ci_profile_draws_the_same_examples_every_run(tmp_path):
    first, second = draws(tmp_path, "1"), draws(tmp_path, "2")
    assert first == second
    assert len(set(first["profile"])) > 10  # not one example over and over
    assert len(first["own"]) == 10


def test_nightly_profile_draws_new_examples_from_its_seed(tmp_path):
    nightly = ("--hypothesis-profile=nightly",)
    one = draws(tmp_path, "a", *nightly, "--hypothesis-seed=1")
    again = draws(tmp_path, "b", *nightly, "--hypothesis-seed=1")
    other = draws(tmp_path, "c", *nightly, "--hypothesis-seed=2")
    assert one == again  # a seed replays its run
    assert set(one["profile"]) != set(other["profile"])
    assert set(one["own"]) != set(other["own"])
    assert len(one["profile"]) == 100 * NIGHTLY_FACTOR
    assert len(one["own"]) == 10 * NIGHTLY_FACTOR  # a test's own count scales too
