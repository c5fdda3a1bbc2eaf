from tests.unit.network.conftest import N, make, ok


def test_tags_api_and_filters(demo):
    network = make(demo, "networks", "network", name="tagged")
    path = f"{N}/networks/{network['id']}/tags"
    assert ok(demo.put(path, json={"tags": ["red", "blue"]}))["tags"] == ["blue", "red"]
    assert demo.put(f"{path}/green").status_code == 201
    assert demo.get(f"{path}/green").status_code == 204
    assert demo.delete(f"{path}/red").status_code == 204
    assert demo.get(f"{path}/red").status_code == 404
    shown = ok(demo.get(f"{N}/networks/{network['id']}"))["network"]
    assert shown["tags"] == ["blue", "green"]
    found = ok(demo.get(f"{N}/networks", params={"tags": "blue,green"}))["networks"]
    assert [n["id"] for n in found] == [network["id"]]
    assert ok(demo.get(f"{N}/networks", params={"tags-any": "red"}))["networks"] == []
    assert demo.delete(path).status_code == 204
    assert ok(demo.get(path))["tags"] == []
