"""Flavors: listing, filters, paging, per-microversion shapes, admin management."""

import pytest

FLAVORS = "/compute/v2.1/flavors"


def mv(version: str) -> dict:
    return {"OpenStack-API-Version": f"compute {version}"}


def create(api, version="2.1", **flavor):
    body = {"name": "m1.nano", "ram": 256, "vcpus": 1, "disk": 1, **flavor}
    return api.post(FLAVORS, json={"flavor": body}, headers=mv(version))


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [flavor["name"] for flavor in response.json()["flavors"]]


def test_list_shows_default_flavors_with_links(demo, deployment):
    response = demo.get(FLAVORS)
    assert names(response) == ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"]
    first = response.json()["flavors"][0]
    assert set(first) == {"id", "name", "links"}
    base = deployment.cloud.settings.public_url
    assert first["links"] == [
        {"rel": "self", "href": f"{base}/compute/v2.1/flavors/1"},
        {"rel": "bookmark", "href": f"{base}/compute/flavors/1"},
    ]
    assert "flavors_links" not in response.json()


def test_detail_shape_changes_with_microversion(demo):
    old = demo.get(f"{FLAVORS}/1").json()["flavor"]
    assert old["swap"] == "" and old["rxtx_factor"] == 1.0
    assert old["OS-FLV-DISABLED:disabled"] is False
    assert old["os-flavor-access:is_public"] is True
    assert old["OS-FLV-EXT-DATA:ephemeral"] == 0
    assert (old["ram"], old["vcpus"], old["disk"]) == (512, 1, 1)
    assert "description" not in old and "extra_specs" not in old
    described = demo.get(f"{FLAVORS}/1", headers=mv("2.55")).json()["flavor"]
    assert described["description"] is None and "extra_specs" not in described
    assert demo.get(f"{FLAVORS}/1", headers=mv("2.61")).json()["flavor"]["extra_specs"] == {}
    assert demo.get(f"{FLAVORS}/1", headers=mv("2.75")).json()["flavor"]["swap"] == 0
    brief = demo.get(FLAVORS, headers=mv("2.55")).json()["flavors"][0]
    assert set(brief) == {"id", "name", "links", "description"}


def test_show_unknown_flavor_is_item_not_found(demo):
    response = demo.get(f"{FLAVORS}/nope")
    assert response.status_code == 404
    assert response.json()["itemNotFound"]["message"] == "Flavor nope could not be found."


def test_min_ram_and_min_disk_filter(demo):
    assert names(demo.get(f"{FLAVORS}/detail?minRam=4096")) == ["m1.medium", "m1.large",
                                                               "m1.xlarge"]
    assert names(demo.get(f"{FLAVORS}?minDisk=80&minRam=1")) == ["m1.large", "m1.xlarge"]
    assert demo.get(f"{FLAVORS}?minRam=lots").status_code == 400


def test_sorting(demo):
    assert names(demo.get(f"{FLAVORS}?sort_key=memory_mb&sort_dir=desc"))[0] == "m1.xlarge"
    assert names(demo.get(f"{FLAVORS}?sort_key=name"))[:2] == ["m1.large", "m1.medium"]
    assert demo.get(f"{FLAVORS}?sort_key=colour").status_code == 400
    assert demo.get(f"{FLAVORS}?sort_dir=up").status_code == 400


def test_paging_with_marker_and_limit_ends_with_an_empty_page(demo):
    first = demo.get(f"{FLAVORS}/detail?limit=2").json()
    assert [f["id"] for f in first["flavors"]] == ["1", "2"]
    (link,) = first["flavors_links"]
    assert link["rel"] == "next" and "/compute/v2.1/flavors/detail?" in link["href"]
    assert "marker=2" in link["href"] and "limit=2" in link["href"]
    seen, marker = ["1", "2"], "2"
    while True:
        page = demo.get(f"{FLAVORS}?limit=2&marker={marker}").json()["flavors"]
        if not page:
            break
        seen += [f["id"] for f in page]
        marker = page[-1]["id"]
    assert seen == ["1", "2", "3", "4", "5"]
    assert demo.get(f"{FLAVORS}?marker=nope").status_code == 400


