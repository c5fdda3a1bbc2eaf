"""Keypairs: generate and import, per-user scope, names, quotas, paging, microversions."""

import base64
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

KEYPAIRS = "/compute/v2.1/os-keypairs"


def mv(version: str) -> dict:
    return {"OpenStack-API-Version": f"compute {version}"}


def create(api, name="k", version="2.1", **fields):
    return api.post(KEYPAIRS, json={"keypair": {"name": name, **fields}}, headers=mv(version))


def openssh_public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode() + " me@laptop"


def md5_fingerprint(public_key: str) -> str:
    digest = hashlib.md5(base64.b64decode(public_key.split()[1])).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def test_generate_returns_private_key_once(demo, deployment):
    response = create(demo)
    assert response.status_code == 200, response.text
    body = response.json()["keypair"]
    assert set(body) == {"name", "public_key", "fingerprint", "user_id", "private_key"}
    assert body["user_id"] == deployment.accounts["demo"].user_id
    private = serialization.load_pem_private_key(body["private_key"].encode(), None)
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
    assert body["public_key"].startswith(public)
    assert body["fingerprint"] == md5_fingerprint(body["public_key"])
    shown = demo.get(f"{KEYPAIRS}/k").json()["keypair"]
    assert "private_key" not in shown and shown["public_key"] == body["public_key"]


def test_import_public_key(demo):
    public_key = openssh_public_key()
    response = create(demo, "imported", version="2.2", public_key=public_key)
    assert response.status_code == 201
    body = response.json()["keypair"]
    assert "private_key" not in body
    assert body["type"] == "ssh" and body["public_key"] == public_key
    assert body["fingerprint"] == md5_fingerprint(public_key)


