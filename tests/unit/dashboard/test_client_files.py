"""openrc and clouds.yaml for the token's own user and project, with no secret inside."""

from __future__ import annotations

import shlex
import subprocess

import yaml

from tests.conftest import issue_token


def test_they_need_a_token(client):
    for name in ("openrc", "clouds.yaml"):
        response = client.get(f"/dashboard/api/{name}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == 401


def test_openrc_names_the_callers_user_and_project(demo, deployment):
    response = demo.get("/dashboard/api/openrc")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="demo-openrc.sh"'
    text = response.text
    assert deployment.accounts["demo"].password not in text
    assert "export OS_USERNAME=demo\n" in text
    assert f"export OS_PROJECT_ID={deployment.accounts['demo'].project_id}\n" in text
    assert "export OS_AUTH_URL=http://127.0.0.1:18774/identity/v3\n" in text


def test_sourcing_openrc_asks_for_the_password(demo):
    script = demo.get("/dashboard/api/openrc").text
    result = subprocess.run(["bash", "-c", f"{script}\necho \"$OS_PASSWORD|$OS_PROJECT_NAME\""],
                            input="s3cret word\n", capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "s3cret word|demo"
    assert "Password for demo in project demo" in result.stderr


def test_names_are_shell_quoted(admin, client, deployment):
    project = admin.post("/identity/v3/projects", json={"project": {
        "name": "web team", "domain_id": "default"}}).json()["project"]
    role = admin.get("/identity/v3/roles?name=member").json()["roles"][0]
    admin_id = deployment.accounts["admin"].user_id
    assigned = admin.put(f"/identity/v3/projects/{project['id']}/users/{admin_id}/roles/"
                         f"{role['id']}")
    assert assigned.status_code == 204
    token = issue_token(client, "admin", deployment.accounts["admin"].password, "web team")
    response = client.get("/dashboard/api/openrc", headers={"X-Auth-Token": token})
    assert f"export OS_PROJECT_NAME={shlex.quote('web team')}\n" in response.text
    assert 'filename="web_team-openrc.sh"' in response.headers["content-disposition"]


def test_clouds_yaml_has_one_cloud_without_password(demo, deployment):
    response = demo.get("/dashboard/api/clouds.yaml")
    assert response.status_code == 200
    clouds = yaml.safe_load(response.text)["clouds"]
    assert list(clouds) == ["pocketstack-demo"]
    auth = clouds["pocketstack-demo"]["auth"]
    assert auth["username"] == "demo" and "password" not in auth
    assert auth["project_id"] == deployment.accounts["demo"].project_id


def test_line_breaks_in_names_stay_inside_their_comment(tmp_path):
    from pocketstack.config import Settings
    from pocketstack.dashboard.client_files import Credentials, clouds_yaml, openrc

    marker = tmp_path / "ran"
    payload = f"x\ntouch {marker}\n"
    for breaking in ("\n", "\r\n", "\x85", "\u2028", "\u2029", "\x0b"):
        who = Credentials(user_name=payload.replace("\n", breaking), user_domain_name="Default",
                          project_id="p1", project_name=f"p{breaking}evil: 1",
                          project_domain_name="Default")
        settings = Settings(data_dir=tmp_path / "d")
        script = openrc(settings, who)
        subprocess.run(["bash", "-c", f"{script}\necho \"$OS_USERNAME\""], input="pw\n",
                       capture_output=True, text=True, check=True)
        assert not marker.exists()
        text = clouds_yaml(settings, who)
        assert list(yaml.safe_load(text)) == ["clouds"]
        assert all(line.startswith("# ") for line in text.splitlines()[:3])
        assert all(line.startswith("# ") for line in script.splitlines()[1:3])
