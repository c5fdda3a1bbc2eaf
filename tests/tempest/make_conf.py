"""Write a tempest.conf for a running pocketstack from its data dir.

Usage: make_conf.py DATA_DIR OUTPUT_FILE

Reads the admin password and the URL from DATA_DIR (``admin-password``,
``pocketstack.json``), asks the cloud (as admin) for the ``base`` image, the ``public``
network, the Neutron extensions and the compute microversion range, and fills
``tempest.conf.in`` next to this file. ``TEMPEST_HTTP_IMAGE`` is the (loopback) URL that
web-download tests import. Standard library only, so any Python 3 runs it.
"""

import json
import os
import pathlib
import string
import sys
import urllib.request

TEMPLATE = pathlib.Path(__file__).with_name("tempest.conf.in")


def call(url: str, token: str | None = None, body: dict | None = None):
    """Return (headers, json body) of a GET, or a POST when body is given."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, json.loads(response.read() or b"{}")


def admin_token(auth_url: str, password: str) -> str:
    scope = {"project": {"name": "admin", "domain": {"id": "default"}}}
    user = {"name": "admin", "domain": {"id": "default"}, "password": password}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                     "scope": scope}}
    headers, _ = call(f"{auth_url}/auth/tokens", body=body)
    return headers["X-Subject-Token"]


def one_id(items: list, name: str, kind: str) -> str:
    ids = [item["id"] for item in items if item.get("name") == name]
    if len(ids) != 1:
        sys.exit(f"make_conf: expected one {kind} named {name!r}, found {len(ids)}")
    return ids[0]


def values(data_dir: pathlib.Path) -> dict:
    """Everything the template needs, read from the data dir and the running cloud."""
    base = json.loads((data_dir / "pocketstack.json").read_text())["url"].rstrip("/")
    password = (data_dir / "admin-password").read_text().strip()
    auth_url = f"{base}/identity/v3"
    token = admin_token(auth_url, password)
    _, images = call(f"{base}/image/v2/images?name=base", token)
    _, networks = call(f"{base}/network/v2.0/networks?name=public", token)
    _, extensions = call(f"{base}/network/v2.0/extensions", token)
    _, compute = call(f"{base}/compute/v2.1/", token)
    aliases = [extension["alias"] for extension in extensions["extensions"]]
    return {
        "admin_password": password,
        "auth_url": auth_url,
        "image_id": one_id(images["images"], "base", "image"),
        "public_network_id": one_id(networks["networks"], "public", "network"),
        "network_extensions": ",".join(aliases),
        "port_security": str("port-security" in aliases),
        "compute_max_microversion": compute["version"]["version"],
        # web-download only reads loopback URLs: scripts/tempest serves a file there.
        "http_image": os.environ.get("TEMPEST_HTTP_IMAGE", "http://127.0.0.1:9/missing.img"),
    }


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data_dir, output = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    text = string.Template(TEMPLATE.read_text()).substitute(values(data_dir))
    output.write_text(text)


if __name__ == "__main__":
    main()
