"""Who is calling: the identity a validated token carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pocketstack.errors import Forbidden


@dataclass(frozen=True)
class RequestContext:
    user_id: str
    user_name: str
    domain_id: str
    project_id: str | None
    project_name: str | None
    roles: frozenset[str] = field(default_factory=frozenset)
    expires_at: datetime | None = None
    token_digest: str = ""
    request_id: str = ""  # the request this context acts for, when the API stamped it

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def can_write(self) -> bool:
        return bool(self.roles & {"admin", "member"})

    def require_project(self) -> str:
        if not self.project_id:
            raise Forbidden("This action needs a project-scoped token.")
        return self.project_id

    def require_writer(self) -> None:
        if not self.can_write:
            raise Forbidden("Policy does not allow this action: it needs the member role.")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Policy does not allow this action: it needs the admin role.")

    def owns(self, project_id: str | None) -> bool:
        return self.is_admin or project_id == self.project_id

    def owner_of_new(self, fields: dict, what: str) -> str:
        """The project a new ``what`` belongs to: the caller's, or (admin only) the
        ``project_id`` or ``tenant_id`` asked in ``fields``; both are taken out of them."""
        self.require_writer()
        asked = fields.pop("project_id", None) or fields.pop("tenant_id", None)
        fields.pop("tenant_id", None)
        if asked and asked != self.project_id and not self.is_admin:
            raise Forbidden(f"Policy does not allow creating {what} in another project.")
        return asked or self.require_project()
