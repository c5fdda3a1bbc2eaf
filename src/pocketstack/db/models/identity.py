"""Keystone's tables: domains, projects, users, roles, assignments, tokens, app credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, HasId, Timestamps


class HasExtra:
    """Attributes Keystone keeps beside its own columns and returns at the top level."""

    extra: Mapped[dict] = mapped_column(default=dict)


class Domain(HasId, Timestamps, HasExtra, Base):
    __tablename__ = "domains"
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Project(HasId, Timestamps, HasExtra, Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)
    name: Mapped[str] = mapped_column(String(64))
    domain_id: Mapped[str] = mapped_column(ForeignKey("domains.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    tags: Mapped[list] = mapped_column(default=list)


class User(HasId, Timestamps, HasExtra, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ForeignKey("domains.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    default_project_id: Mapped[str | None] = mapped_column(String(64), default=None)


class Role(HasId, Timestamps, HasExtra, Base):
    __tablename__ = "roles"
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)


class RoleAssignment(HasId, Base):
    """A role given to a user on a project, or on a domain (project_id NULL)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "project_id", "domain_id", "role_id"),)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[str] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True, default=None
    )
    domain_id: Mapped[str | None] = mapped_column(
        ForeignKey("domains.id", ondelete="CASCADE"), default=None
    )


class Token(Base):
    """An issued token; only its SHA-256 is stored. Deleting the row revokes it."""

    __tablename__ = "tokens"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True, default=None
    )
    domain_id: Mapped[str | None] = mapped_column(String(64), default=None)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    methods: Mapped[list] = mapped_column(default=list)
    audit_id: Mapped[str] = mapped_column(String(32))
    application_credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("application_credentials.id", ondelete="CASCADE"), default=None
    )


class ApplicationCredential(HasId, Timestamps, Base):
    __tablename__ = "application_credentials"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    unrestricted: Mapped[bool] = mapped_column(Boolean, default=False)
    # ids of the roles this credential may use on its project
    roles: Mapped[list] = mapped_column(default=list)
