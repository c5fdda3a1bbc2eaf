"""`pipx install` of a wheel built from this checkout gives the same `pocketstack`
command: `--help` works and `pocketstack up --driver fake` answers the stock clients'
first request."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = 18864

pytestmark = pytest.mark.package


def build_wheel(into: Path) -> Path:
    """A wheel of the checkout's sources, built in a copy (the checkout stays clean)."""
    source = into / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(into / "dist"), str(source)], check=True, timeout=300)
    (wheel,) = (into / "dist").glob("pocketstack-*.whl")
    return wheel


def test_pipx_install_from_the_wheel(tmp_path):
    pipx = shutil.which("pipx")
    if pipx is None:
        pytest.skip("needs pipx (apt-get install pipx)")
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:  # the data files `pocketstack` reads at run time
        names = set(archive.namelist())
    for needed in ("pocketstack/demo/webgame_files/php.sh",
                   "pocketstack/demo/webgame_files/game/index.php",
                   "pocketstack/dashboard/static/index.html",
                   "pocketstack/db/migrations/versions/defada39b482_initial_schema.py"):
        assert needed in names, f"{needed} is not in {wheel.name}"
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"),
           "PIPX_BIN_DIR": str(tmp_path / "bin"), "PIPX_MAN_DIR": str(tmp_path / "man")}
    subprocess.run([pipx, "install", str(wheel)], env=env, check=True, timeout=600,
                   capture_output=True)
    command = tmp_path / "bin" / "pocketstack"
    shown = subprocess.run([str(command), "--help"], capture_output=True, text=True,
                           check=True, timeout=60).stdout
    assert "up" in shown and "purge" in shown

    empty = tmp_path / "empty.toml"
    empty.write_text("")
    log = tmp_path / "up.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [str(command), "up", "--driver", "fake", "--data-dir", str(tmp_path / "data"),
             "--listen", f"127.0.0.1:{PORT}", "--config", str(empty)],
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while "is ready" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        answer = httpx.get(f"http://127.0.0.1:{PORT}/identity/v3", timeout=10)
        assert answer.status_code == 200 and answer.json()["version"]["id"].startswith("v3")
    finally:
        process.terminate()
        process.wait(30)
