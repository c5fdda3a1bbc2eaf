"""/lbaas/pools/{pool_id}/members"""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.loadbalancer import views
from pocketstack.api.network.resource import Strict
from pocketstack.services.loadbalancer import members as service

router = APIRouter(prefix="/lbaas/pools/{pool_id}/members")


class MemberUpdate(Strict):
    name: str | None = None
    weight: int | None = None
    admin_state_up: bool | None = None
    backup: bool | None = None
    tags: list[str] | None = None
    monitor_address: str | None = None
    monitor_port: int | None = None


class MemberCreate(MemberUpdate):
    address: str
    protocol_port: int
    subnet_id: str | None = None
    weight: int = 1
    admin_state_up: bool = True
    backup: bool = False
    project_id: str | None = None
    tenant_id: str | None = None
    request_sriov: bool = False
    tags: list[str] = Field(default_factory=list)


class CreateBody(Strict):
    member: MemberCreate


class UpdateBody(Strict):
    member: MemberUpdate


class BatchBody(Strict):
    members: list[MemberCreate]


BATCH_IGNORED = {"project_id", "tenant_id", "request_sriov"}


@router.get("")
def list_members(request: Request, cloud: CloudDep, who: Caller, pool_id: str):
    with cloud.db.session() as session:
        items = service.list_members(session, who, pool_id)
    return views.page(request, "members", items)


@router.post("", status_code=201)
def create_member(cloud: CloudDep, who: Caller, pool_id: str, body: CreateBody):
    fields = body.member.model_dump(exclude={"project_id", "tenant_id", "request_sriov"})
    with cloud.db.session() as session:
        item = service.create_member(session, who, pool_id, **fields, queue=False)
    cloud.wake_agent()
    return {"member": item}


@router.put("", status_code=202)
def replace_members(cloud: CloudDep, who: Caller, pool_id: str, body: BatchBody,
                    additive_only: bool = False):
    """Octavia's batch update: the pool's members become those given (matched by address
    and port); with ``additive_only`` none is deleted."""
    wanted = [{k: v for k, v in member.given().items() if k not in BATCH_IGNORED}
              for member in body.members]
    with cloud.db.session() as session:
        service.replace_members(session, who, pool_id, wanted, additive_only)
    cloud.wake_agent()
    return Response(status_code=202)


@router.get("/{member_id}")
def show_member(request: Request, cloud: CloudDep, who: Caller, pool_id: str, member_id: str):
    with cloud.db.session() as session:
        item = service.show_member(session, who, pool_id, member_id)
    return views.one(request, "member", item)


@router.put("/{member_id}")
def update_member(cloud: CloudDep, who: Caller, pool_id: str, member_id: str,
                  body: UpdateBody):
    fields = body.member.given()
    with cloud.db.session() as session:
        item = service.update_member(session, who, pool_id, member_id, **fields, queue=False)
    cloud.wake_agent()
    return {"member": item}


@router.delete("/{member_id}", status_code=204)
def delete_member(cloud: CloudDep, who: Caller, pool_id: str, member_id: str):
    with cloud.db.session() as session:
        service.delete_member(session, who, pool_id, member_id, queue=False)
    cloud.wake_agent()
    return Response(status_code=204)
