"""The dashboard is served by the cloud's own listener, with no third-party origin."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[3] / "src" / "pocketstack" / "dashboard" / "static"


def test_index_is_served_with_a_strict_policy(client):
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert '<script type="module" src="static/js/main.js">' in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_without_the_slash_redirects(client):
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code in (307, 308)
    assert response.headers["location"].endswith("/dashboard/")


def test_static_files_are_served_and_revalidated(client):
    response = client.get("/dashboard/static/js/main.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "no-cache"
    assert client.get("/dashboard/static/vendor/xterm.mjs").status_code == 200
    assert client.get("/dashboard/static/nothing.js").status_code == 404


def test_no_file_loads_anything_from_another_origin():
    for path in STATIC.rglob("*"):
        if path.suffix in (".html", ".js", ".css") and "vendor" not in path.parts:
            text = path.read_text()
            assert not re.search(r"(src|href)=\"(https?:)?//", text), path
            assert "https://" not in text and "http://" not in text, path


def test_every_relative_import_of_our_modules_exists():
    modules = list((STATIC / "js").rglob("*.js"))
    assert modules
    for module in modules:
        for match in re.finditer(r'from\s+"(\.[^"]+)"', module.read_text()):
            target = (module.parent / match.group(1)).resolve()
            assert target.is_file(), f"{module.name} imports missing {match.group(1)}"


def test_every_page_the_router_names_exists():
    main = (STATIC / "js" / "main.js").read_text()
    pages = set(re.findall(r'module: "([a-z_]+)"', main))
    assert len(pages) >= 10
    for page in pages:
        assert (STATIC / "js" / "pages" / f"{page}.js").is_file(), page


@pytest.mark.skipif(not shutil.which("node"), reason="needs node to parse the modules")
def test_every_module_parses(tmp_path):
    for module in (STATIC / "js").rglob("*.js"):
        copy = tmp_path / f"{module.stem}.mjs"  # .mjs: parsed as an ES module
        copy.write_text(module.read_text())
        result = subprocess.run(["node", "--check", str(copy)], capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, f"{module.name}: {result.stderr}"
