"""OpenStack's own API test suite against pocketstack: every guarded test must pass.

Runs ``scripts/tempest`` with no selection, i.e. the tests of ``include.txt``, against a
fresh fake-driver cloud made from this checkout (the pocketstack of the Python running
pytest). The script makes its own ``.venv-tempest`` when it is missing (a minute or two,
from PyPI). A failure names the tests that did not pass, with their tracebacks from the
workspace's ``failures.txt``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.tempest

ROOT = Path(__file__).resolve().parents[2]
INCLUDE = ROOT / "tests" / "tempest" / "include.txt"
# Installing Tempest the first time plus the run itself; the run alone takes ~1-2 minutes.
RUN_TIMEOUT = 900


def guarded_patterns() -> list[str]:
    lines = INCLUDE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def run_tempest(workspace: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TEMPEST_WORKSPACE": str(workspace),
           "POCKETSTACK_BIN": str(Path(sys.executable).with_name("pocketstack")),
           "TEMPEST_TIMEOUT": str(RUN_TIMEOUT - 120)}
    env.pop("TEMPEST_DATA_DIR", None)
    return subprocess.run([str(ROOT / "scripts" / "tempest"), "--concurrency", "2"],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, check=False)


def read_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.is_file() else []


def unmatched(patterns: list[str], passed: list[str]) -> list[str]:
    """The include-list patterns that no passed test name matches."""
    # summarize.py strips the [id-...] tags; put one back so the '\[' anchors match.
    names = [f"{name}[tags]" for name in passed]
    return [p for p in patterns if not any(re.match(p, name) for name in names)]


@pytest.mark.timeout(RUN_TIMEOUT + 60)
def test_every_guarded_tempest_test_passes(tmp_path):
    workspace = tmp_path / "tempest"
    result = run_tempest(workspace)
    failures = workspace / "failures.txt"
    failed = read_lines(workspace / "failed.txt")
    missing = unmatched(guarded_patterns(), read_lines(workspace / "passed.txt"))
    summary = (f"scripts/tempest exited {result.returncode}; {len(failed)} failed, "
               f"{len(missing)} guarded tests did not pass (workspace: {workspace})")
    report = "\n".join([
        summary,
        "failed:", *failed, "did not pass:", *missing,
        "--- failures.txt", failures.read_text() if failures.is_file() else "(none)",
        "--- output (tail)", *result.stdout.splitlines()[-30:], *result.stderr.splitlines()[-30:],
    ])
    assert result.returncode == 0 and not failed and not missing, report
