// Load balancers (Octavia): each one's address, listeners, pools and members with their
// health, refreshed live (a member joining or going down shows up on its own).

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction } from "../dialog.js";
import { button, clear, h, pageHeader, statusBadge, table, toast } from "../ui.js";

const lbaas = (path) => api.get("load-balancer", path);

function memberRows(tree, listeners) {
  return tree.listeners.flatMap((listener) => listener.pools.flatMap((pool) =>
    pool.members.map((member) => ({
      id: member.id, member, pool,
      listener: listeners.get(listener.id) || listener,
    }))));
}

function card(lb, tree, listeners, floating, done) {
  const rows = memberRows(tree, listeners);
  const address = floating ? `${lb.vip_address} (public ${floating})` : lb.vip_address;
  return h("section", { class: "card", "aria-labelledby": `lb-${lb.id}` },
    h("div", { class: "page-header" },
      h("div", {}, h("h2", { id: `lb-${lb.id}` }, lb.name || lb.id),
        h("p", { class: "intro" }, `Address ${address} · `,
          statusBadge(lb.operating_status, lb.provisioning_status.startsWith("PENDING")
            ? lb.provisioning_status.toLowerCase() : null))),
      h("div", { class: "actions" }, button("Delete", () => confirmAction({
        title: `Delete load balancer ${lb.name}?`, confirmLabel: "Delete",
        text: "Its listeners, pools and members go with it; the servers stay.",
        action: async () => {
          await api.del("load-balancer", `/loadbalancers/${lb.id}?cascade=true`);
          toast(`Deleting ${lb.name}.`, "ok");
          done();
        },
      }), { kind: "small danger", label: `Delete load balancer ${lb.name}` }))),
    h("div", { class: "flush" }, table({ caption: `Members of ${lb.name}`, rows,
      empty: "No members yet: add servers to its pool (or let an autoscaling group do it).",
      columns: [
        { label: "Member", cell: (r) => `${r.member.address}:${r.member.protocol_port}` },
        { label: "Health", cell: (r) => statusBadge(r.member.operating_status,
          r.member.provisioning_status.startsWith("PENDING") ? "joining" : null) },
        { label: "Pool", cell: (r) => r.pool.name || r.pool.id },
        { label: "Listener", cell: (r) => (r.listener.protocol
          ? `${r.listener.name || ""} ${r.listener.protocol}/${r.listener.protocol_port}`.trim()
          : r.listener.name || r.listener.id) },
      ] })));
}

export default async function loadBalancers(main, ctx) {
  const holder = h("div");
  let shown = null; // redraw only on change: keeps the keyboard focus where it is
  async function refresh() {
    const [{ loadbalancers: lbs }, { listeners }, ips] = await Promise.all([
      lbaas("/loadbalancers"), lbaas("/listeners"), cloud.floatingIps()]);
    const trees = await Promise.all(lbs.map((lb) => lbaas(`/loadbalancers/${lb.id}/status`)));
    const byListener = cloud.byId(listeners);
    const floating = new Map(ips.filter((ip) => ip.port_id).map((ip) =>
      [ip.port_id, ip.floating_ip_address]));
    const signature = JSON.stringify([lbs, trees, listeners, [...floating]]);
    const pending = (x) => x.provisioning_status?.startsWith("PENDING");
    const busy = lbs.some(pending) || signature.includes("PENDING_");
    if (signature === shown) return busy ? 1500 : 3000;
    shown = signature;
    if (!lbs.length) {
      clear(holder, h("div", { class: "card empty" }, "No load balancers. Create one with " +
        "`openstack loadbalancer create` or an autoscaling group's template."));
    } else {
      clear(holder, lbs.map((lb, i) => card(lb, trees[i].statuses.loadbalancer, byListener,
        floating.get(lb.vip_port_id), () => live.kick())));
    }
    return busy ? 1500 : 3000;
  }
  const first = await refresh();
  main.append(pageHeader("Load balancers", "Spread traffic over several servers; members " +
    "that fail their health check stop getting traffic."), holder);
  const live = ctx.every(first, refresh);
}
