"""Keystone's JSON shapes for identity rows."""

from __future__ import annotations

from datetime import datetime

from pocketstack.db.models.identity import Domain, Project, Role, User


def keystone_time(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


def domain_ref(domain: Domain) -> dict:
    return {"id": domain.id, "name": domain.name}


def role_ref(role: Role) -> dict:
    return {"id": role.id, "name": role.name}


def user_ref(user: User, domain: Domain) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "domain": domain_ref(domain),
        "password_expires_at": None,
    }


def project_ref(project: Project, domain: Domain) -> dict:
    return {"id": project.id, "name": project.name, "domain": domain_ref(domain)}
