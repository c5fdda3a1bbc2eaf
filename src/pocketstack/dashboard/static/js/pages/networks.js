// Networks and their subnets: create a network (with its first subnet), add subnets, edit
// (network name and admin state; subnet name, gateway, DNS servers), delete.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { button, field, h, pageHeader, patchTable, section, select, statusBadge, table,
  toast } from "../ui.js";
import { session } from "../session.js";

function subnetFields(withNetwork, networks) {
  return [
    withNetwork ? field("Network", select("network", networks.map((n) => [n.id, n.name]))) : null,
    field("Subnet name", h("input", { name: "subnetName", maxlength: 255,
      placeholder: "e.g. web-subnet" })),
    field("Address range (CIDR)", h("input", { name: "cidr", required: withNetwork,
      placeholder: "10.1.0.0/24", pattern: "[0-9.]+/[0-9]+" }),
    withNetwork ? "e.g. 10.1.0.0/24: addresses 10.1.0.1 to 10.1.0.254."
      : "Leave empty to make the network without a subnet."),
    field("Gateway IP (optional)", h("input", { name: "gateway", placeholder: "first address" })),
  ];
}

async function createSubnet(networkId, values) {
  const subnet = { network_id: networkId, ip_version: 4, cidr: values.cidr,
    name: values.subnetName || "" };
  if (values.gateway) subnet.gateway_ip = values.gateway;
  await api.post("network", "/subnets", { subnet });
}

function networkDialog(done) {
  formDialog({
    title: "Create network", submitLabel: "Create network",
    intro: "A private network for your instances. Connect it to a router to reach floating IPs.",
    fields: [field("Name", h("input", { name: "name", required: true, maxlength: 255 })),
      ...subnetFields(false)],
    onSubmit: async (form) => {
      const values = formValues(form);
      const { network } = await api.post("network", "/networks",
        { network: { name: values.name } });
      if (values.cidr) {
        try {
          await createSubnet(network.id, values);
        } catch (error) {
          await api.del("network", `/networks/${network.id}`).catch(() => {});
          throw error;
        }
      }
      toast(`Created network ${values.name}.`, "ok");
      done();
    },
  });
}

function subnetDialog(networks, done) {
  formDialog({
    title: "Create subnet", submitLabel: "Create subnet",
    fields: subnetFields(true, networks),
    onSubmit: async (form) => {
      const values = formValues(form);
      await createSubnet(values.network, values);
      toast(`Created subnet ${values.cidr}.`, "ok");
      done();
    },
  });
}

function networkEditDialog(network, done) {
  formDialog({
    title: `Edit network ${network.name || network.id}`, submitLabel: "Save",
    fields: [field("Name", h("input", { name: "name", value: network.name, maxlength: 255 })),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "up", value: "up",
        checked: network.admin_state_up }), "Enabled (admin state up)")],
    onSubmit: async (form) => {
      const values = formValues(form);
      await api.put("network", `/networks/${network.id}`, { network: { name: values.name,
        admin_state_up: values.up.includes("up") } });
      toast(`Saved network ${values.name || network.id}.`, "ok");
      done();
    },
  });
}

// "8.8.8.8, 1.1.1.1" or one per line → ["8.8.8.8", "1.1.1.1"]
const nameservers = (text) => text.split(/[\s,;]+/).filter(Boolean);

function subnetEditDialog(subnet, done) {
  formDialog({
    title: `Edit subnet ${subnet.name || subnet.cidr}`, submitLabel: "Save",
    intro: `Address range ${subnet.cidr} (it cannot change).`,
    fields: [field("Name", h("input", { name: "name", value: subnet.name, maxlength: 255 })),
      field("Gateway IP", h("input", { name: "gateway", value: subnet.gateway_ip || "" }),
        "Empty: no gateway (instances cannot leave the subnet)."),
      field("DNS servers", h("input", { name: "dns", value: subnet.dns_nameservers.join(", "),
        placeholder: "e.g. 10.0.0.53, 10.0.0.54" }), "Written into instances' resolv.conf.")],
    onSubmit: async (form) => {
      const values = formValues(form);
      const changes = { name: values.name, dns_nameservers: nameservers(values.dns) };
      if (values.gateway !== (subnet.gateway_ip || "")) changes.gateway_ip = values.gateway || null;
      await api.put("network", `/subnets/${subnet.id}`, { subnet: changes });
      toast(`Saved subnet ${values.name || subnet.cidr}.`, "ok");
      done();
    },
  });
}

