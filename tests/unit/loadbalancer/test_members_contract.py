"""The member functions the autoscaler calls (scaling contract), without HTTP."""

import pytest

from pocketstack.errors import BadRequest, Forbidden, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.loadbalancer import members
from tests.unit.loadbalancer.conftest import driver


def context(project_id: str, role: str = "member") -> RequestContext:
    return RequestContext(user_id="scaler", user_name="scaler", domain_id="default",
                          project_id=project_id, project_name=None, roles=frozenset({role}))


def test_create_update_list_delete(deployment, stack, paused):
    pool_id, who = stack["pool"]["id"], context(stack["pool"]["project_id"])
    with deployment.cloud.db.session() as session:
        made = members.create_member(session, who, pool_id, address="10.1.0.13",
                                     protocol_port=8000, subnet_id=stack["lb"]["vip_subnet_id"],
                                     name="php-1a2b3c", weight=2)
    assert (made["address"], made["weight"], made["name"]) == ("10.1.0.13", 2, "php-1a2b3c")
    assert made["provisioning_status"] == "PENDING_CREATE"
    with deployment.cloud.db.session() as session:  # queued behind the pending change
        members.create_member(session, who, pool_id, address="10.1.0.14", protocol_port=8000)
    paused()
    spec = driver(deployment).loadbalancers[stack["lb"]["id"]]
    assert {"10.1.0.13", "10.1.0.14"} <= {m.address for m in spec.pools[0].members}
    with deployment.cloud.db.session() as session:
        listed = members.list_members(session, who, pool_id)
        assert {m["provisioning_status"] for m in listed} == {"ACTIVE"}
    with deployment.cloud.db.session() as session:
        drained = members.update_member(session, who, pool_id, made["id"], weight=0)
        assert drained["weight"] == 0
    paused()
    with deployment.cloud.db.session() as session:
        listed = members.list_members(session, who, pool_id)
        assert {m["address"]: m["weight"] for m in listed}["10.1.0.13"] == 0
        members.delete_member(session, who, pool_id, made["id"])
    paused()
    with deployment.cloud.db.session() as session:
        assert made["id"] not in [m["id"] for m in members.list_members(session, who, pool_id)]


def test_errors(deployment, stack):
    pool_id = stack["pool"]["id"]
    with deployment.cloud.db.session() as session:
        with pytest.raises(NotFound):
            members.list_members(session, context("another-project"), pool_id)
        with pytest.raises(Forbidden):
            members.create_member(session, context(stack["pool"]["project_id"], "reader"),
                                  pool_id, address="10.1.0.20", protocol_port=80)
        with pytest.raises(BadRequest):
            members.create_member(session, context(stack["pool"]["project_id"]), pool_id,
                                  address="not-an-ip", protocol_port=80)
        with pytest.raises(NotFound):
            members.delete_member(session, context(stack["pool"]["project_id"]), pool_id,
                                  "no-such-member")


def test_the_api_refuses_while_pending_and_a_deleted_pool_is_gone(
        demo, deployment, stack, paused):
    from tests.unit.loadbalancer.conftest import L, fault, ok

    pool_id, who = stack["pool"]["id"], context(stack["pool"]["project_id"])
    with deployment.cloud.db.session() as session:
        members.create_member(session, who, pool_id, address="10.1.0.15", protocol_port=8000)
    assert "immutable" in fault(demo.post(f"{L}/pools/{pool_id}/members", json={"member": {
        "address": "10.1.0.16", "protocol_port": 8000}}), 409)
    paused()
    ok(demo.delete(f"{L}/loadbalancers/{stack['lb']['id']}?cascade=true"), 204)
    with deployment.cloud.db.session() as session, pytest.raises(NotFound):
        members.create_member(session, who, pool_id, address="10.1.0.17", protocol_port=8000)


def test_a_change_during_an_apply_is_not_reported_applied(deployment, stack, paused):
    """The agent read the spec, then a member came: it must not call that member ACTIVE."""
    from pocketstack.db.models.loadbalancer import LoadBalancer
    from pocketstack.services.loadbalancer import host_state

    lb_id, pool_id = stack["lb"]["id"], stack["pool"]["id"]
    with deployment.cloud.db.session() as session:
        generation = session.get(LoadBalancer, lb_id).generation
        made = members.create_member(session, context(stack["pool"]["project_id"]), pool_id,
                                     address="10.1.0.18", protocol_port=8000)
    with deployment.cloud.db.session() as session:
        assert not host_state.finish_apply(session, lb_id, generation, None)
    paused()
    with deployment.cloud.db.session() as session:
        listed = members.list_members(session, context(stack["pool"]["project_id"]), pool_id)
        assert {m["id"]: m["provisioning_status"] for m in listed}[made["id"]] == "ACTIVE"


def test_loadbalancer_of_pool(deployment, stack):
    pool_id, owner = stack["pool"]["id"], stack["pool"]["project_id"]
    with deployment.cloud.db.session() as session:
        assert members.loadbalancer_of_pool(session, context(owner), pool_id) == stack["lb"]["id"]
        assert members.loadbalancer_of_pool(session, context("another-project"), pool_id) is None
        assert members.loadbalancer_of_pool(session, context(owner), "no-such-pool") is None
