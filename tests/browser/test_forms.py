"""The create and edit forms beyond the classic demo: a load balancer with its listener,
pool, health check and a member picked from the servers, a floating IP on its address,
an autoscaling group from the template pickers joined to its pool; a form that shows the
API's error in words; a router's gateway cleared and set; a network and a subnet edited."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.dashboard import dialog, go, login, row


def test_a_web_tier_from_the_forms(page: Page, cloud, shoot):
    cloud.openstack("server", "create", "--image", "base", "--flavor", "m1.tiny",
                    "--network", "private", "--wait", "web-1")
    login(page, "demo", cloud.password)
    card = create_load_balancer(page, shoot)
    card.get_by_role("button", name="Floating IP for web-lb").click()
    box = dialog(page, "Floating IP for web-lb")
    box.get_by_role("button", name="Associate").click()
    expect(box).to_be_hidden()
    expect(card).to_contain_text(re.compile(r"public \d+\.\d+\.\d+\.\d+"))
    shoot("21-load-balancers")
    create_group(page, shoot)
    go(page, "Load balancers")  # the group's two servers joined web-1 in the pool
    expect(card_of(page, "web-lb").get_by_role("rowheader")).to_have_count(3, timeout=90_000)
    cloud.openstack("loadbalancer", "delete", "--cascade", "--wait", "web-lb")


def card_of(page: Page, name: str):
    return page.get_by_role("region", name=name)


def create_load_balancer(page: Page, shoot):
    go(page, "Load balancers")
    page.get_by_role("button", name="Create load balancer").click()
    box = dialog(page, "Create load balancer")
    box.get_by_label("Name").fill("web-lb")
    expect(box.get_by_label("Subnet")).to_contain_text("private-subnet")
    box.get_by_label("Protocol").select_option("HTTP")
    box.get_by_label("Port", exact=True).fill("80")
    box.get_by_label("Algorithm").select_option("LEAST_CONNECTIONS")
    expect(box.get_by_label("Health check", exact=True)).to_have_value("HTTP")
    box.get_by_role("checkbox", name=re.compile("^web-1 — ")).check()
    shoot("20-load-balancer-form")
    box.get_by_role("button", name="Create load balancer").click()
    expect(box.locator(".progress-steps li").first).to_be_visible()
    expect(box).to_be_hidden(timeout=120_000)
    card = card_of(page, "web-lb")
    expect(card).to_contain_text("HTTP health check")
    expect(card.get_by_role("rowheader", name=re.compile(r"^10\.0\.0\.\d+:80$"))).to_be_visible()
    expect(card.get_by_role("cell", name="web-1")).to_be_visible()
    return card


def create_group(page: Page, shoot):
    go(page, "Autoscaling")
    page.get_by_role("button", name="Create group").click()
    box = dialog(page, "Create autoscaling group")
    box.get_by_label("Name").fill("php")
    box.get_by_label("Min servers").fill("2")
    box.get_by_label("Max servers").fill("4")
    box.get_by_label("Metric").select_option("cpu")
    expect(box.get_by_label("URL")).to_be_hidden()
    box.get_by_label("Target per server").fill("80")
    box.get_by_label("Load balancer pool (optional)").select_option(label="web-lb: web-lb-pool (HTTP)")
    shoot("22-autoscaling-form")
    box.get_by_role("button", name="Create group").click()
    expect(box).to_be_hidden()
    group = card_of(page, "php")
    expect(group).to_contain_text("2 in service, 2 wanted", timeout=90_000)
    expect(group).to_contain_text("cpu: target 80 per server")
    expect(group.get_by_role("row").filter(has_text="in service")).to_have_count(2)
    shoot("23-autoscaling")


def test_the_autoscaling_form_shows_the_api_error(page: Page, cloud):
    login(page, "demo", cloud.password)
    go(page, "Autoscaling")
    page.get_by_role("button", name="Create group").click()
    box = dialog(page, "Create autoscaling group")
    box.get_by_label("Name").fill("web")
    box.get_by_label("Metric").select_option("http_regex")
    box.get_by_role("button", name="Create group").click()  # the URL is required: not sent
    expect(box.get_by_label("URL")).to_be_focused()
    box.get_by_label("URL").fill("http://10.0.0.5/status")
    box.get_by_label("Regex").fill("no group here")
    box.get_by_role("button", name="Create group").click()
    expect(box.get_by_role("alert")).to_contain_text("regex needs a group")
    box.get_by_label("Metric").select_option("loadbalancer_connections")
    box.get_by_role("button", name="Create group").click()
    expect(box.get_by_role("alert")).to_have_text(
        "A load balancer metric needs a pool: choose one below.")
    box.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("region", name="web")).to_have_count(0)


def test_a_router_gateway_and_network_edits(page: Page, cloud, shoot):
    cloud.openstack("router", "create", "--external-gateway", "public", "edge")
    cloud.openstack("network", "create", "scratch")
    cloud.openstack("subnet", "create", "--network", "scratch", "--subnet-range",
                    "10.7.0.0/24", "--allocation-pool", "start=10.7.0.10,end=10.7.0.200",
                    "scratch-subnet")
    login(page, "demo", cloud.password)
    go(page, "Routers")
    expect(row(page, "edge")).to_contain_text("public")
    row(page, "edge").get_by_role("button", name="Clear the gateway of edge").click()
    dialog(page, "Clear the gateway of edge?").get_by_role("button", name="Clear gateway").click()
    expect(row(page, "edge").get_by_role("button", name="Set the gateway of edge")).to_be_visible()
    row(page, "edge").get_by_role("button", name="Set the gateway of edge").click()
    box = dialog(page, "Set the gateway of edge")
    box.get_by_label("External network").select_option(label="public")
    box.get_by_role("button", name="Set gateway").click()
    expect(row(page, "edge")).to_contain_text("public")
    edit_network(page, shoot)
    subnet = json.loads(cloud.openstack("subnet", "show", "-f", "json", "scratch-subnet"))
    assert subnet["dns_nameservers"] == ["10.7.0.53", "10.7.0.54"], subnet
    assert subnet["gateway_ip"] == "10.7.0.254", subnet
    assert subnet["name"] == "scratch-subnet"
    network = json.loads(cloud.openstack("network", "show", "-f", "json", "scratch2"))
    assert network["admin_state_up"] in (False, "DOWN"), network


def edit_network(page: Page, shoot) -> None:
    go(page, "Networks")
    row(page, "scratch").get_by_role("button", name="Edit network scratch").click()
    box = dialog(page, "Edit network scratch")
    box.get_by_label("Name").fill("scratch2")
    box.get_by_role("checkbox", name="Enabled (admin state up)").uncheck()
    box.get_by_role("button", name="Save").click()
    expect(row(page, "scratch2")).to_contain_text("DISABLED")
    row(page, "scratch-subnet").get_by_role("button", name="Edit subnet scratch-subnet").click()
    box = dialog(page, "Edit subnet scratch-subnet")
    box.get_by_label("Gateway IP").fill("10.7.0.300")
    box.get_by_label("DNS servers").fill("10.7.0.53, 10.7.0.54")
    box.get_by_role("button", name="Save").click()
    expect(box.get_by_role("alert")).to_contain_text("10.7.0.300")
    box.get_by_label("Gateway IP").fill("10.7.0.254")
    box.get_by_role("button", name="Save").click()
    expect(box).to_be_hidden()
    expect(row(page, "scratch-subnet")).to_contain_text("10.7.0.53, 10.7.0.54")
    shoot("24-networks-edit")
