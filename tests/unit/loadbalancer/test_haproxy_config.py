"""What the haproxy driver writes and reads, without running HAProxy."""

from dataclasses import replace

from pocketstack.drivers.loadbalancer import haproxy_config
from pocketstack.drivers.loadbalancer.base import (
    HealthMonitorSpec,
    ListenerSpec,
    LoadBalancerSpec,
    MemberSpec,
    PoolSpec,
)
from pocketstack.drivers.loadbalancer.haproxy import _stats


def spec(**changes) -> LoadBalancerSpec:
    monitor = HealthMonitorSpec(id="hm", type="HTTP", delay=5, timeout=3, max_retries=2,
                                max_retries_down=4, url_path="/ok", expected_codes="200-202")
    members = (MemberSpec(id="m1", address="10.0.0.11", protocol_port=8000, weight=3),
               MemberSpec(id="m2", address="10.0.0.12", protocol_port=8000,
                          admin_state_up=False))
    base = LoadBalancerSpec(
        id="lb", name="web", vip_port_id="vip", vip_network_id="net", vip_address="10.0.0.5",
        prefix_length=24, mac_address="fa:16:3e:00:00:05", gateway="10.0.0.1",
        listeners=(ListenerSpec(id="l80", protocol="HTTP", protocol_port=80,
                                default_pool_id="p1", connection_limit=100,
                                insert_headers=(("X-Forwarded-For", "true"),)),
                   ListenerSpec(id="l3306", protocol="TCP", protocol_port=3306)),
        pools=(PoolSpec(id="p1", protocol="HTTP", lb_algorithm="LEAST_CONNECTIONS",
                        members=members, health_monitor=monitor),))
    return replace(base, **changes)


def test_listeners_pools_members_and_checks():
    text = haproxy_config.render(spec(), "/run/x/stats.sock")
    assert "stats socket /run/x/stats.sock mode 600 level admin expose-fd listeners" in text
    assert "frontend l80\n    bind 10.0.0.5:80\n    mode http" in text
    assert "    maxconn 100" in text and "    option forwardfor" in text
    assert "    default_backend p1" in text
    assert text.count("    option idle-close-on-response") == 1  # the HTTP listener only
    assert "frontend l3306\n    bind 10.0.0.5:3306\n    mode tcp" in text
    assert "    tcp-request connection reject" in text  # no pool: refused
    assert "backend p1\n    mode http\n    balance leastconn" in text
    assert "    option httpchk GET /ok" in text
    assert "    http-check expect rstatus ^(200|201|202)$" in text
    assert "    default-server inter 5s fall 4 rise 2" in text
    assert "    server m1 10.0.0.11:8000 weight 3 check\n" in text
    assert "    server m2 10.0.0.12:8000 weight 1 check disabled\n" in text


def test_disabled_load_balancer_disables_its_frontends():
    text = haproxy_config.render(spec(admin_state_up=False), "/s")
    assert text.count("    disabled\n") == 2


def test_stats_rows_map_back_to_the_api_objects():
    rows = [
        {"pxname": "l80", "svname": "FRONTEND", "scur": "2", "stot": "10", "bin": "100",
         "bout": "900", "ereq": "1", "mode": "http", "req_rate": "4", "rate": "3"},
        {"pxname": "l3306", "svname": "FRONTEND", "scur": "1", "stot": "5", "bin": "10",
         "bout": "20", "ereq": "", "mode": "tcp", "req_rate": "", "rate": "2"},
        {"pxname": "p1", "svname": "m1", "scur": "2", "stot": "7", "status": "UP 1/2"},
        {"pxname": "p1", "svname": "m2", "scur": "0", "stot": "3", "status": "DOWN"},
        {"pxname": "p1", "svname": "m3", "scur": "0", "stot": "0", "status": "no check"},
        {"pxname": "p1", "svname": "m4", "scur": "0", "stot": "0", "status": "MAINT"},
        {"pxname": "p1", "svname": "BACKEND", "scur": "2", "stot": "10", "status": "UP"},
    ]
    stats = _stats(rows)
    assert (stats.active_connections, stats.total_connections) == (3, 15)
    assert (stats.bytes_in, stats.bytes_out, stats.request_errors) == (110, 920, 1)
    assert stats.request_rate == 6.0
    assert {k: v.status for k, v in stats.members.items()} == {
        "m1": "UP", "m2": "DOWN", "m3": "NO_CHECK", "m4": "MAINT"}
    assert stats.members["m1"].current_sessions == 2
    assert stats.listeners["l80"].total_connections == 10


def test_stats_sum_the_old_workers_still_serving():
    current = [{"pxname": "l80", "svname": "FRONTEND", "scur": "1", "stot": "1", "bin": "1",
                "bout": "1", "ereq": "0", "mode": "http", "req_rate": "2"},
               {"pxname": "p1", "svname": "m1", "scur": "0", "stot": "1", "status": "UP 1/2"}]
    old = [{"pxname": "l80", "svname": "FRONTEND", "scur": "29", "stot": "40", "bin": "9",
            "bout": "9", "ereq": "1", "mode": "http", "req_rate": "30"},
           {"pxname": "p1", "svname": "m1", "scur": "3", "stot": "50", "status": "DOWN"},
           {"pxname": "p1", "svname": "gone", "scur": "1", "stot": "5", "status": "UP"}]
    stats = _stats(current, old)
    assert (stats.active_connections, stats.total_connections) == (30, 41)
    assert (stats.bytes_in, stats.request_errors, stats.request_rate) == (10, 1, 32.0)
    assert stats.listeners["l80"].active_connections == 30
    assert stats.members["m1"].current_sessions == 3 and stats.members["m1"].status == "UP"
    assert stats.members["gone"].current_sessions == 1


def test_a_member_drains_once_no_worker_gives_it_weight():
    def row(weight: str) -> dict:
        return {"pxname": "p1", "svname": "m1", "scur": "0", "weight": weight,
                "status": "UP"}
    assert _stats([row("0")], [row("1")]).members["m1"].status == "UP"  # old worker sends
    assert _stats([row("0")], [row("0")]).members["m1"].status == "DRAIN"
    assert _stats([row("0")]).members["m1"].status == "DRAIN"
    assert _stats([row("1")]).members["m1"].status == "UP"
