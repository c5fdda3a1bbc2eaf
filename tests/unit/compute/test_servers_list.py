"""GET /servers and /servers/detail: filters, sorting, paging per microversion."""

from __future__ import annotations

from tests.unit.compute.server_helpers import boot, mv, wait_for


def names(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [server["name"] for server in answer.json()["servers"]]


def test_summary_and_detail_shapes(demo, image_id):
    server_id = boot(demo, image_id, name="php")["server"]["id"]
    wait_for(demo, server_id, "ACTIVE")
    [summary] = demo.get("/compute/v2.1/servers").json()["servers"]
    assert set(summary) == {"id", "name", "links"}
    [detail] = demo.get("/compute/v2.1/servers/detail").json()["servers"]
    assert detail["status"] == "ACTIVE" and detail["addresses"]
    assert "OS-EXT-STS:power_state" in detail


def test_name_is_a_regular_expression(demo, image_id):
    for name in ("php", "php-2", "mysql"):
        boot(demo, image_id, name=name)
    assert sorted(names(demo.get("/compute/v2.1/servers/detail?name=php"))) == ["php", "php-2"]
    assert names(demo.get("/compute/v2.1/servers?name=^php$")) == ["php"]
    assert names(demo.get("/compute/v2.1/servers?name=sql")) == ["mysql"]
    assert demo.get("/compute/v2.1/servers?name=(").status_code == 400


def test_status_filter_per_version(demo, image_id):
    server_id = boot(demo, image_id, name="a")["server"]["id"]
    wait_for(demo, server_id, "ACTIVE")
    assert names(demo.get("/compute/v2.1/servers?status=ACTIVE")) == ["a"]
    assert names(demo.get("/compute/v2.1/servers?status=SHUTOFF")) == []
    assert names(demo.get("/compute/v2.1/servers?status=BOGUS", headers=mv("2.37"))) == []
    answer = demo.get("/compute/v2.1/servers?status=BOGUS", headers=mv("2.38"))
    assert answer.status_code == 400


def test_paging_ends_with_an_empty_page(demo, image_id):
    for index in range(3):
        boot(demo, image_id, name=f"s{index}")
    first = demo.get("/compute/v2.1/servers?limit=2&sort_key=display_name&sort_dir=asc").json()
    assert [server["name"] for server in first["servers"]] == ["s0", "s1"]
    next_href = first["servers_links"][0]["href"]
    assert "marker=" in next_href and first["servers_links"][0]["rel"] == "next"
    marker = first["servers"][-1]["id"]
    second = demo.get(f"/compute/v2.1/servers?limit=2&sort_key=display_name&sort_dir=asc"
                      f"&marker={marker}").json()
    assert [server["name"] for server in second["servers"]] == ["s2"]
    assert "servers_links" not in second
    last = second["servers"][-1]["id"]
    third = demo.get(f"/compute/v2.1/servers?sort_key=display_name&sort_dir=asc&marker={last}")
    assert third.json()["servers"] == []
    unknown = demo.get("/compute/v2.1/servers?marker=00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 400


def test_default_order_is_newest_first(demo, image_id):
    for name in ("old", "new"):
        boot(demo, image_id, name=name)
    assert names(demo.get("/compute/v2.1/servers")) == ["new", "old"]


def test_image_flavor_and_changes_since(demo, image_id):
    boot(demo, image_id, name="tiny")
    boot(demo, image_id, name="small", flavorRef="2")
    assert names(demo.get("/compute/v2.1/servers?flavor=2")) == ["small"]
    assert len(names(demo.get(f"/compute/v2.1/servers?image={image_id}"))) == 2
    assert names(demo.get("/compute/v2.1/servers?changes-since=2999-01-01T00:00:00Z")) == []
    assert demo.get("/compute/v2.1/servers?changes-since=yesterday").status_code == 400


def test_ip_filter(demo, image_id):
    server_id = boot(demo, image_id, name="a")["server"]["id"]
    shown = wait_for(demo, server_id, "ACTIVE")
    address = next(iter(shown["addresses"].values()))[0]["addr"]
    assert names(demo.get(f"/compute/v2.1/servers?ip={address}")) == ["a"]
    assert names(demo.get("/compute/v2.1/servers?ip=^203\\.0\\.113\\.")) == []


def test_tag_filters_from_2_26(demo, image_id):
    boot(demo, image_id, name="a", version="2.52", networks="none", tags=["web", "blue"])
    boot(demo, image_id, name="b", version="2.52", networks="none", tags=["web"])
    boot(demo, image_id, name="c", version="2.52", networks="none")
    at = mv("2.26")
    assert names(demo.get("/compute/v2.1/servers?tags=web,blue", headers=at)) == ["a"]
    assert sorted(names(demo.get("/compute/v2.1/servers?tags-any=web", headers=at))) == ["a", "b"]
    assert names(demo.get("/compute/v2.1/servers?not-tags-any=web", headers=at)) == ["c"]
    assert sorted(names(demo.get("/compute/v2.1/servers?not-tags=web,blue",
                                 headers=at))) == ["b", "c"]


def test_unknown_query_parameters_from_2_75(demo, image_id):
    assert demo.get("/compute/v2.1/servers?frobnicate=1", headers=mv("2.74")).status_code == 200
    assert demo.get("/compute/v2.1/servers?frobnicate=1", headers=mv("2.75")).status_code == 400
    assert demo.get("/compute/v2.1/servers?sort_key=nope").status_code == 400
