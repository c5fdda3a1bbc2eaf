"""Request bodies of the autoscaling API (shapes only; the service checks meaning)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pocketstack.errors import BadRequest

MetricType = Literal["loadbalancer_connections", "loadbalancer_request_rate", "http_regex",
                     "cpu"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NetworkRef(Strict):
    uuid: str


class SecurityGroupRef(Strict):
    name: str


class ServerTemplate(Strict):
    image_id: str
    flavor_id: str
    networks: list[NetworkRef] | None = None
    security_groups: list[SecurityGroupRef] | None = None
    key_name: str | None = None
    user_data: str | None = Field(default=None, max_length=65535)
    metadata: dict[str, str] = Field(default_factory=dict)


class Metric(Strict):
    type: MetricType
    target: float
    url: str | None = None
    regex: str | None = None


class PoolRef(Strict):
    pool_id: str
    protocol_port: int
    subnet_id: str | None = None


class NewGroup(Strict):
    name: str
    min_size: int
    max_size: int
    server: ServerTemplate
    metric: Metric | None = None
    scale_out_cooldown: float = 5.0
    scale_in_cooldown: float = 30.0
    load_balancer: PoolRef | None = None
    drain_timeout: float = 30.0


class GroupCreate(Strict):
    group: NewGroup


class GroupChanges(Strict):
    name: str | None = None
    min_size: int | None = None
    max_size: int | None = None
    server: ServerTemplate | None = None
    metric: Metric | None = None
    scale_out_cooldown: float | None = None
    scale_in_cooldown: float | None = None
    drain_timeout: float | None = None


class GroupUpdate(Strict):
    group: GroupChanges


class Resize(Strict):
    desired_size: int


def changes_of(body: GroupUpdate) -> dict:
    """The fields the caller sent; ``"metric": null`` is a change (the group loses its
    metric), any other null is refused."""
    sent = body.group.model_dump(exclude_unset=True)
    nulls = [key for key, value in sent.items() if value is None and key != "metric"]
    if nulls:
        raise BadRequest(f"Invalid input for field/attribute {nulls[0]}: it cannot be null.")
    return sent
