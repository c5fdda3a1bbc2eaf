"""The config file of `pocketstack` (TOML): defaults for the options of `up`, `status`,
`down` and `purge`.

The file is ``--config PATH`` or, when that is not given, ``DEFAULT_PATH`` if it exists
(the Debian package ships it with every key commented out). Its keys mirror the options
of `up`, at the top level::

    listen = "127.0.0.1:8774"        # HOST:PORT the API serves
    data_dir = "/var/lib/pocketstack"
    prefix = "ps"                    # names every kernel object of the deployment
    driver = "auto"                  # auto | namespace | fake
    public_cidr = "172.24.4.0/24"    # the floating IP range (used when first started)
    region = "RegionOne"
    token_ttl = 3600                 # seconds a token lives
    tls_cert = "/etc/pocketstack/tls/cert.pem"   # serve HTTPS (both or neither)
    tls_key = "/etc/pocketstack/tls/key.pem"

Contract: ``load`` returns only the keys the file sets, each checked and converted
(``data_dir`` and the TLS files ``Path``s, ``token_ttl`` an ``int``); an option given on the command line
wins over the file, a key the file leaves out keeps the option's default. Anything wrong
(unreadable file, bad TOML, unknown key, bad value) raises ``ConfigFileError`` naming the
file and the key.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pocketstack.config import PREFIX_PATTERN

DEFAULT_PATH = Path("/etc/pocketstack/pocketstack.toml")
DRIVERS = ("auto", "fake", "namespace")
SMALLEST_PUBLIC_PREFIX = 29  # a gateway and a few floating IPs


class ConfigFileError(Exception):
    """The config file cannot be used; the message says where and what to fix."""


def _listen(value: Any) -> str:
    host, _, port = value.rpartition(":") if isinstance(value, str) else ("", "", "")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError('expected "HOST:PORT", e.g. "127.0.0.1:8774"')
    return value


def _data_dir(value: Any) -> Path:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ValueError('expected an absolute path, e.g. "/var/lib/pocketstack"')
    return Path(value)


def _prefix(value: Any) -> str:
    if not isinstance(value, str) or not PREFIX_PATTERN.match(value):
        raise ValueError("expected 1 to 6 lowercase letters or digits")
    return value


def _driver(value: Any) -> str:
    if value not in DRIVERS:
        raise ValueError(f"expected one of {', '.join(DRIVERS)}")
    return value


def _public_cidr(value: Any) -> str:
    message = f'expected an IPv4 network of /{SMALLEST_PUBLIC_PREFIX} or larger, ' \
              'e.g. "172.24.4.0/24"'
    try:
        network = ipaddress.IPv4Network(value) if isinstance(value, str) else None
    except ValueError:
        network = None
    if network is None or network.prefixlen > SMALLEST_PUBLIC_PREFIX:
        raise ValueError(message)
    return str(network)


def _region(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError('expected a non-empty name, e.g. "RegionOne"')
    return value


def _token_ttl(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 60:
        raise ValueError("expected a whole number of seconds, at least 60")
    return value


def _pem_file(value: Any) -> Path:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ValueError('expected the absolute path of a PEM file, e.g. "/etc/ssl/cloud.pem"')
    if not Path(value).is_file():
        raise ValueError("no such file")
    return Path(value)


KEYS: dict[str, Callable[[Any], Any]] = {
    "listen": _listen, "data_dir": _data_dir, "prefix": _prefix, "driver": _driver,
    "public_cidr": _public_cidr, "region": _region, "token_ttl": _token_ttl,
    "tls_cert": _pem_file, "tls_key": _pem_file,
}


def chosen_path(path: Path | None) -> Path | None:
    """The file to read: ``path`` when given, else ``DEFAULT_PATH`` when it exists."""
    if path is not None:
        return path
    return DEFAULT_PATH if DEFAULT_PATH.is_file() else None


def load(path: Path | None) -> dict[str, Any]:
    """The checked settings of the file ``chosen_path(path)`` names ({} for none)."""
    path = chosen_path(path)
    if path is None:
        return {}
    try:
        document = tomllib.loads(path.read_text())
    except OSError as error:
        raise ConfigFileError(f"cannot read the config file {path}: {error.strerror}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigFileError(f"{path} is not valid TOML: {error}") from error
    return {key: _checked(path, key, value) for key, value in document.items()}


def _checked(path: Path, key: str, value: Any) -> Any:
    check = KEYS.get(key)
    if check is None:
        raise ConfigFileError(f"{path}: unknown key {key!r}; known keys: {', '.join(KEYS)}")
    try:
        return check(value)
    except ValueError as error:
        raise ConfigFileError(f"{path}: {key} = {value!r}: {error}") from error


def render(values: dict[str, Any]) -> str:
    """``values`` (keys of ``KEYS``) as the TOML lines of a config file, in ``KEYS`` order."""
    lines = []
    for key in KEYS:
        if values.get(key) is not None:
            value = values[key]
            text = str(value) if isinstance(value, int) else '"' + _escaped(str(value)) + '"'
            lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
