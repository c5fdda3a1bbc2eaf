// Reaching an instance from outside: give it a floating IP, allow SSH in its security
// group, and show the exact command that logs in. Used by the instance page and the
// overview's getting-started steps.

import { api } from "./api.js";
import * as cloud from "./cloud.js";
import { formDialog, formValues } from "./dialog.js";
import { button, buttonRow, checkboxes, h, section, toast } from "./ui.js";

export const floatingAddress = (server) =>
  cloud.addressesOf(server).find((a) => a.type === "floating")?.addr;

const ANYWHERE = [null, "", "0.0.0.0/0"];

function allowsSsh(rule) {
  return rule.direction === "ingress" && rule.ethertype !== "IPv6" && !rule.remote_group_id &&
    ANYWHERE.includes(rule.remote_ip_prefix) && [null, "tcp", "6"].includes(rule.protocol) &&
    (rule.port_range_min === null || (rule.port_range_min <= 22 && rule.port_range_max >= 22));
}

// The server's security groups, and whether one of them lets SSH in from anywhere.
export async function sshState(server) {
  const names = new Set((server.security_groups || []).map((g) => g.name));
  const groups = (await cloud.securityGroups()).filter((g) => names.has(g.name));
  return { groups, open: groups.some((g) => g.security_group_rules.some(allowsSsh)) };
}

async function allowSsh(group) {
  await api.post("network", "/security-group-rules", { security_group_rule: {
    security_group_id: group.id, direction: "ingress", ethertype: "IPv4", protocol: "tcp",
    port_range_min: 22, port_range_max: 22, remote_ip_prefix: "0.0.0.0/0" } });
}

// A free floating IP of the project, else a new one from the first external network.
async function associateFloatingIp(server) {
  const [ips, networks, ports] = await Promise.all([cloud.floatingIps(), cloud.networks(),
    cloud.ports(`?device_id=${server.id}`)]);
  const port = ports.find((p) => p.fixed_ips.length);
  if (!port) throw new Error(`${server.name} has no network port yet: wait until it is ACTIVE.`);
  const floatingip = { port_id: port.id, fixed_ip_address: port.fixed_ips[0].ip_address };
  const free = ips.find((ip) => !ip.port_id);
  if (free) return (await api.put("network", `/floatingips/${free.id}`, { floatingip })).floatingip;
  const external = networks.find((n) => n["router:external"]);
  if (!external) throw new Error("This cloud has no external network for floating IPs.");
  return (await api.post("network", "/floatingips", { floatingip: { ...floatingip,
    floating_network_id: external.id } })).floatingip;
}

// "Make <server> reachable": a floating IP and an SSH rule, each optional, both checked.
export async function reachableDialog(server, done) {
  const ssh = await sshState(server);
  const group = ssh.groups[0];
  const choices = [];
  if (!floatingAddress(server)) choices.push(["floating", "Give it a floating IP (a public address)"]);
  if (!ssh.open && group) choices.push(["ssh", `Allow SSH (TCP 22) from anywhere in security group ${group.name}`]);
  formDialog({
    title: `Make ${server.name} reachable`, submitLabel: "Make reachable",
    intro: "From outside its private network an instance needs a public address, and its " +
      "firewall must let the connection in.",
    fields: [checkboxes("What to do", "steps", choices, () => true)],
    onSubmit: async (form) => {
      const { steps } = formValues(form);
      if (!steps?.length) throw new Error("Choose at least one thing to do.");
      if (steps.includes("ssh")) await allowSsh(group);
      if (steps.includes("floating")) {
        const ip = await associateFloatingIp(server);
        toast(`${ip.floating_ip_address} now reaches ${server.name}.`, "ok");
      }
      done();
    },
  });
}

function sshLine(server, address) {
  if (!server.key_name) {
    return h("p", {}, "It has no key pair, so SSH needs a password it does not have: use its " +
      "console, or launch an instance with a key pair.");
  }
  const file = `${server.key_name}.pem`;
  return [
    h("p", {}, `Log in from a terminal with the private key your browser downloaded when you ` +
      `created key pair ${server.key_name}:`),
    h("code", { class: "command", "aria-label": "SSH command" },
      `chmod 600 ${file}\nssh -i ${file} root@${address}`)];
}

// The "Connect" section of an instance page, redrawn by the caller when the server changes.
export async function connectSection(server, redraw) {
  const address = floatingAddress(server);
  const ssh = server.status === "ACTIVE" ? await sshState(server) : { open: false, groups: [] };
  const fix = (label) => buttonRow(button(label, () =>
    reachableDialog(server, redraw).catch((e) => toast(e.message, "error")), { kind: "primary" }));
  let body;
  if (server.status !== "ACTIVE") {
    body = h("p", { class: "muted" }, "Once it is ACTIVE, this says how to log in to it.");
  } else if (!address) {
    body = [h("p", {}, "It has only a private address. Give it a floating IP to reach it " +
      "from outside (or use its console)."), fix("Make reachable")];
  } else {
    body = [sshLine(server, address), ssh.open ? null
      : [h("p", { class: "fault" }, "Its security groups do not let SSH in yet."),
        fix("Allow SSH")]];
  }
  return h("div", { class: "connect" }, section("Connect", body));
}
