"""`pocketstack up --tls-cert --tls-key`: the stock clients over HTTPS with a self-signed
certificate given to them with ``--os-cacert``; and the data dir `up` leaves behind keeps
its secrets to its owner."""

from __future__ import annotations

import datetime
import ipaddress
import stat
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.compat.cloud import CloudProcess

pytestmark = pytest.mark.compat


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost that is its own CA, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pocketstack test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


class TLSCloud(CloudProcess):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.cert, self.key = self_signed(root)
        self.url = f"https://127.0.0.1:{self.port}"
        self.args = ("--tls-cert", str(self.cert), "--tls-key", str(self.key))


@pytest.fixture
def tls_cloud(tmp_path):
    cloud = TLSCloud(tmp_path)
    try:
        cloud.start()
        yield cloud
    finally:
        cloud.stop()


def test_stock_client_talks_https_with_the_given_ca(tls_cloud):
    ca = str(tls_cloud.cert)
    assert tls_cloud.demo.variables["OS_AUTH_URL"].startswith("https://127.0.0.1:")

    token = tls_cloud.openstack("--os-cacert", ca, "token", "issue")
    servers = tls_cloud.openstack("--os-cacert", ca, "server", "list")
    catalog = tls_cloud.openstack("--os-cacert", ca, "catalog", "list")

    assert token["id"] and servers == []
    urls = [e["url"] for entry in catalog for e in entry["Endpoints"]]
    assert urls and all(url.startswith(tls_cloud.url) for url in urls)


def test_without_the_ca_the_client_refuses_and_plain_http_gets_nothing(tls_cloud):
    refused = tls_cloud.openstack_text("token", "issue", check=False)
    assert refused.returncode != 0
    assert "certificate" in (refused.stdout + refused.stderr).lower()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{tls_cloud.port}/identity/v3", timeout=5)


def _holds_secret(path: Path, secrets: list[bytes]) -> bool:
    data = path.read_bytes()
    return any(secret in data for secret in secrets)


def test_data_dir_keeps_secrets_to_its_owner(cloud):
    passwords = [cloud.credentials(a).variables["OS_PASSWORD"].encode()
                 for a in ("admin", "demo")]
    cloud.openstack("token", "issue")  # a token digest and WAL traffic in the store
    secrets = [*passwords, b"$argon2id$"]

    assert stat.S_IMODE(cloud.data_dir.stat().st_mode) == 0o700
    holding = [path for path in cloud.data_dir.rglob("*")
               if path.is_file() and _holds_secret(path, secrets)]
    names = {path.name for path in holding}
    assert {"openrc.admin", "openrc.demo", "clouds.yaml", "admin-password"} <= names
    assert names & {"pocketstack.db", "pocketstack.db-wal"}
    loose = {str(path): oct(stat.S_IMODE(path.stat().st_mode)) for path in holding
             if stat.S_IMODE(path.stat().st_mode) & 0o077}
    assert loose == {}
    database = cloud.data_dir / "pocketstack.db"
    for path in (database, *database.parent.glob("pocketstack.db-*")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
