"""Availability zones, and the host views the clients touch: hypervisors, services,
extensions."""

import socket

COMPUTE = "/compute/v2.1"


def mv(version: str) -> dict:
    return {"OpenStack-API-Version": f"compute {version}"}


def test_zone_list_for_everyone(demo):
    response = demo.get(f"{COMPUTE}/os-availability-zone")
    assert response.status_code == 200
    assert response.json() == {"availabilityZoneInfo": [
        {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]}


def test_zone_detail_for_admins_names_the_host(admin, demo):
    assert demo.get(f"{COMPUTE}/os-availability-zone/detail").status_code == 403
    zones = admin.get(f"{COMPUTE}/os-availability-zone/detail").json()["availabilityZoneInfo"]
    by_name = {zone["zoneName"]: zone for zone in zones}
    assert set(by_name) == {"internal", "nova"}
    host = socket.gethostname()
    compute = by_name["nova"]["hosts"][host]["nova-compute"]
    assert compute["available"] is True and compute["active"] is True
    assert set(by_name["internal"]["hosts"][host]) == {"nova-scheduler", "nova-conductor"}


def test_zones_need_a_token(client):
    assert client.get(f"{COMPUTE}/os-availability-zone").status_code == 401


def test_hypervisors(admin, demo):
    assert demo.get(f"{COMPUTE}/os-hypervisors").status_code == 403
    (brief,) = admin.get(f"{COMPUTE}/os-hypervisors").json()["hypervisors"]
    assert brief == {"id": 1, "hypervisor_hostname": socket.gethostname(), "state": "up",
                     "status": "enabled"}
    (detail,) = admin.get(f"{COMPUTE}/os-hypervisors/detail",
                          headers=mv("2.53")).json()["hypervisors"]
    assert len(detail["id"]) == 36 and detail["vcpus"] >= 1 and detail["running_vms"] == 0
    assert detail["service"]["host"] == socket.gethostname()
    assert isinstance(detail["cpu_info"], dict)
    shown = admin.get(f"{COMPUTE}/os-hypervisors/{detail['id']}", headers=mv("2.53"))
    assert shown.json()["hypervisor"]["id"] == detail["id"]
    assert admin.get(f"{COMPUTE}/os-hypervisors/999").status_code == 404
    stats = admin.get(f"{COMPUTE}/os-hypervisors/statistics").json()["hypervisor_statistics"]
    assert stats["count"] == 1


def test_hypervisor_paging_ends_with_an_empty_page(admin):
    first = admin.get(f"{COMPUTE}/os-hypervisors", headers=mv("2.53")).json()["hypervisors"]
    marker = first[0]["id"]
    after = admin.get(f"{COMPUTE}/os-hypervisors?marker={marker}", headers=mv("2.53"))
    assert after.json()["hypervisors"] == []


def test_compute_services(admin, demo):
    assert demo.get(f"{COMPUTE}/os-services").status_code == 403
    services = admin.get(f"{COMPUTE}/os-services", headers=mv("2.11")).json()["services"]
    assert {s["binary"] for s in services} == {"nova-scheduler", "nova-conductor",
                                               "nova-compute"}
    assert all(s["state"] == "up" and s["forced_down"] is False for s in services)
    compute = admin.get(f"{COMPUTE}/os-services?binary=nova-compute").json()["services"]
    assert [s["zone"] for s in compute] == ["nova"] and "forced_down" not in compute[0]


def test_extensions_are_empty(demo):
    assert demo.get(f"{COMPUTE}/extensions").json() == {"extensions": []}
    assert demo.get(f"{COMPUTE}/extensions/os-keypairs").status_code == 404


def test_hypervisor_uptime_and_aggregates(admin, demo):
    (hypervisor,) = admin.get(f"{COMPUTE}/os-hypervisors").json()["hypervisors"]
    uptime = admin.get(f"{COMPUTE}/os-hypervisors/{hypervisor['id']}/uptime").json()
    assert " up " in uptime["hypervisor"]["uptime"]
    assert "load average:" in uptime["hypervisor"]["uptime"]
    assert admin.get(f"{COMPUTE}/os-aggregates").json() == {"aggregates": []}
    assert demo.get(f"{COMPUTE}/os-aggregates").status_code == 403
