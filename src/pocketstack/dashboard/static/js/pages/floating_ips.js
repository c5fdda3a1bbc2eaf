// Floating IPs: public addresses. Allocate, associate with an instance, disassociate, release.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { button, field, h, pageHeader, patchTable, select, statusBadge, table,
  toast } from "../ui.js";

function allocateDialog(externals, done) {
  formDialog({
    title: "Allocate floating IP", submitLabel: "Allocate",
    intro: "Reserve a public address for this project; then associate it with an instance.",
    fields: [field("Pool (external network)", select("network",
      externals.map((n) => [n.id, n.name]), { required: true }))],
    onSubmit: async (form) => {
      const { network } = formValues(form);
      const { floatingip: ip } = await api.post("network", "/floatingips",
        { floatingip: { floating_network_id: network } });
      toast(`Allocated ${ip.floating_ip_address}.`, "ok");
      done();
    },
  });
}

// Instance ports that can take a floating IP: "server name — fixed IP".
async function targets() {
  const [servers, ports] = await Promise.all([cloud.servers(),
    cloud.ports("?device_owner=compute:nova")]);
  const names = new Map(servers.map((s) => [s.id, s.name]));
  return ports.filter((p) => names.has(p.device_id)).flatMap((p) => p.fixed_ips.map((ip) =>
    [`${p.id}|${ip.ip_address}`, `${names.get(p.device_id)} — ${ip.ip_address}`]))
    .sort((a, b) => a[1].localeCompare(b[1]));
}

async function associateDialog(ip, done) {
  const options = await targets();
  formDialog({
    title: `Associate ${ip.floating_ip_address}`, submitLabel: "Associate",
    intro: "Traffic to the floating IP goes to this instance. Its network needs a router " +
      "connected to the external network.",
    fields: [field("Instance", options.length ? select("target", options, { required: true })
      : h("p", { class: "muted" }, "No instance to associate: launch one first."))],
    onSubmit: async (form) => {
      const { target } = formValues(form);
      if (!target) throw new Error("Choose an instance.");
      const [portId, fixedIp] = target.split("|");
      await api.put("network", `/floatingips/${ip.id}`,
        { floatingip: { port_id: portId, fixed_ip_address: fixedIp } });
      toast(`${ip.floating_ip_address} now points at ${fixedIp}.`, "ok");
      done();
    },
  });
}

function actions(ip, done) {
  return h("div", { class: "actions" },
    ip.port_id
      ? button("Disassociate", async () => {
        try {
          await api.put("network", `/floatingips/${ip.id}`, { floatingip: { port_id: null } });
          toast(`${ip.floating_ip_address} disassociated.`, "ok");
          done();
        } catch (error) {
          toast(error.message, "error");
        }
      }, { kind: "small", label: `Disassociate ${ip.floating_ip_address}` })
      : button("Associate", () => associateDialog(ip, done).catch((e) => toast(e.message, "error")),
        { kind: "small primary", label: `Associate ${ip.floating_ip_address}` }),
    button("Release", () => confirmAction({
      title: `Release ${ip.floating_ip_address}?`, confirmLabel: "Release",
      text: "The address goes back to the pool; you may not get it again.",
      action: async () => {
        await api.del("network", `/floatingips/${ip.id}`);
        toast(`Released ${ip.floating_ip_address}.`, "ok");
        done();
      },
    }), { kind: "small danger", label: `Release ${ip.floating_ip_address}` }));
}

export default async function floatingIps(main, ctx) {
  const holder = h("div", { class: "card flush" });
  let externals = [];
  const again = () => live.kick();
  async function refresh() {
    const [ips, servers, networks, ports] = await Promise.all([cloud.floatingIps(),
      cloud.servers(), cloud.networks(), cloud.ports("?device_owner=compute:nova")]);
    externals = networks.filter((n) => n["router:external"]);
    const serverNames = new Map(servers.map((s) => [s.id, s.name]));
    const owners = new Map(ports.map((p) => [p.id, serverNames.get(p.device_id)]));
    const netNames = new Map(networks.map((n) => [n.id, n.name]));
    ips.sort((a, b) => a.floating_ip_address.localeCompare(b.floating_ip_address,
      undefined, { numeric: true }));
    const fresh = table({ caption: "Floating IPs", rows: ips,
      empty: "No floating IPs. Allocate one to reach an instance from outside its network.",
      columns: [
        { label: "Address", cell: (ip) => h("code", {}, ip.floating_ip_address) },
        { label: "Status", cell: (ip) => statusBadge(ip.status) },
        { label: "Instance", cell: (ip) => (ip.port_id ? `${owners.get(ip.port_id) || "a port"} ` +
          `(${ip.fixed_ip_address})` : "–") },
        { label: "Pool", cell: (ip) => netNames.get(ip.floating_network_id) || "–" },
        { label: "", class: "row-actions", cell: (ip) => actions(ip, again) },
      ] });
    const old = holder.firstElementChild;
    if (old?.classList.contains("table-wrap") && fresh.classList.contains("table-wrap")) {
      patchTable(old, fresh);
    } else holder.replaceChildren(fresh);
    return ips.some((ip) => ip.status !== "ACTIVE" && ip.status !== "DOWN") ? 1500 : 5000;
  }
  const first = await refresh(); // the buttons below need what it loads
  main.append(pageHeader("Floating IPs", "Public addresses that reach your instances. " +
    "Open the ports you need in a security group too.",
  button("Allocate floating IP", () => allocateDialog(externals, again), { kind: "primary" })),
  holder);
  const live = ctx.every(first, refresh);
}
