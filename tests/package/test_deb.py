"""The Debian package as CI checks it, on this machine: install it with apt, start the
cloud from the installed files (the unit's command and capability bounding set), boot a
server with the stock client and reach it over a floating IP (ping and ssh), upgrade to
a higher version and find the server still there and running; `apt remove` keeps the data
and the config (a reinstall finds the server SHUTOFF, as after a reboot, and it starts);
then `apt purge` and find nothing left: no data, no config, no program, no kernel object,
no process.

Builds the package twice with `scripts/build-deb` (the second time as a higher version)
unless ``POCKETSTACK_DEB`` (and ``POCKETSTACK_DEB_UPGRADE``) name built files. Skips
when pocketstack is already installed: the test must not take over a real deployment.
"""

from __future__ import annotations

import random
import shutil
import string
import subprocess
from pathlib import Path

import pytest

from .installed import (
    CONFIG_DIR,
    STATE_DIR,
    UNIT,
    InstalledCloud,
    installed_version,
    package_installed,
    version_greater,
)

pytestmark = [pytest.mark.root, pytest.mark.package, pytest.mark.timeout(1200)]  # two builds

PORT = 18863
SERVER = ["--flavor", "m1.tiny", "--image", "base", "--network", "private",
          "--key-name", "k", "--wait"]


@pytest.fixture
def cloud():
    if package_installed() or CONFIG_DIR.exists():
        pytest.skip("pocketstack is installed here (or /etc/pocketstack exists): "
                    "the test installs and purges its own")
    prefix = "dp" + "".join(random.choices(string.ascii_lowercase, k=4))
    scratch = Path(f"/tmp/pkg-{prefix}")
    cloud = InstalledCloud(prefix, f"{prefix}-host", scratch / "data", PORT)
    try:
        cloud.prepare()
        yield cloud
    finally:
        if cloud.log.exists():  # shown by pytest when the test failed
            print(f"installed cloud log (last 40 lines):\n{cloud.tail()}")
        cloud.leave_no_trace()


def test_install_run_upgrade_purge(cloud, debs):
    first, higher = debs
    assert version_greater(version_of(higher), version_of(first))

    cloud.apt_install(first)
    assert installed_version() == version_of(first)
    check_unit()
    cloud.configure(listen=f"127.0.0.1:{cloud.port}", data_dir=str(cloud.data_dir),
                    prefix=cloud.prefix, public_cidr="172.24.4.0/24")
    cloud.start()
    address, key = boot_reachable_server(cloud)

    cloud.apt_install(higher)
    assert installed_version() == version_of(higher)
    assert cloud.wait_stopped() == 0, "the upgrade did not stop the running cloud"
    cloud.start()
    server = cloud.openstack_json("server", "show", "web")
    assert server["status"] == "ACTIVE", server
    cloud.wait_ping(address)
    assert cloud.ssh(key, address, "hostname").strip() == "web"

    cloud.apt("remove")
    assert cloud.wait_stopped() == 0
    assert (cloud.data_dir / "pocketstack.db").exists()
    assert cloud.leftovers() == [str(STATE_DIR), str(cloud.data_dir), str(CONFIG_DIR)]
    cloud.apt_install(higher)  # back as after a reboot: servers SHUTOFF, networks made again
    cloud.start()
    assert cloud.openstack_json("server", "show", "web")["status"] == "SHUTOFF"
    cloud.openstack("server", "start", "web")
    cloud.wait_ping(address, timeout=60)

    cloud.apt("purge")
    assert cloud.wait_stopped() == 0
    assert not package_installed()
    assert cloud.leftovers() == []


def version_of(deb: Path) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True,
                          text=True, check=True).stdout.strip()


def check_unit() -> None:
    """The shipped unit passes `systemd-analyze verify` (where it is installed)."""
    if shutil.which("systemd-analyze") is None:
        return
    result = subprocess.run(["systemd-analyze", "verify", str(UNIT)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr


def boot_reachable_server(cloud: InstalledCloud) -> tuple[str, Path]:
    """A server ``web`` with a floating IP that answers ping and ssh: (address, key)."""
    key = cloud.data_dir.parent / "k.pem"
    key.write_text(cloud.openstack("keypair", "create", "k"))
    key.chmod(0o600)
    for rule in (["--protocol", "icmp"], ["--protocol", "tcp", "--dst-port", "22"]):
        cloud.openstack("security", "group", "rule", "create", *rule, "default")
    server = cloud.openstack_json("server", "create", *SERVER, "web")
    assert server["status"] == "ACTIVE", server
    address = cloud.openstack("floating", "ip", "create", "public", "-f", "value", "-c",
                              "floating_ip_address").strip()
    assert address.startswith("172.24.4."), address
    cloud.openstack("server", "add", "floating", "ip", "web", address)
    cloud.wait_ping(address)
    assert cloud.ssh(key, address, "hostname").strip() == "web"
    return address, key
