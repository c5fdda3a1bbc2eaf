"""The vendored browser code is exactly what scripts/build-dashboard recorded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[3] / "src" / "pocketstack" / "dashboard"
VENDOR = DASHBOARD / "static" / "vendor"


def recorded() -> dict[str, str]:
    sums = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*")] = digest
    return sums


def test_every_vendored_file_matches_its_recorded_sha256():
    sums = recorded()
    assert sums, "SHA256SUMS lists nothing"
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_nothing_is_vendored_unrecorded():
    on_disk = {path.name for path in VENDOR.iterdir()} - {"SHA256SUMS"}
    assert on_disk == set(recorded())


def test_npm_versions_are_exact_and_locked():
    package = json.loads((DASHBOARD / "package.json").read_text())
    lock = json.loads((DASHBOARD / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        assert version[0].isdigit(), f"{name} must be pinned exactly, not {version}"
        locked = lock["packages"][f"node_modules/{name}"]
        assert locked["version"] == version
        assert locked["integrity"].startswith("sha512-")
