"""``apt purge`` (debian/pocketstack.postrm) removes only what pocketstack made in the
recorded data dir, then the dir if nothing else is left: a data dir of /srv or a home must
keep everything else. Run in a private mount namespace with /var/lib and /etc/pocketstack
on scratch tmpfs, so the host's are never touched."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.root

POSTRM = Path(__file__).resolve().parents[2] / "debian" / "pocketstack.postrm"
OURS = ["pocketstack.db", "pocketstack.db-wal", "pocketstack.json", "admin-password",
        "demo-password", "openrc.admin", "openrc.demo", "clouds.yaml", "images/x",
        "instances/i/rootfs/f", "network/applied.json", "loadbalancers/l/haproxy.cfg"]


def populate(data_dir: Path, names: list[str]) -> None:
    for name in names:
        path = data_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def purge(data_dir: Path) -> subprocess.CompletedProcess:
    script = "\n".join([
        "set -e",
        "mount --make-rprivate /",
        "mount -t tmpfs sf-postrm /var/lib",
        "if [ -d /etc/pocketstack ]; then mount -t tmpfs sf-postrm /etc/pocketstack; fi",
        "mkdir -m 0700 /var/lib/pocketstack",
        f"printf '%s\\n' {shlex.quote(str(data_dir))} > /var/lib/pocketstack/.removed-data-dir",
        f"sh {shlex.quote(str(POSTRM))} purge",
        "test ! -e /var/lib/pocketstack"])
    return subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True,
                          text=True, check=True, timeout=30)


def test_purge_keeps_what_is_not_pocketstacks(tmp_path):
    data_dir = tmp_path / "srv"
    populate(data_dir, [*OURS, "www/index.html", "notes.txt", "images-backup/y"])
    result = purge(data_dir)
    left = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())
    assert left == ["images-backup/y", "notes.txt", "www/index.html"]
    assert "kept" in result.stderr


def test_purge_removes_a_data_dir_holding_only_pocketstacks(tmp_path):
    data_dir = tmp_path / "data"
    populate(data_dir, OURS)
    purge(data_dir)
    assert not data_dir.exists()


def test_a_dir_without_a_state_store_is_left_alone(tmp_path):
    data_dir = tmp_path / "other"
    populate(data_dir, ["images/x", "clouds.yaml"])
    purge(data_dir)
    assert sorted(p.name for p in data_dir.iterdir()) == ["clouds.yaml", "images"]
