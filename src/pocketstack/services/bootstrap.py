"""Everything a first start creates, in one idempotent pass, and the files users source."""

from __future__ import annotations

from pathlib import Path

import yaml

from pocketstack.services.compute.flavors import ensure_default_flavors
from pocketstack.services.identity.bootstrap import Account, bootstrap_identity
from pocketstack.services.image.bootstrap import ensure_default_image
from pocketstack.services.network.bootstrap import ensure_default_networks
from pocketstack.services.runtime import Cloud


def bootstrap(cloud: Cloud) -> dict[str, Account]:
    data_dir = cloud.settings.data_dir
    with cloud.db.session() as session:
        accounts = bootstrap_identity(session, data_dir)
        ensure_default_flavors(session)
    ensure_default_image(cloud, owner_project_id=accounts["admin"].project_id)
    ensure_default_networks(
        cloud,
        admin_project_id=accounts["admin"].project_id,
        demo_project_id=accounts["demo"].project_id,
    )
    cloud.wake_agent()
    return accounts


def _write_private(path: Path, text: str) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


def openrc(cloud: Cloud, account: Account) -> str:
    lines = {
        "OS_AUTH_URL": cloud.settings.url("identity/v3"),
        "OS_IDENTITY_API_VERSION": "3",
        "OS_AUTH_TYPE": "password",
        "OS_USERNAME": account.user_name,
        "OS_PASSWORD": account.password,
        "OS_PROJECT_NAME": account.project_name,
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_REGION_NAME": cloud.settings.region,
        "OS_INTERFACE": "public",
    }
    body = "".join(f"export {key}={value}\n" for key, value in lines.items())
    return "# pocketstack credentials: source this file, then run `openstack server list`\n" + body


def clouds_yaml(cloud: Cloud, accounts: dict[str, Account]) -> str:
    def entry(account: Account) -> dict:
        return {
            "auth": {
                "auth_url": cloud.settings.url("identity/v3"),
                "username": account.user_name,
                "password": account.password,
                "project_name": account.project_name,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": cloud.settings.region,
            "interface": "public",
            "identity_api_version": 3,
        }

    clouds = {"pocketstack-admin": entry(accounts["admin"]), "pocketstack": entry(accounts["demo"])}
    return yaml.safe_dump({"clouds": clouds}, sort_keys=False)


def write_client_files(cloud: Cloud, accounts: dict[str, Account]) -> list[Path]:
    data_dir = cloud.settings.data_dir
    written = []
    for name in ("admin", "demo"):
        path = data_dir / f"openrc.{name}"
        _write_private(path, openrc(cloud, accounts[name]))
        written.append(path)
    path = data_dir / "clouds.yaml"
    _write_private(path, clouds_yaml(cloud, accounts))
    written.append(path)
    return written
