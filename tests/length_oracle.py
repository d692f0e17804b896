"""Independent length oracles: each platform's count from its own JavaScript
library (twitter-text, @atproto/api) or published rule, run by Node.

`tests/oracles/lengths.mjs` does the counting and shares no code with
Masthead's counters. One Node process serves the whole test session; texts go
to it in batches. Without Node or the installed packages
(`npm ci --prefix tests/oracles`), the tests that need it skip locally and
fail under CI (CI=true), so a missing install can never pass unnoticed.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ORACLE_DIR = Path(__file__).resolve().parent / "oracles"
SCRIPT = ORACLE_DIR / "lengths.mjs"
# Generous: a batch of thousands of texts answers in well under a second.
ANSWER_TIMEOUT = 120.0


class OracleError(RuntimeError):
    pass


@dataclass
class Oracle:
    process: subprocess.Popen[str]
    stderr: Any

    def ask(self, requests: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Answers for `requests` ({"platform", "text"}), in order."""
        if not requests:
            return []
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(requests) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise OracleError(f"the Node oracle has stopped:\n{self._errors()}") from None
        ready, _, _ = select.select([self.process.stdout], [], [], ANSWER_TIMEOUT)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            raise OracleError(f"no answer from the Node oracle:\n{self._errors()}")
        answers = json.loads(line)
        if isinstance(answers, dict):
            raise OracleError(answers["error"])
        for request, answer in zip(requests, answers, strict=True):
            if "error" in answer:
                raise OracleError(f"{answer['error']} (asked {request!r})")
        return answers

    def one(self, platform: str, text: str) -> dict[str, Any]:
        return self.ask([{"platform": platform, "text": text}])[0]

    def length(self, platform: str, text: str) -> int:
        return self.one(platform, text)["length"]

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()

    def _errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read()[-4000:]


@cache
def _started() -> Oracle | str:
    """The running oracle, or why it cannot run."""
    node = shutil.which("node")
    if node is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    for package in ("@atproto/api", "twitter-text"):
        if not (ORACLE_DIR / "node_modules" / package / "package.json").is_file():
            return f"{package} is not installed: run `npm ci --prefix {ORACLE_DIR}`"
    # Lives as long as the process; Oracle.close closes it at exit.
    stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        cwd=ORACLE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        encoding="utf-8",
    )
    oracle = Oracle(process, stderr)
    atexit.register(oracle.close)
    return oracle


def length_oracle() -> Oracle:
    """The session's oracle; skips the test without Node locally, fails it in CI."""
    started = _started()
    if isinstance(started, str):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"length oracle unavailable in CI: {started}")
        pytest.skip(f"length oracle unavailable: {started}")
    return started