@pytest.mark.parametrize("public_key", ["", "ssh-rsa", "ssh-rsa AAAAnotbase64!!", "hello world",
                                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA=="])
def test_import_refuses_what_is_not_a_key(demo, public_key):
    response = create(demo, public_key=public_key)
    assert response.status_code == 400
    assert "Keypair data is invalid" in response.json()["badRequest"]["message"]


def test_x509_generate_and_import(demo):
    made = create(demo, "cert", version="2.2", type="x509")
    assert made.status_code == 201, made.text
    body = made.json()["keypair"]
    cert = x509.load_pem_x509_certificate(body["public_key"].encode())
    assert body["fingerprint"] == cert.fingerprint(hashes.SHA1()).hex(":")
    assert base64.b64decode(body["private_key"])
    again = create(demo, "cert2", version="2.2", type="x509", public_key=body["public_key"])
    assert again.json()["keypair"]["fingerprint"] == body["fingerprint"]
    assert create(demo, "c3", version="2.2", type="x509",
                  public_key="not a cert").status_code == 400
    assert create(demo, "c4", version="2.2", type="rsa").status_code == 400


@pytest.mark.parametrize("name", ["", " lead", "trail ", "dot.name", "at@home", "x" * 256,
                                  "tab\tname"])
def test_invalid_names(demo, name):
    assert create(demo, name).status_code == 400


def test_valid_names(demo):
    for name in ("a", "with space", "under_score-dash", "x" * 255):
        assert create(demo, name).status_code == 200, name


def test_duplicate_name_conflicts_but_other_users_may_reuse(demo, admin):
    assert create(demo).status_code == 200
    response = create(demo)
    assert response.status_code == 409
    assert response.json()["conflictingRequest"]["message"] == "Key pair 'k' already exists."
    assert create(admin).status_code == 200


def test_fields_refused_below_their_microversion(demo, deployment):
    assert create(demo, type="ssh").status_code == 400
    user = deployment.accounts["demo"].user_id
    assert create(demo, version="2.9", user_id=user).status_code == 400
    assert create(demo, extra="x").status_code == 400


def test_list_and_show_shapes(demo):
    create(demo, "b")
    create(demo, "a")
    old = demo.get(KEYPAIRS).json()
    assert [k["keypair"]["name"] for k in old["keypairs"]] == ["a", "b"]
    assert set(old["keypairs"][0]["keypair"]) == {"name", "public_key", "fingerprint"}
    new = demo.get(KEYPAIRS, headers=mv("2.2")).json()["keypairs"][0]["keypair"]
    assert new["type"] == "ssh"
    shown = demo.get(f"{KEYPAIRS}/a").json()["keypair"]
    assert set(shown) == {"name", "public_key", "fingerprint", "user_id", "created_at",
                          "deleted", "deleted_at", "id", "updated_at"}
    assert isinstance(shown["id"], int) and shown["deleted"] is False
    assert shown["created_at"].endswith("Z")


def test_paging_from_2_35(demo):
    for name in ("c", "a", "b"):
        create(demo, name)
    first = demo.get(f"{KEYPAIRS}?limit=2", headers=mv("2.35")).json()
    assert [k["keypair"]["name"] for k in first["keypairs"]] == ["a", "b"]
    assert "marker=b" in first["keypairs_links"][0]["href"]
    rest = demo.get(f"{KEYPAIRS}?limit=2&marker=b", headers=mv("2.35")).json()
    assert [k["keypair"]["name"] for k in rest["keypairs"]] == ["c"]
    assert "keypairs_links" not in rest
    last = demo.get(f"{KEYPAIRS}?limit=2&marker=c", headers=mv("2.35")).json()
    assert last["keypairs"] == []
    assert demo.get(f"{KEYPAIRS}?marker=zzz", headers=mv("2.35")).status_code == 400
    assert len(demo.get(f"{KEYPAIRS}?limit=1").json()["keypairs"]) == 3


def test_keypairs_belong_to_their_user(demo, admin):
    create(admin, "admins")
    assert demo.get(f"{KEYPAIRS}/admins").status_code == 404
    assert demo.get(KEYPAIRS).json()["keypairs"] == []
    assert demo.delete(f"{KEYPAIRS}/admins").status_code == 404


def test_admin_manages_another_users_keypairs_from_2_10(admin, demo, deployment):
    demo_user = deployment.accounts["demo"].user_id
    admin_user = deployment.accounts["admin"].user_id
    made = create(admin, "for-demo", version="2.10", user_id=demo_user)
    assert made.status_code == 201 and made.json()["keypair"]["user_id"] == demo_user
    assert demo.get(f"{KEYPAIRS}/for-demo").status_code == 200
    listed = admin.get(f"{KEYPAIRS}?user_id={demo_user}", headers=mv("2.10")).json()
    assert [k["keypair"]["name"] for k in listed["keypairs"]] == ["for-demo"]
    assert admin.get(f"{KEYPAIRS}?user_id={demo_user}").json()["keypairs"] == []
    assert create(demo, "x", version="2.10", user_id=admin_user).status_code == 403
    assert demo.get(f"{KEYPAIRS}?user_id={admin_user}",
                    headers=mv("2.10")).status_code == 403
    assert admin.delete(f"{KEYPAIRS}/for-demo?user_id={demo_user}",
                        headers=mv("2.10")).status_code == 204


def test_delete_status_by_microversion(demo):
    create(demo, "one")
    create(demo, "two")
    assert demo.delete(f"{KEYPAIRS}/one").status_code == 202
    assert demo.delete(f"{KEYPAIRS}/two", headers=mv("2.2")).status_code == 204
    response = demo.delete(f"{KEYPAIRS}/two")
    assert response.status_code == 404 and "itemNotFound" in response.json()


def test_key_pairs_quota(admin, demo, deployment):
    project = deployment.accounts["demo"].project_id
    assert admin.put(f"/compute/v2.1/os-quota-sets/{project}",
                     json={"quota_set": {"key_pairs": 1}}).status_code == 200
    assert create(demo, "first").status_code == 200
    response = create(demo, "second")
    assert response.status_code == 403
    assert response.json()["forbidden"]["message"] == "Quota exceeded, too many key pairs."
