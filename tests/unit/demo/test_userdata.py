"""The web game's user-data: every field filled, valid shell, the game's files inside."""

from __future__ import annotations

import subprocess

import pytest

from pocketstack.demo import userdata


def shell_ok(script: str) -> bool:
    return subprocess.run(["sh", "-n"], input=script, text=True, check=False).returncode == 0


def test_render_fills_every_field_and_refuses_a_missing_one():
    assert userdata.render("a=@A@ b=@B_2@", {"A": "1", "B_2": "x"}) == "a=1 b=x"
    with pytest.raises(userdata.TemplateError, match="B"):
        userdata.render("a=@A@ b=@B@", {"A": "1"})


def test_scripts_are_complete_shell():
    scripts = [userdata.primary("dbpw", "replpw"), userdata.replica("10.42.0.10", "replpw"),
               userdata.php("10.42.0.10", "10.42.0.11", "dbpw")]
    for script in scripts:
        assert script.startswith("#!/bin/sh\n")
        assert not userdata.FIELD.search(script), userdata.FIELD.search(script)
        assert shell_ok(script)
    assert "MASTER_HOST='$PRIMARY_IP'" in scripts[1] and "PRIMARY_IP='10.42.0.10'" in scripts[1]


def test_php_user_data_carries_the_game_and_fits_nova():
    script = userdata.php("10.42.0.10", "10.42.0.11", "dbpw")
    for name in ("index.php", "db.php", "health.php"):
        assert f"cat >{name} <<'{userdata.GAME_END}'" in script
    assert "ExtendedStatus On" in script
    assert len(script) < 65535 * 3 // 4  # Nova's user_data limit is 64 KiB of base64


def test_examples_dir_can_be_pointed_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("POCKETSTACK_WEBGAME_DIR", str(tmp_path))
    with pytest.raises(userdata.TemplateError, match="POCKETSTACK_WEBGAME_DIR"):
        userdata.examples_dir()


def test_the_installed_web_game_is_found_without_settings(monkeypatch):
    monkeypatch.delenv("POCKETSTACK_WEBGAME_DIR", raising=False)
    found = userdata.examples_dir()
    assert (found / "php.sh").is_file() and (found / "game" / "index.php").is_file()
