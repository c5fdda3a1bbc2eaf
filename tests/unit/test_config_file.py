"""The config file (`pocketstack.config_file`) and how the CLI uses it: the file's keys
fill the options left at their default, options given on the command line win."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pocketstack import config_file
from pocketstack.cli import main as cli
from pocketstack.config_file import ConfigFileError

FULL = """
listen = "0.0.0.0:18861"
data_dir = "/srv/cloud"
prefix = "dp7"
driver = "fake"
public_cidr = "10.99.0.0/24"
region = "Lab"
token_ttl = 600
"""


@pytest.fixture
def no_default_file(monkeypatch, tmp_path):
    """No file at the default path, whatever this machine has in /etc."""
    monkeypatch.setattr(config_file, "DEFAULT_PATH", tmp_path / "absent.toml")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pocketstack.toml"
    path.write_text(text)
    return path


def test_every_key_is_read_and_converted(tmp_path):
    values = config_file.load(write(tmp_path, FULL))
    assert values == {"listen": "0.0.0.0:18861", "data_dir": Path("/srv/cloud"),
                      "prefix": "dp7", "driver": "fake", "public_cidr": "10.99.0.0/24",
                      "region": "Lab", "token_ttl": 600}


def test_no_file_at_the_default_path_means_no_settings(no_default_file):
    assert config_file.chosen_path(None) is None
    assert config_file.load(None) == {}


def test_the_default_path_is_read_when_it_exists(monkeypatch, tmp_path):
    path = write(tmp_path, 'prefix = "dp2"\n')
    monkeypatch.setattr(config_file, "DEFAULT_PATH", path)
    assert config_file.load(None) == {"prefix": "dp2"}


def test_comments_only_means_every_default(tmp_path):
    shipped = Path(__file__).resolve().parents[2] / "debian" / "pocketstack.toml"
    text = shipped.read_text() if shipped.exists() else "# listen = \"127.0.0.1:8774\"\n"
    assert config_file.load(write(tmp_path, text)) == {}


@pytest.mark.parametrize("line, words", [
    ('prefx = "dp1"', "unknown key 'prefx'"),
    ('listen = "8774"', "HOST:PORT"),
    ('listen = 8774', "HOST:PORT"),
    ('data_dir = "relative/dir"', "absolute path"),
    ('prefix = "Has-Caps"', "lowercase"),
    ('prefix = "toolongx"', "lowercase"),
    ('driver = "qemu"', "auto, fake, namespace"),
    ('public_cidr = "fd00::/64"', "IPv4"),
    ('public_cidr = "10.0.0.0/30"', "/29 or larger"),
    ('public_cidr = "10.0.0.1/24"', "IPv4"),
    ('region = ""', "non-empty"),
    ('token_ttl = "600"', "whole number"),
    ('token_ttl = 10', "at least 60"),
    ('token_ttl = true', "whole number"),
    ('listen = ', "not valid TOML"),
])
def test_a_bad_file_names_the_file_and_what_to_fix(tmp_path, line, words):
    path = write(tmp_path, line + "\n")
    with pytest.raises(ConfigFileError) as raised:
        config_file.load(path)
    assert str(path) in str(raised.value)
    assert words in str(raised.value)


def test_an_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigFileError, match="cannot read"):
        config_file.load(tmp_path / "missing.toml")


def test_render_reads_back_as_the_same_settings(tmp_path):
    values = config_file.load(write(tmp_path, FULL.replace("/srv/cloud", '/srv/a \\"b\\"')))
    assert config_file.load(write(tmp_path, config_file.render(values))) == values


@pytest.fixture
def served(monkeypatch):
    """Settings `up` would serve with (nothing is served)."""
    seen = {}

    def fake_serve(settings, with_agent=True):
        seen["settings"] = settings
        return 0

    monkeypatch.setattr("pocketstack.cli.serve.serve", fake_serve)
    return seen


def test_up_takes_the_file_and_the_command_line_wins(tmp_path, served):
    path = write(tmp_path, FULL.replace("/srv/cloud", str(tmp_path / "data")))
    result = CliRunner().invoke(cli.main, ["up", "--config", str(path), "--prefix", "dp9",
                                           "--listen", "127.0.0.1:18862"])
    assert result.exit_code == 0, result.output
    settings = served["settings"]
    assert (settings.prefix, settings.host, settings.port) == ("dp9", "127.0.0.1", 18862)
    assert (settings.data_dir, settings.driver) == (tmp_path / "data", "fake")
    assert (settings.public_cidr, settings.region, settings.token_ttl_seconds) == \
        ("10.99.0.0/24", "Lab", 600)


def test_up_without_a_file_keeps_the_defaults(tmp_path, served, no_default_file):
    result = CliRunner().invoke(cli.main, ["up", "--driver", "fake", "--data-dir",
                                           str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    settings = served["settings"]
    assert (settings.prefix, settings.port, settings.public_cidr, settings.region,
            settings.token_ttl_seconds) == ("ps", 8774, "172.24.4.0/24", "RegionOne", 3600)


def test_up_refuses_a_bad_file_with_its_message(tmp_path, served):
    path = write(tmp_path, 'driver = "qemu"\n')
    result = CliRunner().invoke(cli.main, ["up", "--config", str(path)])
    assert result.exit_code == 1
    assert "driver = 'qemu'" in result.output and "settings" not in served


def test_up_checks_a_public_range_given_on_the_command_line(served, no_default_file):
    result = CliRunner().invoke(cli.main, ["up", "--public-cidr", "10.0.0.0/31"])
    assert result.exit_code == 2 and "/29 or larger" in result.output


def test_config_prints_the_file_over_the_defaults(tmp_path):
    path = write(tmp_path, 'prefix = "dp3"\ntoken_ttl = 90\n')
    result = CliRunner().invoke(cli.main, ["config", "--config", str(path)])
    assert result.exit_code == 0, result.output
    shown = config_file.load(write(tmp_path, result.output))
    assert (shown["prefix"], shown["token_ttl"], shown["listen"]) == ("dp3", 90, "127.0.0.1:8774")


def test_status_and_down_find_the_data_dir_in_the_file(tmp_path):
    path = write(tmp_path, f'data_dir = "{tmp_path / "cloud"}"\n')
    status = CliRunner().invoke(cli.main, ["status", "--config", str(path)])
    assert status.exit_code == 3 and str(tmp_path / "cloud") in status.output
    down = CliRunner().invoke(cli.main, ["down", "--config", str(path)])
    assert down.exit_code == 0 and "not running" in down.output


@pytest.fixture
def purged(monkeypatch):
    prefixes = []
    monkeypatch.setattr("pocketstack.wiring.purge_host_objects", prefixes.append)
    return prefixes


@pytest.mark.parametrize("keep_data", [True, False])
def test_purge_takes_prefix_and_data_dir_from_the_file(tmp_path, purged, keep_data):
    data_dir = tmp_path / "cloud"
    data_dir.mkdir()
    path = write(tmp_path, f'data_dir = "{data_dir}"\nprefix = "dp4"\n')
    argv = ["purge", "--yes", "--config", str(path)] + (["--keep-data"] if keep_data else [])
    result = CliRunner().invoke(cli.main, argv)
    assert result.exit_code == 0, result.output
    assert purged == ["dp4"]
    assert data_dir.exists() == keep_data


def test_tls_files_come_from_the_file_and_must_exist(tmp_path, served):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("cert"), key.write_text("key")
    path = write(tmp_path, f'tls_cert = "{cert}"\ntls_key = "{key}"\ndriver = "fake"\n')
    result = CliRunner().invoke(cli.main, ["up", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert (served["settings"].tls_cert, served["settings"].tls_key) == (cert, key)

    missing = write(tmp_path, f'tls_cert = "{tmp_path / "nope.pem"}"\n')
    with pytest.raises(ConfigFileError, match="no such file"):
        config_file.load(missing)


def test_a_tls_cert_without_its_key_is_refused(tmp_path, served):
    cert = tmp_path / "cert.pem"
    cert.write_text("cert")
    path = write(tmp_path, f'tls_cert = "{cert}"\n')
    result = CliRunner().invoke(cli.main, ["up", "--config", str(path)])
    assert result.exit_code == 2 and "go together" in result.output
