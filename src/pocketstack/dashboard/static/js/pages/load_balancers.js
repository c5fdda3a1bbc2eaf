// Load balancers (Octavia): create one, each one's address (and floating IP), listeners,
// pools and members with their health, refreshed live (a member joining or going down
// shows up on its own); add a listener or members, remove a member, delete.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction } from "../dialog.js";
import { addListenerDialog, addMembersDialog, createLoadBalancerDialog,
  vipFloatingIpDialog } from "../lb_forms.js";
import { button, clear, h, pageHeader, statusBadge, table, toast } from "../ui.js";

const lbaas = (path) => api.get("load-balancer", path);
const failed = (error) => toast(error.message, "error");

function memberRows(tree, listeners) {
  return tree.listeners.flatMap((listener) => listener.pools.flatMap((pool) =>
    pool.members.map((member) => ({
      id: member.id, member, pool,
      listener: listeners.get(listener.id) || listener,
    }))));
}

function listenerText(listener) {
  return listener.protocol
    ? `${listener.name || ""} ${listener.protocol}/${listener.protocol_port}`.trim()
    : listener.name || listener.id;
}

function removeMember(lb, row, done) {
  const address = `${row.member.address}:${row.member.protocol_port}`;
  return button("Remove", () => confirmAction({
    title: `Remove member ${address}?`, confirmLabel: "Remove",
    text: "It gets no more traffic from this load balancer; the server keeps running.",
    action: async () => {
      await api.del("load-balancer", `/pools/${row.pool.id}/members/${row.member.id}`);
      toast(`Removing ${address} from ${lb.name}.`, "ok");
      done();
    },
  }), { kind: "small danger", label: `Remove member ${address}` });
}

function membersTable(lb, tree, listeners, done) {
  return table({ caption: `Members of ${lb.name}`, rows: memberRows(tree, listeners),
    empty: tree.listeners.length
      ? "No members yet: add servers to its pool (or let an autoscaling group do it)."
      : "No listener yet: add one to say which port it serves, then its members.",
    columns: [
      { label: "Member", cell: (r) => `${r.member.address}:${r.member.protocol_port}` },
      { label: "Server", cell: (r) => r.member.name || "–" },
      { label: "Health", cell: (r) => statusBadge(r.member.operating_status,
        r.member.provisioning_status.startsWith("PENDING") ? "joining" : null) },
      { label: "Listener", cell: (r) => listenerText(r.listener) },
      { label: "", class: "row-actions", cell: (r) => removeMember(lb, r, done) },
    ] });
}

function floatingButtons(lb, floating, done) {
  if (!floating) {
    return button("Floating IP", () => vipFloatingIpDialog(lb, done).catch(failed),
      { kind: "small", label: `Floating IP for ${lb.name}` });
  }
  return button("Remove floating IP", async () => {
    try {
      await api.put("network", `/floatingips/${floating.id}`, { floatingip: { port_id: null } });
      toast(`${floating.floating_ip_address} no longer reaches ${lb.name}.`, "ok");
      done();
    } catch (error) {
      failed(error);
    }
  }, { kind: "small", label: `Remove floating IP of ${lb.name}` });
}

function cardActions(lb, tree, listeners, floating, done) {
  const pools = tree.listeners.flatMap((l) => l.pools.map((pool) => ({ pool,
    port: pool.members[0]?.protocol_port || listeners.get(l.id)?.protocol_port || 80 })));
  return h("div", { class: "actions" },
    tree.listeners.length ? null : button("Add listener",
      () => addListenerDialog(lb, done).catch(failed),
      { kind: "small primary", label: `Add a listener to ${lb.name}` }),
    pools.map(({ pool, port }) => button("Add members",
      () => addMembersDialog(lb, pool, port, done).catch(failed),
      { kind: "small", label: `Add members to ${pool.name || lb.name}` })),
    floatingButtons(lb, floating, done),
    button("Delete", () => confirmAction({
      title: `Delete load balancer ${lb.name}?`, confirmLabel: "Delete",
      text: "Its listeners, pools and members go with it; the servers stay.",
      action: async () => {
        await api.del("load-balancer", `/loadbalancers/${lb.id}?cascade=true`);
        toast(`Deleting ${lb.name}.`, "ok");
        done();
      },
    }), { kind: "small danger", label: `Delete load balancer ${lb.name}` }));
}

function card(lb, tree, listeners, floating, done) {
  const address = floating
    ? `${lb.vip_address} (public ${floating.floating_ip_address})` : lb.vip_address;
  const monitors = tree.listeners.flatMap((l) => l.pools).filter((p) => p.health_monitor)
    .map((p) => `${p.health_monitor.type} health check`);
  return h("section", { class: "card", "aria-labelledby": `lb-${lb.id}` },
    h("div", { class: "page-header" },
      h("div", {}, h("h2", { id: `lb-${lb.id}` }, lb.name || lb.id),
        h("p", { class: "intro" }, `Address ${address} · `,
          statusBadge(lb.operating_status, lb.provisioning_status.startsWith("PENDING")
            ? lb.provisioning_status.toLowerCase() : null),
          monitors.length ? ` · ${monitors.join(", ")}` : "")),
      cardActions(lb, tree, listeners, floating, done)),
    h("div", { class: "flush" }, membersTable(lb, tree, listeners, done)));
}

export default async function loadBalancers(main, ctx) {
  const holder = h("div");
  let shown = null; // redraw only on change: keeps the keyboard focus where it is
  const again = () => live.kick();
  async function refresh() {
    const [{ loadbalancers: lbs }, { listeners }, ips] = await Promise.all([
      lbaas("/loadbalancers"), lbaas("/listeners"), cloud.floatingIps()]);
    const trees = await Promise.all(lbs.map((lb) => lbaas(`/loadbalancers/${lb.id}/status`)));
    const byListener = cloud.byId(listeners);
    const floating = new Map(ips.filter((ip) => ip.port_id).map((ip) => [ip.port_id, ip]));
    const signature = JSON.stringify([lbs, trees, listeners, [...floating]]);
    const pending = (x) => x.provisioning_status?.startsWith("PENDING");
    const busy = lbs.some(pending) || signature.includes("PENDING_");
    if (signature === shown) return busy ? 1500 : 3000;
    shown = signature;
    if (!lbs.length) {
      clear(holder, h("div", { class: "card empty" }, "No load balancers yet. Create one to " +
        "give several servers one address."));
    } else {
      clear(holder, lbs.map((lb, i) => card(lb, trees[i].statuses.loadbalancer, byListener,
        floating.get(lb.vip_port_id), again)));
    }
    return busy ? 1500 : 3000;
  }
  const first = await refresh();
  main.append(pageHeader("Load balancers", "Spread traffic over several servers; members " +
    "that fail their health check stop getting traffic.",
  button("Create load balancer", () => createLoadBalancerDialog(again).catch(failed),
    { kind: "primary" })), holder);
  const live = ctx.every(first, refresh);
}
