"""``openrc`` and ``clouds.yaml`` for the caller's own user and project.

No secret is inside: the ``openrc`` asks for the password when it is sourced (as
Horizon's does), and ``clouds.yaml`` leaves ``password`` out (add it, or export
``OS_PASSWORD``). The token only chooses whose names and project go in the file.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import yaml
from fastapi.responses import PlainTextResponse

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.config import Settings
from pocketstack.db.models.identity import Domain, Project, User
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import records

router = APIRouter(prefix="/api")


@dataclass(frozen=True)
class Credentials:
    """Who the files are for: names and ids as the clients want them."""

    user_name: str
    user_domain_name: str
    project_id: str
    project_name: str
    project_domain_name: str


def credentials_of(cloud, context: RequestContext) -> Credentials:
    project_id = context.require_project()
    with cloud.db.session() as session:
        user = records.get(session, User, context.user_id, "user")
        project = records.get(session, Project, project_id, "project")
        return Credentials(
            user_name=user.name,
            user_domain_name=records.get(session, Domain, user.domain_id, "domain").name,
            project_id=project.id,
            project_name=project.name,
            project_domain_name=records.get(session, Domain, project.domain_id, "domain").name,
        )


# Control characters, and what YAML or a shell takes for a line break (NEL, LS, PS).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _comment(text: str) -> str:
    """``text`` fit for one comment line: a line break in a name would end the comment
    and run the rest as a command when the file is sourced (or add YAML)."""
    return _UNPRINTABLE.sub("?", text)


def openrc(settings: Settings, who: Credentials) -> str:
    variables = {
        "OS_AUTH_URL": settings.url("identity/v3"),
        "OS_IDENTITY_API_VERSION": "3",
        "OS_AUTH_TYPE": "password",
        "OS_USERNAME": who.user_name,
        "OS_USER_DOMAIN_NAME": who.user_domain_name,
        "OS_PROJECT_ID": who.project_id,
        "OS_PROJECT_NAME": who.project_name,
        "OS_PROJECT_DOMAIN_NAME": who.project_domain_name,
        "OS_REGION_NAME": settings.region,
        "OS_INTERFACE": "public",
    }
    exports = "".join(f"export {key}={shlex.quote(value)}\n" for key, value in variables.items())
    return (
        "#!/usr/bin/env bash\n"
        f"# pocketstack credentials of user {_comment(who.user_name)} in project "
        f"{_comment(who.project_name)}.\n"
        "# Use: `source <this file>` (it asks for your password), then `openstack server list`.\n"
        "unset OS_TOKEN OS_TENANT_ID OS_TENANT_NAME OS_CLOUD\n"
        f"{exports}"
        'printf "Password for %s in project %s: " "$OS_USERNAME" "$OS_PROJECT_NAME" >&2\n'
        "read -sr OS_PASSWORD_INPUT\n"
        "echo >&2\n"
        'export OS_PASSWORD="$OS_PASSWORD_INPUT"\n'
        "unset OS_PASSWORD_INPUT\n"
    )


def cloud_name(who: Credentials) -> str:
    return f"pocketstack-{who.project_name}"


def clouds_yaml(settings: Settings, who: Credentials) -> str:
    entry = {
        "auth": {
            "auth_url": settings.url("identity/v3"),
            "username": who.user_name,
            "user_domain_name": who.user_domain_name,
            "project_id": who.project_id,
            "project_name": who.project_name,
            "project_domain_name": who.project_domain_name,
        },
        "region_name": settings.region,
        "interface": "public",
        "identity_api_version": 3,
    }
    header = (f"# pocketstack cloud for user {_comment(who.user_name)} in project "
              f"{_comment(who.project_name)}.\n"
              "# No password inside: add `password:` under auth, or export OS_PASSWORD.\n"
              f"# Use: OS_CLOUD={shlex.quote(_comment(cloud_name(who)))} openstack server list\n")
    return header + yaml.safe_dump({"clouds": {cloud_name(who): entry}}, sort_keys=False)


def attachment(text: str, filename: str) -> PlainTextResponse:
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return PlainTextResponse(text, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@router.get("/openrc")
def download_openrc(cloud: CloudDep, context: Caller) -> PlainTextResponse:
    who = credentials_of(cloud, context)
    return attachment(openrc(cloud.settings, who), f"{who.project_name}-openrc.sh")


@router.get("/clouds.yaml")
def download_clouds_yaml(cloud: CloudDep, context: Caller) -> PlainTextResponse:
    who = credentials_of(cloud, context)
    return attachment(clouds_yaml(cloud.settings, who), "clouds.yaml")
