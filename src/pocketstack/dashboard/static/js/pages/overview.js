// Overview: what the project uses against its quotas, and the first steps for newcomers.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { floatingAddress, reachableDialog } from "../connect.js";
import { launchDialog } from "../launch.js";
import { session } from "../session.js";
import { button, h, pageHeader, section, toast } from "../ui.js";
import { createKeypairDialog } from "./keypairs.js";

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

// The newcomer's path, each step done or not from what the project has: key pair →
// launch (defaults preselected) → floating IP and SSH → the ssh line → the command line.
async function gettingStarted(redraw) {
  const [keypairs, servers] = await Promise.all([cloud.keypairs(), cloud.servers()]);
  const reachable = servers.find((s) => s.status === "ACTIVE" && floatingAddress(s));
  const target = servers.find((s) => s.status === "ACTIVE") || servers[0];
  const failed = (error) => toast(error.message, "error");
  const steps = [
    { title: "Make a key pair", done: keypairs.length > 0,
      text: "A key pair lets you log in to your instances with SSH. Your browser downloads " +
        "its private key, once.",
      action: button("Create key pair", () => createKeypairDialog(redraw)) },
    { title: "Launch an instance", done: servers.length > 0,
      text: "An instance is a small server of your own. The image, the smallest size and " +
        "the network are already chosen; it starts in seconds.",
      action: button("Launch instance", () => launchDialog({ name: "my-first-instance",
        onLaunched: redraw }).catch(failed)) },
    { title: "Make it reachable", done: Boolean(reachable),
      text: "Give it a floating IP (a public address) and let SSH through its firewall.",
      action: target?.status === "ACTIVE" && !reachable
        ? button(`Make ${target.name} reachable`, () => reachableDialog(target, redraw)
          .catch(failed))
        : h("p", { class: "muted" }, target && !reachable ? `Waiting for ${target.name} to ` +
          "be ACTIVE…" : reachable ? `${reachable.name}: ${floatingAddress(reachable)}`
          : "Launch an instance first.") },
    { title: "Connect", done: false,
      text: "Its page shows the exact ssh command to log in (or open its console in the " +
        "browser).",
      action: reachable || target ? h("a", { class: "button", href: `#/instances/${(reachable ||
        target).id}` }, `How to connect to ${(reachable || target).name}`)
        : h("p", { class: "muted" }, "No instance yet.") },
    { title: "Use the command line", done: false,
      text: "Download your openrc file and use the openstack command-line client with the " +
        "same account.", action: h("a", { class: "button", href: "#/api-access" }, "API access") },
  ];
  const next = steps.findIndex((s) => !s.done);
  const busy = servers.some(cloud.isServerBusy);
  return { busy, element: section("Getting started", h("ol", { class: "steps" },
    steps.map((s, i) => h("li", { class: s.done ? "done" : i === next ? "next" : "",
      "aria-current": i === next ? "step" : null },
    h("h3", {}, `${i + 1}. ${s.title}`, s.done ? h("span", { class: "visually-hidden" },
      " (done)") : null), h("p", {}, s.text), s.action)))) };
}

export default async function overview(main, ctx) {
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
        bar("Ports", q.port.used, q.port.limit))));
  const steps = h("div");
  let shown = null;
  async function refresh() {
    const { busy, element } = await gettingStarted(() => live.kick());
    const signature = element.textContent;
    if (signature !== shown) steps.replaceChildren(element);
    shown = signature;
    return busy ? 1500 : 5000;
  }
  const first = await refresh();
  main.insertBefore(steps, main.children[1]);
  const live = ctx.every(first, refresh);
}
