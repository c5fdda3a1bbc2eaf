"""Nova servers: create, list, show, update, delete, and their addresses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute import server_filters, server_requests
from pocketstack.api.compute.instance_actions import Acting
from pocketstack.api.compute.links import collection_links
from pocketstack.api.compute.microversion import Microversion
from pocketstack.api.compute.server_views import ServerView, load_related
from pocketstack.errors import NotFound
from pocketstack.services.compute import server_query, servers
from pocketstack.services.network import for_compute as network

router = APIRouter(prefix="/v2.1/servers")


@router.post("", status_code=202)
def create_server(cloud: CloudDep, context: Acting, version: Microversion,
                  body: Annotated[dict, Body()]) -> JSONResponse:
    request, reservation_only = server_requests.parse_create(body, version, context)
    with cloud.db.session() as session:
        created = servers.create_servers(session, context, request)
        first = created[0]
        view = ServerView(cloud, version, context.is_admin)
        answer = ({"reservation_id": first.reservation_id} if reservation_only
                  else {"server": view.created(first, request.security_groups)})
        location = view.summary(first)["links"][0]["href"]
    cloud.wake_agent()
    return JSONResponse(answer, status_code=202, headers={"Location": location})


def _list(cloud, context, version, request: Request, *, detail: bool) -> dict:
    query = server_filters.parse_list(request.query_params, version, context)
    view = ServerView(cloud, version, context.is_admin)
    with cloud.db.session() as session:
        found = [] if query.nothing else server_query.list_servers(
            session, context, query.filters, marker=query.marker, limit=query.limit,
            sort_key=query.sort_key, descending=query.descending)
        if detail:
            related = load_related(session, found, tags=version.at_least("2.26"), groups=False)
            items = [view.full(server, related) for server in found]
        else:
            items = [view.summary(server) for server in found]
    body: dict = {"servers": items}
    links = collection_links(cloud, request, "servers/detail" if detail else "servers", found,
                             found[-1].id if found else None, query.limit)
    if links:
        body["servers_links"] = links
    return body


@router.get("")
def list_servers(cloud: CloudDep, context: Caller, version: Microversion,
                 request: Request) -> dict:
    return _list(cloud, context, version, request, detail=False)


@router.get("/detail")
def list_servers_detail(cloud: CloudDep, context: Caller, version: Microversion,
                        request: Request) -> dict:
    return _list(cloud, context, version, request, detail=True)


@router.get("/{server_id}")
def show_server(cloud: CloudDep, context: Caller, version: Microversion, server_id: str) -> dict:
    with cloud.db.session() as session:
        server = servers.get_server(session, context, server_id)
        related = load_related(session, [server])
        view = ServerView(cloud, version, context.is_admin)
        return {"server": view.full(server, related, show_server_groups=True)}


@router.put("/{server_id}")
def update_server(cloud: CloudDep, context: Caller, version: Microversion, server_id: str,
                  body: Annotated[dict, Body()]) -> dict:
    changes = server_requests.parse_update(body, version)
    with cloud.db.session() as session:
        server = servers.update_server(session, context, server_id, changes)
        session.flush()
        related = load_related(session, [server])
        return {"server": ServerView(cloud, version, context.is_admin).updated(server, related)}


@router.delete("/{server_id}", status_code=204)
def delete_server(cloud: CloudDep, context: Acting, server_id: str) -> Response:
    with cloud.db.session() as session:
        servers.delete_server(session, context, server_id)
    cloud.wake_agent()
    return Response(status_code=204)


def _addresses(cloud, context, server_id: str) -> dict:
    with cloud.db.session() as session:
        server = servers.get_server(session, context, server_id)
        found = network.server_addresses(session, [server.id]).get(server.id, {})
    return ServerView.addresses(found, extended=False)


@router.get("/{server_id}/ips")
def list_ips(cloud: CloudDep, context: Caller, server_id: str) -> dict:
    return {"addresses": _addresses(cloud, context, server_id)}


@router.get("/{server_id}/ips/{network_label}")
def show_ips(cloud: CloudDep, context: Caller, server_id: str, network_label: str) -> dict:
    addresses = _addresses(cloud, context, server_id)
    if network_label not in addresses:
        raise NotFound("Instance is not a member of specified network")
    return {network_label: addresses[network_label]}


@router.get("/{server_id}/os-security-groups")
def list_server_security_groups(cloud: CloudDep, context: Caller, server_id: str) -> dict:
    with cloud.db.session() as session:
        server = servers.get_server(session, context, server_id)
        names = network.server_security_groups(session, [server.id]).get(server.id, [])
    return {"security_groups": [{"name": name} for name in names]}


@router.get("/{server_id}/os-server-password")
def show_server_password(cloud: CloudDep, context: Caller, server_id: str) -> dict:
    """Instance passwords are never set here (docs/architecture.md), so it is always empty."""
    with cloud.db.session() as session:
        servers.get_server(session, context, server_id)
    return {"password": ""}


@router.delete("/{server_id}/os-server-password", status_code=204)
def clear_server_password(cloud: CloudDep, context: Caller, server_id: str) -> Response:
    with cloud.db.session() as session:
        servers.get_writable(session, context, server_id)
    return Response(status_code=204)
