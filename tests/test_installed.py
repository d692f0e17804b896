"""The suite tests the package as installed, when .ci/run says it does.

.ci/run installs Masthead into a fresh virtual environment (a wheel, as users
get it) and runs pytest from the checkout with `python -P`, so the checkout
is not on sys.path: `generator` must then come from site-packages, templates
included, and the test helpers (conftest, htmlcheck, browser) from tests/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT

import generator
from generator.resources import templates_dir

INSTALLED = os.environ.get("MASTHEAD_TEST_INSTALLED") == "1"
pytestmark = pytest.mark.skipif(
    not INSTALLED, reason="only .ci/run (MASTHEAD_TEST_INSTALLED=1) tests an installed wheel"
)


def test_generator_comes_from_site_packages_not_the_checkout():
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    package = Path(generator.__file__).resolve()
    assert package.is_relative_to(site_packages), package
    assert not package.is_relative_to(ROOT), package
    templates = templates_dir().resolve()
    assert templates.is_relative_to(site_packages) and templates.is_dir(), templates


def test_the_checkout_is_not_on_sys_path():
    entries = {Path(entry or ".").resolve() for entry in sys.path}
    assert ROOT not in entries, "the checkout would shadow the installed package"
    assert ROOT / "tests" in entries  # where pytest finds conftest and the helpers


def test_a_subprocess_from_a_test_folder_runs_the_installed_command(tmp_path):
    """As the CLI tests run it: `python -m generator` in a temporary folder."""
    done = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).resolve() == Path(generator.__file__).resolve()


def test_the_suites_subprocesses_run_the_installed_package():
    """As the CLI tests start Masthead (conftest's MASTHEAD and subprocess_env),
    even from the checkout as working folder: the wheel, not the checkout."""
    from conftest import PYTHON, subprocess_env

    done = subprocess.run(
        [*PYTHON, "-c", "import generator; print(generator.__file__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).resolve() == Path(generator.__file__).resolve()
