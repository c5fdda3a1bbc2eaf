"""A second project's member sees nothing of the demo project."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.compat


def make_member_of_new_project(cloud, project: str, user: str, password: str):
    admin = cloud.admin
    cloud.openstack("project", "create", "--domain", "default", project, as_=admin)
    cloud.openstack("user", "create", "--domain", "default", "--project", project,
                    "--password", password, user, as_=admin)
    cloud.openstack_text("role", "add", "--project", project, "--user", user, "member",
                         as_=admin)
    return cloud.demo.but(OS_USERNAME=user, OS_PASSWORD=password, OS_PROJECT_NAME=project)


def test_second_project_member_sees_none_of_the_demo_projects_resources(cloud):
    server = cloud.create_server("demo-web")
    network = cloud.openstack("network", "create", "demo-net")
    cloud.openstack_text("keypair", "create", "demo-key")
    floating = cloud.openstack("floating", "ip", "create", "public")
    private = cloud.openstack("network", "show", "private")

    other = make_member_of_new_project(cloud, "tenant2", "alice", "alice-Secret-1")

    assert (cloud.openstack("token", "issue", as_=other)["project_id"]
            != cloud.openstack("token", "issue")["project_id"])
    servers = cloud.openstack("server", "list", as_=other)
    networks = {n["ID"] for n in cloud.openstack("network", "list", as_=other)}
    keypairs = cloud.openstack("keypair", "list", as_=other)
    floating_ips = {f["ID"] for f in cloud.openstack("floating", "ip", "list", as_=other)}
    assert servers == []
    assert network["id"] not in networks and private["id"] not in networks
    assert keypairs == []
    assert floating["id"] not in floating_ips
    for ref in ("demo-web", server["id"]):
        legacy = cloud.nova("show", ref, as_=other, check=False)
        current = cloud.openstack_text("server", "show", ref, as_=other, check=False)
        assert legacy.returncode == 1
        assert f"No server with a name or ID of '{ref}' exists." in legacy.stderr
        assert current.returncode == 1
        assert f"No Server found for {ref}" in current.stderr
