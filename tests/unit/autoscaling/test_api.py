"""The autoscaling API: discovery, shapes, errors, validation and tenancy."""

from __future__ import annotations

import pytest

from tests.unit.autoscaling.conftest import A, create, error, group_body, ok


def test_discovery_and_catalog(client, demo):
    assert client.get("/autoscaling/").status_code == 300
    version = ok(client.get(f"{A}"))["version"]
    assert version["id"] == "v1.0" and version["links"][0]["href"].endswith("/autoscaling/v1/")
    catalog = ok(demo.get("/identity/v3/auth/catalog"))["catalog"]
    entry = next(s for s in catalog if s["type"] == "autoscaling")
    assert entry["name"] == "pocketstack-autoscaling"
    assert entry["endpoints"][0]["url"].endswith("/autoscaling/v1")


def test_create_answers_the_whole_group(demo, deployment):
    group = create(demo, scale_out_cooldown=2, drain_timeout=10)
    assert group["name"] == "php" and group["status"] == "SCALING"
    assert group["project_id"] == deployment.accounts["demo"].project_id
    assert (group["min_size"], group["max_size"], group["desired_size"]) == (1, 4, 1)
    assert group["current_size"] == 0 and group["last_metric"] is None
    assert group["metric"] == {"type": "cpu", "target": 50.0}
    assert group["scale_out_cooldown"] == 2 and group["scale_in_cooldown"] == 30
    assert group["drain_timeout"] == 10 and group["load_balancer"] is None
    assert group["server"]["flavor_id"] == "1" and group["server"]["metadata"] == {}
    assert group["created_at"].endswith("Z") and isinstance(group["servers"], list)
    shown = ok(demo.get(f"{A}/groups/{group['id']}"))["group"]
    assert shown["id"] == group["id"]
    listed = ok(demo.get(f"{A}/groups"))["groups"]
    assert [g["id"] for g in listed] == [group["id"]]


def test_events_tell_the_creation(demo):
    group = create(demo, min_size=2)
    events = ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
    first = events[-1]  # oldest; the agent may have added server events since
    assert first["action"] == "scale_out"
    assert (first["from_size"], first["to_size"]) == (0, 2)
    assert "min_size 2" in first["reason"]
    assert set(first) == {"id", "created_at", "action", "from_size", "to_size", "metric",
                              "reason"}


@pytest.mark.parametrize(("fields", "words"), [
    ({"min_size": 3, "max_size": 2}, "must not exceed"),
    ({"min_size": -1}, "0 or more"),
    ({"max_size": 1000}, "at most"),
    ({"metric": {"type": "cpu", "target": 0}}, "above 0"),
    ({"metric": {"type": "cpu", "target": -5}}, "above 0"),
    ({"metric": {"type": "http_regex", "target": 5, "regex": "(\\d+)"}}, "url"),
    ({"metric": {"type": "http_regex", "target": 5, "url": "http://127.0.0.1/x",
                 "regex": "\\d+"}}, "group"),
    ({"metric": {"type": "http_regex", "target": 5, "url": "http://127.0.0.1/x",
                 "regex": "(\\d+"}}, "does not compile"),
    ({"metric": {"type": "cpu", "target": 5, "url": "http://x/"}}, "http_regex"),
    ({"metric": {"type": "loadbalancer_connections", "target": 5}}, "load_balancer"),
    ({"metric": {"type": "memory", "target": 5}}, "metric"),
    ({"server": {"image_id": "nope", "flavor_id": "1"}}, "Image nope"),
    ({"server": {"image_id": "IMAGE", "flavor_id": "99"}}, "Flavor 99"),
    ({"server": {"image_id": "IMAGE", "flavor_id": "1", "key_name": "nokey"}}, "key_name"),
    ({"server": {"image_id": "IMAGE", "flavor_id": "1",
                 "networks": [{"uuid": "00000000-0000-0000-0000-000000000000"}]}}, "Network"),
    ({"server": {"image_id": "IMAGE", "flavor_id": "1",
                 "security_groups": [{"name": "nosuch"}]}}, "nosuch"),
    ({"server": {"image_id": "IMAGE", "flavor_id": "1", "user_data": "%%%"}}, "base64"),
    ({"name": "bad name!"}, "name"),
    ({"scale_in_cooldown": -1}, "scale_in_cooldown"),
    ({"unknown": 1}, "unknown"),
])
def test_bad_groups_are_400_with_a_reason(demo, image_id, fields, words):
    if "server" in fields and fields["server"]["image_id"] == "IMAGE":
        fields["server"]["image_id"] = image_id
    message = error(create(demo, status=400, **fields), 400)
    assert words.lower() in message.lower()


