"""Settings of one deployment, shared by every part of the process."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PREFIX_PATTERN = re.compile(r"^[a-z0-9]{1,6}$")
DEFAULT_DATA_DIR = Path("/var/lib/pocketstack")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8774
    prefix: str = "ps"
    driver: str = "fake"
    region: str = "RegionOne"
    public_cidr: str = "172.24.4.0/24"
    token_ttl_seconds: int = 3600
    # Serve HTTPS with this certificate (PEM, chain included) and key; None = plain HTTP.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    image_size_cap: int = 10 * 1024**3  # bytes of one image's data
    image_storage_quota: int | None = None  # image bytes per project; None = unlimited
    login_failure_limit: int = 5  # failed password logins per user and address in 60 s
    login_lockout_seconds: int = 300  # then refused, without a look at the password
    public_url: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not PREFIX_PATTERN.match(self.prefix):
            raise ValueError("prefix must be 1-6 lowercase letters or digits")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("TLS needs both a certificate and its key")
        if not self.public_url:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
            host = f"[{host}]" if ":" in host else host
            object.__setattr__(self, "public_url", f"{self.scheme}://{host}:{self.port}")

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'pocketstack.db'}"

    @property
    def image_dir(self) -> Path:
        return self.data_dir / "images"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "pocketstack.pid"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "pocketstack.json"

    def url(self, service_path: str) -> str:
        return f"{self.public_url}/{service_path.lstrip('/')}"
