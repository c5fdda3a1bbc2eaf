"""Fixtures of the packaging tests: the Debian package (built once per run, or taken
from ``POCKETSTACK_DEB`` and ``POCKETSTACK_DEB_UPGRADE``) and the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 900


def pytest_collection_modifyitems(config, items):
    reasons = []
    if os.geteuid() != 0:
        reasons.append("needs root")
    if shutil.which("apt-get") is None or shutil.which("dpkg-query") is None:
        reasons.append("needs Debian's apt-get and dpkg")
    if reasons:
        skip = pytest.mark.skip(reason=", ".join(reasons))
        for item in items:
            if "root" in item.keywords:
                item.add_marker(skip)


def upstream_version() -> str:
    for line in (ROOT / "pyproject.toml").read_text().splitlines():
        if line.startswith("version = "):
            return line.split('"')[1]
    raise AssertionError("no version in pyproject.toml")


def build_deb(version: str | None, lintian: bool = True) -> Path:
    """``scripts/build-deb`` (with ``POCKETSTACK_DEB_VERSION=version``); the .deb it wrote.
    Lintian must be clean: build-deb exits 2 otherwise."""
    env = {**os.environ, "POCKETSTACK_DEB_VERSION": version or upstream_version(),
           "POCKETSTACK_DEB_LINTIAN": "yes" if lintian else "no"}
    result = subprocess.run([str(ROOT / "scripts" / "build-deb")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    assert result.returncode == 0, f"build-deb failed:\n{result.stdout}\n{result.stderr}"
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    return ROOT / "dist" / f"pocketstack_{env['POCKETSTACK_DEB_VERSION']}_{arch}.deb"


@pytest.fixture(scope="session")
def debs() -> tuple[Path, Path]:
    """``(package, a higher version of it)``."""
    given = os.environ.get("POCKETSTACK_DEB")
    first = Path(given) if given else build_deb(None)
    given = os.environ.get("POCKETSTACK_DEB_UPGRADE")
    # The same tree again: lintian has nothing new to say.
    higher = Path(given) if given else build_deb(f"{upstream_version()}+upgradetest1",
                                                 lintian=False)
    for deb in (first, higher):
        assert deb.is_file(), f"no package at {deb}"
    return first, higher
