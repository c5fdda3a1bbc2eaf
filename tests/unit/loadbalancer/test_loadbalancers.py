"""Load balancers through the API with the fake drivers: shapes, statuses, VIP ports,
tenancy, immutability while pending, cascade delete and errors."""

from tests.unit.loadbalancer.conftest import L, N, driver, fault, make, ok, settle, show
from tests.unit.network.conftest import public_id

LB_KEYS = {"id", "name", "description", "project_id", "admin_state_up", "provisioning_status",
           "operating_status", "created_at", "updated_at", "tags", "vip_address", "vip_port_id",
           "vip_subnet_id", "vip_network_id", "vip_qos_policy_id", "provider", "flavor_id",
           "availability_zone", "listeners", "pools", "additional_vips"}


def test_versions_are_discoverable(client):
    versions = ok(client.get("/load-balancer/"))["versions"]
    assert {v["status"] for v in versions} == {"SUPPORTED", "CURRENT"}
    assert all(v["links"][0]["href"].endswith("/load-balancer/v2") for v in versions)


def test_catalog_lists_the_load_balancer_service(client, deployment):
    account = deployment.accounts["demo"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo", "domain": {"id": "default"}, "password": account.password}}},
        "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}
    catalog = ok(client.post("/identity/v3/auth/tokens", json=body), 201)["token"]["catalog"]
    entry = next(e for e in catalog if e["type"] == "load-balancer")
    assert entry["name"] == "octavia"
    assert entry["endpoints"][0]["url"].endswith("/load-balancer")


def test_create_makes_a_vip_port_and_goes_active(demo, deployment, subnet):
    made = make(demo, "loadbalancers", "loadbalancer", name="lb1",
                vip_subnet_id=subnet["id"])
    assert LB_KEYS <= set(made)
    assert made["provisioning_status"] == "PENDING_CREATE"
    assert made["operating_status"] == "OFFLINE"
    assert made["provider"] == "haproxy" and made["vip_subnet_id"] == subnet["id"]
    port = ok(demo.get(f"{N}/ports/{made['vip_port_id']}"))["port"]
    assert port["device_owner"] == "Octavia" and port["device_id"] == made["id"]
    assert port["name"] == f"octavia-lb-{made['id']}"
    assert port["fixed_ips"][0]["ip_address"] == made["vip_address"]
    settle(deployment)
    shown = show(demo, "loadbalancers", "loadbalancer", made["id"])
    assert (shown["provisioning_status"], shown["operating_status"]) == ("ACTIVE", "ONLINE")
    spec = driver(deployment).loadbalancers[made["id"]]
    assert (spec.vip_address, spec.prefix_length, spec.gateway) == (
        made["vip_address"], 24, "10.1.0.1")
    assert spec.mac_address == port["mac_address"]


def test_vip_by_network_and_address(demo, deployment, subnet):
    made = make(demo, "loadbalancers", "loadbalancer", vip_network_id=subnet["network_id"],
                vip_address="10.1.0.50")
    assert (made["vip_address"], made["vip_subnet_id"]) == ("10.1.0.50", subnet["id"])
    again = demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "vip_subnet_id": subnet["id"], "vip_address": "10.1.0.50"}})
    assert again.status_code == 409


def test_bad_requests_are_refused_in_octavia_shape(demo, subnet):
    assert "vip_subnet_id" in fault(demo.post(f"{L}/loadbalancers", json={
        "loadbalancer": {"name": "x"}}), 400)
    fault(demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "vip_subnet_id": subnet["id"], "colour": "red"}}), 400)
    assert "not enabled" in fault(demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "vip_subnet_id": subnet["id"], "provider": "amphora"}}), 400)
    fault(demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "vip_subnet_id": "no-such-subnet"}}), 400)
    fault(demo.post(f"{L}/loadbalancers", data="{not json",
                    headers={"Content-Type": "application/json"}), 400)
    assert "not found" in fault(demo.get(f"{L}/loadbalancers/nope"), 404)


def test_providers(demo):
    providers = ok(demo.get(f"{L}/providers"))["providers"]
    assert [p["name"] for p in providers] == ["haproxy"]


def test_other_projects_see_nothing_and_readers_write_nothing(demo, admin, client, lb,
                                                              deployment):
    other = _project_user(admin, client, "other", "member")
    assert fault(other.get(f"{L}/loadbalancers/{lb['id']}"), 404)
    assert ok(other.get(f"{L}/loadbalancers"))["loadbalancers"] == []
    assert other.delete(f"{L}/loadbalancers/{lb['id']}").status_code == 404
    subnet_id = lb["vip_subnet_id"]
    fault(other.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "vip_subnet_id": subnet_id}}), 400)
    assert lb["id"] in [x["id"] for x in ok(admin.get(f"{L}/loadbalancers"))["loadbalancers"]]
    reader = _project_user(admin, client, "demo", "reader")
    assert ok(reader.get(f"{L}/loadbalancers/{lb['id']}"))["loadbalancer"]["id"] == lb["id"]
    fault(reader.put(f"{L}/loadbalancers/{lb['id']}", json={"loadbalancer": {"name": "x"}}),
          403)
    fault(reader.post(f"{L}/listeners", json={"listener": {
        "loadbalancer_id": lb["id"], "protocol": "TCP", "protocol_port": 22}}), 403)