def test_a_pool_needs_the_load_balancer_service(demo):
    response = create(demo, status=400, load_balancer={"pool_id": "p", "protocol_port": 80})
    assert response.status_code == 400


def test_duplicate_names_conflict(demo):
    create(demo)
    assert error(create(demo, status=409), 409)


def test_resize_within_bounds(demo):
    group = create(demo)
    resized = ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 3}), 202)
    assert resized["group"]["desired_size"] == 3
    assert "max_size" in error(demo.post(f"{A}/groups/{group['id']}/resize",
                                         json={"desired_size": 5}), 400)
    events = ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
    latest = next(e for e in events if e["action"] in ("scale_out", "scale_in"))
    assert latest["action"] == "scale_out" and "by hand" in latest["reason"]
    assert (latest["from_size"], latest["to_size"]) == (1, 3)


def test_update_changes_bounds_metric_and_template(demo, image_id):
    group = create(demo)
    body = {"group": {"min_size": 2, "max_size": 6, "metric": None, "scale_in_cooldown": 9,
                      "server": {"image_id": image_id, "flavor_id": "2"}}}
    changed = ok(demo.put(f"{A}/groups/{group['id']}", json=body))["group"]
    assert (changed["min_size"], changed["max_size"]) == (2, 6)
    assert changed["metric"] is None and changed["scale_in_cooldown"] == 9
    assert changed["server"]["flavor_id"] == "2"
    bad = {"group": {"max_size": 1}}
    assert "must not exceed" in error(demo.put(f"{A}/groups/{group['id']}", json=bad), 400)
    assert error(demo.put(f"{A}/groups/{group['id']}", json={"group": {"min_size": None}}), 400)


def test_delete_marks_the_group_deleting(demo):
    group = create(demo)
    assert demo.delete(f"{A}/groups/{group['id']}").status_code == 204
    shown = demo.get(f"{A}/groups/{group['id']}")
    if shown.status_code == 200:  # the agent may already have removed it
        assert shown.json()["group"]["status"] == "DELETING"
        assert error(demo.post(f"{A}/groups/{group['id']}/resize",
                               json={"desired_size": 1}), 409)


def test_other_projects_see_nothing(demo, admin, client):
    group = create(demo)
    path = f"{A}/groups/{group['id']}"
    assert error(admin.get(f"{A}/groups/nope"), 404)
    assert ok(admin.get(f"{A}/groups"))["groups"] == []
    everything = ok(admin.get(f"{A}/groups?all_projects=true"))["groups"]
    assert [g["id"] for g in everything] == [group["id"]]
    assert error(client.get(path), 401)
    assert ok(admin.get(path))["group"]["id"] == group["id"]  # admin sees every project


def test_reader_cannot_write(demo, reader):
    group = create(demo)
    assert ok(reader.get(f"{A}/groups/{group['id']}"))
    assert error(reader.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 2}), 403)
    assert error(reader.post(f"{A}/groups", json=group_body("other")), 403)


def test_events_page_newest_first(demo, deployment):
    group = create(demo, max_size=10)
    for size in (2, 3, 4):
        ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": size}), 202)
    deployment.agent.stop()  # its server events would interleave
    events = ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
    scaling = [e["to_size"] for e in events if e["action"] == "scale_out"]
    assert scaling == [4, 3, 2, 1]
    first = ok(demo.get(f"{A}/groups/{group['id']}/events?limit=2"))["events"]
    rest = ok(demo.get(f"{A}/groups/{group['id']}/events?marker={first[-1]['id']}"))["events"]
    assert first + rest == events
    last = ok(demo.get(f"{A}/groups/{group['id']}/events?marker={rest[-1]['id']}"))["events"]
    assert last == []