def test_is_public_none_literal_and_private_flavors(admin, demo):
    assert create(admin, name="secret", id="s1", **{"os-flavor-access:is_public": False}
                  ).status_code == 200
    assert "secret" not in names(demo.get(f"{FLAVORS}/detail?is_public=None"))
    assert demo.get(f"{FLAVORS}/s1").status_code == 404
    assert "secret" not in names(admin.get(f"{FLAVORS}/detail"))
    assert "secret" in names(admin.get(f"{FLAVORS}/detail?is_public=None"))
    assert names(admin.get(f"{FLAVORS}?is_public=false")) == ["secret"]
    assert admin.get(f"{FLAVORS}/s1").status_code == 200
    assert admin.get(f"{FLAVORS}?is_public=maybe").status_code == 400


def test_admin_creates_flavor_with_generated_id(admin, demo):
    response = create(admin, version="2.61", **{"OS-FLV-EXT-DATA:ephemeral": 2, "swap": 128})
    assert response.status_code == 200, response.text
    flavor = response.json()["flavor"]
    assert len(flavor["id"]) == 36 and flavor["extra_specs"] == {}
    assert (flavor["swap"], flavor["OS-FLV-EXT-DATA:ephemeral"]) == (128, 2)
    assert demo.get(f"{FLAVORS}/{flavor['id']}").json()["flavor"]["name"] == "m1.nano"


def test_create_accepts_digit_strings_and_given_id(admin):
    response = create(admin, id="nano", ram="256", vcpus="1", disk="0", rxtx_factor="2.0")
    assert response.status_code == 200, response.text
    flavor = response.json()["flavor"]
    assert (flavor["id"], flavor["ram"], flavor["rxtx_factor"]) == ("nano", 256, 2.0)


def test_create_with_null_id_and_description(admin):
    response = create(admin, version="2.55", id=None, description=None)
    assert response.status_code == 200, response.text
    assert len(response.json()["flavor"]["id"]) == 36
    assert create(admin, name="big", id="x" * 256).status_code == 400


def test_create_conflicts(admin):
    assert create(admin, name="m1.tiny").status_code == 409
    response = create(admin, id="1")
    assert response.status_code == 409
    assert response.json()["conflictingRequest"]["message"] == "Flavor with ID 1 already exists."


@pytest.mark.parametrize("change", [
    {"ram": 0}, {"vcpus": -1}, {"disk": "one"}, {"name": " padded"}, {"name": ""},
    {"colour": "red"}, {"id": "bad/id"}, {"rxtx_factor": 0}, {"description": "2.1 has none"},
])
def test_create_validation(admin, change):
    response = create(admin, **change)
    assert response.status_code == 400, response.text
    assert "badRequest" in response.json()


def test_create_needs_a_body_with_required_fields(admin):
    assert admin.post(FLAVORS, json={"flavor": {"name": "x"}}).status_code == 400
    assert admin.post(FLAVORS, json={"flavour": {}}).status_code == 400


def test_members_cannot_manage_flavors(demo):
    assert create(demo).status_code == 403
    assert demo.delete(f"{FLAVORS}/1").status_code == 403
    assert demo.put(f"{FLAVORS}/1", json={"flavor": {"description": "x"}},
                    headers=mv("2.55")).status_code == 403


def test_delete_flavor(admin):
    assert admin.delete(f"{FLAVORS}/5").status_code == 202
    assert admin.get(f"{FLAVORS}/5").status_code == 404
    assert admin.delete(f"{FLAVORS}/5").status_code == 404


def test_description_create_and_update_from_2_55(admin):
    response = create(admin, version="2.55", description="tiny but proud")
    flavor_id = response.json()["flavor"]["id"]
    assert response.json()["flavor"]["description"] == "tiny but proud"
    body = {"flavor": {"description": "renamed"}}
    assert admin.put(f"{FLAVORS}/{flavor_id}", json=body).status_code == 404
    updated = admin.put(f"{FLAVORS}/{flavor_id}", json=body, headers=mv("2.55"))
    assert updated.status_code == 200 and updated.json()["flavor"]["description"] == "renamed"
    assert admin.put(f"{FLAVORS}/{flavor_id}", json={"flavor": {}},
                     headers=mv("2.55")).status_code == 400
    assert admin.put(f"{FLAVORS}/missing", json=body, headers=mv("2.55")).status_code == 404