def _project_user(admin, client, project: str, role: str):
    from tests.conftest import Api, issue_token

    projects = ok(admin.get("/identity/v3/projects", params={"name": project}))["projects"]
    project_id = projects[0]["id"] if projects else make_project(admin, project)
    name = f"{project}-{role}"
    user = ok(admin.post("/identity/v3/users", json={"user": {
        "name": name, "password": "secret-pass-1", "default_project_id": project_id}}),
        201)["user"]
    roles = ok(admin.get("/identity/v3/roles", params={"name": role}))["roles"]
    ok(admin.put(f"/identity/v3/projects/{project_id}/users/{user['id']}/roles/"
                 f"{roles[0]['id']}"), 204)
    return Api(client, issue_token(client, name, "secret-pass-1", project))


def make_project(admin, name: str) -> str:
    return ok(admin.post("/identity/v3/projects", json={"project": {"name": name}}),
              201)["project"]["id"]


def test_pending_load_balancer_is_immutable(demo, subnet, paused):
    made = make(demo, "loadbalancers", "loadbalancer", vip_subnet_id=subnet["id"])
    text = fault(demo.post(f"{L}/listeners", json={"listener": {
        "loadbalancer_id": made["id"], "protocol": "HTTP", "protocol_port": 80}}), 409)
    assert "immutable" in text
    fault(demo.put(f"{L}/loadbalancers/{made['id']}", json={"loadbalancer": {"name": "x"}}),
          409)
    fault(demo.delete(f"{L}/loadbalancers/{made['id']}"), 409)


def test_update_goes_pending_then_active(demo, deployment, lb, paused):
    body = ok(demo.put(f"{L}/loadbalancers/{lb['id']}", json={"loadbalancer": {
        "name": "renamed", "admin_state_up": False}}))["loadbalancer"]
    assert (body["name"], body["provisioning_status"]) == ("renamed", "PENDING_UPDATE")
    paused()
    shown = show(demo, "loadbalancers", "loadbalancer", lb["id"])
    assert (shown["provisioning_status"], shown["operating_status"]) == ("ACTIVE", "OFFLINE")
    assert driver(deployment).loadbalancers[lb["id"]].admin_state_up is False


def test_delete_needs_cascade_when_it_has_children(demo, deployment, stack, paused):
    lb = stack["lb"]
    assert "children" in fault(demo.delete(f"{L}/loadbalancers/{lb['id']}"), 400)
    assert demo.delete(f"{L}/loadbalancers/{lb['id']}?cascade=true").status_code == 204
    shown = show(demo, "loadbalancers", "loadbalancer", lb["id"])
    assert shown["provisioning_status"] == "PENDING_DELETE"
    listener = show(demo, "listeners", "listener", stack["listener"]["id"])
    assert listener["provisioning_status"] == "PENDING_DELETE"
    paused()
    assert demo.get(f"{L}/loadbalancers/{lb['id']}").status_code == 404
    for path in (f"listeners/{stack['listener']['id']}", f"pools/{stack['pool']['id']}"):
        assert demo.get(f"{L}/{path}").status_code == 404
    assert lb["id"] not in driver(deployment).loadbalancers
    assert demo.get(f"{N}/ports/{lb['vip_port_id']}").status_code == 404


def test_floating_ip_on_the_vip(demo, deployment, lb):
    router = ok(demo.post(f"{N}/routers", json={"router": {
        "name": "edge", "external_gateway_info": {"network_id": public_id(demo)}}}),
        201)["router"]
    ok(demo.put(f"{N}/routers/{router['id']}/add_router_interface",
                json={"subnet_id": lb["vip_subnet_id"]}))
    fip = ok(demo.post(f"{N}/floatingips", json={"floatingip": {
        "floating_network_id": public_id(demo), "port_id": lb["vip_port_id"]}}),
        201)["floatingip"]
    assert fip["fixed_ip_address"] == lb["vip_address"]
    settle(deployment)
    assert ok(demo.get(f"{N}/floatingips/{fip['id']}"))["floatingip"]["status"] == "ACTIVE"
    ok(demo.delete(f"{L}/loadbalancers/{lb['id']}"), 204)
    settle(deployment)
    assert ok(demo.get(f"{N}/floatingips/{fip['id']}"))["floatingip"]["port_id"] is None


