"""What a group's metric may point at, and who a group acts as: http_regex URLs only at
the project's floating IPs (checked at write and at every read), the groups quota, key
pairs of the group's creator, and a non-finite metric is no decision."""

from __future__ import annotations

import pytest

from pocketstack.agent import metrics
from pocketstack.agent.metrics import MetricReaders
from pocketstack.agent.scaling import ScalingReconciler
from pocketstack.db.models.autoscaling import ScalingGroup
from pocketstack.db.models.loadbalancer import LoadBalancer
from pocketstack.db.models.network import FloatingIp
from pocketstack.services import quota
from tests.unit.autoscaling.conftest import A, create, error, ok
from tests.unit.autoscaling.fakes import FakeMembers, FakeMetrics

N = "/network/v2.0"
REGEX = r"(\d+) requests"


def public_id(api) -> str:
    found = ok(api.get(f"{N}/networks", params={"name": "public"}))["networks"]
    return found[0]["id"]


def floating_ip(api) -> dict:
    body = {"floatingip": {"floating_network_id": public_id(api)}}
    return ok(api.post(f"{N}/floatingips", json=body), 201)["floatingip"]


def http_metric(url: str) -> dict:
    return {"type": "http_regex", "target": 5, "url": url, "regex": REGEX}


@pytest.fixture
def addresses(demo, admin) -> dict[str, str]:
    """A floating IP of demo's project ("ours") and one of the admin project ("theirs")."""
    return {"ours": floating_ip(demo)["floating_ip_address"],
            "theirs": floating_ip(admin)["floating_ip_address"]}


@pytest.mark.parametrize(("url", "words"), [
    ("http://{ours}/server-status?auto", None),
    ("http://{ours}:8080/status", None),
    ("http://{theirs}/server-status", "is not a floating IP of the group's project"),
    ("http://172.24.4.250/", "is not a floating IP of the group's project"),
    ("http://127.0.0.1:5000/v3", "not an address the cloud reads metrics from"),
    ("http://169.254.169.254/latest/meta-data/", "not an address the cloud reads"),
    ("http://[::1]/", "not an address the cloud reads"),
    ("http://0.0.0.0/", "not an address the cloud reads"),
    ("http://localhost/", "must be an IP address"),
    ("http://metadata.google.internal/", "must be an IP address"),
    ("https://{ours}/", "http://"),
    ("ftp://{ours}/", "http://"),
    ("file:///etc/passwd", "http://"),
    ("http://user:pw@{ours}/", "user or password"),
    ("http://{ours}/a b", "http://"),
    ("http://{ours}:99999/", "http://"),
])
def test_http_regex_urls_must_be_the_projects_floating_ips(demo, addresses, url, words):
    metric = http_metric(url.format(**addresses))
    if words is None:
        assert create(demo, metric=metric)["metric"]["url"] == metric["url"]
    else:
        assert words in error(create(demo, status=400, metric=metric), 400)


def test_an_update_is_checked_as_a_create(demo, addresses):
    group = create(demo)
    put = {"group": {"metric": http_metric(f"http://{addresses['theirs']}/")}}
    assert "is not a floating IP" in error(demo.put(f"{A}/groups/{group['id']}", json=put), 400)
    put = {"group": {"metric": http_metric(f"http://{addresses['ours']}/")}}
    assert ok(demo.put(f"{A}/groups/{group['id']}", json=put))["group"]["metric"]["url"]


def test_the_floating_ip_of_the_groups_load_balancer_is_allowed(demo, admin, deployment,
                                                                monkeypatch):
    members = FakeMembers().install(monkeypatch)  # pool-1 is served by lb-of-pool-1
    theirs = floating_ip(admin)
    project_id = deployment.accounts["demo"].project_id
    with deployment.cloud.db.session() as session:
        session.add(LoadBalancer(id="lb-of-pool-1", project_id=project_id, vip_port_id="vip"))
        session.get(FloatingIp, theirs["id"]).port_id = "vip"
    metric = http_metric(f"http://{theirs['floating_ip_address']}/")
    pool = {"pool_id": "pool-1", "protocol_port": 80}
    assert create(demo, min_size=0, metric=metric, load_balancer=pool)["metric"]
    members.pools.add("pool-2")  # another pool, another load balancer: not its VIP
    other = {"pool_id": "pool-2", "protocol_port": 80}
    message = error(create(demo, "other", status=400, min_size=0, metric=metric,
                           load_balancer=other), 400)
    assert "is not a floating IP" in message


class Reaches:
    """A network driver whose host reaches floating IPs through bridge ``br-<network>``."""

    def floating_ip_device(self, network_id: str) -> str:
        return f"br-{network_id[:8]}"


