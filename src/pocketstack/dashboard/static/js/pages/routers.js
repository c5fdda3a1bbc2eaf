// Routers: create (with the external gateway), set or clear the gateway, connect subnets,
// disconnect, delete.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { button, field, h, pageHeader, patchTable, select, statusBadge, table,
  toast } from "../ui.js";

function routerDialog(externals, done) {
  formDialog({
    title: "Create router", submitLabel: "Create router",
    intro: "A router connects private subnets to each other and to the external network " +
      "(needed for floating IPs).",
    fields: [field("Name", h("input", { name: "name", required: true, maxlength: 255 })),
      field("External network", select("external", [["", "None"],
        ...externals.map((n) => [n.id, n.name])], { value: externals[0]?.id || "" }))],
    onSubmit: async (form) => {
      const { name, external } = formValues(form);
      const router = { name };
      if (external) router.external_gateway_info = { network_id: external };
      await api.post("network", "/routers", { router });
      toast(`Created router ${name}.`, "ok");
      done();
    },
  });
}

function gatewayDialog(router, externals, done) {
  formDialog({
    title: `Set the gateway of ${router.name}`, submitLabel: "Set gateway",
    intro: "The router reaches the external network through it: floating IPs of the " +
      "connected subnets work, and instances without one go out through its address.",
    fields: [field("External network", select("external", externals.map((n) => [n.id, n.name]),
      { required: true }))],
    onSubmit: async (form) => {
      const { external } = formValues(form);
      await api.put("network", `/routers/${router.id}`,
        { router: { external_gateway_info: { network_id: external } } });
      toast(`${router.name} now has a gateway.`, "ok");
      done();
    },
  });
}

function gatewayButton(router, externals, done) {
  if (!router.external_gateway_info) {
    return button("Set gateway", () => gatewayDialog(router, externals, done),
      { kind: "small", label: `Set the gateway of ${router.name}` });
  }
  return button("Clear gateway", () => confirmAction({
    title: `Clear the gateway of ${router.name}?`, confirmLabel: "Clear gateway",
    text: "Its subnets lose the external network: their floating IPs stop working.",
    action: async () => {
      await api.put("network", `/routers/${router.id}`, { router: { external_gateway_info: {} } });
      toast(`${router.name} has no gateway now.`, "ok");
      done();
    },
  }), { kind: "small", label: `Clear the gateway of ${router.name}` });
}

function interfaceDialog(router, subnets, done) {
  formDialog({
    title: `Connect a subnet to ${router.name}`, submitLabel: "Connect",
    intro: "The router takes the subnet's gateway address.",
    fields: [field("Subnet", select("subnet", subnets.map((s) =>
      [s.id, `${s.name || "subnet"} (${s.cidr})`]), { required: true }))],
    onSubmit: async (form) => {
      const { subnet } = formValues(form);
      await api.put("network", `/routers/${router.id}/add_router_interface`,
        { subnet_id: subnet });
      toast("Subnet connected.", "ok");
      done();
    },
  });
}

function interfaces(router, ports, subnets, done) {
  const legs = ports.filter((p) => p.device_id === router.id &&
    p.device_owner === "network:router_interface");
  if (!legs.length) return "–";
  return h("ul", { class: "plain" }, legs.flatMap((port) => port.fixed_ips.map((ip) => {
    const subnet = subnets.get(ip.subnet_id);
    const label = `${ip.ip_address} (${subnet?.cidr || ip.subnet_id})`;
    return h("li", {}, label, " ", button("Disconnect", () => confirmAction({
      title: `Disconnect ${subnet?.cidr || "subnet"} from ${router.name}?`,
      confirmLabel: "Disconnect", text: "Instances on it lose the router (and floating IPs).",
      action: async () => {
        await api.put("network", `/routers/${router.id}/remove_router_interface`,
          { subnet_id: ip.subnet_id });
        done();
      },
    }), { kind: "small link", label: `Disconnect ${label}` }));
  })));
}

export default async function routersPage(main, ctx) {
  const holder = h("div", { class: "card flush" });
  let externals = [];
  const again = () => live.kick();
  async function refresh() {
    const [routers, networks, subnetList, ports] = await Promise.all([cloud.routers(),
      cloud.networks(), cloud.subnets(), cloud.ports("?device_owner=network:router_interface")]);
    externals = networks.filter((n) => n["router:external"]);
    const names = new Map(networks.map((n) => [n.id, n.name]));
    const subnets = cloud.byId(subnetList);
    const own = subnetList.filter((s) => !externals.some((n) => n.id === s.network_id));
    // Each row's legs are part of it, so a live refresh redraws a router whose legs changed.
    const rows = routers.map((r) => ({ ...r,
      legs: ports.filter((p) => p.device_id === r.id).map((p) => p.fixed_ips) }));
    const fresh = table({ caption: "Routers", rows,
      empty: "No routers yet. A router connects a private network to the external one.",
      columns: [
        { label: "Name", cell: (r) => r.name || r.id },
        { label: "Status", cell: (r) => statusBadge(r.status) },
        { label: "External gateway", cell: (r) => (r.external_gateway_info
          ? names.get(r.external_gateway_info.network_id) || "yes" : "–") },
        { label: "Connected subnets", cell: (r) => interfaces(r, ports, subnets, again) },
        { label: "", class: "row-actions", cell: (r) => h("div", { class: "actions" },
          button("Connect subnet", () => interfaceDialog(r, own, again),
            { kind: "small", label: `Connect a subnet to ${r.name}` }),
          gatewayButton(r, externals, again),
          button("Delete", () => confirmAction({
            title: `Delete router ${r.name}?`, confirmLabel: "Delete",
            text: "Disconnect its subnets first.",
            action: async () => {
              await api.del("network", `/routers/${r.id}`);
              toast(`Deleted ${r.name}.`, "ok");
              again();
            },
          }), { kind: "small danger", label: `Delete router ${r.name}` })) },
      ] });
    const old = holder.firstElementChild;
    if (old?.classList.contains("table-wrap") && fresh.classList.contains("table-wrap")) {
      patchTable(old, fresh);
    } else holder.replaceChildren(fresh);
    return routers.some((r) => r.status !== "ACTIVE") ? 1500 : 5000;
  }
  const first = await refresh(); // the buttons below need what it loads
  main.append(pageHeader("Routers", "Routers join your subnets to the external network.",
    button("Create router", () => routerDialog(externals, again), { kind: "primary" })), holder);
  const live = ctx.every(first, refresh);
}
