"""A load balancer's VIP port belongs to the service: a tenant cannot delete it or move its
address; when it is gone anyway (an admin), the load balancer goes ERROR and can be deleted."""

from pocketstack.db.models.loadbalancer import LoadBalancer
from tests.unit.loadbalancer.conftest import L, N, fault, make, ok, show


def _error_type(response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["NeutronError"]["type"]


def test_a_tenant_cannot_delete_or_readdress_the_vip_port(demo, deployment, lb):
    port_id = lb["vip_port_id"]
    assert _error_type(demo.delete(f"{N}/ports/{port_id}"), 409) == "ServicePortInUse"
    for changes in ({"fixed_ips": [{"subnet_id": lb["vip_subnet_id"],
                                    "ip_address": "10.1.0.99"}]},
                    {"mac_address": "fa:16:3e:00:00:99"}, {"device_owner": ""},
                    {"device_id": ""}):
        assert _error_type(demo.put(f"{N}/ports/{port_id}", json={"port": changes}),
                           409) == "PortInUse"
    port = ok(demo.get(f"{N}/ports/{port_id}"))["port"]
    assert port["fixed_ips"][0]["ip_address"] == lb["vip_address"]
    assert port["device_owner"] == "Octavia" and port["device_id"] == lb["id"]
    renamed = ok(demo.put(f"{N}/ports/{port_id}", json={"port": {"name": "mine"}}))["port"]
    assert renamed["name"] == "mine"


def test_a_pending_load_balancer_whose_vip_is_gone_goes_error_and_can_go(
        demo, admin, deployment, lb, paused):
    make(demo, "listeners", "listener", loadbalancer_id=lb["id"], protocol="TCP",
         protocol_port=22)  # PENDING_UPDATE: the agent is paused
    ok(admin.delete(f"{N}/ports/{lb['vip_port_id']}"), 204)
    paused()
    shown = show(demo, "loadbalancers", "loadbalancer", lb["id"])
    assert shown["provisioning_status"] == "ERROR"
    with deployment.cloud.db.session() as session:
        assert "VIP port" in session.get(LoadBalancer, lb["id"]).fault
    ok(demo.delete(f"{L}/loadbalancers/{lb['id']}?cascade=true"), 204)
    paused()
    fault(demo.get(f"{L}/loadbalancers/{lb['id']}"), 404)
    assert lb["id"] not in deployment.cloud.loadbalancer_driver.loadbalancers


def test_a_load_balancer_stuck_pending_without_its_vip_can_be_deleted(
        demo, admin, deployment, lb, paused):
    make(demo, "listeners", "listener", loadbalancer_id=lb["id"], protocol="TCP",
         protocol_port=22)
    fault(demo.delete(f"{L}/loadbalancers/{lb['id']}?cascade=true"), 409)  # it has its VIP
    ok(admin.delete(f"{N}/ports/{lb['vip_port_id']}"), 204)
    ok(demo.delete(f"{L}/loadbalancers/{lb['id']}?cascade=true"), 204)
    paused()
    fault(demo.get(f"{L}/loadbalancers/{lb['id']}"), 404)
