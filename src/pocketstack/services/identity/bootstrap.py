"""First-start identity: domain Default, projects, users and roles. Idempotent."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.identity import Domain, Project, Role, RoleAssignment, User
from pocketstack.services.identity.passwords import hash_password

DEFAULT_DOMAIN_ID = "default"
ROLES = ("admin", "member", "reader")


@dataclass(frozen=True)
class Account:
    user_name: str
    project_name: str
    password: str
    project_id: str
    user_id: str


def _get_or_add(session: Session, model, lookup: dict, **values):
    row = session.scalar(select(model).filter_by(**lookup))
    if row is None:
        row = model(**lookup, **values)
        session.add(row)
        session.flush()
    return row


def _secret_file(path: Path) -> str:
    """Read the password stored at ``path``, making a new one (mode 0600) the first time."""
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(18)
    path.touch(mode=0o600)
    path.write_text(password + "\n")
    return password


def _grant(session: Session, user: User, project: Project, role_names: tuple[str, ...]) -> None:
    for name in role_names:
        role = session.scalar(select(Role).where(Role.name == name))
        _get_or_add(
            session,
            RoleAssignment,
            {"user_id": user.id, "project_id": project.id, "role_id": role.id, "domain_id": None},
        )


def _account(session, domain, data_dir, user_name, project_name, roles) -> Account:
    password = _secret_file(data_dir / f"{user_name}-password")
    project = _get_or_add(
        session,
        Project,
        {"name": project_name, "domain_id": domain.id},
        description=f"Bootstrap project {project_name}",
    )
    user = session.scalar(select(User).filter_by(name=user_name, domain_id=domain.id))
    if user is None:
        user = User(
            name=user_name,
            domain_id=domain.id,
            password_hash=hash_password(password),
            default_project_id=project.id,
        )
        session.add(user)
        session.flush()
    _grant(session, user, project, roles)
    return Account(user_name, project_name, password, project.id, user.id)


def bootstrap_identity(session: Session, data_dir: Path) -> dict[str, Account]:
    domain = _get_or_add(
        session, Domain, {"id": DEFAULT_DOMAIN_ID}, name="Default", description="The default domain"
    )
    for name in ROLES:
        _get_or_add(session, Role, {"name": name})
    admin = _account(session, domain, data_dir, "admin", "admin", ("admin", "member", "reader"))
    demo = _account(session, domain, data_dir, "demo", "demo", ("member", "reader"))
    return {"admin": admin, "demo": demo}