def test_list_filters_fields_and_paging(demo, deployment, subnet):
    ids = [make(demo, "loadbalancers", "loadbalancer", name=f"lb{n}",
                vip_subnet_id=subnet["id"])["id"] for n in range(3)]
    found = ok(demo.get(f"{L}/loadbalancers", params={"name": "lb1"}))["loadbalancers"]
    assert [x["id"] for x in found] == [ids[1]]
    found = ok(demo.get(f"{L}/loadbalancers", params={"id": ids[2]}))["loadbalancers"]
    assert [x["name"] for x in found] == ["lb2"]
    page = ok(demo.get(f"{L}/loadbalancers", params={"limit": 2, "fields": "id"}))
    assert [x["id"] for x in page["loadbalancers"]] == ids[:2]
    assert set(page["loadbalancers"][0]) == {"id"}
    assert page["loadbalancers_links"][0]["rel"] == "next"
    assert ok(demo.get(f"{L}/loadbalancers", params={
        "provisioning_status": "ERROR"}))["loadbalancers"] == []


def test_the_v2_0_prefix_answers_too(demo, lb):
    assert ok(demo.get(f"/load-balancer/v2.0/lbaas/loadbalancers/{lb['id']}"))


def test_driver_failure_is_error_and_can_be_deleted(demo, deployment, subnet):
    driver(deployment).inject_failure("^doomed$")
    made = make(demo, "loadbalancers", "loadbalancer", name="doomed",
                vip_subnet_id=subnet["id"])
    settle(deployment)
    shown = show(demo, "loadbalancers", "loadbalancer", made["id"])
    assert (shown["provisioning_status"], shown["operating_status"]) == ("ERROR", "ERROR")
    ok(demo.delete(f"{L}/loadbalancers/{made['id']}"), 204)
    settle(deployment)
    assert demo.get(f"{L}/loadbalancers/{made['id']}").status_code == 404


def test_stats_and_status_tree(demo, deployment, stack):
    from pocketstack.drivers.loadbalancer.base import LoadBalancerStats

    lb = stack["lb"]
    driver(deployment).set_stats(lb["id"], LoadBalancerStats(
        active_connections=3, total_connections=40, bytes_in=100, bytes_out=2000,
        request_errors=1, request_rate=2.5))
    stats = ok(demo.get(f"{L}/loadbalancers/{lb['id']}/stats"))["stats"]
    assert stats == {"active_connections": 3, "total_connections": 40, "bytes_in": 100,
                     "bytes_out": 2000, "request_errors": 1}
    tree = ok(demo.get(f"{L}/loadbalancers/{lb['id']}/status"))["statuses"]["loadbalancer"]
    assert tree["id"] == lb["id"] and tree["provisioning_status"] == "ACTIVE"
    listener = tree["listeners"][0]
    assert listener["id"] == stack["listener"]["id"]
    members = listener["pools"][0]["members"]
    assert sorted(m["address"] for m in members) == ["10.1.0.11", "10.1.0.12"]
    assert {m["operating_status"] for m in members} == {"NO_MONITOR"}
    other = ok(demo.get(f"{L}/listeners/{stack['listener']['id']}/stats"))["stats"]
    assert other["active_connections"] == 0


def test_quota_limits_load_balancers(admin, demo, subnet):
    project = ok(demo.get(f"{L}/loadbalancers"))  # noqa: F841  (demo can list)
    demo_project = _demo_project(admin)
    defaults = ok(admin.get(f"{L}/quotas/defaults"))["quota"]
    assert defaults["load_balancer"] == -1
    fault(demo.put(f"{L}/quotas/{demo_project}", json={"quota": {"load_balancer": 1}}), 403)
    quota = ok(admin.put(f"{L}/quotas/{demo_project}", json={"quota": {
        "load_balancer": 1}}), 202)["quota"]  # Octavia answers 202
    assert quota["load_balancer"] == 1 and quota["listener"] == -1
    make(demo, "loadbalancers", "loadbalancer", vip_subnet_id=subnet["id"])
    assert "Quota" in fault(demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "vip_subnet_id": subnet["id"]}}), 403)
    listed = ok(admin.get(f"{L}/quotas"))["quotas"]
    assert [q["project_id"] for q in listed] == [demo_project]
    ok(admin.delete(f"{L}/quotas/{demo_project}"), 204)
    assert ok(demo.get(f"{L}/quotas/{demo_project}"))["quota"]["load_balancer"] == -1


def _demo_project(admin) -> str:
    return ok(admin.get("/identity/v3/projects", params={"name": "demo"}))["projects"][0]["id"]


def test_restart_resyncs_the_driver(demo, deployment, lb):
    """A fake driver that lost everything (as after a restart) gets it back on the first
    pass of a new agent."""
    from pocketstack.agent.loadbalancers import loadbalancer_reconcilers
    from pocketstack.agent.loop import Agent

    driver(deployment).destroy(lb["id"])
    fresh = Agent(loadbalancer_reconcilers(deployment.cloud, driver(deployment)))
    fresh.run_once()
    assert lb["id"] in driver(deployment).loadbalancers


def test_openapi_document_and_request_ids(client, demo):
    document = ok(client.get("/load-balancer/v2/openapi.json"))
    assert "/v2/lbaas/loadbalancers" in document["paths"]
    assert "/v2.0/lbaas/loadbalancers" not in document["paths"]
    response = demo.get(f"{L}/loadbalancers")
    assert response.headers["x-openstack-request-id"].startswith("req-")
