"""/v2.0/security-group-rules"""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.network import listing, views
from pocketstack.api.network.resource import Strict, one
from pocketstack.db.models.network import SecurityGroupRule
from pocketstack.services.network import common
from pocketstack.services.network import security_group_rules as service

router = APIRouter(prefix="/v2.0/security-group-rules")


class RuleCreate(Strict):
    security_group_id: str
    direction: Literal["ingress", "egress"]
    ethertype: Literal["IPv4", "IPv6"] = "IPv4"
    protocol: str | int | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    remote_address_group_id: None = None
    description: str = ""
    project_id: str = ""
    tenant_id: str = ""

    def given(self) -> dict:
        fields = super().given()
        fields.pop("remote_address_group_id", None)
        if fields.get("protocol") is not None:
            fields["protocol"] = str(fields["protocol"])
        return fields


class CreateBody(Strict):
    security_group_rule: RuleCreate


@router.get("")
def list_rules(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = views.rules(service.list_rules(session, who))
    return listing.respond(request, "security_group_rules", items)


@router.post("", status_code=201)
def create_rule(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_rule(session, who, body.security_group_rule.given())
        item = views.rules([row])[0]
    cloud.wake_agent()
    return {"security_group_rule": item}


@router.get("/{rule_id}")
def show_rule(request: Request, cloud: CloudDep, who: Caller, rule_id: str):
    with cloud.db.session() as session:
        item = views.rules([common.visible(session, who, SecurityGroupRule, rule_id)])[0]
    return one(request, "security_group_rule", item)


@router.delete("/{rule_id}", status_code=204)
def delete_rule(cloud: CloudDep, who: Caller, rule_id: str):
    with cloud.db.session() as session:
        service.delete_rule(session, who, rule_id)
    cloud.wake_agent()
    return Response(status_code=204)
