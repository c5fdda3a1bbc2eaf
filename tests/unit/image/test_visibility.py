"""Tenancy: who sees and changes which image; members of shared images; readers."""

import pytest

from tests.conftest import Api, issue_token
from tests.unit.image.conftest import create, names, patch, upload


@pytest.fixture
def other(client, deployment) -> Api:
    """A member of a third project, ``other``."""
    from pocketstack.db.models.identity import Project, Role, RoleAssignment, User
    from pocketstack.services.identity.passwords import hash_password

    with deployment.cloud.db.session() as session:
        project = Project(name="other", domain_id="default")
        user = User(name="olga", domain_id="default", password_hash=hash_password("pw"))
        session.add_all([project, user])
        session.flush()
        role = session.query(Role).filter_by(name="member").one()
        session.add(RoleAssignment(user_id=user.id, project_id=project.id, role_id=role.id))
        other = Api(client, "")
        other.project_id = project.id
    other.token = issue_token(client, "olga", "pw", "other")
    return other


def test_private_image_is_404_for_other_projects(demo, other, admin):
    image = create(demo, name="secret", visibility="private")
    path = f"/image/v2/images/{image['id']}"
    assert other.get(path).status_code == 404
    assert other.delete(path).status_code == 404
    assert other.get(f"{path}/file").status_code == 404
    assert upload(other, image["id"], b"x").status_code == 404
    assert "secret" not in names(other.get("/image/v2/images"))
    assert admin.get(path).status_code == 200
    assert "secret" in names(admin.get("/image/v2/images"))


def test_public_image_readable_by_all_but_changed_only_by_owner(demo, other):
    base = demo.get("/image/v2/images?name=base").json()["images"][0]
    path = f"/image/v2/images/{base['id']}"
    assert other.get(path).status_code == 200
    assert other.delete(path).status_code == 403
    assert patch(demo, base["id"], [{"op": "replace", "path": "/name", "value": "x"}]
                 ).status_code == 403
    assert other.put(f"{path}/tags/mine").status_code == 403


def test_only_admin_publicises(demo, admin):
    image = create(demo, name="p")
    operation = [{"op": "replace", "path": "/visibility", "value": "public"}]
    assert patch(demo, image["id"], operation).status_code == 403
    assert patch(admin, image["id"], operation).status_code == 200
    assert create(admin, name="pub", visibility="public")["visibility"] == "public"


def test_community_images_readable_but_listed_only_on_request(demo, other):
    image = create(demo, name="comm", visibility="community")
    assert other.get(f"/image/v2/images/{image['id']}").status_code == 200
    assert "comm" not in names(other.get("/image/v2/images"))
    assert "comm" in names(other.get("/image/v2/images?visibility=community"))
    assert "comm" in names(other.get("/image/v2/images?visibility=all"))
    assert "comm" in names(demo.get("/image/v2/images"))  # the owner lists it


def test_shared_image_members(demo, other):
    image = create(demo, name="offer")
    members = f"/image/v2/images/{image['id']}/members"
    assert other.get(f"/image/v2/images/{image['id']}").status_code == 404
    response = demo.post(members, json={"member": other.project_id})
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["schema"] == "/v2/schemas/member"
    assert demo.post(members, json={"member": other.project_id}).status_code == 409
    assert other.get(f"/image/v2/images/{image['id']}").status_code == 200
    assert "offer" not in names(other.get("/image/v2/images"))
    assert "offer" in names(other.get("/image/v2/images?member_status=pending"))
    assert demo.put(f"{members}/{other.project_id}", json={"status": "accepted"}
                    ).status_code == 403
    assert other.put(f"{members}/{other.project_id}", json={"status": "maybe"}
                     ).status_code == 400
    accepted = other.put(f"{members}/{other.project_id}", json={"status": "accepted"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert "offer" in names(other.get("/image/v2/images"))
    listed = demo.get(members).json()
    assert [m["member_id"] for m in listed["members"]] == [other.project_id]
    assert other.delete(f"{members}/{other.project_id}").status_code == 403
    assert demo.delete(f"{members}/{other.project_id}").status_code == 204
    assert other.get(f"/image/v2/images/{image['id']}").status_code == 404


def test_members_only_for_shared_images(demo, other):
    image = create(demo, name="priv", visibility="private")
    response = demo.post(f"/image/v2/images/{image['id']}/members",
                         json={"member": other.project_id})
    assert response.status_code == 403


def test_reader_reads_but_does_not_write(demo, reader):
    image = create(demo, name="ro")
    assert reader.get(f"/image/v2/images/{image['id']}").status_code == 200
    assert reader.post("/image/v2/images", json={"name": "no"}).status_code == 403
    assert reader.delete(f"/image/v2/images/{image['id']}").status_code == 403
    assert upload(reader, image["id"], b"x").status_code == 403
    assert demo.get(f"/image/v2/images/{image['id']}").json()["status"] == "queued"
