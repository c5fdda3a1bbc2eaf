"""Request bodies of Keystone's resources.

Domains, projects, users and roles are open attribute bags in Keystone: unknown attributes
are stored and returned. Types are strict (``"enabled": "yes"`` is a 400), and an update
must change something and may not null a required attribute.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

Name64 = Annotated[str, Field(min_length=1, max_length=64)]
Name255 = Annotated[str, Field(min_length=1, max_length=255)]
Id = Annotated[str, Field(min_length=1, max_length=64)]
# Projects and domains always have a description: null stores "".
Description = Annotated[str | None, AfterValidator(lambda value: value or "")]


class Attributes(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    NOT_NULL: ClassVar[tuple[str, ...]] = ()

    def values(self) -> dict:
        """The attributes the caller sent, unknown ones included."""
        return self.model_dump(exclude_unset=True)


class Patch(Attributes):
    NOT_NULL = ("name", "enabled")

    @model_validator(mode="after")
    def _meaningful(self):
        if not self.model_fields_set and not self.model_extra:
            raise ValueError("an update needs at least one attribute")
        for name in self.NOT_NULL:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self


class DomainCreate(Attributes):
    name: Name64
    description: Description = ""
    enabled: StrictBool = True


class DomainUpdate(Patch):
    name: Name64 | None = None
    description: Description = None
    enabled: StrictBool | None = None


class ProjectCreate(Attributes):
    name: Name64
    description: Description = ""
    enabled: StrictBool = True
    domain_id: Id | None = None
    parent_id: Id | None = None
    is_domain: StrictBool = False
    tags: list[Annotated[str, Field(min_length=1, max_length=255)]] = []


class ProjectUpdate(Patch):
    name: Name64 | None = None
    description: Description = None
    enabled: StrictBool | None = None
    domain_id: Id | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=255)]] | None = None


class UserCreate(Attributes):
    name: Name255
    password: str | None = None
    domain_id: Id | None = None
    default_project_id: Id | None = None
    email: str | None = None
    description: str | None = None
    enabled: StrictBool = True


class UserUpdate(Patch):
    name: Name255 | None = None
    password: str | None = None
    domain_id: Id | None = None
    default_project_id: Id | None = None
    email: str | None = None
    description: str | None = None
    enabled: StrictBool | None = None


class RoleCreate(Attributes):
    name: Name255
    description: str | None = None
    domain_id: Id | None = None


class RoleUpdate(Patch):
    NOT_NULL = ("name",)
    name: Name255 | None = None
    description: str | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    original_password: str
    password: str


class RoleRef(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: Id | None = None
    name: Name255 | None = None
    domain_id: Id | None = None

    @model_validator(mode="after")
    def _named(self):
        if not (self.id or self.name):
            raise ValueError("a role needs an id or a name")
        return self


class ApplicationCredentialCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: Name255
    description: str | None = None
    secret: Annotated[str, Field(min_length=1)] | None = None
    expires_at: str | None = None
    roles: list[RoleRef] | None = None
    unrestricted: StrictBool | None = None
    access_rules: Annotated[list[dict], Field(max_length=0)] | None = None

    def values(self) -> dict:
        values = self.model_dump(exclude_unset=True, exclude={"access_rules"})
        if self.roles is not None:
            values["roles"] = [role.model_dump(exclude_none=True) for role in self.roles]
        return values