def test_ownership_is_checked_again_before_every_read(demo, deployment, monkeypatch):
    deployment.agent.stop()
    fip = floating_ip(demo)
    group = create(demo, min_size=0, metric=http_metric(f"http://{fip['floating_ip_address']}/"))
    fetched = []
    monkeypatch.setattr(metrics, "read_http_regex",
                        lambda *args, **kwargs: fetched.append(kwargs["device"]) or 3.0)
    scaling = ScalingReconciler(deployment.cloud, MetricReaders(deployment.cloud), period=0,
                                network_driver=Reaches())
    assert scaling._source(group["id"]).refused is None
    scaling.reconcile(group["id"])
    assert fetched == [f"br-{fip['floating_network_id'][:8]}"]  # only by the public bridge
    assert ok(demo.delete(f"{N}/floatingips/{fip['id']}"), 204) is None
    source = scaling._source(group["id"])
    assert "is not a floating IP" in source.refused
    scaling.reconcile(group["id"])
    assert len(fetched) == 1  # no GET once the address is no longer the project's
    events = ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
    assert any(e["action"] == "error" and "is not a floating IP" in e["reason"]
               for e in events)
    assert ok(demo.get(f"{A}/groups/{group['id']}"))["group"]["status"] != "ERROR"


def test_a_driver_that_does_not_reach_floating_ips_reads_nothing(demo, deployment,
                                                                monkeypatch):
    deployment.agent.stop()
    fip = floating_ip(demo)
    group = create(demo, min_size=0, metric=http_metric(f"http://{fip['floating_ip_address']}/"))
    fetched = []
    monkeypatch.setattr(metrics, "read_http_regex", lambda *args, **kw: fetched.append(1) or 1.0)
    scaling = ScalingReconciler(deployment.cloud, MetricReaders(deployment.cloud), period=0,
                                network_driver=object())  # e.g. the fake driver
    scaling.reconcile(group["id"])
    assert fetched == []
    events = ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
    assert any("does not reach floating IPs" in e["reason"] for e in events)


@pytest.mark.parametrize(("regex", "words"), [
    ("(a{1000}){1000}(\\d+)", "repeats too much"),
    ("(\\d+){e<=1}", "repeat count"),
    ("(\\p{N}+)", "does not compile"),
    ("(\\d+)" + "x" * 300, "longer than 256"),
])
def test_regexes_the_cloud_will_not_run(demo, addresses, regex, words):
    metric = {**http_metric(f"http://{addresses['ours']}/"), "regex": regex}
    assert words in error(create(demo, status=400, metric=metric), 400)


def test_a_project_has_at_most_ten_groups_by_default(demo, deployment):
    made = [create(demo, f"g{index}", min_size=0) for index in range(10)]
    assert "scaling_groups" in error(create(demo, "g10", status=403, min_size=0), 403)
    ok(demo.delete(f"{A}/groups/{made[0]['id']}"), 204)  # a group being deleted is not counted
    create(demo, "g10", min_size=0)
    project_id = deployment.accounts["demo"].project_id
    with deployment.cloud.db.session() as session:
        quota.set_limits(session, project_id, {"scaling_groups": 12})
    create(demo, "g11", min_size=0)


@pytest.fixture
def bob(client, deployment):
    """A second member of the demo project."""
    from pocketstack.db.models.identity import Project, Role, RoleAssignment, User
    from pocketstack.services.identity.passwords import hash_password
    from tests.conftest import Api, issue_token

    with deployment.cloud.db.session() as session:
        project = session.query(Project).filter_by(name="demo").one()
        user = User(name="bob", domain_id="default", password_hash=hash_password("pw"))
        session.add(user)
        session.flush()
        role = session.query(Role).filter_by(name="member").one()
        session.add(RoleAssignment(user_id=user.id, project_id=project.id, role_id=role.id))
    return Api(client, issue_token(client, "bob", "pw", "demo"))


def keypair(api, name: str) -> None:
    ok(api.post("/compute/v2.1/os-keypairs", json={"keypair": {"name": name}}))


def test_template_keys_are_the_creators_whoever_updates(demo, bob, image_id):
    keypair(demo, "alice-key")
    keypair(bob, "bob-key")
    group = create(demo, min_size=0)
    server = {"image_id": image_id, "flavor_id": "1"}
    path = f"{A}/groups/{group['id']}"
    message = error(bob.put(path, json={"group": {"server": {**server, "key_name": "bob-key"}}}),
                    400)
    assert "key_name" in message and "creator" in message
    changed = ok(bob.put(path, json={"group": {"server": {**server, "key_name": "alice-key"}}}))
    assert changed["group"]["server"]["key_name"] == "alice-key"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_metric_that_is_not_finite_is_no_decision(demo, deployment, value):
    deployment.agent.stop()
    group = create(demo, metric={"type": "cpu", "target": 10})
    scaling = ScalingReconciler(deployment.cloud, FakeMetrics(value), period=0)
    scaling.reconcile(group["id"])
    with deployment.cloud.db.session() as session:
        row = session.get(ScalingGroup, group["id"])
        assert row.status != "ERROR" and row.desired_size == 1 and row.last_metric is None
    events = ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
    assert any("metric unavailable" in e["reason"] and "not a finite number" in e["reason"]
               for e in events)