def test_unknown_query_parameters_refused_from_2_75(demo):
    assert demo.get(f"{FLAVORS}?colour=red", headers=mv("2.74")).status_code == 200
    assert demo.get(f"{FLAVORS}?colour=red", headers=mv("2.75")).status_code == 400


def test_extra_specs(admin, demo):
    specs = f"{FLAVORS}/1/os-extra_specs"
    response = admin.post(specs, json={"extra_specs": {"hw:cpu_policy": "shared", "n": 2}})
    assert response.status_code == 200
    assert response.json() == {"extra_specs": {"hw:cpu_policy": "shared", "n": 2}}
    assert demo.get(specs).json() == {"extra_specs": {"hw:cpu_policy": "shared", "n": "2"}}
    assert demo.get(f"{specs}/n").json() == {"n": "2"}
    assert admin.put(f"{specs}/n", json={"n": "3"}).json() == {"n": "3"}
    assert admin.put(f"{specs}/n", json={"m": "3"}).status_code == 400
    assert admin.put(f"{specs}/n", json={"n": "3", "m": "4"}).status_code == 400
    assert admin.post(specs, json={"extra_specs": {"bad/key": "x"}}).status_code == 400
    assert admin.post(specs, json={"extra_specs": {"k": ["list"]}}).status_code == 400
    assert demo.post(specs, json={"extra_specs": {"a": "b"}}).status_code == 403
    assert admin.delete(f"{specs}/n").status_code == 200
    assert demo.get(f"{specs}/n").status_code == 404
    assert admin.delete(f"{specs}/n").status_code == 404
    shown = demo.get(f"{FLAVORS}/1", headers=mv("2.61")).json()["flavor"]
    assert shown["extra_specs"] == {"hw:cpu_policy": "shared"}


def test_flavor_access_for_private_flavors(admin, demo, deployment):
    demo_project = deployment.accounts["demo"].project_id
    create(admin, name="private", id="p1", **{"os-flavor-access:is_public": False})
    access = f"{FLAVORS}/p1/os-flavor-access"
    assert admin.get(access).json() == {"flavor_access": []}
    added = admin.post(f"{FLAVORS}/p1/action",
                       json={"addTenantAccess": {"tenant": demo_project}})
    assert added.status_code == 200
    assert added.json() == {"flavor_access": [{"flavor_id": "p1", "tenant_id": demo_project}]}
    assert "private" in names(demo.get(FLAVORS))
    assert demo.get(f"{FLAVORS}/p1").status_code == 200
    assert admin.post(f"{FLAVORS}/p1/action",
                      json={"addTenantAccess": {"tenant": demo_project}}).status_code == 409
    assert demo.get(access).status_code == 403
    removed = admin.post(f"{FLAVORS}/p1/action",
                         json={"removeTenantAccess": {"tenant": demo_project}})
    assert removed.json() == {"flavor_access": []}
    assert demo.get(f"{FLAVORS}/p1").status_code == 404
    assert admin.post(f"{FLAVORS}/p1/action",
                      json={"removeTenantAccess": {"tenant": demo_project}}).status_code == 404


def test_flavor_access_errors(admin, deployment):
    demo_project = deployment.accounts["demo"].project_id
    assert admin.get(f"{FLAVORS}/1/os-flavor-access").status_code == 404
    assert admin.post(f"{FLAVORS}/1/action",
                      json={"addTenantAccess": {"tenant": demo_project}}).status_code == 409
    create(admin, name="private", id="p1", **{"os-flavor-access:is_public": False})
    assert admin.post(f"{FLAVORS}/p1/action",
                      json={"addTenantAccess": {"tenant": "no-such"}}).status_code == 400
    assert admin.post(f"{FLAVORS}/p1/action", json={"fly": {}}).status_code == 400
    assert admin.post(f"{FLAVORS}/p1/action",
                      json={"addTenantAccess": {"project": "x"}}).status_code == 400