function editButton(kind, item, dialog, done) {
  return button("Edit", () => dialog(item, done),
    { kind: "small", label: `Edit ${kind} ${item.name || item.id}` });
}

function deleteButton(kind, item, path, done) {
  return button("Delete", () => confirmAction({
    title: `Delete ${kind} ${item.name || item.id}?`, confirmLabel: "Delete",
    text: `The ${kind} is removed. Anything still using it must be removed first.`,
    action: async () => {
      await api.del("network", path);
      toast(`Deleted ${item.name || item.id}.`, "ok");
      done();
    },
  }), { kind: "small danger", label: `Delete ${kind} ${item.name || item.id}` });
}

export default async function networksPage(main, ctx) {
  const networksCard = h("div", { class: "flush" });
  const subnetsCard = h("div", { class: "flush" });
  let networks = [];
  const again = () => live.kick();
  async function refresh() {
    const [items, subnets] = await Promise.all([cloud.networks(), cloud.subnets()]);
    networks = items.filter((n) => n.project_id === session.project.id || n.shared);
    const names = new Map(items.map((n) => [n.id, n.name]));
    const cidrs = new Map(subnets.map((s) => [s.id, s.cidr]));
    const own = (x) => x.project_id === session.project.id;
    const networkTable = table({ caption: "Networks", rows: items,
      empty: "No networks yet.", columns: [
        { label: "Name", cell: (n) => n.name || n.id },
        { label: "Subnets", cell: (n) => n.subnets.map((id) => cidrs.get(id) || id).join(", ") || "–" },
        { label: "Kind", cell: (n) => (n["router:external"] ? "external (floating IPs)"
          : n.shared ? "shared" : "private") },
        { label: "Status", cell: (n) => (n.admin_state_up === false
          ? statusBadge("DISABLED") : statusBadge(n.status)) },
        { label: "", class: "row-actions",
          cell: (n) => (own(n) ? h("div", { class: "actions" },
            editButton("network", n, networkEditDialog, again),
            deleteButton("network", n, `/networks/${n.id}`, again)) : "") },
      ] });
    const subnetTable = table({ caption: "Subnets", rows: subnets, empty: "No subnets yet.",
      columns: [
        { label: "Name", cell: (s) => s.name || "–" },
        { label: "Network", cell: (s) => names.get(s.network_id) || s.network_id },
        { label: "CIDR", cell: (s) => h("code", {}, s.cidr) },
        { label: "Gateway", cell: (s) => s.gateway_ip || "–" },
        { label: "DNS servers", cell: (s) => s.dns_nameservers.join(", ") || "–" },
        { label: "", class: "row-actions",
          cell: (s) => (own(s) ? h("div", { class: "actions" },
            editButton("subnet", s, subnetEditDialog, again),
            deleteButton("subnet", s, `/subnets/${s.id}`, again)) : "") },
      ] });
    for (const [holder, fresh] of [[networksCard, networkTable], [subnetsCard, subnetTable]]) {
      const old = holder.firstElementChild;
      if (old?.classList.contains("table-wrap") && fresh.classList.contains("table-wrap")) {
        patchTable(old, fresh);
      } else holder.replaceChildren(fresh);
    }
    return items.some((n) => n.status !== "ACTIVE") ? 1500 : 5000;
  }
  const first = await refresh(); // the buttons below need what it loads
  main.append(
    pageHeader("Networks", "Private networks connect your instances; the external network " +
      "gives floating IPs.", button("Create network", () => networkDialog(again),
      { kind: "primary" })),
    section("Networks", networksCard),
    section("Subnets", subnetsCard, h("div", { class: "actions" },
      button("Create subnet", () => subnetDialog(networks, again)))));
  const live = ctx.every(first, refresh);
}
