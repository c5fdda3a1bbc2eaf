// Overview: what the project uses against its quotas, and the first steps for newcomers.

import { api } from "../api.js";
import { session } from "../session.js";
import { h, pageHeader, section } from "../ui.js";

function bar(label, used, limit, unit = "") {
  const unlimited = limit === -1 || limit === undefined || limit === null;
  const percent = unlimited || !limit ? 0 : Math.min(100, Math.round((used / limit) * 100));
  const level = percent >= 90 ? "full" : percent >= 70 ? "high" : "";
  const text = unlimited ? `${used}${unit} used (no limit)` : `${used}${unit} of ${limit}${unit}`;
  return h("div", { class: "quota" },
    h("div", { class: "quota-label" }, h("span", {}, label), h("span", { class: "muted" }, text)),
    h("div", { class: `quota-bar ${level}`, role: "meter", "aria-label": label,
      "aria-valuemin": "0", "aria-valuemax": String(unlimited ? used : limit),
      "aria-valuenow": String(used), "aria-valuetext": text },
      h("span", { style: `width: ${percent}%` })));
}

function gettingStarted() {
  const step = (title, text, href, action) => h("li", {}, h("h3", {}, title), h("p", {}, text),
    h("a", { class: "button", href }, action));
  return section("Getting started",
    h("ol", { class: "steps" },
      step("1. Make a key pair", "A key pair lets you log in to your instances with SSH. " +
        "You download the private key once.", "#/keypairs", "Key pairs"),
      step("2. Launch an instance", "An instance is a small server of your own. Pick an image " +
        "(base is a ready-made Debian) and a size; it starts in about a second.",
        "#/instances", "Instances"),
      step("3. Reach it", "Open its console in the browser, or give it a floating IP and open " +
        "a port in a security group to reach it from outside.", "#/floating-ips", "Floating IPs"),
      step("4. Use the command line", "Download your openrc file and use the openstack " +
        "command-line client with the same account.", "#/api-access", "API access")));
}

export default async function overview(main) {
  const [limits, network] = await Promise.all([
    api.get("compute", "/limits"),
    api.get("network", `/quotas/${session.project.id}/details`),
  ]);
  const a = limits.limits.absolute;
  const q = network.quota;
  main.append(
    pageHeader("Overview", `Project ${session.project.name}: what it uses of its quotas.`),
    section("Compute",
      h("div", { class: "quotas" },
        bar("Instances", a.totalInstancesUsed, a.maxTotalInstances),
        bar("vCPUs", a.totalCoresUsed, a.maxTotalCores),
        bar("RAM", a.totalRAMUsed, a.maxTotalRAMSize, " MiB"))),
    section("Network",
      h("div", { class: "quotas" },
        bar("Floating IPs", q.floatingip.used, q.floatingip.limit),
        bar("Security groups", q.security_group.used, q.security_group.limit),
        bar("Security group rules", q.security_group_rule.used, q.security_group_rule.limit),
        bar("Networks", q.network.used, q.network.limit),
        bar("Subnets", q.subnet.used, q.subnet.limit),
        bar("Routers", q.router.used, q.router.limit),
        bar("Ports", q.port.used, q.port.limit))),
    gettingStarted());
}
