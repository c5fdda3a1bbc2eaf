"""``os-quota-class-sets``: the ``default`` class is every project's starting limits."""

from __future__ import annotations

from tests.unit.compute.server_helpers import mv

DEFAULT = "/compute/v2.1/os-quota-class-sets/default"


def test_show_per_microversion(admin):
    old = admin.get(DEFAULT).json()["quota_class_set"]
    assert old["id"] == "default" and old["instances"] == 10 and "floating_ips" in old
    assert "server_groups" not in old
    new = admin.get(DEFAULT, headers=mv("2.57")).json()["quota_class_set"]
    assert new["server_groups"] == 10 and "floating_ips" not in new
    assert "injected_files" not in new


def test_update_changes_every_project_default(admin, demo, deployment):
    project_id = deployment.accounts["demo"].project_id
    body = admin.get(DEFAULT).json()["quota_class_set"]
    body.pop("id")
    raised = {name: value + 100 for name, value in body.items()}
    answer = admin.put(DEFAULT, json={"quota_class_set": raised})
    assert answer.status_code == 200, answer.text
    assert answer.json()["quota_class_set"] == raised
    assert admin.get(DEFAULT).json()["quota_class_set"] == {"id": "default", **raised}
    quotas = demo.get(f"/compute/v2.1/os-quota-sets/{project_id}").json()["quota_set"]
    assert quotas["instances"] == 110
    defaults = demo.get(f"/compute/v2.1/os-quota-sets/{project_id}/defaults").json()
    assert defaults["quota_set"]["cores"] == 120
    admin.put(f"/compute/v2.1/os-quota-sets/{project_id}",
              json={"quota_set": {"instances": 3}})
    quotas = demo.get(f"/compute/v2.1/os-quota-sets/{project_id}").json()["quota_set"]
    assert quotas["instances"] == 3 and quotas["cores"] == 120  # the project's own wins


def test_other_classes_change_nothing(admin, demo, deployment):
    project_id = deployment.accounts["demo"].project_id
    path = "/compute/v2.1/os-quota-class-sets/gold"
    assert admin.put(path, json={"quota_class_set": {"instances": 99}}).status_code == 200
    assert admin.get(path).json()["quota_class_set"]["instances"] == 99
    quotas = demo.get(f"/compute/v2.1/os-quota-sets/{project_id}").json()["quota_set"]
    assert quotas["instances"] == 10


def test_refusals(admin, demo):
    assert demo.get(DEFAULT).status_code == 403
    assert demo.put(DEFAULT, json={"quota_class_set": {"instances": 1}}).status_code == 403
    assert admin.put(DEFAULT, json={"quota_class_set": {"bogus": 1}}).status_code == 400
    assert admin.put(DEFAULT, json={"quota_class_set": {"instances": "x"}}).status_code == 400
    assert admin.put(DEFAULT, json={"quota_class_set": {"instances": -2}}).status_code == 400
    too_new = {"quota_class_set": {"floating_ips": 1}}
    assert admin.put(DEFAULT, json=too_new, headers=mv("2.50")).status_code == 400
    assert admin.put(DEFAULT, json={"other": {}}).status_code == 400
