"""What every Neutron resource module shares: strict bodies and single-item rendering."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request

from pocketstack.api.network.listing import select_fields


class Strict(BaseModel):
    """A request object: unknown attributes are refused (400), as Neutron does, and so are
    strings over Neutron's 255 characters (names, descriptions, device IDs...)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_max_length=255)

    def given(self) -> dict:
        """The attributes the client sent, by Python name."""
        return self.model_dump(exclude_unset=True)


def one(request: Request, key: str, item: dict) -> dict:
    return {key: select_fields(item, request.query_params.getlist("fields"))}
