"""Two transactions interleaved on one load balancer: SQLite starts a transaction at its
first write, so a check made on what was read before must be repeated in the write itself."""

from contextlib import ExitStack

import pytest

from pocketstack.db.models.loadbalancer import LoadBalancer, Member
from pocketstack.errors import Conflict
from pocketstack.services.loadbalancer import common, host_state, members
from tests.unit.loadbalancer.test_members_contract import context


def _open(stack: ExitStack, deployment):
    return stack.enter_context(deployment.cloud.db.session())


def _status(deployment, model, key: str) -> tuple[str, int | None]:
    with deployment.cloud.db.session() as session:
        row = session.get(model, key)
        return row.provisioning_status, getattr(row, "generation", None)


@pytest.mark.parametrize("queue", [False, True])
def test_two_changes_read_as_settled_do_not_both_pass(deployment, stack, paused, queue):
    lb_id = stack["lb"]["id"]
    generation = _status(deployment, LoadBalancer, lb_id)[1]
    with ExitStack() as first_stack, ExitStack() as second_stack:
        first, second = _open(first_stack, deployment), _open(second_stack, deployment)
        mine, theirs = first.get(LoadBalancer, lb_id), second.get(LoadBalancer, lb_id)
        assert mine.provisioning_status == theirs.provisioning_status == "ACTIVE"
        common.begin_change(mine)
        first_stack.close()  # committed: PENDING_UPDATE
        if queue:
            common.begin_change(theirs, queue=True)  # joins the pending change
            assert theirs.generation == generation + 2
        else:
            with pytest.raises(Conflict):
                common.begin_change(theirs)
    assert _status(deployment, LoadBalancer, lb_id) == (
        "PENDING_UPDATE", generation + (2 if queue else 1))


def test_a_stale_apply_does_not_activate_a_newer_change(deployment, stack, paused):
    lb_id, pool_id = stack["lb"]["id"], stack["pool"]["id"]
    generation = _status(deployment, LoadBalancer, lb_id)[1]
    with ExitStack() as agent_stack:
        agent = _open(agent_stack, deployment)
        seen = agent.get(LoadBalancer, lb_id)  # read (kept), not written yet
        assert seen.generation == generation
        with deployment.cloud.db.session() as api:  # a member comes in meanwhile
            made = members.create_member(api, context(stack["pool"]["project_id"]), pool_id,
                                         address="10.1.0.40", protocol_port=8000, queue=False)
        assert not host_state.finish_apply(agent, lb_id, generation, None)
    assert _status(deployment, LoadBalancer, lb_id) == ("PENDING_UPDATE", generation + 1)
    assert _status(deployment, Member, made["id"])[0] == "PENDING_CREATE"
    paused()  # the reconciler runs again and applies it
    assert _status(deployment, Member, made["id"])[0] == "ACTIVE"
    assert _status(deployment, LoadBalancer, lb_id)[0] == "ACTIVE"
