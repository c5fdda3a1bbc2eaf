"""Keystone's JSON shapes for identity rows."""

from __future__ import annotations

from datetime import datetime

from pocketstack.db.models.identity import ApplicationCredential, Domain, Project, Role, User


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


def v3_url(settings, *parts: str) -> str:
    return settings.url("/".join(("identity/v3", *parts)))


def collection(key: str, items: list[dict], self_url: str) -> dict:
    """Keystone's list envelope: ``{key: [...], "links": {self, previous, next}}``."""
    return {key: items, "links": {"self": self_url, "previous": None, "next": None}}


def _with_extra(row, fields: dict) -> dict:
    """Keystone returns extra attributes beside its own; its own always win."""
    return {"options": {}, **(row.extra or {}), **fields}


def domain_view(domain: Domain, settings) -> dict:
    return _with_extra(domain, {
        "id": domain.id,
        "name": domain.name,
        "description": domain.description,
        "enabled": domain.enabled,
        "tags": [],
        "links": {"self": v3_url(settings, "domains", domain.id)},
    })


def project_view(project: Project, settings) -> dict:
    return _with_extra(project, {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "description": project.description,
        "enabled": project.enabled,
        "parent_id": project.domain_id,
        "is_domain": False,
        "tags": list(project.tags or []),
        "links": {"self": v3_url(settings, "projects", project.id)},
    })


def user_view(user: User, settings) -> dict:
    optional = {
        key: getattr(user, key)
        for key in ("email", "description", "default_project_id")
        if getattr(user, key) is not None
    }
    return _with_extra(user, {
        **optional,
        "id": user.id,
        "name": user.name,
        "domain_id": user.domain_id,
        "enabled": user.enabled,
        "password_expires_at": None,
        "links": {"self": v3_url(settings, "users", user.id)},
    })


def role_view(role: Role, settings) -> dict:
    return _with_extra(role, {
        "id": role.id,
        "name": role.name,
        "domain_id": None,
        "description": role.description,
        "links": {"self": v3_url(settings, "roles", role.id)},
    })


def application_credential_view(credential: ApplicationCredential, roles: list[Role],
                                settings) -> dict:
    return {
        "id": credential.id,
        "name": credential.name,
        "description": credential.description,
        "user_id": credential.user_id,
        "project_id": credential.project_id,
        "roles": [{**role_ref(role), "domain_id": None} for role in roles],
        "expires_at": keystone_time(credential.expires_at),
        "unrestricted": credential.unrestricted,
        "system": None,
        "access_rules": [],
        "links": {"self": v3_url(settings, "users", credential.user_id,
                                 "application_credentials", credential.id)},
    }


def catalog_entry_view(entry: dict, collection_name: str, settings) -> dict:
    """A service, endpoint or region of the fixed catalog, with its self link."""
    return {**entry, "links": {"self": v3_url(settings, collection_name, entry["id"])}}
